"""Contracts of ``mg-train compare`` (mg_train.cli): the exact stderr line and exit status of every
refusal, what stdout lists after a run, and the pictures written by default."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from mg_train import (
    ARTIFACT_NAMES,
    NonFiniteLossError,
    __version__,
    format_table,
    load_results,
    parse_config,
    run_experiment,
)
from mg_train.cli import main


def config(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "dataset": {"name": "sine_regression", "n_samples": 12, "noise": 0.05, "seed": 0},
        "model": {"hidden": [2], "seed": 2},
        "lr": 0.05,
        "epochs": 1,
        "batch_size": 6,
        "optimizers": [{"type": "sgd"}, {"type": "adam"}],
    }
    base.update(changes)
    return base


def write(tmp_path: Path, document: object, name: str = "config.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def compare(tmp_path: Path, *extra: str, out: str = "out") -> tuple[int, str, str]:
    path = tmp_path / "config.json"
    if not path.exists():
        write(tmp_path, config())
    return run(["compare", "--config", str(path), "--out", str(tmp_path / out), *extra])


def test_an_out_that_is_a_file_is_exit_2_and_left_alone(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("mine", encoding="utf-8")
    assert compare(tmp_path) == (
        2,
        "",
        f"mg-train: error: --out {tmp_path / 'out'} exists and is not a directory\n",
    )
    assert (tmp_path / "out").read_text(encoding="utf-8") == "mine"


def test_an_existing_out_directory_is_used(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    code, _, _ = compare(tmp_path, "--quiet", "--no-plot")
    assert code == 0
    assert (tmp_path / "out" / "results.json").exists()


def test_a_diverging_run_is_exit_1_with_the_loss_error_and_no_output(tmp_path: Path) -> None:
    diverging = config(lr=1e150, optimizers=[{"type": "sgd"}])
    write(tmp_path, diverging)
    with pytest.raises(NonFiniteLossError) as info:
        run_experiment(parse_config(diverging), verbose=False)
    assert compare(tmp_path, "--quiet") == (1, "", f"mg-train: error: {info.value}\n")
    assert not (tmp_path / "out").exists()


def test_a_checkpoint_dir_of_another_config_is_exit_2_with_the_whole_message(
    tmp_path: Path,
) -> None:
    checkpoints = tmp_path / "ck"
    assert compare(tmp_path, "--quiet", "--no-plot", "--checkpoint-dir", str(checkpoints))[0] == 0
    write(tmp_path, config(batch_size=4))
    assert compare(
        tmp_path, "--quiet", "--no-plot", "--checkpoint-dir", str(checkpoints), out="b"
    ) == (
        2,
        "",
        f"mg-train: error: checkpoint directory {checkpoints} belongs to a different comparison: "
        "fingerprint.batch_size is 6 in the checkpoints but 4 here; resuming would mix two "
        "experiments (delete the directory or choose another one to start afresh)\n",
    )
    assert not (tmp_path / "b").exists()


def test_unusable_checkpoint_dirs_are_named_exactly(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x", encoding="utf-8")
    assert compare(tmp_path, "--checkpoint-dir", str(blocker)) == (
        2,
        "",
        f"mg-train: error: --checkpoint-dir {blocker} exists and is not a directory\n",
    )
    write(
        tmp_path,
        config(optimizers=[{"type": "sgd", "name": "x.y"}, {"type": "adam", "name": "X y"}]),
    )
    assert compare(tmp_path, "--checkpoint-dir", str(tmp_path / "ck")) == (
        2,
        "",
        "mg-train: error: --checkpoint-dir: optimizer names 'x.y' and 'X y' would share the "
        "checkpoint file 'x_y.json'; rename one of them\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker", "config.json"]


def test_an_existing_checkpoint_dir_is_used(tmp_path: Path) -> None:
    checkpoints = tmp_path / "ck"
    checkpoints.mkdir()
    assert compare(tmp_path, "--quiet", "--no-plot", "--checkpoint-dir", str(checkpoints)) == (
        0,
        "",
        "",
    )
    assert sorted(p.name for p in checkpoints.iterdir()) == [
        "Adam.json",
        "SGD.json",
        "comparison.manifest.json",
    ]


def test_colliding_export_names_are_named_exactly(tmp_path: Path) -> None:
    write(
        tmp_path,
        config(optimizers=[{"type": "sgd", "name": "a b"}, {"type": "adam", "name": "a_b"}]),
    )
    assert compare(tmp_path, "--export-safetensors", str(tmp_path / "models")) == (
        2,
        "",
        "mg-train: error: --export-safetensors: optimizer names 'a b' and 'a_b' would share the "
        "checkpoint file 'a_b.json'; rename one of them\n",
    )


def test_stdout_is_the_table_then_every_file_written_in_order(tmp_path: Path) -> None:
    models = tmp_path / "models" / "final"  # created with its parent
    code, out, err = compare(tmp_path, "--no-plot", "--export-safetensors", str(models))
    assert code == 0
    result = load_results(tmp_path / "out" / "results.json")
    table = (tmp_path / "out" / "table.md").read_text(encoding="utf-8")
    written = [tmp_path / "out" / n for n in ARTIFACT_NAMES if n.endswith((".md", ".csv", ".json"))]
    assert out == (
        table
        + "".join(f"wrote {path}\n" for path in written)
        + f"wrote {models / 'SGD.safetensors'}\n"
        + f"wrote {models / 'Adam.safetensors'}\n"
    )
    assert "SGD" in table
    assert isinstance(result["table"], list)
    assert err.count("\n") == 2  # one progress line per optimizer (not a terminal: plain lines)
    assert err.startswith("[SGD] epoch 1/1 - loss: ")


def test_the_table_on_stdout_is_format_table_of_the_rows(tmp_path: Path) -> None:
    code, out, _ = compare(tmp_path, "--no-plot")
    result = run_experiment(parse_config(config()), verbose=False)
    assert code == 0
    lines = out.splitlines()
    expected = format_table(result.rows()).splitlines()
    # wall times differ from run to run; everything left of the time column matches
    assert [line.rsplit("|", 2)[0] for line in lines[: len(expected)]] == [
        line.rsplit("|", 2)[0] for line in expected
    ]


def test_without_matplotlib_the_skipped_pictures_are_a_note_on_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pictures are asked for unless --no-plot; hiding matplotlib makes the attempt visible (and
    keeps this test fast: the pictures themselves are tested in test_train_artifacts.py)."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, out, err = compare(tmp_path, "--quiet")
    assert (code, out) == (0, "")
    assert err == (
        "mg-train: note: matplotlib is not installed: skipped loss_curves.png (and "
        "decision_boundary.png) (pip install 'mg-train[plot]' to get them)\n"
    )
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "history.csv",
        "results.json",
        "table.md",
    ]


def test_main_writes_to_the_process_streams_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, {"a": 1}, "r.json")
    assert main(["check", str(path), "--reference", str(path)]) == 0
    assert capsys.readouterr() == ("results match the reference bit for bit\n", "")
    (tmp_path / "out").write_text("x", encoding="utf-8")
    write(tmp_path, config())
    assert (
        main(["compare", "--config", str(tmp_path / "config.json"), "--out", str(tmp_path / "out")])
        == 2
    )
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == (
        "",
        f"mg-train: error: --out {tmp_path / 'out'} exists and is not a directory\n",
    )


def test_version_and_a_missing_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"mg-train {__version__}\n"
    with pytest.raises(SystemExit) as exited:
        main([])
    assert exited.value.code == 2
    assert "the following arguments are required: COMMAND" in capsys.readouterr().err


def test_a_bad_config_names_the_key(tmp_path: Path) -> None:
    write(tmp_path, config(epochs=0))
    assert compare(tmp_path) == (
        2,
        "",
        "mg-train: error: config key 'epochs': must be >= 1, got 0\n",
    )
