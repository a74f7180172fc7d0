"""micrograd's own demo - an MLP learning the two moons - reproduced step for step with mg.

micrograd's ``demo.ipynb`` trains ``MLP(2, [16, 16, 1])`` (relu hidden, linear output) on
``make_moons(n_samples=100, noise=0.1)`` with labels mapped to -1/+1, by 100 full-batch steps
of: scores of every sample; the "max-margin" loss ``mean(relu(1 - y * score))`` plus
``1e-4 * sum(p * p)`` over every parameter; the accuracy ``(y > 0) == (score > 0)``; zero
grad, backward; ``p -= lr * grad`` with ``lr = 1.0 - 0.9 * k / 100`` at step k. This script does
the same through mg's public API - `mg_nn.MLP.forward_batch`, `mg_nn.hinge_loss`,
`mg_autograd.sum`, `mg_optim.SGD` with `mg_optim.LambdaLR`, `mg_train.accuracy` - and writes
``moons.json`` (every step, the trained parameters and the grid of predicted classes behind the
boundary picture), ``decision_boundary.png`` and ``accuracy_curve.png``.

Differences from the notebook, on purpose: the data come from `mg_train.make_moons` with seed
1337 (micrograd used scikit-learn's ``make_moons`` after ``np.random.seed(1337)``; the two
generators give different points, so the numbers differ from the notebook's), and the initial
weights follow micrograd's own rule - every weight U(-1, 1), every bias 0 - drawn from
``random.Random(1337)`` layer by layer, neuron by neuron, and loaded into both models.

When micrograd 0.1.0 is installed in the same interpreter, its version runs on the same data
and initial weights in the same process. Before anything is timed, both run all the steps and
every step's loss must agree within 1e-12 (relative above 1) and every accuracy exactly, or the
script exits with status 1. Then mg runs ``--mg-rounds`` timed runs and micrograd
``--rounds`` (alone, after a ``gc.collect()``: its graphs are reference cycles, freed by the
collector, which it pays for); the reported speed-up is the ratio of the medians of the
per-step times, micrograd over mg (the ratio of the median whole-run times is reported beside
it), and beside them the same ratio of CPU time per step (``time.process_time``), which a
loaded machine disturbs less than wall time. micrograd needs seconds per step here, so one
timed run (the default) already gives 100 step times.

    python benchmarks/moons/run.py [--out DIR] [--rounds N] [--mg-rounds N] [--steps N]
                                   [--no-micrograd] [--no-plot]
                                   [--check] [--write-reference] [--reference PATH]

``--check`` compares every deterministic field of the new moons.json - each step's lr, loss and
accuracy, the final accuracies, the trained parameters, the decision grid - with
``reference_moons.json`` bit for bit (`mg_train.diff_results`) and exits 1 on any difference;
the timings, the environment and micrograd's own numbers (absent under ``--no-micrograd``) are
not compared. ``--write-reference`` stores this run's moons.json as the reference; the committed
one is refused unless micrograd 0.1.0 ran beside mg and agreed on every step, so the reference
is never only mg's word about itself.

Like every benchmark here it measures the INSTALLED packages and refuses the source tree.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import importlib.util
import json
import os
import platform
import statistics
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    # mypy, checking benchmarks/ at once, names this directory's modules moons.*; run as a
    # script, this file's directory is sys.path[0] and the same module is plain ``demo``.
    from mg_nn import MLP
    from mg_train import Dataset

    from moons import demo
else:
    import demo

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PACKAGES = REPO / "packages"
DEFAULT_OUT = REPO / "benchmarks" / "out" / "moons"
DEFAULT_REFERENCE = HERE / "reference_moons.json"
NOT_COMPARED = ("micrograd", "provenance")
"""Sections --check skips besides the timings and environment: micrograd's numbers exist only
when it is installed, and the provenance note only in the reference."""
GRID_STEPS = 81
"""The decision grid's points per axis: `plot_decision_boundary`'s default, so the grid recorded
in moons.json is the one the picture shades."""
CLASS_MARKS = {-1.0: "-", 1.0: "+"}
MODULES = ("mg_autograd", "mg_nn", "mg_optim", "mg_train")


def check_installed() -> None:
    """Exit with a clear message if an mg package is missing or comes from the source tree."""
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            sys.exit(f"error: {name} is not installed; run: pip install {PACKAGES}/mg-*")
        location = Path(getattr(module, "__file__", "") or "").resolve()
        if location == PACKAGES or PACKAGES in location.parents:
            sys.exit(
                f"error: {name} is imported from the source tree ({location}); this benchmark "
                f"measures the installed packages: pip install {PACKAGES}/mg-*"
            )


def accuracy_curve_png(mg: demo.Trace, micro: Union[demo.Trace, None], steps: int) -> bytes:
    import io
    import textwrap

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    figure, (top, bottom) = plt.subplots(2, 1, figsize=(7.0, 6.0), sharex=True)
    try:
        ks = list(range(steps))
        top.plot(ks, [100.0 * a for a in mg.accuracies], color="C0", label="mg")
        bottom.plot(ks, mg.losses, color="C0", label="mg")
        if micro is not None:
            top.plot(ks, [100.0 * a for a in micro.accuracies], "C1:", label="micrograd 0.1.0")
            bottom.plot(ks, micro.losses, "C1:", label="micrograd 0.1.0")
        top.set_ylabel("train accuracy (%)")
        bottom.set_ylabel("loss (hinge + L2)")
        bottom.set_yscale("log")
        bottom.set_xlabel("step k (one full-batch SGD update each)")
        bottom.xaxis.set_major_locator(MaxNLocator(integer=True))
        top.legend(fontsize="small", loc="lower right")
        top.set_title(
            "\n".join(
                textwrap.wrap(
                    f"micrograd's moons demo in mg, measured before each step's update - "
                    f"{demo.conditions(steps)}",
                    width=90,
                )
            ),
            fontsize="small",
        )
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    finally:
        plt.close(figure)
    return buffer.getvalue()


def grid_section(model: MLP, train: Dataset) -> dict[str, object]:
    """The predicted class over the boundary picture's grid (`mg_train.decision_grid` with the
    picture's own arguments), one string per grid row from the lowest y up, ``+``/``-`` for
    class +1/-1: what the picture shades, in a form a reviewer can read and --check compares."""
    from mg_train import decision_grid

    grid = decision_grid(model, "hinge", [train], steps=GRID_STEPS)
    rows: list[str] = []
    for row in grid.labels:
        marks: list[str] = []
        for label in row:
            if label not in CLASS_MARKS:
                raise RuntimeError(f"hinge predicted a class other than -1/+1: {label!r}")
            marks.append(CLASS_MARKS[label])
        rows.append("".join(marks))
    return {
        "steps": GRID_STEPS,
        "xs": list(grid.xs),
        "ys": list(grid.ys),
        "classes": rows,
        "legend": "classes[j][i] is the class at (xs[i], ys[j]): + is +1, - is -1",
    }


def micrograd_section(micro: demo.Trace, worst: Union[float, None]) -> dict[str, object]:
    """micrograd's numbers beside mg's (not compared by --check: absent without micrograd)."""
    return {
        "version": _micrograd_version(),
        "losses": micro.losses,
        "accuracies": micro.accuracies,
        "accuracy_after_training": micro.trained_accuracy,
        "largest_difference_from_mg": worst,
    }


def _micrograd_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("micrograd")
    except PackageNotFoundError:
        return "unknown"


def provenance(crosschecked: bool, worst: Union[float, None]) -> str:
    """The reference's note on where its numbers come from."""
    note = (
        f"written by `python benchmarks/moons/run.py --write-reference` on "
        f"{platform.python_implementation()} {platform.python_version()}"
    )
    if crosschecked and worst is not None:
        return (
            f"{note}, after mg and micrograd {_micrograd_version()} ran the same steps in the "
            f"same process and agreed on every loss and final parameter within {demo.TOLERANCE:g} "
            f"(largest difference {worst:.2e}) and on every accuracy exactly"
        )
    return f"{note}, without micrograd: mg's numbers, not cross-checked"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="artifact directory")
    parser.add_argument("--rounds", type=int, default=1, help="timed micrograd runs")
    parser.add_argument("--mg-rounds", type=int, default=5, help="timed mg runs")
    parser.add_argument("--steps", type=int, default=demo.STEPS, help="SGD steps (the demo: 100)")
    parser.add_argument("--no-micrograd", action="store_true", help="run mg only")
    parser.add_argument("--no-plot", action="store_true", help="write moons.json only")
    parser.add_argument("--check", action="store_true", help="compare with the reference")
    parser.add_argument(
        "--reference",
        type=Path,
        default=DEFAULT_REFERENCE,
        help="reference moons.json for --check / --write-reference",
    )
    parser.add_argument(
        "--write-reference",
        action="store_true",
        help="store this run's deterministic sections as the reference",
    )
    args = parser.parse_args()
    for option in ("rounds", "mg_rounds", "steps"):
        if getattr(args, option) < 1:
            parser.error(f"--{option.replace('_', '-')} must be >= 1, got {getattr(args, option)}")

    with_micrograd = not args.no_micrograd and importlib.util.find_spec("micrograd") is not None
    default_reference = args.reference.resolve() == DEFAULT_REFERENCE
    if args.write_reference and default_reference and not with_micrograd:
        parser.error(
            f"--write-reference replaces the committed {DEFAULT_REFERENCE.name} only with "
            "micrograd 0.1.0 running beside mg (their step-by-step agreement is its provenance): "
            "run it in `tox -e moons`, or pass --reference elsewhere"
        )

    check_installed()
    from mg_train import (
        NONDETERMINISTIC_SECTIONS,
        Dataset,
        diff_results,
        load_results,
        make_moons,
        plot_decision_boundary,
    )
    from mg_train._atomic import atomic_write_bytes, atomic_write_text

    moons = make_moons(demo.N_SAMPLES, noise=demo.NOISE, seed=demo.DATA_SEED)
    xs = list(moons.inputs)
    ys = [2.0 * row[0] - 1.0 for row in moons.targets]  # 0/1 -> -1/+1, as the notebook does
    init = demo.micrograd_style_init([2, *demo.HIDDEN, 1], demo.INIT_SEED)

    mg_trace, model = demo.run_mg(xs, ys, init, args.steps)
    for step, (loss, acc) in enumerate(zip(mg_trace.losses, mg_trace.accuracies)):
        print(f"step {step} loss {loss:.12f}, accuracy {acc * 100:.1f}%")
    micro_trace = None
    worst = None
    if with_micrograd:
        gc.collect()
        micro_trace = demo.run_micrograd(xs, ys, init, args.steps)
        worst, problems = demo.compare(mg_trace, micro_trace)
        if problems:
            print(f"mg and micrograd disagree ({len(problems)} differences):", file=sys.stderr)
            for line in problems[:10]:
                print(f"  {line}", file=sys.stderr)
            return 1
        print(f"mg and micrograd agree on every step: largest difference {worst:.2e}")

    timings: dict[str, object] = {}
    if with_micrograd:
        mg_steps: list[float] = []
        mg_cpu: list[float] = []
        mg_runs: list[float] = []
        micro_steps: list[float] = []
        micro_cpu: list[float] = []
        micro_runs: list[float] = []
        for _ in range(args.mg_rounds):
            trace, _ = demo.run_mg(xs, ys, init, args.steps)
            mg_steps += trace.step_seconds
            mg_cpu += trace.step_cpu_seconds
            mg_runs.append(trace.run_seconds)
        gc.collect()
        for _ in range(args.rounds):
            trace = demo.run_micrograd(xs, ys, init, args.steps)
            micro_steps += trace.step_seconds
            micro_cpu += trace.step_cpu_seconds
            micro_runs.append(trace.run_seconds)
            gc.collect()
        step_ratio = statistics.median(micro_steps) / statistics.median(mg_steps)
        run_ratio = statistics.median(micro_runs) / statistics.median(mg_runs)
        cpu_ratio = statistics.median(micro_cpu) / statistics.median(mg_cpu)
        timings = {
            "micrograd_rounds": args.rounds,
            "mg_rounds": args.mg_rounds,
            "mg_median_step_ms": 1e3 * statistics.median(mg_steps),
            "micrograd_median_step_ms": 1e3 * statistics.median(micro_steps),
            "micrograd_over_mg_median_step": step_ratio,
            "mg_median_run_s": statistics.median(mg_runs),
            "micrograd_median_run_s": statistics.median(micro_runs),
            "micrograd_over_mg_median_run": run_ratio,
            "mg_median_step_cpu_ms": 1e3 * statistics.median(mg_cpu),
            "micrograd_median_step_cpu_ms": 1e3 * statistics.median(micro_cpu),
            "micrograd_over_mg_median_step_cpu": cpu_ratio,
        }
        print(
            f"speed: mg {timings['mg_median_step_ms']:.2f} ms/step, micrograd "
            f"{timings['micrograd_median_step_ms']:.2f} ms/step (medians over {args.mg_rounds} "
            f"and {args.rounds} runs of {args.steps} steps): mg is {step_ratio:.1f}x faster "
            f"(ratio of median whole runs: {run_ratio:.1f}x; of median CPU time per step, "
            f"process_time: {cpu_ratio:.1f}x)"
        )
    final = mg_trace.accuracies[-1]
    trained = mg_trace.trained_accuracy
    print(
        f"final accuracy: {final:.1%} at step {args.steps - 1} (before its update, as the "
        f"notebook prints it); {trained:.1%} after the last update"
    )

    train = Dataset(tuple(xs), tuple((y,) for y in ys))
    document: dict[str, object] = {
        "benchmark": "micrograd demo.ipynb (moons) in mg",
        "conditions": demo.conditions(args.steps),
        "config": {
            "n_samples": demo.N_SAMPLES,
            "noise": demo.NOISE,
            "data_seed": demo.DATA_SEED,
            "init_seed": demo.INIT_SEED,
            "sizes": [2, *demo.HIDDEN, 1],
            "alpha": demo.ALPHA,
            "steps": args.steps,
            "tolerance": demo.TOLERANCE,
        },
        "steps": [
            {
                "step": k,
                "lr": demo.learning_rate(k, args.steps),
                "loss": mg_trace.losses[k],
                "accuracy": mg_trace.accuracies[k],
            }
            for k in range(args.steps)
        ],
        "final_accuracy": final,
        "accuracy_after_training": trained,
        "trained_parameters": mg_trace.final_params,
        "decision_grid": grid_section(model, train),
        "micrograd": None if micro_trace is None else micrograd_section(micro_trace, worst),
        "timings": timings,
        "environment": {
            "python": f"{platform.python_implementation()} {platform.python_version()}",
            "platform": platform.platform(),
            "load_average_1_5_15": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
            "cpu_count": os.cpu_count(),
        },
    }
    args.out.mkdir(parents=True, exist_ok=True)
    files: list[tuple[str, bytes]] = []
    if not args.no_plot:
        if importlib.util.find_spec("matplotlib") is None:
            print("note: matplotlib is not installed; no pictures (pip install matplotlib)")
        else:
            title = f"mg after {args.steps} steps: accuracy {trained:.0%} on its 100 points"
            files.append(
                (
                    "decision_boundary.png",
                    plot_decision_boundary(
                        [(title, model)],
                        "hinge",
                        train,
                        conditions=demo.conditions(args.steps),
                        steps=GRID_STEPS,
                    ),
                )
            )
            files.append(
                ("accuracy_curve.png", accuracy_curve_png(mg_trace, micro_trace, args.steps))
            )
    for name, data in files:
        atomic_write_bytes(args.out / name, data)
        print(f"wrote {args.out / name}")
    text = json.dumps(document, indent=2, allow_nan=False) + "\n"
    atomic_write_text(args.out / "moons.json", text)
    print(f"wrote {args.out / 'moons.json'}")

    results = load_results(args.out / "moons.json")
    if args.write_reference:
        kept = {k: v for k, v in results.items() if k not in NONDETERMINISTIC_SECTIONS}
        kept["provenance"] = provenance(micro_trace is not None, worst)
        atomic_write_text(args.reference, json.dumps(kept, indent=2, allow_nan=False) + "\n")
        print(f"wrote reference {args.reference}")
    if args.check:
        differences = diff_results(
            results, load_results(args.reference), skip=(*NONDETERMINISTIC_SECTIONS, *NOT_COMPARED)
        )
        if differences:
            print(
                f"CHECK FAILED: {len(differences)} difference(s) from {args.reference}:",
                file=sys.stderr,
            )
            for line in differences:
                print(f"  {line}", file=sys.stderr)
            return 1
        print(
            f"check passed: moons.json matches {args.reference.name} bit for bit "
            f"(steps, accuracies, trained parameters, decision grid)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
