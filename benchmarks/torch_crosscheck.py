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
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
DEFAULT_RESULTS = HERE / "optimizer_table" / "reference_results.json"


def make_data(cfg: dict) -> tuple[list[tuple[float, float]], list[float]]:
    d = cfg["dataset"]
    assert d["name"] == "sine_regression", "this cross-check covers the sine_regression set"
    rng = random.Random(d["seed"])
    xs, ys = [], []
    for _ in range(d["n_samples"]):
        x1 = rng.uniform(-1.0, 1.0)
        x2 = rng.uniform(-1.0, 1.0)
        y = math.sin(math.pi * x1) * math.cos(math.pi * x2 / 2.0) + d["noise"] * rng.gauss(0.0, 1.0)
        xs.append((x1, x2))
        ys.append(y)
    return xs, ys


def split(cfg: dict, n: int) -> tuple[list[int], list[int]]:
    order = list(range(n))
    random.Random(cfg["split"]["seed"]).shuffle(order)
    n_val = round(n * cfg["split"]["val_fraction"])
    return order[n_val:], order[:n_val]


def initial_layers(cfg: dict) -> list[tuple[list[list[float]], list[float]]]:
    """Per layer (weights[out][in], biases[out]): U(-1/sqrt(nin), 1/sqrt(nin)), neuron by neuron."""
    widths = [2, *cfg["model"]["hidden"], 1]
    rng = random.Random(cfg["model"]["seed"])
    layers = []
    for nin, nout in zip(widths, widths[1:]):
        bound = 1.0 / math.sqrt(nin)
        weights, biases = [], []
        for _ in range(nout):
            weights.append([rng.uniform(-bound, bound) for _ in range(nin)])
            biases.append(rng.uniform(-bound, bound))
        layers.append((weights, biases))
    return layers


def state_names(layers: list) -> dict[str, float]:
    out = {}
    for li, (weights, biases) in enumerate(layers):
        for j, (w, b) in enumerate(zip(weights, biases)):
            for i, wi in enumerate(w):
                out[f"layers.{li}.neurons.{j}.w.{i}"] = wi
            out[f"layers.{li}.neurons.{j}.b"] = b
    return out


def build_model(layers: list) -> torch.nn.Sequential:
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


def make_optimizer(spec: dict, params, lr: float) -> torch.optim.Optimizer:
    kind = spec["type"]
    if kind == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=spec["weight_decay"])
    if kind == "momentum":
        return torch.optim.SGD(
            params,
            lr=lr,
            momentum=spec["momentum"],
            dampening=spec["dampening"],
            nesterov=spec["nesterov"],
            weight_decay=spec["weight_decay"],
        )
    if kind == "adam":
        return torch.optim.Adam(
            params,
            lr=lr,
            betas=tuple(spec["betas"]),
            eps=spec["eps"],
            weight_decay=spec["weight_decay"],
            amsgrad=spec["amsgrad"],
        )
    raise SystemExit(f"optimizer type {kind!r} is not covered by this cross-check")


def run(cfg: dict, spec: dict, layers: list, data: tuple) -> dict:
    xs, ys = data
    train_idx, val_idx = split(cfg, len(xs))
    x_train = torch.tensor([xs[i] for i in train_idx], dtype=torch.float64)
    y_train = torch.tensor([[ys[i]] for i in train_idx], dtype=torch.float64)
    x_val = torch.tensor([xs[i] for i in val_idx], dtype=torch.float64)
    y_val = torch.tensor([[ys[i]] for i in val_idx], dtype=torch.float64)
    model = build_model(layers)
    optimizer = make_optimizer(spec, model.parameters(), cfg["lr"])
    shuffle = random.Random(cfg["shuffle_seed"])
    batch = cfg["batch_size"]
    train_losses, val_losses = [], []
    for _ in range(cfg["epochs"]):
        order = list(range(len(train_idx)))
        shuffle.shuffle(order)
        total = 0.0
        for start in range(0, len(order), batch):
            chunk = torch.tensor(order[start : start + batch])
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x_train[chunk]), y_train[chunk])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(chunk)
        train_losses.append(total / len(order))
        with torch.no_grad():
            val_losses.append(torch.nn.functional.mse_loss(model(x_val), y_val).item())
    best = min(range(len(val_losses)), key=lambda i: (val_losses[i], i))
    return {
        "optimizer": spec["name"],
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
    cfg = results["config"]
    covered = (cfg["loss"], cfg["model"]["activation"], cfg["scheduler"], cfg["clip_grad_norm"])
    if covered != ("mse", "relu", None, None):
        raise SystemExit("this cross-check covers mse, relu, no scheduler and no clipping only")

    layers = initial_layers(cfg)
    if state_names(layers) != results["initial_state"]:
        print("FAIL: initial weights differ from the recorded mg initial_state")
        return 1
    data = make_data(cfg)
    worst, worst_where, ok = 0.0, "", True
    print("| Optimizer | cell | mg | torch | rel. diff |")
    print("|---|---|---|---|---|")
    for spec, mg_row in zip(cfg["optimizers"], results["table"]):
        row = run(cfg, spec, layers, data)
        for key in ("final_train_loss", "final_val_loss", "best_val_loss"):
            a, b = mg_row[key], row[key]
            rel = abs(a - b) / max(abs(a), abs(b))
            print(f"| {spec['name']} | {key} | {a!r} | {b!r} | {rel:.2e} |")
            if rel > worst:
                worst, worst_where = rel, f"{spec['name']} {key}"
        if row["best_epoch"] != mg_row["best_epoch"]:
            ok = False
            print(
                f"best epoch differs for {spec['name']}: mg {mg_row['best_epoch']}, "
                f"torch {row['best_epoch']}"
            )
    print(
        f"largest relative difference of any table cell: {worst:.3e} ({worst_where}); "
        f"tolerance {args.tolerance:g}; best epochs {'agree' if ok else 'DIFFER'}"
    )
    return 0 if ok and worst <= args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
