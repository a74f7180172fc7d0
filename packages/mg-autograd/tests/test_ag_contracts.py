"""Contracts the mutation run (tests/tools/mutation.py) showed were unpinned.

Each test states one fact a user can see: the op name a node records (it is what `to_dot`
draws and what `detect_anomaly` and the overflow errors name), an error message naming the
offending value, or a boundary. Expected values come from the README's operation table, from
math and from PyTorch's conventions, never from running this code.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import mg_autograd as ag
import pytest
from mg_autograd import Value
from mg_autograd.graph import backpropagate


def message(error: type[BaseException], call: Callable[[], object]) -> str:
    with pytest.raises(error) as info:
        call()
    return str(info.value)


# Binary arithmetic records its operator symbol; element functions record their method name.
OPS: list[tuple[str, Callable[[Value, Value], Value], str]] = [
    ("a + b", lambda a, b: a + b, "+"),
    ("a + 2", lambda a, b: a + 2, "+"),
    ("2 + a", lambda a, b: 2 + a, "+"),
    ("a - b", lambda a, b: a - b, "-"),
    ("a - 2", lambda a, b: a - 2, "-"),
    ("2 - a", lambda a, b: 2 - a, "-"),
    ("-a", lambda a, b: -a, "neg"),
    ("a * b", lambda a, b: a * b, "*"),
    ("a * 2", lambda a, b: a * 2, "*"),
    ("2 * a", lambda a, b: 2 * a, "*"),
    ("a / b", lambda a, b: a / b, "/"),
    ("a / 2", lambda a, b: a / 2, "/"),
    ("2 / a", lambda a, b: 2 / a, "/"),
    ("a ** b", lambda a, b: a**b, "**"),
    ("a ** 2", lambda a, b: a**2, "**"),
    ("2 ** a", lambda a, b: 2**a, "**"),
    ("relu (positive)", lambda a, b: a.relu(), "relu"),
    ("relu (negative)", lambda a, b: (-a).relu(), "relu"),
    ("tanh", lambda a, b: a.tanh(), "tanh"),
    ("exp", lambda a, b: a.exp(), "exp"),
    ("log", lambda a, b: a.log(), "log"),
    ("sigmoid", lambda a, b: a.sigmoid(), "sigmoid"),
    ("softplus", lambda a, b: a.softplus(), "softplus"),
    ("sum", lambda a, b: ag.sum([a, b]), "sum"),
    ("dot", lambda a, b: ag.dot([a], [b], bias=1.0), "dot"),
]


@pytest.mark.parametrize(("expression", "build", "op"), OPS, ids=[case[0] for case in OPS])
def test_every_operation_records_its_name(
    expression: str, build: Callable[[Value, Value], Value], op: str
) -> None:
    out = build(Value(1.5), Value(0.5))
    assert out.op == op, expression
    # A new node starts like a user's Value: no gradient yet, no label.
    assert (out.grad, out.label) == (0.0, "")
    assert f'[label="{op}"]' in ag.to_dot(out)


# ---------------------------------------------------------------- detect_anomaly's backward


def test_backward_under_anomaly_mode_accumulates_like_the_plain_sweep() -> None:
    # z = 2 (x^2 + x); dz/dx = 2 (2x + 1) = 14 at x = 3. The leaf gets gradient from two paths
    # and the upstream gradient of the inner nodes is 2, not 1.
    with ag.detect_anomaly():
        x = Value(3.0)
        z = (x * x + x) * 2
        z.backward()
    assert x.grad == 14.0


def test_backward_anomaly_lists_every_operand() -> None:
    a, b = Value(2.0), Value(3.0)
    with ag.detect_anomaly():
        out = ag.make_node(a.data * b.data, [a, b], [float("inf"), 1.0])
        assert message(FloatingPointError, out.backward) == (
            "backward of 'custom' produced a non-finite gradient inf for operand 0 "
            "(operand values: 2.0, 3.0; upstream gradient 1.0)"
        )


# ---------------------------------------------------------------- gradcheck


def test_gradcheck_error_lists_each_mismatch_on_its_own_line() -> None:
    # f(a, b) = a + b with a backward that claims both derivatives are 0. With eps = 0.5 the
    # central difference of a linear function is exact: (f(x + 1/2) - f(x - 1/2)) / 1 = 1.
    def wrong(a: Value, b: Value) -> Value:
        return ag.make_node(a.data + b.data, [a, b], [0.0, 0.0])

    assert message(ag.GradcheckError, lambda: ag.gradcheck(wrong, [1.0, 2.0], eps=0.5)) == (
        "gradcheck failed for 2 input(s):\n"
        "  input 0 (x=1.0): backward gives 0.0, central difference gives 1.0\n"
        "  input 1 (x=2.0): backward gives 0.0, central difference gives 1.0"
    )


# ---------------------------------------------------------------- to_dot


def test_to_dot_accepts_every_graphviz_rankdir() -> None:
    # Graphviz's rankdir values: LR, TB, RL, BT.
    for rankdir in ("LR", "TB", "RL", "BT"):
        assert f"  rankdir={rankdir};" in ag.to_dot(Value(1.0), rankdir=rankdir)
    assert (
        message(ValueError, lambda: ag.to_dot(Value(1.0), rankdir="lr"))
        == "rankdir must be one of LR, TB, RL, BT, got 'lr'"
    )


def test_to_dot_draws_a_node_reached_twice_once_and_keeps_going() -> None:
    # y = a + (a + b): a is reached directly and again through a + b, before b is.
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    text = ag.to_dot(a + (a + b))
    assert text.count("shape=record") == 4
    assert "{ b | data 2.0000 | grad 0.0000 }" in text


def test_to_dot_escapes_record_syntax_and_only_it() -> None:
    text = ag.to_dot(Value(1.0, label='X|"{a}"<b>\\'))
    assert '{ X\\|\\"\\{a\\}\\"\\<b\\>\\\\ | data 1.0000 | grad 0.0000 }' in text


def test_forward_anomaly_names_a_constant_operand_of_radd_and_sub() -> None:
    # Constants are operands too: the message lists them in operand order.
    with ag.detect_anomaly():
        assert message(FloatingPointError, lambda: 1e308 + Value(1.5e308)) == (
            "'+' produced non-finite value inf from operands (1e+308, 1.5e+308)"
        )
        assert message(FloatingPointError, lambda: Value(1e308) - -1.5e308) == (
            "'-' produced non-finite value inf from operands (1e+308, -1.5e+308)"
        )


def test_sigmoid_of_a_non_negative_input_is_one_over_one_plus_exp_minus_x() -> None:
    # For x >= 0 the documented form 1 / (1 + e^-x) cannot overflow; at x = 0.03 it differs in
    # the last bit from the other algebraically equal form e^x / (1 + e^x).
    for x in (0.0, 0.03, 0.5, 0.97, 3.0):
        assert Value(x).sigmoid().data == 1.0 / (1.0 + math.exp(-x)), x


def test_relu_of_a_negative_input_keeps_its_operand_as_parent() -> None:
    x = Value(-2.0)
    out = x.relu()
    assert out.parents == (x,)
    assert out.local_grads == (0.0,)


def test_forward_anomaly_names_the_constant_base_of_rpow() -> None:
    with ag.detect_anomaly():
        assert message(FloatingPointError, lambda: 2.0 ** Value(float("inf"))) == (
            "'**' produced non-finite value inf from operands (2.0, inf)"
        )


def test_forward_anomaly_names_the_constant_exponent_of_pow() -> None:
    with ag.detect_anomaly():
        assert message(FloatingPointError, lambda: Value(float("inf")) ** 2.0) == (
            "'**' produced non-finite value inf from operands (inf, 2.0)"
        )


def test_dot_argument_errors_name_dot() -> None:
    assert message(TypeError, lambda: ag.dot([1.0], "a")) == (  # type: ignore[arg-type]
        "dot: inputs must be a sequence (list or tuple) of Values or numbers, got str"
    )


def test_power_rule_derivative_that_overflows_keeps_its_sign() -> None:
    # d(a^c)/da = c a^(c-1). For a = 1e-320 (subnormal), c = 0.001: a^(-0.999) ~ 10^319.7
    # overflows, and c > 0, a > 0 make it +inf.
    assert (Value(1e-320) ** 0.001).local_grads == (float("inf"),)
    # a = -1e-154, c = -2: a^c = 1e308 is finite; c a^(c-1) = -2 (-1e462) = +inf.
    assert (Value(-1e-154) ** -2).local_grads == (float("inf"),)
    # a = -1e-155, c = -1: a^c = -1e155 is finite; c a^(c-1) = -(1e310) = -inf.
    assert (Value(-1e-155) ** -1).local_grads == (float("-inf"),)


def test_gradcheck_and_dot_argument_errors_name_the_argument() -> None:
    def f(x: Value) -> Value:
        return x * x

    cases: list[tuple[type[BaseException], Callable[[], object], str]] = [
        (
            TypeError,
            lambda: ag.gradcheck(f, [1.0], atol="0"),  # type: ignore[arg-type]
            "gradcheck: atol must be an int or float, got str: '0'",
        ),
        (
            ValueError,
            lambda: ag.gradcheck(f, [1.0], atol=-1.0),
            "gradcheck: atol must be finite and positive, got -1.0",
        ),
        (
            ValueError,
            lambda: ag.gradcheck(f, [1.0], rtol=float("nan")),
            "gradcheck: rtol must be finite and positive, got nan",
        ),
        (
            TypeError,
            lambda: ag.dot([1.0, "w"], [1.0, 2.0]),  # type: ignore[list-item]
            "dot: weights[1] must be an int or float, got str: 'w'",
        ),
        (
            TypeError,
            lambda: ag.dot([1.0, 2.0], [1.0, None]),  # type: ignore[list-item]
            "dot: inputs[1] must be an int or float, got NoneType: None",
        ),
    ]
    for error, call, expected in cases:
        assert message(error, call) == expected


def test_value_data_error_names_value_data() -> None:
    assert message(TypeError, lambda: Value("1")) == (  # type: ignore[arg-type]
        "Value data must be an int or float, got str: '1'"
    )


def test_gradcheck_tolerance_bound_is_inclusive() -> None:
    # Like torch.allclose: |analytic - numeric| <= atol + rtol * |numeric|. For f = 2x and
    # eps = 0.5 the central difference is exactly 2, so with zero tolerances it still passes.
    def f(x: Value) -> Value:
        return 2 * x

    assert ag.gradcheck(f, [1.0], eps=0.5, atol=0.0, rtol=0.0).ok


def test_backpropagate_checks_finiteness_only_when_asked() -> None:
    a = Value(2.0)
    out = ag.make_node(1.0, [a], [float("inf")])
    backpropagate(out)
    assert a.grad == float("inf")
