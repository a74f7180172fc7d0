"""What mg_train.plots draws for a decision boundary: every shaded band, point, colour, title,
limit and pixel size checked on the Figure itself (caught at savefig), not only that a PNG came
out. (The loss curves are in test_train_contracts_pictures_loss_curves.py.)

Without matplotlib (the ``plot`` extra) each test asserts MissingMatplotlib instead."""

from __future__ import annotations

import re
import sys
import textwrap
from collections.abc import Mapping, Sequence

import pytest
from mg_autograd import Value
from mg_nn import Parameter
from mg_train import (
    Dataset,
    MissingMatplotlib,
    decision_grid,
    plot_decision_boundary,
)
from picture_kit import HAS_MATPLOTLIB, floats, png_size, rows

INSTALL = "matplotlib is not installed: pip install 'mg-train[plot]' to draw pictures"

if HAS_MATPLOTLIB:
    import matplotlib
    from matplotlib.axes import Axes
    from matplotlib.collections import PathCollection
    from matplotlib.colors import to_rgba
    from matplotlib.contour import ContourSet
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch


# ------------------------------------------------------------------ decision boundaries


class Threshold:
    """A fixed model: one score ``x1 - cut`` (class +1 / 1 right of the line x1 = cut), or with
    ``classes=K`` K scores peaking at class ``min(K - 1, floor(x1 - cut) + 1)`` (0 left of cut)."""

    def __init__(self, cut: float, classes: int = 0) -> None:
        self.cut = cut
        self.classes = classes

    def __call__(self, inputs: Sequence[float], /) -> list[Value]:
        score = inputs[0] - self.cut
        if not self.classes:
            return [Value(score)]
        winner = 0 if score < 0 else min(self.classes - 1, int(score) + 1)
        return [Value(1.0 if k == winner else 0.0) for k in range(self.classes)]

    def parameters(self) -> list[Parameter]:
        return []

    def state_dict(self) -> dict[str, float]:
        return {}

    def load_state_dict(self, state: Mapping[str, float], strict: bool = True) -> None:
        del state, strict


# train spans x1 in [-1, 3], x2 in [0, 2]; the lone val point reaches x1 = 4 and x2 = -1,
# and two train points sit in the upper right corner, where the legend is pinned
TRAIN = Dataset(
    ((-1.0, 0.0), (0.5, 1.0), (3.0, 2.0), (2.8, 1.9), (-0.5, 2.0)),
    ((-1.0,), (1.0,), (1.0,), (1.0,), (-1.0,)),
)
VAL = Dataset(((4.0, -1.0),), ((1.0,),))  # one class only: its colour must still be class 1's
LONG = "optimizer Adam, lr 0.01, batch size 8, 30 epochs, data seed 0, split seed 1, model seed 2"


def test_the_grid_is_the_data_extent_plus_half_a_unit_at_even_steps() -> None:
    grid = decision_grid(Threshold(0.0), "hinge", [TRAIN], steps=5)
    assert grid.xs == (-1.5, -0.25, 1.0, 2.25, 3.5)
    assert grid.ys == (-0.5, 0.25, 1.0, 1.75, 2.5)
    assert grid.labels == ((-1.0, -1.0, 1.0, 1.0, 1.0),) * 5
    empty = Dataset((), ())
    with_val = decision_grid(Threshold(0.0), "bce_with_logits", [TRAIN, VAL, empty], steps=2)
    assert (with_val.xs, with_val.ys) == ((-1.5, 4.5), (-1.5, 2.5))
    assert with_val.labels == ((0.0, 1.0), (0.0, 1.0))
    one = decision_grid(Threshold(0.0), "hinge", [VAL], steps=3)
    assert (one.xs, one.ys) == ((3.5, 4.0, 4.5), (-1.5, -1.0, -0.5))
    assert len(decision_grid(Threshold(0.0), "hinge", [VAL]).xs) == 81  # the default steps
    three = decision_grid(Threshold(0.0, classes=3), "cross_entropy", [TRAIN], steps=3)
    assert three.labels == ((0.0, 2.0, 2.0),) * 3


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: decision_grid(Threshold(0.0), "mse", [TRAIN]),
            "a decision boundary needs a classification loss (bce_with_logits, cross_entropy,"
            " hinge), got 'mse'",
        ),
        (
            lambda: decision_grid(Threshold(0.0), "hinge", [TRAIN], steps=1),
            "steps must be an int >= 2, got 1",
        ),
        (
            lambda: decision_grid(Threshold(0.0), "hinge", [TRAIN], steps=True),
            "steps must be an int >= 2, got True",
        ),
        (
            lambda: decision_grid(Threshold(0.0), "hinge", [TRAIN], steps=2.0),  # type: ignore[arg-type]
            "steps must be an int >= 2, got 2.0",
        ),
        (
            lambda: decision_grid(Threshold(0.0), "hinge", [Dataset((), ())]),
            "a decision boundary needs at least one non-empty dataset",
        ),
        (
            lambda: decision_grid(
                Threshold(0.0), "hinge", [Dataset(((1.0, 2.0, 3.0),), ((1.0,),))]
            ),
            "a decision boundary is drawn over 2 input features; the data has 3",
        ),
        (
            lambda: decision_grid(Threshold(0.0, classes=2), "hinge", [TRAIN], steps=2),
            "a decision boundary needs one class per sample, but the model has 2 outputs under "
            "'hinge'",
        ),
        (
            lambda: plot_decision_boundary([], "hinge", TRAIN, conditions="c"),
            "plot_decision_boundary needs at least one (title, model) panel",
        ),
        (
            lambda: plot_decision_boundary([("m", Threshold(0.0))], "hinge", TRAIN, conditions=" "),
            "every picture states its conditions: pass conditions='...'",
        ),
    ],
)
def test_bad_requests_are_refused_with_the_exact_reason(call: object, message: str) -> None:
    assert callable(call)
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        call()


def _contours(axes: Axes) -> ContourSet:
    (contour,) = [c for c in axes.collections if isinstance(c, ContourSet)]
    return contour


def _points(axes: Axes) -> list[PathCollection]:
    return [c for c in axes.collections if isinstance(c, PathCollection)]


def test_a_boundary_panel_shades_the_prediction_and_colours_points_by_true_class(
    figures: list[Figure],
) -> None:
    panels = [("SGD, lr 0.1: final val acc 1.0000", Threshold(0.0))]
    if not HAS_MATPLOTLIB:
        with pytest.raises(MissingMatplotlib):
            plot_decision_boundary(panels, "hinge", TRAIN, VAL, conditions=LONG)
        return
    png = plot_decision_boundary(panels, "hinge", TRAIN, VAL, conditions=LONG)
    assert png_size(png) == (560, 490)  # one panel: at least 5.6 x 4.9 inches, 100 dpi
    assert b"Software" not in png
    (figure,) = figures
    (axes,) = figure.axes
    sentence = f"Predicted class (shaded) and true class (points) - {LONG}"
    assert figure.get_suptitle() == "\n".join(textwrap.wrap(sentence, 72))  # 5.6 in x 13/in
    assert axes.get_title() == panels[0][0]
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("x1", "x2")
    # the grid reaches 0.5 beyond every train and val point
    assert axes.get_xlim() == (-1.5, 4.5)
    assert axes.get_ylim() == (-1.5, 2.5)

    legend = axes.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == [
        "class -1",
        "class 1",
        "train (5)",
        "val (1)",
    ]
    handles = legend.legend_handles
    patches = [h for h in handles if isinstance(h, Patch)]
    class_colour = [tuple(floats(p.get_facecolor())) for p in patches]
    assert len(set(class_colour)) == 2
    markers = [h.get_marker() for h in handles if isinstance(h, Line2D)]
    # the train/val legend entries are bare grey markers with a black edge, no line
    for handle in [h for h in handles if isinstance(h, Line2D)]:
        assert handle.get_linestyle() == "None"
        assert to_rgba(str(handle.get_markerfacecolor())) == to_rgba("lightgray")
        assert to_rgba(str(handle.get_markeredgecolor())) == to_rgba("black")
    assert markers == ["o", "^"]
    box, frame = legend.get_window_extent(), axes.get_window_extent()
    assert frame.x1 - box.x1 < 15  # pinned to the upper right
    assert frame.y1 - box.y1 < 15

    contour = _contours(axes)
    assert list(contour.levels) == [-0.5, 0.5, 1.5]  # one band per class index
    shades = rows(contour.get_facecolor())
    assert [tuple(s[:3]) for s in shades] == [c[:3] for c in class_colour]
    # 81 grid columns from -1.5 to 4.5, 0.075 apart: x1 = 0 is a column and predicts -1 (the
    # rule is score > 0), the next one (0.075) predicts +1, so the shaded edge runs halfway
    class_one = rows(contour.get_paths()[1].vertices)
    assert min(v[0] for v in class_one) == pytest.approx(0.0375, abs=1e-9)
    class_minus = rows(contour.get_paths()[0].vertices)
    assert max(v[0] for v in class_minus) == pytest.approx(0.0375, abs=1e-9)

    train_points, val_points = _points(axes)
    assert rows(train_points.get_offsets()) == [list(row) for row in TRAIN.inputs]
    assert rows(val_points.get_offsets()) == [[4.0, -1.0]]
    expected = [class_colour[0 if t[0] < 0 else 1] for t in TRAIN.targets]
    assert [tuple(c) for c in rows(train_points.get_facecolor())] == expected
    assert [tuple(c) for c in rows(val_points.get_facecolor())] == [class_colour[1]]
    for collection in (train_points, val_points):
        assert floats(collection.get_sizes()) == [22.0]  # 22 pt^2 points with a black rim
        assert rows(collection.get_edgecolor()) == [[0.0, 0.0, 0.0, 1.0]]
    for collection, marker in ((train_points, "o"), (val_points, "^")):
        style = matplotlib.markers.MarkerStyle(marker)
        shape = style.get_path().transformed(style.get_transform())
        assert rows(collection.get_paths()[0].vertices) == rows(shape.vertices)


def test_panels_sit_side_by_side_and_cross_entropy_lists_every_class(
    figures: list[Figure],
) -> None:
    # targets use classes 0..2, the second model also predicts class 3 (x1 >= 2)
    train = Dataset(TRAIN.inputs, ((0.0,), (1.0,), (2.0,), (2.0,), (0.0,)))
    panels = [("A", Threshold(0.0, classes=4)), ("B", Threshold(-10.0, classes=4))]
    if not HAS_MATPLOTLIB:
        with pytest.raises(MissingMatplotlib):
            plot_decision_boundary(panels, "cross_entropy", train, conditions=LONG)
        return
    png = plot_decision_boundary(panels, "cross_entropy", train, conditions=LONG, steps=9)
    assert png_size(png) == (920, 490)  # 2 x 4.6 inches wide
    (figure,) = figures
    assert [a.get_title() for a in figure.axes] == ["A", "B"]
    sentence = f"Predicted class (shaded) and true class (points) - {LONG}"
    assert figure.get_suptitle() == "\n".join(textwrap.wrap(sentence, 119))  # 9.2 in x 13/in
    for axes in figure.axes:
        legend = axes.get_legend()
        assert legend is not None
        assert [t.get_text() for t in legend.get_texts()] == [
            "class 0",
            "class 1",
            "class 2",
            "class 3",
            "train (5)",
        ]
        assert list(_contours(axes).levels) == [-0.5, 0.5, 1.5, 2.5, 3.5]
        assert len(_points(axes)) == 1  # no validation set: no triangles
        assert (axes.get_xlim(), axes.get_ylim()) == ((-1.5, 3.5), (-0.5, 2.5))


def test_bce_always_lists_classes_0_and_1_even_when_only_0_is_seen(figures: list[Figure]) -> None:
    train = Dataset(TRAIN.inputs, ((0.0,),) * 5)
    panels = [("m", Threshold(100.0))]  # predicts class 0 everywhere
    if not HAS_MATPLOTLIB:
        with pytest.raises(MissingMatplotlib):
            plot_decision_boundary(panels, "bce_with_logits", train, conditions="c")
        return
    plot_decision_boundary(panels, "bce_with_logits", train, conditions="c", steps=3)
    legend = figures[0].axes[0].get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["class 0", "class 1", "train (5)"]


def test_missing_matplotlib_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    train = Dataset(((0.0, 0.0), (1.0, 1.0)), ((-1.0,), (1.0,)))
    with pytest.raises(MissingMatplotlib) as caught:
        plot_decision_boundary([("m", Threshold(0.0))], "hinge", train, conditions="c")
    assert str(caught.value) == INSTALL


PALETTE = ["#3b6fb6", "#d9822b", "#3f9e4d", "#b8413c", "#7d5ba6", "#8c6d31"]


def test_seven_classes_use_all_six_colours_then_start_again(figures: list[Figure]) -> None:
    # x1 from -1 to 5: Threshold(-1.5, classes=7) predicts class floor(x1 + 1.5) + 1, capped
    inputs = tuple((float(x), 0.0) for x in range(-1, 6))
    train = Dataset(inputs, tuple((float(k),) for k in range(7)))
    panels = [("m", Threshold(-1.5, classes=7))]
    if not HAS_MATPLOTLIB:
        with pytest.raises(MissingMatplotlib):
            plot_decision_boundary(panels, "cross_entropy", train, conditions="c")
        return
    plot_decision_boundary(panels, "cross_entropy", train, conditions="c", steps=5)
    legend = figures[0].axes[0].get_legend()
    assert legend is not None
    patches = [h for h in legend.legend_handles if isinstance(h, Patch)]
    assert [tuple(floats(p.get_facecolor())) for p in patches] == [
        to_rgba(colour) for colour in [*PALETTE, PALETTE[0]]
    ]


def test_the_grid_has_the_steps_asked_for(
    figures: list[Figure], monkeypatch: pytest.MonkeyPatch
) -> None:
    import mg_train.plots as plots

    asked: list[int] = []
    real = plots.decision_grid

    def recording(*args: object, steps: int = 81) -> object:
        asked.append(steps)
        return real(*args, steps=steps)  # type: ignore[arg-type]

    monkeypatch.setattr(plots, "decision_grid", recording)
    panels = [("a", Threshold(0.0)), ("b", Threshold(1.0))]
    if not HAS_MATPLOTLIB:
        with pytest.raises(MissingMatplotlib):
            plot_decision_boundary(panels, "hinge", TRAIN, conditions="c", steps=7)
        return
    plot_decision_boundary(panels, "hinge", TRAIN, conditions="c", steps=7)
    assert asked == [7, 7]


def test_the_legend_sits_in_the_upper_right_corner_even_over_points(
    figures: list[Figure],
) -> None:
    """loc="upper right", not matplotlib's "best": the same place in every panel."""
    crowded = Dataset(((3.4, 2.4), (3.3, 2.3), (3.2, 2.2), (-1.0, -0.5)), ((1.0,),) * 4)
    if not HAS_MATPLOTLIB:
        with pytest.raises(MissingMatplotlib):
            plot_decision_boundary([("m", Threshold(0.0))], "hinge", crowded, conditions="c")
        return
    plot_decision_boundary([("m", Threshold(0.0))], "hinge", crowded, conditions="c", steps=5)
    (figure,) = figures
    figure.draw_without_rendering()  # lays the legend out where savefig put it
    axes = figure.axes[0]
    legend = axes.get_legend()
    assert legend is not None
    box, frame = legend.get_window_extent(), axes.get_window_extent()
    pad = 10.0  # borderaxespad 0.5 em of a small font, in pixels at 100 dpi
    assert frame.x1 - pad < box.x1 < frame.x1
    assert frame.y1 - pad < box.y1 < frame.y1
