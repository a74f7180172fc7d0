"""trace_backward: the same sweep as backward(), bit for bit, written down edge by edge.

Every comparison with ``backward()`` builds the graph twice from the same inputs and runs
``backward()`` on one copy and ``trace_backward`` on the other, then compares every node's
gradient by its bits (``float.hex``, which also tells -0.0 from 0.0).
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict

import mg_autograd as ag
import pytest
import test_ag_fuzz as fuzz
from hypothesis import given
from mg_autograd import BackwardStep, BackwardTrace, Value
from mg_autograd.visualize import numbered_nodes


def bits(root: Value) -> list[str]:
    return [node.grad.hex() for node in numbered_nodes(root)]


def micrograd_readme_expression() -> tuple[Value, Value, Value]:
    """The example at the top of micrograd's README (karpathy/micrograd), labelled here."""
    a = Value(-4.0, label="a")
    b = Value(2.0, label="b")
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.label = "g"
    return a, b, g


def test_micrograd_readme_expression_matches_backward_and_micrograds_numbers() -> None:
    a, b, g = micrograd_readme_expression()
    trace = ag.trace_backward(g)
    # the numbers micrograd's README prints for this expression
    assert (f"{g.data:.4f}", f"{a.grad:.4f}", f"{b.grad:.4f}") == (
        "24.7041",
        "138.8338",
        "645.5773",
    )
    _, _, reference = micrograd_readme_expression()
    reference.backward()
    assert bits(g) == bits(reference)
    assert trace.root == "g"
    assert [step.parent_grad for step in trace if step.parent == "a"][-1] == a.grad


def check_trace_against_the_graph(
    root: Value, trace: BackwardTrace, before: dict[Value, float]
) -> None:
    """What every trace must satisfy, checked from the graph and the final gradients alone."""
    order = ag.topological_order(root)
    ids = {node: n for n, node in enumerate(numbered_nodes(root))}
    expected_edges = [
        (ids[node], operand, ids[parent])
        for node in reversed(order)
        for operand, parent in enumerate(node.parents)
    ]
    assert [(s.node_id, s.operand, s.parent_id) for s in trace] == expected_edges
    assert [s.step for s in trace] == list(range(1, len(trace) + 1))
    by_id = {n: node for node, n in ids.items()}
    running: dict[int, float] = defaultdict(float)
    for node, grad in before.items():
        if node in ids:  # a leaf the graph does not use is not in it
            running[ids[node]] = grad
    for step in trace:
        node, parent = by_id[step.node_id], by_id[step.parent_id]
        assert step.op == node.op
        assert step.upstream.hex() == node.grad.hex()  # final before the node pushes anything
        assert step.local.hex() == node.local_grads[step.operand].hex()
        assert step.contribution.hex() == (step.local * step.upstream).hex()
        running[step.parent_id] += step.contribution
        assert step.parent_grad.hex() == running[step.parent_id].hex()
        assert (step.node, step.parent) == (_name(node, ids), _name(parent, ids))
    for node, n in ids.items():
        if n in running and node is not root:
            assert node.grad.hex() == running[n].hex()


def _name(node: Value, ids: dict[Value, int]) -> str:
    return node.label or f"{node.op or 'leaf'}#{ids[node]}"


@fuzz._settings(300)
@given(fuzz.graphs)
def test_fuzz_graphs_trace_is_bit_identical_to_backward(graph: fuzz.Graph) -> None:
    plan = fuzz.Plan()
    with ag.no_grad():
        fuzz.GraphFunction(graph, plan, [], fuzz.Fault())(*(Value(x) for x in graph.leaves))

    def build() -> tuple[Value, list[Value]]:
        leaves = [Value(x) for x in graph.leaves]
        for i, leaf in enumerate(leaves):
            leaf.grad = 0.125 * i  # leaves accumulate: start from something
        return fuzz.GraphFunction(graph, plan, [], fuzz.Fault())(*leaves), leaves

    reference, _ = build()
    reference.backward()
    root, leaves = build()
    before = {leaf: leaf.grad for leaf in leaves}
    trace = ag.trace_backward(root)
    assert bits(root) == bits(reference)
    check_trace_against_the_graph(root, trace, before)
    # a second sweep accumulates into the leaves exactly as a second backward() does
    reference.backward()
    ag.trace_backward(root)
    assert bits(root) == bits(reference)


def test_names_ids_and_steps_of_a_small_graph() -> None:
    x = Value(2.0, label="x")
    z = (x * x).tanh()
    z.label = "z"
    out = z + Value(1.0)
    trace = ag.trace_backward(out)
    t = math.tanh(4.0)
    # pre-order numbering as in to_dot: v0 = out, v1 = z, v2 = x * x, v3 = x, v4 = the 1.0
    assert 'v3 [shape=record, label="{ x |' in ag.to_dot(out)
    assert trace == BackwardTrace(
        "+#0",
        [
            BackwardStep(1, "+#0", 0, "+", 1.0, 0, "z", 1, 1.0, 1.0, 1.0),
            BackwardStep(2, "+#0", 0, "+", 1.0, 1, "leaf#4", 4, 1.0, 1.0, 1.0),
            BackwardStep(3, "z", 1, "tanh", 1.0, 0, "*#2", 2, 1 - t * t, 1 - t * t, 1 - t * t),
            BackwardStep(
                4, "*#2", 2, "*", 1 - t * t, 0, "x", 3, 2.0, 2 * (1 - t * t), 2 * (1 - t * t)
            ),
            BackwardStep(
                5, "*#2", 2, "*", 1 - t * t, 1, "x", 3, 2.0, 2 * (1 - t * t), 4 * (1 - t * t)
            ),
        ],
    )
    assert x.grad == 4 * (1 - t * t)


def test_leaf_root_gives_an_empty_trace_and_accumulates_one() -> None:
    leaf = Value(3.0, label="w")
    trace = ag.trace_backward(leaf)
    assert len(trace) == 0
    assert list(trace) == []
    assert leaf.grad == 1.0
    ag.trace_backward(leaf)
    assert leaf.grad == 2.0  # as backward() does twice
    assert str(trace).splitlines()[2] == "(no steps: a leaf root pushes no gradient)"


def test_non_value_root_is_a_type_error_naming_the_type() -> None:
    with pytest.raises(TypeError, match=r"trace_backward needs a Value, got float: 2\.5"):
        ag.trace_backward(2.5)  # type: ignore[arg-type]  # the wrong type is what is tested
    with pytest.raises(TypeError, match="got list"):
        ag.trace_backward([Value(1.0)])  # type: ignore[arg-type]


def anomaly_graph() -> tuple[Value, list[Value]]:
    """Gradients flow into y and z before sqrt at 0 sends inf into x."""
    x, y, z = Value(0.0, label="x"), Value(1.5, label="y"), Value(-2.0, label="z")
    out = (y * z) + (x**0.5) * 2.0 + z.exp()
    return out, [x, y, z]


def test_under_detect_anomaly_the_trace_stops_where_backward_stops() -> None:
    reference, _ = anomaly_graph()
    with ag.detect_anomaly(), pytest.raises(FloatingPointError) as expected:
        reference.backward()
    root, _ = anomaly_graph()
    with ag.detect_anomaly(), pytest.raises(FloatingPointError) as caught:
        ag.trace_backward(root)
    assert str(caught.value) == str(expected.value)
    assert "backward of '**'" in str(caught.value)
    assert bits(root) == bits(reference)  # the same partial sweep, to the bit


def test_outside_detect_anomaly_the_trace_shows_where_inf_entered() -> None:
    root, (x, _, _) = anomaly_graph()
    trace = ag.trace_backward(root)
    into_x = [step for step in trace if step.parent == "x"]
    assert len(into_x) == 1
    assert into_x[0].local == math.inf
    assert x.grad == math.inf
    row = str(trace).splitlines()[4 + into_x[0].step - 1].split()
    assert (row[0], row[4], row[5]) == (str(into_x[0].step), "x", "inf")


def test_finite_trace_is_the_same_inside_detect_anomaly() -> None:
    outside = ag.trace_backward(micrograd_readme_expression()[2])
    with ag.detect_anomaly():
        inside = ag.trace_backward(micrograd_readme_expression()[2])
    assert inside == outside
    assert hash(inside) == hash(outside)


def test_table_of_one_step_by_hand() -> None:
    x = Value(2.0, label="x")
    y = x * 3
    y.label = "y"
    assert str(ag.trace_backward(y)) == (
        "backward from y (L = y, dL/dL = 1); each step: "
        "parent grad += contribution = local * upstream\n"
        "upstream = dL/dnode (complete when the node's first step runs), local = dnode/dparent\n"
        "step  node  op  upstream  parent  local  contribution  parent grad\n"
        "----  ----  --  --------  ------  -----  ------------  -----------\n"
        "   1  y     *          1  x           3             3            3"
    )


def chain_trace(steps: int) -> BackwardTrace:
    v = Value(1.0, label="x0")
    for i in range(steps):
        v = v * 1.5
        v.label = f"x{i + 1}"
    return ag.trace_backward(v)


def test_max_rows_keeps_the_first_and_last_rows() -> None:
    trace = chain_trace(10)
    full = trace.format().splitlines()
    assert full == str(trace).splitlines()
    assert len(full) == 4 + 10
    four = trace.format(max_rows=4).splitlines()
    assert four[:6] == full[:6]
    assert four[6] == "... 6 more steps ..."
    assert four[7:] == full[-2:]
    five = trace.format(max_rows=5).splitlines()
    assert [line.split()[0] for line in five[4:]] == ["1", "2", "3", "...", "9", "10"]
    one = trace.format(max_rows=1).splitlines()
    assert [line.split()[0] for line in one[4:]] == ["1", "..."]
    assert trace.format(max_rows=10) == trace.format(max_rows=99) == trace.format()


@pytest.mark.parametrize(
    ("bad", "error"),
    [(0, ValueError), (-3, ValueError), (True, TypeError), ("5", TypeError), (2.0, TypeError)],
)
def test_max_rows_must_be_a_positive_int(bad: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="max_rows"):
        chain_trace(3).format(max_rows=bad)  # type: ignore[arg-type]  # wrong on purpose


def test_the_trace_is_an_immutable_sequence_of_frozen_steps() -> None:
    trace = chain_trace(5)
    assert trace[0].step == 1
    assert trace[-1].parent == "x0"
    part = trace[1:3]
    assert isinstance(part, BackwardTrace)
    assert [s.step for s in part] == [2, 3]  # steps keep their numbers in a slice
    assert part.format().splitlines()[4].split()[0] == "2"
    assert trace.index(trace[2]) == 2
    assert trace[2] in trace
    assert repr(trace) == "<BackwardTrace from 'x5': 5 steps>"
    assert trace != chain_trace(4)
    assert (trace == "not a trace") is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        trace[0].parent_grad = 0.0  # type: ignore[misc]  # frozen on purpose
    with pytest.raises(AttributeError):
        trace.root = "y"  # type: ignore[misc]  # read-only on purpose
