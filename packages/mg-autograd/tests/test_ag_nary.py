"""sum, dot and make_node: one node each, the naive loop's value, constants that are not parents."""

from __future__ import annotations

import math
from typing import Callable

import mg_autograd as ag
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mg_autograd import Value

FAST = settings(derandomize=True, deadline=None, max_examples=60)
finite = st.floats(-1e6, 1e6, allow_nan=False)


@FAST
@given(st.lists(finite, max_size=20))
def test_sum_is_one_node_equal_to_the_left_to_right_loop(xs: list[float]) -> None:
    values = [Value(x) for x in xs]
    out = ag.sum(values)
    expected = 0.0
    for x in xs:
        expected += x
    assert out.data == expected
    assert out.op == "sum"
    assert out.parents == tuple(values)
    assert out.local_grads == (1.0,) * len(xs)
    if xs:
        assert ag.topological_order(out) == [out]
    out.backward()
    assert all(v.grad == 1.0 for v in values)


def test_sum_of_nothing_is_a_zero_leaf() -> None:
    out = ag.sum([])
    assert (out.data, out.is_leaf()) == (0.0, True)


def test_sum_numbers_are_constants() -> None:
    x = Value(1.5)
    out = ag.sum((2, x, 0.25, x))
    assert out.data == 2 + 1.5 + 0.25 + 1.5
    assert out.parents == (x, x)
    out.backward()
    assert x.grad == 2.0


@FAST
@given(
    st.integers(0, 12).flatmap(
        lambda n: st.tuples(
            st.lists(finite, min_size=n, max_size=n), st.lists(finite, min_size=n, max_size=n)
        )
    ),
    finite,
)
def test_dot_is_one_node_equal_to_the_loop(pair: tuple[list[float], list[float]], b: float) -> None:
    ws, xs = pair
    weights, inputs, bias = [Value(w) for w in ws], [Value(x) for x in xs], Value(b)
    out = ag.dot(weights, inputs, bias)
    expected = 0.0
    for w, x in zip(ws, xs):
        expected += w * x
    expected += b
    assert out.data == expected
    assert out.op == "dot"
    assert len(out.parents) == 2 * len(ws) + 1
    assert ag.topological_order(out) == [out]
    out.backward()
    assert [w.grad for w in weights] == xs
    assert [x.grad for x in inputs] == ws
    assert bias.grad == 1.0


def test_dot_without_bias_and_with_numbers_mixed_in() -> None:
    w0, x1 = Value(2.0), Value(-3.0)
    out = ag.dot([w0, 4], [5.0, x1], 0.5)
    assert out.data == 2.0 * 5.0 + 4 * -3.0 + 0.5
    assert out.parents == (w0, x1)
    assert out.local_grads == (5.0, 4.0)
    plain = ag.dot([w0], [x1])
    assert plain.data == -6.0
    assert plain.parents == (w0, x1)
    only_numbers = ag.dot([1, 2], [3, 4], 5)
    assert (only_numbers.data, only_numbers.is_leaf()) == (16.0, True)


def test_dot_with_one_value_in_several_places() -> None:
    x = Value(3.0)
    out = ag.dot([x, x], [x, 2.0], x)  # x^2 + 2x + x
    out.backward()
    assert out.data == 18.0
    assert x.grad == 2 * 3.0 + 2.0 + 1.0


def test_dot_length_mismatch() -> None:
    with pytest.raises(ValueError, match="2 weights and 3 inputs"):
        ag.dot([1.0, 2.0], [Value(1.0)] * 3)


# Each lambda passes a wrong type on purpose; the ignores tell mypy that this is the point.
BAD_CALLS: list[tuple[Callable[[], Value], str]] = [
    (
        lambda: ag.sum(Value(1.0) for _ in range(2)),  # type: ignore[arg-type]
        "sum: values must be a sequence.*generator",
    ),
    (
        lambda: ag.sum("12"),  # type: ignore[arg-type]
        "sum: values must be a sequence.*str",
    ),
    (
        lambda: ag.sum([Value(1.0), "2"]),  # type: ignore[list-item]
        r"sum: values\[1\] must be an int or float, got str",
    ),
    (lambda: ag.sum([True]), r"values\[0\].*got bool"),
    (
        lambda: ag.dot({1.0}, [1.0]),  # type: ignore[arg-type]
        "dot: weights must be a sequence.*set",
    ),
    (
        lambda: ag.dot([1.0], [None]),  # type: ignore[list-item]
        r"dot: inputs\[0\] must be an int or float, got NoneType",
    ),
    (
        lambda: ag.dot([1.0], [1.0], "b"),  # type: ignore[arg-type]
        "dot: bias must be an int or float, got str",
    ),
]


@pytest.mark.parametrize(("call", "message"), BAD_CALLS)
def test_nary_type_errors_name_the_offender(call: Callable[[], Value], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        call()


# ---- make_node -------------------------------------------------------------------------------


def test_make_node_records_a_custom_op() -> None:
    a, b = Value(2.0), Value(0.5)
    out = ag.make_node(
        a.data * math.sin(b.data), (a, b), [math.sin(b.data), a.data * math.cos(b.data)], "asin"
    )
    assert out.op == "asin"
    assert out.parents == (a, b)
    (out * 3.0).backward()
    assert a.grad == 3.0 * math.sin(0.5)
    assert b.grad == 3.0 * 2.0 * math.cos(0.5)


def test_make_node_default_op_and_leaf_under_no_grad() -> None:
    x = Value(1.0)
    assert ag.make_node(2.0, [x], [1.0]).op == "custom"
    with ag.no_grad():
        assert ag.make_node(2.0, [x], [1.0]).is_leaf()


def test_make_node_length_mismatch() -> None:
    with pytest.raises(ValueError, match="2 parents but 1 local gradients"):
        ag.make_node(1.0, [Value(1.0), Value(2.0)], [1.0])
