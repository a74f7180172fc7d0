"""Contracts of `optimize_path` and `explain_step` that the mutation run showed were unpinned.

Expected values are the update rules' equations from each optimizer's module docstring (and
torch.optim's), evaluated here by hand, the documented error wording, and the text table's
layout; never a number read back from running this code.
"""

from __future__ import annotations

import math
from collections.abc import Callable

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
    Quantity,
    RMSprop,
    StepAnatomy,
    explain_step,
    optimize_path,
)
from mg_optim.surfaces import ravine

# ---------------------------------------------------------------- explain_step: the quantities

OUTER = {
    "p": "the parameter before the step",
    "p.grad": "the gradient backward() left",
    "update": "p_new - p",
    "p_new": "the parameter after the step",
}
"""The four quantities every anatomy has, around the rule's own."""


Make = Callable[[list[Parameter]], Optimizer]


def one_step(make: Make, p: float = 2.0, grad: float = 0.5) -> StepAnatomy:
    x = Parameter(p)
    opt = make([x])
    x.grad = grad
    return explain_step(opt)


def meanings(anatomy: StepAnatomy) -> dict[str, str]:
    return {q.name: q.meaning for q in anatomy if q.name not in OUTER}


# Each meaning is the right-hand side of the equation in the optimizer's module docstring.
MEANINGS: list[tuple[str, Make, dict[str, str]]] = [
    ("SGD", lambda ps: SGD(ps, lr=0.1), {"g": "p.grad + weight_decay * p"}),
    (
        "Momentum(momentum=0)",
        lambda ps: Momentum(ps, lr=0.1, momentum=0.0),
        {"g": "p.grad + weight_decay * p", "direction": "g (momentum 0: plain SGD)"},
    ),
    (
        "Momentum",
        lambda ps: Momentum(ps, lr=0.1, momentum=0.9),
        {
            "g": "p.grad + weight_decay * p",
            "b": "momentum buffer: mu * b + (1 - d) * g",
            "direction": "b",
        },
    ),
    (
        "Momentum(nesterov)",
        lambda ps: Momentum(ps, lr=0.1, momentum=0.9, nesterov=True),
        {
            "g": "p.grad + weight_decay * p",
            "b": "momentum buffer: mu * b + (1 - d) * g",
            "direction": "g + mu * b (Nesterov's look-ahead)",
        },
    ),
    (
        "Adam(amsgrad)",
        lambda ps: Adam(ps, lr=0.1, amsgrad=True),
        {
            "t": "steps taken, this one included",
            "g": "p.grad + weight_decay * p",
            "m": "first moment: beta1 * m + (1 - beta1) * g",
            "v": "second moment: beta2 * v + (1 - beta2) * g^2",
            "v_max": "max(v_max, v), used in place of v",
            "bias_correction1": "1 - beta1^t",
            "bias_correction2": "1 - beta2^t",
            "step_size": "lr / bias_correction1",
            "denom": "sqrt(v) / sqrt(bias_correction2) + eps",
        },
    ),
    (
        "AdamW",
        lambda ps: AdamW(ps, lr=0.1, weight_decay=0.01),
        {
            "t": "steps taken, this one included",
            "p_decayed": "p * (1 - lr * weight_decay)",
            "g": "p.grad (AdamW decays p instead)",
            "m": "first moment: beta1 * m + (1 - beta1) * g",
            "v": "second moment: beta2 * v + (1 - beta2) * g^2",
            "bias_correction1": "1 - beta1^t",
            "bias_correction2": "1 - beta2^t",
            "step_size": "lr / bias_correction1",
            "denom": "sqrt(v) / sqrt(bias_correction2) + eps",
        },
    ),
    (
        "RMSprop",
        lambda ps: RMSprop(ps, lr=0.01),
        {
            "g": "p.grad + weight_decay * p",
            "v": "square_avg: alpha * v + (1 - alpha) * g^2",
            "avg": "sqrt(v) + eps",
        },
    ),
    (
        "RMSprop(centered, momentum)",
        lambda ps: RMSprop(ps, lr=0.01, centered=True, momentum=0.5),
        {
            "g": "p.grad + weight_decay * p",
            "v": "square_avg: alpha * v + (1 - alpha) * g^2",
            "g_avg": "grad_avg: a running mean of g",
            "avg": "sqrt(v - g_avg^2) + eps",
            "b": "momentum_buffer: mu * b + g / avg",
        },
    ),
    (
        "Adagrad",
        lambda ps: Adagrad(ps, lr=0.1),
        {
            "t": "steps taken, this one included",
            "g": "p.grad + weight_decay * p",
            "clr": "lr / (1 + (t - 1) * lr_decay)",
            "sum": "sum + g^2 (from initial_accumulator_value)",
            "std": "sqrt(sum) + eps",
        },
    ),
]


@pytest.mark.parametrize(("name", "make", "expected"), MEANINGS, ids=[m[0] for m in MEANINGS])
def test_every_quantity_is_explained_by_its_documented_equation(
    name: str, make: Make, expected: dict[str, str]
) -> None:
    anatomy = one_step(make)
    assert meanings(anatomy) == expected
    assert {q.name: q.meaning for q in anatomy if q.name in OUTER} == OUTER


def test_sgd_gradient_is_the_l2_penalised_one() -> None:
    # g = p.grad + weight_decay * p; weight_decay = 1 is an ordinary value, not "off".
    assert one_step(lambda ps: SGD(ps, lr=0.1, weight_decay=1.0))["g"].values == (0.5 + 1.0 * 2.0,)
    # Without weight decay g IS p.grad, sign of zero included (torch adds nothing then).
    g = one_step(lambda ps: SGD(ps, lr=0.1), grad=-0.0)["g"].values[0]
    assert g is not None
    assert g == 0.0
    assert math.copysign(1.0, g) == -1.0


@pytest.mark.parametrize("weight_decay", [0.1, 1.0])
def test_adam_l2_gradient_and_adamw_decoupled_gradient(weight_decay: float) -> None:
    adam = one_step(lambda ps: Adam(ps, lr=0.1, weight_decay=weight_decay))
    assert adam["g"].values == (0.5 + weight_decay * 2.0,)
    adamw = one_step(lambda ps: AdamW(ps, lr=0.1, weight_decay=weight_decay))
    assert adamw["g"].values == (0.5,)
    assert adamw["p_decayed"].values == (2.0 * (1.0 - 0.1 * weight_decay),)
    assert "p_decayed" not in adam.names()


def test_centered_rmsprop_avg_is_the_gradient_standard_deviation() -> None:
    # Step 1 from zero state, alpha = 0.99: v = 0.01 g^2, g_avg = 0.01 g, and
    # avg = sqrt(v - g_avg^2) + eps = sqrt(0.01 * 4 - 0.0004) + 1e-8 for g = 2.
    anatomy = one_step(lambda ps: RMSprop(ps, lr=0.01, centered=True), p=1.0, grad=2.0)
    expected_avg = math.sqrt(0.01 * 4.0 - 0.02**2) + 1e-8
    assert anatomy["v"].values[0] == pytest.approx(0.04, rel=1e-12)
    assert anatomy["g_avg"].values[0] == pytest.approx(0.02, rel=1e-12)
    assert anatomy["avg"].values[0] == pytest.approx(expected_avg, rel=1e-12)
    assert anatomy["update"].values[0] == pytest.approx(-0.01 * 2.0 / expected_avg, rel=1e-12)


def test_a_subclass_without_state_reports_only_what_it_observes() -> None:
    class PlainSGD(SGD):
        """SGD's rule under another class: explain_step does not assume the rule."""

    anatomy = one_step(lambda ps: PlainSGD(ps, lr=0.1))
    assert anatomy.names() == ["p", "p.grad", "update", "p_new"]
    assert anatomy["p_new"].values == (2.0 - 0.1 * 0.5,)


# ---------------------------------------------------------------- StepAnatomy.format


def test_an_empty_anatomy_formats_as_its_header() -> None:
    assert StepAnatomy("SGD", []).format() == "quantity  meaning"


def test_format_leaves_missing_values_blank_and_trims_each_line() -> None:
    anatomy = StepAnatomy(
        "Adam",
        [Quantity("a", "first", (1.0, None)), Quantity("bb", "", (None, 2.5))],
    )
    assert anatomy.format(["x", "y"]).splitlines() == [
        "quantity  x    y    meaning",
        "a         1.0       first",
        "bb" + " " * 13 + "2.5",  # 8 + 2 + 3 (blank x cell) + 2
    ]


# ---------------------------------------------------------------- optimize_path


def test_path_records_no_anatomy_unless_asked() -> None:
    assert optimize_path(ravine, (1.0, 1.0), lambda ps: SGD(ps, 0.01), 3).anatomy == ()


def test_path_coordinates_are_parameters_named_x_and_y() -> None:
    seen: list[Parameter] = []

    def make(params: list[Parameter]) -> Optimizer:
        seen.extend(params)
        return SGD(params, 0.01)

    optimize_path(ravine, (1.0, 1.0), make, 1)
    assert [p.label for p in seen] == ["x", "y"]


def test_an_infinite_gradient_ends_the_path_before_any_step() -> None:
    # f stays finite at the start (2e298) but df/dx = 1e308 + 1e308 overflows to inf.
    seen: list[Parameter] = []

    def make(params: list[Parameter]) -> Optimizer:
        seen.extend(params)
        return SGD(params, 0.01)

    def f(x: Value, y: Value) -> Value:
        return x * 1e308 + x * 1e308 + y

    path = optimize_path(f, (1e-10, 0.5), make, 5)
    assert path.diverged is True
    assert len(path.points) == 1
    assert (seen[0].data, seen[1].data) == (1e-10, 0.5)


def test_a_make_optimizer_that_is_not_callable_is_named_with_its_value() -> None:
    with pytest.raises(TypeError) as info:
        optimize_path(ravine, (1.0, 1.0), 3, 2)  # type: ignore[arg-type]
    assert (
        str(info.value)
        == "make_optimizer must be a function from [x, y] to an Optimizer, got int: 3"
    )


@pytest.mark.parametrize(
    ("start", "error", "message"),
    [
        (3, TypeError, "start must be a pair (x, y), got int: 3"),
        (("a", 1.0), TypeError, "start x must be an int or float, got str: 'a'"),
        ((1.0, math.nan), ValueError, "Invalid start y: nan"),
    ],
)
def test_a_bad_start_is_named_with_its_value(
    start: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as info:
        optimize_path(ravine, start, lambda ps: SGD(ps, 0.1), 2)  # type: ignore[arg-type]
    assert str(info.value) == message


def test_an_optimizer_over_another_parameter_is_refused() -> None:
    expected = (
        "^make_optimizer must build the optimizer over exactly the two Parameters it is given"
    )
    with pytest.raises(ValueError, match=expected):
        optimize_path(ravine, (1.0, 1.0), lambda ps: SGD([ps[0], Parameter(0.0)], 0.1), 2)
