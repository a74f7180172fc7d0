"""Artifacts of a comparison: results.json, table.md, history.csv and loss_curves.png.

``results.json`` separates what must reproduce from what cannot: everything except its
``environment`` and ``timings`` sections is a deterministic function of the config, so two runs
on any supported Python give byte-identical values there (floats are written with ``repr``,
which round-trips exactly). Every file is written atomically (see `_atomic`), so a reader - or
a crash - never sees half a file.

The four files are one set, and `write_artifacts` keeps it consistent as far as a file system
allows: it renders all of them - the PNG bytes included - before it creates the directory or
writes the first file, so a failure while rendering (a NaN in a result, a matplotlib error)
leaves the previous set untouched. Four renames are still four operations, not one: an OS
failure between two of them (disk full, a crash, a kill) can leave files of two runs side by
side. ``results.json`` is written last, so once it is new, so are the files written before it
(each rename is made durable before the next begins). A run that writes no plot
(``plot=False``, or no matplotlib) leaves a loss_curves.png already in the directory as it was:
it belongs to an earlier run.
"""

from __future__ import annotations

import csv
import importlib.metadata
import io
import json
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ._atomic import PathLike, atomic_write_bytes
from .compare import Comparison, TableRow

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
ARTIFACT_NAMES = ("results.json", "table.md", "history.csv", "loss_curves.png")
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


def _cell(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.6f}"


def format_table(rows: Sequence[TableRow]) -> str:
    """The Markdown table: the five columns of the card, losses to six decimals."""
    lines = [
        "| Optimizer | Final Train Loss | Final Val Loss | Best Val Loss | Best Epoch |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        best = "-" if row.best_epoch is None else str(row.best_epoch)
        lines.append(
            f"| {row.optimizer} | {_cell(row.final_train_loss)} | {_cell(row.final_val_loss)} "
            f"| {_cell(row.best_val_loss)} | {best} |"
        )
    return "\n".join(lines) + "\n"


def _history_csv(result: Comparison) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["optimizer", "epoch", "train_loss", "val_loss", "lr", "epoch_seconds"])
    for run in result.runs:
        h = run.history
        for i in range(h.epochs):
            val = h.val_loss[i]
            writer.writerow(
                [
                    run.name,
                    i + 1,
                    repr(h.train_loss[i]),
                    "" if val is None else repr(val),
                    repr(h.lr[i]),
                    repr(h.epoch_time[i]),
                ]
            )
    return buffer.getvalue()


def _plot_png(result: Comparison) -> Optional[bytes]:
    """Train (solid) and validation (dashed) loss per optimizer, log y; None without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    figure, axes = plt.subplots(figsize=(7.0, 4.5))
    try:
        for index, run in enumerate(result.runs):
            color = f"C{index % 10}"
            epochs = list(range(1, run.history.epochs + 1))
            axes.plot(epochs, run.history.train_loss, color=color, label=f"{run.name} train")
            vals = [v for v in run.history.val_loss if v is not None]
            if len(vals) == run.history.epochs:
                axes.plot(epochs, vals, color=color, linestyle="--", label=f"{run.name} val")
        axes.set_yscale("log")
        axes.set_xlabel("epoch")
        axes.set_ylabel("loss")
        axes.set_title("Loss per epoch (solid: train, dashed: validation)")
        axes.legend(fontsize="small")
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    finally:
        plt.close(figure)
    return buffer.getvalue()


def write_artifacts(result: Comparison, out_dir: PathLike, *, plot: bool = True) -> ArtifactReport:
    """Write the four artifacts into ``out_dir`` (created if needed), each atomically.

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
        png = _plot_png(result)
        if png is None:
            notes.append(
                "matplotlib is not installed: skipped loss_curves.png "
                "(pip install 'mg-train[plot]' to get it)"
            )
        else:
            files.append(("loss_curves.png", png))
    files.append(("results.json", results_text.encode("utf-8")))

    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in files:
        atomic_write_bytes(directory / name, data)
    written = {name: directory / name for name, _ in files}
    order = [name for name in ARTIFACT_NAMES if name in written]
    return ArtifactReport(tuple(written[name] for name in order), tuple(notes))
