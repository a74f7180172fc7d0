"""`mg_train.conditions`: the exact text every picture states - the learning rate (constant or
scheduled) and the shared settings, with and without a recorded `ComparisonSetup`. Expected
strings are written out by hand from the documented formats."""

from __future__ import annotations

from typing import Optional

import pytest
from mg_nn import MLP
from mg_train import ComparisonSetup, Dataset
from mg_train.conditions import lr_text, shared_conditions
from mg_train.protocols import Model


def _model() -> Model:
    return MLP(1, [1], rng=0)


def _data(n: int) -> Dataset:
    return Dataset(tuple((float(i),) for i in range(n)), tuple((0.0,) for _ in range(n)))


def _setup(*, loss: Optional[str] = "mse", val: Optional[int] = 2) -> ComparisonSetup:
    return ComparisonSetup(
        loss=loss,
        epochs=3,
        batch_size=8,
        seed=4,
        train=_data(6),
        val=None if val is None else _data(val),
        model_factory=_model,
    )


SEEDED = {
    "dataset": {"name": "sine_regression", "seed": 10},
    "split": {"val_fraction": 0.25, "seed": 11},
    "model": {"hidden": [3], "seed": 12},
}


@pytest.mark.parametrize(
    ("lrs", "expected"),
    [
        ([], "lr ?"),
        ([0.1], "lr 0.1"),
        ([0.01, 0.01, 0.01], "lr 0.01"),
        ([0.1, 0.05, 0.001], "lr 0.1 -> 0.001 (scheduled)"),
        ([0.001, 0.002, 0.003, 0.5], "lr 0.001 -> 0.5 (scheduled)"),
        ([0.2, 0.2, 0.1], "lr 0.2 -> 0.1 (scheduled)"),
    ],
)
def test_the_learning_rate_text_names_first_and_last_epoch(lrs: list[float], expected: str) -> None:
    assert lr_text(lrs) == expected


def test_a_recorded_setup_states_every_shared_setting_and_the_data_sizes() -> None:
    assert shared_conditions(_setup(), SEEDED, epochs=99) == (
        "batch size 8, 3 epochs, shuffle seed 4, data seed 10, split seed 11, model seed 12, "
        "loss mse, 6 train / 2 val samples"
    )


def test_a_setup_without_validation_or_named_loss_says_only_what_it_has() -> None:
    text = shared_conditions(_setup(loss=None, val=None), {"loss": "hinge"}, epochs=1)
    assert text == "batch size 8, 3 epochs, shuffle seed 4, 6 train"


def test_without_a_setup_the_config_and_the_histories_speak() -> None:
    config = {**SEEDED, "batch_size": 16, "shuffle_seed": 9, "seed": 1, "loss": "mse"}
    assert shared_conditions(None, config, epochs=5) == (
        "batch size 16, 5 epochs, shuffle seed 9, data seed 10, split seed 11, model seed 12, "
        "loss mse"
    )


def test_a_plain_seed_stands_in_for_a_missing_shuffle_seed() -> None:
    assert shared_conditions(None, {"seed": 7}, epochs=2) == (
        "batch size not recorded, 2 epochs, shuffle seed 7"
    )


def test_what_the_config_does_not_record_is_said_to_be_unrecorded() -> None:
    assert shared_conditions(None, {}, epochs=4) == (
        "batch size not recorded, 4 epochs, seed not recorded"
    )


def test_only_sections_that_hold_a_seed_are_named() -> None:
    config: dict[str, object] = {
        "dataset": {"name": "moons"},
        "split": "not a section",
        "model": {"seed": 0},
        "batch_size": 4,
        "shuffle_seed": 0,
    }
    assert shared_conditions(None, config, epochs=1) == (
        "batch size 4, 1 epochs, shuffle seed 0, model seed 0"
    )
