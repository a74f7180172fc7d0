"""RMSprop and Adagrad: their equations, PyTorch's option checks, state dicts that resume
exactly, impossible states refused, and steps that are all or nothing. (Their float64
trajectories against torch.optim are in test_optim_reference.py.)"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import pytest
from mg_nn import Parameter
from mg_optim import Adagrad, Optimizer, RMSprop, StateDict

HUGE = 10**400
"""A JSON integer no float can hold."""


def short_id(value: object) -> str | None:
    if isinstance(value, int) and abs(value) == HUGE:
        return "HUGE"
    return None


def stepped(opt: Optimizer, params: list[Parameter], steps: int = 3) -> None:
    for k in range(steps):
        for i, p in enumerate(params):
            p.grad = 0.3 * p.data - 0.1 * (i + 1) + 0.05 * k
        opt.step()


def quartic_grads(params: list[Parameter]) -> None:
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


def corrupt(state: StateDict, path: list[object], value: object) -> StateDict:
    copy = json.loads(json.dumps(state))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy  # type: ignore[no-any-return]


def snapshot(opt: Optimizer, params: list[Parameter]) -> tuple[list[float], StateDict]:
    return [p.data for p in params], opt.state_dict()


# ---------------------------------------------------------------- update rules


def test_rmsprop_first_steps_are_its_equations() -> None:
    """Step 1 from v = 0: v = (1 - alpha) g^2, so the step is lr * g / (sqrt(1 - alpha) |g|)."""
    p = Parameter(1.0)
    opt = RMSprop([p], lr=0.01, alpha=0.99)
    p.grad = 2.0
    opt.step()
    v = 0.0 * 0.99 + (1.0 - 0.99) * 2.0 * 2.0
    assert opt.state[p] == {"step": 1.0, "square_avg": v}
    assert p.data == 1.0 + (-0.01) * 2.0 / (math.sqrt(v) + 1e-8)
    assert p.data == pytest.approx(1.0 - 0.1, rel=1e-6)  # 10x lr: no bias correction
    p.grad = -1.0
    before = p.data
    opt.step()
    v2 = v * 0.99 + (1.0 - 0.99) * 1.0
    assert opt.state[p]["square_avg"] == v2
    assert p.data == before + (-0.01) * -1.0 / (math.sqrt(v2) + 1e-8)


def test_rmsprop_centered_momentum_step_is_its_equations() -> None:
    p = Parameter(0.5)
    opt = RMSprop([p], lr=0.1, alpha=0.9, eps=1e-6, momentum=0.5, centered=True)
    p.grad = 3.0
    opt.step()
    v = 0.0 * 0.9 + (1.0 - 0.9) * 3.0 * 3.0
    g_avg = 0.0 + (1.0 - 0.9) * (3.0 - 0.0)
    avg = math.sqrt(v + (-g_avg) * g_avg) + 1e-6
    b = 0.0 * 0.5 + 3.0 / avg
    assert opt.state[p] == {"step": 1.0, "square_avg": v, "grad_avg": g_avg, "momentum_buffer": b}
    assert p.data == 0.5 + (-0.1) * b


def test_adagrad_steps_shrink_as_the_sum_grows() -> None:
    p = Parameter(1.0)
    opt = Adagrad([p], lr=0.5, lr_decay=0.1, initial_accumulator_value=0.25)
    moves = []
    for t in (1.0, 2.0, 3.0):
        p.grad = 1.0
        before = p.data
        opt.step()
        total = 0.25 + t
        clr = 0.5 / (1.0 + (t - 1.0) * 0.1)
        assert opt.state[p] == {"step": t, "sum": total}
        assert p.data == before + (-clr) * 1.0 / (math.sqrt(total) + 1e-10)
        moves.append(before - p.data)
    assert moves[0] > moves[1] > moves[2]


def test_adagrad_group_initial_accumulator_value_is_honoured() -> None:
    a, b = Parameter(1.0), Parameter(1.0)
    opt = Adagrad([{"params": [a]}, {"params": [b], "initial_accumulator_value": 3.0}], lr=0.1)
    a.grad = b.grad = 1.0
    opt.step()
    assert (opt.state[a]["sum"], opt.state[b]["sum"]) == (1.0, 4.0)


# ---------------------------------------------------------------- bad options

BAD_OPTIONS: list[tuple[Callable[[], Optimizer], type[Exception], str]] = [
    (lambda: RMSprop([Parameter(1.0)], lr=-0.1), ValueError, "Invalid learning rate: -0.1"),
    (lambda: RMSprop([Parameter(1.0)], alpha=-0.5), ValueError, "Invalid alpha value: -0.5"),
    (lambda: RMSprop([Parameter(1.0)], alpha=1.5), ValueError, "Invalid alpha value: 1.5"),
    (lambda: RMSprop([Parameter(1.0)], eps=-1.0), ValueError, "Invalid epsilon value: -1.0"),
    (
        lambda: RMSprop([Parameter(1.0)], momentum=math.inf),
        ValueError,
        "Invalid momentum value: inf",
    ),
    (
        lambda: RMSprop([Parameter(1.0)], weight_decay=-1.0),
        ValueError,
        "Invalid weight_decay value: -1.0",
    ),
    (
        lambda: RMSprop([Parameter(1.0)], alpha=True),
        TypeError,
        "alpha must be an int or float, got bool: True",
    ),
    (
        lambda: RMSprop([Parameter(1.0)], centered=0),  # type: ignore[arg-type]
        TypeError,
        "centered must be a bool, got int: 0",
    ),
    (lambda: Adagrad([Parameter(1.0)], lr=math.nan), ValueError, "Invalid learning rate: nan"),
    (
        lambda: Adagrad([Parameter(1.0)], lr_decay=-0.1),
        ValueError,
        "Invalid lr_decay value: -0.1",
    ),
    (
        lambda: Adagrad([Parameter(1.0)], initial_accumulator_value=-1.0),
        ValueError,
        "Invalid initial_accumulator_value value: -1.0",
    ),
    (lambda: Adagrad([Parameter(1.0)], eps=-1e-10), ValueError, "Invalid epsilon value: -1e-10"),
    (
        lambda: Adagrad([Parameter(1.0)], weight_decay=math.inf),
        ValueError,
        "Invalid weight_decay value: inf",
    ),
    (
        lambda: Adagrad([{"params": [Parameter(1.0)], "lr_decay": False}]),
        TypeError,
        "lr_decay must be an int or float, got bool: False",
    ),
]


@pytest.mark.parametrize(("make", "error", "message"), BAD_OPTIONS)
def test_bad_options_are_rejected_with_torch_wording(
    make: Callable[[], Optimizer], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        make()


# ---------------------------------------------------------------- state dicts

FACTORIES: list[Callable[[list[Parameter]], Optimizer]] = [
    lambda ps: RMSprop(ps, lr=0.01, weight_decay=0.01),
    lambda ps: RMSprop(
        [{"params": ps[:1], "centered": True}, {"params": ps[1:], "momentum": 0.9}], lr=0.005
    ),
    lambda ps: Adagrad(ps, lr=0.1, lr_decay=0.05, initial_accumulator_value=0.1),
    lambda ps: Adagrad([{"params": ps[:2]}, {"params": ps[2:], "lr": 0.3}], lr=0.1),
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


ADAPTIVE_BAD_STATE: list[tuple[Callable[[list[Parameter]], Optimizer], str, object, str]] = [
    (lambda ps: RMSprop(ps, momentum=0.5, centered=True), "step", 0.5, "whole number >= 1"),
    (lambda ps: RMSprop(ps, momentum=0.5), "square_avg", -1.0, r"must be >= 0.*got -1\.0"),
    (lambda ps: RMSprop(ps, centered=True), "grad_avg", math.inf, "is not finite: inf"),
    (lambda ps: RMSprop(ps, momentum=0.5), "momentum_buffer", HUGE, r"not finite: .*10\*\*400"),
    (lambda ps: Adagrad(ps), "step", 0, r"whole number >= 1.*got 0"),
    (lambda ps: Adagrad(ps), "sum", -1e-300, r"must be >= 0.*got -1e-300"),
    (lambda ps: Adagrad(ps), "sum", math.nan, "is not finite: nan"),
]


@pytest.mark.parametrize(("make", "key", "value", "message"), ADAPTIVE_BAD_STATE, ids=short_id)
def test_rmsprop_adagrad_reject_impossible_state_and_change_nothing(
    make: Callable[[list[Parameter]], Optimizer], key: str, value: object, message: str
) -> None:
    params = [Parameter(x) for x in (0.5, -1.0, 2.0)]
    opt = make(params)
    stepped(opt, params)
    good = opt.state_dict()
    stepped(opt, params, 2)
    before = snapshot(opt, params)
    with pytest.raises(ValueError, match=rf"state\[1\]\['{key}'\] .*{message}"):
        opt.load_state_dict(corrupt(good, ["state", 1, key], value))
    assert snapshot(opt, params) == before
    opt.step()


def test_rmsprop_buffers_survive_switching_their_options_off_and_on() -> None:
    """As in PyTorch, turning momentum or centered off leaves the buffer as it is; a state
    dict with or without the buffers loads back, and the run continues identically."""
    params = [Parameter(x) for x in (0.5, -1.0)]
    opt = RMSprop(params, lr=0.01, momentum=0.9, centered=True)
    stepped(opt, params, 3)
    opt.param_groups[0]["momentum"] = 0.0
    opt.param_groups[0].set_flag("centered", False)
    stepped(opt, params, 2)
    saved = json.loads(json.dumps(opt.state_dict()))
    assert set(saved["state"][0]) == {"step", "square_avg", "momentum_buffer", "grad_avg"}
    copies = [Parameter(p.data) for p in params]
    other = RMSprop(copies, lr=0.01)
    other.load_state_dict(saved)
    for optimizer, ps in ((opt, params), (other, copies)):
        optimizer.param_groups[0]["momentum"] = 0.9
        optimizer.param_groups[0].set_flag("centered", True)
        stepped(optimizer, ps, 3)
    assert [p.data for p in copies] == [p.data for p in params]
    assert other.state_dict() == opt.state_dict()
    fresh = RMSprop([Parameter(1.0)], lr=0.01, momentum=0.5)
    stepped(fresh, fresh.param_groups[0].params)
    plain = corrupt(fresh.state_dict(), ["state", 0], {"step": 3, "square_avg": 0.5})
    fresh.load_state_dict(plain)  # no buffers: they start from 0 again
    assert fresh.state_dict()["state"] == [{"step": 3.0, "square_avg": 0.5}]


# ---------------------------------------------------------------- all-or-nothing steps


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda ps: RMSprop(
                [{"params": ps[:2]}, {"params": ps[2:], "eps": 0.0}], lr=0.1, momentum=0.5
            ),
            r"RMSprop step: param_groups\[1\]\.params\[1\] \(state\[3\]\).*avg = .* = 0",
        ),
        (
            lambda ps: Adagrad([{"params": ps[:2]}, {"params": ps[2:], "eps": 0.0}], lr=0.1),
            r"Adagrad step: param_groups\[1\]\.params\[1\] \(state\[3\]\).*eps=0\.0",
        ),
    ],
)
def test_rmsprop_adagrad_zero_denominator_changes_nothing(
    make: Callable[[list[Parameter]], Optimizer], message: str
) -> None:
    """eps=0 and a zero gradient from a zero state: 0 / 0. Nothing may move, not even the
    parameters before it, nor any state (PyTorch writes NaN)."""
    params = [Parameter(x) for x in (0.5, -1.0, 2.0, 0.0)]
    opt = make(params)
    for p in params:
        p.grad = 1.0
    params[3].grad = 0.0
    before = snapshot(opt, params)
    with pytest.raises(ZeroDivisionError, match=message):
        opt.step()
    assert snapshot(opt, params) == before
    assert opt.state == {}


def test_centered_rmsprop_refuses_a_negative_variance_and_changes_nothing() -> None:
    """v < g_avg^2 cannot come from a run with alpha in [0, 1], only from a doctored state;
    the square root of it is NaN in PyTorch, a clear error here."""
    params = [Parameter(1.0), Parameter(2.0)]
    opt = RMSprop(params, lr=0.01, centered=True)
    stepped(opt, params)
    state = corrupt(opt.state_dict(), ["state", 1, "grad_avg"], 100.0)
    opt.load_state_dict(state)
    before = snapshot(opt, params)
    with pytest.raises(ValueError, match=r"params\[1\] \(state\[1\]\) has v - g_avg\^2 = .* < 0"):
        opt.step()
    assert snapshot(opt, params) == before
