"""Contracts of ``mg-train sweep`` (mg_train.sweep_cli) and of the parser's defaults: exact
messages, boundaries (``--seeds 1`` / ``--jobs 1`` accepted, 0 refused) and what is written."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from mg_train import load_results
from mg_train.cli import build_parser, main
from mg_train.sweep_cli import RUNS_DIR_NAME


def config() -> dict[str, object]:
    return {
        "dataset": {"name": "sine_regression", "n_samples": 8, "noise": 0.05, "seed": 0},
        "model": {"hidden": [2], "seed": 2},
        "lr": 0.05,
        "epochs": 1,
        "batch_size": 4,
        "optimizers": [{"type": "sgd"}, {"type": "adam"}],
    }


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def sweep(tmp_path: Path, *extra: str) -> tuple[int, str, str]:
    path = tmp_path / "config.json"
    if not path.exists():
        path.write_text(json.dumps(config()), encoding="utf-8")
    return run(["sweep", "--config", str(path), "--out", str(tmp_path / "out"), *extra])


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--lr", ""], "--lr is empty; give at least one learning rate > 0"),
        (["--lr", " "], "--lr is empty; give at least one learning rate > 0"),
        (["--lr", "0.1,x"], "--lr: 'x' is not a number (in --lr '0.1,x')"),
        (["--lr", "0.1,,0.2"], "--lr: '' is not a number (in --lr '0.1,,0.2')"),
        (["--seeds", "0"], "--seeds must be a positive integer, got 0"),
        (["--seeds", "-3"], "--seeds must be a positive integer, got -3"),
        (["--jobs", "0"], "--jobs must be a positive integer, got 0"),
    ],
)
def test_bad_arguments_are_one_exact_line(extra: list[str], message: str, tmp_path: Path) -> None:
    assert sweep(tmp_path, *extra) == (2, "", f"mg-train: error: {message}\n")
    assert not (tmp_path / "out").exists()


def test_an_out_that_is_a_file_is_refused_exactly(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("mine", encoding="utf-8")
    assert sweep(tmp_path) == (
        2,
        "",
        f"mg-train: error: --out {tmp_path / 'out'} exists and is not a directory\n",
    )


def test_a_bad_config_is_named(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({**config(), "lr": 0}), encoding="utf-8")
    assert sweep(tmp_path) == (2, "", "mg-train: error: config key 'lr': must be > 0, got 0\n")


def test_one_seed_one_job_and_chosen_optimizers_and_rates(tmp_path: Path) -> None:
    code, out, err = sweep(
        tmp_path,
        *["--seeds", "1", "--jobs", "1", "--optimizers", "Adam", "--lr", "0.1, 0.2", "--no-plot"],
    )
    assert code == 0, err
    runs = sorted(p.name for p in (tmp_path / "out" / RUNS_DIR_NAME).iterdir())
    assert len(runs) == 2  # one optimizer x two rates x one replica
    document = load_results(tmp_path / "out" / "sweep.json")
    report = (tmp_path / "out" / "sweep.md").read_text(encoding="utf-8")
    assert out.startswith(report)
    written = out[len(report) :].splitlines()
    assert written == [
        f"wrote {tmp_path / 'out' / 'sweep.json'}",
        f"wrote {tmp_path / 'out' / 'sweep.md'}",
        f"wrote {tmp_path / 'out' / 'sweep.csv'}",
    ]
    plan = document["plan"]
    assert isinstance(plan, dict)
    assert plan["learning_rates"] == [0.1, 0.2]
    assert plan["optimizers"] == ["Adam"]
    assert plan["replicas"] == 1
    timings = document["timings"]
    assert isinstance(timings, dict)
    assert timings["executor"] == "in-process (jobs=1)"  # --jobs 1 reaches sweep: no pool
    assert err.startswith("run 1/2 - Adam lr=0.1 replica 0 - ")  # progress goes to stderr


def test_quiet_prints_nothing_and_no_plot_skips_the_picture(tmp_path: Path) -> None:
    assert sweep(tmp_path, "--seeds", "1", "--jobs", "1", "--quiet", "--no-plot") == (0, "", "")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        RUNS_DIR_NAME,
        "sweep.csv",
        "sweep.json",
        "sweep.md",
    ]
    assert RUNS_DIR_NAME == "runs"
    document = load_results(tmp_path / "out" / "sweep.json")
    plan = document["plan"]
    assert isinstance(plan, dict)
    assert plan["learning_rates"] == [0.05]  # without --lr: the config's rate
    assert plan["optimizers"] == ["SGD", "Adam"]  # without --optimizers: all of them


def test_without_matplotlib_the_note_is_on_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, out, err = sweep(tmp_path, "--seeds", "1", "--jobs", "1", "--quiet")
    assert (code, out) == (0, "")
    assert err.startswith("mg-train: note: matplotlib is not installed: skipped lr_sensitivity.png")
    assert err.count("\n") == 1


def test_parser_defaults_and_types() -> None:
    args = build_parser().parse_args(["sweep", "--config", "c.json", "--out", "o"])
    assert vars(args) == {
        "command": "sweep",
        "config": Path("c.json"),
        "out": Path("o"),
        "seeds": 5,
        "lr": None,
        "jobs": None,
        "optimizers": None,
        "quiet": False,
        "no_plot": False,
    }
    given = build_parser().parse_args(
        ["sweep", "--config", "c", "--out", "o", "--seeds", "3", "--jobs", "2", "--lr", "0.1"]
    )
    assert (given.seeds, given.jobs, given.lr) == (3, 2, "0.1")
    args = build_parser().parse_args(["compare", "--config", "c.json", "--out", "o"])
    assert vars(args) == {
        "command": "compare",
        "config": Path("c.json"),
        "out": Path("o"),
        "checkpoint_dir": None,
        "export_safetensors": None,
        "quiet": False,
        "no_plot": False,
    }
    args = build_parser().parse_args(
        [
            *["compare", "--config", "c", "--out", "o", "--checkpoint-dir", "k"],
            *["--export-safetensors", "e", "--quiet", "--no-plot"],
        ]
    )
    assert (args.checkpoint_dir, args.export_safetensors, args.quiet, args.no_plot) == (
        Path("k"),
        Path("e"),
        True,
        True,
    )
    args = build_parser().parse_args(["check", "r.json", "--reference", "ref.json"])
    assert vars(args) == {
        "command": "check",
        "results": Path("r.json"),
        "reference": Path("ref.json"),
    }


@pytest.mark.parametrize(
    "argv",
    [
        ["sweep", "--out", "o"],
        ["sweep", "--config", "c"],
        ["sweep", "--config", "c", "--out", "o", "--seeds", "two"],
        ["sweep", "--config", "c", "--out", "o", "--jobs", "1.5"],
        ["compare", "--out", "o"],
        ["compare", "--config", "c"],
        ["check", "r.json"],
        ["check", "--reference", "r.json"],
    ],
)
def test_missing_or_mistyped_arguments_are_argparse_errors(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(argv)
    assert exited.value.code == 2
    assert "error: " in capsys.readouterr().err
