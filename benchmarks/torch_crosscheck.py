"""Cross-check the optimizer table against PyTorch (float64), independently of mg's code.

    /work/torchenv/bin/python benchmarks/torch_crosscheck.py [--results FILE] [--tolerance 1e-9]

Nothing from mg is imported. The script rebuilds the benchmark from the recipe documented in
benchmarks/README.md - the dataset, the split, the initial weights and the batch order are all
drawn with ``random.Random`` exactly as documented - and trains it with ``torch.optim.SGD``,
``SGD(momentum=0.9)`` and ``Adam``. It first checks that its initial weights equal the
``initial_state`` recorded in the mg results bit for bit (proving both sides start from the same
draws), then prints the largest relative difference of any loss cell of the table and whether
every best epoch agrees, and exits 1 if a difference exceeds the tolerance.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar, Union

# torch is not installed in tox's typecheck env; where it is, its own annotations are used.
import torch  # type: ignore[import-not-found, unused-ignore]

HERE = Path(__file__).resolve().parent
# The JSON kinds `get` can check for; bare list/dict because JSON leaves element types open.
T = TypeVar("T", int, float, str, bool, list, dict)  # type: ignore[type-arg]
Layers = list[tuple[list[list[float]], list[float]]]
DEFAULT_RESULTS = HERE / "optimizer_table" / "reference_results.json"


def get(tree: object, path: str, kind: type[T]) -> T:
    """``tree[a][b]...`` for ``path = "a.b..."`` from parsed JSON, checked to be a ``kind``."""
    value = tree
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            raise SystemExit(f"results.json has no {path!r}")
        value = value[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind):
        raise SystemExit(f"results.json {path!r} should be {kind.__name__}, got {value!r}")
    return value


def make_data(cfg: object) -> tuple[list[tuple[float, float]], list[float]]:
    if get(cfg, "dataset.name", str) != "sine_regression":
        raise SystemExit("this cross-check covers the sine_regression set only")
    rng = random.Random(get(cfg, "dataset.seed", int))
    noise = get(cfg, "dataset.noise", float)
    xs, ys = [], []
    for _ in range(get(cfg, "dataset.n_samples", int)):
        x1 = rng.uniform(-1.0, 1.0)
        x2 = rng.uniform(-1.0, 1.0)
        y = math.sin(math.pi * x1) * math.cos(math.pi * x2 / 2.0) + noise * rng.gauss(0.0, 1.0)
        xs.append((x1, x2))
        ys.append(y)
    return xs, ys


def split(cfg: object, n: int) -> tuple[list[int], list[int]]:
    order = list(range(n))
    random.Random(get(cfg, "split.seed", int)).shuffle(order)
    n_val = round(n * get(cfg, "split.val_fraction", float))
    return order[n_val:], order[:n_val]


def initial_layers(cfg: object) -> Layers:
    """Per layer (weights[out][in], biases[out]): U(-1/sqrt(nin), 1/sqrt(nin)), neuron by neuron."""
    hidden = [int(w) for w in get(cfg, "model.hidden", list)]
    widths = [2, *hidden, 1]
    rng = random.Random(get(cfg, "model.seed", int))
    layers: Layers = []
    for nin, nout in zip(widths, widths[1:]):
        bound = 1.0 / math.sqrt(nin)
        weights: list[list[float]] = []
        biases: list[float] = []
        for _ in range(nout):
            weights.append([rng.uniform(-bound, bound) for _ in range(nin)])
            biases.append(rng.uniform(-bound, bound))
        layers.append((weights, biases))
    return layers


def state_names(layers: Layers) -> dict[str, float]:
    out: dict[str, float] = {}
    for li, (weights, biases) in enumerate(layers):
        for j, (w, b) in enumerate(zip(weights, biases)):
            for i, wi in enumerate(w):
                out[f"layers.{li}.neurons.{j}.w.{i}"] = wi
            out[f"layers.{li}.neurons.{j}.b"] = b
    return out


def build_model(layers: Layers) -> torch.nn.Sequential:
    modules: list[torch.nn.Module] = []
    for li, (weights, biases) in enumerate(layers):
        linear = torch.nn.Linear(len(weights[0]), len(weights), dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(weights, dtype=torch.float64))
            linear.bias.copy_(torch.tensor(biases, dtype=torch.float64))
        modules.append(linear)
        if li < len(layers) - 1:
            modules.append(torch.nn.ReLU())
    return torch.nn.Sequential(*modules)


def make_optimizer(
    spec: object, params: Iterator[torch.nn.Parameter], lr: float
) -> torch.optim.Optimizer:
    kind = get(spec, "type", str)
    if kind == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=get(spec, "weight_decay", float))
    if kind == "momentum":
        return torch.optim.SGD(
            params,
            lr=lr,
            momentum=get(spec, "momentum", float),
            dampening=get(spec, "dampening", float),
            nesterov=get(spec, "nesterov", bool),
            weight_decay=get(spec, "weight_decay", float),
        )
    if kind == "adam":
        betas = get(spec, "betas", list)
        return torch.optim.Adam(
            params,
            lr=lr,
            betas=(float(betas[0]), float(betas[1])),
            eps=get(spec, "eps", float),
            weight_decay=get(spec, "weight_decay", float),
            amsgrad=get(spec, "amsgrad", bool),
        )
    raise SystemExit(f"optimizer type {kind!r} is not covered by this cross-check")


def run(
    cfg: object, spec: object, layers: Layers, data: tuple[list[tuple[float, float]], list[float]]
) -> dict[str, Union[str, float, int]]:
    xs, ys = data
    train_idx, val_idx = split(cfg, len(xs))
    x_train = torch.tensor([xs[i] for i in train_idx], dtype=torch.float64)
    y_train = torch.tensor([[ys[i]] for i in train_idx], dtype=torch.float64)
    x_val = torch.tensor([xs[i] for i in val_idx], dtype=torch.float64)
    y_val = torch.tensor([[ys[i]] for i in val_idx], dtype=torch.float64)
    model = build_model(layers)
    optimizer = make_optimizer(spec, model.parameters(), get(cfg, "lr", float))
    shuffle = random.Random(get(cfg, "shuffle_seed", int))
    batch = get(cfg, "batch_size", int)
    train_losses: list[float] = []
    val_losses: list[float] = []
    for _ in range(get(cfg, "epochs", int)):
        order = list(range(len(train_idx)))
        shuffle.shuffle(order)
        total = 0.0
        for start in range(0, len(order), batch):
            chunk = torch.tensor(order[start : start + batch])
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x_train[chunk]), y_train[chunk])
            loss.backward()  # type: ignore[no-untyped-call, unused-ignore]  # untyped in torch
            optimizer.step()
            total += loss.item() * len(chunk)
        train_losses.append(total / len(order))
        with torch.no_grad():
            val_losses.append(torch.nn.functional.mse_loss(model(x_val), y_val).item())
    best = min(range(len(val_losses)), key=lambda i: (val_losses[i], i))
    return {
        "optimizer": get(spec, "name", str),
        "final_train_loss": train_losses[-1],
        "final_val_loss": val_losses[-1],
        "best_val_loss": val_losses[best],
        "best_epoch": best + 1,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="PyTorch float64 cross-check of the table")
    parser.add_argument(
        "--results",
        type=Path,
        default=DEFAULT_RESULTS,
        help="mg results.json (default: the committed reference)",
    )
    parser.add_argument(
        "--tolerance",
        type=float,
        default=1e-9,
        help="largest allowed relative difference of a loss cell",
    )
    args = parser.parse_args()
    torch.set_default_dtype(torch.float64)
    results = json.loads(args.results.read_text(encoding="utf-8"))
    cfg = get(results, "config", dict)
    covered = (get(cfg, "loss", str), get(cfg, "model.activation", str))
    if (
        covered != ("mse", "relu")
        or cfg.get("scheduler") is not None
        or cfg.get("clip_grad_norm") is not None
    ):
        raise SystemExit("this cross-check covers mse, relu, no scheduler and no clipping only")

    layers = initial_layers(cfg)
    if state_names(layers) != get(results, "initial_state", dict):
        print("FAIL: initial weights differ from the recorded mg initial_state")
        return 1
    data = make_data(cfg)
    worst, worst_where, ok = 0.0, "", True
    print("| Optimizer | cell | mg | torch | rel. diff |")
    print("|---|---|---|---|---|")
    for spec, mg_row in zip(get(cfg, "optimizers", list), get(results, "table", list)):
        name = get(spec, "name", str)
        row = run(cfg, spec, layers, data)
        for key in ("final_train_loss", "final_val_loss", "best_val_loss"):
            a, b = get(mg_row, key, float), float(row[key])
            rel = abs(a - b) / max(abs(a), abs(b))
            print(f"| {name} | {key} | {a!r} | {b!r} | {rel:.2e} |")
            if rel > worst:
                worst, worst_where = rel, f"{name} {key}"
        if row["best_epoch"] != get(mg_row, "best_epoch", int):
            ok = False
            print(
                f"best epoch differs for {name}: mg {get(mg_row, 'best_epoch', int)}, "
                f"torch {row['best_epoch']}"
            )
    print(
        f"largest relative difference of any table cell: {worst:.3e} ({worst_where}); "
        f"tolerance {args.tolerance:g}; best epochs {'agree' if ok else 'DIFFER'}"
    )
    return 0 if ok and worst <= args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
