"""`mg-train sweep`: the artifacts, bad input (exit 2, nothing written) and a SIGKILLed sweep
that, run again with the same --out, ends with the sweep.json of an unbroken one."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import mg_train
import pytest
from mg_train import SWEEP_ARTIFACT_NAMES, diff_results, load_results
from mg_train.cli import main


def _config(epochs: int = 3, n_samples: int = 24) -> dict[str, object]:
    return {
        "dataset": {"name": "sine_regression", "n_samples": n_samples, "noise": 0.05, "seed": 0},
        "split": {"val_fraction": 0.25, "seed": 1},
        "model": {"hidden": [3], "activation": "relu", "seed": 2},
        "loss": "mse",
        "lr": 0.05,
        "epochs": epochs,
        "batch_size": 8,
        "shuffle_seed": 3,
        "optimizers": [{"type": "sgd"}, {"type": "adam"}],
    }


def _write(tmp_path: Path, config: object, name: str = "config.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_sweep_writes_the_four_artifacts(tmp_path: Path) -> None:
    config = _write(tmp_path, _config())
    out = tmp_path / "out"
    argv = ["sweep", "--config", str(config), "--seeds", "2", "--lr", "0.05,0.02"]
    code, stdout, stderr = _run([*argv, "--jobs", "1", "--out", str(out)])
    assert code == 0, stderr
    plotted = importlib.util.find_spec("matplotlib") is not None
    names = [*SWEEP_ARTIFACT_NAMES, "runs"] if plotted else [*SWEEP_ARTIFACT_NAMES[:3], "runs"]
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    assert len(list((out / "runs").glob("*.json"))) == 8
    assert "## At the shared rate (lr = 0.05)" in stdout
    if plotted:
        assert "wrote " + str(out / "lr_sensitivity.png") in stdout
        assert (out / "lr_sensitivity.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert "matplotlib is not installed: skipped lr_sensitivity.png" in stderr
    document = load_results(out / "sweep.json")
    assert list(document) == [
        "format",
        "format_version",
        "config",
        "plan",
        "runs",
        "aggregates",
        "environment",
        "timings",
    ]
    assert len(document["runs"]) == 8  # type: ignore[arg-type]
    rows = list(csv.reader((out / "sweep.csv").read_text(encoding="utf-8").splitlines()))
    assert rows[0][:3] == ["optimizer", "lr", "replica"]
    assert [row[:3] for row in rows[1:3]] == [["SGD", "0.02", "0"], ["SGD", "0.02", "1"]]
    report = (out / "sweep.md").read_text(encoding="utf-8")
    assert report == stdout[: len(report)]
    assert "## Each optimizer at its best rate" in report
    again = tmp_path / "again"
    assert _run([*argv, "--jobs", "2", "--out", str(again), "--quiet", "--no-plot"])[0] == 0
    assert not (again / "lr_sensitivity.png").exists()
    assert diff_results(load_results(again / "sweep.json"), document) == []
    code, stdout, _ = _run(
        ["check", str(again / "sweep.json"), "--reference", str(out / "sweep.json")]
    )
    assert code == 0
    assert "bit for bit" in stdout


BAD_ARGS = [
    (["--lr", ""], "--lr is empty"),
    (["--lr", "0.01,0"], "learning rate 0.0 must be a finite number > 0"),
    (["--lr", "-0.1"], "learning rate -0.1"),
    (["--lr", "0.01,fast"], "'fast' is not a number"),
    (["--lr", "0.01,inf"], "learning rate inf"),
    (["--seeds", "0"], "--seeds must be a positive integer, got 0"),
    (["--jobs", "0"], "--jobs must be a positive integer, got 0"),
    (["--optimizers", "SGD,RMSprop"], "unknown optimizer 'RMSprop'"),
]


@pytest.mark.parametrize(("extra", "needle"), BAD_ARGS)
def test_bad_arguments_exit_2_and_write_nothing(
    extra: list[str], needle: str, tmp_path: Path
) -> None:
    config = _write(tmp_path, _config())
    out = tmp_path / "out"
    code, stdout, stderr = _run(["sweep", "--config", str(config), "--out", str(out), *extra])
    assert code == 2
    assert needle in stderr
    assert stderr.count("\n") == 1
    assert stdout == ""
    assert not out.exists()


@pytest.mark.parametrize(
    ("config", "needle"),
    [
        ({"optimizers": [{"type": "rmsprop"}]}, "'optimizers[0].type'"),
        ({"optimizers": [{"type": "momentum", "dampening": 2.0}]}, "optimizers[0]"),
        ({"loss": "hinge"}, "'loss': 'hinge' needs targets of -1 or +1"),
        ({"epochs": 0}, "'epochs': must be >= 1, got 0"),
    ],
)
def test_a_config_that_cannot_run_exits_2_and_writes_nothing(
    config: dict[str, object], needle: str, tmp_path: Path
) -> None:
    path = _write(tmp_path, {**_config(), **config})
    out = tmp_path / "out"
    code, _, stderr = _run(["sweep", "--config", str(path), "--out", str(out), "--jobs", "1"])
    assert code == 2
    assert needle in stderr
    assert not out.exists()


def test_an_out_of_another_config_or_a_file_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = _write(tmp_path, _config(), "first.json")
    assert (
        _run(["sweep", "--config", str(first), "--out", str(out), "--seeds", "1", "--quiet"])[0]
        == 0
    )
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    other = _write(tmp_path, {**_config(), "epochs": 4}, "other.json")
    code, _, stderr = _run(
        ["sweep", "--config", str(other), "--out", str(out), "--seeds", "1", "--jobs", "1"]
    )
    assert code == 2
    assert "another config" in stderr
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    a_file = tmp_path / "a_file"
    a_file.write_text("x", encoding="utf-8")
    code, _, stderr = _run(["sweep", "--config", str(first), "--out", str(a_file)])
    assert (code, a_file.read_text(encoding="utf-8")) == (2, "x")
    assert "is not a directory" in stderr


def test_help_names_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["sweep", "--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    for option in ("--config", "--out", "--seeds", "--lr", "--jobs", "--optimizers", "--no-plot"):
        assert option in text


def test_a_sigkilled_sweep_resumes_to_the_unbroken_sweep_json(tmp_path: Path) -> None:
    """The real command on two worker processes, its whole process group SIGKILLed once a few
    runs are stored; the same command again runs only the rest and writes the same sweep.json
    (timings aside) as a sweep that never stopped."""
    config = _write(tmp_path, _config(epochs=30, n_samples=48))
    common = ["sweep", "--config", str(config), "--seeds", "3", "--lr", "0.05,0.02", "--quiet"]
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "mg_train.cli", *common, "--jobs", "2", "--out", str(out)]
    # The child imports the very mg_train this test imported (a mutated copy under mutmut, which
    # is on sys.path but not installed), not whatever else the interpreter would find.
    source = str(Path(mg_train.__file__).resolve().parents[1])
    path = os.pathsep.join(p for p in (source, os.environ.get("PYTHONPATH", "")) if p)
    child = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env=dict(os.environ, PYTHONPATH=path),
    )
    runs = out / "runs"
    deadline = time.monotonic() + 120.0
    while time.monotonic() < deadline and child.poll() is None:
        if runs.is_dir() and len(list(runs.glob("*.json"))) >= 2:
            os.killpg(child.pid, signal.SIGKILL)
            break
        time.sleep(0.005)
    _, stderr = child.communicate()
    assert child.returncode == -signal.SIGKILL, stderr.decode()
    stored = len(list(runs.glob("*.json")))
    assert 2 <= stored < 12
    assert not (out / "sweep.json").exists()

    code, _, err = _run([*common, "--jobs", "1", "--out", str(out)])
    assert code == 0, err
    unbroken = tmp_path / "unbroken"
    assert _run([*common, "--jobs", "1", "--out", str(unbroken)])[0] == 0
    resumed = load_results(out / "sweep.json")
    assert diff_results(resumed, load_results(unbroken / "sweep.json")) == []
    timings = resumed["timings"]
    assert isinstance(timings, dict)
    flags = [run["resumed"] for run in timings["runs"]]
    assert sum(flags) == stored


def test_without_matplotlib_the_plot_is_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    config = _write(tmp_path, _config())
    out = tmp_path / "out"
    code, _, stderr = _run(["sweep", "--config", str(config), "--out", str(out), "--jobs", "1"])
    assert code == 0
    assert "mg-train: note: matplotlib is not installed: skipped lr_sensitivity.png" in stderr
    assert not (out / "lr_sensitivity.png").exists()
    assert (out / "sweep.json").exists()
