"""How fast is mg's engine? One MLP training step, timed side by side with its competitors.

Workload (one "step"): an MLP 2-W-W-1 (relu hidden, linear output) built with ``mg_nn.MLP``,
a batch of 64 samples, MSE loss, then forward + backward + SGD update ``p -= lr * grad`` + zero
grad. It runs for hidden widths W = 16, 32, 64 in four implementations:

- ``hand``: `hand_mlp.HandMLP`, the same step differentiated on paper and run as plain float
  loops - the floor for pure Python, and the independent reference for the numbers;
- ``mg``: the installed mg-autograd + mg-nn (``mg_nn.MLP`` and ``mg_nn.mse_loss``);
- ``micrograd``: micrograd 0.1.0, if installed, given mg's initial weights;
- ``torch``: PyTorch (float64, batched tensors, one thread), if an interpreter with torch is
  found, run in a SUBPROCESS: importing torch slows CPython's cyclic garbage collector for every
  object in the process, which would penalise the graph engines timed beside it.

Nothing is timed until every implementation has given the same loss, the same gradients, the
same updated parameters and the same next loss and gradients as the hand-derived reference from
identical weights and data (each number within 1e-12, absolute or relative). Then the median
time per step is reported, with the ratios mg/hand, micrograd/mg and torch/mg. The collector
stays on, as in real training: each engine pays for its own garbage but never for another's
(``hand`` and ``mg`` leave no cyclic garbage, so their rounds interleave; micrograd's graphs are
all cycles, so it runs alone after a ``gc.collect()``).

The deep chain: 10^6 chained operations ``y = y * w`` / ``y = y + w`` (alternating, one shared
leaf ``w``), then ``y.backward()``, each round in a fresh subprocess so that its memory peak is
its own. Memory is the peak resident set size from ``getrusage(RUSAGE_SELF).ru_maxrss``: what
the operating system had to give the process, with allocator overhead and fragmentation included,
at zero cost to the timing. (``tracemalloc`` would count only Python-level allocations and slows
every allocation several-fold, which would falsify the backward time measured in the same run.)
The peak includes the interpreter's own baseline, so both the total and the delta over the
baseline taken just before the chain is built are reported.

mg must be the INSTALLED distribution (site-packages), not the source tree: the benchmark is of
what users get, and the repository's tox bench environment installs built wheels.

Usage::

    python benchmarks/engine_speed.py [--quick] [--rounds N] [--widths 16 32 64]
                                      [--torch-python PATH | --no-torch] [--out PATH]
"""

from __future__ import annotations

import argparse
import gc
import importlib
import importlib.util
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Protocol, Union

if TYPE_CHECKING:
    from mg_nn import MLP as MgMLP
    from mg_nn import Parameter

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "benchmarks" / "out" / "engine_speed.json"
BATCH = 64
LEARNING_RATE = 0.05
TOLERANCE = 1e-12
CHAIN_OPS = 1_000_000

# Targets from the issue, for CPython 3.11 (reported, never asserted).
TARGET_MICROGRAD_OVER_MG = 40.0
TARGET_MG_OVER_HAND = {16: 2.0, 32: 2.5, 64: 2.5}
TARGET_CHAIN_SECONDS = 6.0
TARGET_CHAIN_PEAK_MB = 450.0

Json = Union[None, bool, int, float, str, List["Json"], Dict[str, "Json"]]
Floats = List[float]


# ---- the workload ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One workload: model sizes, mg's initial weights (flat, mg-nn order) and the batch."""

    width: int
    sizes: list[int]
    params: list[float]
    xs: list[list[float]]
    ts: list[list[float]]
    lr: float


def make_case(width: int, seed: int) -> Case:
    """mg-nn's ``MLP(2, [W, W, 1], rng=seed)`` weights; a batch of y = sin(3 x0) x1 + noise."""
    from mg_nn import MLP

    model = MLP(2, [width, width, 1], rng=seed)
    data = random.Random(seed + 1)
    xs = [[data.uniform(-1.0, 1.0), data.uniform(-1.0, 1.0)] for _ in range(BATCH)]
    ts = [[math.sin(3.0 * x0) * x1 + data.gauss(0.0, 0.05)] for x0, x1 in xs]
    params = [p.data for p in model.parameters()]
    return Case(width, [2, width, width, 1], params, xs, ts, LEARNING_RATE)


class Engine(Protocol):
    """What the harness needs: a forward+backward that leaves gradients in place, and an update."""

    name: str

    def loss_and_grads(self) -> float: ...

    def grads(self) -> Floats: ...

    def params(self) -> Floats: ...

    def update(self) -> None:
        """SGD step ``p -= lr * grad``, then every gradient back to zero."""
        ...

    def graph_nodes(self) -> Optional[int]: ...


class HandEngine:
    name = "hand"

    def __init__(self, case: Case) -> None:
        from hand_mlp import HandMLP

        self.model = HandMLP(case.sizes, case.params)
        self.case = case

    def loss_and_grads(self) -> float:
        return self.model.loss_and_grads(self.case.xs, self.case.ts)

    def grads(self) -> Floats:
        return self.model.flat_grads()

    def params(self) -> Floats:
        return self.model.flat_params()

    def update(self) -> None:
        self.model.sgd_step_and_zero(self.case.lr)

    def graph_nodes(self) -> Optional[int]:
        return None


class MgEngine:
    """mg as a user writes it: ``mg_nn.MLP``, ``mg_nn.mse_loss``, ``loss.backward()``."""

    name = "mg"

    def __init__(self, case: Case, seed: int) -> None:
        from mg_nn import MLP

        self.model: MgMLP = MLP(2, case.sizes[1:], rng=seed)
        self.parameters: list[Parameter] = self.model.parameters()
        if [p.data for p in self.parameters] != case.params:
            raise RuntimeError("mg: MLP(rng=seed) did not reproduce the case's initial weights")
        self.xs = case.xs
        self.targets = [t[0] for t in case.ts]
        self.lr = case.lr
        self._nodes: Optional[int] = None

    def loss_and_grads(self) -> float:
        from mg_autograd import topological_order
        from mg_nn import mse_loss

        model = self.model
        loss = mse_loss([out[0] for out in model.forward_batch(self.xs)], self.targets)
        loss.backward()
        if self._nodes is None:
            self._nodes = len(topological_order(loss))
        return loss.data

    def grads(self) -> Floats:
        return [p.grad for p in self.parameters]

    def params(self) -> Floats:
        return [p.data for p in self.parameters]

    def update(self) -> None:
        lr = self.lr
        for p in self.parameters:
            p.data -= lr * p.grad
            p.grad = 0.0

    def graph_nodes(self) -> Optional[int]:
        """Non-leaf nodes the backward sweep visits (leaves receive gradient but are not walked)."""
        return self._nodes


class MicroValue(Protocol):
    """The part of ``micrograd.engine.Value`` used here (micrograd ships no type hints)."""

    data: float
    grad: float
    _prev: set[MicroValue]

    def __add__(self, other: MicroValue) -> MicroValue: ...

    def __sub__(self, other: float) -> MicroValue: ...

    def __mul__(self, other: Union[MicroValue, float]) -> MicroValue: ...

    def __pow__(self, other: float) -> MicroValue: ...

    def backward(self) -> None: ...


class MicroMLP(Protocol):
    def __call__(self, x: Sequence[float]) -> MicroValue: ...

    def parameters(self) -> list[MicroValue]: ...


class MicrogradEngine:
    """micrograd 0.1.0 with mg's initial weights; its MSE written with its own operators."""

    name = "micrograd"

    def __init__(self, case: Case) -> None:
        nn = importlib.import_module("micrograd.nn")
        make_mlp: Callable[[int, list[int]], MicroMLP] = nn.MLP
        self.model = make_mlp(2, case.sizes[1:])
        self.parameters = self.model.parameters()
        if len(self.parameters) != len(case.params):
            raise RuntimeError(
                f"micrograd: {len(self.parameters)} parameters, mg has {len(case.params)}"
            )
        for p, value in zip(self.parameters, case.params):
            p.data = value
        self.case = case
        self._nodes: Optional[int] = None

    def loss_and_grads(self) -> float:
        model = self.model
        total: Optional[MicroValue] = None
        for x, t in zip(self.case.xs, self.case.ts):
            square = (model(x) - t[0]) ** 2
            total = square if total is None else total + square
        if total is None:
            raise ValueError("micrograd: empty batch")
        loss = total * (1.0 / len(self.case.xs))
        loss.backward()
        if self._nodes is None:
            self._nodes = _count_micrograd_nodes(loss)
        return float(loss.data)

    def grads(self) -> Floats:
        return [float(p.grad) for p in self.parameters]

    def params(self) -> Floats:
        return [float(p.data) for p in self.parameters]

    def update(self) -> None:
        lr = self.case.lr
        for p in self.parameters:
            p.data -= lr * p.grad
            p.grad = 0.0

    def graph_nodes(self) -> Optional[int]:
        """Every node of micrograd's graph (it walks leaves too, so all of them count)."""
        return self._nodes


def _count_micrograd_nodes(root: MicroValue) -> int:
    seen = {id(root)}
    stack = [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


# ---- verification ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trace:
    """Loss and gradients at the initial weights, the weights after one step, and the same again."""

    loss0: float
    grads0: list[float]
    params1: list[float]
    loss1: float
    grads1: list[float]


def trace(engine: Engine) -> Trace:
    """Two steps of ``engine``, recording all that a wrong forward, backward or update changes."""
    loss0 = engine.loss_and_grads()
    grads0 = engine.grads()
    engine.update()
    params1 = engine.params()
    loss1 = engine.loss_and_grads()
    grads1 = engine.grads()
    engine.update()
    return Trace(loss0, grads0, params1, loss1, grads1)


def compare(reference: Trace, other: Trace) -> dict[str, float]:
    """Largest absolute and relative difference over every number of the two traces.

    A number agrees when ``|a - b| <= 1e-12`` or ``|a - b| <= 1e-12 * max(|a|, |b|)``: absolute
    for numbers near zero (a gradient of 1e-17 against 3e-17 is agreement, not a 67% error),
    relative for large ones. ``worst`` is the larger of the two measures at the number where
    ``min(abs, rel)`` is largest, so it is <= 1e-12 exactly when every number agrees.
    """
    pairs = [(reference.loss0, other.loss0), (reference.loss1, other.loss1)]
    for field in ("grads0", "params1", "grads1"):
        ref_values: list[float] = getattr(reference, field)
        other_values: list[float] = getattr(other, field)
        if len(ref_values) != len(other_values):
            return {"max_abs": math.inf, "max_rel": math.inf, "worst": math.inf}
        pairs.extend(zip(ref_values, other_values))
    max_abs = max_rel = worst = 0.0
    for a, b in pairs:
        diff = abs(a - b)
        if math.isnan(diff):
            return {"max_abs": math.inf, "max_rel": math.inf, "worst": math.inf}
        scale = max(abs(a), abs(b))
        rel = diff / scale if scale > 0.0 else 0.0
        max_abs = max(max_abs, diff)
        max_rel = max(max_rel, rel)
        worst = max(worst, min(diff, rel))
    return {"max_abs": max_abs, "max_rel": max_rel, "worst": worst}


# ---- timing ------------------------------------------------------------------------------------


def time_steps(step: Callable[[], object], warmup: int, rounds: int, min_round: float) -> Floats:
    """Seconds per step of one engine, one entry per round (see `time_interleaved`)."""
    return time_interleaved({"step": step}, warmup, rounds, min_round)["step"]


def time_interleaved(
    steps: dict[str, Callable[[], object]], warmup: int, rounds: int, min_round: float
) -> dict[str, Floats]:
    """Seconds per step of each engine, one entry per round, after ``warmup`` untimed steps.

    Round r times every engine once, one after the other, so a change in the machine's load
    (2 shared cores) hits all of them alike instead of whichever happened to run then; the
    order rotates from round to round so that no engine always runs first. A round runs as
    many steps as needed to last ``min_round`` seconds (calibrated on the last warm-up step),
    so fast engines are not measured at the clock's granularity.
    """
    gc.collect()
    repeats: dict[str, int] = {}
    for name, step in steps.items():
        started = time.perf_counter()
        for _ in range(max(1, warmup)):
            started = time.perf_counter()
            step()
        one = max(time.perf_counter() - started, 1e-9)
        repeats[name] = max(1, math.ceil(min_round / one))
    per_step: dict[str, Floats] = {name: [] for name in steps}
    names = list(steps)
    for index in range(rounds):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            step, count = steps[name], repeats[name]
            started = time.perf_counter()
            for _ in range(count):
                step()
            per_step[name].append((time.perf_counter() - started) / count)
    return per_step


def engine_step(engine: Engine) -> Callable[[], object]:
    def step() -> None:
        engine.loss_and_grads()
        engine.update()

    return step


# ---- torch, in its own process -----------------------------------------------------------------


def torch_worker() -> None:
    """``--torch-worker``: read cases + reference traces (JSON, stdin), verify, time, answer JSON.

    Runs in an interpreter that has torch; it never imports mg. One thread: the other engines
    are single-threaded, and on a shared 2-core machine extra threads only add noise.
    """
    request = json.load(sys.stdin)
    torch = importlib.import_module("torch")
    torch.set_num_threads(1)
    results: list[Json] = [_torch_case(torch, item) for item in request["cases"]]
    json.dump({"results": results}, sys.stdout)


class _TorchMLP:
    """The same step on batched tensors: ``relu(X W1^T + b1)`` ..., ``((Y_hat - Y)^2).mean()``."""

    def __init__(self, torch: ModuleType, item: dict[str, Json]) -> None:
        self.torch = torch
        sizes = [int(_json_number(v)) for v in _json_list(item["sizes"])]
        flat = [_json_number(v) for v in _json_list(item["params"])]
        self.layers = []
        at = 0
        for fan_in, fan_out in zip(sizes, sizes[1:]):
            block = torch.tensor(flat[at : at + fan_out * (fan_in + 1)], dtype=torch.float64)
            block = block.reshape(fan_out, fan_in + 1)
            weight = block[:, :fan_in].clone().requires_grad_(True)
            bias = block[:, fan_in].clone().requires_grad_(True)
            self.layers.append((weight, bias))
            at += fan_out * (fan_in + 1)
        self.x = torch.tensor(item["xs"], dtype=torch.float64)
        self.t = torch.tensor(item["ts"], dtype=torch.float64)
        self.lr = float(_json_number(item["lr"]))

    def loss_and_grads(self) -> float:
        a = self.x
        last = len(self.layers) - 1
        for index, (weight, bias) in enumerate(self.layers):
            a = a @ weight.T + bias
            if index != last:
                a = self.torch.relu(a)
        loss = ((a - self.t) ** 2).mean()
        loss.backward()
        return float(loss.item())

    def update(self) -> None:
        with self.torch.no_grad():
            for weight, bias in self.layers:
                for p in (weight, bias):
                    p -= self.lr * p.grad
                    p.grad = None

    def flat(self, grads: bool) -> Floats:
        out: Floats = []
        for weight, bias in self.layers:
            w = weight.grad if grads else weight.detach()
            b = bias.grad if grads else bias.detach()
            for row, b_j in zip(w.tolist(), b.tolist()):
                out.extend(float(v) for v in row)
                out.append(float(b_j))
        return out

    def step(self) -> None:
        self.loss_and_grads()
        self.update()


def _torch_case(torch: ModuleType, item: dict[str, Json]) -> dict[str, Json]:
    model = _TorchMLP(torch, item)
    loss0 = model.loss_and_grads()
    grads0 = model.flat(grads=True)
    model.update()
    params1 = model.flat(grads=False)
    loss1 = model.loss_and_grads()
    grads1 = model.flat(grads=True)
    model.update()
    mine = Trace(loss0, grads0, params1, loss1, grads1)
    reference = item["reference"]
    if not isinstance(reference, dict):
        raise TypeError(f"torch worker: reference must be an object, got {reference!r}")
    diffs = compare(_trace_from_json(reference), mine)
    entry: dict[str, Json] = {
        "width": item["width"],
        "trace": _trace_json(mine),
        "diffs": _floats_json(diffs),
        "torch": str(torch.__version__),
    }
    if diffs["worst"] <= TOLERANCE:
        times = time_steps(
            model.step,
            int(_json_number(item["warmup"])),
            int(_json_number(item["rounds"])),
            _json_number(item["min_round"]),
        )
        entry["times"] = list(times)
    return entry


def _json_list(value: Json) -> list[Json]:
    if not isinstance(value, list):
        raise TypeError(f"expected a JSON list, got {value!r}")
    return value


def _json_number(value: Json) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a JSON number, got {value!r}")
    return float(value)


def _trace_from_json(data: dict[str, Json]) -> Trace:
    return Trace(
        _json_number(data["loss0"]),
        [_json_number(v) for v in _json_list(data["grads0"])],
        [_json_number(v) for v in _json_list(data["params1"])],
        _json_number(data["loss1"]),
        [_json_number(v) for v in _json_list(data["grads1"])],
    )


def run_torch(
    python: str, cases: list[Case], references: list[Trace], args: argparse.Namespace
) -> list[dict[str, Json]]:
    request = {
        "cases": [
            {
                **asdict(case),
                "reference": _trace_json(reference),
                "warmup": args.warmup,
                "rounds": args.rounds,
                "min_round": args.min_round,
            }
            for case, reference in zip(cases, references)
        ]
    }
    done = subprocess.run(
        [python, str(Path(__file__).resolve()), "--torch-worker"],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"engine_speed: the torch worker ({python}) failed:\n{done.stderr}")
    answer: dict[str, list[dict[str, Json]]] = json.loads(done.stdout)
    return answer["results"]


# ---- the deep chain, in its own process --------------------------------------------------------


def chain_worker(ops: int) -> None:
    """``--chain-worker N``: build N chained ops, time ``backward()``, report peak RSS (JSON)."""
    import resource

    _require_installed_mg()
    from mg_autograd import Value

    def peak_bytes() -> int:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB

    gc.collect()
    baseline = peak_bytes()
    own_baseline = _proc_status_bytes("VmRSS")
    w = Value(0.5)
    y = Value(1.0)
    started = time.perf_counter()
    for i in range(ops):
        y = y * w if i % 2 == 0 else y + w
    built = time.perf_counter() - started
    started = time.perf_counter()
    y.backward()
    backward = time.perf_counter() - started
    peak = peak_bytes()
    own_peak = _proc_status_bytes("VmHWM")
    # y_(k+1) = y_k w + w with w = 1/2, y_0 = 1 stays at 1; g_k = dy_k/dw = 2 + g_(k-1) / 2
    # gives g_m = 4 (1 - 2^-m) for m pairs: a closed form the sweep must reproduce.
    expected = 4.0 * (1.0 - 0.5 ** (ops // 2))
    ok = abs(w.grad - expected) <= TOLERANCE * 4.0 and y.data == 1.0
    started = time.perf_counter()
    del y
    freed = time.perf_counter() - started
    json.dump(
        {
            "ops": ops,
            "build_s": built,
            "backward_s": backward,
            "free_s": freed,
            "baseline_bytes": baseline,
            "peak_bytes": peak,
            "linux_vmrss_baseline_bytes": own_baseline,
            "linux_vmhwm_bytes": own_peak,
            "grad_ok": ok,
            "grad_w": w.grad,
            "expected_grad_w": expected,
        },
        sys.stdout,
    )


def _proc_status_bytes(field: str) -> Optional[int]:
    """``VmRSS`` / ``VmHWM`` of this process image from /proc (Linux only; None elsewhere).

    A cross-check for ``ru_maxrss``: ``VmHWM`` is the peak of the memory map created at exec,
    so unlike ``ru_maxrss`` it never includes a parent's peak.
    """
    try:
        lines = Path("/proc/self/status").read_text(encoding="ascii").splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith(field + ":"):
            number, unit = line.split()[1:3]
            return int(number) * 1024 if unit == "kB" else None
    return None


def run_chain(rounds: int, ops: int) -> dict[str, Json]:
    """Run the chain worker ``rounds`` times, each in a fresh process; medians and worst peaks."""
    runs: list[dict[str, Json]] = []
    for _ in range(rounds):
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--chain-worker", str(ops)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            sys.exit(f"engine_speed: the chain worker failed:\n{done.stderr}")
        runs.append(json.loads(done.stdout))
    if not all(run["grad_ok"] is True for run in runs):
        sys.exit(f"engine_speed: the chain's gradient disagrees with its closed form: {runs[0]}")

    def each(key: str) -> Floats:
        return [_json_number(run[key]) for run in runs]

    mb = 1e6
    backward = statistics.median(each("backward_s"))
    peak = max(each("peak_bytes")) / mb
    deltas = [hi - lo for hi, lo in zip(each("peak_bytes"), each("baseline_bytes"))]
    own: Optional[tuple[float, float]] = None
    if all(run["linux_vmhwm_bytes"] is not None for run in runs):
        own_peaks = each("linux_vmhwm_bytes")
        own_deltas = [hi - lo for hi, lo in zip(own_peaks, each("linux_vmrss_baseline_bytes"))]
        own = (max(own_peaks) / mb, max(own_deltas) / mb)
    return {
        "ops": ops,
        "rounds": rounds,
        "memory_measure": "getrusage(RUSAGE_SELF).ru_maxrss in a fresh subprocess per round",
        "build_s_median": statistics.median(each("build_s")),
        "backward_s_median": backward,
        "free_s_median": statistics.median(each("free_s")),
        "peak_rss_mb_max": peak,
        "baseline_rss_mb": statistics.median(each("baseline_bytes")) / mb,
        "peak_delta_mb_max": max(deltas) / mb,
        "linux_vmhwm_mb_max": None if own is None else own[0],
        "linux_vmhwm_delta_mb_max": None if own is None else own[1],
        "runs": list(runs),
        "targets": {
            "backward_s_at_most": TARGET_CHAIN_SECONDS,
            "peak_rss_mb_at_most": TARGET_CHAIN_PEAK_MB,
            "backward_met": backward <= TARGET_CHAIN_SECONDS,
            "peak_met": peak <= TARGET_CHAIN_PEAK_MB,
        },
    }


# ---- the harness -------------------------------------------------------------------------------


def _require_installed_mg() -> None:
    """Exit unless mg_autograd and mg_nn are imported from an installation, not ``packages/``."""
    import mg_autograd
    import mg_nn

    source_tree = (REPO / "packages").resolve()
    for module in (mg_autograd, mg_nn):
        location = Path(module.__file__ or "").resolve()
        if source_tree == location or source_tree in location.parents:
            sys.exit(
                f"engine_speed: {module.__name__} was imported from the source tree "
                f"({location}); benchmark the installed package instead: "
                f"pip install {REPO / 'packages'}/mg-autograd {REPO / 'packages'}/mg-nn "
                "(not editable) and run without packages/*/src on PYTHONPATH"
            )


def _trace_json(t: Trace) -> dict[str, Json]:
    return {
        "loss0": t.loss0,
        "grads0": list(t.grads0),
        "params1": list(t.params1),
        "loss1": t.loss1,
        "grads1": list(t.grads1),
    }


def _floats_json(values: dict[str, float]) -> dict[str, Json]:
    return {key: value for key, value in values.items()}


def _torch_python(args: argparse.Namespace) -> Optional[str]:
    if args.no_torch:
        return None
    if args.torch_python:
        return str(args.torch_python)
    return sys.executable if importlib.util.find_spec("torch") is not None else None


def run_width(
    width: int, args: argparse.Namespace, with_micrograd: bool
) -> tuple[Case, Trace, list[Engine], dict[str, Json]]:
    """Build and verify every in-process engine for one width; exit if any disagrees."""
    case = make_case(width, args.seed)
    hand = HandEngine(case)
    reference = trace(hand)
    engines: list[Engine] = [hand, MgEngine(case, args.seed)]
    if with_micrograd:
        engines.append(MicrogradEngine(case))
    verification: dict[str, Json] = {}
    for engine in engines[1:]:
        diffs = compare(reference, trace(engine))
        verification[engine.name] = _floats_json(diffs)
        if not diffs["worst"] <= TOLERANCE:
            sys.exit(
                f"engine_speed: width {width}: {engine.name} disagrees with the hand-derived "
                f"reference (max abs {diffs['max_abs']:.3g}, max rel {diffs['max_rel']:.3g}, "
                f"tolerance {TOLERANCE}); refusing to time"
            )
    return case, reference, engines, verification


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if args.torch_worker:
        torch_worker()
        return 0
    if args.chain_worker is not None:
        chain_worker(args.chain_worker)
        return 0
    _require_installed_mg()
    import mg_autograd
    import mg_nn

    with_micrograd = not args.no_micrograd and importlib.util.find_spec("micrograd") is not None
    torch_python = _torch_python(args)

    chain: Optional[dict[str, Json]] = None
    if not args.quick and args.chain_rounds > 0:
        # First, while this process is small: on Linux a child's ru_maxrss starts at its
        # parent's peak (the high-water mark is carried across fork and exec).
        chain = run_chain(args.chain_rounds, args.chain_ops)
        print_chain(chain)

    prepared = [run_width(width, args, with_micrograd) for width in args.widths]
    print(f"verified: all engines agree with the hand-derived reference within {TOLERANCE:g}")

    torch_results: dict[int, dict[str, Json]] = {}
    if torch_python is not None:
        answers = run_torch(torch_python, [p[0] for p in prepared], [p[1] for p in prepared], args)
        for answer in answers:
            diffs = answer["diffs"]
            if not isinstance(diffs, dict) or "times" not in answer:
                sys.exit(f"engine_speed: torch disagrees with the reference: {diffs}; not timed")
            width = answer["width"]
            if isinstance(width, int):
                torch_results[width] = answer

    rows: list[dict[str, Json]] = []
    for case, _, engines, verification in prepared:
        fast = {e.name: engine_step(e) for e in engines if e.name != "micrograd"}
        times = time_interleaved(fast, args.warmup, args.rounds, args.min_round)
        for engine in engines:
            if engine.name == "micrograd":
                # Alone, in a block of its own: its cyclic garbage must not be collected
                # during another engine's round.
                rounds = min(args.rounds, args.micrograd_rounds)
                times[engine.name] = time_steps(engine_step(engine), 1, rounds, args.min_round)
        torch_answer = torch_results.get(case.width)
        if torch_answer is not None:
            verification["torch"] = torch_answer["diffs"]
            torch_times = torch_answer["times"]
            if isinstance(torch_times, list):
                times["torch"] = [float(v) for v in torch_times if isinstance(v, (int, float))]
        rows.append(summarise(case, engines, times, verification))
        print_row(rows[-1])

    report: dict[str, Json] = {
        "benchmark": "engine_speed",
        "python": {
            "implementation": platform.python_implementation(),
            "version": platform.python_version(),
            "executable": sys.executable,
        },
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "mg_autograd": {"version": mg_autograd.__version__, "file": mg_autograd.__file__},
        "mg_nn": {"version": mg_nn.__version__, "file": mg_nn.__file__},
        "config": {
            "quick": args.quick,
            "batch": BATCH,
            "lr": LEARNING_RATE,
            "seed": args.seed,
            "rounds": args.rounds,
            "micrograd_rounds": min(args.rounds, args.micrograd_rounds),
            "warmup": args.warmup,
            "min_round_s": args.min_round,
            "tolerance": TOLERANCE,
            "torch_python": torch_python,
            "targets_apply_to": "CPython 3.11",
        },
        "widths": list(rows),
        "chain": chain,
    }
    write_json_atomic(Path(args.out), report)
    print(f"wrote {args.out}")
    return 0


def summarise(
    case: Case, engines: list[Engine], times: dict[str, Floats], verification: dict[str, Json]
) -> dict[str, Json]:
    median_ms = {name: statistics.median(values) * 1e3 for name, values in times.items()}
    mg = median_ms["mg"]
    ratios: dict[str, Json] = {"mg_over_hand": mg / median_ms["hand"]}
    if "micrograd" in median_ms:
        ratios["micrograd_over_mg"] = median_ms["micrograd"] / mg
    if "torch" in median_ms:
        ratios["torch_over_mg"] = median_ms["torch"] / mg
    limit = TARGET_MG_OVER_HAND.get(case.width, TARGET_MG_OVER_HAND[64])
    targets: dict[str, Json] = {
        "mg_over_hand_at_most": limit,
        "mg_over_hand_met": mg / median_ms["hand"] <= limit,
    }
    if "micrograd" in median_ms:
        targets["micrograd_over_mg_at_least"] = TARGET_MICROGRAD_OVER_MG
        targets["micrograd_over_mg_met"] = median_ms["micrograd"] / mg >= TARGET_MICROGRAD_OVER_MG
    nodes: dict[str, Json] = {e.name: e.graph_nodes() for e in engines if e.graph_nodes()}
    return {
        "width": case.width,
        "sizes": list(case.sizes),
        "parameters": len(case.params),
        "median_ms": dict(median_ms),
        "min_ms": {name: min(values) * 1e3 for name, values in times.items()},
        "rounds_ms": {name: [v * 1e3 for v in values] for name, values in times.items()},
        "ratios": ratios,
        "targets": targets,
        "graph_nodes": nodes,
        "verification": verification,
    }


def print_row(row: dict[str, Json]) -> None:
    median = row["median_ms"]
    ratios = row["ratios"]
    if not isinstance(median, dict) or not isinstance(ratios, dict):
        return
    cells = "  ".join(
        f"{name} {value:.2f} ms" for name, value in median.items() if isinstance(value, float)
    )
    ratio_cells = "  ".join(
        f"{name} {value:.2f}" for name, value in ratios.items() if isinstance(value, float)
    )
    print(f"width {row['width']}: {cells}  |  {ratio_cells}")


def print_chain(chain: dict[str, Json]) -> None:
    print(
        f"chain of {chain['ops']} ops: build {chain['build_s_median']:.2f} s, "
        f"backward {chain['backward_s_median']:.2f} s, "
        f"peak RSS {chain['peak_rss_mb_max']:.0f} MB "
        f"(baseline {chain['baseline_rss_mb']:.0f} MB, delta {chain['peak_delta_mb_max']:.0f} MB)"
    )
    if chain["linux_vmhwm_mb_max"] is not None:
        print(
            f"  cross-check, /proc VmHWM: {chain['linux_vmhwm_mb_max']:.0f} MB, "
            f"delta over VmRSS at start {chain['linux_vmhwm_delta_mb_max']:.0f} MB"
        )


def write_json_atomic(path: Path, data: dict[str, Json]) -> None:
    """Write a temporary file beside ``path``, then `os.replace`: no reader sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=2, allow_nan=False)
            stream.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--quick", action="store_true", help="CI smoke run: width 16, 3 rounds, no chain"
    )
    parser.add_argument(
        "--rounds", type=_positive_int, default=11, help="timed rounds (median taken)"
    )
    parser.add_argument(
        "--micrograd-rounds",
        type=_positive_int,
        default=5,
        help="rounds for micrograd (seconds per step at width 64)",
    )
    parser.add_argument(
        "--warmup",
        type=_non_negative_int,
        default=None,
        help="untimed steps first (default 3 on CPython, 15 on PyPy for its JIT)",
    )
    parser.add_argument(
        "--min-round",
        type=float,
        default=0.02,
        help="seconds a timed round lasts at least (fast engines repeat the step)",
    )
    parser.add_argument("--widths", type=_positive_int, nargs="+", default=[16, 32, 64])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--chain-rounds",
        type=_non_negative_int,
        default=3,
        help="fresh subprocesses for the 10^6-op chain (0 skips it)",
    )
    parser.add_argument("--chain-ops", type=_positive_int, default=CHAIN_OPS)
    parser.add_argument("--no-micrograd", action="store_true")
    parser.add_argument(
        "--torch-python",
        type=str,
        default=None,
        help="interpreter with torch (default: this one, if it has torch)",
    )
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--out", type=str, default=str(DEFAULT_OUT))
    parser.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--chain-worker", type=_positive_int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.warmup is None:
        args.warmup = 15 if platform.python_implementation() == "PyPy" else 3
    if args.quick:
        args.widths = [16]
        args.rounds = min(args.rounds, 3)
        args.micrograd_rounds = 1
        args.chain_rounds = 0
        args.warmup = min(args.warmup, 1)
    if not args.min_round >= 0.0:
        parser.error(f"--min-round must be >= 0, got {args.min_round!r}")
    return args


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive int, got {text!r}")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text!r}")
    return value


if __name__ == "__main__":
    sys.exit(main())
