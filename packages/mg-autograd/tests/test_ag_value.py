"""Value construction, operators with numbers on either side, reprs, and the domain policy.

Expected values are closed forms: d(ab)/da = b and friends, the limits of tanh, sigmoid and
softplus at +-1000, the series softplus(x) = x + e^-x - ... for large x and e^x - ... for very
negative x, and PyTorch's conventions for the gradient of a^b at a <= 0.
"""

from __future__ import annotations

import math
from typing import Callable

import pytest
from mg_autograd import Value

# ---- construction and repr ---------------------------------------------------------------


def test_value_holds_floats() -> None:
    v = Value(3)
    assert type(v.data) is float
    assert v.data == 3.0
    assert type(v.grad) is float
    assert v.grad == 0.0
    assert v.label == ""
    assert v.is_leaf()
    assert v.op == ""
    assert v.parents == ()
    assert v.local_grads == ()


def test_label_is_keyword_only() -> None:
    assert Value(1.5, label="w").label == "w"
    with pytest.raises(TypeError):
        Value(1.5, "w")  # type: ignore[call-arg]  # the positional label is what is tested


@pytest.mark.parametrize(
    ("bad", "type_name"),
    [(True, "bool"), ("1.0", "str"), (None, "NoneType"), (1j, "complex"), ([1.0], "list")],
)
def test_value_rejects_non_numbers_naming_the_type(bad: object, type_name: str) -> None:
    with pytest.raises(TypeError, match=f"got {type_name}"):
        Value(bad)  # type: ignore[arg-type]  # the wrong type is what is tested


def test_label_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="label must be a str, got int"):
        Value(1.0, label=3)  # type: ignore[arg-type]  # the wrong type is what is tested


def test_repr() -> None:
    assert repr(Value(2.5)) == "Value(data=2.5, grad=0.0)"
    assert repr(Value(-1, label="b")) == "Value(data=-1.0, grad=0.0, label='b')"
    x = Value(3.0)
    y = x * x
    y.backward()
    assert repr(x) == "Value(data=3.0, grad=6.0)"
    assert repr(y) == "Value(data=9.0, grad=1.0)"


# ---- operators: each form records its operands and d(out)/d(operand) ----------------------

Binary = Callable[[Value, Value], Value]
Unary = Callable[[Value], Value]

VALUE_VALUE: list[tuple[str, Binary, float, tuple[float, float]]] = [
    ("+", lambda a, b: a + b, 5.0, (1.0, 1.0)),
    ("-", lambda a, b: a - b, 1.0, (1.0, -1.0)),
    ("*", lambda a, b: a * b, 6.0, (2.0, 3.0)),
    ("/", lambda a, b: a / b, 1.5, (1 / 2, -3 / 4)),
    ("**", lambda a, b: a**b, 9.0, (2 * 3.0, 9.0 * math.log(3.0))),
]

# a = Value(3.0); the constant is 2 (an int, to check ints are accepted on either side)
WITH_NUMBER: list[tuple[str, Unary, float, float]] = [
    ("+", lambda a: a + 2, 5.0, 1.0),
    ("+", lambda a: 2 + a, 5.0, 1.0),
    ("-", lambda a: a - 2, 1.0, 1.0),
    ("-", lambda a: 2 - a, -1.0, -1.0),
    ("*", lambda a: a * 2, 6.0, 2.0),
    ("*", lambda a: 2 * a, 6.0, 2.0),
    ("/", lambda a: a / 2, 1.5, 1 / 2),
    ("/", lambda a: 2 / a, 2 / 3, -2 / 9),
    ("**", lambda a: a**2, 9.0, 6.0),
    ("**", lambda a: a**-1.5, 3.0**-1.5, -1.5 * 3.0**-2.5),
    ("**", lambda a: 2**a, 8.0, 8.0 * math.log(2.0)),
    ("neg", lambda a: -a, -3.0, -1.0),
]


@pytest.mark.parametrize(("op", "make", "data", "local"), VALUE_VALUE)
def test_value_value_forms(op: str, make: Binary, data: float, local: tuple[float, float]) -> None:
    a, b = Value(3.0), Value(2.0)
    out = make(a, b)
    assert out.data == data
    assert out.op == op
    assert out.parents == (a, b)
    assert out.local_grads == pytest.approx(local, rel=1e-15)
    out.backward()
    assert (a.grad, b.grad) == pytest.approx(local, rel=1e-15)


@pytest.mark.parametrize(("op", "make", "data", "local"), WITH_NUMBER)
def test_forms_with_a_number(op: str, make: Unary, data: float, local: float) -> None:
    a = Value(3.0)
    out = make(a)
    assert type(out.data) is float
    assert out.data == pytest.approx(data, rel=1e-15)
    assert out.op == op
    assert out.parents == (a,)
    out.backward()
    assert a.grad == pytest.approx(local, rel=1e-15)


@pytest.mark.parametrize(
    "apply",
    [
        lambda v: v + "1",
        lambda v: "1" + v,
        lambda v: v * None,
        lambda v: None * v,
        lambda v: v - [1.0],
        lambda v: v / 1j,
        lambda v: 1j / v,
        lambda v: v ** "2",
        lambda v: "2" ** v,
        lambda v: v + True,
        lambda v: True * v,
    ],
)
def test_operators_reject_non_numbers(apply: Callable[[Value], object]) -> None:
    with pytest.raises(TypeError):
        apply(Value(1.0))


# ---- domain policy --------------------------------------------------------------------------


@pytest.mark.parametrize("x", [0.0, -0.0, -1.0, -math.inf])
def test_log_of_non_positive_raises_naming_op_and_value(x: float) -> None:
    with pytest.raises(ValueError, match=rf"'log'.*{re_float(x)}"):
        Value(x).log()


def re_float(x: float) -> str:
    return repr(x).replace("-", r"\-").replace(".", r"\.")


@pytest.mark.parametrize(
    "make",
    [
        lambda: Value(0.0) ** -1,
        lambda: Value(0.0) ** -0.5,
        lambda: Value(0) ** Value(-2.0),
        lambda: 0 ** Value(-2.0),
        lambda: 0.0 ** Value(-0.5),
    ],
)
def test_zero_to_a_negative_power_raises(make: Callable[[], Value]) -> None:
    with pytest.raises(ValueError, match=r"'\*\*' is undefined for 0 \*\* negative"):
        make()


@pytest.mark.parametrize(
    "make",
    [lambda: Value(-2.0) ** 0.5, lambda: Value(-2.0) ** Value(1.5), lambda: (-8) ** Value(1 / 3)],
)
def test_negative_base_with_fractional_exponent_raises(make: Callable[[], Value]) -> None:
    with pytest.raises(ValueError, match="complex"):
        make()


def test_exp_overflow_raises_naming_the_op() -> None:
    assert math.isfinite(Value(709.0).exp().data)
    with pytest.raises(OverflowError, match=r"'exp'.*710\.0"):
        Value(710.0).exp()


@pytest.mark.parametrize(
    "make",
    [lambda: Value(10.0) ** 400, lambda: 10 ** Value(400.0), lambda: Value(10) ** Value(400)],
)
def test_pow_overflow_raises_naming_the_op(make: Callable[[], Value]) -> None:
    with pytest.raises(OverflowError, match=r"'\*\*'"):
        make()


@pytest.mark.parametrize(
    "make",
    [
        lambda: Value(1.0) / Value(0.0),
        lambda: Value(1.0) / Value(-0.0),
        lambda: Value(1.0) / 0,
        lambda: Value(1.0) / 0.0,
        lambda: 1 / Value(0.0),
    ],
)
def test_division_by_zero_raises(make: Callable[[], Value]) -> None:
    with pytest.raises(ZeroDivisionError, match="division by zero in '/'"):
        make()


# ---- saturating functions are stable at +-1000 -------------------------------------------

# (function, x, closed-form value, closed-form derivative)
LIMITS: list[tuple[str, float, float, float]] = [
    ("tanh", 1000.0, 1.0, 0.0),
    ("tanh", -1000.0, -1.0, 0.0),
    ("sigmoid", 1000.0, 1.0, 0.0),
    ("sigmoid", -1000.0, 0.0, 0.0),  # e^-1000 underflows to 0
    ("softplus", 1000.0, 1000.0, 1.0),
    ("softplus", -1000.0, 0.0, 0.0),
    # softplus(x) = x + e^-x - e^-2x/2 + ... : e^-40 is below half an ulp of 40
    ("softplus", 40.0, 40.0, 1.0),
    # softplus(x) = e^x - e^2x/2 + ..., sigmoid(x) = e^x - e^2x + ...: relative error e^-40
    ("softplus", -40.0, math.exp(-40.0), math.exp(-40.0)),
    ("sigmoid", -40.0, math.exp(-40.0), math.exp(-40.0)),
    ("sigmoid", -700.0, math.exp(-700.0), math.exp(-700.0)),
    # just past where PyTorch's softplus switches to x; the e^-2x term is below an ulp
    ("softplus", 25.0, 25.0 + math.exp(-25.0), 1.0 - math.exp(-25.0)),
]


@pytest.mark.parametrize(("name", "x", "value", "derivative"), LIMITS)
def test_saturating_functions_at_extremes(
    name: str, x: float, value: float, derivative: float
) -> None:
    v = Value(x)
    out: Value = getattr(v, name)()
    out.backward()
    assert out.data == pytest.approx(value, rel=1e-15, abs=0.0)
    assert v.grad == pytest.approx(derivative, rel=1e-15, abs=0.0)


# ---- powers with a non-positive base (see Value.__pow__) ------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "out", "d_base", "d_exponent"),
    [
        (0.0, 2.0, 0.0, 0.0, 0.0),  # a^b ln a -> 0 as a -> 0+: PyTorch's convention
        (0.0, 0.0, 1.0, 0.0, 0.0),
        (0.0, 1.0, 0.0, 1.0, 0.0),
        (0.0, 0.5, 0.0, math.inf, 0.0),  # b a^(b-1) -> +inf
        (-2.0, 3.0, -8.0, 12.0, math.nan),  # ln(-2) is not real
        (-2.0, 2.0, 4.0, -4.0, math.nan),
    ],
)
def test_value_pow_value_with_non_positive_base(
    a: float, b: float, out: float, d_base: float, d_exponent: float
) -> None:
    base, exponent = Value(a), Value(b)
    y = base**exponent
    y.backward()
    assert y.data == out
    assert base.grad == d_base
    if math.isnan(d_exponent):
        assert math.isnan(exponent.grad)
    else:
        assert exponent.grad == d_exponent


def test_number_pow_value_with_non_positive_base() -> None:
    x = Value(3.0)
    (0**x).backward()
    assert x.grad == 0.0
    y = Value(3.0)
    ((-2.0) ** y).backward()
    assert math.isnan(y.grad)


@pytest.mark.parametrize("a", [0.0, -2.5, 7.0])
def test_power_zero_is_a_constant(a: float) -> None:
    x = Value(a)
    y = x**0
    y.backward()
    assert (y.data, x.grad) == (1.0, 0.0)


@pytest.mark.parametrize(
    ("a", "c", "sign"),
    [(-1e-120, -2, 1.0), (-1e-100, -3, -1.0), (1e-120, -2, -1.0), (-1e-200, -1, -1.0)],
)
def test_pow_derivative_overflow_keeps_its_sign(a: float, c: int, sign: float) -> None:
    # the value a^c is finite; c a^(c-1) is beyond the float range with the sign of c * a^(c-1)
    x = Value(a)
    y = x**c
    y.backward()
    assert math.isfinite(y.data)
    assert x.grad == math.copysign(math.inf, sign)


# ---- relu at its kink and NaN -----------------------------------------------------------------


@pytest.mark.parametrize("x", [0.0, -0.0, -3.0])
def test_relu_is_flat_at_and_below_zero(x: float) -> None:
    v = Value(x)
    y = v.relu()
    y.backward()
    assert (y.data, v.grad) == (0.0, 0.0)


def test_relu_and_log_propagate_nan() -> None:
    v = Value(math.nan)
    y = v.relu()
    y.backward()
    assert math.isnan(y.data)
    assert v.grad == 1.0  # as PyTorch: the derivative of relu is 0 only where x <= 0
    assert math.isnan(Value(math.nan).log().data)
