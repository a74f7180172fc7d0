"""Losses over a batch, each ONE graph node with the closed-form derivative per prediction.

A loss is a scalar function of the whole batch, L = (1/N) sum_i l(p_i, y_i). Built from
elementary operations it costs several nodes per sample (a subtraction, a square, an addition
into the running total ...) and a backward sweep that visits all of them. Its derivative with
respect to each prediction has a short closed form, though, so each loss here computes the
value and every dL/dp_i at once and hands them to `mg_autograd.make_node`: one node whose
parents are the predictions. Same gradients, a fraction of the nodes (node count is the
first-order cost of a scalar engine; see `mg_autograd.nary`). Each function's docstring gives its
formula, its derivative and the naive equivalent.

Plain numbers may appear among the predictions: they are constants and do not become parents.
Targets are constants too and must be plain numbers (a `Value` target is a `TypeError`).
Sums run left to right in plain float loops, so results are bit-identical on every Python.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Callable

from mg_autograd import Value, ValueLike, make_node

__all__ = ["binary_cross_entropy_with_logits", "cross_entropy", "hinge_loss", "mse_loss"]


def mse_loss(predictions: Sequence[ValueLike], targets: Sequence[float]) -> Value:
    """Mean squared error  L = (1/N) sum_i (p_i - y_i)^2;  dL/dp_i = 2 (p_i - y_i) / N.

    As ``torch.nn.functional.mse_loss`` with the default ``reduction="mean"``. Naive form
    (3N + 1 nodes instead of 1)::

        total = 0.0
        for p, y in zip(predictions, targets):
            total = total + (p - y) ** 2
        loss = total / len(predictions)
    """
    op = "mse_loss"
    p = _predictions(predictions, op, "predictions")
    y = _targets(targets, op, len(p), "predictions", _finite, "a finite number")
    n = len(p)
    total = 0.0
    scale = 2.0 / n
    local: list[float] = []
    for pi, yi in zip(p, y):
        d = pi - yi
        total += d * d
        local.append(d * scale)
    return _node(total / n, predictions, local, op)


def binary_cross_entropy_with_logits(
    logits: Sequence[ValueLike], targets: Sequence[float]
) -> Value:
    """Mean binary cross-entropy of sigmoid(z_i) against y_i in [0, 1], computed from logits.

    l(z, y) = -[y log s(z) + (1 - y) log(1 - s(z))]  with  s = sigmoid. Written that way it
    fails for large |z|: s(z) rounds to 0 or 1 and one of the logs is of 0. Using
    log s(z) = -softplus(-z), log(1 - s(z)) = -softplus(z), softplus(x) = max(x, 0) + log1p(e^-|x|):

        l(z, y) = max(z, 0) - z y + log1p(e^-|z|)          (no overflow, no log of 0)
        dl/dz   = s(z) - y                                  (the logit's gradient is this simple)

    L = (1/N) sum_i l(z_i, y_i) and dL/dz_i = (s(z_i) - y_i) / N, as
    ``torch.nn.functional.binary_cross_entropy_with_logits``. Soft labels (any y in [0, 1]) are
    allowed. Naive form (6 nodes per sample, and a log of 0 once z > ~37)::

        terms = [-(y * z.sigmoid().log() + (1 - y) * (1 - z.sigmoid()).log()) for z, y in ...]
        loss = mg_autograd.sum(terms) / len(terms)
    """
    op = "binary_cross_entropy_with_logits"
    z = _predictions(logits, op, "logits")
    y = _targets(targets, op, len(z), "logits", _probability, "a number in [0, 1]")
    n = len(z)
    total = 0.0
    local: list[float] = []
    for zi, yi in zip(z, y):
        total += max(zi, 0.0) - zi * yi + math.log1p(math.exp(-abs(zi)))
        local.append((_sigmoid(zi) - yi) / n)
    return _node(total / n, logits, local, op)


def cross_entropy(logits: Sequence[Sequence[ValueLike]], targets: Sequence[int]) -> Value:
    """Mean softmax cross-entropy of rows of class scores against class indices.

    For a row z with target class t (m = max_j z_j, which changes nothing mathematically but
    keeps every exponent <= 0, so e^(z_j - m) never overflows):

        l(z, t) = log sum_j e^(z_j) - z_t = log sum_j e^(z_j - m) - (z_t - m)
        dl/dz_j = softmax(z)_j - [j = t]

    L is the mean over the batch of B rows, so dL/dz_bj = (softmax(z_b)_j - [j = t_b]) / B, as
    ``torch.nn.functional.cross_entropy`` with integer targets. Every row must have the same
    number of classes C >= 1 and each target must be an int in range(C). Naive form (C + 3
    nodes per row, and overflow for logits above ~709)::

        terms = [mg_autograd.sum([z.exp() for z in row]).log() - row[t] for row, t in ...]
        loss = mg_autograd.sum(terms) / len(terms)
    """
    op = "cross_entropy"
    _sequence(logits, op, "logits")
    rows = [_predictions(row, op, f"logits[{b}]") for b, row in enumerate(logits)]
    if not rows:
        raise ValueError(f"{op}: logits is empty; need at least one row")
    classes = len(rows[0])
    for b, row in enumerate(rows):
        if len(row) != classes:
            raise ValueError(
                f"{op}: every row needs the same number of classes; logits[0] has {classes}, "
                f"logits[{b}] has {len(row)}"
            )
    labels = _class_targets(targets, op, len(rows), classes)
    batch = len(rows)
    total = 0.0
    local: list[float] = []
    for row, t in zip(rows, labels):
        m = row[0]
        for zj in row:
            if zj > m:
                m = zj
        shifted = [math.exp(zj - m) for zj in row]
        s = 0.0
        for e in shifted:
            s += e
        total += math.log(s) - (row[t] - m)
        for j, e in enumerate(shifted):
            local.append((e / s - (1.0 if j == t else 0.0)) / batch)
    flat: list[ValueLike] = [v for row_items in logits for v in row_items]
    return _node(total / batch, flat, local, op)


def hinge_loss(scores: Sequence[ValueLike], targets: Sequence[float]) -> Value:
    """Mean hinge loss  L = (1/N) sum_i max(0, 1 - y_i s_i)  with labels y_i in {-1, +1}.

    dL/ds_i = -y_i / N while the margin is violated (1 - y_i s_i > 0), else 0 - including at the
    kink 1 - y_i s_i = 0, as ``relu`` is differentiated there. A score whose margin is met gets
    no gradient, so it is left out of the node's parents (like a dead relu). Naive form::

        terms = [(1 - y * s).relu() for s, y in zip(scores, targets)]
        loss = mg_autograd.sum(terms) / len(terms)
    """
    op = "hinge_loss"
    s = _predictions(scores, op, "scores")
    y = _targets(targets, op, len(s), "scores", _sign, "-1 or +1")
    n = len(s)
    total = 0.0
    parents: list[Value] = []
    local: list[float] = []
    for item, si, yi in zip(scores, s, y):
        margin = 1.0 - yi * si
        if margin > 0.0:
            total += margin
            if isinstance(item, Value):
                parents.append(item)
                local.append(-yi / n)
    return make_node(total / n, parents, local, op)


# ---- helpers ---------------------------------------------------------------------------------


def _sigmoid(x: float) -> float:
    """1 / (1 + e^-x), written for x < 0 as e^x / (1 + e^x) so that no exponent overflows."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _node(data: float, items: Sequence[ValueLike], local: list[float], op: str) -> Value:
    """One node whose parents are the `Value`s among ``items`` (constants are dropped)."""
    parents: list[Value] = []
    kept: list[float] = []
    for item, d in zip(items, local):
        if isinstance(item, Value):
            parents.append(item)
            kept.append(d)
    return make_node(data, parents, kept, op)


def _is_number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _sequence(values: object, op: str, name: str) -> Sequence[object]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(f"{op}: {name} must be a list or tuple, got {type(values).__name__}")
    return values


def _predictions(values: Sequence[ValueLike], op: str, name: str) -> list[float]:
    """The data of every prediction (a `Value` or a plain number); non-empty."""
    data: list[float] = []
    for index, v in enumerate(_sequence(values, op, name)):
        if isinstance(v, Value):
            data.append(v.data)
        elif _is_number(v):
            data.append(float(v))  # type: ignore[arg-type]  # narrowed by _is_number
        else:
            raise TypeError(
                f"{op}: {name}[{index}] must be a Value or a number, got {type(v).__name__}: {v!r}"
            )
    if not data:
        raise ValueError(f"{op}: {name} is empty; need at least one value")
    return data


def _finite(y: float) -> bool:
    return math.isfinite(y)


def _probability(y: float) -> bool:
    return 0.0 <= y <= 1.0


def _sign(y: float) -> bool:
    return y in (-1.0, 1.0)


def _targets(
    targets: Sequence[float],
    op: str,
    n: int,
    name: str,
    rule: Callable[[float], bool],
    expected: str,
) -> list[float]:
    """Plain-number targets, one per prediction, each satisfying ``rule`` (said by ``expected``)."""
    items = _sequence(targets, op, "targets")
    if len(items) != n:
        raise ValueError(f"{op}: got {n} {name} but {len(items)} targets; lengths must match")
    out: list[float] = []
    for index, y in enumerate(items):
        if not _is_number(y):
            hint = " (targets are constants: pass v.data)" if isinstance(y, Value) else ""
            raise TypeError(
                f"{op}: targets[{index}] must be a number, got {type(y).__name__}: {y!r}{hint}"
            )
        value = float(y)  # type: ignore[arg-type]  # narrowed by _is_number
        if not rule(value):
            raise ValueError(f"{op}: targets[{index}] must be {expected}, got {y!r}")
        out.append(value)
    return out


def _class_targets(targets: Sequence[int], op: str, n: int, classes: int) -> list[int]:
    items = _sequence(targets, op, "targets")
    if len(items) != n:
        raise ValueError(
            f"{op}: got {n} rows of logits but {len(items)} targets; lengths must match"
        )
    out: list[int] = []
    for index, t in enumerate(items):
        if isinstance(t, bool) or not isinstance(t, int):
            raise TypeError(
                f"{op}: targets[{index}] must be an int class index, got {type(t).__name__}: {t!r}"
            )
        if not 0 <= t < classes:
            raise ValueError(
                f"{op}: targets[{index}] = {t} is out of range for {classes} classes "
                f"(valid: 0 to {classes - 1})"
            )
        out.append(t)
    return out
