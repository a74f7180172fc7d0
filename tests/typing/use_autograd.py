"""A user's code against mg_autograd: every public name, with the types a checker must infer."""

from __future__ import annotations

from typing import assert_type

import mg_autograd
from mg_autograd import (
    GradcheckError,
    GradcheckReport,
    Mismatch,
    Number,
    Value,
    ValueLike,
    detect_anomaly,
    dot,
    gradcheck,
    is_anomaly_enabled,
    is_grad_enabled,
    make_node,
    no_grad,
    sum,  # noqa: A004 - mg_autograd.sum is a public name a user may import
    to_dot,
    topological_order,
)

assert_type(mg_autograd.__version__, str)

x = Value(2.0, label="x")
y = Value(3)
assert_type(x.data, float)
assert_type(x.grad, float)
assert_type(x.label, str)

operands: list[ValueLike] = [x, 1.5, 2]
n: Number = 3
assert_type(x + y, Value)
assert_type(x + 1, Value)
assert_type(1.0 + x, Value)
assert_type(x - y, Value)
assert_type(2 - x, Value)
assert_type(x * 3.0, Value)
assert_type(3 * x, Value)
assert_type(x / y, Value)
assert_type(1 / x, Value)
assert_type(-x, Value)
assert_type(x**2, Value)
assert_type(x**y, Value)
assert_type(n**x, Value)
assert_type(x.relu(), Value)
assert_type(x.tanh(), Value)
assert_type(x.exp(), Value)
assert_type(x.log(), Value)
assert_type(x.sigmoid(), Value)
assert_type(x.softplus(), Value)
assert_type(sum(operands), Value)
assert_type(dot([x, y], [1.0, 2.0]), Value)
assert_type(dot([x, y], [y, x], bias=0.5), Value)
assert_type(make_node(1.0, [x], [2.0], op="double"), Value)

loss = dot([x, y], [y, x]).tanh()
assert_type(loss.backward(), None)
assert_type(loss.op, str)
assert_type(loss.parents, tuple[Value, ...])
assert_type(loss.local_grads, tuple[float, ...])
assert_type(loss.is_leaf(), bool)
assert_type(topological_order(loss), list[Value])
assert_type(to_dot(loss), str)

with no_grad():
    assert_type(is_grad_enabled(), bool)
with detect_anomaly():
    assert_type(is_anomaly_enabled(), bool)


def f(a: Value, b: Value) -> Value:
    return a * b + a.exp()


report = gradcheck(f, [0.5, -1.0], eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=False)
assert_type(report, GradcheckReport)
assert_type(report.ok, bool)
assert_type(report.analytic, tuple[float, ...])
assert_type(report.numeric, tuple[float, ...])
for mismatch in report.mismatches:
    assert_type(mismatch, Mismatch)
    assert_type(mismatch.index, int)
    assert_type(mismatch.analytic, float)
try:
    gradcheck(f, [0.5, -1.0])
except GradcheckError as error:
    assert_type(error.report, GradcheckReport)
