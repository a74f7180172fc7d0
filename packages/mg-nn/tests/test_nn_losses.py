"""Losses: against PyTorch float64 references, central differences and their naive forms."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mg_autograd import Value, ValueLike, gradcheck, no_grad
from mg_autograd import sum as vsum
from mg_nn import binary_cross_entropy_with_logits, cross_entropy, hinge_loss, mse_loss

REFERENCE = json.loads(
    (Path(__file__).parent / "reference" / "losses.json").read_text(encoding="utf-8")
)

FlatLoss = Callable[[Sequence[ValueLike], Sequence[float]], Value]
FLAT: dict[str, FlatLoss] = {
    "mse_loss": mse_loss,
    "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
    "hinge_loss": hinge_loss,
}
FLAT_CASES = [(name, case) for name in FLAT for case in REFERENCE[name]]
FLAT_IDS = [f"{name}-{case['name']}" for name, case in FLAT_CASES]
CE_CASES = REFERENCE["cross_entropy"]
SMOOTH = settings(derandomize=True, deadline=None, max_examples=30)


def close(actual: float, expected: float, rel: float = 1e-12) -> bool:
    """Relative agreement, with a floor of 1e-15 for values that are 0 up to rounding."""
    return abs(actual - expected) <= rel * abs(expected) + 1e-15


def call_flat(name: str, values: Sequence[Value], targets: Sequence[float]) -> Value:
    return FLAT[name](values, targets)


def rows_of(flat: Sequence[Value], width: int) -> list[list[Value]]:
    return [list(flat[i : i + width]) for i in range(0, len(flat), width)]


# ---- PyTorch references ----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "case"), FLAT_CASES, ids=FLAT_IDS)
def test_flat_loss_matches_pytorch(name: str, case: dict[str, list[float]]) -> None:
    predictions = [Value(p) for p in case["predictions"]]
    loss = call_flat(name, predictions, case["targets"])
    assert close(loss.data, float(case["loss"]))  # type: ignore[arg-type]  # JSON number
    loss.backward()
    assert len(case["grad"]) == len(predictions)
    for p, expected in zip(predictions, case["grad"]):
        assert close(p.grad, expected), (p.grad, expected)


@pytest.mark.parametrize("case", CE_CASES, ids=[c["name"] for c in CE_CASES])
def test_cross_entropy_matches_pytorch(case: dict[str, list[list[float]]]) -> None:
    logits = [[Value(z) for z in row] for row in case["logits"]]
    loss = cross_entropy(logits, case["targets"])  # type: ignore[arg-type]  # JSON ints
    assert close(loss.data, float(case["loss"]))  # type: ignore[arg-type]  # JSON number
    loss.backward()
    for row, expected_row in zip(logits, case["grad"]):
        for z, expected in zip(row, expected_row):
            assert close(z.grad, expected), (z.grad, expected)


# ---- central differences ---------------------------------------------------------------------


def _smooth(name: str, case: dict[str, list[float]]) -> bool:
    """A hinge case with a score exactly on the kink has no derivative to difference."""
    if name != "hinge_loss":
        return True
    return all(1.0 - y * s != 0.0 for s, y in zip(case["predictions"], case["targets"]))


@pytest.mark.parametrize(
    ("name", "case"),
    [(n, c) for n, c in FLAT_CASES if _smooth(n, c)],
    ids=[i for i, (n, c) in zip(FLAT_IDS, FLAT_CASES) if _smooth(n, c)],
)
def test_flat_loss_matches_central_differences(name: str, case: dict[str, list[float]]) -> None:
    targets = case["targets"]
    assert gradcheck(lambda *v: call_flat(name, v, targets), case["predictions"])


@pytest.mark.parametrize("case", CE_CASES, ids=[c["name"] for c in CE_CASES])
def test_cross_entropy_matches_central_differences(case: dict[str, list[list[float]]]) -> None:
    width = len(case["logits"][0])
    flat = [z for row in case["logits"] for z in row]
    targets: list[int] = case["targets"]  # type: ignore[assignment]  # JSON ints
    assert gradcheck(lambda *v: cross_entropy(rows_of(v, width), targets), flat)


finite = st.floats(min_value=-6.0, max_value=6.0, allow_nan=False)


@SMOOTH
@given(st.lists(st.tuples(finite, finite), min_size=1, max_size=6))
def test_mse_gradient_is_central_difference(pairs: list[tuple[float, float]]) -> None:
    targets = [y for _, y in pairs]
    assert gradcheck(lambda *v: mse_loss(v, targets), [p for p, _ in pairs])


@SMOOTH
@given(st.lists(st.tuples(finite, st.floats(min_value=0.0, max_value=1.0)), min_size=1, max_size=6))
def test_bce_gradient_is_central_difference(pairs: list[tuple[float, float]]) -> None:
    targets = [y for _, y in pairs]
    assert gradcheck(lambda *v: binary_cross_entropy_with_logits(v, targets), [z for z, _ in pairs])


@SMOOTH
@given(
    st.lists(
        st.tuples(finite, st.sampled_from([-1.0, 1.0])).filter(
            lambda sy: abs(1.0 - sy[0] * sy[1]) > 1e-3
        ),
        min_size=1,
        max_size=6,
    )
)
def test_hinge_gradient_is_central_difference(pairs: list[tuple[float, float]]) -> None:
    targets = [y for _, y in pairs]
    assert gradcheck(lambda *v: hinge_loss(v, targets), [s for s, _ in pairs])


@SMOOTH
@given(st.integers(1, 4), st.integers(1, 3), st.data())
def test_cross_entropy_gradient_is_central_difference(
    classes: int, batch: int, data: st.DataObject
) -> None:
    flat = data.draw(st.lists(finite, min_size=classes * batch, max_size=classes * batch))
    targets = data.draw(st.lists(st.integers(0, classes - 1), min_size=batch, max_size=batch))
    assert gradcheck(lambda *v: cross_entropy(rows_of(v, classes), targets), flat)


# ---- the fused node equals its naive form, and is one node -----------------------------------


def naive(name: str, values: Sequence[Value], targets: Sequence[float]) -> Value:
    """Each loss's docstring formula, written with elementary mg-autograd operations."""
    if name == "mse_loss":
        terms = [(v - y) * (v - y) for v, y in zip(values, targets)]
    elif name == "binary_cross_entropy_with_logits":
        terms = [(-v).softplus() * y + v.softplus() * (1.0 - y) for v, y in zip(values, targets)]
    else:
        terms = [(1.0 - y * v).relu() for v, y in zip(values, targets)]
    return vsum(terms) / len(terms)


@pytest.mark.parametrize("name", list(FLAT))
@SMOOTH
@given(st.lists(finite, min_size=1, max_size=6), st.data())
def test_fused_loss_equals_naive_form(name: str, xs: list[float], data: st.DataObject) -> None:
    if name == "mse_loss":
        target = finite
    elif name == "hinge_loss":
        target = st.sampled_from([-1.0, 1.0])
    else:
        target = st.floats(min_value=0.0, max_value=1.0)
    targets = data.draw(st.lists(target, min_size=len(xs), max_size=len(xs)))
    fused_in = [Value(x) for x in xs]
    naive_in = [Value(x) for x in xs]
    fused = call_flat(name, fused_in, targets)
    slow = naive(name, naive_in, targets)
    assert close(fused.data, slow.data, 1e-13)
    fused.backward()
    slow.backward()
    for a, b in zip(fused_in, naive_in):
        assert close(a.grad, b.grad, 1e-13)


@pytest.mark.parametrize("name", list(FLAT))
def test_flat_loss_is_one_node_over_the_predictions(name: str) -> None:
    predictions = [Value(0.5), Value(-2.0), Value(0.25)]
    loss = call_flat(name, predictions, [1.0, 1.0, 1.0])  # every hinge margin violated
    assert loss.op == name
    assert loss.parents == tuple(predictions)


def test_cross_entropy_is_one_node_over_the_logits_row_major() -> None:
    logits = [[Value(1.0), Value(2.0)], [Value(0.5), Value(-1.0)]]
    loss = cross_entropy(logits, [1, 0])
    assert loss.op == "cross_entropy"
    assert loss.parents == (logits[0][0], logits[0][1], logits[1][0], logits[1][1])


def test_hinge_leaves_out_scores_whose_margin_is_met() -> None:
    met, violated = Value(2.0), Value(0.5)
    loss = hinge_loss([met, violated], [1.0, 1.0])
    assert loss.parents == (violated,)
    assert loss.data == 0.25
    loss.backward()
    assert (met.grad, violated.grad) == (0.0, -0.5)


@pytest.mark.parametrize("name", list(FLAT))
def test_plain_numbers_among_predictions_are_constants(name: str) -> None:
    targets = [1.0, -1.0, 1.0] if name == "hinge_loss" else [1.0, 0.0, 0.5]
    first, last = Value(0.3), Value(0.1)
    mixed_in: list[ValueLike] = [first, -0.7, last]
    all_in = [Value(0.3), Value(-0.7), Value(0.1)]
    mixed = FLAT[name](mixed_in, targets)
    full = call_flat(name, all_in, targets)
    assert mixed.data == full.data
    assert mixed.parents == (first, last)
    mixed.backward()
    full.backward()
    assert (first.grad, last.grad) == (all_in[0].grad, all_in[2].grad)


def test_cross_entropy_accepts_plain_numbers_among_logits() -> None:
    z = Value(2.0)
    loss = cross_entropy([[z, 0.0, -1]], [0])
    assert loss.parents == (z,)
    loss.backward()
    s = math.exp(2.0) + 1.0 + math.exp(-1.0)
    assert close(loss.data, math.log(s) - 2.0)
    assert close(z.grad, math.exp(2.0) / s - 1.0)


def test_losses_build_no_graph_under_no_grad() -> None:
    with no_grad():
        loss = mse_loss([Value(1.0), Value(3.0)], [0.0, 0.0])
    assert loss.is_leaf()
    assert loss.data == 5.0


# ---- stability at extreme inputs ---------------------------------------------------------------


def test_bce_is_exact_for_huge_logits() -> None:
    # l(z, y) = max(z, 0) - z y + log1p(e^-|z|): at |z| = 1e4 the log term underflows to 0.
    z = [Value(1e4), Value(-1e4), Value(1e4), Value(-1e4)]
    loss = binary_cross_entropy_with_logits(z, [0.0, 1.0, 1.0, 0.0])
    assert loss.data == (1e4 + 1e4 + 0.0 + 0.0) / 4
    loss.backward()
    assert [v.grad for v in z] == [0.25, -0.25, 0.0, 0.0]


def test_cross_entropy_is_finite_for_huge_logits() -> None:
    row = [Value(1e5), Value(1e5 - math.log(3.0)), Value(-1e5)]
    loss = cross_entropy([row], [1])
    # softmax = (3/4, 1/4, 0) up to rounding, so the loss is log 4 and grad = softmax - onehot
    assert close(loss.data, math.log(4.0), 1e-10)
    loss.backward()
    for v, expected in zip(row, [0.75, 0.25 - 1.0, 0.0]):
        assert close(v.grad, expected, 1e-10)


# ---- bad input -----------------------------------------------------------------------------------

BAD_FLAT: list[tuple[str, object, object, type[Exception], str]] = [
    ("mse_loss", [Value(1.0)], [1.0, 2.0], ValueError, r"1 predictions but 2 targets"),
    ("mse_loss", [], [], ValueError, r"predictions is empty"),
    ("mse_loss", "ab", [1.0, 2.0], TypeError, r"predictions must be a list or tuple, got str"),
    ("mse_loss", Value(1.0), [1.0], TypeError, r"predictions must be a list or tuple, got Value"),
    ("mse_loss", [Value(1.0), "x"], [0.0, 0.0], TypeError, r"predictions\[1\].*str: 'x'"),
    ("mse_loss", [True], [0.0], TypeError, r"predictions\[0\].*bool: True"),
    ("mse_loss", [Value(1.0)], 1.0, TypeError, r"targets must be a list or tuple, got float"),
    ("mse_loss", [Value(1.0)], [Value(2.0)], TypeError, r"targets\[0\].*Value.*pass v.data"),
    ("mse_loss", [Value(1.0)], [False], TypeError, r"targets\[0\].*bool: False"),
    ("mse_loss", [Value(1.0)], ["1"], TypeError, r"targets\[0\].*str: '1'"),
    ("mse_loss", [1.0, 2.0], [0.0, math.nan], ValueError, r"targets\[1\] must be a finite.*nan"),
    ("mse_loss", [1.0], [math.inf], ValueError, r"targets\[0\] must be a finite.*inf"),
    ("binary_cross_entropy_with_logits", [1.0], [1.5], ValueError, r"targets\[0\].*\[0, 1\].*1.5"),
    ("binary_cross_entropy_with_logits", [1.0], [-0.1], ValueError, r"targets\[0\].*-0.1"),
    ("binary_cross_entropy_with_logits", [], [], ValueError, r"logits is empty"),
    ("binary_cross_entropy_with_logits", [1.0, 2.0], [1.0], ValueError, r"2 logits but 1"),
    ("hinge_loss", [1.0, 2.0], [1.0, 0.0], ValueError, r"targets\[1\] must be -1 or \+1, got 0"),
    ("hinge_loss", [1.0], [0.5], ValueError, r"targets\[0\] must be -1 or \+1, got 0.5"),
    ("hinge_loss", [], [], ValueError, r"scores is empty"),
    ("hinge_loss", [1.0], [1.0, -1.0], ValueError, r"1 scores but 2 targets"),
]


@pytest.mark.parametrize(
    ("name", "predictions", "targets", "error", "message"),
    BAD_FLAT,
    ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD_FLAT)],
)
def test_flat_loss_rejects_bad_input(
    name: str, predictions: object, targets: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        FLAT[name](predictions, targets)  # type: ignore[arg-type]  # bad on purpose


BAD_CE: list[tuple[object, object, type[Exception], str]] = [
    ([[1.0, 2.0, 3.0]], [3], ValueError, r"targets\[0\] = 3 is out of range for 3 classes"),
    ([[1.0, 2.0], [0.0, 1.0]], [0, -1], ValueError, r"targets\[1\] = -1 is out of range"),
    ([[1.0, 2.0]], [1.0], TypeError, r"targets\[0\] must be an int class index, got float"),
    ([[1.0, 2.0]], [True], TypeError, r"targets\[0\].*bool: True"),
    ([[1.0, 2.0]], ["0"], TypeError, r"targets\[0\].*str: '0'"),
    ([[1.0, 2.0]], [0, 1], ValueError, r"1 rows of logits but 2 targets"),
    ([], [], ValueError, r"logits is empty"),
    ([[]], [0], ValueError, r"logits\[0\] is empty"),
    ([[1.0, 2.0], [1.0]], [0, 0], ValueError, r"logits\[0\] has 2, logits\[1\] has 1"),
    ([1.0, 2.0], [0], TypeError, r"logits\[0\] must be a list or tuple, got float"),
    ("ab", [0], TypeError, r"logits must be a list or tuple, got str"),
    ([[1.0, None]], [0], TypeError, r"logits\[0\]\[1\].*NoneType: None"),
    ([[1.0, 2.0]], 0, TypeError, r"targets must be a list or tuple, got int"),
]


@pytest.mark.parametrize(
    ("logits", "targets", "error", "message"), BAD_CE, ids=[str(i) for i in range(len(BAD_CE))]
)
def test_cross_entropy_rejects_bad_input(
    logits: object, targets: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        cross_entropy(logits, targets)  # type: ignore[arg-type]  # bad on purpose
