"""Accuracy through checkpoints, the table and the artifacts; the decision boundary picture
only where it means something; regression artifacts exactly as before."""

from __future__ import annotations

import csv
import importlib.util
import json
import struct
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from mg_nn import MLP
from mg_optim import SGD, Adam
from mg_train import (
    CheckpointError,
    Comparison,
    Dataset,
    History,
    compare_optimizers,
    decision_grid,
    fit,
    format_table,
    make_moons,
    parse_config,
    run_experiment,
    train_val_split,
    write_artifacts,
)

HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _moons_config(loss: str = "hinge") -> dict[str, object]:
    return {
        "dataset": {"name": "moons", "n_samples": 40, "noise": 0.1, "seed": 0},
        "split": {"val_fraction": 0.25, "seed": 1},
        "model": {"hidden": [4], "activation": "relu", "seed": 2},
        "loss": loss,
        "lr": 0.1,
        "epochs": 3,
        "batch_size": 8,
        "shuffle_seed": 3,
        "optimizers": [{"type": "sgd"}, {"type": "adam"}],
    }


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, after checking signature and chunk type."""
    assert data[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR"
    assert length == 13
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _hinge_split() -> tuple[Dataset, Dataset]:
    data = make_moons(32, noise=0.1, seed=5)
    signed = Dataset(data.inputs, tuple((2.0 * row[0] - 1.0,) for row in data.targets))
    return train_val_split(signed, 0.25, seed=1)


def _fit_hinge(epochs: int, *, model_seed: int = 7, **kwargs: object) -> tuple[MLP, Adam, History]:
    train, val = _hinge_split()
    model = MLP(2, [4, 1], rng=model_seed)
    optimizer = Adam(model.parameters(), lr=0.05)
    history = fit(
        model,
        "hinge",
        optimizer,
        train,
        val,
        epochs=epochs,
        batch_size=8,
        seed=3,
        verbose=False,
        **kwargs,  # type: ignore[arg-type]  # checkpoint= / resume_from= paths
    )
    return model, optimizer, history


def test_a_resumed_classification_run_is_bit_identical_accuracy_included(tmp_path: Path) -> None:
    model, optimizer, full = _fit_hinge(6)
    path = tmp_path / "run.json"
    _fit_hinge(3, checkpoint=path)
    saved = json.loads(path.read_text(encoding="utf-8"))["history"]
    assert len(saved["train_accuracy"]) == 3
    resumed_model, resumed_optimizer, resumed = _fit_hinge(6, model_seed=99, resume_from=path)
    assert resumed.records_accuracy
    assert [v.hex() for v in resumed.train_accuracy] == [v.hex() for v in full.train_accuracy]
    assert resumed.val_accuracy == full.val_accuracy
    assert [v.hex() for v in resumed.train_loss] == [v.hex() for v in full.train_loss]
    assert resumed_model.state_dict() == model.state_dict()
    assert resumed_optimizer.state_dict() == optimizer.state_dict()


def test_a_checkpoint_without_accuracy_is_refused_for_a_classification_run(
    tmp_path: Path,
) -> None:
    path = tmp_path / "run.json"
    _fit_hinge(2, checkpoint=path)
    data = json.loads(path.read_text(encoding="utf-8"))
    for key in ("train_accuracy", "val_accuracy", "best_val_accuracy", "best_val_accuracy_epoch"):
        del data["history"][key]
    path.write_text(json.dumps(data), encoding="utf-8")
    train, val = _hinge_split()
    model = MLP(2, [4, 1], rng=99)
    before = model.state_dict()
    with pytest.raises(CheckpointError, match="records no accuracy"):
        fit(
            model,
            "hinge",
            Adam(model.parameters(), lr=0.05),
            train,
            val,
            epochs=4,
            batch_size=8,
            seed=3,
            resume_from=path,
            verbose=False,
        )
    assert model.state_dict() == before


def test_the_table_and_results_gain_accuracy_for_classification(tmp_path: Path) -> None:
    result = run_experiment(parse_config(_moons_config()), verbose=False)
    write_artifacts(result, tmp_path, plot=False)
    doc = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    for run, row in zip(doc["runs"], doc["table"]):
        history = run["history"]
        assert row["final_train_accuracy"] == history["train_accuracy"][-1]
        assert row["final_val_accuracy"] == history["val_accuracy"][-1]
        assert row["best_val_accuracy"] == max(history["val_accuracy"])
        first_best = history["val_accuracy"].index(max(history["val_accuracy"])) + 1
        assert row["best_val_accuracy_epoch"] == first_best
        # 10 validation samples: every accuracy is a whole number of tenths
        assert all(round(v * 10) / 10 == v for v in history["val_accuracy"])
    lines = (tmp_path / "table.md").read_text(encoding="utf-8").splitlines()
    assert lines[0] == (
        "| Optimizer | Final Train Loss | Final Val Loss | Best Val Loss | Best Epoch "
        "| Final Train Acc | Final Val Acc | Best Val Acc | Best Acc Epoch |"
    )
    assert lines[1] == "|---|---|---|---|---|---|---|---|---|"
    sgd = doc["table"][0]
    assert lines[2].endswith(
        f"| {sgd['final_train_accuracy']:.4f} | {sgd['final_val_accuracy']:.4f} "
        f"| {sgd['best_val_accuracy']:.4f} | {sgd['best_val_accuracy_epoch']} |"
    )
    with open(tmp_path / "history.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert float(rows[2]["val_accuracy"]) == doc["runs"][0]["history"]["val_accuracy"][2]
    assert format_table(result.rows()) == "\n".join(lines) + "\n"


def test_regression_artifacts_have_no_accuracy_anywhere(
    tmp_path: Path, config_factory: Callable[[], dict[str, object]]
) -> None:
    result = run_experiment(parse_config(config_factory()), verbose=False)
    report = write_artifacts(result, tmp_path)
    assert "decision_boundary.png" not in [p.name for p in report.written]
    assert not (tmp_path / "decision_boundary.png").exists()
    text = "".join(
        (tmp_path / name).read_text(encoding="utf-8")
        for name in ("results.json", "table.md", "history.csv")
    )
    assert "accuracy" not in text
    assert "Acc" not in text
    header = (tmp_path / "history.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "optimizer,epoch,train_loss,val_loss,lr,epoch_seconds"


@pytest.mark.parametrize("loss", ["hinge", "bce_with_logits", "cross_entropy"])
def test_a_two_feature_classification_run_gets_a_boundary_png(tmp_path: Path, loss: str) -> None:
    """With the plot extra, a valid PNG; without it, the note (py311-test-train installs
    matplotlib, the other test envs do not, so both branches run in every full tox run)."""
    result = run_experiment(parse_config(_moons_config(loss)), verbose=False)
    report = write_artifacts(result, tmp_path)
    names = [p.name for p in report.written]
    if not HAS_MATPLOTLIB:
        assert names == ["results.json", "table.md", "history.csv"]
        assert "decision_boundary.png" in report.notes[0]
        return
    assert names == [
        "results.json",
        "table.md",
        "history.csv",
        "loss_curves.png",
        "decision_boundary.png",
    ]
    width, height = _png_size((tmp_path / "decision_boundary.png").read_bytes())
    # two panels side by side, one per optimizer: 2 x 4.6 in wide, 4.9 in high, at 100 dpi
    assert (width, height) == (920, 490)
    assert _png_size((tmp_path / "loss_curves.png").read_bytes()) == (700, 480)


def test_no_boundary_for_three_features_or_without_matplotlib(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = tuple((float(i % 3), float(i % 5), float(i % 2)) for i in range(12))
    targets = tuple((float(i % 2),) for i in range(12))
    train, val = train_val_split(Dataset(inputs, targets), 0.25, seed=0)
    result = compare_optimizers(
        lambda: MLP(3, [3, 1], rng=1),
        {"SGD": lambda ps: SGD(ps, 0.1)},
        "bce_with_logits",
        train,
        val,
        epochs=2,
        batch_size=4,
        verbose=False,
    )
    assert result.runs[0].history.records_accuracy
    write_artifacts(result, tmp_path / "three")
    assert not (tmp_path / "three" / "decision_boundary.png").exists()

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    moons: Comparison = run_experiment(parse_config(_moons_config()), verbose=False)
    report = write_artifacts(moons, tmp_path / "none")
    assert "matplotlib is not installed" in report.notes[0]
    assert sorted(p.name for p in (tmp_path / "none").iterdir()) == [
        "history.csv",
        "results.json",
        "table.md",
    ]


def test_the_boundary_grid_is_the_models_own_prediction() -> None:
    train, val = _hinge_split()
    model = MLP(2, [4, 1], rng=7)
    grid = decision_grid(model, "hinge", [train, val], steps=9)
    xs = [x for x, _ in train.inputs + val.inputs]
    ys = [y for _, y in train.inputs + val.inputs]
    assert grid.xs[0] == min(xs) - 0.5
    assert grid.xs[-1] == max(xs) + 0.5
    assert grid.ys[0] == min(ys) - 0.5
    assert len(grid.labels) == 9
    assert all(len(row) == 9 for row in grid.labels)
    for j, y in enumerate(grid.ys):
        for i, x in enumerate(grid.xs):
            score = model([x, y])[0].data
            assert grid.labels[j][i] == (1.0 if score > 0.0 else -1.0)
    with pytest.raises(ValueError, match="2 input features; the data has 3"):
        decision_grid(MLP(3, [1], rng=0), "hinge", [Dataset(((1.0, 2.0, 3.0),), ((1.0,),))])
    with pytest.raises(ValueError, match="classification loss"):
        decision_grid(model, "mse", [train])
    with pytest.raises(ValueError, match="one class per sample"):
        decision_grid(MLP(2, [2], rng=0), "hinge", [train], steps=2)
