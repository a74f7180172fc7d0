"""The pictures: loss curves and decision boundaries, rendered to PNG bytes with matplotlib Agg.

matplotlib is the optional ``plot`` extra (``pip install "mg-train[plot]"``); without it the
renderers raise `MissingMatplotlib` (a `ModuleNotFoundError`) saying what to install, and
`write_artifacts` turns that into a note. Every picture states its conditions - optimizer,
learning rate, batch size, epochs, seeds - in its title and legend, because a curve without
them can be neither reproduced nor compared. Nothing is drawn by hand: a boundary is the
model's own prediction (`mg_train.metrics.predict_labels`) at every point of a grid, computed
by the engine under ``no_grad``.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from mg_autograd import no_grad

from .compare import Comparison
from .conditions import lr_text, shared_conditions
from .data import Dataset
from .metrics import CLASSIFICATION_LOSSES, predict_labels
from .protocols import Model, forward_all

__all__ = [
    "DecisionGrid",
    "MissingMatplotlib",
    "decision_grid",
    "plot_decision_boundary",
    "plot_loss_curves",
]

_INSTALL = "matplotlib is not installed: pip install 'mg-train[plot]' to draw pictures"


class MissingMatplotlib(ModuleNotFoundError):
    """Raised by the renderers when matplotlib (the ``plot`` extra) is not installed."""


_GRID_MARGIN = 0.5
"""How far the grid reaches beyond the outermost data point, in data units."""


@dataclass(frozen=True)
class DecisionGrid:
    """The model's predicted label at each grid point: ``labels[j][i]`` is at (xs[i], ys[j])."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    labels: tuple[tuple[float, ...], ...]


def _axis(lo: float, hi: float, steps: int) -> tuple[float, ...]:
    return tuple(lo + (hi - lo) * i / (steps - 1) for i in range(steps))


def _bounds(datasets: Sequence[Dataset]) -> tuple[float, float, float, float]:
    xs = [row[0] for data in datasets for row in data.inputs]
    ys = [row[1] for data in datasets for row in data.inputs]
    return (
        min(xs) - _GRID_MARGIN,
        max(xs) + _GRID_MARGIN,
        min(ys) - _GRID_MARGIN,
        max(ys) + _GRID_MARGIN,
    )


def decision_grid(
    model: Model,
    loss: str,
    datasets: Sequence[Dataset],
    *,
    steps: int = 81,
) -> DecisionGrid:
    """Predict the class of every point of a ``steps`` x ``steps`` grid over the datasets'
    2-D inputs (plus a margin of 0.5), with the rule of ``loss`` (`mg_train.metrics`).

    The model must give one class per sample: one output for ``bce_with_logits`` and
    ``hinge``, one row of logits for ``cross_entropy``. Raises ValueError otherwise, for
    inputs that are not 2-D, or for fewer than 2 steps.
    """
    if loss not in CLASSIFICATION_LOSSES:
        raise ValueError(
            f"a decision boundary needs a classification loss ({', '.join(CLASSIFICATION_LOSSES)}),"
            f" got {loss!r}"
        )
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 2:
        raise ValueError(f"steps must be an int >= 2, got {steps!r}")
    present = [data for data in datasets if len(data) > 0]
    if not present:
        raise ValueError("a decision boundary needs at least one non-empty dataset")
    for data in present:
        if data.n_features != 2:
            raise ValueError(
                f"a decision boundary is drawn over 2 input features; the data has "
                f"{data.n_features}"
            )
    x_lo, x_hi, y_lo, y_hi = _bounds(present)
    xs, ys = _axis(x_lo, x_hi, steps), _axis(y_lo, y_hi, steps)
    rows: list[tuple[float, ...]] = []
    with no_grad():
        for y in ys:
            outputs = forward_all(model, [(x, y) for x in xs])
            row: list[float] = []
            for output in outputs:
                labels = predict_labels(loss, [value.data for value in output])
                if len(labels) != 1:
                    raise ValueError(
                        f"a decision boundary needs one class per sample, but the model has "
                        f"{len(output)} outputs under {loss!r}"
                    )
                row.append(labels[0])
            rows.append(tuple(row))
    return DecisionGrid(xs, ys, tuple(rows))


def _classes(loss: str, grids: Sequence[DecisionGrid], datasets: Sequence[Dataset]) -> list[float]:
    """Every label that can appear, in order: -1/+1, 0/1, or 0 .. K-1."""
    if loss == "hinge":
        return [-1.0, 1.0]
    if loss == "bce_with_logits":
        return [0.0, 1.0]
    seen = [label for grid in grids for row in grid.labels for label in row]
    seen += [row[0] for data in datasets for row in data.targets]
    return [float(k) for k in range(int(max(seen)) + 1)]


def _wrap(text: str, inches: float) -> str:
    """Lines that fit a figure ``inches`` wide at matplotlib's "small" font (~13 per inch)."""
    return "\n".join(textwrap.wrap(text, width=max(40, int(13 * inches))))


def plot_decision_boundary(
    panels: Sequence[tuple[str, Model]],
    loss: str,
    train: Dataset,
    val: Optional[Dataset] = None,
    *,
    conditions: str,
    steps: int = 81,
) -> bytes:
    """PNG bytes: one panel per (title, model), each the model's predicted class over a grid
    (`decision_grid`) with the training points (circles) and validation points (triangles)
    on top, coloured by their true class; ``conditions`` is printed above the panels."""
    if not panels:
        raise ValueError("plot_decision_boundary needs at least one (title, model) panel")
    if not isinstance(conditions, str) or not conditions.strip():
        raise ValueError("every picture states its conditions: pass conditions='...'")
    datasets = [train] if val is None else [train, val]
    grids = [decision_grid(model, loss, datasets, steps=steps) for _, model in panels]
    classes = _classes(loss, grids, datasets)
    try:
        import matplotlib
    except ImportError:
        raise MissingMatplotlib(_INSTALL) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    palette = ["#3b6fb6", "#d9822b", "#3f9e4d", "#b8413c", "#7d5ba6", "#8c6d31"]
    colors = [palette[i % len(palette)] for i in range(len(classes))]
    cmap = ListedColormap(colors)
    edges = [-0.5 + i for i in range(len(classes) + 1)]
    norm = BoundaryNorm(edges, cmap.N)
    index = {label: i for i, label in enumerate(classes)}

    width = max(5.6, 4.6 * len(panels))
    figure, axes_row = plt.subplots(1, len(panels), figsize=(width, 4.9), squeeze=False)
    try:
        for axes, (title, _), grid in zip(axes_row[0], panels, grids):
            field = [[float(index[label]) for label in row] for row in grid.labels]
            axes.contourf(grid.xs, grid.ys, field, levels=edges, cmap=cmap, norm=norm, alpha=0.35)
            for data, marker in ((train, "o"), (val, "^")):
                if data is None:
                    continue
                axes.scatter(
                    [row[0] for row in data.inputs],
                    [row[1] for row in data.inputs],
                    c=[float(index[row[0]]) for row in data.targets],
                    cmap=cmap,
                    norm=norm,
                    marker=marker,
                    s=22,
                    edgecolors="black",
                    linewidths=0.5,
                )
            axes.set_title(title, fontsize="medium")
            axes.set_xlabel("x1")
            axes.set_ylabel("x2")
            axes.set_xlim(grid.xs[0], grid.xs[-1])
            axes.set_ylim(grid.ys[0], grid.ys[-1])
            handles: list[object] = [
                Patch(color=colors[i], label=f"class {label:g}") for i, label in enumerate(classes)
            ]
            for data, marker, name in ((train, "o", "train"), (val, "^", "val")):
                if data is not None:
                    handles.append(
                        Line2D(
                            [],
                            [],
                            marker=marker,
                            linestyle="",
                            markerfacecolor="lightgray",
                            markeredgecolor="black",
                            label=f"{name} ({len(data)})",
                        )
                    )
            axes.legend(handles=handles, fontsize="small", loc="upper right")
        figure.suptitle(
            _wrap(f"Predicted class (shaded) and true class (points) - {conditions}", width),
            fontsize="small",
        )
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    finally:
        plt.close(figure)
    return buffer.getvalue()


def plot_loss_curves(result: Comparison) -> bytes:
    """PNG bytes: train (solid) and validation (dashed) loss per optimizer, log y (linear when
    a loss is exactly 0, as a hinge loss can be), whole epochs on the x axis; each legend entry
    names its optimizer and learning rate, and the title the conditions every run shared."""
    try:
        import matplotlib
    except ImportError:
        raise MissingMatplotlib(_INSTALL) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    epochs = max((run.history.epochs for run in result.runs), default=0)
    conditions = shared_conditions(result.setup, result.config, epochs)
    figure, axes = plt.subplots(figsize=(7.0, 4.8))
    try:
        for index, run in enumerate(result.runs):
            color = f"C{index % 10}"
            label = f"{run.name} ({lr_text(run.history.lr)})"
            steps = list(range(1, run.history.epochs + 1))
            axes.plot(steps, run.history.train_loss, color=color, label=f"{label} train")
            vals = [v for v in run.history.val_loss if v is not None]
            if len(vals) == run.history.epochs:
                axes.plot(steps, vals, color=color, linestyle="--", label=f"{label} val")
        values = [v for run in result.runs for v in run.history.train_loss]
        values += [v for run in result.runs for v in run.history.val_loss if v is not None]
        if all(v > 0.0 for v in values):
            axes.set_yscale("log")
            axes.set_ylabel("loss")
        else:  # a hinge loss can reach exactly 0, which a log axis cannot show
            axes.set_ylabel("loss (linear scale: some losses are exactly 0)")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel("epoch")
        axes.set_title(
            _wrap(f"Loss per epoch (solid: train, dashed: validation) - {conditions}", 7.0),
            fontsize="small",
        )
        if result.runs:  # an empty legend is a matplotlib warning, not a picture
            axes.legend(fontsize="small")
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    finally:
        plt.close(figure)
    return buffer.getvalue()
