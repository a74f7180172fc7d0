"""Artifacts of a comparison: results.json, table.md, history.csv, loss_curves.png and, for a
classification run on 2-feature data, decision_boundary.png.

``results.json`` separates what must reproduce from what cannot: everything except its
``environment`` and ``timings`` sections is a deterministic function of the config, so two runs
on any supported Python give byte-identical values there (floats are written with ``repr``,
which round-trips exactly). Every file is written atomically (see `_atomic`), so a reader - or
a crash - never sees half a file.

A classification run (one whose history records accuracy, `mg_train.metrics`) adds accuracy
to the history and the table of results.json, four columns to table.md and two to
history.csv; a run without accuracy writes exactly what it wrote before accuracy existed. When
its inputs have two features (moons), decision_boundary.png shows each optimizer's final model
predicting over a grid, the training and validation points on top. Both pictures state the
conditions they were made under (`mg_train.conditions`).

The files are one set, and `write_artifacts` keeps it consistent as far as a file system
allows: it renders all of them - the PNG bytes included - before it creates the directory or
writes the first file, so a failure while rendering (a NaN in a result, a matplotlib error)
leaves the previous set untouched. Four renames are still four operations, not one: an OS
failure between two of them (disk full, a crash, a kill) can leave files of two runs side by
side. ``results.json`` is written last, so once it is new, so are the files written before it
(each rename is made durable before the next begins). A run that writes no plot
(``plot=False``, or no matplotlib) leaves PNGs already in the directory as they were: they
belong to an earlier run.
"""

from __future__ import annotations

import csv
import importlib.metadata
import io
import json
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ._atomic import PathLike, atomic_write_bytes
from .compare import Comparison
from .conditions import lr_text, shared_conditions
from .metrics import CLASSIFICATION_LOSSES
from .plots import MissingMatplotlib, plot_decision_boundary, plot_loss_curves
from .protocols import Model
from .table import format_table

__all__ = [
    "ARTIFACT_NAMES",
    "NONDETERMINISTIC_SECTIONS",
    "RESULTS_FORMAT",
    "ArtifactReport",
    "environment",
    "format_table",
    "results_document",
    "write_artifacts",
]

RESULTS_FORMAT = "mg-train-results"
RESULTS_FORMAT_VERSION = 1
NONDETERMINISTIC_SECTIONS = ("environment", "timings")
"""Top-level keys of results.json that vary from run to run; every other key must not."""
ARTIFACT_NAMES = (
    "results.json",
    "table.md",
    "history.csv",
    "loss_curves.png",
    "decision_boundary.png",
)
MG_DISTRIBUTIONS = ("mg-autograd", "mg-nn", "mg-optim", "mg-train")


@dataclass(frozen=True)
class ArtifactReport:
    """The files written and any notes (e.g. why the plot was skipped)."""

    written: tuple[Path, ...]
    notes: tuple[str, ...]


def environment() -> dict[str, object]:
    """Python version and implementation, platform, and every installed mg-* version."""
    versions: dict[str, Optional[str]] = {}
    for dist in MG_DISTRIBUTIONS:
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[dist] = None
    return {
        "python_version": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "packages": versions,
    }


def results_document(result: Comparison) -> dict[str, object]:
    """The results.json content: deterministic sections first, then environment and timings."""
    return {
        "format": RESULTS_FORMAT,
        "format_version": RESULTS_FORMAT_VERSION,
        "config": dict(result.config),
        "initial_state": dict(result.initial_state),
        "runs": [
            {"optimizer": run.name, "history": run.history.to_dict(include_times=False)}
            for run in result.runs
        ],
        "table": [row.to_dict(include_time=False) for row in result.rows()],
        "environment": environment(),
        "timings": {
            "total_seconds": result.wall_time,
            "runs": [
                {
                    "optimizer": run.name,
                    "wall_seconds": run.wall_time,
                    "epoch_seconds": list(run.history.epoch_time),
                }
                for run in result.runs
            ],
        },
    }


def _history_csv(result: Comparison) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    accuracy = any(run.history.records_accuracy for run in result.runs)
    header = ["optimizer", "epoch", "train_loss", "val_loss", "lr", "epoch_seconds"]
    writer.writerow(header + (["train_accuracy", "val_accuracy"] if accuracy else []))
    for run in result.runs:
        h = run.history
        for i in range(h.epochs):
            row = [
                run.name,
                str(i + 1),
                repr(h.train_loss[i]),
                _optional(h.val_loss[i]),
                repr(h.lr[i]),
                repr(h.epoch_time[i]),
            ]
            if accuracy:
                recorded = h.records_accuracy
                row.append(repr(h.train_accuracy[i]) if recorded else "")
                row.append(_optional(h.val_accuracy[i]) if recorded else "")
            writer.writerow(row)
    return buffer.getvalue()


def _optional(value: Optional[float]) -> str:
    return "" if value is None else repr(value)


def _boundary_png(result: Comparison) -> Optional[bytes]:
    """decision_boundary.png for a classification comparison on 2-feature data, else None."""
    setup = result.setup
    if (
        setup is None
        or setup.loss is None
        or setup.loss not in CLASSIFICATION_LOSSES
        or setup.train.n_features != 2
        or (setup.loss != "cross_entropy" and setup.train.n_targets != 1)
        or not result.runs
        or not all(run.history.records_accuracy for run in result.runs)
    ):
        return None
    panels: list[tuple[str, Model]] = []
    for run in result.runs:
        model = setup.model_factory()
        model.load_state_dict(run.final_state)
        h = run.history
        score = h.val_accuracy[-1] if h.val_accuracy[-1] is not None else h.train_accuracy[-1]
        which = "val" if h.val_accuracy[-1] is not None else "train"
        panels.append((f"{run.name}, {lr_text(h.lr)}: final {which} acc {score:.4f}", model))
    conditions = shared_conditions(setup, result.config, setup.epochs)
    return plot_decision_boundary(panels, setup.loss, setup.train, setup.val, conditions=conditions)


def write_artifacts(result: Comparison, out_dir: PathLike, *, plot: bool = True) -> ArtifactReport:
    """Write the artifacts into ``out_dir`` (created if needed), each atomically.

    Everything is rendered before anything is written (see the module docstring), so a result
    holding a NaN or infinity (ValueError) or a failing plot changes nothing on disk. Without
    matplotlib the plot is skipped with a note instead of an error.
    """
    document = results_document(result)
    results_text = json.dumps(document, indent=2, allow_nan=False) + "\n"
    files: list[tuple[str, bytes]] = [
        ("table.md", format_table(result.rows()).encode("utf-8")),
        ("history.csv", _history_csv(result).encode("utf-8")),
    ]
    notes: list[str] = []
    if plot:
        try:
            files.append(("loss_curves.png", plot_loss_curves(result)))
            boundary = _boundary_png(result)
            if boundary is not None:
                files.append(("decision_boundary.png", boundary))
        except MissingMatplotlib:
            notes.append(
                "matplotlib is not installed: skipped loss_curves.png (and "
                "decision_boundary.png) (pip install 'mg-train[plot]' to get them)"
            )
    files.append(("results.json", results_text.encode("utf-8")))

    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in files:
        atomic_write_bytes(directory / name, data)
    written = {name: directory / name for name, _ in files}
    order = [name for name in ARTIFACT_NAMES if name in written]
    return ArtifactReport(tuple(written[name] for name in order), tuple(notes))
