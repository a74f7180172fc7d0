"""`explain_step`: take one optimizer step and return every quantity of its update rule.

A learner checking one Adam step by hand needs more than the parameter before and after: the
gradient, both moments, both bias corrections, the step size and the denominator. The
optimizers do not expose those (their `step()` stays a tight loop); `explain_step` rebuilds
them instead, from what the step leaves behind:

- before the step it records each parameter's value and gradient;
- it calls ``optimizer.step()`` (so the step taken is exactly the ordinary one);
- from the state afterwards (the buffers and the step count ``t``), the gradient and the group's
  options it recomputes the intermediate quantities with the same float operations, in the same
  order, as the optimizer's code: they are the very numbers the step used, bit for bit.

The names are the ones in each optimizer's module docstring (``g``, ``m``, ``v``,
``bias_correction1``, ``denom``, ...), plus ``p`` (the value before the step), ``p.grad``, and
``update = p_new - p`` and ``p_new`` after it. For an optimizer class it does not know (a
subclass may change the rule), it reports only what it can observe: ``p``, ``p.grad``, every
state entry after the step (by its state key), ``update`` and ``p_new``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .momentum import Momentum
from .optimizer import Optimizer, ParamGroup
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Quantity", "StepAnatomy", "explain_step"]


@dataclass(frozen=True)
class Quantity:
    """One named quantity of an update rule, with one value per parameter.

    ``values[k]`` belongs to the k-th parameter in ``param_groups`` order; it is ``None`` where
    the quantity does not apply to that parameter (e.g. ``v_max`` in a group without amsgrad).
    """

    name: str
    meaning: str
    values: tuple[Optional[float], ...]


class StepAnatomy:
    """The quantities of one step, in the order the update rule computes them.

    ``anatomy["m"].values``, ``for quantity in anatomy``, ``str(anatomy)`` (a text table with
    one row per quantity and one column per parameter).
    """

    __slots__ = ("optimizer", "quantities")

    optimizer: str
    quantities: tuple[Quantity, ...]

    def __init__(self, optimizer: str, quantities: Sequence[Quantity]) -> None:
        self.optimizer = optimizer
        self.quantities = tuple(quantities)

    def __getitem__(self, name: str) -> Quantity:
        for quantity in self.quantities:
            if quantity.name == name:
                return quantity
        raise KeyError(f"{self.optimizer} step has no quantity {name!r}; names: {self.names()}")

    def __iter__(self) -> Iterator[Quantity]:
        return iter(self.quantities)

    def __len__(self) -> int:
        return len(self.quantities)

    def names(self) -> list[str]:
        return [quantity.name for quantity in self.quantities]

    def format(self, labels: Optional[Sequence[str]] = None) -> str:
        """A text table: quantity, one column per parameter (``labels`` names them), meaning.

        Values are printed with ``repr`` (the shortest string that reads back as the same
        float), so a hand calculation can be compared digit for digit.
        """
        count = max((len(q.values) for q in self.quantities), default=0)
        heads = list(labels) if labels is not None else [f"param {k}" for k in range(count)]
        if len(heads) != count:
            raise ValueError(f"labels names {len(heads)} parameter(s), the step has {count}")
        rows = [["quantity", *heads, "meaning"]]
        for q in self.quantities:
            cells = ["" if value is None else repr(value) for value in q.values]
            rows.append([q.name, *cells, q.meaning])
        widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]) - 1)]
        lines = []
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row, widths)]
            lines.append("  ".join([*cells, row[-1]]).rstrip())
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()

    def __repr__(self) -> str:
        return f"StepAnatomy({self.optimizer!r}, names={self.names()})"


Entry = Tuple[str, str, float]
Derive = Callable[[ParamGroup, float, float, Mapping[str, float]], List[Entry]]
"""(group, p before, p.grad, state after) -> [(name, meaning, value), ...] before ``update``."""


def explain_step(optimizer: Optimizer) -> StepAnatomy:
    """``optimizer.step()``, returning every quantity of the update it made (see module doc).

    The step is the ordinary one: a failed step (e.g. a zero denominator) raises and changes
    nothing, exactly as ``optimizer.step()`` does.
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"explain_step needs an mg_optim Optimizer, got {type(optimizer).__name__}")
    before = [(group, p, p.data, p.grad) for group in optimizer.param_groups for p in group.params]
    optimizer.step()
    derive = _RULES.get(type(optimizer), _observed)
    columns: Dict[str, Tuple[str, Dict[int, float]]] = {}
    for k, (group, p, data, grad) in enumerate(before):
        entries: list[Entry] = [("p", "the parameter before the step", data)]
        entries.append(("p.grad", "the gradient backward() left", grad))
        entries += derive(group, data, grad, optimizer.state.get(p, {}))
        entries.append(("update", "p_new - p", p.data - data))
        entries.append(("p_new", "the parameter after the step", p.data))
        for name, meaning, value in entries:
            columns.setdefault(name, (meaning, {}))[1][k] = value
    quantities = [
        Quantity(name, meaning, tuple(values.get(k) for k in range(len(before))))
        for name, (meaning, values) in columns.items()
    ]
    return StepAnatomy(type(optimizer).__name__, quantities)


def _gradient(group: ParamGroup, data: float, grad: float) -> Entry:
    weight_decay = group["weight_decay"]
    g = grad + weight_decay * data if weight_decay != 0.0 else grad
    return ("g", "p.grad + weight_decay * p", g)


def _sgd(group: ParamGroup, data: float, grad: float, state: Mapping[str, float]) -> list[Entry]:
    return [_gradient(group, data, grad)]


def _momentum(
    group: ParamGroup, data: float, grad: float, state: Mapping[str, float]
) -> list[Entry]:
    gradient = _gradient(group, data, grad)
    g = gradient[2]
    mu = group["momentum"]
    if mu == 0.0:
        return [gradient, ("direction", "g (momentum 0: plain SGD)", g)]
    b = state["momentum_buffer"]
    if group.flag("nesterov"):
        direction = ("direction", "g + mu * b (Nesterov's look-ahead)", g + mu * b)
    else:
        direction = ("direction", "b", b)
    return [gradient, ("b", "momentum buffer: mu * b + (1 - d) * g", b), direction]


def _adam(group: ParamGroup, data: float, grad: float, state: Mapping[str, float]) -> list[Entry]:
    return _adam_family(group, data, grad, state, decoupled=False)


def _adamw(group: ParamGroup, data: float, grad: float, state: Mapping[str, float]) -> list[Entry]:
    return _adam_family(group, data, grad, state, decoupled=True)


def _adam_family(
    group: ParamGroup, data: float, grad: float, state: Mapping[str, float], *, decoupled: bool
) -> list[Entry]:
    lr = group["lr"]
    beta1 = group["beta1"]
    beta2 = group["beta2"]
    weight_decay = group["weight_decay"]
    t = state["step"]
    entries: list[Entry] = [("t", "steps taken, this one included", t)]
    g = grad
    if weight_decay != 0.0:
        if decoupled:
            decayed = data * (1.0 - lr * weight_decay)
            entries.append(("p_decayed", "p * (1 - lr * weight_decay)", decayed))
        else:
            g = grad + weight_decay * data
    meaning = "p.grad (AdamW decays p instead)" if decoupled else "p.grad + weight_decay * p"
    entries.append(("g", meaning, g))
    entries.append(("m", "first moment: beta1 * m + (1 - beta1) * g", state["exp_avg"]))
    entries.append(("v", "second moment: beta2 * v + (1 - beta2) * g^2", state["exp_avg_sq"]))
    v = state["exp_avg_sq"]
    if group.flag("amsgrad"):
        v = state["max_exp_avg_sq"]
        entries.append(("v_max", "max(v_max, v), used in place of v", v))
    bias_correction1 = 1.0 - beta1**t
    bias_correction2 = 1.0 - beta2**t
    entries.append(("bias_correction1", "1 - beta1^t", bias_correction1))
    entries.append(("bias_correction2", "1 - beta2^t", bias_correction2))
    entries.append(("step_size", "lr / bias_correction1", lr / bias_correction1))
    denom = math.sqrt(v) / bias_correction2**0.5 + group["eps"]
    entries.append(("denom", "sqrt(v) / sqrt(bias_correction2) + eps", denom))
    return entries


def _rmsprop(
    group: ParamGroup, data: float, grad: float, state: Mapping[str, float]
) -> list[Entry]:
    gradient = _gradient(group, data, grad)
    v = state["square_avg"]
    entries = [gradient, ("v", "square_avg: alpha * v + (1 - alpha) * g^2", v)]
    if group.flag("centered"):
        g_avg = state["grad_avg"]
        entries.append(("g_avg", "grad_avg: a running mean of g", g_avg))
        avg = math.sqrt(v + (-g_avg) * g_avg) + group["eps"]
        entries.append(("avg", "sqrt(v - g_avg^2) + eps", avg))
    else:
        entries.append(("avg", "sqrt(v) + eps", math.sqrt(v) + group["eps"]))
    if group["momentum"] > 0.0:
        entries.append(("b", "momentum_buffer: mu * b + g / avg", state["momentum_buffer"]))
    return entries


def _adagrad(
    group: ParamGroup, data: float, grad: float, state: Mapping[str, float]
) -> list[Entry]:
    t = state["step"]
    total = state["sum"]
    clr = group["lr"] / (1.0 + (t - 1.0) * group["lr_decay"])
    return [
        ("t", "steps taken, this one included", t),
        _gradient(group, data, grad),
        ("clr", "lr / (1 + (t - 1) * lr_decay)", clr),
        ("sum", "sum + g^2 (from initial_accumulator_value)", total),
        ("std", "sqrt(sum) + eps", math.sqrt(total) + group["eps"]),
    ]


def _observed(
    group: ParamGroup, data: float, grad: float, state: Mapping[str, float]
) -> list[Entry]:
    return [(key, f"state[{key!r}] after the step", value) for key, value in state.items()]


_RULES: dict[type[Optimizer], Derive] = {
    SGD: _sgd,
    Momentum: _momentum,
    Adam: _adam,
    AdamW: _adamw,
    RMSprop: _rmsprop,
    Adagrad: _adagrad,
}
