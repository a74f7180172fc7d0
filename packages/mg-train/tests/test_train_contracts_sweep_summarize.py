"""`summarize` on hand-built runs: cells in optimizer-then-rate order, medians of odd and even
counts, wins and ties per replica (a diverged run cannot win, an empty replica is skipped), and
the best rate (no diverged replica; the lower rate on a tie). Every expected value is worked out
by hand in the comments; means and deviations are checked against `statistics`."""

from __future__ import annotations

import statistics
from typing import Optional

import pytest
from mg_train import ReplicaSeeds, SweepCell, SweepRun, summarize


def _run(
    optimizer: str, lr: float, replica: int, best: Optional[float], epoch: int = 1
) -> SweepRun:
    diverged = best is None
    return SweepRun(
        optimizer=optimizer,
        lr=lr,
        replica=replica,
        seeds=ReplicaSeeds(replica, replica, replica),
        final_train_loss=None if diverged else 1.0,
        final_val_loss=None if diverged else (best or 0.0) + 0.5,
        best_val_loss=best,
        best_epoch=None if diverged else epoch,
        diverged_at=(1, 0) if diverged else None,
        wall_time=0.0,
        resumed=False,
    )


# (optimizer, lr): best validation loss per replica 0..3 (None: diverged) and best epochs
GRID: dict[tuple[str, float], tuple[list[Optional[float]], list[int]]] = {
    ("SGD", 0.01): ([0.4, 0.1, 0.2, 0.3], [10, 2, 1, 4]),
    ("SGD", 0.1): ([None, 0.06, 0.07, 0.05], [9, 1, 2, 3]),
    ("Adam", 0.01): ([0.3, 0.2, 0.2, 0.1], [2, 7, 7, 8]),
    ("Adam", 0.1): ([None, 0.06, 0.07, None], [9, 4, 6, 9]),
}
RUNS = [
    _run(name, lr, replica, bests[replica], epochs[replica])
    for (name, lr), (bests, epochs) in GRID.items()
    for replica in range(4)
]


def test_cells_come_in_optimizer_then_rate_order_with_their_statistics() -> None:
    summary = summarize(RUNS, ["SGD", "Adam"], [0.01, 0.1], shared_lr=0.1)
    assert [(c.optimizer, c.lr) for c in summary.cells] == list(GRID)
    assert summary.shared_lr == 0.1
    for cell, (bests, _) in zip(summary.cells, GRID.values()):
        finished = [b for b in bests if b is not None]
        assert (cell.runs, cell.diverged) == (4, 4 - len(finished))
        for stats, values in (
            (cell.best_val_loss, finished),
            (cell.final_val_loss, [b + 0.5 for b in finished]),
        ):
            assert stats is not None
            assert stats.mean == pytest.approx(statistics.mean(values), rel=1e-15)
            assert stats.std == pytest.approx(statistics.stdev(values), rel=1e-14)
            assert (stats.min, stats.max) == (min(values), max(values))
    # best epochs of the finished replicas, sorted: [1, 2, 4, 10] -> (2 + 4) / 2; [1, 2, 3] -> 2;
    # [2, 7, 7, 8] -> 7; [4, 6] -> 5
    assert [c.median_best_epoch for c in summary.cells] == [3.0, 2.0, 7.0, 5.0]


def test_wins_count_strict_leaders_per_replica_and_ties_apart() -> None:
    summary = summarize(RUNS, ["SGD", "Adam"], [0.01, 0.1])
    # lr 0.01: replica 0 Adam (0.3 < 0.4), 1 SGD, 2 tie (0.2 = 0.2), 3 Adam
    # lr 0.1: replica 0 both diverged (skipped), 1 and 2 ties, 3 SGD (Adam diverged)
    assert summary.wins == (
        (0.01, (("SGD", 1), ("Adam", 2)), 1),
        (0.1, (("SGD", 1), ("Adam", 0)), 2),
    )
    assert summary.shared_lr is None


def test_the_best_rate_skips_rates_where_a_replica_diverged() -> None:
    # SGD at 0.1 averages 0.06 < 0.25 at 0.01, but one replica diverged there
    summary = summarize(RUNS, ["SGD", "Adam"], [0.01, 0.1])
    assert summary.best_rates == (("SGD", summary.cells[0]), ("Adam", summary.cells[2]))


def test_the_best_rate_is_the_lowest_mean_and_the_lower_rate_on_a_tie() -> None:
    runs = [
        _run("SGD", 0.001, 0, 0.3),
        _run("SGD", 0.01, 0, 0.1),
        _run("SGD", 0.1, 0, 0.2),
        _run("Adam", 0.001, 0, 0.05),
        _run("Adam", 0.01, 0, 0.02),
        _run("Adam", 0.1, 0, 0.02),
        _run("Lion", 0.001, 0, None),
        _run("Lion", 0.01, 0, None),
        _run("Lion", 0.1, 0, None),
    ]
    summary = summarize(runs, ["SGD", "Adam", "Lion"], [0.001, 0.01, 0.1])
    best = {name: cell for name, cell in summary.best_rates}
    assert list(best) == ["SGD", "Adam", "Lion"]
    assert isinstance(best["SGD"], SweepCell)
    assert best["SGD"].lr == 0.01
    assert isinstance(best["Adam"], SweepCell)
    assert best["Adam"].lr == 0.01
    assert best["Lion"] is None
    lion = summary.cell("Lion", 0.1)
    assert (lion.runs, lion.diverged, lion.best_val_loss, lion.median_best_epoch) == (
        1,
        1,
        None,
        None,
    )
    # one replica: Adam wins every rate (0.05 < 0.3, 0.02 < 0.1, 0.02 < 0.2)
    assert summary.wins_at(0.01) == {"SGD": 0, "Adam": 1, "Lion": 0}
    assert [summary.ties_at(lr) for lr in (0.001, 0.01, 0.1)] == [0, 0, 0]


def test_a_single_replica_has_no_deviation() -> None:
    summary = summarize([_run("SGD", 0.1, 0, 0.25, epoch=6)], ["SGD"], [0.1])
    (cell,) = summary.cells
    assert cell.best_val_loss is not None
    assert cell.final_val_loss is not None
    assert (cell.best_val_loss.mean, cell.best_val_loss.std) == (0.25, None)
    assert (cell.final_val_loss.mean, cell.final_val_loss.std) == (0.75, None)
    assert cell.median_best_epoch == 6.0
    assert summary.wins == ((0.1, (("SGD", 1),), 0),)
