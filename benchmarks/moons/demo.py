"""The demo's computation: micrograd's notebook loop, once through mg's public API and once in
micrograd 0.1.0 itself, and the step-by-step comparison of the two (`run.py` is the command
line, the pictures and the reference check around it; see its docstring for the demo).

Both loops start from the same data and the same initial parameters - micrograd's own rule,
every weight U(-1, 1) and every bias 0, drawn from ``random.Random(INIT_SEED)`` - and record
the same things per step (`Trace`), so `compare` can put them side by side.
"""

from __future__ import annotations

import importlib
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Protocol, Union

if TYPE_CHECKING:
    from mg_nn import MLP

N_SAMPLES = 100
NOISE = 0.1
DATA_SEED = 1337
INIT_SEED = 1337
HIDDEN = (16, 16)
ALPHA = 1e-4
STEPS = 100
TOLERANCE = 1e-12


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
