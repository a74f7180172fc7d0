"""to_mermaid: parse the flowchart back; it holds to_dot's nodes, edges and numbers, in its order.

Rendering in a real browser with the real Mermaid library is `check_mermaid.py` (tox -e
mermaid); here the text itself is checked: its structure, and that every label is escaped into
the small alphabet that cannot end a Mermaid string or start markup.
"""

from __future__ import annotations

import re

import mg_autograd as ag
import pytest
from mg_autograd import Value
from test_ag_visualize import Parsed, _graph

BOX = re.compile(r'^  (v\d+)\["([^"]*)"\]$')
CIRCLE = re.compile(r'^  (v\d+)_op\(\("([^"]*)"\)\)$')
ARROW = re.compile(r"^  (v\d+(?:_op)?) --> (v\d+(?:_op)?)$")
ESCAPED = re.compile(r"^(?:[A-Za-z0-9 .,:=+\-_()]|#\d+;)*$")
SEPARATOR = " #124; "


def decode(text: str) -> str:
    assert ESCAPED.match(text), f"unescaped character in {text!r}"
    return re.sub(r"#(\d+);", lambda m: chr(int(m[1])), text)


class ParsedMermaid:
    """The flowchart as the same (label, data, grad) records, op names and edges as `Parsed`."""

    def __init__(self, text: str) -> None:
        lines = text.splitlines()
        assert text.endswith("\n")
        self.direction = lines[0]
        self.records: dict[str, tuple[str, str, str]] = {}
        self.ops: dict[str, str] = {}
        self.edges: list[tuple[str, str]] = []
        self.order: list[str] = []
        for line in lines[1:]:
            if m := BOX.match(line):
                fields = m[2].split(SEPARATOR)
                label = decode(fields[0]) if len(fields) == 3 else ""
                data, grad = fields[-2], fields[-1]
                assert data.startswith("data ")
                assert grad.startswith("grad ")
                self.records[m[1]] = (label, decode(data)[5:], decode(grad)[5:])
                self.order.append(m[1])
            elif m := CIRCLE.match(line):
                self.ops[m[1]] = decode(m[2])
                self.order.append(m[1] + "_op")
            elif m := ARROW.match(line):
                self.edges.append((m[1], m[2]))
                self.order.append(f"{m[1]}->{m[2]}")
            else:
                raise AssertionError(f"unparsed line {line!r}")


def dot_order(text: str) -> list[str]:
    """The sequence of node and edge statements of to_dot's text."""
    order = []
    for line in text.splitlines()[2:-1]:
        if m := re.match(r"^  (v\d+(?:_op)?) \[", line):
            order.append(m[1])
        elif m := re.match(r"^  (\S+) -> (\S+);$", line):
            order.append(f"{m[1]}->{m[2]}")
    return order


def test_same_content_and_order_as_to_dot() -> None:
    nodes, y = _graph()
    y.backward()
    dot, mermaid = ag.to_dot(y), ag.to_mermaid(y)
    parsed, from_dot = ParsedMermaid(mermaid), Parsed(dot)
    assert parsed.direction == "flowchart LR"
    assert parsed.records == from_dot.records
    assert parsed.ops == from_dot.ops
    assert parsed.edges == from_dot.edges
    assert parsed.order == dot_order(dot)
    by_label = {label: (data, grad) for label, data, grad in parsed.records.values()}
    for node in nodes:
        assert by_label[node.label] == (f"{node.data:.4f}", f"{node.grad:.4f}")


NASTY = 'q"u[o]t{e}s|p<i>pe\nnew#line;50%&amp\\ \u00e9 \u03b1 \u2192 end --> x'


def test_every_special_character_is_escaped_and_comes_back() -> None:
    x = Value(-1.5, label=NASTY)
    y = ag.make_node(2.0, [x], [1.0], op='"op|<b>"]')
    parsed = ParsedMermaid(ag.to_mermaid(y))
    assert parsed.records["v1"] == (NASTY, "-1.5000", "0.0000")
    assert parsed.ops["v0"] == '"op|<b>"]'
    assert ag.to_mermaid(y).isascii()


def test_unlabelled_nodes_have_two_fields_and_leaf_alone() -> None:
    text = ag.to_mermaid(Value(3.0))
    assert text == 'flowchart LR\n  v0["data 3.0000 #124; grad 0.0000"]\n'
    parsed = ParsedMermaid(ag.to_mermaid(Value(1.0, label="x"), rankdir="TB"))
    assert parsed.direction == "flowchart TB"
    assert list(parsed.records.values()) == [("x", "1.0000", "0.0000")]
    assert parsed.edges == []


def test_deterministic_and_bad_arguments() -> None:
    assert ag.to_mermaid(_graph()[1]) == ag.to_mermaid(_graph()[1])
    with pytest.raises(TypeError, match="to_mermaid needs a Value, got int: 3"):
        ag.to_mermaid(3)  # type: ignore[arg-type]  # the wrong type is what is tested
    with pytest.raises(ValueError, match="rankdir must be one of LR, TB, RL, BT, got 'TD'"):
        ag.to_mermaid(Value(1.0), rankdir="TD")
