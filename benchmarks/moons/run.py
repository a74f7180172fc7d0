"""micrograd's own demo - an MLP learning the two moons - reproduced step for step with mg.

micrograd's ``demo.ipynb`` trains ``MLP(2, [16, 16, 1])`` (relu hidden, linear output) on
``make_moons(n_samples=100, noise=0.1)`` with labels mapped to -1/+1, by 100 full-batch steps
of: scores of every sample; the "max-margin" loss ``mean(relu(1 - y * score))`` plus
``1e-4 * sum(p * p)`` over every parameter; the accuracy ``(y > 0) == (score > 0)``; zero
grad, backward; ``p -= lr * grad`` with ``lr = 1.0 - 0.9 * k / 100`` at step k. This script does
the same through mg's public API - `mg_nn.MLP.forward_batch`, `mg_nn.hinge_loss`,
`mg_autograd.sum`, `mg_optim.SGD` with `mg_optim.LambdaLR`, `mg_train.accuracy` - and writes
``moons.json`` (every step), ``decision_boundary.png`` and ``accuracy_curve.png``.

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
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Protocol, Union

if TYPE_CHECKING:
    from mg_nn import MLP

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PACKAGES = REPO / "packages"
DEFAULT_OUT = REPO / "benchmarks" / "out" / "moons"
MODULES = ("mg_autograd", "mg_nn", "mg_optim", "mg_train")

N_SAMPLES = 100
NOISE = 0.1
DATA_SEED = 1337
INIT_SEED = 1337
HIDDEN = (16, 16)
ALPHA = 1e-4
STEPS = 100
TOLERANCE = 1e-12


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


def learning_rate(step: int, steps: int) -> float:
    """The notebook's schedule: 1.0 at step 0, falling by 0.9/steps per step."""
    return 1.0 - 0.9 * step / steps


def micrograd_style_init(sizes: Sequence[int], seed: int) -> list[float]:
    """Initial parameters in micrograd's rule (weights U(-1, 1), biases 0), in the order both
    libraries list them: layer by layer, neuron by neuron, its weights then its bias."""
    rng = random.Random(seed)
    values: list[float] = []
    for nin, nout in zip(sizes[:-1], sizes[1:]):
        for _ in range(nout):
            values.extend(rng.uniform(-1.0, 1.0) for _ in range(nin))
            values.append(0.0)
    return values


@dataclass
class Trace:
    """What one engine's run measured, step by step."""

    losses: list[float] = field(default_factory=list)
    accuracies: list[float] = field(default_factory=list)
    step_seconds: list[float] = field(default_factory=list)
    step_cpu_seconds: list[float] = field(default_factory=list)
    final_params: list[float] = field(default_factory=list)
    trained_accuracy: float = 0.0
    """The accuracy of the model after the last update (the notebook prints the one before)."""

    @property
    def run_seconds(self) -> float:
        total = 0.0
        for seconds in self.step_seconds:
            total += seconds
        return total


def run_mg(
    xs: Sequence[tuple[float, ...]], ys: Sequence[float], init: Sequence[float], steps: int
) -> tuple[Trace, MLP]:
    """The demo with mg; returns the trace and the trained model."""
    from mg_autograd import no_grad
    from mg_autograd import sum as value_sum
    from mg_nn import MLP, hinge_loss
    from mg_optim import SGD, LambdaLR
    from mg_train import accuracy

    model = MLP(2, [*HIDDEN, 1], rng=0)
    names = list(model.state_dict())
    if len(names) != len(init):
        raise RuntimeError(f"mg model has {len(names)} parameters, init has {len(init)}")
    model.load_state_dict(dict(zip(names, init)))
    params = model.parameters()
    optimizer = SGD(params, lr=1.0)
    scheduler = LambdaLR(optimizer, lambda k: learning_rate(k, steps))
    targets = [(y,) for y in ys]
    trace = Trace()
    for _ in range(steps):
        began, began_cpu = time.perf_counter(), time.process_time()
        scores = [row[0] for row in model.forward_batch(xs)]
        data_loss = hinge_loss(scores, ys)
        total_loss = data_loss + ALPHA * value_sum([p * p for p in params])
        acc = accuracy("hinge", [[s.data] for s in scores], targets)
        optimizer.zero_grad()
        total_loss.backward()
        optimizer.step()
        scheduler.step()
        trace.step_seconds.append(time.perf_counter() - began)
        trace.step_cpu_seconds.append(time.process_time() - began_cpu)
        trace.losses.append(total_loss.data)
        trace.accuracies.append(acc)
    trace.final_params = [p.data for p in params]
    with no_grad():
        final_scores = [[row[0].data] for row in model.forward_batch(xs)]
    trace.trained_accuracy = accuracy("hinge", final_scores, targets)
    return trace, model


class MicroValue(Protocol):
    """The part of ``micrograd.engine.Value`` used here (micrograd ships no type hints)."""

    data: float
    grad: float

    def __add__(self, other: Union[MicroValue, float]) -> MicroValue: ...

    def __mul__(self, other: Union[MicroValue, float]) -> MicroValue: ...

    def relu(self) -> MicroValue: ...

    def backward(self) -> None: ...


class MicroMLP(Protocol):
    def __call__(self, x: Sequence[MicroValue]) -> MicroValue: ...

    def parameters(self) -> list[MicroValue]: ...

    def zero_grad(self) -> None: ...


def run_micrograd(
    xs: Sequence[tuple[float, ...]], ys: Sequence[float], init: Sequence[float], steps: int
) -> Trace:
    """The notebook's loop in micrograd 0.1.0, from the same data and initial weights."""
    engine = importlib.import_module("micrograd.engine")
    nn = importlib.import_module("micrograd.nn")
    make_value: Callable[[float], MicroValue] = engine.Value
    make_mlp: Callable[[int, list[int]], MicroMLP] = nn.MLP
    model = make_mlp(2, [*HIDDEN, 1])
    params = model.parameters()
    if len(params) != len(init):
        raise RuntimeError(f"micrograd model has {len(params)} parameters, init has {len(init)}")
    for p, value in zip(params, init):
        p.data = value
    trace = Trace()
    for k in range(steps):
        began, began_cpu = time.perf_counter(), time.process_time()
        scores = [model([make_value(x) for x in row]) for row in xs]
        margins = [(s * (-y) + 1.0).relu() for y, s in zip(ys, scores)]
        data_loss = _micro_sum(margins) * (1.0 / len(margins))
        reg_loss = _micro_sum([p * p for p in params]) * ALPHA
        total_loss = data_loss + reg_loss
        right = [(y > 0) == (s.data > 0) for y, s in zip(ys, scores)]
        acc = sum(right) / len(right)
        model.zero_grad()
        total_loss.backward()
        lr = learning_rate(k, steps)
        for p in params:
            p.data -= lr * p.grad
        trace.step_seconds.append(time.perf_counter() - began)
        trace.step_cpu_seconds.append(time.process_time() - began_cpu)
        trace.losses.append(total_loss.data)
        trace.accuracies.append(acc)
    trace.final_params = [p.data for p in params]
    scores = [model([make_value(x) for x in row]) for row in xs]
    right = [(y > 0) == (s.data > 0) for y, s in zip(ys, scores)]
    trace.trained_accuracy = sum(right) / len(right)
    return trace


def _micro_sum(values: Sequence[MicroValue]) -> MicroValue:
    """Left to right, as Python's ``sum`` does it in the notebook (0 + v0 is v0 exactly)."""
    total = values[0]
    for value in values[1:]:
        total = total + value
    return total


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))


def compare(mg: Trace, micro: Trace) -> tuple[float, list[str]]:
    """The largest loss/parameter difference (relative above 1) and every disagreement."""
    problems: list[str] = []
    worst = 0.0
    pairs = list(zip(mg.losses, micro.losses)) + list(zip(mg.final_params, micro.final_params))
    for index, (a, b) in enumerate(pairs):
        worst = max(worst, abs(a - b) / max(1.0, abs(a), abs(b)))
        if not _close(a, b):
            where = f"loss at step {index}" if index < len(mg.losses) else "a final parameter"
            problems.append(f"{where}: mg {a!r}, micrograd {b!r}")
    for step, (a, b) in enumerate(zip(mg.accuracies, micro.accuracies)):
        if a != b:
            problems.append(f"accuracy at step {step}: mg {a!r}, micrograd {b!r}")
    if mg.trained_accuracy != micro.trained_accuracy:
        problems.append(
            f"accuracy after training: mg {mg.trained_accuracy!r}, "
            f"micrograd {micro.trained_accuracy!r}"
        )
    return worst, problems


def conditions(steps: int) -> str:
    return (
        f"SGD, lr 1.0 - 0.9 k/{steps} (1.0 -> {learning_rate(steps - 1, steps):g}), batch size "
        f"{N_SAMPLES} (full batch), {steps} steps, hinge + {ALPHA:g} L2; data "
        f"mg_train.make_moons({N_SAMPLES}, noise={NOISE}, seed={DATA_SEED}), init seed "
        f"{INIT_SEED} (U(-1, 1) weights, zero biases)"
    )


def accuracy_curve_png(mg: Trace, micro: Union[Trace, None], steps: int) -> bytes:
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
                    f"{conditions(steps)}",
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="artifact directory")
    parser.add_argument("--rounds", type=int, default=1, help="timed micrograd runs")
    parser.add_argument("--mg-rounds", type=int, default=5, help="timed mg runs")
    parser.add_argument("--steps", type=int, default=STEPS, help="SGD steps (the demo: 100)")
    parser.add_argument("--no-micrograd", action="store_true", help="run mg only")
    parser.add_argument("--no-plot", action="store_true", help="write moons.json only")
    args = parser.parse_args()
    for option in ("rounds", "mg_rounds", "steps"):
        if getattr(args, option) < 1:
            parser.error(f"--{option.replace('_', '-')} must be >= 1, got {getattr(args, option)}")

    check_installed()
    from mg_train import Dataset, make_moons, plot_decision_boundary
    from mg_train._atomic import atomic_write_bytes, atomic_write_text

    moons = make_moons(N_SAMPLES, noise=NOISE, seed=DATA_SEED)
    xs = list(moons.inputs)
    ys = [2.0 * row[0] - 1.0 for row in moons.targets]  # 0/1 -> -1/+1, as the notebook does
    init = micrograd_style_init([2, *HIDDEN, 1], INIT_SEED)
    with_micrograd = not args.no_micrograd and importlib.util.find_spec("micrograd") is not None

    mg_trace, model = run_mg(xs, ys, init, args.steps)
    for step, (loss, acc) in enumerate(zip(mg_trace.losses, mg_trace.accuracies)):
        print(f"step {step} loss {loss:.12f}, accuracy {acc * 100:.1f}%")
    micro_trace = None
    worst = None
    if with_micrograd:
        gc.collect()
        micro_trace = run_micrograd(xs, ys, init, args.steps)
        worst, problems = compare(mg_trace, micro_trace)
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
            trace, _ = run_mg(xs, ys, init, args.steps)
            mg_steps += trace.step_seconds
            mg_cpu += trace.step_cpu_seconds
            mg_runs.append(trace.run_seconds)
        gc.collect()
        for _ in range(args.rounds):
            trace = run_micrograd(xs, ys, init, args.steps)
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

    document: dict[str, object] = {
        "benchmark": "micrograd demo.ipynb (moons) in mg",
        "conditions": conditions(args.steps),
        "config": {
            "n_samples": N_SAMPLES,
            "noise": NOISE,
            "data_seed": DATA_SEED,
            "init_seed": INIT_SEED,
            "sizes": [2, *HIDDEN, 1],
            "alpha": ALPHA,
            "steps": args.steps,
            "tolerance": TOLERANCE,
        },
        "steps": [
            {
                "step": k,
                "lr": learning_rate(k, args.steps),
                "loss": mg_trace.losses[k],
                "accuracy": mg_trace.accuracies[k],
                **(
                    {}
                    if micro_trace is None
                    else {
                        "micrograd_loss": micro_trace.losses[k],
                        "micrograd_accuracy": micro_trace.accuracies[k],
                    }
                ),
            }
            for k in range(args.steps)
        ],
        "final_accuracy": final,
        "accuracy_after_training": trained,
        "largest_difference_from_micrograd": worst,
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
            train = Dataset(tuple(xs), tuple((y,) for y in ys))
            title = f"mg after {args.steps} steps: accuracy {trained:.0%} on its 100 points"
            files.append(
                (
                    "decision_boundary.png",
                    plot_decision_boundary(
                        [(title, model)],
                        "hinge",
                        train,
                        conditions=conditions(args.steps),
                    ),
                )
            )
            files.append(
                ("accuracy_curve.png", accuracy_curve_png(mg_trace, micro_trace, args.steps))
            )
    for name, data in files:
        atomic_write_bytes(args.out / name, data)
        print(f"wrote {args.out / name}")
    atomic_write_text(args.out / "moons.json", json.dumps(document, indent=2) + "\n")
    print(f"wrote {args.out / 'moons.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
