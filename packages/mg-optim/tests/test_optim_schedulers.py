"""Schedulers: chained steps against closed forms, state dict resume, validation."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Union

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mg_nn import Parameter
from mg_optim import (
    SGD,
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    LRScheduler,
    Momentum,
    MultiStepLR,
    Optimizer,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)

FAST = settings(derandomize=True, deadline=None, max_examples=40)
base_lr = st.floats(min_value=1e-4, max_value=1.0)
gamma = st.floats(min_value=0.5, max_value=0.999)
Scheduler = Union[LRScheduler, ReduceLROnPlateau]


def two_groups(lr_a: float = 0.1, lr_b: float = 0.03) -> Optimizer:
    return SGD(
        [{"params": [Parameter(1.0)], "lr": lr_a}, {"params": [Parameter(2.0)], "lr": lr_b}], lr=1.0
    )


def lrs_over(sched: LRScheduler, steps: int) -> list[list[float]]:
    out = [sched.get_last_lr()]
    for _ in range(steps):
        sched.step()
        out.append(sched.get_last_lr())
    return out


# ---------------------------------------------------------------- closed forms
# The chain rounds once per step, so after n <= 120 steps its relative error is at most about
# n * 2^-53 < 2e-14 (the closed forms round a fixed number of times).
CHAIN_TOL = 2e-14


@FAST
@given(base_lr, st.integers(1, 12), gamma)
def test_step_lr_chain_equals_closed_form(lr: float, step_size: int, g: float) -> None:
    sched = StepLR(two_groups(lr), step_size=step_size, gamma=g)
    for t, lrs in enumerate(lrs_over(sched, 120)):
        assert lrs[0] == pytest.approx(lr * g ** (t // step_size), rel=CHAIN_TOL)


@FAST
@given(base_lr, gamma)
def test_exponential_lr_chain_equals_closed_form(lr: float, g: float) -> None:
    sched = ExponentialLR(two_groups(lr), gamma=g)
    for t, lrs in enumerate(lrs_over(sched, 120)):
        assert lrs[0] == pytest.approx(lr * g**t, rel=CHAIN_TOL)


@FAST
@given(base_lr, st.lists(st.integers(1, 100), max_size=5), gamma)
def test_multistep_lr_chain_equals_closed_form(lr: float, milestones: list[int], g: float) -> None:
    sched = MultiStepLR(two_groups(lr), milestones=milestones, gamma=g)
    for t, lrs in enumerate(lrs_over(sched, 120)):
        passed = len([m for m in milestones if m <= t])
        assert lrs[0] == pytest.approx(lr * g**passed, rel=CHAIN_TOL)


@FAST
@given(base_lr, st.integers(1, 60), st.floats(0.0, 1e-4))
def test_cosine_chain_follows_the_cosine(lr: float, t_max: int, eta_min: float) -> None:
    """Chained ratios stay on eta_min + (lr - eta_min)(1 + cos(pi t / T_max)) / 2, periodically."""
    sched = CosineAnnealingLR(two_groups(lr), T_max=t_max, eta_min=eta_min)
    for t, lrs in enumerate(lrs_over(sched, 150)):
        want = eta_min + (lr - eta_min) * (1.0 + math.cos(math.pi * t / t_max)) / 2.0
        assert lrs[0] == pytest.approx(want, rel=1e-9, abs=1e-12 * lr)


@FAST
@given(base_lr, st.floats(0.05, 1.0), st.floats(0.0, 1.0), st.integers(1, 40))
def test_linear_lr_chain_equals_closed_form(
    lr: float, start: float, end: float, total: int
) -> None:
    sched = LinearLR(two_groups(lr), start_factor=start, end_factor=end, total_iters=total)
    for t, lrs in enumerate(lrs_over(sched, 60)):
        want = lr * (start + (end - start) * min(t, total) / total)
        assert lrs[0] == pytest.approx(want, rel=1e-12, abs=1e-15)


def test_lambda_lr_is_base_times_lambda() -> None:
    sched = LambdaLR(two_groups(), [lambda t: 1.0 / (t + 1), lambda t: 2.0**-t])
    for t, lrs in enumerate(lrs_over(sched, 10)):
        assert lrs == [0.1 * (1.0 / (t + 1)), 0.03 * 2.0**-t]


def test_reduce_on_plateau_waits_patience_then_cools_down() -> None:
    opt = two_groups(1.0, 0.5)
    sched = ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1, min_lr=0.3)
    history = []
    for metric in [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5]:
        sched.step(metric)
        history.append(sched.get_last_lr())
    # epoch 1 sets best; epochs 2-4 are bad, 3 > patience: cut to max(lr * 0.5, 0.3) at epoch 4;
    # epoch 5 is bad but swallowed by the cooldown; 6, 7 bad (2, not > 2); 8 improves; 9 bad.
    assert history == [[1.0, 0.5]] * 3 + [[0.5, 0.3]] * 6


def test_sequential_hands_over_at_the_milestone() -> None:
    opt = two_groups(1.0, 0.5)
    warmup = LinearLR(opt, start_factor=0.5, total_iters=2)
    decay = ExponentialLR(opt, gamma=0.5)
    sched = SequentialLR(opt, [warmup, decay], milestones=[3])
    got = [lrs[0] for lrs in lrs_over(sched, 5)]
    assert got == [0.5, 0.75, 1.0, 1.0, 0.5, 0.25]


def test_group_lr_written_by_scheduler_is_what_step_uses() -> None:
    p = Parameter(1.0)
    opt = Momentum([p], lr=1.0, momentum=0.0)
    sched = StepLR(opt, step_size=1, gamma=0.5)
    for lr in (1.0, 0.5, 0.25):
        before = p.data
        p.grad = 1.0
        opt.step()
        assert before - p.data == lr
        sched.step()


# ---------------------------------------------------------------- state dicts

Factory = Callable[[Optimizer], Scheduler]
FACTORIES: dict[str, Factory] = {
    "step": lambda o: StepLR(o, 4, 0.5),
    "multistep": lambda o: MultiStepLR(o, [3, 9], 0.3),
    "exponential": lambda o: ExponentialLR(o, 0.9),
    "cosine": lambda o: CosineAnnealingLR(o, 7, 1e-3),
    "linear": lambda o: LinearLR(o, 0.25, 1.0, 6),
    "lambda": lambda o: LambdaLR(o, lambda t: 1.0 / (1.0 + t)),
    "plateau": lambda o: ReduceLROnPlateau(o, patience=1, factor=0.5, cooldown=1),
    "sequential": lambda o: SequentialLR(
        o, [LinearLR(o, 0.5, total_iters=3), CosineAnnealingLR(o, 8)], [4]
    ),
}


def advance(sched: Scheduler, opt: Optimizer, steps: int, offset: int = 0) -> list[list[float]]:
    out = []
    for t in range(offset, offset + steps):
        opt.step()
        if isinstance(sched, ReduceLROnPlateau):
            sched.step(1.0 / (1 + t % 4))
        else:
            sched.step()
        out.append(sched.get_last_lr())
    return out


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_resume_from_json_state_dicts(name: str) -> None:
    factory = FACTORIES[name]
    straight_opt = two_groups()
    expected = advance(factory(straight_opt), straight_opt, 20)

    opt = two_groups()
    sched = factory(opt)
    advance(sched, opt, 9)
    saved = json.loads(json.dumps({"opt": opt.state_dict(), "sched": sched.state_dict()}))

    new_opt = two_groups()
    new_sched = factory(new_opt)
    new_opt.load_state_dict(saved["opt"])
    new_sched.load_state_dict(saved["sched"])
    assert new_sched.get_last_lr() == expected[8]
    assert advance(new_sched, new_opt, 11, offset=9) == expected[9:]


def test_lambda_state_dict_holds_no_function() -> None:
    state = LambdaLR(two_groups(), lambda t: 0.5).state_dict()
    assert json.loads(json.dumps(state)) == state
    assert state["config"] == {}


@pytest.mark.parametrize(
    ("make_other", "message"),
    [
        (lambda o: StepLR(o, 5, 0.5), r"step_size=4, this StepLR has step_size=5"),
        (lambda o: ExponentialLR(o, 0.9), "for scheduler 'StepLR', not 'ExponentialLR'"),
    ],
)
def test_mismatched_scheduler_state_is_rejected_and_changes_nothing(
    make_other: Factory, message: str
) -> None:
    opt = two_groups()
    sched = StepLR(opt, 4, 0.5)
    advance(sched, opt, 5)
    other = make_other(two_groups())
    before = other.state_dict()
    with pytest.raises(ValueError, match=message):
        other.load_state_dict(sched.state_dict())
    assert other.state_dict() == before


def test_sequential_bad_child_state_changes_nothing() -> None:
    opt = two_groups()
    sched = FACTORIES["sequential"](opt)
    assert isinstance(sched, SequentialLR)
    advance(sched, opt, 6)
    state = json.loads(json.dumps(sched.state_dict()))
    state["schedulers"][1]["last_lr"] = [0.1]
    before = sched.state_dict()
    with pytest.raises(ValueError, match="'last_lr' must be a list of 2"):
        sched.load_state_dict(state)
    assert sched.state_dict() == before


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda o: StepLR(o, 0), ValueError, "step_size must be at least 1, got 0"),
        (lambda o: StepLR(o, 2.0), TypeError, "step_size must be an int, got float"),  # type: ignore[arg-type]  # wrong on purpose
        (lambda o: StepLR(o, 2, gamma=math.nan), ValueError, "Invalid gamma value: nan"),
        (lambda o: ExponentialLR(o, True), TypeError, "gamma must be an int or float, got bool"),
        (lambda o: MultiStepLR(o, [3, 0]), ValueError, "milestones.1. must be at least 1, got 0"),
        (
            lambda o: CosineAnnealingLR(o, 10, eta_min=-1.0),
            ValueError,
            "Invalid eta_min value: -1.0",
        ),
        (lambda o: LinearLR(o, start_factor=0.0), ValueError, "Invalid start_factor"),
        (lambda o: LinearLR(o, end_factor=1.5), ValueError, "Invalid end_factor"),
        (lambda o: LambdaLR(o, [lambda t: 1.0]), ValueError, "expected 2 lr_lambdas"),
        (lambda o: LambdaLR(o, 0.5), TypeError, "lr_lambda.0. must be callable"),  # type: ignore[arg-type]  # wrong on purpose
        (
            lambda o: LambdaLR(o, lambda t: "x"),  # type: ignore[arg-type, return-value]  # wrong on purpose
            TypeError,
            r"lr_lambda\[0\]\(0\) must return a float",
        ),
        (lambda o: ReduceLROnPlateau(o, factor=1.0), ValueError, "Invalid factor value"),
        (lambda o: ReduceLROnPlateau(o, mode="median"), ValueError, "mode must be 'min' or 'max'"),  # type: ignore[arg-type]  # wrong on purpose
        (lambda o: ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "expected 2 min_lrs"),
        (lambda o: StepLR("opt", 2), TypeError, "expected an mg_optim Optimizer, got str"),  # type: ignore[arg-type]  # wrong on purpose
        (
            lambda o: SequentialLR(o, [StepLR(o, 2), StepLR(o, 3)], [0]),
            ValueError,
            "milestones.0. must be at least 1",
        ),
        (lambda o: SequentialLR(o, [StepLR(o, 2)], [3]), ValueError, "one milestone fewer"),
        (
            lambda o: SequentialLR(o, [StepLR(o, 2), StepLR(two_groups(), 2)], [3]),
            ValueError,
            "different optimizer",
        ),
        (
            lambda o: SequentialLR(o, [StepLR(o, 2), ReduceLROnPlateau(o)], [3]),  # type: ignore[list-item]  # wrong on purpose
            TypeError,
            "cannot be sequenced",
        ),
    ],
)
def test_bad_scheduler_arguments(
    make: Callable[[Optimizer], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        make(two_groups())


def test_plateau_step_needs_a_number() -> None:
    sched = ReduceLROnPlateau(two_groups())
    with pytest.raises(TypeError, match="metric must be an int or float, got str"):
        sched.step("0.5")  # type: ignore[arg-type]
