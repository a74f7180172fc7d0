"""mg-optim against committed PyTorch 2.13 float64 references (see reference/generate.py).

Optimizers follow a coupled quartic's gradient for 100 steps, so an error in any update
compounds; schedulers record the lr of two param groups for 100 steps; clipping is checked on
fixed gradient vectors. Tolerance: 1e-12 relative (plus 1e-15 absolute for values near 0).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Union

import pytest
from mg_nn import Parameter
from mg_optim import (
    SGD,
    Adagrad,
    Adam,
    AdamW,
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    LRScheduler,
    Momentum,
    MultiStepLR,
    Optimizer,
    ParamsLike,
    ReduceLROnPlateau,
    RMSprop,
    SequentialLR,
    StepLR,
    clip_grad_norm,
    clip_grad_value,
)

REFERENCE = Path(__file__).parent / "reference"
Case = Mapping[str, object]


def load(name: str) -> dict[str, object]:
    data = json.loads((REFERENCE / name).read_text())
    assert isinstance(data, dict)
    return data


OPTIMIZERS = load("optimizers.json")
SCHEDULERS = load("schedulers.json")
CLIPPING = load("clipping.json")


def cases(data: Mapping[str, object]) -> list[dict[str, object]]:
    found = data["cases"]
    assert isinstance(found, list)
    return found


def case_id(case: Case) -> str:
    extra = {key: case[key] for key in ("groups", "step_lr", "children") if key in case}
    return f"{case['name']}-{case.get('kwargs', '')}-{extra}"


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)


def gradient(p: list[float]) -> list[float]:
    """The same function as generate.py: d/dp_i of a coupled quartic."""
    a = [0.5, 0.3, 0.2]
    b = [1.0, -0.5, 0.8]
    c = 0.25
    n = len(p)
    return [
        a[i] * p[i] * p[i] * p[i] + b[i] * p[i] + c * (p[(i + 1) % n] + p[(i - 1) % n])
        for i in range(n)
    ]


def number(options: Mapping[str, object], key: str, default: float) -> float:
    value = options.get(key, default)
    assert isinstance(value, (int, float))
    return float(value)


def make_optimizer(name: str, params: ParamsLike, options: Mapping[str, object]) -> Optimizer:
    lr = number(options, "lr", 1e-3)
    weight_decay = number(options, "weight_decay", 1e-2 if name == "AdamW" else 0.0)
    if name == "RMSprop":
        centered = options.get("centered", False)
        assert isinstance(centered, bool)
        return RMSprop(
            params,
            lr,
            alpha=number(options, "alpha", 0.99),
            eps=number(options, "eps", 1e-8),
            weight_decay=weight_decay,
            momentum=number(options, "momentum", 0.0),
            centered=centered,
        )
    if name == "Adagrad":
        return Adagrad(
            params,
            lr,
            lr_decay=number(options, "lr_decay", 0.0),
            weight_decay=weight_decay,
            initial_accumulator_value=number(options, "initial_accumulator_value", 0.0),
            eps=number(options, "eps", 1e-10),
        )
    if name == "SGD":
        return SGD(params, lr, weight_decay=weight_decay)
    if name == "Momentum":
        nesterov = options.get("nesterov", False)
        assert isinstance(nesterov, bool)
        return Momentum(
            params,
            lr,
            momentum=number(options, "momentum", 0.9),
            dampening=number(options, "dampening", 0.0),
            nesterov=nesterov,
            weight_decay=weight_decay,
        )
    betas = options.get("betas", [0.9, 0.999])
    amsgrad = options.get("amsgrad", False)
    assert isinstance(betas, list)
    assert isinstance(amsgrad, bool)
    adam = AdamW if name == "AdamW" else Adam
    return adam(
        params,
        lr,
        betas=(float(betas[0]), float(betas[1])),
        eps=number(options, "eps", 1e-8),
        weight_decay=weight_decay,
        amsgrad=amsgrad,
    )


def build_optimizer(case: Case, params: list[Parameter]) -> Optimizer:
    options = case["kwargs"]
    assert isinstance(options, dict)
    groups = case.get("groups")
    if not isinstance(groups, list):
        return make_optimizer(str(case["name"]), params, options)
    specs: list[dict[str, object]] = []
    start = 0
    for spec in groups:
        size = spec["size"]
        group: dict[str, object] = {k: v for k, v in spec.items() if k != "size"}
        group["params"] = params[start : start + size]
        start += size
        specs.append(group)
    return make_optimizer(str(case["name"]), specs, options)


@pytest.mark.parametrize("case", cases(OPTIMIZERS), ids=case_id)
def test_optimizer_trajectory_matches_torch(case: Case) -> None:
    start = OPTIMIZERS["start"]
    assert isinstance(start, list)
    params = [Parameter(x) for x in start]
    opt = build_optimizer(case, params)
    step_lr = case.get("step_lr")
    sched = StepLR(opt, step_lr[0], step_lr[1]) if isinstance(step_lr, list) else None
    expected = case["trajectory"]
    assert isinstance(expected, list)
    assert len(expected) >= 100
    for step, want in enumerate(expected):
        for p, g in zip(params, gradient([p.data for p in params])):
            p.grad = g
        opt.step()
        if sched is not None:
            sched.step()
        got = [p.data for p in params]
        assert all(close(x, y) for x, y in zip(got, want)), (step, got, want)


LAMBDAS: dict[str, Callable[[int], float]] = {
    "inverse": lambda t: 1.0 / (1.0 + 0.05 * t),
    "power": lambda t: 0.95**t,
    "warmup": lambda t: min(1.0, (t + 1) / 10.0),
}


def build_scheduler(name: str, opt: Optimizer, kwargs: dict[str, object]) -> LRScheduler:
    if name == "StepLR":
        return StepLR(opt, **kwargs)  # type: ignore[arg-type]
    if name == "MultiStepLR":
        return MultiStepLR(opt, **kwargs)  # type: ignore[arg-type]
    if name == "ExponentialLR":
        return ExponentialLR(opt, **kwargs)  # type: ignore[arg-type]
    if name == "CosineAnnealingLR":
        return CosineAnnealingLR(opt, **kwargs)  # type: ignore[arg-type]
    if name == "LinearLR":
        return LinearLR(opt, **kwargs)  # type: ignore[arg-type]
    assert name == "LambdaLR"
    fn = kwargs["lr_lambda"]
    if isinstance(fn, list):
        return LambdaLR(opt, [LAMBDAS[f] for f in fn])
    return LambdaLR(opt, LAMBDAS[str(fn)])


@pytest.mark.parametrize("case", cases(SCHEDULERS), ids=case_id)
def test_scheduler_trajectory_matches_torch(case: Case) -> None:
    lrs = SCHEDULERS["lrs"]
    metrics = SCHEDULERS["metrics"]
    assert isinstance(lrs, list)
    assert isinstance(metrics, list)
    opt = SGD(
        [{"params": [Parameter(1.0)], "lr": lrs[0]}, {"params": [Parameter(2.0)], "lr": lrs[1]}],
        lr=1.0,
    )
    sched: Union[LRScheduler, ReduceLROnPlateau]
    kwargs = case.get("kwargs")
    if case["name"] == "SequentialLR":
        children = case["children"]
        milestones = case["milestones"]
        assert isinstance(children, list)
        assert isinstance(milestones, list)
        sched = SequentialLR(opt, [build_scheduler(n, opt, kw) for n, kw in children], milestones)
    elif case["name"] == "ReduceLROnPlateau":
        assert isinstance(kwargs, dict)
        sched = ReduceLROnPlateau(opt, **kwargs)
    else:
        assert isinstance(kwargs, dict)
        sched = build_scheduler(str(case["name"]), opt, kwargs)
    expected = case["trajectory"]
    assert isinstance(expected, list)
    assert len(expected) == 101
    assert all(close(x, y) for x, y in zip(sched.get_last_lr(), expected[0]))
    for t, want in enumerate(expected[1:]):
        opt.step()
        if isinstance(sched, ReduceLROnPlateau):
            sched.step(-metrics[t] if case.get("negate") else metrics[t])
        else:
            sched.step()
        got = sched.get_last_lr()
        assert got == [group["lr"] for group in opt.param_groups]
        assert all(close(x, y) for x, y in zip(got, want)), (t + 1, got, want)


@pytest.mark.parametrize("case", cases(CLIPPING), ids=lambda c: f"{c['kind']}-{c['grads']}")
def test_clipping_matches_torch(case: Case) -> None:
    grads = case["grads"]
    assert isinstance(grads, list)
    params = [Parameter(0.0) for _ in grads]
    for p, g in zip(params, grads):
        p.grad = g
    if case["kind"] == "value":
        clip_value = case["clip_value"]
        assert isinstance(clip_value, float)
        clip_grad_value(params, clip_value)
    else:
        norm_type = case["norm_type"]
        max_norm = case["max_norm"]
        assert isinstance(max_norm, float)
        total = clip_grad_norm(
            params,
            max_norm,
            norm_type=math.inf if norm_type == "inf" else float(norm_type),  # type: ignore[arg-type]
        )
        expected_total = case["total_norm"]
        assert isinstance(expected_total, float)
        assert close(total, expected_total)
    clipped = case["clipped"]
    assert isinstance(clipped, list)
    assert all(close(p.grad, want) for p, want in zip(params, clipped))
