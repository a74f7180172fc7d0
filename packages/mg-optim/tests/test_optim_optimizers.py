"""Optimizers: update rules from their equations, param groups, validation and state dicts."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mg_autograd import Value
from mg_nn import MLP, Parameter
from mg_optim import SGD, Adam, AdamW, Momentum, Optimizer, ParamGroup, StateDict

FAST = settings(derandomize=True, deadline=None, max_examples=60)
finite = st.floats(min_value=-10.0, max_value=10.0, allow_nan=False, allow_infinity=False)


def quartic_grads(params: list[Parameter]) -> None:
    """A gradient that depends on the parameters, so any state error changes later steps."""
    n = len(params)
    for i, p in enumerate(params):
        p.grad = 0.5 * p.data**3 + 0.3 * p.data + 0.2 * params[(i + 1) % n].data


def run(opt: Optimizer, params: list[Parameter], steps: int) -> list[list[float]]:
    trajectory = []
    for _ in range(steps):
        quartic_grads(params)
        opt.step()
        trajectory.append([p.data for p in params])
    return trajectory


# ---------------------------------------------------------------- update rules


def test_sgd_step_is_its_equation() -> None:
    p = Parameter(2.0)
    p.grad = 0.5
    SGD([p], lr=0.1, weight_decay=0.01).step()
    assert p.data == 2.0 - 0.1 * (0.5 + 0.01 * 2.0)


def test_momentum_buffer_starts_at_g_then_accumulates() -> None:
    p = Parameter(1.0)
    opt = Momentum([p], lr=0.1, momentum=0.9, dampening=0.5)
    p.grad = 2.0
    opt.step()
    assert opt.state[p]["momentum_buffer"] == 2.0
    assert p.data == 1.0 - 0.1 * 2.0
    p.grad = 1.0
    opt.step()
    assert opt.state[p]["momentum_buffer"] == 0.9 * 2.0 + 0.5 * 1.0


def test_nesterov_direction_looks_ahead() -> None:
    p = Parameter(1.0)
    opt = Momentum([p], lr=0.1, momentum=0.5, nesterov=True)
    p.grad = 2.0
    opt.step()  # b = 2, direction = g + mu * b = 3
    assert p.data == 1.0 - 0.1 * 3.0


def test_momentum_equals_velocity_form_for_constant_lr() -> None:
    """v = mu v - lr g; p = p + v is the same trajectory as the buffer form when lr is fixed."""
    lr, mu = 0.01, 0.9
    params = [Parameter(x) for x in (0.5, -1.2, 2.0)]
    opt = Momentum(params, lr=lr, momentum=mu)
    mirror = [0.5, -1.2, 2.0]
    velocity = [0.0, 0.0, 0.0]
    for _ in range(100):
        quartic_grads(params)
        grads = [p.grad for p in params]
        opt.step()
        shadow = [Parameter(x) for x in mirror]
        quartic_grads(shadow)
        for i, q in enumerate(shadow):
            velocity[i] = mu * velocity[i] - lr * q.grad
            mirror[i] = mirror[i] + velocity[i]
        assert grads == pytest.approx([q.grad for q in shadow], rel=1e-9, abs=1e-12)
    assert [p.data for p in params] == pytest.approx(mirror, rel=1e-9, abs=1e-12)


@FAST
@given(st.lists(finite, min_size=1, max_size=4), finite, st.floats(0.0, 0.1), st.floats(0.0, 1.0))
def test_momentum_zero_is_sgd_bit_for_bit(
    start: list[float], scale: float, weight_decay: float, dampening: float
) -> None:
    a = [Parameter(x) for x in start]
    b = [Parameter(x) for x in start]
    sgd = SGD(a, lr=0.01, weight_decay=weight_decay)
    momentum = Momentum(b, lr=0.01, momentum=0.0, dampening=dampening, weight_decay=weight_decay)
    for step in range(20):
        for pa, pb in zip(a, b):
            pa.grad = pb.grad = scale * math.sin(pa.data + step)
        sgd.step()
        momentum.step()
        assert [p.data for p in a] == [p.data for p in b]


def test_adam_first_step_moves_by_lr_against_the_gradient() -> None:
    """After bias correction, m / sqrt(v) = g / |g| on step 1: each parameter moves by ~lr."""
    params = [Parameter(1.0), Parameter(-3.0), Parameter(0.0)]
    for p, g in zip(params, (5.0, -0.001, 1e3)):
        p.grad = g
    Adam(params, lr=0.01).step()
    assert [p.data for p in params] == pytest.approx([0.99, -2.99, -0.01], rel=1e-6)


def test_adamw_decays_parameters_not_gradients() -> None:
    p, q = Parameter(2.0), Parameter(2.0)
    p.grad = q.grad = 0.0
    AdamW([p], lr=0.1, weight_decay=0.5).step()
    Adam([q], lr=0.1, weight_decay=0.5).step()
    assert p.data == 2.0 * (1.0 - 0.1 * 0.5)
    assert q.data == pytest.approx(2.0 - 0.1, rel=1e-6)  # L2 goes through the adaptive step


def test_zero_grad_clears_every_group() -> None:
    params = [Parameter(1.0), Parameter(2.0)]
    for p in params:
        p.grad = 3.0
    opt = SGD([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.5}], lr=0.1)
    opt.zero_grad()
    assert [p.grad for p in params] == [0.0, 0.0]


# ---------------------------------------------------------------- param groups


def test_param_groups_have_per_group_options_and_defaults() -> None:
    w, b = Parameter(1.0), Parameter(1.0)
    opt = Momentum([{"params": [w]}, {"params": [b], "lr": 0.5, "nesterov": True}], lr=0.1)
    first, second = opt.param_groups
    lr: float = first["lr"]
    assert (lr, second["lr"]) == (0.1, 0.5)
    assert (first.flag("nesterov"), second.flag("nesterov")) == (False, True)
    assert second.params == [b]
    w.grad = b.grad = 1.0
    opt.step()
    assert (w.data, b.data) == (1.0 - 0.1 * 1.0, 1.0 - 0.5 * (1.0 + 0.9 * 1.0))


def test_adam_group_betas_become_beta1_beta2() -> None:
    opt = Adam([{"params": [Parameter(1.0)], "betas": (0.5, 0.6)}], betas=(0.8, 0.9))
    group = opt.param_groups[0]
    assert (group["beta1"], group["beta2"]) == (0.5, 0.6)


def test_group_lr_can_be_set_and_is_validated() -> None:
    opt = SGD([Parameter(1.0)], lr=0.1)
    group: ParamGroup = opt.param_groups[0]
    group["lr"] = 0.25
    assert group["lr"] == 0.25
    with pytest.raises(ValueError, match=r"Invalid learning rate: -1\.0"):
        group["lr"] = -1.0
    assert group["lr"] == 0.25
    with pytest.raises(KeyError, match="'momentum'"):
        group["momentum"] = 0.9
    with pytest.raises(KeyError, match=r"group\.params"):
        group["params"]


def test_set_flag_keeps_groups_consistent() -> None:
    opt = Momentum([Parameter(1.0)], lr=0.1, momentum=0.0)
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum"):
        opt.param_groups[0].set_flag("nesterov", True)
    assert opt.param_groups[0].flag("nesterov") is False


def test_add_param_group_rejects_known_parameters() -> None:
    p, q = Parameter(1.0), Parameter(2.0)
    opt = SGD([p], lr=0.1)
    opt.add_param_group({"params": [q], "lr": 0.01})
    assert opt.param_groups[1]["lr"] == 0.01
    with pytest.raises(ValueError, match="more than once"):
        opt.add_param_group({"params": [p]})


# ---------------------------------------------------------------- bad input

BAD_OPTIONS: list[tuple[Callable[[], Optimizer], type[Exception], str]] = [
    (lambda: SGD([Parameter(1.0)], lr=-1.0), ValueError, "Invalid learning rate: -1.0"),
    (lambda: SGD([Parameter(1.0)], lr=math.nan), ValueError, "Invalid learning rate: nan"),
    (lambda: SGD([Parameter(1.0)], lr=math.inf), ValueError, "Invalid learning rate: inf"),
    (
        lambda: SGD([Parameter(1.0)], lr=True),
        TypeError,
        "lr must be an int or float, got bool: True",
    ),
    (lambda: SGD([Parameter(1.0)], lr="0.1"), TypeError, "got str: '0.1'"),  # type: ignore[arg-type]
    (
        lambda: SGD([Parameter(1.0)], lr=0.1, weight_decay=-0.5),
        ValueError,
        "Invalid weight_decay value: -0.5",
    ),
    (
        lambda: Momentum([Parameter(1.0)], lr=0.1, momentum=-0.1),
        ValueError,
        "Invalid momentum value: -0.1",
    ),
    (
        lambda: Momentum([Parameter(1.0)], lr=0.1, dampening=1.5),
        ValueError,
        "Invalid dampening value: 1.5",
    ),
    (
        lambda: Momentum([Parameter(1.0)], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
        ValueError,
        "Nesterov momentum requires a momentum and zero dampening",
    ),
    (
        lambda: Momentum([Parameter(1.0)], lr=0.1, nesterov=1),  # type: ignore[arg-type]
        TypeError,
        "nesterov must be a bool, got int: 1",
    ),
    (lambda: Adam([Parameter(1.0)], eps=-1e-8), ValueError, "Invalid epsilon value: -1e-08"),
    (
        lambda: Adam([Parameter(1.0)], betas=(1.5, 0.9)),
        ValueError,
        "Invalid beta parameter at index 0: 1.5",
    ),
    (
        lambda: Adam([Parameter(1.0)], betas=(0.9, 1.0)),
        ValueError,
        "Invalid beta parameter at index 1: 1.0",
    ),
    (
        lambda: Adam([Parameter(1.0)], betas=(0.9,)),  # type: ignore[arg-type]
        TypeError,
        r"betas must be a pair",
    ),
    (
        lambda: AdamW([Parameter(1.0)], weight_decay=math.nan),
        ValueError,
        "Invalid weight_decay value: nan",
    ),
]


@pytest.mark.parametrize(("make", "error", "message"), BAD_OPTIONS)
def test_bad_options_are_rejected_with_torch_wording(
    make: Callable[[], Optimizer], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        make()


p0 = Parameter(1.0)
BAD_PARAMS: list[tuple[object, type[Exception], str]] = [
    ([], ValueError, "empty parameter list"),
    ({p0}, TypeError, "ordered collection.*set"),
    ([Value(1.0)], TypeError, r"params\[0\] must be an mg_nn.Parameter, got Value"),
    ([p0, 1.5], TypeError, r"params\[1\] must be an mg_nn.Parameter, got float: 1.5"),
    ([p0, p0], ValueError, r"params\[1\] appears more than once"),
    (p0, TypeError, "must be an iterable of Parameters, got Parameter"),
    ([{"params": [p0]}, p0], TypeError, "not a mix"),
    (
        [{"params": [p0]}, {"params": [p0]}],
        ValueError,
        "param group 1: params.0. appears more than once",
    ),
    ([{"params": []}], ValueError, "param group 0 has an empty parameter list"),
    ([{"lr": 0.1}], ValueError, "param group 0 has no 'params' key"),
    ([{"params": [p0], "momentun": 0.9}], ValueError, "unknown option 'momentun'"),
    ({"w": p0}, TypeError, "got a mapping"),
]


@pytest.mark.parametrize(("params", "error", "message"), BAD_PARAMS)
def test_bad_params_are_rejected(params: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        SGD(params, lr=0.1)  # type: ignore[arg-type]


# ---------------------------------------------------------------- state dicts

FACTORIES: list[Callable[[list[Parameter]], Optimizer]] = [
    lambda ps: SGD(ps, lr=0.05, weight_decay=0.01),
    lambda ps: Momentum(ps, lr=0.01, momentum=0.9, nesterov=True),
    lambda ps: Momentum(
        [{"params": ps[:1], "lr": 0.02, "dampening": 0.2}, {"params": ps[1:]}], lr=0.01
    ),
    lambda ps: Adam(ps, lr=0.05, amsgrad=True, weight_decay=0.01),
    lambda ps: AdamW([{"params": ps[:2]}, {"params": ps[2:], "betas": (0.5, 0.6)}], lr=0.05),
]


@pytest.mark.parametrize("factory", FACTORIES)
def test_resume_from_json_state_dict_gives_the_same_steps(
    factory: Callable[[list[Parameter]], Optimizer],
) -> None:
    start = [0.5, -1.2, 2.0]
    straight = [Parameter(x) for x in start]
    expected = run(factory(straight), straight, 40)

    first = [Parameter(x) for x in start]
    opt = factory(first)
    run(opt, first, 25)
    saved = json.dumps({"params": [p.data for p in first], "opt": opt.state_dict()})

    loaded = json.loads(saved)
    second = [Parameter(x) for x in loaded["params"]]
    resumed = factory(second)
    resumed.load_state_dict(loaded["opt"])
    assert run(resumed, second, 15) == expected[25:]


def test_state_dict_is_plain_json() -> None:
    params = [Parameter(1.0), Parameter(2.0)]
    opt = Adam(params)
    quartic_grads(params)
    opt.step()
    state: StateDict = opt.state_dict()
    assert json.loads(json.dumps(state)) == state
    assert state["state"] == [
        {"step": 1.0, "exp_avg": opt.state[p]["exp_avg"], "exp_avg_sq": opt.state[p]["exp_avg_sq"]}
        for p in params
    ]


def corrupt(state: StateDict, path: list[object], value: object) -> StateDict:
    copy = json.loads(json.dumps(state))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy  # type: ignore[no-any-return]


BAD_STATES: list[tuple[list[object], object, type[Exception], str]] = [
    (["optimizer"], "SGD", ValueError, "for optimizer 'SGD', not 'Momentum'"),
    (["param_groups", 0, "lr"], -1.0, ValueError, "Invalid learning rate: -1.0"),
    (["param_groups", 0, "nesterov"], "yes", TypeError, "must be a bool"),
    (["param_groups", 0, "params"], [1, 0], ValueError, "other parameters"),
    (["param_groups", 1, "lr"], None, TypeError, "lr must be an int or float, got NoneType"),
    (["param_groups", 0, "extra"], 1.0, ValueError, r"unexpected option\(s\) \['extra'\]"),
    (["state", 0], {"velocity": 1.0}, ValueError, r"state\[0\] must be empty or have keys"),
    (["state", 2, "momentum_buffer"], "x", TypeError, "must be a number, got str"),
    (["state"], [], ValueError, "state for 0 parameter"),
]


@pytest.mark.parametrize(("path", "value", "error", "message"), BAD_STATES)
def test_failed_load_changes_nothing(
    path: list[object], value: object, error: type[Exception], message: str
) -> None:
    params = [Parameter(x) for x in (1.0, 2.0, 3.0)]
    opt = Momentum([{"params": params[:2]}, {"params": params[2:], "lr": 0.5}], lr=0.1)
    quartic_grads(params)
    opt.step()
    good = opt.state_dict()
    other = Momentum([{"params": params[:2]}, {"params": params[2:], "lr": 0.5}], lr=0.1)
    quartic_grads(params)
    other.step()
    other.step()
    before = other.state_dict()
    with pytest.raises(error, match=message):
        other.load_state_dict(corrupt(good, path, value))
    assert other.state_dict() == before


def test_state_dict_for_other_parameter_layout_is_rejected() -> None:
    small = SGD([Parameter(1.0)], lr=0.1)
    big = SGD([Parameter(1.0), Parameter(2.0)], lr=0.1)
    with pytest.raises(ValueError, match="other parameters"):
        big.load_state_dict(small.state_dict())
    with pytest.raises(ValueError, match="1 param group"):
        SGD([{"params": [Parameter(1.0)]}, {"params": [Parameter(2.0)]}], lr=0.1).load_state_dict(
            big.state_dict()
        )


def test_optimizer_trains_an_mlp() -> None:
    model = MLP(1, [8, 1], activation="tanh", rng=0)
    opt = Adam(model.parameters(), lr=0.05)
    xs = [i / 10.0 for i in range(-10, 11)]

    def loss() -> Value:
        total = Value(0.0)
        for x in xs:
            total = total + (model([x])[0] - x * x) ** 2
        return total / len(xs)

    first = loss().data
    for _ in range(60):
        opt.zero_grad()
        out = loss()
        out.backward()
        opt.step()
    assert loss().data < 0.1 * first
