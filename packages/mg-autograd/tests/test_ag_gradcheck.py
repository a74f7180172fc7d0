"""gradcheck: agrees with a correct backward, catches a wrong one and lists every mismatch."""

from __future__ import annotations

import math

import mg_autograd as ag
import pytest
from mg_autograd import Value


def square_with_wrong_derivative(x: Value) -> Value:
    """x^2 whose recorded derivative is x instead of 2x: the classic missing factor."""
    return ag.make_node(x.data * x.data, [x], [x.data], "bad_square")


def test_correct_function_passes_and_reports_both_estimates() -> None:
    report = ag.gradcheck(lambda a, b: (a * b).tanh() + a.exp(), [0.3, -0.7])
    assert report.ok
    assert bool(report)
    assert report.mismatches == ()
    expected_a = -0.7 * (1 - math.tanh(-0.21) ** 2) + math.exp(0.3)
    assert report.analytic[0] == pytest.approx(expected_a, rel=1e-14)
    assert report.numeric[0] == pytest.approx(expected_a, rel=1e-8)


def test_wrong_derivative_is_caught() -> None:
    with pytest.raises(ag.GradcheckError) as caught:
        ag.gradcheck(square_with_wrong_derivative, [3.0])
    error = caught.value
    assert isinstance(error, RuntimeError)
    (mismatch,) = error.report.mismatches
    assert (mismatch.index, mismatch.input, mismatch.analytic) == (0, 3.0, 3.0)
    assert mismatch.numeric == pytest.approx(6.0, rel=1e-8)
    assert "input 0 (x=3.0): backward gives 3.0" in str(error)
    assert "1 input(s)" in str(error)


def test_only_the_wrong_inputs_are_listed() -> None:
    def f(a: Value, b: Value, c: Value) -> Value:
        return a * b + square_with_wrong_derivative(c) + square_with_wrong_derivative(a)

    report = ag.gradcheck(f, [1.0, 2.0, 3.0], raise_exception=False)
    assert not report.ok
    assert not bool(report)
    assert [m.index for m in report.mismatches] == [0, 2]
    with pytest.raises(ag.GradcheckError, match="2 input"):
        ag.gradcheck(f, [1.0, 2.0, 3.0])


def test_non_finite_analytic_gradient_is_a_mismatch() -> None:
    report = ag.gradcheck(
        lambda x: ag.make_node(x.data, [x], [math.inf]), [1.0], raise_exception=False
    )
    assert [m.index for m in report.mismatches] == [0]


def test_tolerances_decide() -> None:
    # a derivative that is off by 1e-4 relative passes at rtol=1e-3 and fails at rtol=1e-5
    def slightly_off(x: Value) -> Value:
        return ag.make_node(2.0 * x.data, [x], [2.0 * (1 + 1e-4)])

    assert ag.gradcheck(slightly_off, [1.0], rtol=1e-3, atol=0.0).ok
    assert not ag.gradcheck(slightly_off, [1.0], rtol=1e-5, atol=0.0, raise_exception=False).ok


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="f must return a Value, got float"):
        ag.gradcheck(lambda x: 1.0, [1.0])  # type: ignore[arg-type, return-value]
    with pytest.raises(TypeError, match=r"inputs\[1\] must be an int or float, got bool"):
        ag.gradcheck(lambda a, b: a + b, [1.0, True])
    with pytest.raises(ValueError, match=r"eps must be finite and positive, got 0\.0"):
        ag.gradcheck(lambda x: x, [1.0], eps=0.0)
    with pytest.raises(ValueError, match="eps"):
        ag.gradcheck(lambda x: x, [1.0], eps=-1e-6)
    with pytest.raises(ValueError, match="atol"):
        ag.gradcheck(lambda x: x, [1.0], atol=-1.0)
    with pytest.raises(ValueError, match="rtol"):
        ag.gradcheck(lambda x: x, [1.0], rtol=math.nan)
