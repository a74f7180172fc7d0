"""`mg_train._sweep_store`: the run record a resumable sweep writes (its exact layout and name)
and every way `load_finished` refuses a file, each with the message a user sees. The records
are written here by hand, not by the code under test, wherever the test is about reading."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from message_kit import exactly
from mg_train import ReplicaSeeds, SweepError
from mg_train._sweep_store import Task, load_finished, run_file, store
from sweep_kit import outcome

OUTCOME = outcome()
TASK = Task("Adam", 0.01, 2, ReplicaSeeds(2001, 2002, 2003), {"lr": 0.01, "epochs": 3})
PAYLOAD = {
    "optimizer": "Adam",
    "lr": 0.01,
    "replica": 2,
    "seeds": {"split": 2001, "model": 2002, "shuffle": 2003},
    "config": {"lr": 0.01, "epochs": 3},
}


def _record(**changes: object) -> dict[str, object]:
    record: dict[str, object] = {
        "format": "mg-train-sweep-run",
        "format_version": 1,
        "task": PAYLOAD,
        "outcome": OUTCOME,
    }
    record.update(changes)
    return record


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_task_is_plain_data() -> None:
    assert TASK.payload() == PAYLOAD
    assert list(TASK.payload()) == ["optimizer", "lr", "replica", "seeds", "config"]


def test_a_run_file_is_named_by_optimizer_rate_and_replica() -> None:
    assert run_file(TASK) == "Adam-lr0.01-r2.json"
    odd = Task("my opt/2", 1e-05, 11, ReplicaSeeds(0, 0, 0), {})
    assert run_file(odd) == "my_opt_2-lr1e-05-r11.json"


def test_a_stored_record_is_indented_json_with_format_task_and_outcome(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / run_file(TASK)
    store(path, TASK, OUTCOME)
    store(path, TASK, OUTCOME)  # storing again into the existing directory is fine
    text = path.read_text(encoding="utf-8")
    assert text.startswith(
        '{\n "format": "mg-train-sweep-run",\n "format_version": 1,\n "task": {\n  "optimizer"'
    )
    assert text.endswith("\n }\n}\n")
    assert json.loads(text) == _record()
    assert load_finished(path, TASK) == OUTCOME


def test_a_non_finite_outcome_is_never_written(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        store(path, TASK, {**OUTCOME, "best_val_loss": float("nan")})
    assert list(tmp_path.iterdir()) == []


def test_no_file_means_no_finished_run(tmp_path: Path) -> None:
    assert load_finished(tmp_path / "missing.json", TASK) is None


def test_a_hand_written_record_is_read_whatever_its_key_order(tmp_path: Path) -> None:
    reordered = {key: PAYLOAD[key] for key in reversed(list(PAYLOAD))}
    path = _write(tmp_path / "run.json", _record(task=reordered))
    assert load_finished(path, TASK) == OUTCOME


def test_an_unreadable_file_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    path.write_text('{"format": NaN}', encoding="utf-8")
    with pytest.raises(
        SweepError,
        match=exactly(f"cannot read the finished-run file {path}: non-finite number NaN"),
    ):
        load_finished(path, TASK)
    path.write_text(json.dumps(_record()).replace("0.125", "-Infinity"), encoding="utf-8")
    with pytest.raises(
        SweepError,
        match=exactly(f"cannot read the finished-run file {path}: non-finite number -Infinity"),
    ):
        load_finished(path, TASK)
    path.write_bytes(b'{"format": "\xff"}')
    with pytest.raises(
        SweepError,
        match=f"^{re.escape(f'cannot read the finished-run file {path}: ')}"
        ".*can't decode byte 0xff",
    ):
        load_finished(path, TASK)


@pytest.mark.parametrize(
    "data",
    [
        [1, 2],
        _record(format="mg-train-results"),
        _record(format_version=2),
        _record(outcome=[OUTCOME]),
        _record(outcome={k: v for k, v in OUTCOME.items() if k != "wall_seconds"}),
        _record(outcome={**OUTCOME, "extra": 1}),
    ],
)
def test_a_file_that_is_no_run_record_is_refused(tmp_path: Path, data: object) -> None:
    path = _write(tmp_path / "run.json", data)
    message = (
        f"{path} is not a sweep run record of this mg-train (format 'mg-train-sweep-run' "
        "version 1); delete it to run that task again"
    )
    with pytest.raises(SweepError, match=exactly(message)):
        load_finished(path, TASK)


@pytest.mark.parametrize(
    "task", [None, {**PAYLOAD, "replica": 3}, {**PAYLOAD, "lr": 0.010000000000000002}]
)
def test_a_record_of_another_task_is_refused(tmp_path: Path, task: object) -> None:
    path = _write(tmp_path / "run.json", _record(task=task))
    message = (
        f"{path} was written by a sweep with another config for optimizer 'Adam', lr 0.01, "
        "replica 2; resuming would mix two experiments (delete the directory or choose "
        "another --out)"
    )
    with pytest.raises(SweepError, match=exactly(message)):
        load_finished(path, TASK)


def test_an_int_is_not_the_float_it_equals(tmp_path: Path) -> None:
    task = Task("Adam", 1.0, 0, ReplicaSeeds(1, 2, 3), {"lr": 1.0})
    payload = {**task.payload(), "lr": 1, "config": {"lr": 1}}
    path = _write(tmp_path / "run.json", _record(task=payload))
    with pytest.raises(SweepError, match="written by a sweep with another config"):
        load_finished(path, task)


def test_a_record_with_a_bad_outcome_field_names_the_file_and_the_field(tmp_path: Path) -> None:
    path = _write(tmp_path / "run.json", _record(outcome={**OUTCOME, "best_epoch": "3"}))
    message = (
        f"{path}: run outcome best_epoch must be an integer, got '3'; delete it to run that "
        "task again"
    )
    with pytest.raises(SweepError, match=exactly(message)):
        load_finished(path, TASK)
