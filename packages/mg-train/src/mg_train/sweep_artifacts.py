"""A sweep's files: sweep.json, sweep.md, sweep.csv and lr_sensitivity.png.

As with ``results.json`` (see `mg_train.artifacts`), ``sweep.json`` keeps what cannot reproduce
apart: everything but its ``environment`` and ``timings`` sections is a deterministic function
of the config, the rates and the replica count - whatever executor, worker count or completion
order ran it - so `mg_train.diff_results` compares two sweeps bit for bit. Every file is
rendered first and then written atomically, ``sweep.json`` last.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Optional

from ._atomic import PathLike, atomic_write_bytes
from .artifacts import ArtifactReport, environment
from .sweep_run import REPLICA_SEED_STRIDE, SEED_RULE, SweepResult
from .sweep_summary import LossStats, SweepCell

__all__ = [
    "SWEEP_ARTIFACT_NAMES",
    "SWEEP_FORMAT",
    "format_sweep_report",
    "sweep_document",
    "write_sweep_artifacts",
]

SWEEP_FORMAT = "mg-train-sweep"
SWEEP_FORMAT_VERSION = 1
SWEEP_ARTIFACT_NAMES = ("sweep.json", "sweep.md", "sweep.csv", "lr_sensitivity.png")


def sweep_document(result: SweepResult) -> dict[str, object]:
    """The sweep.json content: deterministic sections, then environment and timings."""
    return {
        "format": SWEEP_FORMAT,
        "format_version": SWEEP_FORMAT_VERSION,
        "config": dict(result.config),
        "plan": {
            "optimizers": list(result.optimizers),
            "learning_rates": list(result.learning_rates),
            "replicas": result.replicas,
            "shared_lr": result.summary.shared_lr,
            "replica_seed_stride": REPLICA_SEED_STRIDE,
            "seed_rule": SEED_RULE,
        },
        "runs": [run.to_dict() for run in result.runs],
        "aggregates": result.summary.to_dict(),
        "environment": environment(),
        "timings": {
            "total_seconds": result.wall_time,
            "executor": result.executor,
            "runs": [
                {
                    "optimizer": run.optimizer,
                    "lr": run.lr,
                    "replica": run.replica,
                    "wall_seconds": run.wall_time,
                    "resumed": run.resumed,
                }
                for run in result.runs
            ],
        },
    }


def _conditions(result: SweepResult, *, replicas: bool = True) -> str:
    config = result.config
    data = config.get("dataset")
    model = config.get("model")
    data = data if isinstance(data, Mapping) else {}
    model = model if isinstance(model, Mapping) else {}
    hidden = model.get("hidden")
    widths = "-".join(str(w) for w in hidden) if isinstance(hidden, list) else "?"
    return (
        f"{data.get('name')} ({data.get('n_samples')} samples, noise {data.get('noise')}), "
        f"MLP hidden {widths} {model.get('activation')}, {config.get('loss')}, "
        f"{config.get('epochs')} epochs, batch {config.get('batch_size')}"
        + (f"; {result.replicas} replica{'' if result.replicas == 1 else 's'}" if replicas else "")
    )


def _stats(stats: Optional[LossStats]) -> str:
    if stats is None:
        return "-"
    std = "-" if stats.std is None else f"{stats.std:.6f}"
    return f"{stats.mean:.6f} ± {std}"


def _epoch(cell: SweepCell) -> str:
    return "-" if cell.median_best_epoch is None else f"{cell.median_best_epoch:g}"


def _diverged(cell: SweepCell) -> str:
    return f" ({cell.diverged}/{cell.runs} diverged)" if cell.diverged else ""


def format_sweep_report(result: SweepResult) -> str:
    """sweep.md: the shared-rate table, the best-rate table and the whole grid."""
    summary = result.summary
    total = len(result.optimizers) * len(result.learning_rates) * result.replicas
    lines = [
        "# Optimizer sweep",
        "",
        f"{_conditions(result, replicas=False)}: {len(result.optimizers)} optimizer(s) x "
        f"{len(result.learning_rates)} learning rate(s) x {result.replicas} replica(s) = "
        f"{total} runs. Seeds: {SEED_RULE}. Losses: mean ± sample standard deviation over "
        "replicas.",
        "",
    ]
    shared = summary.shared_lr
    if shared is not None and shared in result.learning_rates:
        wins = summary.wins_at(shared)
        lines += [
            f"## At the shared rate (lr = {shared!r})",
            "",
            "| Optimizer | Best Val Loss | Final Val Loss | Median Best Epoch | Wins |",
            "|---|---|---|---|---|",
        ]
        for name in result.optimizers:
            cell = summary.cell(name, shared)
            lines.append(
                f"| {name} | {_stats(cell.best_val_loss)}{_diverged(cell)} "
                f"| {_stats(cell.final_val_loss)} | {_epoch(cell)} "
                f"| {wins[name]}/{result.replicas} |"
            )
        ties = summary.ties_at(shared)
        lines += ["", f"Ties: {ties}." if ties else "No ties.", ""]
    lines += [
        "## Each optimizer at its best rate",
        "",
        "| Optimizer | Best lr | Best Val Loss | Final Val Loss | Median Best Epoch |",
        "|---|---|---|---|---|",
    ]
    for name in result.optimizers:
        best = summary.best_rate(name)
        if best is None:
            lines.append(f"| {name} | - | diverged at every rate | - | - |")
            continue
        lines.append(
            f"| {name} | {best.lr!r} | {_stats(best.best_val_loss)} "
            f"| {_stats(best.final_val_loss)} | {_epoch(best)} |"
        )
    lines += [
        "",
        "## Best validation loss at every rate",
        "",
        "| Optimizer | " + " | ".join(f"lr {lr!r}" for lr in result.learning_rates) + " |",
        "|---|" + "---|" * len(result.learning_rates),
    ]
    for name in result.optimizers:
        cells = [summary.cell(name, lr) for lr in result.learning_rates]
        lines.append(
            f"| {name} | "
            + " | ".join(_stats(c.best_val_loss) + _diverged(c) for c in cells)
            + " |"
        )
    return "\n".join(lines) + "\n"


def _csv(result: SweepResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "optimizer",
            "lr",
            "replica",
            "split_seed",
            "model_seed",
            "shuffle_seed",
            "final_train_loss",
            "final_val_loss",
            "best_val_loss",
            "best_epoch",
            "diverged_epoch",
            "wall_seconds",
        ]
    )

    def cell(value: object) -> str:
        return "" if value is None else repr(value)

    for run in result.runs:
        writer.writerow(
            [
                run.optimizer,
                repr(run.lr),
                run.replica,
                run.seeds.split,
                run.seeds.model,
                run.seeds.shuffle,
                cell(run.final_train_loss),
                cell(run.final_val_loss),
                cell(run.best_val_loss),
                cell(run.best_epoch),
                cell(None if run.diverged_at is None else run.diverged_at[0]),
                repr(run.wall_time),
            ]
        )
    return buffer.getvalue()


def _plot_png(result: SweepResult) -> Optional[bytes]:
    """Best validation loss against lr, log-log: mean per optimizer, band from min to max over
    replicas, error bars of one standard deviation; None without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    figure, axes = plt.subplots(figsize=(7.5, 5.0))
    try:
        for index, name in enumerate(result.optimizers):
            color = f"C{index % 10}"
            points = [
                (cell.lr, cell.best_val_loss)
                for cell in (result.summary.cell(name, lr) for lr in result.learning_rates)
                if cell.best_val_loss is not None
            ]
            if not points:
                continue
            rates = [lr for lr, _ in points]
            means = [stats.mean for _, stats in points]
            axes.fill_between(
                rates,
                [stats.min for _, stats in points],
                [stats.max for _, stats in points],
                color=color,
                alpha=0.18,
                linewidth=0,
            )
            stds = [0.0 if stats.std is None else stats.std for _, stats in points]
            lower = [min(s, m * 0.999) for s, m in zip(stds, means)]  # stays above 0 on log y
            axes.errorbar(
                rates,
                means,
                yerr=[lower, stds],
                color=color,
                marker="o",
                markersize=4,
                capsize=3,
                label=name,
            )
        shared = result.summary.shared_lr
        if shared is not None and shared in result.learning_rates:
            axes.axvline(
                shared, color="0.5", linestyle=":", linewidth=1, label=f"shared lr {shared}"
            )
        axes.set_xscale("log")
        axes.set_yscale("log")
        if len(result.learning_rates) == 1:  # one rate: give the point some room either side
            axes.set_xlim(result.learning_rates[0] / 3.0, result.learning_rates[0] * 3.0)
        axes.set_xlabel("learning rate")
        axes.set_ylabel("best validation loss")
        axes.set_title(
            "Best validation loss vs learning rate\n"
            "line: mean, bars: ±1 std, band: min-max over replicas",
            fontsize="medium",
        )
        figure.text(0.5, 0.01, _conditions(result), ha="center", fontsize="x-small")
        axes.legend(fontsize="small")
        axes.grid(True, which="major", alpha=0.3)
        figure.tight_layout(rect=(0.0, 0.03, 1.0, 1.0))
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    finally:
        plt.close(figure)
    return buffer.getvalue()


def write_sweep_artifacts(
    result: SweepResult, out_dir: PathLike, *, plot: bool = True
) -> ArtifactReport:
    """Write the four files into ``out_dir`` (created if needed), rendered first, each atomic,
    sweep.json last; without matplotlib the plot is skipped with a note."""
    document = json.dumps(sweep_document(result), indent=2, allow_nan=False) + "\n"
    files: list[tuple[str, bytes]] = [
        ("sweep.md", format_sweep_report(result).encode("utf-8")),
        ("sweep.csv", _csv(result).encode("utf-8")),
    ]
    notes: list[str] = []
    if plot:
        png = _plot_png(result)
        if png is None:
            notes.append(
                "matplotlib is not installed: skipped lr_sensitivity.png "
                "(pip install 'mg-train[plot]' to get it)"
            )
        else:
            files.append(("lr_sensitivity.png", png))
    files.append(("sweep.json", document.encode("utf-8")))
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in files:
        atomic_write_bytes(directory / name, data)
    written = {name: directory / name for name, _ in files}
    return ArtifactReport(
        tuple(written[name] for name in SWEEP_ARTIFACT_NAMES if name in written), tuple(notes)
    )
