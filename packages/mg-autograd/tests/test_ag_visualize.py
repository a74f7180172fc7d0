"""to_dot: parse the DOT text back and find every node, every edge, its data and grad."""

from __future__ import annotations

import re
from collections import Counter

import mg_autograd as ag
import pytest
from mg_autograd import Value

RECORD = re.compile(r'^  (v\d+) \[shape=record, label="\{ (.*) \| data (\S+) \| grad (\S+) \}"\];$')
OP_NODE = re.compile(r'^  (v\d+)_op \[label="(.*)"\];$')
EDGE = re.compile(r"^  (v\d+(?:_op)?) -> (v\d+(?:_op)?);$")


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


class Parsed:
    def __init__(self, text: str) -> None:
        lines = text.splitlines()
        assert lines[0] == "digraph mg {"
        assert lines[-1] == "}"
        assert text.endswith("}\n")
        self.rankdir = lines[1]
        self.records: dict[str, tuple[str, str, str]] = {}
        self.ops: dict[str, str] = {}
        self.edges: list[tuple[str, str]] = []
        for line in lines[2:-1]:
            if m := RECORD.match(line):
                self.records[m[1]] = (_unescape(m[2].strip()), m[3], m[4])
            elif m := OP_NODE.match(line):
                self.ops[m[1]] = _unescape(m[2])
            elif m := EDGE.match(line):
                self.edges.append((m[1], m[2]))
            else:
                raise AssertionError(f"unparsed line {line!r}")

    def node_by_label(self) -> dict[str, str]:
        return {label: node for node, (label, _, _) in self.records.items()}


def _graph() -> tuple[list[Value], Value]:
    x, w, b = Value(2.0, label="x"), Value(-0.5, label="w"), Value(0.25, label="b")
    h = ag.dot([w], [x], b)
    h.label = "h"
    sq = h * h
    sq.label = "sq"
    t = (sq + x).tanh()
    t.label = "t"
    y = t * w
    y.label = "y"
    return [x, w, b, h, sq, t, y], y


def test_every_node_and_edge_is_present() -> None:
    nodes, y = _graph()
    y.backward()
    parsed = Parsed(ag.to_dot(y))
    # one anonymous node: the (sq + x) sum
    assert len(parsed.records) == len(nodes) + 1
    ids = parsed.node_by_label()
    for node in nodes:
        _, data, grad = parsed.records[ids[node.label]]
        assert (data, grad) == (f"{node.data:.4f}", f"{node.grad:.4f}")
    anonymous = [n for n, (label, _, _) in parsed.records.items() if label == ""]
    assert len(anonymous) == 1
    ids[""] = anonymous[0]

    labels = {node: node.label for node in nodes}
    s = nodes[5].parents[0]
    labels[s] = ""
    expected_edges: Counter[tuple[str, str]] = Counter()
    expected_ops = {}
    for node in [*nodes, s]:
        if node.parents:
            expected_ops[ids[labels[node]]] = node.op
            expected_edges[(ids[labels[node]] + "_op", ids[labels[node]])] += 1
            for parent in node.parents:
                expected_edges[(ids[labels[parent]], ids[labels[node]] + "_op")] += 1
    assert parsed.ops == expected_ops
    assert Counter(parsed.edges) == expected_edges
    # h * h draws two edges from h into the product
    assert expected_edges[(ids["h"], ids["sq"] + "_op")] == 2


def test_leaf_alone_and_rankdir() -> None:
    parsed = Parsed(ag.to_dot(Value(1.0, label="x"), rankdir="TB"))
    assert parsed.rankdir == "  rankdir=TB;"
    assert list(parsed.records.values()) == [("x", "1.0000", "0.0000")]
    assert parsed.edges == []
    assert Parsed(ag.to_dot(Value(1.0))).rankdir == "  rankdir=LR;"


def test_labels_and_ops_are_escaped() -> None:
    x = Value(1.0, label='a|b{c}"d<e>\\')
    y = ag.make_node(1.0, [x], [1.0], op="f|g")
    parsed = Parsed(ag.to_dot(y))
    assert ('a|b{c}"d<e>\\', "1.0000", "0.0000") in parsed.records.values()
    assert list(parsed.ops.values()) == ["f|g"]


def test_output_is_deterministic() -> None:
    assert ag.to_dot(_graph()[1]) == ag.to_dot(_graph()[1])


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="to_dot needs a Value, got float"):
        ag.to_dot(1.0)  # type: ignore[arg-type]  # the wrong type is what is tested
    with pytest.raises(ValueError, match="rankdir must be one of"):
        ag.to_dot(Value(1.0), rankdir="XY")


def test_a_newline_in_a_label_is_a_dot_line_break() -> None:
    x = Value(1.0, label="two\nlines\r\nthree\rfour")
    record = ag.to_dot(x).splitlines()[2]
    assert record == (
        '  v0 [shape=record, label="{ two\\nlines\\nthree\\nfour | data 1.0000 | grad 0.0000 }"];'
    )
