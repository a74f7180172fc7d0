"""path_plots: optimizer paths drawn on their surfaces (matplotlib, the ``plot`` extra)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from mg_optim import SGD, Adam, Momentum, OptimizerPath, optimize_path, ravine, rosenbrock
from mg_train import PathPanel, plot_paths, write_path_plot

HAVE_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None


def paths() -> list[OptimizerPath]:
    return [
        optimize_path(rosenbrock, (-1.2, 1.0), lambda ps: SGD(ps, 1e-3), 40),
        optimize_path(rosenbrock, (-1.2, 1.0), lambda ps: Adam(ps, 0.05), 40),
        optimize_path(rosenbrock, (-1.2, 1.0), lambda ps: Momentum(ps, 0.01), 40),
    ]


def panel(**changes: object) -> PathPanel:
    fields: dict[str, object] = {
        "f": rosenbrock,
        "paths": paths(),
        "title": "Rosenbrock, 40 steps from (-1.2, 1)",
        "x_range": (-1.5, 1.5),
        "y_range": (-0.5, 1.5),
        "minima": [(1.0, 1.0)],
        "log_contours": True,
    }
    fields.update(changes)
    return PathPanel(**fields)  # type: ignore[arg-type]


def test_two_panels_render_as_one_png_with_its_conditions(tmp_path: Path) -> None:
    diverged = optimize_path(ravine, (1.0, 1.0), lambda ps: SGD(ps, 1.0), 500)
    assert diverged.diverged
    panels = [
        panel(),
        PathPanel(
            ravine,
            [diverged],
            "ravine",
            (-2.0, 2.0),
            (-2.0, 2.0),
            labels=["SGD lr=1"],
            legend_loc="lower left",
        ),
    ]
    target = tmp_path / "paths.png"
    if not HAVE_MATPLOTLIB:
        with pytest.raises(ImportError, match=r"pip install 'mg-train\[plot\]'"):
            write_path_plot(target, panels, caption="lr and steps are in the titles")
        assert list(tmp_path.iterdir()) == []
        return
    write_path_plot(target, panels, columns=2, title="Paths", caption="line one\nline two")
    png = target.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 10_000
    assert [p.name for p in tmp_path.iterdir()] == ["paths.png"]  # no temporary file left
    assert plot_paths(panels[1:]).startswith(b"\x89PNG")


def test_missing_matplotlib_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"needs matplotlib: pip install 'mg-train\[plot\]'"):
        plot_paths([panel()])


BAD_PANELS: list[tuple[Callable[[], object], str]] = [
    (lambda: panel(x_range=(1.0, -1.0)), r"x_range must be finite with low < high"),
    (lambda: panel(y_range=(0.0, float("nan"))), r"y_range must be finite"),
    (lambda: panel(labels=["only one"]), "labels has 1 entries for 3 path"),
    (lambda: panel(paths=[]), "has no paths to draw"),
    (lambda: panel(legend_loc="top"), "legend_loc must be one of .*got 'top'"),
    (lambda: plot_paths([]), "at least one panel"),
    (lambda: plot_paths([panel()], columns=0), "columns must be an int >= 1, got 0"),
]


@pytest.mark.parametrize(("make", "message"), BAD_PANELS)
def test_bad_panels_are_refused_before_drawing(make: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()
