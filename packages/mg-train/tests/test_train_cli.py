from __future__ import annotations

import importlib
import io
import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest
from mg_train import parse_config
from mg_train.cli import main


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("argv", "needles"),
    [
        (["--help"], ["compare", "check"]),
        (
            ["compare", "--help"],
            ["--config", "--out", "--checkpoint-dir", "--quiet", "--no-plot", "momentum", "adamw"],
        ),
        (["check", "--help"], ["RESULTS", "--reference", "timings"]),
    ],
)
def test_help_explains_every_option(
    argv: list[str], needles: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 0
    text = capsys.readouterr().out
    for needle in needles:
        assert needle in text


def _write(tmp_path: Path, config: object) -> Path:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


BAD: dict[str, tuple[Callable[[dict[str, object]], object], str]] = {
    "unknown key": (lambda c: {**c, "learning_rate": 0.1}, "'learning_rate': unknown key"),
    "nested unknown key": (lambda c: {**c, "model": {"hidden": [3], "width": 2}}, "'model.width'"),
    "wrong type": (lambda c: {**c, "epochs": "3"}, "'epochs': must be an integer"),
    "unknown optimizer": (
        lambda c: {**c, "optimizers": [{"type": "rmsprop"}]},
        "'optimizers[0].type'",
    ),
    "negative lr": (lambda c: {**c, "lr": -0.1}, "'lr': must be > 0"),
    "bad option": (
        lambda c: {**c, "optimizers": [{"type": "sgd", "momentum": 0.9}]},
        "'optimizers[0].momentum'",
    ),
    "missing key": (
        lambda c: {k: v for k, v in c.items() if k != "batch_size"},
        "'batch_size': missing",
    ),
    "not an object": (lambda c: [c], "must be an object"),
    "duplicate name": (
        lambda c: {**c, "optimizers": [{"type": "sgd"}, {"type": "sgd"}]},
        "optimizers[1].name",
    ),
    # regression: the next five passed the config check and crashed mid-run with exit 1
    "dampening above one": (
        lambda c: {**c, "optimizers": [{"type": "sgd"}, {"type": "momentum", "dampening": 2.0}]},
        "'optimizers[1]': mg_optim.Momentum refuses these options: Invalid dampening value: 2.0",
    ),
    "nesterov without momentum": (
        lambda c: {**c, "optimizers": [{"type": "momentum", "momentum": 0, "nesterov": True}]},
        "'optimizers[0]': mg_optim.Momentum refuses these options: Nesterov momentum requires",
    ),
    "hinge on a regression dataset": (
        lambda c: {**c, "loss": "hinge"},
        "'loss': 'hinge' needs targets of -1 or +1, but dataset 'sine_regression' has target",
    ),
    "cross entropy on a regression dataset": (
        lambda c: {**c, "loss": "cross_entropy"},
        "'loss': 'cross_entropy' needs class indices 0, 1, 2, ..., but dataset",
    ),
    "bce on a regression dataset": (
        lambda c: {**c, "loss": "bce_with_logits"},
        "'loss': 'bce_with_logits' needs targets in [0, 1], but dataset 'sine_regression'",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_config_is_one_line_exit_2_and_no_output(
    case: str, tmp_path: Path, config_factory: Callable[[], dict[str, object]]
) -> None:
    make, needle = BAD[case]
    config = _write(tmp_path, make(config_factory()))
    out_dir = tmp_path / "out"
    code, out, err = _run(["compare", "--config", str(config), "--out", str(out_dir)])
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("mg-train: error: ")
    assert needle in err
    assert not out_dir.exists()


def test_unreadable_and_non_json_configs(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    for name, needle in (("bad.json", "not valid JSON"), ("missing.json", "cannot read")):
        code, _, err = _run(
            ["compare", "--config", str(tmp_path / name), "--out", str(tmp_path / "o")]
        )
        assert code == 2
        assert needle in err
        assert err.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_compare_writes_only_the_named_files_and_check_catches_one_changed_bit(
    tmp_path: Path, config_factory: Callable[[], dict[str, object]]
) -> None:
    config = _write(tmp_path, config_factory())
    code, out, err = _run(
        ["compare", "--config", str(config), "--out", str(tmp_path / "a"), "--no-plot"]
    )
    assert code == 0
    assert "[Momentum] epoch 3/3 - loss: " in err
    assert "| Optimizer | Final Train Loss" in out
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == [
        "history.csv",
        "results.json",
        "table.md",
    ]
    code, out, err = _run(
        ["compare", "--config", str(config), "--out", str(tmp_path / "b"), "--quiet", "--no-plot"]
    )
    assert (code, out, err) == (0, "", "")

    a, b = tmp_path / "a" / "results.json", tmp_path / "b" / "results.json"
    assert _run(["check", str(b), "--reference", str(a)])[0] == 0
    doc = json.loads(b.read_text(encoding="utf-8"))
    doc["table"][2]["best_val_loss"] = math.nextafter(doc["table"][2]["best_val_loss"], 0.0)
    b.write_text(json.dumps(doc), encoding="utf-8")
    code, _, err = _run(["check", str(b), "--reference", str(a)])
    assert code == 1
    assert "results.table[2].best_val_loss" in err


@pytest.mark.parametrize(
    ("loss", "labels", "outputs"),
    [
        ("hinge", {-1.0, 1.0}, 1),
        ("bce_with_logits", {0.0, 1.0}, 1),
        ("cross_entropy", {0.0, 1.0}, 2),
    ],
)
def test_classification_losses_run_on_moons(
    loss: str,
    labels: set[float],
    outputs: int,
    tmp_path: Path,
    config_factory: Callable[[], dict[str, object]],
) -> None:
    """Hinge loss is defined for -1/+1 labels, so the moons' 0/1 labels are mapped to them."""
    config = {**config_factory(), "loss": loss, "dataset": {"name": "moons", "n_samples": 24}}
    parsed = parse_config(config)
    train, val = parsed.datasets()
    assert {row[0] for row in (*train.targets, *val.targets)} == labels
    assert parsed.n_outputs() == outputs
    path = _write(tmp_path, config)
    code, out, err = _run(
        ["compare", "--config", str(path), "--out", str(tmp_path / "o"), "--quiet", "--no-plot"]
    )
    assert (code, out, err) == (0, "", "")


class Interrupted(Exception):
    """Stands in for a crash in the middle of `mg-train compare`."""


def test_checkpoint_dir_resumes_an_interrupted_compare(
    tmp_path: Path,
    config_factory: Callable[[], dict[str, object]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = _write(tmp_path, config_factory())
    plain = ["compare", "--config", str(config), "--quiet", "--no-plot"]
    assert _run([*plain, "--out", str(tmp_path / "plain")])[0] == 0
    fit_module = importlib.import_module("mg_train.fit")
    real_save = fit_module.save_checkpoint
    saves = []

    def save_then_crash(*args: object, **kwargs: object) -> None:
        real_save(*args, **kwargs)
        saves.append(1)
        if len(saves) == 5:  # the second epoch of the second optimizer
            raise Interrupted

    checkpoints = tmp_path / "ck"
    resumable = [*plain, "--out", str(tmp_path / "out"), "--checkpoint-dir", str(checkpoints)]
    monkeypatch.setattr(fit_module, "save_checkpoint", save_then_crash)
    with pytest.raises(Interrupted):
        _run(resumable)
    monkeypatch.undo()
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in checkpoints.iterdir()) == [
        "Momentum.json",
        "SGD.json",
        "comparison.manifest.json",
    ]
    assert _run(resumable) == (0, "", "")
    code, out, _ = _run(
        [
            "check",
            str(tmp_path / "out" / "results.json"),
            "--reference",
            str(tmp_path / "plain" / "results.json"),
        ]
    )
    assert (code, out) == (0, "results match the reference bit for bit\n")
    assert sorted(p.name for p in checkpoints.iterdir()) == [
        "Adam.json",
        "Momentum.json",
        "SGD.json",
        "comparison.manifest.json",
    ]


def test_checkpoint_dir_of_another_config_is_refused(
    tmp_path: Path, config_factory: Callable[[], dict[str, object]]
) -> None:
    config = _write(tmp_path, config_factory())
    checkpoints = tmp_path / "ck"
    argv = ["compare", "--config", str(config), "--quiet", "--no-plot"]
    assert _run([*argv, "--out", str(tmp_path / "a"), "--checkpoint-dir", str(checkpoints)])[0] == 0
    before = {p.name: p.read_bytes() for p in checkpoints.iterdir()}
    _write(tmp_path, {**config_factory(), "batch_size": 4})
    code, out, err = _run(
        [*argv, "--out", str(tmp_path / "b"), "--checkpoint-dir", str(checkpoints)]
    )
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "belongs to a different comparison: fingerprint.batch_size is 8" in err
    assert not (tmp_path / "b").exists()
    assert {p.name: p.read_bytes() for p in checkpoints.iterdir()} == before


@pytest.mark.parametrize(
    ("arrange", "needle"),
    [
        (
            lambda tmp: (tmp / "ck").write_text("x", encoding="utf-8"),
            "exists and is not a directory",
        ),
        (lambda tmp: None, "is the --out directory"),
        (
            lambda tmp: _write(
                tmp,
                {
                    "lr": 0.1,
                    "epochs": 1,
                    "batch_size": 4,
                    "optimizers": [{"type": "sgd", "name": "A/B"}, {"type": "sgd", "name": "a_b"}],
                },
            ),
            "'A/B' and 'a_b' would share the checkpoint file 'A_B.json'",
        ),
    ],
    ids=["file", "same-as-out", "colliding-names"],
)
def test_unusable_checkpoint_dir_is_exit_2_before_anything_is_created(
    arrange: Callable[[Path], object],
    needle: str,
    tmp_path: Path,
    config_factory: Callable[[], dict[str, object]],
) -> None:
    _write(tmp_path, config_factory())
    arrange(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    out_dir = tmp_path / ("ck" if needle == "is the --out directory" else "out")
    code, out, err = _run(
        [
            "compare",
            "--config",
            str(tmp_path / "config.json"),
            "--out",
            str(out_dir),
            "--checkpoint-dir",
            str(tmp_path / "ck"),
        ]
    )
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert needle in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before
