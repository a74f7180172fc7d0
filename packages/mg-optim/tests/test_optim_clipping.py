"""Gradient clipping: the bound holds, directions are kept, non-finite norms are handled."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mg_autograd import Value
from mg_nn import Parameter
from mg_optim import clip_grad_norm, clip_grad_value, grad_norm

FAST = settings(derandomize=True, deadline=None, max_examples=80)
grads_strategy = st.lists(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=8,
)
NORM_TYPES = [1.0, 2.0, 3.0, math.inf]

# After clipping, each g_i * coef is rounded once, the norm adds a few more roundings (each at
# most 2^-53 relative) and coef itself carries ~3: a bound of 1e-14 relative (about 45 units in
# the last place) is generous for any norm type and vector length used here, while a real bug
# (e.g. a missing clamp or the wrong norm) overshoots by far more.
TOLERANCE = 1e-14


def independent_norm(grads: list[float], norm_type: float) -> float:
    if norm_type == math.inf:
        return max(abs(g) for g in grads)
    if norm_type == 2.0:
        return math.hypot(*grads)
    total = 0.0
    for g in sorted(abs(g) for g in grads):
        total += g**norm_type
    return float(total ** (1.0 / norm_type))


def make(grads: list[float]) -> list[Parameter]:
    params = [Parameter(0.0) for _ in grads]
    for p, g in zip(params, grads):
        p.grad = g
    return params


@FAST
@given(grads_strategy, st.floats(min_value=1e-3, max_value=1e3), st.sampled_from(NORM_TYPES))
def test_clip_grad_norm_bounds_the_norm_and_never_grows_a_gradient(
    grads: list[float], max_norm: float, norm_type: float
) -> None:
    params = make(grads)
    total = clip_grad_norm(params, max_norm, norm_type=norm_type)
    assert total == pytest.approx(independent_norm(grads, norm_type), rel=1e-12)
    clipped = [p.grad for p in params]
    assert grad_norm(params, norm_type) <= max_norm * (1.0 + TOLERANCE)
    assert all(abs(c) <= abs(g) for c, g in zip(clipped, grads))
    assert all(c * g >= 0.0 for c, g in zip(clipped, grads))
    if total + 1e-6 <= max_norm:  # coef = max_norm / (total + 1e-6) is clamped to 1
        assert clipped == grads


@FAST
@given(grads_strategy, st.floats(min_value=0.0, max_value=1e3))
def test_clip_grad_value_clamps_each_gradient(grads: list[float], clip_value: float) -> None:
    params = make(grads)
    clip_grad_value(params, clip_value)
    for p, g in zip(params, grads):
        assert p.grad == (g if abs(g) <= clip_value else math.copysign(clip_value, g))


def test_nonfinite_norm_raises_and_leaves_gradients_unchanged() -> None:
    params = make([1.0, math.inf, -2.0])
    with pytest.raises(RuntimeError, match=r"total norm of order 2\.0 of the gradients is inf"):
        clip_grad_norm(params, 1.0, error_if_nonfinite=True)
    assert [p.grad for p in params] == [1.0, math.inf, -2.0]
    params = make([1.0, math.nan])
    with pytest.raises(RuntimeError, match="is nan"):
        clip_grad_norm(params, 1.0, norm_type=math.inf, error_if_nonfinite=True)


def test_nonfinite_norm_without_error_scales_like_torch() -> None:
    params = make([1.0, math.inf])
    assert clip_grad_norm(params, 1.0) == math.inf
    assert params[0].grad == 0.0
    assert math.isnan(params[1].grad)
    params = make([1e308, 1e308])
    assert clip_grad_norm(params, 1.0, norm_type=1.0) == math.inf


def test_empty_parameter_list_has_norm_zero() -> None:
    assert clip_grad_norm([], 1.0) == 0.0


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: clip_grad_norm(make([1.0]), -1.0), ValueError, "Invalid max_norm: -1.0"),
        (lambda: clip_grad_norm(make([1.0]), math.nan), ValueError, "Invalid max_norm: nan"),
        (lambda: clip_grad_norm(make([1.0]), 1.0, norm_type=0.0), ValueError, "norm_type: 0.0"),
        (lambda: clip_grad_norm(make([1.0]), True), TypeError, "got bool: True"),
        (lambda: clip_grad_value(make([1.0]), -0.5), ValueError, "Invalid clip_value: -0.5"),
        (lambda: clip_grad_value({Parameter(1.0)}, 0.5), TypeError, "set"),
        (lambda: clip_grad_value([Value(1.0)], 0.5), TypeError, "got Value"),  # type: ignore[list-item]
    ],
)
def test_bad_arguments(call: object, error: type[Exception], message: str) -> None:
    assert callable(call)
    with pytest.raises(error, match=message):
        call()
