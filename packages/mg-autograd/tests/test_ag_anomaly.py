"""detect_anomaly: the first non-finite number, forward or backward, names its op and operands.

Outside it, NaN and inf propagate silently, as in PyTorch (overflowing exp/pow and the domain
errors are the exceptions: they raise always, see test_ag_value.py).
"""

from __future__ import annotations

import math
from typing import Callable

import mg_autograd as ag
import pytest
from mg_autograd import Value


def test_forward_overflow_names_op_and_operands() -> None:
    a, b = Value(1e308), Value(10.0)
    with ag.detect_anomaly(), pytest.raises(FloatingPointError) as caught:
        a * b
    message = str(caught.value)
    assert "'*'" in message
    assert "1e+308" in message
    assert "10.0" in message
    assert "inf" in message


def test_forward_nan_names_op_and_operands() -> None:
    with ag.detect_anomaly(), pytest.raises(FloatingPointError, match=r"'-'.*nan.*\(inf, inf\)"):
        Value(math.inf) - Value(math.inf)


def test_forward_anomaly_in_a_fused_node() -> None:
    with ag.detect_anomaly(), pytest.raises(FloatingPointError, match=r"'dot'.*1e\+300"):
        ag.dot([Value(1e300)], [Value(1e300)])


def test_backward_names_op_and_operands() -> None:
    x = Value(0.0)
    y = (x**0.5) * 2.0  # d sqrt(x)/dx = 1 / (2 sqrt x) = inf at 0
    with ag.detect_anomaly(), pytest.raises(FloatingPointError) as caught:
        y.backward()
    message = str(caught.value)
    assert "backward of '**'" in message
    assert "operand values: 0.0" in message
    assert "upstream gradient 2.0" in message


def test_backward_nan_from_pow_with_a_negative_base() -> None:
    base, exponent = Value(-2.0), Value(3.0)
    y = base**exponent
    with ag.detect_anomaly(), pytest.raises(FloatingPointError, match=r"'\*\*'.*nan.*operand 1"):
        y.backward()


def test_off_nan_and_inf_propagate_silently() -> None:
    assert not ag.is_anomaly_enabled()
    big = Value(1e308) * Value(10.0)
    assert big.data == math.inf
    nan = big - big
    assert math.isnan(nan.data)
    outs = [
        nan + 1.0,
        nan * 2.0,
        nan.tanh(),
        nan.relu(),
        nan.sigmoid(),
        nan.softplus(),
        nan.exp(),
        nan.log(),
        ag.sum([nan, 1.0]),
        ag.dot([nan], [1.0]),
    ]
    assert all(math.isnan(out.data) for out in outs)

    x = Value(0.0)
    (x**0.5).backward()
    assert x.grad == math.inf  # PyTorch gives inf as well


def test_anomaly_mode_nests_and_restores() -> None:
    with ag.detect_anomaly():
        with ag.detect_anomaly():
            assert ag.is_anomaly_enabled()
        assert ag.is_anomaly_enabled()
    assert not ag.is_anomaly_enabled()
    with pytest.raises(FloatingPointError), ag.detect_anomaly():
        Value(math.inf) * 0.0
    assert not ag.is_anomaly_enabled()


def test_anomaly_checks_forward_under_no_grad() -> None:
    with ag.no_grad(), ag.detect_anomaly(), pytest.raises(FloatingPointError):
        Value(1e200) * Value(1e200)


def test_finite_graph_passes_under_anomaly_mode() -> None:
    x = Value(0.3)
    with ag.detect_anomaly():
        y = ag.dot([x, x.tanh()], [x.exp(), 2.0], x.sigmoid()).softplus()
        y.backward()
    assert math.isfinite(x.grad)


def prefix(op: str) -> str:
    return f"'{op}' produced non-finite value inf from operands "


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Value(1e308) * 10, prefix("*") + "(1e+308, 10)"),
        (lambda: 10 * Value(1e308), prefix("*") + "(10, 1e+308)"),
        (
            lambda: Value(1e308) + 1e308,
            prefix("+") + "(1e+308, 1e+308)",
        ),
        (
            lambda: 1e308 - Value(-1e308),
            prefix("-") + "(1e+308, -1e+308)",
        ),
        (
            lambda: Value(1e308) / 1e-10,
            prefix("/") + "(1e+308, 1e-10)",
        ),
        (
            lambda: 1e300 / Value(1e-10),
            prefix("/") + "(1e+300, 1e-10)",
        ),
    ],
)
def test_forward_message_names_constant_operands_too(
    build: Callable[[], Value], message: str
) -> None:
    with ag.detect_anomaly(), pytest.raises(FloatingPointError) as caught:
        build()
    assert str(caught.value) == message
