"""Write ops.json: PyTorch float64 values and gradients for every mg-autograd operation.

Run from the repository root with the torch environment (never needed by the tests themselves):

    /work/torchenv/bin/python packages/mg-autograd/tests/reference/generate.py

Each case names an operation form (``"add_vn"`` is Value + number), the differentiable inputs
``x``, the plain-number constants ``c``, and PyTorch's output ``value`` and gradients
``grad`` (d value / d x_i). test_ag_reference.py rebuilds each form with mg-autograd.
JSON has no NaN or infinity, so non-finite floats are written as the strings "nan", "inf",
"-inf". Inputs come from random.Random(SEED), so rerunning reproduces the file exactly.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Callable, Union

import torch
import torch.nn.functional as F

SEED = 20240611
OUT = Path(__file__).parent / "ops.json"

Tensor = torch.Tensor
Form = Callable[[list[Tensor], list[float]], Tensor]


def _alternating(xs: list[Tensor], cs: list[float]) -> list[Union[Tensor, float]]:
    """x0, c0, x1, c1, ... then whatever is left of the longer list."""
    out: list[Union[Tensor, float]] = []
    for i in range(max(len(xs), len(cs))):
        if i < len(xs):
            out.append(xs[i])
        if i < len(cs):
            out.append(cs[i])
    return out


def _as_tensor(v: Union[Tensor, float]) -> Tensor:
    return v if isinstance(v, Tensor) else torch.tensor(v, dtype=torch.float64)


def _dot(ws: list[Union[Tensor, float]], xs: list[Union[Tensor, float]]) -> Tensor:
    return torch.dot(
        torch.stack([_as_tensor(w) for w in ws]), torch.stack([_as_tensor(x) for x in xs])
    )


def _diamond(x: list[Tensor], c: list[float]) -> Tensor:
    # c1 = 3a; b = tanh(c1) * c1; y = b + exp(c1) / a  (b depends on c1, y uses both)
    a = x[0]
    c1 = a * 3.0
    b = torch.tanh(c1) * c1
    return b + torch.exp(c1) / a


def _neuron_layer(x: list[Tensor], c: list[float]) -> Tensor:
    # two tanh neurons on inputs x[0:3], weights x[3:9], biases x[9:11], squared-error loss
    inputs, w, b = x[0:3], x[3:9], x[9:11]
    h0 = torch.tanh(_dot(w[0:3], inputs) + b[0])
    h1 = torch.sigmoid(_dot(w[3:6], inputs) + b[1])
    return (h0 * h1 - c[0]) ** 2 + F.softplus(h0 - h1).log()


FORMS: dict[str, Form] = {
    "add_vv": lambda x, c: x[0] + x[1],
    "add_vn": lambda x, c: x[0] + c[0],
    "add_nv": lambda x, c: c[0] + x[0],
    "sub_vv": lambda x, c: x[0] - x[1],
    "sub_vn": lambda x, c: x[0] - c[0],
    "sub_nv": lambda x, c: c[0] - x[0],
    "mul_vv": lambda x, c: x[0] * x[1],
    "mul_vn": lambda x, c: x[0] * c[0],
    "mul_nv": lambda x, c: c[0] * x[0],
    "div_vv": lambda x, c: x[0] / x[1],
    "div_vn": lambda x, c: x[0] / c[0],
    "div_nv": lambda x, c: c[0] / x[0],
    "neg": lambda x, c: -x[0],
    "pow_vv": lambda x, c: x[0] ** x[1],
    "pow_vn": lambda x, c: x[0] ** c[0],
    "pow_nv": lambda x, c: c[0] ** x[0],
    "relu": lambda x, c: torch.relu(x[0]),
    "tanh": lambda x, c: torch.tanh(x[0]),
    "exp": lambda x, c: torch.exp(x[0]),
    "log": lambda x, c: torch.log(x[0]),
    "sigmoid": lambda x, c: torch.sigmoid(x[0]),
    "softplus": lambda x, c: F.softplus(x[0]),
    "sum": lambda x, c: torch.stack(x).sum(),
    "sum_mixed": lambda x, c: torch.stack([_as_tensor(v) for v in _alternating(x, c)]).sum(),
    "dot": lambda x, c: _dot(x[: len(x) // 2], x[len(x) // 2 :]),
    "dot_bias": lambda x, c: _dot(x[: len(x) // 2], x[len(x) // 2 : -1]) + x[-1],
    # weights are numbers, inputs Values, bias a number
    "dot_const_weights": lambda x, c: _dot(c[:-1], x) + c[-1],
    # weights Values, inputs numbers, bias a Value
    "dot_const_inputs": lambda x, c: _dot(x[:-1], c) + x[-1],
    # weights [x0, c0, x1], inputs [c1, x2, x3], bias c2
    "dot_mixed": lambda x, c: _dot([x[0], c[0], x[1]], [c[1], x[2], x[3]]) + c[2],
    # make_node(a * sin(b), [a, b], [sin(b), a cos(b)])
    "make_node": lambda x, c: x[0] * torch.sin(x[1]),
    "composite_diamond": _diamond,
    "composite_neurons": _neuron_layer,
}


def _encode(v: float) -> Union[float, str]:
    if math.isfinite(v):
        return v
    return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")


def _cases(rng: random.Random) -> list[tuple[str, list[float], list[float]]]:
    def u(lo: float, hi: float) -> float:
        return rng.uniform(lo, hi)

    def away(lo: float, hi: float, gap: float) -> float:
        """Uniform in [lo, hi] with |v| >= gap (for divisors)."""
        while True:
            v = u(lo, hi)
            if abs(v) >= gap:
                return v

    cases: list[tuple[str, list[float], list[float]]] = []
    n = 8
    for op in ("add", "sub", "mul"):
        for _ in range(n):
            cases.append((f"{op}_vv", [u(-10, 10), u(-10, 10)], []))
            cases.append((f"{op}_vn", [u(-10, 10)], [u(-10, 10)]))
            cases.append((f"{op}_nv", [u(-10, 10)], [u(-10, 10)]))
        cases.append((f"{op}_vn", [1.5], [3]))  # an int constant
        cases.append((f"{op}_nv", [1.5], [-2]))
    for _ in range(n):
        cases.append(("div_vv", [u(-10, 10), away(-10, 10, 0.1)], []))
        cases.append(("div_vn", [u(-10, 10)], [away(-10, 10, 0.1)]))
        cases.append(("div_nv", [away(-10, 10, 0.1)], [u(-10, 10)]))
        cases.append(("neg", [u(-10, 10)], []))
    cases.append(("div_nv", [4.0], [1]))

    # powers: positive bases with real exponents, negative bases with integer exponents,
    # and the base-0 edge cases whose gradients PyTorch defines by limits or masks.
    for _ in range(n):
        cases.append(("pow_vv", [u(0.05, 5), u(-3, 3)], []))
        cases.append(("pow_vn", [u(0.05, 5)], [u(-3, 3)]))
        cases.append(("pow_vn", [u(-5, -0.05)], [float(rng.randint(-3, 4))]))
        cases.append(("pow_nv", [u(-3, 3)], [u(0.05, 5)]))
    cases += [
        ("pow_vn", [0.0], [2.0]),
        ("pow_vn", [0.0], [1.0]),
        ("pow_vn", [0.0], [0.5]),
        ("pow_vn", [0.0], [0.0]),
        ("pow_vn", [-1.5], [0.0]),
        ("pow_vn", [3.0], [2]),
        ("pow_vn", [-2.0], [3]),
        ("pow_vv", [0.0, 2.0], []),
        ("pow_vv", [0.0, 0.0], []),
        ("pow_vv", [0.0, 0.5], []),
        ("pow_vv", [-2.0, 3.0], []),
        ("pow_vv", [-2.0, 2.0], []),
        ("pow_vv", [-0.5, -3.0], []),
        ("pow_nv", [3.0], [0.0]),
        ("pow_nv", [0.0], [0.0]),
        ("pow_nv", [3.0], [-2.0]),
        ("pow_nv", [1.5], [2]),
    ]

    for _ in range(n):
        cases.append(("relu", [u(-10, 10)], []))
        cases.append(("tanh", [u(-10, 10)], []))
        cases.append(("exp", [u(-20, 20)], []))
        cases.append(("log", [math.exp(u(-20, 20))], []))
        cases.append(("sigmoid", [u(-30, 30)], []))
        cases.append(("softplus", [u(-15, 15)], []))
    cases += [
        ("relu", [0.0], []),
        ("relu", [-0.0], []),
        ("tanh", [1000.0], []),
        ("tanh", [-1000.0], []),
        ("tanh", [0.0], []),
        ("sigmoid", [1000.0], []),
        ("sigmoid", [-1000.0], []),
        ("sigmoid", [0.0], []),
        ("exp", [700.0], []),
        ("exp", [-1000.0], []),
        ("log", [1e-300], []),
        ("log", [1.0], []),
        ("softplus", [0.0], []),
        ("softplus", [-14.9], []),
        ("softplus", [14.9], []),
    ]

    for length in (1, 2, 5, 13):
        cases.append(("sum", [u(-10, 10) for _ in range(length)], []))
        cases.append(
            ("sum_mixed", [u(-10, 10) for _ in range(length)], [u(-10, 10) for _ in range(length)])
        )
        cases.append(("dot", [u(-3, 3) for _ in range(2 * length)], []))
        cases.append(("dot_bias", [u(-3, 3) for _ in range(2 * length + 1)], []))
        cases.append(
            (
                "dot_const_weights",
                [u(-3, 3) for _ in range(length)],
                [u(-3, 3) for _ in range(length + 1)],
            )
        )
        cases.append(
            (
                "dot_const_inputs",
                [u(-3, 3) for _ in range(length + 1)],
                [u(-3, 3) for _ in range(length)],
            )
        )
    cases.append(("sum_mixed", [1.0], [2]))
    for _ in range(4):
        cases.append(("dot_mixed", [u(-3, 3) for _ in range(4)], [u(-3, 3) for _ in range(3)]))
        cases.append(("make_node", [u(-5, 5), u(-5, 5)], []))
        cases.append(("composite_diamond", [u(0.1, 1.5)], []))
        cases.append(("composite_neurons", [u(-2, 2) for _ in range(11)], [u(-1, 1)]))
    return cases


def main() -> None:
    torch.set_default_dtype(torch.float64)
    rng = random.Random(SEED)
    records = []
    for op, x, c in _cases(rng):
        leaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in x]
        out = FORMS[op](leaves, c)
        out.backward()
        grads = [leaf.grad.item() if leaf.grad is not None else 0.0 for leaf in leaves]
        records.append(
            {
                "op": op,
                "x": [_encode(v) for v in x],
                "c": c,
                "value": _encode(out.item()),
                "grad": [_encode(g) for g in grads],
            }
        )
    missing = set(FORMS) - {r["op"] for r in records}
    if missing:
        raise SystemExit(f"no case for forms: {sorted(missing)}")
    payload = {
        "generator": "tests/reference/generate.py",
        "torch": torch.__version__,
        "dtype": "float64",
        "seed": SEED,
        "cases": records,
    }
    tmp = OUT.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    tmp.replace(OUT)
    print(f"wrote {len(records)} cases to {OUT}")


if __name__ == "__main__":
    main()
