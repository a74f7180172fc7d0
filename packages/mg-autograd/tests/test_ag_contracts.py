"""Contracts the mutation run (tests/tools/mutation.py) showed were unpinned.

Each test states one fact a user can see: the op name a node records (it is what `to_dot`
draws and what `detect_anomaly` and the overflow errors name), an error message naming the
offending value, or a boundary. Expected values come from the README's operation table, from
math and from PyTorch's conventions, never from running this code.
"""

from __future__ import annotations

from collections.abc import Callable

import mg_autograd as ag
import pytest
from mg_autograd import Value


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
    assert f'[label="{op}"]' in ag.to_dot(out)
