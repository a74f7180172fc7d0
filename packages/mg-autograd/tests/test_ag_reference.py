"""Every operation form against PyTorch float64 (values and gradients), from reference/ops.json.

The JSON is written by reference/generate.py; each case names a form, and ``FORMS`` below
rebuilds that form with mg-autograd. Tolerance: 4 ulps relative, or 1e-14 absolute. Measured
worst cases: 1-2 ulps for the single ops (libm ``pow``/``exp``/``tanh`` and the order of the
additions inside ``torch.dot``/``torch.sum`` may differ in the last bit); absolute errors up to
7e-15 where a result cancels - ``1 - tanh(x)^2`` near |tanh| = 1, and the composite graphs whose
gradients sum terms of size ~30 - so there a relative bound would be dishonest.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Callable, NamedTuple

import mg_autograd as ag
import pytest
from mg_autograd import Value

REFERENCE = Path(__file__).parent / "reference" / "ops.json"
REL = 4 * 2.0**-52
ABS = 1e-14

Form = Callable[[list[Value], list[float]], Value]


def _alternating(xs: list[Value], cs: list[float]) -> list[ag.ValueLike]:
    out: list[ag.ValueLike] = []
    for i in range(max(len(xs), len(cs))):
        if i < len(xs):
            out.append(xs[i])
        if i < len(cs):
            out.append(cs[i])
    return out


def _make_node(x: list[Value], c: list[float]) -> Value:
    a, b = x
    return ag.make_node(
        a.data * math.sin(b.data), [a, b], [math.sin(b.data), a.data * math.cos(b.data)], "asin"
    )


def _diamond(x: list[Value], c: list[float]) -> Value:
    a = x[0]
    c1 = a * 3.0
    b = c1.tanh() * c1
    return b + c1.exp() / a


def _neurons(x: list[Value], c: list[float]) -> Value:
    inputs, w, b = x[0:3], x[3:9], x[9:11]
    h0 = ag.dot(w[0:3], inputs, b[0]).tanh()
    h1 = ag.dot(w[3:6], inputs, b[1]).sigmoid()
    return (h0 * h1 - c[0]) ** 2 + (h0 - h1).softplus().log()


FORMS: dict[str, Form] = {
    "add_vv": lambda x, c: x[0] + x[1],
    "add_vn": lambda x, c: x[0] + c[0],
    "add_nv": lambda x, c: c[0] + x[0],
    "sub_vv": lambda x, c: x[0] - x[1],
    "sub_vn": lambda x, c: x[0] - c[0],
    "sub_nv": lambda x, c: c[0] - x[0],
    "mul_vv": lambda x, c: x[0] * x[1],
    "mul_vn": lambda x, c: x[0] * c[0],
    "mul_nv": lambda x, c: c[0] * x[0],
    "div_vv": lambda x, c: x[0] / x[1],
    "div_vn": lambda x, c: x[0] / c[0],
    "div_nv": lambda x, c: c[0] / x[0],
    "neg": lambda x, c: -x[0],
    "pow_vv": lambda x, c: x[0] ** x[1],
    "pow_vn": lambda x, c: x[0] ** c[0],
    "pow_nv": lambda x, c: c[0] ** x[0],
    "relu": lambda x, c: x[0].relu(),
    "tanh": lambda x, c: x[0].tanh(),
    "exp": lambda x, c: x[0].exp(),
    "log": lambda x, c: x[0].log(),
    "sigmoid": lambda x, c: x[0].sigmoid(),
    "softplus": lambda x, c: x[0].softplus(),
    "sum": lambda x, c: ag.sum(x),
    "sum_mixed": lambda x, c: ag.sum(_alternating(x, c)),
    "dot": lambda x, c: ag.dot(x[: len(x) // 2], x[len(x) // 2 :]),
    "dot_bias": lambda x, c: ag.dot(x[: len(x) // 2], x[len(x) // 2 : -1], x[-1]),
    "dot_const_weights": lambda x, c: ag.dot(c[:-1], x, c[-1]),
    "dot_const_inputs": lambda x, c: ag.dot(x[:-1], c, x[-1]),
    "dot_mixed": lambda x, c: ag.dot([x[0], c[0], x[1]], [c[1], x[2], x[3]], c[2]),
    "make_node": _make_node,
    "composite_diamond": _diamond,
    "composite_neurons": _neurons,
}


class Case(NamedTuple):
    op: str
    x: list[float]
    c: list[float]
    value: float
    grad: list[float]


def _decode(v: object) -> float:
    """A JSON number, or one of the strings "nan", "inf", "-inf" the generator writes."""
    if isinstance(v, str) and v in ("nan", "inf", "-inf"):
        return float(v)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v) if isinstance(v, float) else v  # keep int constants ints
    raise ValueError(f"unexpected reference entry {v!r}")


def _floats(v: object) -> list[float]:
    if not isinstance(v, list):
        raise ValueError(f"expected a list, got {v!r}")
    return [_decode(item) for item in v]


def _load() -> list[Case]:
    payload = json.loads(REFERENCE.read_text(encoding="utf-8"))
    assert payload["dtype"] == "float64"
    return [
        Case(
            str(c["op"]), _floats(c["x"]), _floats(c["c"]), _decode(c["value"]), _floats(c["grad"])
        )
        for c in payload["cases"]
    ]


CASES = _load()


def _close(got: float, want: float) -> bool:
    if math.isnan(want) or math.isnan(got):
        return math.isnan(want) and math.isnan(got)
    if math.isinf(want) or math.isinf(got):
        return got == want
    return math.isclose(got, want, rel_tol=REL, abs_tol=ABS)


def test_every_form_has_reference_cases() -> None:
    assert {case.op for case in CASES} == set(FORMS)


def test_reference_covers_int_constants_and_non_finite_gradients() -> None:
    assert any(type(c) is int for case in CASES for c in case.c)
    assert any(math.isnan(g) for case in CASES for g in case.grad)
    assert any(math.isinf(g) for case in CASES for g in case.grad)


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{case.op}" for i, case in enumerate(CASES)])
def test_matches_torch(case: Case) -> None:
    leaves = [Value(v) for v in case.x]
    out = FORMS[case.op](leaves, case.c)
    out.backward()
    assert _close(out.data, case.value), (out.data, case.value)
    got = [leaf.grad for leaf in leaves]
    assert all(_close(g, w) for g, w in zip(got, case.grad)), (got, case.grad)
