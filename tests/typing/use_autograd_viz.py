"""A user's code against mg_autograd's learning aids: the backward trace, Mermaid, draw."""

from __future__ import annotations

from pathlib import Path
from typing import assert_type

from mg_autograd import (
    BackwardStep,
    BackwardTrace,
    GraphvizDigraph,
    Value,
    draw,
    to_mermaid,
    trace_backward,
)

x = Value(2.0, label="x")
y = (x * x).tanh()

trace = trace_backward(y)
assert_type(trace, BackwardTrace)
assert_type(trace.root, str)
assert_type(len(trace), int)
assert_type(trace[0], BackwardStep)
assert_type(trace[-2:], BackwardTrace)
assert_type(str(trace), str)
assert_type(trace.format(), str)
assert_type(trace.format(max_rows=20), str)
for step in trace:
    assert_type(step, BackwardStep)
first = trace[0]
assert_type(first.step, int)
assert_type(first.node, str)
assert_type(first.node_id, int)
assert_type(first.op, str)
assert_type(first.upstream, float)
assert_type(first.operand, int)
assert_type(first.parent, str)
assert_type(first.parent_id, int)
assert_type(first.local, float)
assert_type(first.contribution, float)
assert_type(first.parent_grad, float)
steps: list[BackwardStep] = list(trace)
assert_type(BackwardTrace("y", steps), BackwardTrace)

assert_type(to_mermaid(y), str)
assert_type(to_mermaid(y, rankdir="TB"), str)

drawn = draw(y)
assert_type(drawn, GraphvizDigraph)
assert_type(draw(y, rankdir="TB"), GraphvizDigraph)
assert_type(drawn.source, str)
assert_type(drawn.pipe(format="svg"), bytes)
assert_type(drawn.render(filename="graph", directory="out", format="png"), str)
draw(y, "graph.svg")
draw(y, Path("graph.png"), rankdir="TB")
draw(y, "graph.picture", format="png")
