"""Gradient clipping: bound the gradients before `step()` so one bad batch cannot wreck a model.

`clip_grad_value` clamps each gradient to ``[-clip_value, clip_value]`` independently, which
can change the gradient's direction. `clip_grad_norm` rescales *all* gradients by one factor,
keeping the direction:

    total = ||(g_1, ..., g_n)||_p          (p = 1, 2, any finite p > 0, or inf: max |g_i|)
    coef = min(max_norm / (total + 1e-6), 1)
    g_i = g_i * coef

The 1e-6 keeps the division finite when every gradient is 0, as in PyTorch; it also makes the
clipped norm come out just under ``max_norm`` rather than exactly at it. Every gradient is
multiplied, even when ``coef`` is 1 (an exact no-op), as PyTorch does.

Sums use `math.fsum` (correctly rounded), so the norm is the same on every Python version and
does not depend on how the gradients are ordered.

Overflow gives ``inf``, as in PyTorch (whose p-norm sums ``|g|^p`` unscaled): with two
gradients of 1e200, ``|g|^3`` overflows, so the 3-norm is inf, although the true norm (about
1.26e200) is finite; `clip_grad_norm` then raises or scales by ``max_norm / inf = 0`` like any
other infinite norm. A single gradient's norm is ``|g|`` for every p, as PyTorch's one-element
norm is (it never forms ``|g|^p``, so it cannot overflow or underflow): ``grad_norm`` of one
gradient 1e200 is 1e200 for every p (for p = 1, 2, inf that was already so up to overflow:
``sqrt(g * g) == |g|`` exactly whenever ``g * g`` neither overflows nor underflows).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from mg_nn import Parameter

from ._checks import check_real
from .optimizer import _parameter_list

__all__ = ["clip_grad_norm", "clip_grad_value", "grad_norm"]


def clip_grad_value(params: Iterable[Parameter], clip_value: float) -> None:
    """Clamp every ``p.grad`` into ``[-clip_value, clip_value]`` in place."""
    bound = check_real(clip_value, "clip_value", "clip_value", lambda x: x >= 0.0)
    for p in _parameters(params):
        p.grad = min(max(p.grad, -bound), bound)


def grad_norm(params: Iterable[Parameter], norm_type: float = 2.0) -> float:
    """The p-norm of all gradients taken together, as one vector (0.0 for no parameters)."""
    p_norm = _check_norm_type(norm_type)
    return _total_norm([p.grad for p in _parameters(params)], p_norm)


def clip_grad_norm(
    params: Iterable[Parameter],
    max_norm: float,
    *,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> float:
    """Rescale the gradients so their joint norm is at most ``max_norm``; return the norm before.

    A NaN or infinite total norm raises RuntimeError (and leaves every gradient unchanged) if
    ``error_if_nonfinite``; otherwise the gradients are scaled by the resulting NaN or 0
    coefficient, as PyTorch does, and the non-finite norm is returned for the caller to see.
    """
    limit = check_real(max_norm, "max_norm", "max_norm", lambda x: x >= 0.0)
    p_norm = _check_norm_type(norm_type)
    if not isinstance(error_if_nonfinite, bool):
        raise TypeError(f"error_if_nonfinite must be a bool, got {error_if_nonfinite!r}")
    parameters = _parameters(params)
    total = _total_norm([p.grad for p in parameters], p_norm)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"the total norm of order {norm_type} of the gradients is {total}, so it cannot be "
            "clipped; pass error_if_nonfinite=False to scale by it anyway"
        )
    coef = limit / (total + 1e-6)
    if coef > 1.0:
        coef = 1.0
    for p in parameters:
        p.grad = p.grad * coef
    return total


def _total_norm(grads: list[float], p: float) -> float:
    if not grads:
        return 0.0
    if any(math.isnan(g) for g in grads):
        return math.nan
    if len(grads) == 1:
        return abs(grads[0])
    if p == math.inf:
        return max(abs(g) for g in grads)
    if p == 1.0:
        return _fsum([abs(g) for g in grads])
    if p == 2.0:
        return math.sqrt(_fsum([g * g for g in grads]))
    try:
        return float(_fsum([abs(g) ** p for g in grads]) ** (1.0 / p))
    except OverflowError:
        return math.inf


def _fsum(terms: list[float]) -> float:
    """`math.fsum` of non-negative terms, with an overflowing sum reported as inf, not an error."""
    try:
        return math.fsum(terms)
    except OverflowError:
        return math.inf


def _check_norm_type(norm_type: object) -> float:
    if norm_type == math.inf and isinstance(norm_type, float):
        return math.inf
    return check_real(norm_type, "norm_type", "norm_type", lambda x: x > 0.0)


def _parameters(params: Iterable[Parameter]) -> list[Parameter]:
    return _parameter_list(params, "clipping", allow_empty=True)
