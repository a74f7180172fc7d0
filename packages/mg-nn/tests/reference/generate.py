"""Write the PyTorch float64 reference values that mg-nn's tests compare against.

Run with the torch venv (mg is not installed there, and nothing here imports it):

    /work/torchenv/bin/python packages/mg-nn/tests/reference/generate.py

It writes ``losses.json`` (each loss: inputs, value and gradient per prediction) and ``mlp.json``
(MLP weights as an mg state dict, a batch, outputs, loss and every parameter and input gradient)
next to this file. MLP weights are drawn here with ``random.Random(seed)`` in mg-nn's documented
order - layer by layer, neuron by neuron, each neuron's weights then its bias, all from
U(-1/sqrt(nin), 1/sqrt(nin)) - so the tests can also check mg's initialisation against them.
"""

from __future__ import annotations

import json
import math
import os
import random
import tempfile
from pathlib import Path

import torch
import torch.nn.functional as F

HERE = Path(__file__).parent
DTYPE = torch.float64


def tensor(values, grad: bool = False) -> torch.Tensor:
    return torch.tensor(values, dtype=DTYPE, requires_grad=grad)


def floats(t: torch.Tensor) -> list:
    return t.detach().tolist()


# ---- losses ----------------------------------------------------------------------------------


def loss_case(name, fn, predictions, targets, target_dtype=DTYPE):
    p = tensor(predictions, grad=True)
    y = torch.tensor(targets, dtype=target_dtype)
    loss = fn(p, y)
    loss.backward()
    return {
        "name": name,
        "predictions": predictions,
        "targets": targets,
        "loss": loss.item(),
        "grad": floats(p.grad),
    }


def hinge(scores: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return torch.relu(1.0 - targets * scores).mean()


def losses() -> dict:
    r = random.Random(20261125)

    def u(lo, hi, n):
        return [r.uniform(lo, hi) for _ in range(n)]

    mse = [
        loss_case("random", F.mse_loss, u(-3, 3, 7), u(-3, 3, 7)),
        loss_case("single", F.mse_loss, [0.75], [-1.25]),
        loss_case("exact_hits", F.mse_loss, [1.0, -2.5, 0.3], [1.0, -2.5, -0.4]),
    ]
    bce = [
        loss_case(
            "hard_labels",
            F.binary_cross_entropy_with_logits,
            u(-4, 4, 6),
            [0.0, 1.0, 1.0, 0.0, 1.0, 0.0],
        ),
        loss_case("soft_labels", F.binary_cross_entropy_with_logits, u(-4, 4, 5), u(0, 1, 5)),
        loss_case(
            "large_logits",
            F.binary_cross_entropy_with_logits,
            [50.0, -50.0, 800.0, -800.0, 30.0, -30.0, 0.0],
            [0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0],
        ),
    ]
    ce = []
    for name, rows, labels in [
        ("random", [u(-3, 3, 3) for _ in range(4)], [0, 2, 1, 2]),
        ("single_row", [u(-2, 2, 5)], [4]),
        ("large_logits", [[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.5]], [0, 2]),
        ("one_class", [[0.3], [-7.0]], [0, 0]),
    ]:
        z = tensor(rows, grad=True)
        loss = F.cross_entropy(z, torch.tensor(labels, dtype=torch.long))
        loss.backward()
        ce.append(
            {
                "name": name,
                "logits": rows,
                "targets": labels,
                "loss": loss.item(),
                "grad": floats(z.grad),
            }
        )
    hinge_cases = [
        loss_case("random", hinge, u(-2, 2, 8), [1.0, -1.0, -1.0, 1.0, 1.0, -1.0, 1.0, -1.0]),
        loss_case("kinks", hinge, [1.0, -1.0, 0.5, 2.0], [1.0, -1.0, -1.0, 1.0]),
        loss_case("all_met", hinge, [3.0, -1.5], [1.0, -1.0]),
    ]
    return {
        "mse_loss": mse,
        "binary_cross_entropy_with_logits": bce,
        "cross_entropy": ce,
        "hinge_loss": hinge_cases,
    }


# ---- MLP ---------------------------------------------------------------------------------------


def init_state(nin: int, nouts: list, seed: int) -> dict:
    """mg-nn's documented initialisation, re-implemented independently."""
    draw = random.Random(seed)
    state = {}
    sizes = [nin, *nouts]
    for layer in range(len(nouts)):
        fan_in = sizes[layer]
        bound = 1.0 / math.sqrt(fan_in)
        for neuron in range(sizes[layer + 1]):
            for i in range(fan_in):
                state[f"layers.{layer}.neurons.{neuron}.w.{i}"] = draw.uniform(-bound, bound)
            state[f"layers.{layer}.neurons.{neuron}.b"] = draw.uniform(-bound, bound)
    return state


ACT = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "linear": lambda t: t}


def mlp_case(name, nin, nouts, activation, output_activation, loss, seed, edits=None):
    r = random.Random(seed + 1)
    batch = 5
    state = init_state(nin, nouts, seed)
    init_from_seed = not edits
    state.update(edits or {})
    inputs = [[r.uniform(-2, 2) for _ in range(nin)] for _ in range(batch)]
    sizes = [nin, *nouts]
    weights, biases = [], []
    for layer in range(len(nouts)):
        rows = [
            [state[f"layers.{layer}.neurons.{j}.w.{i}"] for i in range(sizes[layer])]
            for j in range(sizes[layer + 1])
        ]
        weights.append(tensor(rows, grad=True))
        biases.append(
            tensor(
                [state[f"layers.{layer}.neurons.{j}.b"] for j in range(sizes[layer + 1])], grad=True
            )
        )
    x = tensor(inputs, grad=True)
    h = x
    for layer, (w, b) in enumerate(zip(weights, biases)):
        act = output_activation if layer == len(nouts) - 1 else activation
        h = ACT[act](h @ w.T + b)
    out = h
    if loss == "mse_loss":
        targets = [r.uniform(-1, 1) for _ in range(batch * nouts[-1])]
        value = F.mse_loss(out.reshape(-1), tensor(targets))
    elif loss == "binary_cross_entropy_with_logits":
        targets = [float(r.random() < 0.5) for _ in range(batch)]
        value = F.binary_cross_entropy_with_logits(out.reshape(-1), tensor(targets))
    elif loss == "cross_entropy":
        targets = [r.randrange(nouts[-1]) for _ in range(batch)]
        value = F.cross_entropy(out, torch.tensor(targets, dtype=torch.long))
    else:
        targets = [r.choice([-1.0, 1.0]) for _ in range(batch)]
        value = hinge(out.reshape(-1), tensor(targets))
    value.backward()
    grads = {}
    for layer, (w, b) in enumerate(zip(weights, biases)):
        for j in range(sizes[layer + 1]):
            for i in range(sizes[layer]):
                grads[f"layers.{layer}.neurons.{j}.w.{i}"] = w.grad[j, i].item()
            grads[f"layers.{layer}.neurons.{j}.b"] = b.grad[j].item()
    return {
        "name": name,
        "nin": nin,
        "nouts": nouts,
        "activation": activation,
        "output_activation": output_activation,
        "loss_fn": loss,
        "seed": seed,
        "init_from_seed": init_from_seed,
        "state": state,
        "inputs": inputs,
        "targets": targets,
        "outputs": floats(out),
        "loss": value.item(),
        "grads": grads,
        "input_grads": floats(x.grad),
    }


def mlps() -> list:
    dead = {"layers.0.neurons.1.b": -100.0}  # |w . x| < 3.5 here, so z < 0 for every input
    for i in range(4):  # z == 0 exactly: relu'(0) = 0 in both engines
        dead[f"layers.1.neurons.2.w.{i}"] = 0.0
    dead["layers.1.neurons.2.b"] = 0.0
    return [
        mlp_case("relu", 3, [4, 4, 1], "relu", "linear", "binary_cross_entropy_with_logits", 1),
        mlp_case("tanh", 3, [4, 4, 2], "tanh", "sigmoid", "mse_loss", 2),
        mlp_case("sigmoid", 2, [5, 3], "sigmoid", "linear", "cross_entropy", 3),
        mlp_case("linear", 3, [4, 1], "linear", "tanh", "hinge_loss", 4),
        mlp_case("dead_relu", 3, [4, 4, 1], "relu", "linear", "mse_loss", 5, edits=dead),
    ]


def write_json(path: Path, data: object) -> None:
    """Write atomically: a temporary file in the same folder, then an atomic rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def main() -> None:
    torch.manual_seed(0)
    meta = {
        "generator": "tests/reference/generate.py",
        "torch": torch.__version__,
        "dtype": "float64",
    }
    write_json(HERE / "losses.json", {"meta": meta, **losses()})
    write_json(HERE / "mlp.json", {"meta": meta, "cases": mlps()})


if __name__ == "__main__":
    main()
