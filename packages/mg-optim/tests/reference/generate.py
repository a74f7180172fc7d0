"""Write the PyTorch reference trajectories that the mg-optim tests compare against.

Run with the torch environment (torch 2.13, float64), from anywhere:

    /work/venv-torch/bin/python packages/mg-optim/tests/reference/generate.py

It writes optimizers.json, schedulers.json, clipping.json and paths.json next to this file.

Optimizers: a few scalar parameters, each a 0-d float64 tensor, are stepped 100 times by
torch.optim with ``foreach=False`` (the per-tensor code path, the one CPU training uses). The
gradient is a fixed pure-Python function of the current parameter values (the gradient of a
coupled quartic), so any difference in an update compounds through later gradients; the tests
evaluate the same function on mg-optim's parameters. Schedulers: the lr of two param groups after
construction and after each of 100 steps. Clipping: torch.nn.utils.clip_grad_* on fixed gradients.
Paths: every optimizer path committed in benchmarks/optimizer_paths/reference_paths.json (each
names its surface, optimizer, options, start and step count), recomputed by torch autograd and
torch.optim on the same surfaces, plus torch's per-parameter state after each of the first
three steps (what `explain_step` reports as the buffers).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import torch

torch.set_default_dtype(torch.float64)

HERE = Path(__file__).parent
STEPS = 100
START = [0.5, -1.2, 2.0]


def gradient(p: list[float]) -> list[float]:
    """d/dp_i of sum_i (a_i p_i^4 / 4 + b_i p_i^2 / 2) + c * sum_i p_i p_{i+1} (as in the tests)."""
    a = [0.5, 0.3, 0.2]
    b = [1.0, -0.5, 0.8]
    c = 0.25
    n = len(p)
    return [
        a[i] * p[i] * p[i] * p[i] + b[i] * p[i] + c * (p[(i + 1) % n] + p[(i - 1) % n])
        for i in range(n)
    ]


def tensors() -> list[torch.Tensor]:
    return [torch.tensor(x, dtype=torch.float64) for x in START]


OPTIMIZER_CASES: list[dict[str, Any]] = [
    {"name": "SGD", "kwargs": {"lr": 0.05}},
    {"name": "SGD", "kwargs": {"lr": 0.02, "weight_decay": 0.1}},
    {"name": "Momentum", "kwargs": {"lr": 0.01, "momentum": 0.9}},
    {
        "name": "Momentum",
        "kwargs": {"lr": 0.02, "momentum": 0.5, "dampening": 0.3, "weight_decay": 0.05},
    },
    {"name": "Momentum", "kwargs": {"lr": 0.01, "momentum": 0.9, "nesterov": True}},
    {
        "name": "Momentum",
        "kwargs": {"lr": 0.02, "momentum": 0.7, "nesterov": True, "weight_decay": 0.01},
    },
    {"name": "Momentum", "kwargs": {"lr": 0.03, "momentum": 0.0, "dampening": 0.5}},
    {"name": "Adam", "kwargs": {"lr": 0.05}},
    {
        "name": "Adam",
        "kwargs": {"lr": 0.02, "betas": [0.8, 0.99], "eps": 1e-6, "weight_decay": 0.1},
    },
    {"name": "Adam", "kwargs": {"lr": 0.05, "amsgrad": True}},
    {"name": "Adam", "kwargs": {"lr": 0.03, "betas": [0.3, 0.5], "eps": 1e-3}},
    {"name": "AdamW", "kwargs": {"lr": 0.05}},
    {
        "name": "AdamW",
        "kwargs": {"lr": 0.02, "betas": [0.7, 0.9], "weight_decay": 0.3, "amsgrad": True},
    },
    {
        "name": "Momentum",
        "kwargs": {"lr": 0.01, "momentum": 0.9},
        "groups": [{"size": 1, "lr": 0.03, "momentum": 0.5}, {"size": 2, "nesterov": True}],
    },
    {
        "name": "Adam",
        "kwargs": {"lr": 0.05},
        "groups": [
            {"size": 2, "betas": [0.8, 0.95], "lr": 0.02},
            {"size": 1, "lr": 0.01, "amsgrad": True},
        ],
    },
    {"name": "Momentum", "kwargs": {"lr": 0.02, "momentum": 0.9}, "step_lr": [10, 0.7]},
    {"name": "Adam", "kwargs": {"lr": 0.05}, "step_lr": [10, 0.7]},
    {"name": "RMSprop", "kwargs": {"lr": 0.01}},
    {"name": "RMSprop", "kwargs": {"lr": 0.005, "alpha": 0.9, "eps": 1e-4, "weight_decay": 0.1}},
    {"name": "RMSprop", "kwargs": {"lr": 0.002, "momentum": 0.8}},
    {"name": "RMSprop", "kwargs": {"lr": 0.003, "alpha": 0.95, "centered": True}},
    {
        "name": "RMSprop",
        "kwargs": {"lr": 0.002, "momentum": 0.5, "centered": True, "weight_decay": 0.05},
    },
    {"name": "RMSprop", "kwargs": {"lr": 0.01, "alpha": 0.0}},
    {"name": "Adagrad", "kwargs": {"lr": 0.05}},
    {"name": "Adagrad", "kwargs": {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.1}},
    {"name": "Adagrad", "kwargs": {"lr": 0.2, "initial_accumulator_value": 0.5, "eps": 1e-3}},
    {
        "name": "RMSprop",
        "kwargs": {"lr": 0.01},
        "groups": [{"size": 1, "lr": 0.003, "centered": True}, {"size": 2, "momentum": 0.9}],
    },
    {
        "name": "Adagrad",
        "kwargs": {"lr": 0.05},
        "groups": [{"size": 2, "lr_decay": 0.1}, {"size": 1, "lr": 0.2}],
    },
    {"name": "RMSprop", "kwargs": {"lr": 0.01, "momentum": 0.5}, "step_lr": [10, 0.7]},
    {"name": "Adagrad", "kwargs": {"lr": 0.1, "lr_decay": 0.01}, "step_lr": [10, 0.7]},
]


def torch_optimizer(case: dict[str, Any], params: list[torch.Tensor]) -> torch.optim.Optimizer:
    kwargs = dict(case["kwargs"])
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    name = case["name"]
    if "groups" in case:
        groups: Any = []
        start = 0
        for spec in case["groups"]:
            group = {k: v for k, v in spec.items() if k != "size"}
            if "betas" in group:
                group["betas"] = tuple(group["betas"])
            group["params"] = params[start : start + spec["size"]]
            start += spec["size"]
            groups.append(group)
    else:
        groups = params
    if name in ("SGD", "Momentum"):
        return torch.optim.SGD(groups, foreach=False, **kwargs)
    if name == "Adam":
        return torch.optim.Adam(groups, foreach=False, **kwargs)
    if name == "RMSprop":
        return torch.optim.RMSprop(groups, foreach=False, **kwargs)
    if name == "Adagrad":
        return torch.optim.Adagrad(groups, foreach=False, **kwargs)
    return torch.optim.AdamW(groups, foreach=False, **kwargs)


def optimizer_trajectory(case: dict[str, Any]) -> list[list[float]]:
    params = tensors()
    opt = torch_optimizer(case, params)
    sched = torch.optim.lr_scheduler.StepLR(opt, *case["step_lr"]) if "step_lr" in case else None
    trajectory = []
    for _ in range(STEPS):
        for p, g in zip(params, gradient([p.item() for p in params])):
            p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        if sched is not None:
            sched.step()
        trajectory.append([p.item() for p in params])
    return trajectory


def lambdas(name: str) -> Any:
    table = {
        "inverse": lambda t: 1.0 / (1.0 + 0.05 * t),
        "power": lambda t: 0.95**t,
        "warmup": lambda t: min(1.0, (t + 1) / 10.0),
    }
    return table[name]


def plateau_metrics() -> list[float]:
    """Falls, plateaus with small wiggles (some improve by less than the threshold), falls."""
    metrics = []
    for t in range(STEPS):
        if t < 15:
            metrics.append(1.0 / (1.0 + t))
        elif t < 60:
            metrics.append(1.0 / 16.0 + 0.001 * math.sin(t))
        else:
            metrics.append(0.05 / (1.0 + 0.1 * (t - 59)) + 0.002 * math.cos(3 * t))
    return metrics


SCHEDULER_CASES: list[dict[str, Any]] = [
    {"name": "StepLR", "kwargs": {"step_size": 7, "gamma": 0.5}},
    {"name": "StepLR", "kwargs": {"step_size": 3, "gamma": 0.9}},
    {"name": "MultiStepLR", "kwargs": {"milestones": [10, 25, 25, 60], "gamma": 0.3}},
    {"name": "ExponentialLR", "kwargs": {"gamma": 0.97}},
    {"name": "ExponentialLR", "kwargs": {"gamma": 1.01}},
    {"name": "CosineAnnealingLR", "kwargs": {"T_max": 30, "eta_min": 0.001}},
    {"name": "CosineAnnealingLR", "kwargs": {"T_max": 50}},
    {"name": "LinearLR", "kwargs": {}},
    {"name": "LinearLR", "kwargs": {"start_factor": 0.1, "end_factor": 0.8, "total_iters": 40}},
    {"name": "LinearLR", "kwargs": {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 60}},
    {"name": "LambdaLR", "kwargs": {"lr_lambda": "inverse"}},
    {"name": "LambdaLR", "kwargs": {"lr_lambda": ["power", "warmup"]}},
    {
        "name": "ReduceLROnPlateau",
        "kwargs": {"factor": 0.5, "patience": 3, "threshold": 1e-2, "cooldown": 2, "min_lr": 1e-3},
    },
    {
        "name": "ReduceLROnPlateau",
        "kwargs": {
            "mode": "max",
            "threshold_mode": "abs",
            "threshold": 1e-3,
            "patience": 2,
            "factor": 0.3,
            "min_lr": [0.01, 0.0],
        },
        "negate": True,
    },
    {"name": "ReduceLROnPlateau", "kwargs": {"patience": 0, "factor": 0.9, "eps": 0.005}},
    {
        "name": "SequentialLR",
        "children": [
            ["LinearLR", {"start_factor": 0.2, "end_factor": 1.0, "total_iters": 10}],
            ["CosineAnnealingLR", {"T_max": 50, "eta_min": 1e-3}],
        ],
        "milestones": [10],
    },
    {
        "name": "SequentialLR",
        "children": [
            ["ExponentialLR", {"gamma": 0.9}],
            ["StepLR", {"step_size": 5, "gamma": 0.5}],
            ["MultiStepLR", {"milestones": [10, 20], "gamma": 0.1}],
        ],
        "milestones": [15, 40],
    },
]

LR_GROUPS = [0.1, 0.03]


def make_scheduler(name: str, opt: torch.optim.Optimizer, kwargs: dict[str, Any]) -> Any:
    kwargs = dict(kwargs)
    if name == "LambdaLR":
        fn = kwargs["lr_lambda"]
        kwargs["lr_lambda"] = [lambdas(f) for f in fn] if isinstance(fn, list) else lambdas(fn)
    return getattr(torch.optim.lr_scheduler, name)(opt, **kwargs)


def scheduler_trajectory(case: dict[str, Any]) -> list[list[float]]:
    params = [torch.tensor(1.0), torch.tensor(2.0)]
    opt = torch.optim.SGD(
        [{"params": [params[0]], "lr": LR_GROUPS[0]}, {"params": [params[1]], "lr": LR_GROUPS[1]}]
    )
    if case["name"] == "SequentialLR":
        children = [make_scheduler(n, opt, kw) for n, kw in case["children"]]
        sched = torch.optim.lr_scheduler.SequentialLR(opt, children, case["milestones"])
    else:
        sched = make_scheduler(case["name"], opt, case["kwargs"])
    trajectory = [list(sched.get_last_lr())]
    metrics = plateau_metrics()
    for t in range(STEPS):
        opt.step()
        if case["name"] == "ReduceLROnPlateau":
            sched.step(-metrics[t] if case.get("negate") else metrics[t])
        else:
            sched.step()
        trajectory.append([float(x) for x in sched.get_last_lr()])
    return trajectory


def clip_gradients() -> list[list[float]]:
    """Fixed gradient vectors: mixed signs and scales, one all-zero, one already small."""
    vectors = [[0.0, 0.0, 0.0, 0.0]]
    for k in range(1, 12):
        vectors.append([math.sin(k * (i + 1)) * 10.0 ** ((k % 5) - 2) for i in range(5)])
    vectors.append([1e-3, -2e-3, 5e-4])
    return vectors


def clipping() -> dict[str, Any]:
    cases: list[dict[str, Any]] = []
    for grads in clip_gradients():
        for norm_type in (1.0, 2.0, math.inf):
            for max_norm in (0.5, 2.0):
                ts = [torch.tensor(0.0) for _ in grads]
                for t, g in zip(ts, grads):
                    t.grad = torch.tensor(g)
                total = torch.nn.utils.clip_grad_norm_(
                    ts, max_norm, norm_type=norm_type, foreach=False
                )
                cases.append(
                    {
                        "kind": "norm",
                        "grads": grads,
                        "max_norm": max_norm,
                        "norm_type": "inf" if norm_type == math.inf else norm_type,
                        "total_norm": total.item(),
                        "clipped": [t.grad.item() for t in ts],
                    }
                )
        for clip_value in (0.01, 0.5):
            ts = [torch.tensor(0.0) for _ in grads]
            for t, g in zip(ts, grads):
                t.grad = torch.tensor(g)
            torch.nn.utils.clip_grad_value_(ts, clip_value, foreach=False)
            cases.append(
                {
                    "kind": "value",
                    "grads": grads,
                    "clip_value": clip_value,
                    "clipped": [t.grad.item() for t in ts],
                }
            )
    return {"torch": torch.__version__, "cases": cases}


SURFACES: dict[str, Any] = {
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    "ravine": lambda x, y: 0.5 * x**2 + 50 * y**2,
    "saddle": lambda x, y: 0.5 * x**2 + 0.25 * y**4 - 0.5 * y**2,
}
"""The same expressions, operation for operation, as mg_optim.surfaces."""

BENCHMARK_PATHS = HERE.parents[3] / "benchmarks" / "optimizer_paths" / "reference_paths.json"
ANATOMY_STEPS = 3


def path_optimizer(name: str, options: dict[str, Any], params: list[torch.Tensor]) -> Any:
    """torch.optim for an mg optimizer name and its param group options (as an mg path
    records them: Adam's betas as beta1/beta2; Momentum is torch's SGD with momentum)."""
    kwargs = dict(options)
    if "beta1" in kwargs:
        kwargs["betas"] = (kwargs.pop("beta1"), kwargs.pop("beta2"))
    if name in ("SGD", "Momentum"):
        name = "SGD"
    return getattr(torch.optim, name)(params, foreach=False, **kwargs)


def torch_path(case: dict[str, Any]) -> dict[str, Any]:
    f = SURFACES[case["surface"]]
    x = torch.tensor(float(case["start"][0]), requires_grad=True)
    y = torch.tensor(float(case["start"][1]), requires_grad=True)
    opt = path_optimizer(case["optimizer"], case["options"], [x, y])
    points = []
    states = []
    for k in range(case["steps"] + 1):
        opt.zero_grad()
        out = f(x, y)
        points.append([x.item(), y.item(), out.item()])
        if k == case["steps"]:
            break
        out.backward()
        opt.step()
        if k < ANATOMY_STEPS:
            states.append(
                [
                    {key: float(v) for key, v in opt.state[p].items() if v is not None}
                    for p in (x, y)
                ]
            )
    return {key: case[key] for key in ("surface", "optimizer", "options", "start", "steps")} | {
        "points": points,
        "states": states,
    }


def paths() -> dict[str, Any]:
    committed = json.loads(BENCHMARK_PATHS.read_text())
    cases = []
    seen = set()
    for path in committed["paths"]:
        case = {key: path[key] for key in ("surface", "optimizer", "options", "start", "steps")}
        key = json.dumps(case, sort_keys=True)
        if key not in seen:
            seen.add(key)
            cases.append(torch_path(case))
    return {"torch": torch.__version__, "anatomy_steps": ANATOMY_STEPS, "cases": cases}


def write(name: str, data: Any) -> None:
    """Atomically: write a temporary file next to the target, then rename it into place."""
    fd, tmp = tempfile.mkstemp(dir=HERE, suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, separators=(",", ":"))
        handle.write("\n")
    os.chmod(tmp, 0o644)
    os.replace(tmp, HERE / name)


def main() -> None:
    optimizers = [dict(case, trajectory=optimizer_trajectory(case)) for case in OPTIMIZER_CASES]
    write(
        "optimizers.json",
        {"torch": torch.__version__, "start": START, "steps": STEPS, "cases": optimizers},
    )
    schedulers = [dict(case, trajectory=scheduler_trajectory(case)) for case in SCHEDULER_CASES]
    write(
        "schedulers.json",
        {
            "torch": torch.__version__,
            "lrs": LR_GROUPS,
            "steps": STEPS,
            "metrics": plateau_metrics(),
            "cases": schedulers,
        },
    )
    write("clipping.json", clipping())
    write("paths.json", paths())


if __name__ == "__main__":
    main()
