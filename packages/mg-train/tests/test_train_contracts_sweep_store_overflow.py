"""A finished-run record holding a number that overflows is refused naming its file.

Found by the mutation triage: json reads ``1e999`` as inf without calling ``parse_constant``,
and the record was then refused with json's bare "Out of range float values" error, naming
neither the file nor the number. load_finished now parses floats with a finite check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mg_train import ReplicaSeeds, SweepError
from mg_train._sweep_store import Task, load_finished

TASK = Task("Adam", 0.01, 0, ReplicaSeeds(1, 2, 3), {"lr": 0.01})
OUTCOME: dict[str, object] = {
    "optimizer": "Adam",
    "lr": 0.01,
    "replica": 0,
    "seeds": {"split": 1, "model": 2, "shuffle": 3},
    "final_train_loss": 0.5,
    "final_val_loss": 0.25,
    "best_val_loss": 0.125,
    "best_epoch": 1,
    "diverged": None,
    "wall_seconds": 1.0,
}


def test_a_record_whose_task_overflows_to_infinity_is_refused_naming_the_file(
    tmp_path: Path,
) -> None:
    task = {**TASK.payload(), "lr": 0.0}
    document = {
        "format": "mg-train-sweep-run",
        "format_version": 1,
        "task": task,
        "outcome": OUTCOME,
    }
    path = tmp_path / "run.json"
    path.write_text(json.dumps(document).replace('"lr": 0.0', '"lr": 1e999'), encoding="utf-8")
    with pytest.raises(SweepError) as refused:
        load_finished(path, TASK)
    assert str(refused.value) == (
        f"cannot read the finished-run file {path}: number 1e999 overflows to inf"
    )
