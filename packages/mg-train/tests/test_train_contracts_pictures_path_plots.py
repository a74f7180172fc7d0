"""What mg_train.path_plots draws: each path's points, style and label, the start and the
minima, the contour levels of the surface itself, titles, caption, layout and pixel size - read
from the Figure caught at savefig.

Without matplotlib (the ``plot`` extra) each test asserts the ImportError instead."""

from __future__ import annotations

import io
import math
import re
import sys
from pathlib import Path

import pytest
from mg_autograd import Value
from mg_optim import SGD, OptimizerPath, optimize_path
from mg_train import PathPanel, plot_paths, write_path_plot
from picture_kit import HAS_MATPLOTLIB, floats, png_size, rows

NEEDS = r"plotting optimizer paths needs matplotlib: pip install 'mg-train\[plot\]'"

if HAS_MATPLOTLIB:
    import matplotlib
    import matplotlib.pyplot as plt
    from cycler import cycler
    from matplotlib.axes import Axes
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import LogNorm, to_rgba
    from matplotlib.contour import ContourSet
    from matplotlib.figure import Figure
    from PIL import Image


def bowl(x: Value, y: Value) -> Value:
    """x^2 + y^2 + 1: minimum 1 at the origin; on [-1, 1] x [-2, 2] the maximum is 6."""
    return x * x + y * y + 1.0


def bowl_float(x: float, y: float) -> float:
    return x * x + y * y + 1.0


def _path(start: tuple[float, float], lr: float, steps: int = 3) -> OptimizerPath:
    return optimize_path(bowl, start, lambda ps: SGD(ps, lr), steps)


def _plain(
    name: str, points: list[tuple[float, float]], *, diverged: bool = False
) -> OptimizerPath:
    """A path without a learning rate in its options (an optimizer that has none)."""
    from mg_optim.paths import PathPoint

    return OptimizerPath(
        optimizer=name,
        options={},
        start=points[0],
        steps=len(points) - 1,
        points=tuple(PathPoint(x, y, bowl_float(x, y)) for x, y in points),
        anatomy=(),
        diverged=diverged,
    )


def _log_panel() -> PathPanel:
    # every path crosses the lower left, where the legend is asked to go ('best' would not)
    return PathPanel(
        bowl,
        [_path((-0.9, -1.8), 0.25), _path((-0.8, -1.9), 0.1)],
        "bowl, 3 steps",
        (-1.0, 1.0),
        (-2.0, 2.0),
        minima=[(0.0, 0.0), (0.5, 1.0)],
        log_contours=True,
        legend_loc="lower left",
    )


def test_paths_start_minima_and_log_contours_are_what_the_panel_says(
    figures: list[Figure],
) -> None:
    panel = _log_panel()
    if not HAS_MATPLOTLIB:
        with pytest.raises(ImportError, match=NEEDS):
            plot_paths([panel])
        return
    png = plot_paths([panel], title="Paths", caption="line one\nline two")
    # one 5 x 4.4 in panel, plus 0.22 in per caption line and 0.5 in: 500 x 534 px at 100 dpi
    assert png_size(png) == (500, 534)
    with Image.open(io.BytesIO(png)) as image:
        assert image.mode == "P"  # quantized to a 256-colour palette of opaque RGB
        assert "transparency" not in image.info
        resaved = io.BytesIO()
        image.save(resaved, format="PNG")
    assert len(png) < len(resaved.getvalue())  # and compressed with PIL's optimize pass
    (figure,) = figures
    (axes,) = figure.axes
    lines = axes.get_lines()
    for line, path, label in zip(lines, panel.paths, ["SGD lr=0.25", "SGD lr=0.1"]):
        assert floats(line.get_xdata()) == path.xs
        assert floats(line.get_ydata()) == path.ys
        assert (line.get_linestyle(), line.get_marker(), line.get_label()) == ("-", ".", label)
    start, *stars = lines[2:]
    assert (floats(start.get_xdata()), floats(start.get_ydata())) == ([-0.9], [-1.8])
    assert (start.get_marker(), to_rgba(start.get_color())) == ("o", to_rgba("black"))
    assert [(floats(s.get_xdata()), floats(s.get_ydata())) for s in stars] == [
        ([0.0], [0.0]),
        ([0.5], [1.0]),
    ]
    assert all(s.get_marker() == "*" and s.get_color() == "gold" for s in stars)

    (contour,) = [c for c in axes.collections if isinstance(c, ContourSet)]
    assert isinstance(contour.norm, LogNorm)  # grey shades spaced like the levels
    assert contour.cmap.name == "Greys"
    assert [(line.get_linewidth(), line.get_markersize()) for line in lines[:2]] == [(1.3, 2.5)] * 2
    # log spacing of f - min f + 1e-3 over the 161 x 161 grid: min 1 at the origin (a grid
    # point), max 6 at the corners; 18 levels from 1e-3 up to 5.001
    top = math.log10(5.001)
    expected = [10.0 ** (-3 + (top + 3) * k / 17) for k in range(18)]
    assert list(contour.levels) == pytest.approx(expected, rel=1e-12)
    # the first path is drawn on top, every path above the contours, the start dot over the last
    zorders = [line.get_zorder() for line in lines[:2]]
    assert zorders[0] > zorders[1] > contour.get_zorder()
    assert start.get_zorder() > zorders[1]

    assert axes.get_title() == "bowl, 3 steps"
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("x", "y")
    assert (axes.get_xlim(), axes.get_ylim()) == ((-1.0, 1.0), (-2.0, 2.0))
    legend = axes.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["SGD lr=0.25", "SGD lr=0.1"]
    box, frame = legend.get_window_extent(), axes.get_window_extent()
    assert box.x0 - frame.x0 < 15  # lower left, as asked
    assert box.y0 - frame.y0 < 15

    assert figure.get_suptitle() == "Paths"
    assert [t.get_text() for t in figure.texts] == ["Paths", "line one\nline two"]
    caption = figure.texts[-1]
    assert caption.get_position() == (0.5, 0.005)
    assert (
        caption.get_horizontalalignment(),
        caption.get_verticalalignment(),
        caption.get_wrap(),
    ) == ("center", "bottom", True)
    _assert_no_overlap(figure, axes)


def _assert_no_overlap(figure: Figure, axes: Axes) -> None:
    """The caption sits below every panel's labels, the title above its title, all inside."""
    renderer = FigureCanvasAgg(figure).get_renderer()  # type: ignore[no-untyped-call]
    panel = axes.get_tightbbox(renderer)
    assert panel is not None
    size = figure.bbox
    assert panel.x0 >= 0
    assert panel.y0 >= 0
    assert panel.x1 <= size.x1
    assert panel.y1 <= size.y1
    title = figure.get_suptitle()
    for text in figure.texts:
        extent = text.get_window_extent(renderer)
        if title and text.get_text() == title:
            assert extent.y0 >= panel.y1
        else:
            assert extent.y1 <= panel.y0


def test_twenty_one_paths_cycle_ten_colours_then_change_line_style(figures: list[Figure]) -> None:
    paths = [_plain(f"P{k}", [(0.1 * k - 1.0, 0.0), (0.0, 0.0)]) for k in range(21)]
    labels = [f"path {k}" for k in range(21)]
    diverged = _plain("Wild", [(0.5, 0.5), (0.9, 1.9)], diverged=True)
    panels = [
        PathPanel(bowl, paths, "many", (-1.0, 1.0), (-2.0, 2.0), labels=labels),
        PathPanel(bowl, [diverged], "one", (-1.0, 1.0), (-2.0, 2.0), levels=5),
    ]
    if not HAS_MATPLOTLIB:
        with pytest.raises(ImportError, match=NEEDS):
            plot_paths(panels)
        return
    # with a user colour cycle of three, path 11 still repeats path 1's colour (with '--')
    with matplotlib.rc_context({"axes.prop_cycle": cycler(color=["red", "green", "blue"])}):
        png = plot_paths(panels, columns=1, panel_size=(3.0, 2.5))
        lines = figures[0].axes[0].get_lines()[:21]
        # a line keeps its "CN" colour and resolves it against the cycle of the moment
        colours = [to_rgba(line.get_color()) for line in lines]
    assert colours[:4] == [to_rgba(c) for c in ("red", "green", "blue", "red")]
    assert colours[10:14] == colours[:4]  # C0, C1, ... again, not C10 (= C1 of three)
    assert png_size(png) == (300, 550)  # one column: 3 in wide, 2 x 2.5 in + 0.5 in high
    figure = figures[0]
    many, one = figure.axes
    assert [line.get_linestyle() for line in lines] == ["-"] * 10 + ["--"] * 10 + [":"]
    assert [line.get_label() for line in lines] == labels
    assert figure.get_suptitle() == ""
    assert figure.texts == []
    # no lr in the options: the label is the optimizer's name, and a diverged path says so
    assert one.get_lines()[0].get_label() == "Wild (diverged)"
    start = one.get_lines()[1]
    assert (floats(start.get_xdata()), floats(start.get_ydata())) == (
        [0.5],
        [0.5],
    )
    # a plain contour: the same levels and lines as contouring the function itself on the
    # 161 x 161 grid over the panel's ranges
    xs = [-1.0 + 2.0 * i / 160 for i in range(161)]
    ys = [-2.0 + 4.0 * j / 160 for j in range(161)]
    zs = [[bowl_float(x, y) for x in xs] for y in ys]
    reference = plt.figure().add_subplot().contour(xs, ys, zs, levels=5)
    try:
        (contour,) = [c for c in one.collections if isinstance(c, ContourSet)]
        assert list(contour.levels) == list(reference.levels)
        assert [rows(p.vertices) for p in contour.get_paths()] == [
            rows(p.vertices) for p in reference.get_paths()
        ]
    finally:
        plt.close("all")
    _assert_no_overlap(figure, many)


def test_write_path_plot_lays_out_three_columns_by_default_and_passes_everything_on(
    tmp_path: Path, figures: list[Figure]
) -> None:
    panel = PathPanel(bowl, [_path((0.5, 0.5), 0.1, 1)], "p", (-1.0, 1.0), (-2.0, 2.0), levels=3)
    target = tmp_path / "paths.png"
    if not HAS_MATPLOTLIB:
        with pytest.raises(ImportError, match=NEEDS):
            write_path_plot(target, [panel] * 4)
        assert list(tmp_path.iterdir()) == []
        return
    write_path_plot(target, [panel] * 4)
    # 4 panels, 3 per row: 2 rows, 15 x (2 x 4.4 + 0.5) inches
    assert png_size(target.read_bytes()) == (1500, 930)
    assert figures[0].get_suptitle() == ""
    assert figures[0].texts == []
    axes = figures[0].axes
    assert [a.get_subplotspec().get_geometry() for a in axes] == [  # type: ignore[union-attr]
        (2, 3, k, k) for k in range(4)
    ]
    assert png_size(plot_paths([panel] * 4)) == (1500, 930)  # plot_paths' own default: 3
    write_path_plot(target, [panel] * 2, columns=1, title="T", caption="c")
    assert png_size(target.read_bytes()) == (500, 952)  # 1 column, 2 rows, one caption line
    assert figures[2].get_suptitle() == "T"
    assert [t.get_text() for t in figures[2].texts] == ["T", "c"]
    assert [p.name for p in tmp_path.iterdir()] == ["paths.png"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: PathPanel(bowl, [], "empty", (0.0, 1.0), (0.0, 1.0)),
            "panel 'empty' has no paths to draw",
        ),
        (
            lambda: PathPanel(bowl, [_plain("A", [(0.0, 0.0)])], "t", (0.0, 0.0), (0.0, 1.0)),
            "x_range must be finite with low < high, got (0.0, 0.0)",
        ),
        (
            lambda: PathPanel(bowl, [_plain("A", [(0.0, 0.0)])], "t", (0.0, 1.0), (1.0, math.inf)),
            "y_range must be finite with low < high, got (1.0, inf)",
        ),
        (
            lambda: PathPanel(
                bowl, [_plain("A", [(0.0, 0.0)])], "t", (0.0, 1.0), (0.0, 1.0), labels=["a", "b"]
            ),
            "labels has 2 entries for 1 path(s)",
        ),
        (
            lambda: PathPanel(
                bowl, [_plain("A", [(0.0, 0.0)])], "t", (0.0, 1.0), (0.0, 1.0), legend_loc="top"
            ),
            "legend_loc must be one of ['best', 'center', 'center right', 'lower left', "
            "'lower right', 'upper left', 'upper right'], got 'top'",
        ),
        (lambda: plot_paths([]), "plot_paths needs at least one panel"),
        (lambda: plot_paths([_log_panel()], columns=0), "columns must be an int >= 1, got 0"),
        (lambda: plot_paths([_log_panel()], columns=True), "columns must be an int >= 1, got True"),
        (
            lambda: plot_paths([_log_panel()], columns=1.0),  # type: ignore[arg-type]
            "columns must be an int >= 1, got 1.0",
        ),
    ],
)
def test_bad_panels_are_refused_with_the_exact_reason(make: object, message: str) -> None:
    assert callable(make)
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        make()


def test_one_column_is_accepted_and_a_panel_may_be_a_single_point(figures: list[Figure]) -> None:
    panel = PathPanel(bowl, [_plain("A", [(0.0, 0.0)])], "t", (-1.0, 1.0), (-1.0, 1.0), levels=2)
    if not HAS_MATPLOTLIB:
        with pytest.raises(ImportError, match=NEEDS):
            plot_paths([panel], columns=1)
        return
    assert png_size(plot_paths([panel], columns=1, panel_size=(2.0, 2.0))) == (200, 250)


def test_without_matplotlib_the_error_says_exactly_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=f"^{NEEDS}$"):
        plot_paths([_log_panel()])
