"""What mg_train.plots.plot_loss_curves draws: every line, style, label, title, scale and pixel
size checked on the Figure itself (caught at savefig), not only that some PNG came out.

Without matplotlib (the ``plot`` extra) each test asserts MissingMatplotlib instead."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Sequence

import pytest
from mg_nn import MLP
from mg_train import (
    Comparison,
    ComparisonSetup,
    Dataset,
    History,
    MissingMatplotlib,
    Run,
    plot_loss_curves,
)
from picture_kit import HAS_MATPLOTLIB, floats, png_size

INSTALL = "matplotlib is not installed: pip install 'mg-train[plot]' to draw pictures"

if HAS_MATPLOTLIB:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


# ------------------------------------------------------------------ loss curves

CONFIG: dict[str, object] = {
    "batch_size": 8,
    "shuffle_seed": 3,
    "loss": "mse",
    "dataset": {"name": "sine_regression", "seed": 0},
    "split": {"seed": 1},
    "model": {"seed": 2},
}


def _mlp() -> MLP:
    return MLP(2, [1], rng=0)


CONDITIONS = (
    "batch size 8, 3 epochs, shuffle seed 3, data seed 0, split seed 1, model seed 2, loss mse"
)


def _history(train: Sequence[float], val: Sequence[float | None], lrs: Sequence[float]) -> History:
    history = History()
    for t, v, lr in zip(train, val, lrs):
        history.append(t, v, lr, 0.0)
    return history


def _comparison(*runs: tuple[str, History]) -> Comparison:
    return Comparison(tuple(Run(name, h, 0.0, {}) for name, h in runs), {}, CONFIG)


def _lines(axes: Axes) -> list[tuple[list[float], list[float], str, str, str]]:
    return [
        (
            floats(line.get_xdata()),
            floats(line.get_ydata()),
            str(line.get_linestyle()),
            str(line.get_label()),
            str(line.get_color()),
        )
        for line in axes.get_lines()
    ]


def test_loss_curves_draw_every_history_value_with_its_optimizer_and_rate(
    figures: list[Figure],
) -> None:
    sgd = _history([0.9, 0.5, 0.25], [1.0, 0.6, 0.3], [0.1, 0.1, 0.1])
    adam = _history([0.8, 0.4], [None, None], [0.01, 0.001])  # stopped early, no validation
    result = _comparison(("SGD", sgd), ("Adam", adam))
    if not HAS_MATPLOTLIB:
        with pytest.raises(MissingMatplotlib):
            plot_loss_curves(result)
        return
    png = plot_loss_curves(result)
    assert png_size(png) == (700, 480)  # 7.0 x 4.8 inches at 100 dpi
    assert b"Software" not in png  # no matplotlib version stamp: bytes depend only on the data
    (figure,) = figures
    (axes,) = figure.axes
    assert _lines(axes) == [
        ([1.0, 2.0, 3.0], [0.9, 0.5, 0.25], "-", "SGD (lr 0.1) train", "C0"),
        ([1.0, 2.0, 3.0], [1.0, 0.6, 0.3], "--", "SGD (lr 0.1) val", "C0"),
        ([1.0, 2.0], [0.8, 0.4], "-", "Adam (lr 0.01 -> 0.001 (scheduled)) train", "C1"),
    ]
    legend = axes.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == [line[3] for line in _lines(axes)]
    assert axes.get_yscale() == "log"
    assert axes.get_ylabel() == "loss"
    assert axes.get_xlabel() == "epoch"
    assert all(float(tick).is_integer() for tick in axes.get_xticks())  # whole epochs only
    sentence = f"Loss per epoch (solid: train, dashed: validation) - {CONDITIONS}"
    # 7 inches at ~13 characters per inch of the "small" font: lines of at most 91 characters
    assert axes.get_title() == "\n".join(textwrap.wrap(sentence, 91))
    assert axes.get_title().count("\n") == 1


@pytest.mark.parametrize(
    ("train", "val"),
    [([0.5, 0.0], [0.7, 0.2]), ([0.5, 0.25], [0.7, 0.0])],
    ids=["train-loss-zero", "val-loss-zero"],
)
def test_a_loss_of_exactly_zero_switches_to_a_linear_axis_that_says_so(
    figures: list[Figure], train: list[float], val: list[float | None]
) -> None:
    result = _comparison(("SGD", _history(train, val, [0.1, 0.1])))
    if not HAS_MATPLOTLIB:
        with pytest.raises(MissingMatplotlib):
            plot_loss_curves(result)
        return
    plot_loss_curves(result)
    (axes,) = figures[0].axes
    assert axes.get_yscale() == "linear"
    assert axes.get_ylabel() == "loss (linear scale: some losses are exactly 0)"


def test_a_recorded_setup_supplies_the_conditions_of_the_title(figures: list[Figure]) -> None:
    data = Dataset(((0.0, 1.0), (1.0, 0.0), (2.0, 2.0)), ((1.0,), (2.0,), (3.0,)))
    setup = ComparisonSetup("mse", 2, 4, 7, data, Dataset(((1.0, 1.0),), ((0.5,),)), _mlp)
    run = Run("SGD", _history([0.5, 0.25], [0.75, 0.5], [0.1, 0.1]), 0.0, {})
    result = Comparison((run,), {}, CONFIG, setup)
    if not HAS_MATPLOTLIB:
        with pytest.raises(MissingMatplotlib):
            plot_loss_curves(result)
        return
    plot_loss_curves(result)
    title = figures[0].axes[0].get_title().replace("\n", " ")
    assert title.endswith(
        "- batch size 4, 2 epochs, shuffle seed 7, data seed 0, split seed 1, model seed 2, "
        "loss mse, 3 train / 1 val samples"
    )


def test_an_empty_comparison_states_its_conditions_with_0_epochs_and_has_no_legend(
    figures: list[Figure],
) -> None:
    if not HAS_MATPLOTLIB:
        with pytest.raises(MissingMatplotlib):
            plot_loss_curves(_comparison())
        return
    plot_loss_curves(_comparison())  # and no warning: the suite makes every warning an error
    axes = figures[0].axes[0]
    assert "batch size 8, 0 epochs, shuffle seed 3" in axes.get_title()
    assert axes.get_legend() is None
    assert axes.get_lines() == []


def test_missing_matplotlib_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = _comparison(("SGD", _history([1.0], [1.0], [0.1])))
    with pytest.raises(MissingMatplotlib) as caught:
        plot_loss_curves(result)
    assert str(caught.value) == INSTALL
