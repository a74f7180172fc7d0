"""Contracts the mutation run (tests/tools/mutation.py) showed were unpinned.

Each test states one fact a user relies on: a PyTorch default, a boundary of a valid range, the
exact error message (which names the argument and the offending value), the keys of a state
dict's ``config`` (PyTorch's constructor argument names), or a closed form from the docstring's
equation. Expected values come from PyTorch's documentation and from the math, never from
running this code.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from mg_nn import Parameter
from mg_optim import (
    SGD,
    Adam,
    CosineAnnealingLR,
    ExponentialLR,
    LinearLR,
    LRScheduler,
    Momentum,
    MultiStepLR,
    Optimizer,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
    clip_grad_norm,
    clip_grad_value,
    grad_norm,
)


def sgd(lr: float = 0.1, groups: int = 1) -> Optimizer:
    return SGD([{"params": [Parameter(1.0)], "lr": lr} for _ in range(groups)], lr=lr)


def message(error: type[BaseException], call: Callable[[], object]) -> str:
    with pytest.raises(error) as info:
        call()
    # KeyError's str() adds quotes; its argument is the message.
    return str(info.value.args[0]) if isinstance(info.value, KeyError) else str(info.value)


# ---------------------------------------------------------------- PyTorch defaults


def test_reduce_on_plateau_defaults_are_pytorchs() -> None:
    # torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode='min', factor=0.1, patience=10,
    # threshold=1e-4, threshold_mode='rel', cooldown=0, min_lr=0, eps=1e-8)
    sched = ReduceLROnPlateau(sgd(0.1))
    assert sched.state_dict() == {
        "scheduler": "ReduceLROnPlateau",
        "config": {
            "mode": "min",
            "factor": 0.1,
            "patience": 10,
            "threshold": 1e-4,
            "threshold_mode": "rel",
            "cooldown": 0,
            "min_lrs": [0.0],
            "eps": 1e-8,
        },
        "last_epoch": 0,
        "best": None,
        "num_bad_epochs": 0,
        "cooldown_counter": 0,
        "last_lr": [0.1],
    }
    assert repr(sched) == (
        "ReduceLROnPlateau(mode='min', factor=0.1, patience=10, threshold=0.0001, "
        "threshold_mode='rel', cooldown=0, min_lrs=[0.0], eps=1e-08)"
    )


def test_reduce_on_plateau_default_patience_waits_ten_bad_epochs() -> None:
    # The first metric improves on +inf; the next 10 equal ones are bad epochs within patience,
    # the 11th exceeds it and the rate is multiplied by the default factor 0.1.
    opt = sgd(1.0)
    sched = ReduceLROnPlateau(opt)
    for epoch in range(1, 12):
        sched.step(5.0)
        assert sched.get_last_lr() == [1.0], epoch
        assert sched.state_dict()["last_epoch"] == epoch
    sched.step(5.0)
    assert sched.get_last_lr() == [0.1]
    assert sched.state_dict()["num_bad_epochs"] == 0


def test_sgd_default_weight_decay_is_zero_and_one_is_applied() -> None:
    plain = Parameter(2.0)
    plain.grad = 0.5
    SGD([plain], lr=0.5).step()
    assert plain.data == 2.0 - 0.5 * 0.5
    for make in (
        lambda ps: SGD(ps, lr=0.5, weight_decay=1.0),
        lambda ps: Momentum(ps, lr=0.5, momentum=0.0, weight_decay=1.0),
    ):
        p = Parameter(2.0)
        p.grad = 0.5
        make([p]).step()
        # g = grad + weight_decay * p = 0.5 + 2.0 = 2.5; p = 2.0 - 0.5 * 2.5
        assert p.data == 0.75


def test_grad_norm_default_is_euclidean() -> None:
    params = [Parameter(0.0), Parameter(0.0)]
    params[0].grad, params[1].grad = 3.0, 4.0
    assert grad_norm(params) == 5.0


def test_step_decays_default_gamma_is_a_tenth() -> None:
    # torch: StepLR(optimizer, step_size, gamma=0.1), MultiStepLR(optimizer, milestones, gamma=0.1)
    step = StepLR(sgd(1.0), step_size=1)
    multi = MultiStepLR(sgd(1.0), milestones=[1])
    assert step.state_dict()["config"] == {"step_size": 1, "gamma": 0.1}
    assert multi.state_dict()["config"] == {"milestones": [1], "gamma": 0.1}
    step.step()
    multi.step()
    assert step.get_last_lr() == multi.get_last_lr() == [0.1]


def test_scheduler_configs_use_pytorchs_argument_names() -> None:
    assert ExponentialLR(sgd(), gamma=0.5).state_dict()["config"] == {"gamma": 0.5}
    assert CosineAnnealingLR(sgd(), T_max=4, eta_min=0.25).state_dict()["config"] == {
        "T_max": 4,
        "eta_min": 0.25,
    }
    linear = LinearLR(sgd(), start_factor=0.5, end_factor=0.75, total_iters=3)
    assert linear.state_dict()["config"] == {
        "start_factor": 0.5,
        "end_factor": 0.75,
        "total_iters": 3,
    }
    opt = sgd()
    seq = SequentialLR(opt, [LinearLR(opt), StepLR(opt, step_size=2)], milestones=[3])
    assert seq.state_dict()["config"] == {"milestones": [3], "schedulers": ["LinearLR", "StepLR"]}
    assert repr(StepLR(sgd(), step_size=2, gamma=0.5)) == "StepLR(step_size=2, gamma=0.5)"


def test_optimizer_and_group_repr_list_options_then_flags() -> None:
    # torch.optim.Adam defaults: lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    # amsgrad=False
    adam = Adam([Parameter(1.0), Parameter(2.0)])
    assert repr(adam) == (
        "Adam([ParamGroup(params=2, lr=0.001, eps=1e-08, beta1=0.9, beta2=0.999, "
        "weight_decay=0.0, amsgrad=False)])"
    )
    two = SGD([{"params": [Parameter(1.0)]}, {"params": [Parameter(2.0)], "lr": 0.25}], lr=0.5)
    assert repr(two) == (
        "SGD([ParamGroup(params=1, lr=0.5, weight_decay=0.0), "
        "ParamGroup(params=1, lr=0.25, weight_decay=0.0)])"
    )


# ---------------------------------------------------------------- ParamGroup


def test_param_group_keys_and_setdefault() -> None:
    group = SGD([Parameter(1.0)], lr=0.5).param_groups[0]
    assert group.keys() == ["lr", "weight_decay"]
    assert group.setdefault("initial_lr", 0.25) == 0.25
    assert group["initial_lr"] == 0.25
    assert group.setdefault("initial_lr", 0.75) == 0.25
    assert group["initial_lr"] == 0.25
    assert group.setdefault("lr", 0.125) == 0.5


def test_set_flag_errors_name_the_flag() -> None:
    group = Adam([Parameter(1.0)]).param_groups[0]
    assert (
        message(KeyError, lambda: group.set_flag("nesterov", True))
        == "param group has no flag 'nesterov'; flags: amsgrad"
    )
    assert (
        message(TypeError, lambda: group.set_flag("amsgrad", "yes"))  # type: ignore[arg-type]
        == "amsgrad must be a bool, got str: 'yes'"
    )
    group.set_flag("amsgrad", True)
    assert group.flag("amsgrad") is True
    # The base class takes any flags; the message lists all of them.
    custom = Optimizer([Parameter(1.0)], {"lr": 0.1}, {"amsgrad": False, "nesterov": False})
    assert (
        message(KeyError, lambda: custom.param_groups[0].set_flag("maximize", True))
        == "param group has no flag 'maximize'; flags: amsgrad, nesterov"
    )


def test_add_param_group_errors_name_the_group() -> None:
    opt = sgd(0.1)
    assert (
        message(TypeError, lambda: opt.add_param_group([Parameter(1.0)]))  # type: ignore[arg-type]
        == "a param group must be a mapping, got list"
    )
    assert (
        message(ValueError, lambda: opt.add_param_group({"lr": 0.1}))
        == "param group 1 has no 'params' key"
    )


def test_adam_zero_denominator_counts_state_across_all_earlier_groups() -> None:
    params = [Parameter(1.0) for _ in range(4)]
    adam = Adam(
        [{"params": params[:2]}, {"params": params[2:3]}, {"params": params[3:]}], lr=0.1, eps=0.0
    )
    for p in params[:3]:
        p.grad = 1.0
    params[3].grad = 0.0
    assert message(ZeroDivisionError, adam.step) == (
        "Adam step: param_groups[2].params[0] (state[3]) has a zero denominator sqrt(v) + eps, "
        "with eps=0.0 and second moment v=0.0; no parameter was changed (use eps > 0)"
    )


# ---------------------------------------------------------------- clipping


def grads(*values: float) -> list[Parameter]:
    params = [Parameter(0.0) for _ in values]
    for p, g in zip(params, values):
        p.grad = g
    return params


def test_clipping_argument_errors_name_the_argument() -> None:
    params = grads(1.0)
    cases: list[tuple[type[BaseException], Callable[[], object], str]] = [
        (
            TypeError,
            lambda: grad_norm(params, "2"),  # type: ignore[arg-type]
            "norm_type must be an int or float, got str: '2'",
        ),
        (ValueError, lambda: grad_norm(params, 0.0), "Invalid norm_type: 0.0"),
        (
            TypeError,
            lambda: clip_grad_norm(params, "1"),  # type: ignore[arg-type]
            "max_norm must be an int or float, got str: '1'",
        ),
        (ValueError, lambda: clip_grad_norm(params, -1.0), "Invalid max_norm: -1.0"),
        (
            TypeError,
            lambda: clip_grad_norm(params, 1.0, error_if_nonfinite=1),  # type: ignore[arg-type]
            "error_if_nonfinite must be a bool, got 1",
        ),
        (
            TypeError,
            lambda: clip_grad_value(params, "1"),  # type: ignore[arg-type]
            "clip_value must be an int or float, got str: '1'",
        ),
        (ValueError, lambda: clip_grad_value(params, -1.0), "Invalid clip_value: -1.0"),
        (
            TypeError,
            lambda: clip_grad_value([1.0], 1.0),  # type: ignore[list-item]
            "clipping: params[0] must be an mg_nn.Parameter, got float: 1.0",
        ),
    ]
    for error, call, expected in cases:
        assert message(error, call) == expected


def test_clip_grad_norm_to_zero_zeroes_the_gradients() -> None:
    params = grads(3.0, -4.0)
    assert clip_grad_norm(params, 0.0) == 5.0
    assert [p.grad for p in params] == [0.0, -0.0]


def test_clip_grad_norm_nonfinite_error_says_how_to_proceed() -> None:
    params = grads(math.inf, 1.0)
    assert message(RuntimeError, lambda: clip_grad_norm(params, 1.0, error_if_nonfinite=True)) == (
        "the total norm of order 2.0 of the gradients is inf, so it cannot be clipped; "
        "pass error_if_nonfinite=False to scale by it anyway"
    )


# ---------------------------------------------------------------- constructor validation

BAD_CONSTRUCTORS: list[tuple[type[BaseException], Callable[[], object], str]] = [
    (
        TypeError,
        lambda: ReduceLROnPlateau(sgd(), factor="x"),  # type: ignore[arg-type]
        "factor must be an int or float, got str: 'x'",
    ),
    (
        ValueError,
        lambda: ReduceLROnPlateau(sgd(), factor=0.0),
        "Invalid factor value (must be in (0, 1)): 0.0",
    ),
    (
        ValueError,
        lambda: ReduceLROnPlateau(sgd(), factor=1.0),
        "Invalid factor value (must be in (0, 1)): 1.0",
    ),
    (
        TypeError,
        lambda: ReduceLROnPlateau(sgd(), patience=2.0),  # type: ignore[arg-type]
        "patience must be an int, got float: 2.0",
    ),
    (
        ValueError,
        lambda: ReduceLROnPlateau(sgd(), patience=-1),
        "patience must be at least 0, got -1",
    ),
    (
        TypeError,
        lambda: ReduceLROnPlateau(sgd(), threshold="0"),  # type: ignore[arg-type]
        "threshold must be an int or float, got str: '0'",
    ),
    (
        ValueError,
        lambda: ReduceLROnPlateau(sgd(), threshold=-0.5),
        "Invalid threshold value: -0.5",
    ),
    (
        ValueError,
        lambda: ReduceLROnPlateau(sgd(), threshold_mode="relative"),  # type: ignore[arg-type]
        "threshold_mode must be 'rel' or 'abs', got 'relative'",
    ),
    (
        TypeError,
        lambda: ReduceLROnPlateau(sgd(), cooldown=None),  # type: ignore[arg-type]
        "cooldown must be an int, got NoneType: None",
    ),
    (
        ValueError,
        lambda: ReduceLROnPlateau(sgd(), cooldown=-2),
        "cooldown must be at least 0, got -2",
    ),
    (
        TypeError,
        lambda: ReduceLROnPlateau(sgd(), eps="e"),  # type: ignore[arg-type]
        "eps must be an int or float, got str: 'e'",
    ),
    (ValueError, lambda: ReduceLROnPlateau(sgd(), eps=-1.0), "Invalid epsilon value: -1.0"),
    (
        TypeError,
        lambda: ReduceLROnPlateau(sgd(groups=2), min_lr=[0.0, "a"]),  # type: ignore[list-item]
        "min_lr[1] must be an int or float, got str: 'a'",
    ),
    (
        ValueError,
        lambda: ReduceLROnPlateau(sgd(groups=2), min_lr=[0.0, -1.0]),
        "Invalid min_lr value 1: -1.0",
    ),
    (
        TypeError,
        lambda: LinearLR(sgd(), start_factor="x"),  # type: ignore[arg-type]
        "start_factor must be an int or float, got str: 'x'",
    ),
    (
        ValueError,
        lambda: LinearLR(sgd(), start_factor=1.5),
        "Invalid start_factor (expected greater than 0 and less or equal to 1): 1.5",
    ),
    (
        TypeError,
        lambda: LinearLR(sgd(), end_factor="x"),  # type: ignore[arg-type]
        "end_factor must be an int or float, got str: 'x'",
    ),
    (
        TypeError,
        lambda: LinearLR(sgd(), total_iters=2.0),  # type: ignore[arg-type]
        "total_iters must be an int, got float: 2.0",
    ),
    (
        ValueError,
        lambda: LinearLR(sgd(), total_iters=0),
        "total_iters must be at least 1, got 0",
    ),
    (
        TypeError,
        lambda: CosineAnnealingLR(sgd(), T_max=2.0),  # type: ignore[arg-type]
        "T_max must be an int, got float: 2.0",
    ),
    (
        TypeError,
        lambda: CosineAnnealingLR(sgd(), T_max=2, eta_min="0"),  # type: ignore[arg-type]
        "eta_min must be an int or float, got str: '0'",
    ),
    (ValueError, lambda: StepLR(sgd(), step_size=1, gamma=0.0), "Invalid gamma value: 0.0"),
    (ValueError, lambda: ExponentialLR(sgd(), gamma=-0.5), "Invalid gamma value: -0.5"),
    (
        TypeError,
        lambda: MultiStepLR(sgd(), milestones="12"),  # type: ignore[arg-type]
        "milestones must be an iterable of ints, got '12'",
    ),
    (
        TypeError,
        lambda: MultiStepLR(sgd(), milestones=3),  # type: ignore[arg-type]
        "milestones must be an iterable of ints, got 3",
    ),
]


@pytest.mark.parametrize(("error", "call", "expected"), BAD_CONSTRUCTORS)
def test_bad_constructor_argument_is_named_with_its_value(
    error: type[BaseException], call: Callable[[], object], expected: str
) -> None:
    assert message(error, call) == expected


def test_range_boundaries_that_are_valid() -> None:
    # Zero is inside [0, inf) for threshold, eps, min_lr, eta_min, max_norm and clip_value.
    ReduceLROnPlateau(sgd(), threshold=0.0, eps=0.0, min_lr=[0.0])
    CosineAnnealingLR(sgd(), T_max=1, eta_min=0.0)
    LinearLR(sgd(), start_factor=1.0, end_factor=0.0)
    clip_grad_value(grads(1.0), 0.0)


def test_sequential_lr_argument_errors() -> None:
    opt = sgd()
    first = StepLR(opt, step_size=1, gamma=0.5)
    steps = [StepLR(opt, step_size=1) for _ in range(3)]
    assert (
        message(ValueError, lambda: SequentialLR(opt, [], milestones=[]))
        == "schedulers must be a non-empty list of LRSchedulers, got []"
    )
    assert (
        message(ValueError, lambda: SequentialLR(opt, [first, first], milestones=[2]))
        == "schedulers[1] (StepLR(step_size=1, gamma=0.5)) appears more than once"
    )
    assert (
        message(TypeError, lambda: SequentialLR(opt, [first, steps[0]], milestones=2))  # type: ignore[arg-type]
        == "milestones must be a list of ints, got 2"
    )
    assert (
        message(ValueError, lambda: SequentialLR(opt, [first, *steps[:2]], milestones=[3, 3]))
        == "milestones must be strictly increasing, got [3, 3]"
    )
    assert (
        message(ValueError, lambda: SequentialLR(opt, [first, *steps], milestones=[2, 5, 4]))
        == "milestones must be strictly increasing, got [2, 5, 4]"
    )


def test_sequential_lr_starts_from_the_first_schedulers_rate() -> None:
    # PyTorch resets every group to initial_lr and redoes only the first scheduler's step 0:
    # 1.0 * 0.5 = 0.5, although the second LinearLR had already halved the rate again.
    opt = sgd(1.0)
    warm = LinearLR(opt, start_factor=0.5, total_iters=2)
    again = LinearLR(opt, start_factor=0.5, total_iters=2)
    assert again.get_last_lr() == [0.25]
    seq = SequentialLR(opt, [warm, again], milestones=[2])
    assert seq.get_last_lr() == [0.5]
    assert seq.state_dict()["base_lrs"] == [1.0]


# ---------------------------------------------------------------- closed forms


def after(sched: LRScheduler, steps: int) -> LRScheduler:
    for _ in range(steps):
        sched.step()
    return sched


def test_closed_forms_at_a_later_epoch() -> None:
    # StepLR: lr_0 * gamma^(t // step_size); t = 7, step_size = 3 -> 0.5^2
    assert after(StepLR(sgd(1.0), step_size=3, gamma=0.5), 7).closed_form_lrs() == [0.25]
    # MultiStepLR: lr_0 * gamma^(milestones passed); t = 5, milestones 2 and 4 -> 0.5^2
    assert after(MultiStepLR(sgd(1.0), [2, 4], gamma=0.5), 5).closed_form_lrs() == [0.25]
    # ExponentialLR: lr_0 * gamma^t
    assert after(ExponentialLR(sgd(1.0), gamma=0.5), 3).closed_form_lrs() == [0.125]
    # LinearLR: lr_0 * (s + (e - s) * min(T, t) / T); s = 1/4, e = 1, T = 4
    linear = LinearLR(sgd(1.0), start_factor=0.25, end_factor=1.0, total_iters=4)
    assert after(linear, 2).closed_form_lrs() == [0.625]
    assert after(linear, 4).closed_form_lrs() == [1.0]
    # CosineAnnealingLR: eta_min + (lr_0 - eta_min) * (1 + cos(pi t / T_max)) / 2; t = 1, T = 4
    cosine = after(CosineAnnealingLR(sgd(1.0), T_max=4), 1)
    assert cosine.closed_form_lrs() == [pytest.approx((1 + math.sqrt(0.5)) / 2, rel=1e-15)]


# ---------------------------------------------------------------- ReduceLROnPlateau rule


def improved(sched: ReduceLROnPlateau, best: float, metric: float) -> bool:
    """Whether ``metric`` counts as an improvement when the best so far is ``best``."""
    state = sched.state_dict()
    state["best"] = best
    state["num_bad_epochs"] = 0
    sched.load_state_dict(state)
    sched.step(metric)
    return sched.state_dict()["num_bad_epochs"] == 0


def test_plateau_improvement_thresholds_are_strict() -> None:
    # min/rel: better iff x < best * (1 - threshold); best 4, threshold 1/4 -> x < 3
    rel_min = ReduceLROnPlateau(sgd(), threshold=0.25)
    assert not improved(rel_min, 4.0, 3.0)
    assert improved(rel_min, 4.0, 2.5)
    # min/abs: better iff x < best - threshold; best 4, threshold 1 -> x < 3
    abs_min = ReduceLROnPlateau(sgd(), threshold=1.0, threshold_mode="abs")
    assert not improved(abs_min, 4.0, 3.0)
    assert improved(abs_min, 4.0, 2.5)
    assert not improved(abs_min, 4.0, 4.5)
    # max/rel: better iff x > best * (1 + threshold); best 4, threshold 1/4 -> x > 5
    rel_max = ReduceLROnPlateau(sgd(), mode="max", threshold=0.25)
    assert not improved(rel_max, 4.0, 5.0)
    assert not improved(rel_max, 4.0, 4.5)
    assert improved(rel_max, 4.0, 5.5)
    # max/abs: better iff x > best + threshold; best 4, threshold 1 -> x > 5
    abs_max = ReduceLROnPlateau(sgd(), mode="max", threshold=1.0, threshold_mode="abs")
    assert not improved(abs_max, 4.0, 5.0)
    assert improved(abs_max, 4.0, 5.5)


def test_plateau_ignores_a_reduction_not_larger_than_eps() -> None:
    # PyTorch: a cut is applied only if old_lr - new_lr > eps; 1.0 - 0.5 is not > 0.5.
    opt = sgd(1.0)
    sched = ReduceLROnPlateau(opt, factor=0.5, patience=0, eps=0.5)
    sched.step(1.0)
    sched.step(1.0)
    assert sched.get_last_lr() == [1.0]
    sched = ReduceLROnPlateau(sgd(1.0), factor=0.5, patience=0, eps=0.25)
    sched.step(1.0)
    sched.step(1.0)
    assert sched.get_last_lr() == [0.5]


# ---------------------------------------------------------------- state dict validation


def bad_load(sched: object, state: object) -> tuple[type[BaseException], str]:
    load = sched.load_state_dict  # type: ignore[attr-defined]
    with pytest.raises((TypeError, ValueError)) as info:
        load(state)
    return type(info.value), str(info.value)


def test_plateau_state_dict_errors_name_the_entry() -> None:
    sched = ReduceLROnPlateau(sgd(0.1))
    good = sched.state_dict()

    def with_(**changes: object) -> dict[str, object]:
        return {**good, **changes}

    keys = "['best', 'config', 'cooldown_counter', 'last_epoch', 'last_lr', 'num_bad_epochs', "
    cases: list[tuple[object, type[BaseException], str]] = [
        ([1], TypeError, "state_dict must be a mapping, got list"),
        (
            {"scheduler": "ReduceLROnPlateau"},
            ValueError,
            f"scheduler state dict must have keys {keys}'scheduler'], got ['scheduler']",
        ),
        (
            with_(scheduler="StepLR"),
            ValueError,
            "state dict is for scheduler 'StepLR', not 'ReduceLROnPlateau'",
        ),
        (
            with_(config={"mode": "max"}),
            ValueError,
            "state dict was saved with config {'mode': 'max'}, this scheduler has "
            "{'mode': 'min', 'factor': 0.1, 'patience': 10, 'threshold': 0.0001, "
            "'threshold_mode': 'rel', 'cooldown': 0, 'min_lrs': [0.0], 'eps': 1e-08}: "
            "build the scheduler with the saved settings",
        ),
        (with_(best="1"), TypeError, "best must be an int or float, got str: '1'"),
        (with_(best=math.inf), ValueError, "Invalid best value: inf"),
        (with_(num_bad_epochs=1.0), TypeError, "num_bad_epochs must be an int, got float: 1.0"),
        (
            with_(cooldown_counter="0"),
            TypeError,
            "cooldown_counter must be an int, got str: '0'",
        ),
        (
            with_(last_lr=(0.1,)),
            ValueError,
            "state dict 'last_lr' must be a list of 1 learning rate(s), got (0.1,)",
        ),
        (with_(last_lr=["a"]), TypeError, "last_lr[0] must be an int or float, got str: 'a'"),
        (with_(last_lr=[-0.5]), ValueError, "Invalid last_lr[0]: -0.5"),
    ]
    for state, error, expected in cases:
        assert bad_load(sched, state) == (error, expected)
    sched.load_state_dict(with_(last_lr=[0.0], best=2.0))
    assert sched.get_last_lr() == [0.0]


def test_epoch_scheduler_state_dict_errors_name_the_entry() -> None:
    sched = StepLR(sgd(0.1), step_size=2, gamma=0.5)
    good = sched.state_dict()

    def with_(**changes: object) -> dict[str, object]:
        return {**good, **changes}

    cases: list[tuple[object, type[BaseException], str]] = [
        ("x", TypeError, "state_dict must be a mapping, got str"),
        (
            {"last_epoch": 0},
            ValueError,
            "scheduler state dict must have keys ['base_lrs', 'config', 'last_epoch', "
            "'last_lr', 'scheduler'], got ['last_epoch']",
        ),
        (with_(config=[1]), TypeError, "state dict 'config' must be a mapping, got list"),
        (
            with_(config={"step_size": 2, "gamma": 0.5, "extra": 1}),
            ValueError,
            "state dict was saved with extra=1, this StepLR has extra=None: build the scheduler "
            "with the saved settings",
        ),
        (
            with_(last_epoch=True),
            ValueError,
            "state dict 'last_epoch' must be an int >= 0, got True",
        ),
        (with_(base_lrs=["a"]), TypeError, "base_lrs[0] must be an int or float, got str: 'a'"),
        (with_(base_lrs=[-1.0]), ValueError, "Invalid base_lrs[0]: -1.0"),
        (
            with_(last_lr=[None]),
            TypeError,
            "last_lr[0] must be an int or float, got NoneType: None",
        ),
        (with_(last_lr=[-1.0]), ValueError, "Invalid last_lr[0]: -1.0"),
    ]
    for state, error, expected in cases:
        assert bad_load(sched, state) == (error, expected)
    sched.load_state_dict(with_(base_lrs=[0.0], last_lr=[0.0]))
    assert sched.state_dict()["base_lrs"] == [0.0]


def test_sequential_state_dict_errors_name_the_entry() -> None:
    opt = sgd(0.1)
    seq = SequentialLR(opt, [StepLR(opt, step_size=1), ExponentialLR(opt, 0.5)], milestones=[2])
    for _ in range(3):
        seq.step()
    good = seq.state_dict()
    children = good["schedulers"]
    assert isinstance(children, list)

    def with_(**changes: object) -> dict[str, object]:
        return {**good, **changes}

    cases: list[tuple[object, type[BaseException], str]] = [
        (with_(base_lrs=[-1.0]), ValueError, "Invalid base_lrs[0]: -1.0"),
        (with_(last_lr=["a"]), TypeError, "last_lr[0] must be an int or float, got str: 'a'"),
        (with_(last_lr=[-1.0]), ValueError, "Invalid last_lr[0]: -1.0"),
        (
            with_(schedulers=tuple(children)),
            ValueError,
            "state dict 'schedulers' must be a list of 2 state dicts",
        ),
        (
            with_(schedulers=[1, children[1]]),
            TypeError,
            "state dict 'schedulers'[0] must be a mapping, got int",
        ),
    ]
    for state, error, expected in cases:
        assert bad_load(seq, state) == (error, expected)
    fresh_opt = sgd(0.1)
    fresh = SequentialLR(
        fresh_opt, [StepLR(fresh_opt, step_size=1), ExponentialLR(fresh_opt, 0.5)], milestones=[2]
    )
    fresh.load_state_dict(good)
    assert fresh.state_dict() == good
