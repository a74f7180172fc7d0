"""mg_train.sweep_artifacts on a hand-built sweep whose every statistic is worked out by hand:
sweep.md word for word, sweep.csv cells, sweep.json sections, and what lr_sensitivity.png draws
(read from the Figure caught at savefig).

Without matplotlib (the ``plot`` extra) the picture tests assert the note instead."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import pytest
from mg_train import (
    ReplicaSeeds,
    SweepResult,
    SweepRun,
    format_sweep_report,
    summarize,
    sweep_document,
    write_sweep_artifacts,
)
from mg_train.sweep_run import SEED_RULE
from picture_kit import HAS_MATPLOTLIB, floats, png_size, rows

NOTE = (
    "matplotlib is not installed: skipped lr_sensitivity.png (pip install 'mg-train[plot]' to "
    "get it)"
)

if HAS_MATPLOTLIB:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.colors import to_rgba
    from matplotlib.container import ErrorbarContainer
    from matplotlib.figure import Figure

CONFIG: dict[str, object] = {
    "dataset": {"name": "moons", "n_samples": 40, "noise": 0.1},
    "model": {"hidden": [4, 3], "activation": "relu"},
    "loss": "hinge",
    "epochs": 5,
    "batch_size": 8,
}
CONDITIONS = "moons (40 samples, noise 0.1), MLP hidden 4-3 relu, hinge, 5 epochs, batch 8"

Outcome = Optional[tuple[float, float, int]]  # (best val, final val, best epoch); None: diverged
# (optimizer, lr) -> outcome of replica 0, replica 1
PLAN: dict[tuple[str, float], tuple[Outcome, Outcome]] = {
    ("SGD", 0.01): ((0.0625, 0.75, 2), (1.0, 1.25, 4)),
    ("SGD", 0.1): ((0.5, 0.5, 1), (0.25, 0.5, 5)),
    ("Wild", 0.01): (None, None),
    ("Wild", 0.1): (None, None),
    ("Adam", 0.01): ((0.125, 0.25, 3), (0.25, 0.375, 4)),
    ("Adam", 0.1): ((0.0625, 0.0625, 1), None),
}


def _run(name: str, lr: float, replica: int, outcome: Outcome) -> SweepRun:
    seeds = ReplicaSeeds(1 + 1000 * replica, 2 + 1000 * replica, 3 + 1000 * replica)
    if outcome is None:
        return SweepRun(name, lr, replica, seeds, None, None, None, None, (3, 7), 0.5, False)
    best, final, epoch = outcome
    return SweepRun(name, lr, replica, seeds, final + 1.0, final, best, epoch, None, 2.5, True)


def _result(shared: Optional[float] = 0.1) -> SweepResult:
    optimizers, rates = ("SGD", "Wild", "Adam"), (0.01, 0.1)
    runs = tuple(
        _run(name, lr, replica, PLAN[name, lr][replica])
        for name in optimizers
        for lr in rates
        for replica in range(2)
    )
    summary = summarize(runs, optimizers, rates, shared_lr=shared)
    return SweepResult(CONFIG, rates, 2, optimizers, runs, summary, 12.5, "thread pool (2)")


def _one_rate() -> SweepResult:
    """One replica at one rate where both optimizers reach exactly the same best loss."""
    seeds = ReplicaSeeds(1, 2, 3)
    runs = (
        SweepRun("SGD", 0.05, 0, seeds, 0.5, 0.5, 0.5, 2, None, 1.0, False),
        SweepRun("Adam", 0.05, 0, seeds, 0.25, 0.25, 0.5, 1, None, 1.0, False),
    )
    summary = summarize(runs, ("SGD", "Adam"), (0.05,), shared_lr=0.05)
    return SweepResult(CONFIG, (0.05,), 1, ("SGD", "Adam"), runs, summary, 2.0, "in process")


# mean = (a + b) / 2, sample std = |a - b| / sqrt(2): SGD 0.01 best (0.0625, 1) -> 0.53125 and
# 0.9375 / 1.41421 = 0.662913; final (0.75, 1.25) -> 1 and 0.353553; Adam 0.01 best
# (0.125, 0.25) -> 0.1875 and 0.088388, final (0.25, 0.375) -> 0.3125 and 0.088388; SGD 0.1
# best (0.5, 0.25) -> 0.375 and 0.176777, final (0.5, 0.5) -> 0.5 and 0
REPORT = f"""# Optimizer sweep

{CONDITIONS}: 3 optimizer(s) x 2 learning rate(s) x 2 replica(s) = 12 runs. Seeds: {SEED_RULE}. \
Losses: mean ± sample standard deviation over replicas.

## At the shared rate (lr = 0.1)

| Optimizer | Best Val Loss | Final Val Loss | Median Best Epoch | Wins |
|---|---|---|---|---|
| SGD | 0.375000 ± 0.176777 | 0.500000 ± 0.000000 | 3 | 1/2 |
| Wild | - (2/2 diverged) | - | - | 0/2 |
| Adam | 0.062500 ± - (1/2 diverged) | 0.062500 ± - | 1 | 1/2 |

No ties.

## Each optimizer at its best rate

| Optimizer | Best lr | Best Val Loss | Final Val Loss | Median Best Epoch |
|---|---|---|---|---|
| SGD | 0.1 | 0.375000 ± 0.176777 | 0.500000 ± 0.000000 | 3 |
| Wild | - | diverged at every rate | - | - |
| Adam | 0.01 | 0.187500 ± 0.088388 | 0.312500 ± 0.088388 | 3.5 |

## Best validation loss at every rate

| Optimizer | lr 0.01 | lr 0.1 |
|---|---|---|
| SGD | 0.531250 ± 0.662913 | 0.375000 ± 0.176777 |
| Wild | - (2/2 diverged) | - (2/2 diverged) |
| Adam | 0.187500 ± 0.088388 | 0.062500 ± - (1/2 diverged) |
"""


def test_sweep_md_word_for_word() -> None:
    assert format_sweep_report(_result()) == REPORT


def test_sweep_md_without_a_swept_shared_rate_and_with_a_tie() -> None:
    text = format_sweep_report(_result(shared=0.5))
    assert "## At the shared rate" not in text
    assert text.startswith("# Optimizer sweep\n\n" + CONDITIONS + ": 3 optimizer(s)")
    assert "\n\n## Each optimizer at its best rate\n" in text
    assert "## At the shared rate" not in format_sweep_report(_result(shared=None))
    tied = format_sweep_report(_one_rate()).split("\n")
    assert tied[2].startswith(f"{CONDITIONS}: 2 optimizer(s) x 1 learning rate(s) x 1 replica(s)")
    assert tied[4:10] == [
        "## At the shared rate (lr = 0.05)",
        "",
        "| Optimizer | Best Val Loss | Final Val Loss | Median Best Epoch | Wins |",
        "|---|---|---|---|---|",
        "| SGD | 0.500000 ± - | 0.500000 ± - | 2 | 0/1 |",
        "| Adam | 0.500000 ± - | 0.250000 ± - | 1 | 0/1 |",
    ]
    assert tied[10:13] == ["", "Ties: 1.", ""]


def test_a_config_without_dataset_or_model_sections_is_reported_as_unknown() -> None:
    result = _result()
    bare = SweepResult(
        {"dataset": "moons", "loss": "mse", "epochs": 2, "batch_size": 4},
        result.learning_rates,
        result.replicas,
        result.optimizers,
        result.runs,
        result.summary,
        result.wall_time,
        result.executor,
    )
    line = format_sweep_report(bare).split("\n")[2]
    assert line.startswith("None (None samples, noise None), MLP hidden ? None, mse, 2 epochs")


def test_sweep_csv_cells() -> None:
    write = _result()
    lines = _csv_lines(write)
    assert lines[0] == (
        "optimizer,lr,replica,split_seed,model_seed,shuffle_seed,final_train_loss,"
        "final_val_loss,best_val_loss,best_epoch,diverged_epoch,wall_seconds"
    )
    assert lines[1] == "SGD,0.01,0,1,2,3,1.75,0.75,0.0625,2,,2.5"
    assert lines[2] == "SGD,0.01,1,1001,1002,1003,2.25,1.25,1.0,4,,2.5"
    assert lines[5] == "Wild,0.01,0,1,2,3,,,,,3,0.5"
    assert len(lines) == 1 + 12


def _csv_lines(result: SweepResult) -> list[str]:
    from mg_train.sweep_artifacts import _csv

    text = _csv(result)
    assert text.endswith("\n")
    assert "\r" not in text
    return text.split("\n")[:-1]


def test_sweep_json_sections(tmp_path: Path) -> None:
    result = _result()
    write_sweep_artifacts(result, tmp_path / "x" / "y", plot=False)
    write_sweep_artifacts(result, tmp_path / "x" / "y", plot=False)  # again, same directory
    text = (tmp_path / "x" / "y" / "sweep.json").read_text(encoding="utf-8")
    assert text.split("\n")[:3] == ["{", '  "format": "mg-train-sweep",', '  "format_version": 1,']
    assert text.endswith("\n}\n")
    doc = json.loads(text)
    assert list(doc) == [
        "format",
        "format_version",
        "config",
        "plan",
        "runs",
        "aggregates",
        "environment",
        "timings",
    ]
    assert doc["config"] == CONFIG
    assert doc["plan"] == {
        "optimizers": ["SGD", "Wild", "Adam"],
        "learning_rates": [0.01, 0.1],
        "replicas": 2,
        "shared_lr": 0.1,
        "replica_seed_stride": 1000,
        "seed_rule": SEED_RULE,
    }
    assert doc["runs"] == [run.to_dict() for run in result.runs]
    assert doc["aggregates"] == result.summary.to_dict()
    assert doc["timings"]["total_seconds"] == 12.5
    assert doc["timings"]["executor"] == "thread pool (2)"
    assert doc["timings"]["runs"][0] == {
        "optimizer": "SGD",
        "lr": 0.01,
        "replica": 0,
        "wall_seconds": 2.5,
        "resumed": True,
    }
    assert doc == json.loads(json.dumps(sweep_document(result)))
    assert sorted(p.name for p in (tmp_path / "x" / "y").iterdir()) == [
        "sweep.csv",
        "sweep.json",
        "sweep.md",
    ]
    assert (tmp_path / "x" / "y" / "sweep.md").read_text(encoding="utf-8") == REPORT


def test_a_nan_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    result = _result()
    broken = SweepResult(
        CONFIG,
        result.learning_rates,
        result.replicas,
        result.optimizers,
        result.runs,
        result.summary,
        float("nan"),
        result.executor,
    )
    with pytest.raises(ValueError, match=r"^Out of range float values are not JSON compliant"):
        write_sweep_artifacts(broken, tmp_path / "out", plot=False)
    assert not (tmp_path / "out").exists()


def test_without_matplotlib_the_picture_is_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    report = write_sweep_artifacts(_result(), tmp_path)
    assert report.notes == (NOTE,)
    assert [p.name for p in report.written] == ["sweep.json", "sweep.md", "sweep.csv"]


def test_lr_sensitivity_draws_means_bars_bands_and_the_shared_rate(
    tmp_path: Path, figures: list[Figure]
) -> None:
    report = write_sweep_artifacts(_result(), tmp_path)  # plot=True is the default
    if not HAS_MATPLOTLIB:
        assert report.notes == (NOTE,)
        return
    assert report.notes == ()
    assert [p.name for p in report.written] == [
        "sweep.json",
        "sweep.md",
        "sweep.csv",
        "lr_sensitivity.png",
    ]
    png = (tmp_path / "lr_sensitivity.png").read_bytes()
    assert png_size(png) == (750, 500)  # 7.5 x 5 inches at 100 dpi
    assert b"Software" not in png
    (figure,) = figures
    (axes,) = figure.axes
    assert (axes.get_xscale(), axes.get_yscale()) == ("log", "log")
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("learning rate", "best validation loss")
    assert axes.get_title() == (
        "Best validation loss vs learning rate\n"
        "line: mean, bars: ±1 std, band: min-max over replicas"
    )
    low, high = axes.get_xlim()
    assert low < 0.01
    assert high > 0.1
    assert axes.xaxis.get_gridlines()[0].get_visible()
    (caption,) = figure.texts
    # everything inside the figure, the conditions line below the axes and their labels
    renderer = FigureCanvasAgg(figure).get_renderer()  # type: ignore[no-untyped-call]
    panel = axes.get_tightbbox(renderer)
    assert panel is not None
    assert panel.x0 >= 0
    assert panel.x1 <= figure.bbox.x1
    assert panel.y1 <= figure.bbox.y1
    assert caption.get_window_extent(renderer).y1 <= panel.y0
    assert caption.get_text() == CONDITIONS + "; 2 replicas"
    assert (caption.get_position(), caption.get_horizontalalignment()) == ((0.5, 0.01), "center")

    bars = [c for c in axes.containers if isinstance(c, ErrorbarContainer)]
    assert [c.get_label() for c in bars] == ["SGD", "Adam"]  # Wild diverged everywhere: absent
    legend = axes.get_legend()
    assert legend is not None
    assert sorted(t.get_text() for t in legend.get_texts()) == ["Adam", "SGD", "shared lr 0.1"]
    means: dict[str, list[tuple[float, float]]] = {}
    spans: dict[str, list[tuple[float, float]]] = {}
    colours: dict[str, tuple[float, float, float, float]] = {}
    for container in bars:
        name = str(container.get_label())
        line = container.lines[0]
        assert line is not None
        means[name] = list(zip(floats(line.get_xdata()), floats(line.get_ydata())))
        assert (line.get_marker(), line.get_markersize()) == ("o", 4.0)
        caps = container.lines[1]
        assert [cap.get_markersize() for cap in caps] == [6.0, 6.0]  # 3 pt caps, both ends
        colours[name] = to_rgba(line.get_color())
        (segments,) = [c for c in container.lines[2] if isinstance(c, LineCollection)]
        spans[name] = [(float(s[0][1]), float(s[1][1])) for s in segments.get_segments()]
    assert means == {
        "SGD": [(0.01, 0.53125), (0.1, 0.375)],
        "Adam": [(0.01, 0.1875), (0.1, 0.0625)],
    }
    assert colours["SGD"] != colours["Adam"]
    # bars of one std; below the mean capped at 0.999 of it (a log axis has no 0); a single
    # replica has no std, so no bar
    assert spans["SGD"][0] == pytest.approx((0.53125 * 0.001, 0.53125 + 0.6629126073623883))
    assert spans["SGD"][1] == pytest.approx(
        (0.375 - 0.1767766952966369, 0.375 + 0.1767766952966369)
    )
    adam_std = 0.08838834764831845
    assert spans["Adam"][0] == pytest.approx((0.1875 - adam_std, 0.1875 + adam_std))
    assert spans["Adam"][1] == (0.0625, 0.0625)
    bands = [c for c in axes.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 2
    for band, name, corners in zip(
        bands,
        ["SGD", "Adam"],
        [
            {(0.01, 0.0625), (0.01, 1.0), (0.1, 0.25), (0.1, 0.5)},
            {(0.01, 0.125), (0.01, 0.25), (0.1, 0.0625)},
        ],
    ):
        vertices = {(x, y) for x, y in rows(band.get_paths()[0].vertices)}
        assert corners <= vertices  # from the min to the max over replicas
        assert tuple(rows(band.get_facecolor())[0][:3]) == colours[name][:3]
        assert band.get_alpha() == 0.18  # a faint band under the line
    shared = [line for line in axes.get_lines() if line.get_label() == "shared lr 0.1"]
    (vertical,) = shared
    assert floats(vertical.get_xdata()) == [0.1, 0.1]
    assert vertical.get_linestyle() == ":"
    assert to_rgba(vertical.get_color()) == to_rgba("0.5")


def test_one_rate_gets_room_either_side_and_no_shared_line_when_not_swept(
    tmp_path: Path, figures: list[Figure]
) -> None:
    write_sweep_artifacts(_one_rate(), tmp_path / "one")
    write_sweep_artifacts(_result(shared=0.5), tmp_path / "other")
    if not HAS_MATPLOTLIB:
        return
    one, other = figures
    assert one.axes[0].get_xlim() == pytest.approx((0.05 / 3.0, 0.05 * 3.0))
    assert [t.get_text() for t in one.texts] == [CONDITIONS + "; 1 replica"]
    assert [
        line.get_label() for line in other.axes[0].get_lines() if "shared" in str(line.get_label())
    ] == []
