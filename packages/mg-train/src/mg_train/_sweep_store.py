"""Where a resumable sweep keeps its finished runs: one JSON record per run.

A record holds the task exactly as it was planned - the run's whole config, its optimizer, rate,
replica and seeds - and what the run returned. It is written atomically by the process that
drives the sweep (never by a worker, so remote workers need no shared disk), and read back only
when the planned task is identical, compared as canonical JSON (so ``1`` is not ``1.0``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ._atomic import atomic_write_text
from ._json import loads_strict
from .compare import checkpoint_file_names
from .sweep_summary import ReplicaSeeds, SweepError, SweepRun

__all__ = ["Task", "load_finished", "run_file", "store"]

_RUN_FORMAT = "mg-train-sweep-run"
_RUN_FORMAT_VERSION = 1


@dataclass(frozen=True)
class Task:
    optimizer: str
    lr: float
    replica: int
    seeds: ReplicaSeeds
    config: dict[str, object]

    def payload(self) -> dict[str, object]:
        return {
            "optimizer": self.optimizer,
            "lr": self.lr,
            "replica": self.replica,
            "seeds": self.seeds.to_dict(),
            "config": self.config,
        }


def run_file(task: Task) -> str:
    stem = checkpoint_file_names([task.optimizer])[task.optimizer][: -len(".json")]
    return f"{stem}-lr{task.lr!r}-r{task.replica}.json"


def _canonical(data: object) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)


_OUTCOME_KEYS = (
    "optimizer",
    "lr",
    "replica",
    "seeds",
    "final_train_loss",
    "final_val_loss",
    "best_val_loss",
    "best_epoch",
    "diverged",
    "wall_seconds",
)


def load_finished(path: Path, task: Task) -> Optional[dict[str, object]]:
    """The stored outcome of ``task`` from ``path``, None if there is no file; SweepError if the
    file is not a run record or was written for another config."""
    if not path.exists():
        return None
    try:
        data = loads_strict(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:  # UnicodeDecodeError is a ValueError
        raise SweepError(f"cannot read the finished-run file {path}: {error}") from None
    if (
        not isinstance(data, dict)
        or data.get("format") != _RUN_FORMAT
        or data.get("format_version") != _RUN_FORMAT_VERSION
        or not isinstance(data.get("outcome"), dict)
        or sorted(data["outcome"]) != sorted(_OUTCOME_KEYS)
    ):
        raise SweepError(
            f"{path} is not a sweep run record of this mg-train (format {_RUN_FORMAT!r} "
            f"version {_RUN_FORMAT_VERSION}); delete it to run that task again"
        )
    if _canonical(data.get("task")) != _canonical(task.payload()):
        raise SweepError(
            f"{path} was written by a sweep with another config for optimizer "
            f"{task.optimizer!r}, lr {task.lr!r}, replica {task.replica}; resuming would mix "
            "two experiments (delete the directory or choose another --out)"
        )
    outcome: dict[str, object] = data["outcome"]
    try:
        SweepRun.from_outcome(outcome, resumed=True)  # every field checked before anything runs
    except SweepError as error:
        raise SweepError(f"{path}: {error}; delete it to run that task again") from None
    return outcome


def store(path: Path, task: Task, outcome: Mapping[str, object]) -> None:
    document = {
        "format": _RUN_FORMAT,
        "format_version": _RUN_FORMAT_VERSION,
        "task": task.payload(),
        "outcome": dict(outcome),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(document, indent=1, allow_nan=False) + "\n")
