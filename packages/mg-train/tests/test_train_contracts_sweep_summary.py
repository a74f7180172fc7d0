"""`mg_train.sweep_summary` records: a run outcome read back field by field (each refusal names
the field and the value), the JSON shapes of runs, cells and summaries, and `LossStats` checked
against `statistics` (an independent implementation of mean and sample standard deviation)."""

from __future__ import annotations

import math
import statistics

import pytest
from message_kit import exactly
from mg_train import LossStats, ReplicaSeeds, SweepCell, SweepError, SweepRun, SweepSummary
from sweep_kit import outcome

FINISHED = SweepRun(
    optimizer="Adam",
    lr=0.01,
    replica=2,
    seeds=ReplicaSeeds(2001, 2002, 2003),
    final_train_loss=0.5,
    final_val_loss=0.25,
    best_val_loss=0.125,
    best_epoch=3,
    diverged_at=None,
    wall_time=1.5,
    resumed=False,
)


def _diverged(batch: object = 4) -> dict[str, object]:
    return outcome(
        final_train_loss=None,
        final_val_loss=None,
        best_val_loss=None,
        best_epoch=None,
        diverged={"epoch": 2, "batch": batch},
    )


def test_a_finished_outcome_is_read_back_field_by_field() -> None:
    assert SweepRun.from_outcome(outcome(), resumed=False) == FINISHED
    resumed = SweepRun.from_outcome(outcome(lr=1, wall_seconds=2), resumed=True)
    assert (resumed.lr, resumed.wall_time, resumed.resumed) == (1.0, 2.0, True)
    assert isinstance(resumed.lr, float)
    assert isinstance(resumed.wall_time, float)


def test_a_diverged_outcome_has_no_losses_only_where_it_stopped() -> None:
    run = SweepRun.from_outcome(_diverged(), resumed=False)
    assert (run.final_train_loss, run.final_val_loss, run.best_val_loss, run.best_epoch) == (
        None,
        None,
        None,
        None,
    )
    assert run.diverged_at == (2, 4)
    assert SweepRun.from_outcome(_diverged(batch=None), resumed=False).diverged_at == (2, None)
    assert run.to_dict()["diverged"] == {"epoch": 2, "batch": 4}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"optimizer": 3}, "run outcome optimizer must be a string, got 3"),
        ({"seeds": [1, 2, 3]}, "run outcome seeds must hold split, model, shuffle, got [1, 2, 3]"),
        (
            {"seeds": {"split": 1, "model": 2}},
            "run outcome seeds must hold split, model, shuffle, got {'split': 1, 'model': 2}",
        ),
        (
            {"seeds": {"split": 1.0, "model": 2, "shuffle": 3}},
            "run outcome seeds.split must be an integer, got 1.0",
        ),
        (
            {"seeds": {"split": 1, "model": "2", "shuffle": 3}},
            "run outcome seeds.model must be an integer, got '2'",
        ),
        (
            {"seeds": {"split": 1, "model": 2, "shuffle": None}},
            "run outcome seeds.shuffle must be an integer, got None",
        ),
        ({"lr": None}, "run outcome lr must be a number, got None"),
        ({"lr": True}, "run outcome lr must be a number, got True"),
        ({"lr": math.inf}, "run outcome lr must be finite, got inf"),
        ({"replica": 1.0}, "run outcome replica must be an integer, got 1.0"),
        ({"replica": False}, "run outcome replica must be an integer, got False"),
        ({"final_train_loss": None}, "run outcome final_train_loss must be a number, got None"),
        ({"final_val_loss": "0.1"}, "run outcome final_val_loss must be a number, got '0.1'"),
        ({"best_val_loss": math.nan}, "run outcome best_val_loss must be finite, got nan"),
        ({"best_epoch": None}, "run outcome best_epoch must be an integer, got None"),
        ({"best_epoch": 2.0}, "run outcome best_epoch must be an integer, got 2.0"),
        ({"wall_seconds": None}, "run outcome wall_seconds must be a number, got None"),
        ({"wall_seconds": "1"}, "run outcome wall_seconds must be a number, got '1'"),
        ({"diverged": [2, 4]}, "run outcome diverged must be an object, got [2, 4]"),
        ({"diverged": {"batch": 4}}, "run outcome diverged.epoch must be an integer, got None"),
        (
            {"diverged": {"epoch": 2, "batch": 4.5}},
            "run outcome diverged.batch must be an integer, got 4.5",
        ),
    ],
)
def test_every_field_of_an_outcome_is_checked_by_name(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(SweepError, match=exactly(message)):
        SweepRun.from_outcome(outcome(**changes), resumed=False)


def test_a_diverged_outcome_still_checks_the_losses_it_carries() -> None:
    bad = {**_diverged(), "best_val_loss": "x", "best_epoch": None}
    with pytest.raises(
        SweepError, match=exactly("run outcome best_val_loss must be a number, got 'x'")
    ):
        SweepRun.from_outcome(bad, resumed=False)
    with pytest.raises(
        SweepError, match=exactly("run outcome best_epoch must be an integer, got 1.5")
    ):
        SweepRun.from_outcome({**_diverged(), "best_epoch": 1.5}, resumed=False)


def test_a_run_dict_holds_the_deterministic_fields() -> None:
    assert list(FINISHED.to_dict().items()) == [
        ("optimizer", "Adam"),
        ("lr", 0.01),
        ("replica", 2),
        ("seeds", {"split": 2001, "model": 2002, "shuffle": 2003}),
        ("final_train_loss", 0.5),
        ("final_val_loss", 0.25),
        ("best_val_loss", 0.125),
        ("best_epoch", 3),
        ("diverged", None),
    ]
    assert list(ReplicaSeeds(1, 2, 3).to_dict().items()) == [
        ("split", 1),
        ("model", 2),
        ("shuffle", 3),
    ]


@pytest.mark.parametrize("values", [[1.0, 2.0, 4.0], [0.5, 0.25], [3.0, 1.0, 4.0, 1.0, 5.0]])
def test_loss_stats_agree_with_the_statistics_module(values: list[float]) -> None:
    stats = LossStats.of(values)
    assert stats.mean == pytest.approx(statistics.mean(values), rel=1e-15)
    assert stats.std == pytest.approx(statistics.stdev(values), rel=1e-14)
    assert (stats.min, stats.max) == (min(values), max(values))


def test_loss_stats_by_hand() -> None:
    # mean 7/3; squared deviations 16/9, 1/9, 25/9 sum to 42/9; over n - 1 = 2: 7/3
    stats = LossStats.of([1.0, 2.0, 4.0])
    assert stats.mean == pytest.approx(7 / 3, rel=1e-15)
    assert stats.std == pytest.approx(math.sqrt(7 / 3), rel=1e-15)
    assert LossStats.of([1.0, 3.0]).std == pytest.approx(math.sqrt(2.0), rel=1e-15)
    assert LossStats.of([0.5]) == LossStats(0.5, None, 0.5, 0.5)
    assert list(LossStats(1.0, None, 0.5, 2.0).to_dict().items()) == [
        ("mean", 1.0),
        ("std", None),
        ("min", 0.5),
        ("max", 2.0),
    ]
    with pytest.raises(ValueError, match=exactly("LossStats.of needs at least one value")):
        LossStats.of([])


STATS = LossStats(0.2, 0.01, 0.19, 0.21)
CELL = SweepCell("Adam", 0.01, 3, 1, STATS, LossStats(0.3, None, 0.3, 0.3), 2.5)
EMPTY_CELL = SweepCell("SGD", 0.1, 2, 2, None, None, None)


def test_a_cell_dict_nests_its_statistics() -> None:
    assert list(CELL.to_dict().items()) == [
        ("optimizer", "Adam"),
        ("lr", 0.01),
        ("runs", 3),
        ("diverged", 1),
        ("best_val_loss", {"mean": 0.2, "std": 0.01, "min": 0.19, "max": 0.21}),
        ("final_val_loss", {"mean": 0.3, "std": None, "min": 0.3, "max": 0.3}),
        ("median_best_epoch", 2.5),
    ]
    assert EMPTY_CELL.to_dict() == {
        "optimizer": "SGD",
        "lr": 0.1,
        "runs": 2,
        "diverged": 2,
        "best_val_loss": None,
        "final_val_loss": None,
        "median_best_epoch": None,
    }


SUMMARY = SweepSummary(
    cells=(EMPTY_CELL, CELL, SweepCell("Adam", 0.1, 3, 0, STATS, STATS, 1.0)),
    wins=((0.01, (("SGD", 0), ("Adam", 2)), 1), (0.1, (("SGD", 1), ("Adam", 0)), 0)),
    best_rates=(("SGD", None), ("Adam", CELL)),
    shared_lr=0.1,
)


def test_a_summary_answers_by_optimizer_and_rate() -> None:
    assert SUMMARY.cell("Adam", 0.1) is SUMMARY.cells[2]
    assert SUMMARY.cell("Adam", 0.01) is CELL
    assert SUMMARY.wins_at(0.1) == {"SGD": 1, "Adam": 0}
    assert SUMMARY.wins_at(0.01) == {"SGD": 0, "Adam": 2}
    assert (SUMMARY.ties_at(0.01), SUMMARY.ties_at(0.1)) == (1, 0)
    assert SUMMARY.best_rate("Adam") is CELL
    assert SUMMARY.best_rate("SGD") is None


@pytest.mark.parametrize(
    ("ask", "message"),
    [
        (lambda: SUMMARY.cell("SGD", 0.01), "no cell for optimizer 'SGD' at lr 0.01"),
        (lambda: SUMMARY.wins_at(0.5), "lr 0.5 was not swept"),
        (lambda: SUMMARY.ties_at(0.5), "lr 0.5 was not swept"),
        (lambda: SUMMARY.best_rate("RMSprop"), "no optimizer 'RMSprop' in this sweep"),
    ],
)
def test_asking_for_what_was_not_swept_names_it(ask: object, message: str) -> None:
    with pytest.raises(KeyError) as error:
        ask()  # type: ignore[operator]
    assert error.value.args == (message,)


def test_a_summary_dict_states_its_std_convention() -> None:
    assert SUMMARY.to_dict() == {
        "shared_lr": 0.1,
        "std": "sample standard deviation over replicas (n - 1); null for one replica",
        "cells": [cell.to_dict() for cell in SUMMARY.cells],
        "wins": [
            {"lr": 0.01, "wins": {"SGD": 0, "Adam": 2}, "ties": 1},
            {"lr": 0.1, "wins": {"SGD": 1, "Adam": 0}, "ties": 0},
        ],
        "best_rates": [{"optimizer": "SGD", "lr": None}, {"optimizer": "Adam", "lr": 0.01}],
    }
    assert list(SUMMARY.to_dict()) == ["shared_lr", "std", "cells", "wins", "best_rates"]
