"""`sweep`'s refusals, each with the exact message a user sees (and the boundary value that is
still accepted), its verbosity and stream defaults, and resuming from a runs directory: which
runs are reused, what is written, what the result says about it. Tiny config, in-process."""

from __future__ import annotations

import concurrent.futures
import io
import json
import math
from pathlib import Path

import pytest
from message_kit import exactly
from mg_train import (
    ConfigError,
    SweepError,
    Verbosity,
    parse_config,
    replica_seeds,
    sweep,
)
from mg_train import sweep_run as sweep_module
from sweep_kit import sweep_config


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seeds": 0}, "seeds must be a positive integer, got 0"),
        ({"seeds": True}, "seeds must be a positive integer, got True"),
        ({"seeds": 1.0}, "seeds must be a positive integer, got 1.0"),
        ({"seeds": 1, "jobs": 0}, "jobs must be a positive integer, got 0"),
        ({"seeds": 1, "jobs": "2"}, "jobs must be a positive integer, got '2'"),
        (
            {"seeds": 1, "jobs": 1, "executor": concurrent.futures.Executor()},
            "give either executor or jobs, not both",
        ),
        (
            {"seeds": 1, "executor": "pool"},
            "executor must be a concurrent.futures.Executor, got 'pool'",
        ),
        (
            {"seeds": 1, "learning_rates": "0.1"},
            "learning_rates must be a list of numbers, got '0.1'",
        ),
        ({"seeds": 1, "learning_rates": 0.1}, "learning_rates must be a list of numbers, got 0.1"),
        (
            {"seeds": 1, "learning_rates": b"\x01"},
            "learning_rates must be a list of numbers, got b'\\x01'",
        ),
        (
            {"seeds": 1, "learning_rates": ()},
            "learning_rates is empty; give at least one learning rate > 0",
        ),
        ({"seeds": 1, "learning_rates": ["0.1"]}, "learning rate '0.1' is not a number"),
        ({"seeds": 1, "learning_rates": [True]}, "learning rate True is not a number"),
        ({"seeds": 1, "learning_rates": [0.0]}, "learning rate 0.0 must be a finite number > 0"),
        ({"seeds": 1, "learning_rates": [-2]}, "learning rate -2 must be a finite number > 0"),
        (
            {"seeds": 1, "learning_rates": [math.inf]},
            "learning rate inf must be a finite number > 0",
        ),
        ({"seeds": 1, "learning_rates": [1, 0.5, 1.0]}, "learning rate 1.0 is listed twice"),
        (
            {"seeds": 1, "optimizers": "SGD"},
            "optimizers must be a non-empty list of names, got 'SGD'",
        ),
        ({"seeds": 1, "optimizers": []}, "optimizers must be a non-empty list of names, got []"),
        (
            {"seeds": 1, "optimizers": ["SGD", "RMSprop"]},
            "unknown optimizer 'RMSprop': the config has 'SGD', 'Adam'",
        ),
        ({"seeds": 1, "optimizers": ["Adam", "Adam"]}, "optimizer 'Adam' is listed twice"),
    ],
)
def test_bad_arguments_are_named_exactly(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(SweepError, match=exactly(message)):
        sweep(sweep_config(), verbose=False, **kwargs)  # type: ignore[arg-type]


def test_a_config_of_the_wrong_kind_is_named() -> None:
    with pytest.raises(
        SweepError, match=exactly("config must be an ExperimentConfig or a config dict, got 42")
    ):
        sweep(42, seeds=1)  # type: ignore[arg-type]


def test_the_smallest_accepted_values_run() -> None:
    result = sweep(
        sweep_config(),
        seeds=1,
        jobs=1,
        learning_rates=[1, 5e-324],
        optimizers=["Adam"],
        verbose=False,
    )
    assert result.learning_rates == (5e-324, 1.0)
    assert all(isinstance(lr, float) for lr in result.learning_rates)
    assert [(r.optimizer, r.lr, r.replica) for r in result.runs] == [
        ("Adam", 5e-324, 0),
        ("Adam", 1.0, 0),
    ]


@pytest.mark.parametrize(("replica", "shown"), [(-1, "-1"), (True, "True"), (1.0, "1.0")])
def test_a_replica_is_an_int_from_zero(replica: object, shown: str) -> None:
    config = parse_config(sweep_config())
    with pytest.raises(SweepError, match=exactly(f"replica must be an int >= 0, got {shown}")):
        replica_seeds(config, replica)  # type: ignore[arg-type]
    assert replica_seeds(config, 0).to_dict() == {"split": 1, "model": 2, "shuffle": 3}
    assert replica_seeds(config, 3).to_dict() == {"split": 3001, "model": 3002, "shuffle": 3003}


def test_a_config_that_cannot_run_at_a_swept_rate_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = parse_config

    def refuses_a_rate(data: object) -> object:
        if isinstance(data, dict) and data.get("lr") == 0.5:
            raise ConfigError("lr too high for this test")
        return real(data)

    monkeypatch.setattr(sweep_module, "parse_config", refuses_a_rate)
    message = "the config cannot run with optimizer 'SGD' at lr 0.5: lr too high for this test"
    with pytest.raises(SweepError, match=exactly(message)):
        sweep(parse_config(sweep_config()), seeds=1, learning_rates=[0.1, 0.5], verbose=False)


def test_a_runs_directory_that_is_a_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "runs"
    path.write_text("", encoding="utf-8")
    message = f"runs directory {path} exists and is not a directory"
    with pytest.raises(SweepError, match=exactly(message)):
        sweep(sweep_config(), seeds=1, jobs=1, runs_dir=path, verbose=False)


def test_verbose_by_default_and_stderr_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    stream = io.StringIO()
    sweep(sweep_config(), seeds=1, jobs=1, optimizers=["SGD"], stream=stream)
    assert stream.getvalue().startswith("run 1/1 - SGD lr=0.05 replica 0 - best_val_loss: ")
    sweep(sweep_config(), seeds=1, jobs=1, optimizers=["SGD"], verbose=Verbosity.LINES)
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("run 1/1 - SGD lr=0.05 replica 0 - best_val_loss: ")
    assert err.count("\n") == 1


def test_resuming_reuses_stored_runs_and_runs_only_the_missing_ones(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    first = sweep(sweep_config(), seeds=2, jobs=1, runs_dir=runs, verbose=False)
    names = [
        "SGD-lr0.05-r0.json",
        "SGD-lr0.05-r1.json",
        "Adam-lr0.05-r0.json",
        "Adam-lr0.05-r1.json",
    ]
    assert sorted(p.name for p in runs.iterdir()) == sorted(names)
    record = json.loads((runs / "Adam-lr0.05-r1.json").read_text(encoding="utf-8"))
    assert record["task"]["seeds"] == {"split": 1001, "model": 1002, "shuffle": 1003}
    assert (record["task"]["optimizer"], record["task"]["lr"], record["task"]["replica"]) == (
        "Adam",
        0.05,
        1,
    )
    stored = {k: v for k, v in record["outcome"].items() if k != "wall_seconds"}
    assert stored == first.runs[3].to_dict()
    assert [r.resumed for r in first.runs] == [False] * 4

    (runs / "SGD-lr0.05-r1.json").unlink()
    lines = io.StringIO()
    second = sweep(
        sweep_config(), seeds=2, jobs=1, runs_dir=runs, verbose=Verbosity.LINES, stream=lines
    )
    assert [r.resumed for r in second.runs] == [True, False, True, True]
    assert lines.getvalue().splitlines()[0] == "resuming: 3/4 runs already finished"
    assert lines.getvalue().splitlines()[1].startswith("run 4/4 - SGD lr=0.05 replica 1 - ")
    assert [r.to_dict() for r in second.runs] == [r.to_dict() for r in first.runs]
    assert (runs / "SGD-lr0.05-r1.json").exists()
    assert second.executor == "in-process (jobs=1)"

    third = sweep(sweep_config(), seeds=2, jobs=1, runs_dir=runs, verbose=False)
    assert third.executor == "none (every run was already finished)"
    assert all(r.resumed for r in third.runs)
    assert [r.wall_time for r in third.runs] == [r.wall_time for r in second.runs]
