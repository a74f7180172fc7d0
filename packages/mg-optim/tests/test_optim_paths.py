"""optimize_path and explain_step: paths equal torch.optim's, anatomies are the steps' own numbers.

reference/paths.json holds, for every path the optimizer-paths benchmark commits, the same path
computed by torch autograd and torch.optim in float64 (see reference/generate.py), and torch's
per-parameter state after each of the first three steps.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path

import mg_optim.adam as adam_module
import pytest
from mg_autograd import Value
from mg_nn import Parameter
from mg_optim import (
    SGD,
    Adagrad,
    Adam,
    AdamW,
    Momentum,
    Optimizer,
    OptimizerPath,
    PathPoint,
    Quantity,
    RMSprop,
    StepAnatomy,
    explain_step,
    optimize_path,
    ravine,
    rosenbrock,
    saddle,
)

REFERENCE = json.loads((Path(__file__).parent / "reference" / "paths.json").read_text())
CASES: list[dict[str, object]] = REFERENCE["cases"]
SURFACES: dict[str, Callable[[Value, Value], Value]] = {
    "rosenbrock": rosenbrock,
    "ravine": ravine,
    "saddle": saddle,
}
STATE_NAMES = {
    "Adam": {"t": "step", "m": "exp_avg", "v": "exp_avg_sq"},
    "AdamW": {"t": "step", "m": "exp_avg", "v": "exp_avg_sq"},
    "Momentum": {"b": "momentum_buffer"},
    "RMSprop": {"v": "square_avg", "b": "momentum_buffer", "g_avg": "grad_avg"},
    "Adagrad": {"t": "step", "sum": "sum"},
    "SGD": {},
}
"""Docstring name in the anatomy -> torch's state key."""


def factory(name: str, options: Mapping[str, object]) -> Callable[[list[Parameter]], Optimizer]:
    """The mg optimizer a path's recorded options describe (lr and every other option)."""

    def real(key: str) -> float:
        value = options[key]
        assert isinstance(value, (int, float))
        return float(value)

    def flag(key: str) -> bool:
        value = options[key]
        assert isinstance(value, bool)
        return value

    lr, wd = real("lr"), real("weight_decay")
    makers: dict[str, Callable[[list[Parameter]], Optimizer]] = {
        "SGD": lambda ps: SGD(ps, lr, weight_decay=wd),
        "Momentum": lambda ps: Momentum(
            ps,
            lr,
            momentum=real("momentum"),
            dampening=real("dampening"),
            nesterov=flag("nesterov"),
            weight_decay=wd,
        ),
        "Adagrad": lambda ps: Adagrad(
            ps,
            lr,
            lr_decay=real("lr_decay"),
            weight_decay=wd,
            initial_accumulator_value=real("initial_accumulator_value"),
            eps=real("eps"),
        ),
        "RMSprop": lambda ps: RMSprop(
            ps,
            lr,
            alpha=real("alpha"),
            eps=real("eps"),
            weight_decay=wd,
            momentum=real("momentum"),
            centered=flag("centered"),
        ),
        "Adam": lambda ps: Adam(
            ps,
            lr,
            betas=(real("beta1"), real("beta2")),
            eps=real("eps"),
            weight_decay=wd,
            amsgrad=flag("amsgrad"),
        ),
        "AdamW": lambda ps: AdamW(
            ps,
            lr,
            betas=(real("beta1"), real("beta2")),
            eps=real("eps"),
            weight_decay=wd,
            amsgrad=flag("amsgrad"),
        ),
    }
    return makers[name]


def replay(case: Mapping[str, object], anatomy_steps: int = 0) -> OptimizerPath:
    options = case["options"]
    start = case["start"]
    steps = case["steps"]
    assert isinstance(options, dict)
    assert isinstance(start, list)
    assert isinstance(steps, int)
    return optimize_path(
        SURFACES[str(case["surface"])],
        (float(start[0]), float(start[1])),
        factory(str(case["optimizer"]), options),
        steps,
        anatomy_steps=anatomy_steps,
    )


def case_id(case: Mapping[str, object]) -> str:
    options = case["options"]
    assert isinstance(options, dict)
    return f"{case['surface']}-{case['optimizer']}-lr{options['lr']}-n{options.get('nesterov')}"


def worst_relative_error(path: OptimizerPath, want: list[list[float]]) -> float:
    """max |got - want| / max(|want|, 1% of that component's range along the path), over every
    x, y and f. Plain relative error wherever a value is at least 1% of its component's
    largest magnitude; a coordinate passing through 0 has no relative precision of its own, so
    there it is measured against 1% of the path's size instead."""
    scales = [max(abs(point[i]) for point in want) for i in range(3)]
    return max(
        abs(g - w) / max(abs(w), 0.01 * scales[i])
        for got, point in zip(path, want)
        for i, (g, w) in enumerate(zip(got, point))
    )


def test_the_reference_covers_every_optimizer_on_every_surface() -> None:
    seen = {(str(c["surface"]), str(c["optimizer"])) for c in CASES}
    assert seen == {(s, o) for s in SURFACES for o in STATE_NAMES}
    assert REFERENCE["torch"].startswith("2.13")


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_path_equals_torch_optim(case: dict[str, object]) -> None:
    path = replay(case)
    want = case["points"]
    assert isinstance(want, list)
    assert not path.diverged
    assert len(path) == len(want) == path.steps + 1
    worst = worst_relative_error(path, want)
    assert worst <= 1e-12, worst


@pytest.mark.parametrize("case", [c for c in CASES if c["states"]], ids=case_id)
def test_anatomy_buffers_equal_torch_state(case: dict[str, object]) -> None:
    states = case["states"]
    assert isinstance(states, list)
    path = replay(case, anatomy_steps=len(states))
    assert len(path.anatomy) == len(states) == 3
    names = STATE_NAMES[str(case["optimizer"])]
    for anatomy, torch_state in zip(path.anatomy, states):
        compared = 0
        for name, key in names.items():
            if name not in anatomy.names():
                continue
            # a buffer that cancels to ~0 (torch's fused multiply-add gives 0.0 where two
            # roundings give 1e-14) is compared against the size of that buffer over the steps
            size = max(abs(state[i][key]) for state in states for i in range(2))
            for ours, theirs in zip(anatomy[name].values, torch_state):
                assert ours is not None
                assert math.isclose(ours, theirs[key], rel_tol=1e-12, abs_tol=1e-12 * size)
                compared += 1
        assert compared == 2 * sum(key in torch_state[0] for key in names.values())


# ---------------------------------------------------------------- the anatomy is the step


def value(anatomy: StepAnatomy, name: str, k: int) -> float:
    got = anatomy[name].values[k]
    assert got is not None
    return got


RULES: list[tuple[Callable[[list[Parameter]], Optimizer], Callable[[StepAnatomy, int], float]]] = [
    (
        lambda ps: SGD(ps, 0.01, weight_decay=0.1),
        lambda a, k: value(a, "p", k) - 0.01 * value(a, "g", k),
    ),
    (
        lambda ps: Momentum(ps, 0.01, momentum=0.8, dampening=0.3, weight_decay=0.1),
        lambda a, k: value(a, "p", k) - 0.01 * value(a, "direction", k),
    ),
    (
        lambda ps: Momentum(ps, 0.01, nesterov=True),
        lambda a, k: value(a, "p", k) - 0.01 * value(a, "direction", k),
    ),
    (
        lambda ps: Momentum(ps, 0.01, momentum=0.0),
        lambda a, k: value(a, "p", k) - 0.01 * value(a, "direction", k),
    ),
    (
        lambda ps: Adagrad(ps, 0.1, lr_decay=0.3, weight_decay=0.1, initial_accumulator_value=0.2),
        lambda a, k: (
            value(a, "p", k) + (-value(a, "clr", k)) * value(a, "g", k) / value(a, "std", k)
        ),
    ),
    (
        lambda ps: RMSprop(ps, 0.01, weight_decay=0.1),
        lambda a, k: value(a, "p", k) + (-0.01) * value(a, "g", k) / value(a, "avg", k),
    ),
    (
        lambda ps: RMSprop(ps, 0.01, momentum=0.5, centered=True),
        lambda a, k: value(a, "p", k) + (-0.01) * value(a, "b", k),
    ),
    (
        lambda ps: Adam(ps, 0.05, weight_decay=0.1, amsgrad=True),
        lambda a, k: (
            value(a, "p", k) + (-value(a, "step_size", k)) * value(a, "m", k) / value(a, "denom", k)
        ),
    ),
    (
        lambda ps: AdamW(ps, 0.05, betas=(0.5, 0.8)),
        lambda a, k: (
            value(a, "p_decayed", k)
            + (-value(a, "step_size", k)) * value(a, "m", k) / value(a, "denom", k)
        ),
    ),
]


@pytest.mark.parametrize(("make", "rule"), RULES)
def test_anatomy_quantities_reproduce_the_step_bit_for_bit(
    make: Callable[[list[Parameter]], Optimizer], rule: Callable[[StepAnatomy, int], float]
) -> None:
    """The docstring's last line, evaluated on the reported quantities, gives p_new exactly:
    the anatomy holds the numbers the step used, not approximations of them."""
    path = optimize_path(saddle, (1.5, 0.2), make, 6, anatomy_steps=6)
    assert len(path.anatomy) == 6
    for k, anatomy in enumerate(path.anatomy):
        for i in range(2):
            assert rule(anatomy, i) == value(anatomy, "p_new", i)
            assert value(anatomy, "p_new", i) == path.points[k + 1][i]
            assert value(anatomy, "p", i) == path.points[k][i]
            assert value(anatomy, "update", i) == path.points[k + 1][i] - path.points[k][i]


def test_adam_anatomy_names_follow_the_docstring() -> None:
    names = optimize_path(ravine, (1.0, 1.0), lambda ps: Adam(ps), 1, anatomy_steps=1).anatomy[0]
    assert names.names() == [
        "p",
        "p.grad",
        "t",
        "g",
        "m",
        "v",
        "bias_correction1",
        "bias_correction2",
        "step_size",
        "denom",
        "update",
        "p_new",
    ]
    equations = adam_module.__doc__ or ""
    for name in names.names()[2:-2]:
        assert name in equations
    first: Quantity = names["bias_correction1"]
    assert first.values == (1.0 - 0.9, 1.0 - 0.9)
    text = str(names)
    assert text.splitlines()[0].split() == ["quantity", "param", "0", "param", "1", "meaning"]
    assert "bias_correction2" in names.format(["x", "y"])
    with pytest.raises(KeyError, match="no quantity 'velocity'"):
        names["velocity"]
    with pytest.raises(ValueError, match="labels names 1 parameter"):
        names.format(["x"])


def test_groups_with_different_options_leave_gaps() -> None:
    x, y = Parameter(1.0), Parameter(2.0)
    opt = Adam([{"params": [x], "amsgrad": True}, {"params": [y]}], lr=0.1)
    x.grad, y.grad = 0.5, -0.5
    anatomy = explain_step(opt)
    assert anatomy["v_max"].values == (opt.state[x]["max_exp_avg_sq"], None)
    assert len(anatomy) == len(list(anatomy)) == 13


def test_unknown_optimizer_classes_report_what_they_observe() -> None:
    class Halving(SGD):
        """Not SGD's rule any more: explain_step must not pretend it is."""

        def step(self) -> None:
            for p in self._parameters():
                self.state[p] = {"halvings": self.state.get(p, {}).get("halvings", 0.0) + 1.0}
                p.data = p.data / 2

    p = Parameter(3.0)
    p.grad = 1.0
    anatomy = explain_step(Halving([p], lr=0.1))
    assert anatomy.optimizer == "Halving"
    assert anatomy.names() == ["p", "p.grad", "halvings", "update", "p_new"]
    assert anatomy["p_new"].values == (1.5,)
    with pytest.raises(TypeError, match="needs an mg_optim Optimizer, got int"):
        explain_step(3)  # type: ignore[arg-type]


def test_a_failed_step_is_reported_and_changes_nothing() -> None:
    x = Parameter(0.0)
    x.grad = 0.0
    opt = Adagrad([x], eps=0.0)
    with pytest.raises(ZeroDivisionError, match="no parameter was changed"):
        explain_step(opt)
    assert (x.data, opt.state) == (0.0, {})


# ---------------------------------------------------------------- paths


def test_path_starts_at_the_start_and_records_every_step() -> None:
    path = optimize_path(lambda x, y: x * x + 3 * y * y, [2, -1], lambda ps: SGD(ps, 0.1), 4)
    assert path.points[0] == PathPoint(2.0, -1.0, 7.0)
    assert (len(path), path.steps, path.diverged) == (5, 4, False)
    assert path.xs == [p.x for p in path]
    assert path.fs[-1] == path.final.f
    x, y = 2.0, -1.0
    for k in range(1, 5):
        x, y = x - 0.1 * (2 * x), y - 0.1 * (6 * y)
        assert path.points[k][:2] == (x, y)
    assert path.ys[-1] == y
    assert path.conditions() == "SGD(lr=0.1, weight_decay=0.0), 4 steps from (2.0, -1.0)"
    assert path.options == {"lr": 0.1, "weight_decay": 0.0}
    assert optimize_path(rosenbrock, (0.0, 0.0), lambda ps: SGD(ps, 0.1), 0).points == (
        PathPoint(0.0, 0.0, 1.0),
    )


def test_a_diverging_path_stops_at_its_last_finite_point() -> None:
    path = optimize_path(ravine, (1.0, 1.0), lambda ps: SGD(ps, 1.0), 500)
    assert path.diverged
    assert 10 < len(path) < 501
    assert all(math.isfinite(v) for point in path for v in point)
    assert path.conditions().endswith(f"diverged after {len(path) - 1}")
    overflow = optimize_path(lambda x, y: x**4 + y, (10.0, 0.0), lambda ps: SGD(ps, 1.0), 50)
    assert overflow.diverged
    assert len(overflow) < 10


BAD_CALLS: list[tuple[Callable[[], object], type[Exception], str]] = [
    (lambda: optimize_path(ravine, (1.0,), lambda ps: SGD(ps, 0.1), 3), TypeError, "a pair"),
    (lambda: optimize_path(ravine, "xy", lambda ps: SGD(ps, 0.1), 3), TypeError, "a pair"),  # type: ignore[arg-type]
    (
        lambda: optimize_path(ravine, (math.nan, 0.0), lambda ps: SGD(ps, 0.1), 3),
        ValueError,
        "Invalid start x: nan",
    ),
    (
        lambda: optimize_path(ravine, (0.0, True), lambda ps: SGD(ps, 0.1), 3),
        TypeError,
        "start y must be an int or float, got bool",
    ),
    (
        lambda: optimize_path(ravine, (1.0, 1.0), lambda ps: SGD(ps, 0.1), -1),
        ValueError,
        "steps must be at least 0, got -1",
    ),
    (
        lambda: optimize_path(ravine, (1.0, 1.0), lambda ps: SGD(ps, 0.1), 2.0),  # type: ignore[arg-type]
        TypeError,
        "steps must be an int, got float",
    ),
    (
        lambda: optimize_path(ravine, (1.0, 1.0), lambda ps: SGD(ps, 0.1), 2, anatomy_steps=True),
        TypeError,
        "anatomy_steps must be an int, got bool",
    ),
    (
        lambda: optimize_path(lambda x, y: 1.0, (1.0, 1.0), lambda ps: SGD(ps, 0.1), 2),  # type: ignore[arg-type, return-value]
        TypeError,
        r"f\(x, y\) must return a Value, got float: 1.0",
    ),
    (
        lambda: optimize_path(3, (1.0, 1.0), lambda ps: SGD(ps, 0.1), 2),  # type: ignore[arg-type]
        TypeError,
        "f must be a function of two Values, got int",
    ),
    (
        lambda: optimize_path(ravine, (1.0, 1.0), lambda ps: ps, 2),  # type: ignore[arg-type, return-value]
        TypeError,
        "must return an mg_optim Optimizer, got list",
    ),
    (
        lambda: optimize_path(ravine, (1.0, 1.0), lambda ps: SGD(ps[:1], 0.1), 2),
        ValueError,
        r"exactly the two Parameters .* got 1 parameter",
    ),
    (
        lambda: optimize_path(ravine, (1.0, 1.0), lambda ps: SGD(ps[::-1], 0.1), 2),
        ValueError,
        r"\[x, y\] in that order",
    ),
]


@pytest.mark.parametrize(("call", "error", "message"), BAD_CALLS)
def test_bad_arguments_are_refused_early(
    call: Callable[[], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        call()
