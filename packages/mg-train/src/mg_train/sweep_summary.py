"""A sweep's runs and what they add up to: statistics per (optimizer, rate), wins, best rates.

Every number here is computed in a fixed order from the runs in plan order, with `math.fsum`
(correctly rounded, so the same on every Python - unlike ``sum()`` of floats, which changed in
3.12) and `math.sqrt`, so the aggregates are as reproducible as the runs.

* mean = fsum(x) / n; std = sqrt(fsum((x - mean)^2) / (n - 1)), the sample standard deviation
  (None for a single replica, where it is undefined); min and max.
* median best epoch: the middle one, or the mean of the two middle ones.
* A *win* at a rate: in one replica - same split, weights and batch order for every optimizer -
  the optimizer with the strictly lowest best validation loss. An exact tie is counted as a tie,
  not a win; a run that diverged cannot win.
* An optimizer's *best rate*: the rate with the lowest mean best validation loss among those
  where none of its replicas diverged (the lower rate on a tie).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Optional

__all__ = [
    "LossStats",
    "ReplicaSeeds",
    "SweepCell",
    "SweepError",
    "SweepRun",
    "SweepSummary",
    "summarize",
]


class SweepError(ValueError):
    """A sweep that cannot run as asked; the message names the offending value."""


@dataclass(frozen=True)
class ReplicaSeeds:
    """The three seeds one replica trains with (the dataset seed never changes)."""

    split: int
    model: int
    shuffle: int

    def to_dict(self) -> dict[str, object]:
        return {"split": self.split, "model": self.model, "shuffle": self.shuffle}


def _number(value: object, key: str, *, optional: bool) -> Optional[float]:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SweepError(f"run outcome {key} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise SweepError(f"run outcome {key} must be finite, got {value!r}")
    return float(value)


def _integer(value: object, key: str, *, optional: bool) -> Optional[int]:
    if value is None and optional:
        return None
    return _required_int(value, key)


def _required_int(value: object, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SweepError(f"run outcome {key} must be an integer, got {value!r}")
    return value


def _required_number(value: object, key: str) -> float:
    number = _number(value, key, optional=False)
    if number is None:  # unreachable: a required number is never None
        raise SweepError(f"run outcome {key} is missing")
    return number


@dataclass(frozen=True)
class SweepRun:
    """One run's table row. A diverged run (NaN or infinite loss) has no losses, only the
    epoch and batch where it stopped (``diverged_at``)."""

    optimizer: str
    lr: float
    replica: int
    seeds: ReplicaSeeds
    final_train_loss: Optional[float]
    final_val_loss: Optional[float]
    best_val_loss: Optional[float]
    best_epoch: Optional[int]
    diverged_at: Optional[tuple[int, Optional[int]]]
    wall_time: float
    resumed: bool

    def to_dict(self) -> dict[str, object]:
        """The deterministic fields (wall time and resumption belong to the timings)."""
        return {
            "optimizer": self.optimizer,
            "lr": self.lr,
            "replica": self.replica,
            "seeds": self.seeds.to_dict(),
            "final_train_loss": self.final_train_loss,
            "final_val_loss": self.final_val_loss,
            "best_val_loss": self.best_val_loss,
            "best_epoch": self.best_epoch,
            "diverged": None
            if self.diverged_at is None
            else {"epoch": self.diverged_at[0], "batch": self.diverged_at[1]},
        }

    @classmethod
    def from_outcome(cls, outcome: Mapping[str, object], *, resumed: bool) -> SweepRun:
        """Rebuild from what `mg_train.sweep_run.run_sweep_task` returned (or a stored copy of it),
        checking every field (SweepError naming it)."""
        name = outcome.get("optimizer")
        if not isinstance(name, str):
            raise SweepError(f"run outcome optimizer must be a string, got {name!r}")
        seeds = outcome.get("seeds")
        if not isinstance(seeds, Mapping) or sorted(seeds) != ["model", "shuffle", "split"]:
            raise SweepError(f"run outcome seeds must hold split, model, shuffle, got {seeds!r}")
        diverged = outcome.get("diverged")
        diverged_at: Optional[tuple[int, Optional[int]]] = None
        if diverged is not None:
            if not isinstance(diverged, Mapping):
                raise SweepError(f"run outcome diverged must be an object, got {diverged!r}")
            epoch = _required_int(diverged.get("epoch"), "diverged.epoch")
            diverged_at = (epoch, _integer(diverged.get("batch"), "diverged.batch", optional=True))
        split, model, shuffle = (
            _required_int(seeds.get(key), f"seeds.{key}") for key in ("split", "model", "shuffle")
        )
        finished = diverged_at is None
        return cls(
            optimizer=name,
            lr=_required_number(outcome.get("lr"), "lr"),
            replica=_required_int(outcome.get("replica"), "replica"),
            seeds=ReplicaSeeds(split, model, shuffle),
            final_train_loss=_number(
                outcome.get("final_train_loss"), "final_train_loss", optional=not finished
            ),
            final_val_loss=_number(
                outcome.get("final_val_loss"), "final_val_loss", optional=not finished
            ),
            best_val_loss=_number(
                outcome.get("best_val_loss"), "best_val_loss", optional=not finished
            ),
            best_epoch=_integer(outcome.get("best_epoch"), "best_epoch", optional=not finished),
            diverged_at=diverged_at,
            wall_time=_required_number(outcome.get("wall_seconds"), "wall_seconds"),
            resumed=resumed,
        )


@dataclass(frozen=True)
class LossStats:
    """Mean, sample standard deviation (None for one value), min and max of a loss."""

    mean: float
    std: Optional[float]
    min: float
    max: float

    @classmethod
    def of(cls, values: Sequence[float]) -> LossStats:
        if not values:
            raise ValueError("LossStats.of needs at least one value")
        mean = math.fsum(values) / len(values)
        std = (
            None
            if len(values) < 2
            else math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1))
        )
        return cls(mean, std, min(values), max(values))

    def to_dict(self) -> dict[str, object]:
        return {"mean": self.mean, "std": self.std, "min": self.min, "max": self.max}


@dataclass(frozen=True)
class SweepCell:
    """One optimizer at one rate, over its replicas (statistics of the finished ones)."""

    optimizer: str
    lr: float
    runs: int
    diverged: int
    best_val_loss: Optional[LossStats]
    final_val_loss: Optional[LossStats]
    median_best_epoch: Optional[float]

    def to_dict(self) -> dict[str, object]:
        return {
            "optimizer": self.optimizer,
            "lr": self.lr,
            "runs": self.runs,
            "diverged": self.diverged,
            "best_val_loss": None if self.best_val_loss is None else self.best_val_loss.to_dict(),
            "final_val_loss": None
            if self.final_val_loss is None
            else self.final_val_loss.to_dict(),
            "median_best_epoch": self.median_best_epoch,
        }


@dataclass(frozen=True)
class SweepSummary:
    """The aggregates of a sweep: every cell, the wins at every rate, each best rate."""

    cells: tuple[SweepCell, ...]
    wins: tuple[tuple[float, tuple[tuple[str, int], ...], int], ...]
    """Per rate: (lr, ((optimizer, wins), ...) in config order, ties)."""
    best_rates: tuple[tuple[str, Optional[SweepCell]], ...]
    shared_lr: Optional[float]

    def cell(self, optimizer: str, lr: float) -> SweepCell:
        for cell in self.cells:
            if cell.optimizer == optimizer and cell.lr == lr:
                return cell
        raise KeyError(f"no cell for optimizer {optimizer!r} at lr {lr!r}")

    def wins_at(self, lr: float) -> dict[str, int]:
        """How many replicas each optimizer won at ``lr`` (KeyError for a rate not swept)."""
        for rate, counts, _ in self.wins:
            if rate == lr:
                return dict(counts)
        raise KeyError(f"lr {lr!r} was not swept")

    def ties_at(self, lr: float) -> int:
        for rate, _, ties in self.wins:
            if rate == lr:
                return ties
        raise KeyError(f"lr {lr!r} was not swept")

    def best_rate(self, optimizer: str) -> Optional[SweepCell]:
        """The cell at the optimizer's best rate (None if it diverged at every rate)."""
        for name, cell in self.best_rates:
            if name == optimizer:
                return cell
        raise KeyError(f"no optimizer {optimizer!r} in this sweep")

    def to_dict(self) -> dict[str, object]:
        return {
            "shared_lr": self.shared_lr,
            "std": "sample standard deviation over replicas (n - 1); null for one replica",
            "cells": [cell.to_dict() for cell in self.cells],
            "wins": [
                {"lr": lr, "wins": dict(counts), "ties": ties} for lr, counts, ties in self.wins
            ],
            "best_rates": [
                {"optimizer": name, "lr": None if cell is None else cell.lr}
                for name, cell in self.best_rates
            ],
        }


def _median(values: Sequence[int]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2.0


def summarize(
    runs: Sequence[SweepRun],
    optimizers: Sequence[str],
    learning_rates: Sequence[float],
    *,
    shared_lr: Optional[float] = None,
) -> SweepSummary:
    """The aggregates of ``runs`` (see the module docstring); cells in optimizer-then-rate order."""
    cells: list[SweepCell] = []
    for name in optimizers:
        for lr in learning_rates:
            group = [run for run in runs if run.optimizer == name and run.lr == lr]
            done = [run for run in group if run.diverged_at is None]
            best = [run.best_val_loss for run in done if run.best_val_loss is not None]
            final = [run.final_val_loss for run in done if run.final_val_loss is not None]
            epochs = [run.best_epoch for run in done if run.best_epoch is not None]
            cells.append(
                SweepCell(
                    optimizer=name,
                    lr=lr,
                    runs=len(group),
                    diverged=len(group) - len(done),
                    best_val_loss=LossStats.of(best) if best else None,
                    final_val_loss=LossStats.of(final) if final else None,
                    median_best_epoch=_median(epochs) if epochs else None,
                )
            )

    wins: list[tuple[float, tuple[tuple[str, int], ...], int]] = []
    replicas = sorted({run.replica for run in runs})
    for lr in learning_rates:
        counts = dict.fromkeys(optimizers, 0)
        ties = 0
        for replica in replicas:
            scored = [
                (run.best_val_loss, run.optimizer)
                for run in runs
                if run.lr == lr and run.replica == replica and run.best_val_loss is not None
            ]
            if not scored:
                continue
            lowest = min(score for score, _ in scored)
            leaders = [name for score, name in scored if score == lowest]
            if len(leaders) == 1:
                counts[leaders[0]] += 1
            else:
                ties += 1
        wins.append((lr, tuple(counts.items()), ties))

    best_rates: list[tuple[str, Optional[SweepCell]]] = []
    for name in optimizers:
        chosen: Optional[SweepCell] = None
        for cell in cells:
            if cell.optimizer != name or cell.diverged or cell.best_val_loss is None:
                continue
            if chosen is None or (
                chosen.best_val_loss is not None
                and cell.best_val_loss.mean < chosen.best_val_loss.mean
            ):
                chosen = cell
        best_rates.append((name, chosen))
    return SweepSummary(tuple(cells), tuple(wins), tuple(best_rates), shared_lr)
