"""Every operation and n-ary function against central differences, over its domain (hypothesis).

`mg_autograd.gradcheck` compares backward() with (f(x + eps) - f(x - eps)) / (2 eps). With
eps = 1e-6 its error is the truncation term eps^2 |f'''| / 6 plus rounding, about
u |f| / eps ~ 1e-10 |f| (u = 2^-53). The domains below keep |f| <= ~1e9 |f'| and |f'''| modest, so
both terms stay below ATOL + RTOL |f'| with RTOL = 1e-6, ATOL = 1e-7 - three orders of magnitude
tighter than gradcheck's defaults; the worst case hypothesis finds uses 1% of it. Kinks
(relu at 0) and poles (division by 0, log at 0, x^c at 0) are kept ~1e-3 away so that the
difference never straddles them.
"""

from __future__ import annotations

import math
from functools import partial

import mg_autograd as ag
from hypothesis import given, settings
from hypothesis import strategies as st
from mg_autograd import Value

EPS = 1e-6
RTOL = 1e-6
ATOL = 1e-7
FAST = settings(derandomize=True, deadline=None, max_examples=60)


def floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False)


def away_from_zero(limit: float, gap: float) -> st.SearchStrategy[float]:
    return floats(-limit, limit).filter(lambda v: abs(v) >= gap)


# raises GradcheckError, listing every mismatching input, when backward() disagrees
check = partial(ag.gradcheck, eps=EPS, atol=ATOL, rtol=RTOL)


# ---- binary operators, each in all three forms: Value-Value, Value-number, number-Value ----


@FAST
@given(floats(-10, 10), floats(-10, 10))
def test_add(a: float, b: float) -> None:
    check(lambda x, y: x + y, [a, b])
    check(lambda x: x + b, [a])
    check(lambda y: a + y, [b])


@FAST
@given(floats(-10, 10), floats(-10, 10))
def test_sub(a: float, b: float) -> None:
    check(lambda x, y: x - y, [a, b])
    check(lambda x: x - b, [a])
    check(lambda y: a - y, [b])


@FAST
@given(floats(-10, 10), floats(-10, 10))
def test_mul(a: float, b: float) -> None:
    check(lambda x, y: x * y, [a, b])
    check(lambda x: x * b, [a])
    check(lambda y: a * y, [b])
    check(lambda x: x * x, [a])


@FAST
@given(floats(-10, 10), away_from_zero(10, 0.1))
def test_div(a: float, b: float) -> None:
    check(lambda x, y: x / y, [a, b])
    check(lambda x: x / b, [a])
    check(lambda y: a / y, [b])


@FAST
@given(floats(-10, 10))
def test_neg(a: float) -> None:
    check(lambda x: -x, [a])


# ---- powers ------------------------------------------------------------------------------


@FAST
@given(floats(0.05, 5), floats(-3, 3))
def test_pow_positive_base(a: float, c: float) -> None:
    check(lambda x, y: x**y, [a, c])
    check(lambda x: x**c, [a])
    check(lambda y: a**y, [c])


@FAST
@given(floats(-5, -0.05), st.integers(-3, 4))
def test_pow_negative_base_integer_exponent(a: float, k: int) -> None:
    check(lambda x: x**k, [a])
    check(lambda x: x ** float(k), [a])


@FAST
@given(floats(-3, 3))
def test_pow_base_is_the_exponent(a: float) -> None:
    check(lambda x: (x.exp() + 1.0) ** x, [a])


# ---- element functions -----------------------------------------------------------------


@FAST
@given(away_from_zero(10, 1e-3))
def test_relu(a: float) -> None:
    check(lambda x: x.relu(), [a])


@FAST
@given(floats(-30, 30))
def test_tanh(a: float) -> None:
    check(lambda x: x.tanh(), [a])


@FAST
@given(floats(-20, 20))
def test_exp(a: float) -> None:
    check(lambda x: x.exp(), [a])


@FAST
@given(floats(1e-2, 1e4))
def test_log(a: float) -> None:
    check(lambda x: x.log(), [a])


@FAST
@given(floats(-40, 40))
def test_sigmoid(a: float) -> None:
    check(lambda x: x.sigmoid(), [a])


@FAST
@given(floats(-40, 40))
def test_softplus(a: float) -> None:
    check(lambda x: x.softplus(), [a])


# ---- n-ary functions and make_node ---------------------------------------------------------


@FAST
@given(st.lists(floats(-10, 10), min_size=1, max_size=12), st.lists(floats(-10, 10), max_size=4))
def test_sum(values: list[float], constants: list[float]) -> None:
    def f(*xs: Value) -> Value:
        return ag.sum([*xs, *constants])

    check(f, values)


@FAST
@given(
    st.integers(1, 8).flatmap(
        lambda n: st.lists(floats(-3, 3), min_size=2 * n + 1, max_size=2 * n + 1)
    )
)
def test_dot_with_and_without_bias(xs: list[float]) -> None:
    n = len(xs) // 2

    def with_bias(*v: Value) -> Value:
        return ag.dot(v[:n], v[n : 2 * n], v[2 * n])

    def without_bias(*v: Value) -> Value:
        return ag.dot(v[:n], v[n:])

    check(with_bias, xs)
    check(without_bias, xs[:-1])


@FAST
@given(
    st.lists(floats(-3, 3), min_size=4, max_size=4), st.lists(floats(-3, 3), min_size=3, max_size=3)
)
def test_dot_with_numbers_mixed_in(xs: list[float], cs: list[float]) -> None:
    check(lambda w0, w1, x1, x2: ag.dot([w0, cs[0], w1], [cs[1], x1, x2], cs[2]), xs)
    check(lambda w0, x0: ag.dot([w0], [x0], 1), xs[:2])


@FAST
@given(floats(-3, 3))
def test_dot_with_a_value_on_both_sides(a: float) -> None:
    check(lambda x: ag.dot([x, x], [x, 2.0], x), [a])


@FAST
@given(floats(-5, 5), floats(-5, 5))
def test_make_node(a: float, b: float) -> None:
    def a_sin_b(x: Value, y: Value) -> Value:
        return ag.make_node(
            x.data * math.sin(y.data), [x, y], [math.sin(y.data), x.data * math.cos(y.data)]
        )

    check(a_sin_b, [a, b])
    check(lambda x, y: a_sin_b(x, y) * a_sin_b(y, x), [a, b])


@FAST
@given(st.lists(floats(-2, 2), min_size=4, max_size=4))
def test_composite_graph_with_shared_nodes(xs: list[float]) -> None:
    def f(a: Value, b: Value, c: Value, d: Value) -> Value:
        h = ag.dot([a, b], [c, d], 0.5).tanh()
        g = (h * a).sigmoid() + h
        return ag.sum([g * h, (g - d).softplus(), h.exp() / (1.0 + g * g)])

    check(f, xs)
