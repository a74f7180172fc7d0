"""mg_train.artifacts: the exact files of a comparison (results.json layout, history.csv cells,
the notes) and when - and with what - the decision boundary picture is drawn.

The renderers are replaced by recorders here (their drawing is tested in
test_train_contracts_pictures_plots.py), so these tests need no matplotlib and run fast."""

from __future__ import annotations

import importlib.metadata
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Optional

import pytest
from mg_nn import MLP
from mg_train import (
    Comparison,
    ComparisonSetup,
    Dataset,
    History,
    Model,
    Run,
    environment,
    results_document,
    write_artifacts,
)

TRAIN = Dataset(((0.0, 1.0), (1.0, 0.0), (2.0, 2.0)), ((1.0,), (-1.0,), (1.0,)))
VAL = Dataset(((0.5, 0.5), (1.5, 1.5)), ((-1.0,), (1.0,)))


def _history(val: bool, accuracy: bool = True, epochs: int = 2) -> History:
    history = History()
    for epoch in range(epochs):
        history.append(
            0.5 - 0.25 * epoch,
            (0.75 - 0.25 * epoch) if val else None,
            0.1,
            0.125 * (epoch + 1),
            train_accuracy=(0.25 + 0.5 * epoch) if accuracy else None,
            val_accuracy=(0.5 * epoch if val else None) if accuracy else None,
        )
    return history


def _model() -> MLP:
    return MLP(2, [1], rng=4)


FINAL = {"layers.0.neurons.0.w.0": 1.0, "layers.0.neurons.0.w.1": -2.0, "layers.0.neurons.0.b": 0.5}
CONFIG: dict[str, object] = {"dataset": {"seed": 0}, "split": {"seed": 1}, "model": {"seed": 2}}


def _comparison(
    *,
    loss: Optional[str] = "hinge",
    train: Dataset = TRAIN,
    val: Optional[Dataset] = VAL,
    accuracy: Sequence[bool] = (True, True),
    setup: bool = True,
    epochs: int = 2,
) -> Comparison:
    runs = tuple(
        Run(name, _history(val is not None, acc, epochs), 1.5 + k, dict(FINAL))
        for k, (name, acc) in enumerate(zip(["SGD", "Adam"], accuracy))
    )
    described = ComparisonSetup(loss, 2, 4, 7, train, val, _model) if setup else None
    return Comparison(runs, {"w": 0.25}, CONFIG, described)


class Recorder:
    """Stands in for plot_decision_boundary / plot_loss_curves and keeps what it was given."""

    def __init__(self) -> None:
        self.calls: list[
            tuple[list[tuple[str, dict[str, float]]], object, object, object, str]
        ] = []
        self.curves = 0

    def boundary(
        self,
        panels: Sequence[tuple[str, Model]],
        loss: str,
        train: Dataset,
        val: Optional[Dataset] = None,
        *,
        conditions: str,
    ) -> bytes:
        shown = [(title, model.state_dict()) for title, model in panels]
        self.calls.append((shown, loss, train, val, conditions))
        return b"boundary"

    def loss_curves(self, result: Comparison) -> bytes:
        self.curves += 1
        return b"curves"


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder()
    monkeypatch.setattr("mg_train.artifacts.plot_decision_boundary", recorder.boundary)
    monkeypatch.setattr("mg_train.artifacts.plot_loss_curves", recorder.loss_curves)
    return recorder


def test_the_boundary_shows_each_final_model_under_the_shared_conditions(
    tmp_path: Path, recorder: Recorder
) -> None:
    report = write_artifacts(_comparison(), tmp_path / "a" / "b")  # parents are created
    assert [p.name for p in report.written] == [
        "results.json",
        "table.md",
        "history.csv",
        "loss_curves.png",
        "decision_boundary.png",
    ]
    assert (tmp_path / "a" / "b" / "decision_boundary.png").read_bytes() == b"boundary"
    assert (tmp_path / "a" / "b" / "loss_curves.png").read_bytes() == b"curves"
    ((panels, loss, train, val, conditions),) = recorder.calls
    assert panels == [
        ("SGD, lr 0.1: final val acc 0.5000", FINAL),
        ("Adam, lr 0.1: final val acc 0.5000", FINAL),
    ]
    assert (loss, train, val) == ("hinge", TRAIN, VAL)
    assert conditions == (
        "batch size 4, 2 epochs, shuffle seed 7, data seed 0, split seed 1, model seed 2, "
        "loss hinge, 3 train / 2 val samples"
    )
    # writing again into the same directory replaces the set
    write_artifacts(_comparison(val=None), tmp_path / "a" / "b")
    ((panels, _, _, val, conditions),) = recorder.calls[1:]
    assert [title for title, _ in panels] == [
        "SGD, lr 0.1: final train acc 0.7500",
        "Adam, lr 0.1: final train acc 0.7500",
    ]
    assert val is None
    assert conditions.endswith("loss hinge, 3 train")


def test_a_one_epoch_run_reports_its_only_accuracy(tmp_path: Path, recorder: Recorder) -> None:
    write_artifacts(_comparison(epochs=1), tmp_path / "val")
    write_artifacts(_comparison(epochs=1, val=None), tmp_path / "train")
    titles = [[title for title, _ in call[0]] for call in recorder.calls]
    assert titles == [
        ["SGD, lr 0.1: final val acc 0.0000", "Adam, lr 0.1: final val acc 0.0000"],
        ["SGD, lr 0.1: final train acc 0.2500", "Adam, lr 0.1: final train acc 0.2500"],
    ]


def test_cross_entropy_class_indices_get_a_boundary_too(tmp_path: Path, recorder: Recorder) -> None:
    classes = Dataset(TRAIN.inputs, ((0.0,), (2.0,), (1.0,)))
    write_artifacts(_comparison(loss="cross_entropy", train=classes, val=None), tmp_path)
    assert recorder.calls[0][1] == "cross_entropy"


@pytest.mark.parametrize(
    "changes",
    [
        {"setup": False},
        {"loss": None},
        {"loss": "mse"},
        {"train": Dataset(((0.0, 1.0, 2.0),), ((1.0,),))},
        {"train": Dataset(((0.0, 1.0),), ((1.0, -1.0),))},  # two targets: not one class each
        {"accuracy": (True, False)},
    ],
    ids=["no-setup", "custom-loss", "regression", "3-features", "2-targets", "one-without-acc"],
)
def test_no_boundary_where_it_would_mean_nothing(
    tmp_path: Path, recorder: Recorder, changes: dict[str, object]
) -> None:
    report = write_artifacts(_comparison(**changes), tmp_path)  # type: ignore[arg-type]
    assert recorder.calls == []
    assert recorder.curves == 1
    assert "decision_boundary.png" not in [p.name for p in report.written]
    assert not (tmp_path / "decision_boundary.png").exists()


def test_no_runs_no_boundary(tmp_path: Path, recorder: Recorder) -> None:
    empty = Comparison((), {}, CONFIG, ComparisonSetup("hinge", 2, 4, 7, TRAIN, VAL, _model))
    write_artifacts(empty, tmp_path)
    assert recorder.calls == []


def test_results_json_is_indented_by_two_and_ends_with_a_newline(
    tmp_path: Path, recorder: Recorder
) -> None:
    result = _comparison()
    write_artifacts(result, tmp_path, plot=False)
    assert recorder.curves == 0
    text = (tmp_path / "results.json").read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[:3] == ["{", '  "format": "mg-train-results",', '  "format_version": 1,']
    assert text.endswith("\n}\n")
    doc = json.loads(text)
    assert doc["initial_state"] == {"w": 0.25}
    assert doc["config"] == CONFIG
    assert doc["runs"][0]["optimizer"] == "SGD"
    assert "epoch_time" not in doc["runs"][0]["history"]
    assert doc["runs"][0]["history"]["val_accuracy"] == [0.0, 0.5]
    assert "wall_time" not in doc["table"][0]
    # the run-to-run section: the total (1.5 + 2.5 s) and each run's own times
    assert doc["timings"] == {
        "total_seconds": 4.0,
        "runs": [
            {"optimizer": "SGD", "wall_seconds": 1.5, "epoch_seconds": [0.125, 0.25]},
            {"optimizer": "Adam", "wall_seconds": 2.5, "epoch_seconds": [0.125, 0.25]},
        ],
    }
    assert list(doc["environment"]) == [
        "python_version",
        "python_implementation",
        "platform",
        "machine",
        "packages",
    ]
    assert results_document(result)["timings"] == doc["timings"]


def test_history_csv_cells_for_accuracy_and_missing_values(
    tmp_path: Path, recorder: Recorder
) -> None:
    write_artifacts(_comparison(val=None, accuracy=(True, False)), tmp_path)
    assert (tmp_path / "history.csv").read_bytes().decode("utf-8") == (
        "optimizer,epoch,train_loss,val_loss,lr,epoch_seconds,train_accuracy,val_accuracy\n"
        "SGD,1,0.5,,0.1,0.125,0.25,\n"
        "SGD,2,0.25,,0.1,0.25,0.75,\n"
        "Adam,1,0.5,,0.1,0.125,,\n"
        "Adam,2,0.25,,0.1,0.25,,\n"
    )
    write_artifacts(_comparison(accuracy=(False, False)), tmp_path)
    assert (tmp_path / "history.csv").read_bytes().decode("utf-8").split("\n")[:2] == [
        "optimizer,epoch,train_loss,val_loss,lr,epoch_seconds",
        "SGD,1,0.5,0.75,0.1,0.125",
    ]
    write_artifacts(_comparison(), tmp_path)
    rows = (tmp_path / "history.csv").read_text(encoding="utf-8").split("\n")
    assert rows[1:3] == ["SGD,1,0.5,0.75,0.1,0.125,0.25,0.0", "SGD,2,0.25,0.5,0.1,0.25,0.75,0.5"]


def test_without_matplotlib_the_note_names_both_pictures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    report = write_artifacts(_comparison(), tmp_path)
    assert report.notes == (
        "matplotlib is not installed: skipped loss_curves.png (and decision_boundary.png) "
        "(pip install 'mg-train[plot]' to get them)",
    )
    assert [p.name for p in report.written] == ["results.json", "table.md", "history.csv"]


def test_an_mg_package_that_is_not_installed_is_recorded_as_null(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importlib.metadata.version

    def version(name: str) -> str:
        if name == "mg-nn":
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(importlib.metadata, "version", version)
    packages = environment()["packages"]
    assert isinstance(packages, dict)
    assert list(packages) == ["mg-autograd", "mg-nn", "mg-optim", "mg-train"]
    assert packages["mg-nn"] is None
    assert packages["mg-autograd"] == real("mg-autograd")
