from __future__ import annotations

import csv
import importlib.util
import json
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from mg_train import (
    Comparison,
    History,
    Run,
    diff_results,
    parse_config,
    run_experiment,
    write_artifacts,
)
from mg_train._atomic import atomic_write_text


def _result(config_factory: Callable[[], dict[str, object]]) -> Comparison:
    return run_experiment(parse_config(config_factory()), verbose=False)


def test_artifact_contents(tmp_path: Path, config_factory: Callable[[], dict[str, object]]) -> None:
    result = _result(config_factory)
    report = write_artifacts(result, tmp_path / "out", plot=False)
    assert [p.name for p in report.written] == ["results.json", "table.md", "history.csv"]
    doc = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert list(doc) == [
        "format",
        "format_version",
        "config",
        "initial_state",
        "runs",
        "table",
        "environment",
        "timings",
    ]
    assert doc["config"] == parse_config(config_factory()).to_dict()
    assert [row["optimizer"] for row in doc["table"]] == ["SGD", "Momentum", "Adam"]
    assert set(doc["table"][0]) == {
        "optimizer",
        "final_train_loss",
        "final_val_loss",
        "best_val_loss",
        "best_epoch",
    }
    for run, row in zip(doc["runs"], doc["table"]):
        assert "epoch_time" not in run["history"]
        assert row["final_train_loss"] == run["history"]["train_loss"][-1]
        assert row["best_val_loss"] == min(run["history"]["val_loss"])
    env = doc["environment"]
    assert env["python_version"]
    assert env["python_implementation"]
    assert set(env["packages"]) == {"mg-autograd", "mg-nn", "mg-optim", "mg-train"}
    assert len(doc["timings"]["runs"][0]["epoch_seconds"]) == 3

    table = (tmp_path / "out" / "table.md").read_text(encoding="utf-8").splitlines()
    assert (
        table[0] == "| Optimizer | Final Train Loss | Final Val Loss | Best Val Loss | Best Epoch |"
    )
    sgd = doc["table"][0]
    assert table[2] == (
        f"| SGD | {sgd['final_train_loss']:.6f} | {sgd['final_val_loss']:.6f} "
        f"| {sgd['best_val_loss']:.6f} | {sgd['best_epoch']} |"
    )
    with open(tmp_path / "out" / "history.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 9
    assert rows[0]["optimizer"] == "SGD"
    assert rows[0]["epoch"] == "1"
    assert float(rows[0]["train_loss"]) == doc["runs"][0]["history"]["train_loss"][0]


def test_deterministic_sections_repeat_bit_for_bit(
    tmp_path: Path, config_factory: Callable[[], dict[str, object]]
) -> None:
    for name in ("a", "b"):
        write_artifacts(_result(config_factory), tmp_path / name, plot=False)
    a = json.loads((tmp_path / "a" / "results.json").read_text(encoding="utf-8"))
    b = json.loads((tmp_path / "b" / "results.json").read_text(encoding="utf-8"))
    assert diff_results(a, b) == []
    changed = json.loads(json.dumps(a))
    value = changed["runs"][1]["history"]["val_loss"][2]
    bumped = math.nextafter(value, math.inf)
    changed["runs"][1]["history"]["val_loss"][2] = bumped
    assert diff_results(changed, a) == [
        f"results.runs[1].history.val_loss[2]: {bumped!r} ({bumped.hex()}) "
        f"!= reference {value!r} ({value.hex()})"
    ]
    changed["timings"] = {}
    changed["runs"][1]["history"]["val_loss"][2] = value
    assert diff_results(changed, a) == []


def test_the_plot_or_a_note(
    tmp_path: Path, config_factory: Callable[[], dict[str, object]]
) -> None:
    report = write_artifacts(_result(config_factory), tmp_path)
    if importlib.util.find_spec("matplotlib") is not None:
        assert (tmp_path / "loss_curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert report.notes == ()
    else:
        assert not (tmp_path / "loss_curves.png").exists()
        assert "matplotlib" in report.notes[0]


def test_missing_matplotlib_is_a_note_not_a_crash(
    tmp_path: Path, config_factory: Callable[[], dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    report = write_artifacts(_result(config_factory), tmp_path)
    assert len(report.notes) == 1
    assert "matplotlib is not installed" in report.notes[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.csv", "results.json", "table.md"]


def test_a_failed_rename_keeps_the_old_file_and_the_next_write_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "results.json"
    atomic_write_text(target, "old\n")

    def crash(src: object, dst: object) -> None:
        raise OSError("simulated crash before the rename")

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", crash)
        with pytest.raises(OSError, match="simulated"):
            atomic_write_text(target, "new\n")
    assert target.read_text(encoding="utf-8") == "old\n"
    (tmp_path / ".results.json.tmp").write_text(
        "half", encoding="utf-8"
    )  # as a killed process leaves it
    atomic_write_text(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_nan_results_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    history = History()
    history.append(math.nan, 1.0, 0.1, 0.0)
    bad = Comparison((Run("SGD", history, 0.0, {"w": 1.0}),), {"w": 1.0})
    with pytest.raises(ValueError, match="Out of range float"):
        write_artifacts(bad, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_failing_plot_writes_nothing_so_the_set_stays_one_run(
    tmp_path: Path, config_factory: Callable[[], dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: results.json, table.md and history.csv were written before the plot was
    rendered, so a plot error left them beside the previous run's loss_curves.png."""
    out = tmp_path / "out"
    write_artifacts(_result(config_factory), out, plot=False)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken_plot(result: Comparison) -> bytes:
        raise RuntimeError("simulated matplotlib failure")

    monkeypatch.setattr("mg_train.artifacts.plot_loss_curves", broken_plot)
    config = config_factory()
    config["epochs"] = 2
    with pytest.raises(RuntimeError, match="simulated"):
        write_artifacts(run_experiment(parse_config(config), verbose=False), out, plot=True)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_results_json_is_renamed_last_and_reported_first(
    tmp_path: Path, config_factory: Callable[[], dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    renamed: list[str] = []
    real_replace = os.replace

    def record(src: str, dst: str) -> None:
        renamed.append(Path(dst).name)
        real_replace(src, dst)

    monkeypatch.setattr("mg_train._atomic.os.replace", record)
    monkeypatch.setattr("mg_train.artifacts.plot_loss_curves", lambda result: b"\x89PNG fake")
    report = write_artifacts(_result(config_factory), tmp_path)
    assert renamed == ["table.md", "history.csv", "loss_curves.png", "results.json"]
    assert [p.name for p in report.written] == [
        "results.json",
        "table.md",
        "history.csv",
        "loss_curves.png",
    ]
