"""The README's sessions run, and print exactly what their comments say."""

from __future__ import annotations

import contextlib
import io
import re
import textwrap
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"
BLOCK = re.compile(r"^( *)```python\n(.*?)^\1```", re.MULTILINE | re.DOTALL)


def _python_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    return [textwrap.dedent(m[2]) for m in BLOCK.finditer(text)]


def test_first_session_prints_what_its_comments_say() -> None:
    code = _python_blocks()[0]
    expected = [line.split("  # ", 1)[1] for line in code.splitlines() if line.startswith("print(")]
    assert len(expected) >= 3
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(README), "exec"), {"__name__": "readme"})
    assert out.getvalue().splitlines() == expected


def test_every_python_block_runs() -> None:
    blocks = _python_blocks()
    assert len(blocks) >= 2
    for code in blocks:
        namespace: dict[str, object] = {"__name__": "readme"}
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(code, str(README), "exec"), namespace)
    sin = namespace["sin"]
    assert callable(sin)


FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _fenced() -> list[tuple[str, str]]:
    return [(m[1], m[2]) for m in FENCE.finditer(README.read_text(encoding="utf-8"))]


def _run_trace_block() -> tuple[str, dict[str, object], int]:
    blocks = _fenced()
    at = next(i for i, (kind, code) in enumerate(blocks) if "trace_backward(g)" in code)
    namespace: dict[str, object] = {"__name__": "readme"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(blocks[at][1], str(README), "exec"), namespace)
    return out.getvalue(), namespace, at


def test_how_backward_works_shows_exactly_what_its_code_prints() -> None:
    printed, _, at = _run_trace_block()
    blocks = _fenced()
    first, rest = printed.split("\n", 1)
    assert first == "24.7041 138.8338 645.5773"  # the numbers micrograd's README prints
    assert blocks[at + 1][0] == "text"
    assert rest == blocks[at + 1][1]


def test_the_mermaid_block_is_that_graph_with_the_trace_names() -> None:
    from mg_autograd import Value, to_mermaid
    from mg_autograd.visualize import numbered_nodes

    _, namespace, at = _run_trace_block()
    g = namespace["g"]
    assert isinstance(g, Value)
    # name the unlabelled nodes as benchmarks/graph_picture/graph_picture.py does
    for number, node in enumerate(numbered_nodes(g)):
        if not node.label:
            node.label = f"{node.op or 'leaf'}#{number}"
    kind, diagram = _fenced()[at + 2]
    assert kind == "mermaid"
    assert diagram == to_mermaid(g, rankdir="TB")
