"""`fit` and `evaluate` contracts the mutation run showed were unpinned.

Expected losses are computed in the test from the model's own weights (a 1-1 MLP is the line
w * x + b) and the definition of the mean squared error, PyTorch's ``MSELoss(reduction="mean")``.
"""

from __future__ import annotations

import math
import re

import pytest
from fit_kit import fit_once, line
from message_kit import exactly
from mg_nn import MLP
from mg_optim import SGD, StepLR
from mg_train import (
    Dataset,
    evaluate,
)


def test_evaluate_on_one_sample_is_its_squared_error() -> None:
    model, w, b = line()
    loss = evaluate(model, "mse", Dataset(((2.0,),), ((1.0,),)))
    assert loss == pytest.approx((w * 2.0 + b - 1.0) ** 2, rel=1e-12)


def test_evaluate_is_the_mean_over_the_samples() -> None:
    model, w, b = line()
    data = Dataset(((2.0,), (-1.0,), (0.5,)), ((1.0,), (0.0,), (3.0,)))
    expected = ((w * 2 + b - 1) ** 2 + (-w + b) ** 2 + (w * 0.5 + b - 3) ** 2) / 3
    assert evaluate(model, "mse", data) == pytest.approx(expected, rel=1e-12)


def test_evaluate_refuses_an_empty_dataset() -> None:
    with pytest.raises(
        ValueError, match="^" + re.escape("cannot evaluate on an empty dataset") + "$"
    ):
        evaluate(MLP(1, [1], rng=0), "mse", Dataset((), ()))


# ---------------------------------------------------------------- argument checks


@pytest.mark.parametrize("name", ["epochs", "batch_size", "checkpoint_every"])
@pytest.mark.parametrize("value", [0, -1, True, 1.0])
def test_counts_must_be_positive_ints(name: str, value: object) -> None:
    with pytest.raises(ValueError, match=exactly(f"{name} must be a positive int, got {value!r}")):
        fit_once(**{name: value})


@pytest.mark.parametrize("name", ["clip_grad_norm", "clip_grad_value"])
@pytest.mark.parametrize("value", [0.0, -1.0, math.inf, math.nan, True, "1"])
def test_clip_limits_must_be_positive_finite_numbers(name: str, value: object) -> None:
    problem = f"{name} must be a positive finite number or None, got {value!r}"
    with pytest.raises(ValueError, match=exactly(problem)):
        fit_once(**{name: value})


def test_the_smallest_valid_counts_and_limits_train() -> None:
    history = fit_once(
        epochs=1, batch_size=1, checkpoint_every=1, clip_grad_norm=1, clip_grad_value=5e-324
    )
    assert history.epochs == 1


def test_a_loss_that_is_neither_a_name_nor_callable_is_named() -> None:
    with pytest.raises(TypeError, match=exactly("loss must be a loss name or a callable, got int")):
        fit_once(loss=5)


@pytest.mark.parametrize(
    ("train", "got"), [(Dataset((), ()), "an empty Dataset"), (((1.0,),), "tuple")]
)
def test_train_must_be_a_non_empty_dataset(train: object, got: str) -> None:
    with pytest.raises(ValueError, match=exactly(f"train must be a non-empty Dataset, got {got}")):
        fit_once(train=train)


@pytest.mark.parametrize(("val", "got"), [(Dataset((), ()), "an empty Dataset"), ([], "list")])
def test_val_must_be_a_non_empty_dataset_or_none(val: object, got: str) -> None:
    expected = f"val must be a non-empty Dataset or None, got {got}"
    with pytest.raises(ValueError, match=exactly(expected)):
        fit_once(val=val)


@pytest.mark.parametrize("seed", [1.5, True, "3"])
def test_seed_must_be_an_int(seed: object) -> None:
    problem = f"seed must be an int, got {type(seed).__name__}: {seed!r}"
    with pytest.raises(TypeError, match=exactly(problem)):
        fit_once(seed=seed)


def test_a_scheduler_of_another_optimizer_is_refused_with_the_reason() -> None:
    other = SGD(MLP(1, [1], rng=1).parameters(), 0.1)
    problem = (
        "scheduler StepLR drives another optimizer than the one passed to fit "
        "(scheduler.optimizer is not optimizer): its learning rates would never reach the training"
    )
    with pytest.raises(ValueError, match=exactly(problem)):
        fit_once(scheduler=StepLR(other, 1))
