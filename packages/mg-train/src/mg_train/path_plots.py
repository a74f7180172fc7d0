"""Pictures of optimizer paths: contours of each surface with every path drawn on it.

`mg_optim.optimize_path` computes the paths (mg-optim stays free of third-party packages);
drawing them needs matplotlib, which is mg-train's ``plot`` extra
(``pip install 'mg-train[plot]'``), used headless through its Agg backend.

Every picture states the conditions that produced it: each panel's title names the surface,
the start and the step count, each legend entry the optimizer and its learning rate, and a
caption under the panels says everything else (``caption=``). The contour levels come from
the surface itself, evaluated with mg's own `Value` arithmetic under `no_grad`, so the picture
shows exactly the function the optimizers saw.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Optional

from mg_autograd import Value, no_grad
from mg_optim import OptimizerPath

from ._atomic import PathLike, atomic_write_bytes

__all__ = ["PathPanel", "plot_paths", "write_path_plot"]

_Location = Literal[
    "best", "upper right", "upper left", "lower left", "lower right", "center right", "center"
]
_LOCATIONS: dict[str, _Location] = {
    name: name
    for name in (
        "best",
        "upper right",
        "upper left",
        "lower left",
        "lower right",
        "center right",
        "center",
    )
}

GRID_POINTS = 161
"""Contour grid resolution per axis (161 x 161 evaluations of the surface per panel)."""


@dataclass(frozen=True)
class PathPanel:
    """One surface and the paths to draw on it.

    ``x_range`` and ``y_range`` bound the drawing (a path that leaves them is clipped, as a
    diverging one does); ``minima`` are marked with a star; ``log_contours`` spaces the levels
    logarithmically in ``f - min f`` (for surfaces like Rosenbrock's whose valley floor is flat
    next to walls thousands of times higher); ``labels`` name the paths in the legend (by
    default the optimizer and its learning rate), placed at ``legend_loc`` (matplotlib's
    names: ``"best"``, ``"lower right"``, ...).
    """

    f: Callable[[Value, Value], Value]
    paths: Sequence[OptimizerPath]
    title: str
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    minima: Sequence[tuple[float, float]] = ()
    log_contours: bool = False
    labels: Optional[Sequence[str]] = None
    levels: int = 18
    legend_loc: str = "best"

    def __post_init__(self) -> None:
        for name, (low, high) in (("x_range", self.x_range), ("y_range", self.y_range)):
            if not (math.isfinite(low) and math.isfinite(high) and low < high):
                raise ValueError(f"{name} must be finite with low < high, got {(low, high)!r}")
        if self.labels is not None and len(self.labels) != len(self.paths):
            raise ValueError(f"labels has {len(self.labels)} entries for {len(self.paths)} path(s)")
        if not self.paths:
            raise ValueError(f"panel {self.title!r} has no paths to draw")
        if self.legend_loc not in _LOCATIONS:
            raise ValueError(
                f"legend_loc must be one of {sorted(_LOCATIONS)}, got {self.legend_loc!r}"
            )


_STYLES = ("-", "--", ":")
"""Line styles for paths 1-10, 11-20, 21-30 (matplotlib's ten colours repeat after ten). The
first path is drawn on top, so where paths coincide the earliest listed stays visible."""


def _label(path: OptimizerPath) -> str:
    lr = path.options.get("lr")
    return f"{path.optimizer} lr={lr:g}" if isinstance(lr, float) else path.optimizer


def _surface_grid(panel: PathPanel) -> tuple[list[float], list[float], list[list[float]]]:
    (x0, x1), (y0, y1) = panel.x_range, panel.y_range
    n = GRID_POINTS
    xs = [x0 + (x1 - x0) * i / (n - 1) for i in range(n)]
    ys = [y0 + (y1 - y0) * j / (n - 1) for j in range(n)]
    with no_grad():
        zs = [[panel.f(Value(x), Value(y)).data for x in xs] for y in ys]
    return xs, ys, zs


def plot_paths(
    panels: Sequence[PathPanel],
    *,
    columns: int = 3,
    title: str = "",
    caption: str = "",
    panel_size: tuple[float, float] = (5.0, 4.4),
) -> bytes:
    """Render the panels (``columns`` per row) as PNG bytes; needs matplotlib."""
    if not panels:
        raise ValueError("plot_paths needs at least one panel")
    if isinstance(columns, bool) or not isinstance(columns, int) or columns < 1:
        raise ValueError(f"columns must be an int >= 1, got {columns!r}")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.colors import LogNorm
    except ImportError:
        raise ImportError(
            "plotting optimizer paths needs matplotlib: pip install 'mg-train[plot]'"
        ) from None
    columns = min(columns, len(panels))
    rows = -(-len(panels) // columns)
    width, height = panel_size
    caption_lines = caption.count("\n") + 1 if caption else 0
    figure = plt.figure(figsize=(width * columns, height * rows + 0.22 * caption_lines + 0.5))
    try:
        grid = figure.add_gridspec(rows, columns)
        for index, panel in enumerate(panels):
            axes = figure.add_subplot(grid[index // columns, index % columns])
            xs, ys, zs = _surface_grid(panel)
            if panel.log_contours:
                low = min(min(row) for row in zs)
                shifted = [[z - low + 1e-3 for z in row] for row in zs]
                top = max(max(row) for row in shifted)
                exponents = [
                    -3 + (math.log10(top) + 3) * k / (panel.levels - 1) for k in range(panel.levels)
                ]
                axes.contour(
                    xs,
                    ys,
                    shifted,
                    levels=[10.0**e for e in exponents],
                    norm=LogNorm(),
                    cmap="Greys",
                    linewidths=0.6,
                )
            else:
                axes.contour(xs, ys, zs, levels=panel.levels, cmap="Greys", linewidths=0.6)
            labels = panel.labels if panel.labels is not None else [_label(p) for p in panel.paths]
            for k, (path, label) in enumerate(zip(panel.paths, labels)):
                axes.plot(
                    path.xs,
                    path.ys,
                    _STYLES[(k // 10) % len(_STYLES)],
                    color=f"C{k % 10}",
                    linewidth=1.3,
                    marker=".",
                    markersize=2.5,
                    zorder=3 + len(panel.paths) - k,
                    label=label + (" (diverged)" if path.diverged else ""),
                )
            start = panel.paths[0].start
            axes.plot([start[0]], [start[1]], "o", color="black", markersize=6, zorder=5)
            for mx, my in panel.minima:
                axes.plot([mx], [my], "*", color="gold", markeredgecolor="black", markersize=13)
            axes.set_xlim(*panel.x_range)
            axes.set_ylim(*panel.y_range)
            axes.set_title(panel.title, fontsize=10)
            axes.set_xlabel("x")
            axes.set_ylabel("y")
            axes.legend(fontsize=7.5, loc=_LOCATIONS[panel.legend_loc], framealpha=0.85)
        if title:
            figure.suptitle(title, fontsize=13)
        if caption:
            figure.text(0.5, 0.005, caption, ha="center", va="bottom", fontsize=8.5, wrap=True)
        bottom = (0.22 * caption_lines + 0.35) / (height * rows + 0.22 * caption_lines + 0.5)
        figure.tight_layout(rect=(0.0, bottom, 1.0, 0.96 if title else 1.0))
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    finally:
        plt.close(figure)
    return _palette_png(buffer.getvalue())


def _palette_png(png: bytes) -> bytes:
    """The same picture with a 256-colour palette: about a third of the bytes of matplotlib's
    RGBA output (contours and antialiased lines use thousands of nearly equal colours), so the
    committed picture stays small. Pillow is a dependency of matplotlib itself."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        palette = image.convert("RGB").quantize(colors=256)
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    return out.getvalue()


def write_path_plot(
    path: PathLike,
    panels: Sequence[PathPanel],
    *,
    columns: int = 3,
    title: str = "",
    caption: str = "",
) -> None:
    """`plot_paths`, written to ``path`` atomically (the old file or the new, never half)."""
    png = plot_paths(panels, columns=columns, title=title, caption=caption)
    atomic_write_bytes(path, png)
