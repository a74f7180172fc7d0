"""Failure modes: state validation, huge JSON integers, all-or-nothing steps and schedules."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import pytest
from mg_nn import Parameter
from mg_optim import (
    Adam,
    AdamW,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    LRScheduler,
    Momentum,
    Optimizer,
    ReduceLROnPlateau,
    SequentialLR,
    StateDict,
    StepLR,
    clip_grad_norm,
    grad_norm,
)

HUGE = 10**400
"""A JSON integer no float can hold: ``float(HUGE)`` raises OverflowError."""


def short_id(value: object) -> str | None:
    """Test ids without HUGE's 401 digits."""
    if isinstance(value, int) and abs(value) == HUGE:
        return "-HUGE" if value < 0 else "HUGE"
    return None


def stepped(opt: Optimizer, params: list[Parameter], steps: int = 3) -> None:
    for k in range(steps):
        for i, p in enumerate(params):
            p.grad = 0.3 * p.data - 0.1 * (i + 1) + 0.05 * k
        opt.step()


def corrupt(state: StateDict, path: list[object], value: object) -> StateDict:
    copy = json.loads(json.dumps(state))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy  # type: ignore[no-any-return]


def snapshot(opt: Optimizer, params: list[Parameter]) -> tuple[list[float], StateDict]:
    return [p.data for p in params], opt.state_dict()


# ---------------------------------------------------------------- 1. state validation

ADAM_BAD_STATE: list[tuple[str, object, str]] = [
    ("step", -1.0, r"state\[1\]\['step'\] must be a whole number >= 1.*, got -1\.0"),
    ("step", 0.5, r"state\[1\]\['step'\] must be a whole number >= 1.*, got 0\.5"),
    ("step", 0, r"state\[1\]\['step'\] must be a whole number >= 1.*, got 0"),
    ("exp_avg_sq", -4, r"state\[1\]\['exp_avg_sq'\] must be >= 0.*, got -4"),
    ("max_exp_avg_sq", -1e-300, r"state\[1\]\['max_exp_avg_sq'\] must be >= 0.*, got -1e-300"),
    ("exp_avg", math.nan, r"state\[1\]\['exp_avg'\] is not finite: nan"),
    ("exp_avg", HUGE, r"state\[1\]\['exp_avg'\] is not finite: .*10\*\*400"),
    ("step", HUGE, r"state\[1\]\['step'\] is not finite: .*10\*\*400"),
]


@pytest.mark.parametrize("cls", [Adam, AdamW])
@pytest.mark.parametrize(("key", "value", "message"), ADAM_BAD_STATE, ids=short_id)
def test_adam_rejects_impossible_state_and_changes_nothing(
    cls: type[Adam], key: str, value: object, message: str
) -> None:
    params = [Parameter(x) for x in (0.5, -1.0, 2.0)]
    opt = cls(params, lr=0.1, amsgrad=True)
    stepped(opt, params)
    good = opt.state_dict()
    stepped(opt, params, 2)
    before = snapshot(opt, params)
    with pytest.raises(ValueError, match=message):
        opt.load_state_dict(corrupt(good, ["state", 1, key], value))
    assert snapshot(opt, params) == before
    opt.step()  # still usable


def test_adam_accepts_whole_step_counts_as_int_or_float() -> None:
    params = [Parameter(1.0)]
    opt = Adam(params)
    stepped(opt, params)
    state = opt.state_dict()
    for step in (3, 3.0, 1, 1e300):
        opt.load_state_dict(corrupt(state, ["state", 0, "step"], step))
        assert opt.state[params[0]]["step"] == float(step)


@pytest.mark.parametrize("value", [math.nan, -math.inf, HUGE, -HUGE], ids=short_id)
def test_momentum_buffer_must_be_finite(value: object) -> None:
    params = [Parameter(1.0), Parameter(2.0)]
    opt = Momentum(params, lr=0.1)
    stepped(opt, params)
    before = snapshot(opt, params)
    with pytest.raises(ValueError, match=r"state\[0\]\['momentum_buffer'\] is not finite"):
        opt.load_state_dict(corrupt(opt.state_dict(), ["state", 0, "momentum_buffer"], value))
    assert snapshot(opt, params) == before


@pytest.mark.parametrize("first", [True, False])
def test_state_dict_loads_back_after_amsgrad_is_switched(first: bool) -> None:
    """Switched off, amsgrad leaves ``max_exp_avg_sq`` behind; switched on, it is missing until
    the next step. Either way the state dict loads back and the run continues identically."""
    params = [Parameter(x) for x in (0.5, -1.0)]
    opt = Adam(params, lr=0.05, amsgrad=first)
    stepped(opt, params, 4)
    opt.param_groups[0].set_flag("amsgrad", not first)
    saved = json.loads(json.dumps(opt.state_dict()))
    assert ("max_exp_avg_sq" in saved["state"][0]) is first
    opt.load_state_dict(saved)
    assert opt.state_dict() == saved
    copies = [Parameter(p.data) for p in params]
    other = Adam(copies, lr=0.05, amsgrad=first)
    other.load_state_dict(saved)
    assert other.state_dict() == saved
    for optimizer, ps in ((opt, params), (other, copies)):
        stepped(optimizer, ps, 3)
        optimizer.param_groups[0].set_flag("amsgrad", first)
        stepped(optimizer, ps, 3)
    assert [p.data for p in copies] == [p.data for p in params]
    assert other.state_dict() == opt.state_dict()


# ---------------------------------------------------------------- 2. huge JSON integers


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda ps: Adam(ps, lr=HUGE), r"Invalid learning rate: .*10\*\*400"),
        (lambda ps: Momentum(ps, lr=0.1, momentum=HUGE), r"Invalid momentum value: .*10\*\*400"),
        (
            lambda ps: Adam(ps, betas=(0.9, -HUGE)),
            r"Invalid beta parameter at index 1: -.*10\*\*400",
        ),
        (lambda ps: Adam([{"params": ps, "eps": HUGE}]), r"Invalid epsilon value: .*10\*\*400"),
    ],
)
def test_huge_int_option_is_a_value_error(
    make: Callable[[list[Parameter]], Optimizer], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        make([Parameter(1.0)])


def test_huge_int_lr_in_group_or_state_dict_is_a_value_error() -> None:
    params = [Parameter(1.0)]
    opt = Adam(params, lr=0.1)
    stepped(opt, params)
    before = snapshot(opt, params)
    with pytest.raises(ValueError, match=r"Invalid learning rate: .*10\*\*400"):
        opt.param_groups[0]["lr"] = HUGE
    with pytest.raises(ValueError, match=r"Invalid learning rate: .*10\*\*400"):
        opt.load_state_dict(corrupt(opt.state_dict(), ["param_groups", 0, "lr"], HUGE))
    assert snapshot(opt, params) == before


def one_group(lr: float = 0.1) -> Optimizer:
    return Momentum([Parameter(1.0)], lr=lr, momentum=0.0)


@pytest.mark.parametrize(
    ("make", "key"),
    [
        (lambda o: StepLR(o, 3), "base_lrs"),
        (lambda o: StepLR(o, 3), "last_lr"),
        (lambda o: SequentialLR(o, [StepLR(o, 2), ExponentialLR(o, 0.5)], [2]), "base_lrs"),
        (lambda o: ReduceLROnPlateau(o), "last_lr"),
        (lambda o: ReduceLROnPlateau(o), "best"),
    ],
)
def test_huge_int_in_scheduler_state_is_a_value_error(
    make: Callable[[Optimizer], LRScheduler | ReduceLROnPlateau], key: str
) -> None:
    sched = make(one_group())
    state = json.loads(json.dumps(sched.state_dict()))
    state[key] = HUGE if key == "best" else [HUGE]
    before = sched.state_dict()
    with pytest.raises(ValueError, match=rf"{key}.*10\*\*400"):
        sched.load_state_dict(state)
    assert sched.state_dict() == before


def test_huge_int_metric_and_scheduler_arguments_are_value_errors() -> None:
    sched = ReduceLROnPlateau(one_group())
    with pytest.raises(ValueError, match=r"metric must be finite, got .*10\*\*400"):
        sched.step(HUGE)
    assert sched.last_epoch == 0
    with pytest.raises(ValueError, match=r"Invalid gamma value: .*10\*\*400"):
        StepLR(one_group(), 2, gamma=HUGE)
    with pytest.raises(ValueError, match=r"Invalid max_norm: .*10\*\*400"):
        clip_grad_norm([Parameter(1.0)], HUGE)


# ---------------------------------------------------------------- 3. all-or-nothing steps


@pytest.mark.parametrize("cls", [Adam, AdamW])
@pytest.mark.parametrize("amsgrad", [False, True])
def test_zero_denominator_raises_before_anything_changes(cls: type[Adam], amsgrad: bool) -> None:
    """eps=0 and a zero second moment: 0 / 0. Nothing may move, not even earlier parameters."""
    params = [Parameter(x) for x in (0.5, -1.0, 2.0, 0.0)]

    def make() -> Adam:
        return cls(
            [{"params": params[:2]}, {"params": params[2:], "eps": 0.0}],
            lr=0.1,
            weight_decay=0.1,
            amsgrad=amsgrad,
        )

    def zero_last_grad() -> None:
        for p in params:
            p.grad = 1.0
        params[3].grad = 0.0

    message = r"param_groups\[1\]\.params\[1\] \(state\[3\]\).*eps=0\.0"
    fresh = make()
    zero_last_grad()
    before = snapshot(fresh, params)
    with pytest.raises(ZeroDivisionError, match=message):
        fresh.step()
    assert snapshot(fresh, params) == before
    assert fresh.state == {}

    opt = make()
    stepped(opt, params, 2)
    state = corrupt(opt.state_dict(), ["state", 3, "exp_avg_sq"], 0.0)
    if amsgrad:
        state = corrupt(state, ["state", 3, "max_exp_avg_sq"], 0.0)
    opt.load_state_dict(state)
    params[3].data = 0.0
    zero_last_grad()
    before = snapshot(opt, params)
    with pytest.raises(ZeroDivisionError, match=message):
        opt.step()
    assert snapshot(opt, params) == before


def reference_adam(
    data: list[float],
    grads: list[list[float]],
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
    amsgrad: bool,
    decoupled: bool,
) -> list[float]:
    """The module docstring's equations, in its stated operation order, one parameter at a time."""
    out = []
    for i, x in enumerate(data):
        m = v = v_max = 0.0
        for t, step_grads in enumerate(grads, start=1):
            g = step_grads[i]
            if decoupled:
                x = x * (1.0 - lr * weight_decay)
            else:
                g = g + weight_decay * x
            w = 1.0 - beta1
            m = m + w * (g - m) if w < 0.5 else g - (g - m) * (1.0 - w)
            v = v * beta2 + (1.0 - beta2) * g * g
            v_max = max(v_max, v)
            step_size = lr / (1.0 - beta1 ** float(t))
            root = math.sqrt(v_max if amsgrad else v)
            denom = root / (1.0 - beta2 ** float(t)) ** 0.5 + eps
            x = x + (-step_size) * m / denom
        out.append(x)
    return out


@pytest.mark.parametrize("cls", [Adam, AdamW])
@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_steps_are_the_documented_arithmetic_bit_for_bit(
    cls: type[Adam], amsgrad: bool
) -> None:
    start = [0.5, -1.25, 2.0]
    grads = [[0.3 - 0.1 * k, -0.7 + 0.05 * k * k, 0.01 * k] for k in range(12)]
    params = [Parameter(x) for x in start]
    opt = cls(params, lr=0.05, betas=(0.3, 0.8), eps=1e-6, weight_decay=0.02, amsgrad=amsgrad)
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = g
        opt.step()
    want = reference_adam(start, grads, 0.05, 0.3, 0.8, 1e-6, 0.02, amsgrad, decoupled=cls is AdamW)
    assert [p.data for p in params] == want


# ---------------------------------------------------------------- 4. huge gradients in p-norms


def grads_of(values: list[float]) -> list[Parameter]:
    params = [Parameter(0.0) for _ in values]
    for p, g in zip(params, values):
        p.grad = g
    return params


@pytest.mark.parametrize(
    ("norm_type", "big"), [(3.0, [1e200, 1e200]), (0.5, [1e308] * 3), (1e10, [2.0, 1.0])]
)
def test_p_norm_overflow_is_inf_as_in_torch(norm_type: float, big: list[float]) -> None:
    """torch.linalg.vector_norm gives inf for each of these (the sum of powers, or its root,
    overflows), and clip_grad_norm_ then raises or scales by max_norm / inf = 0."""
    assert grad_norm(grads_of(big), norm_type) == math.inf
    params = grads_of(big)
    with pytest.raises(RuntimeError, match="is inf"):
        clip_grad_norm(params, 1.0, norm_type=norm_type, error_if_nonfinite=True)
    assert [p.grad for p in params] == big
    assert clip_grad_norm(params, 1.0, norm_type=norm_type) == math.inf
    assert [p.grad for p in params] == [0.0] * len(big)


def test_single_gradient_norm_is_its_size_for_every_p() -> None:
    """torch returns |g| for a one-element norm (1e200 for p=3), so clipping still works."""
    for norm_type in (1.0, 2.0, math.inf, 3.0, 0.5, 7.5, 1e10):
        assert grad_norm(grads_of([-1e200]), norm_type) == 1e200
        assert grad_norm(grads_of([1e-200]), norm_type) == 1e-200
        assert grad_norm(grads_of([3.0]), norm_type) == 3.0
    params = grads_of([1e200])
    assert clip_grad_norm(params, 1.0, norm_type=3.0) == 1e200
    assert params[0].grad == 1e200 * (1.0 / (1e200 + 1e-6))


# ---------------------------------------------------------------- 5. all-or-nothing schedules


def two_groups() -> Optimizer:
    return Momentum(
        [{"params": [Parameter(1.0)]}, {"params": [Parameter(2.0)], "lr": 2.0}],
        lr=0.1,
        momentum=0.0,
    )


def lrs(opt: Optimizer) -> list[float]:
    return [group["lr"] for group in opt.param_groups]


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        (-0.5, ValueError, r"lr_lambda\[1\]\(3\) returned -0\.5: a negative factor"),
        (-1e-17, ValueError, r"lr_lambda\[1\]\(3\) returned -1e-17: a negative factor"),
        (math.nan, ValueError, r"lr_lambda\[1\]\(3\) returned nan: not finite"),
        (math.inf, ValueError, r"lr_lambda\[1\]\(3\) returned inf: not finite"),
        (HUGE, ValueError, r"lr_lambda\[1\]\(3\) returned ~10\*\*400 .*: not finite"),
        (1e308, ValueError, r"new learning rate of param group 1 is inf"),
        ("x", TypeError, r"lr_lambda\[1\]\(3\) must return a float"),
    ],
    ids=short_id,
)
def test_bad_lambda_factor_changes_nothing(
    bad: object, error: type[Exception], message: str
) -> None:

    def factor(t: int) -> float:
        return bad if t == 3 else 1.0 / (t + 1)  # type: ignore[return-value]  # bad on purpose

    opt = two_groups()
    sched = LambdaLR(opt, [lambda t: 0.5**t, factor])
    sched.step()
    sched.step()
    before = (lrs(opt), sched.state_dict())
    with pytest.raises(error, match=message):
        sched.step()
    assert (lrs(opt), sched.state_dict()) == before


def test_bad_lambda_at_construction_leaves_the_optimizer_alone() -> None:
    opt = two_groups()
    with pytest.raises(ValueError, match="a negative factor"):
        LambdaLR(opt, lambda t: -1.0)
    assert [("initial_lr" in group) for group in opt.param_groups] == [False, False]
    assert lrs(opt) == [0.1, 2.0]


def test_failed_sequential_step_changes_nothing() -> None:
    opt = two_groups()
    first = StepLR(opt, 2)
    second = LambdaLR(opt, lambda t: -1.0 if t == 1 else 1.0)
    sched = SequentialLR(opt, [first, second], milestones=[2])
    sched.step()
    sched.step()  # hands over: second restarts at its epoch 0
    before = (lrs(opt), sched.state_dict())
    with pytest.raises(ValueError, match=r"lr_lambda\[0\]\(1\) returned -1\.0"):
        sched.step()
    assert (lrs(opt), sched.state_dict()) == before


def test_built_in_schedules_still_clamp_rounding_below_zero() -> None:
    """LinearLR's chain down to end_factor=0 lands a hair below 0; it becomes 0.0."""
    for total in range(1, 40):
        opt = one_group(0.1)
        sched = LinearLR(opt, start_factor=1.0 / 3, end_factor=0.0, total_iters=total)
        for _ in range(total + 2):
            sched.step()
            assert 0.0 <= opt.param_groups[0]["lr"] < 1e-15 or sched.last_epoch < total
