"""to_dot and draw rendered for real: Graphviz's dot program and the graphviz Python package.

Run by ``tox -e graph`` only (it installs ``mg-autograd[draw]``; CI installs Debian's
``graphviz``). The name does not match ``test_*.py`` on purpose: the ordinary test envs have
neither dot nor the package, and this file is meant to fail, not skip, where they are missing.

Each picture is parsed back (SVG is XML) and every Value's node must hold its label, ``data``
and ``grad`` exactly as `to_dot` wrote them, every op node its op, and the edges must be the
graph's own - so a layout that dropped, merged or garbled a node would fail here.
"""

from __future__ import annotations

import doctest
import importlib
import os
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import mg_autograd as ag
import pytest
from mg_autograd import GraphvizDigraph, Value
from mg_autograd.visualize import numbered_nodes
from test_ag_mermaid import NASTY
from test_ag_readme import README, _fenced, _run_trace_block
from test_ag_trace import micrograd_readme_expression

SVG = "{http://www.w3.org/2000/svg}"


def graphs() -> list[Value]:
    """micrograd's README expression after backward, and labels full of DOT syntax."""
    _, _, g = micrograd_readme_expression()
    g.backward()
    x = Value(-1.5, label=NASTY)
    odd = ag.make_node(2.0, [x, Value(0.5, label="\u03b1\u00b2")], [1.0, 3.0], op='"op|<b>"]')
    odd.label = "{y}"
    odd.backward()
    return [g, odd]


def expected_nodes(root: Value) -> dict[str, list[str]]:
    """Node id -> the text lines Graphviz must draw in it (a label's newlines split it)."""
    expected: dict[str, list[str]] = {}
    for n, node in enumerate(numbered_nodes(root)):
        lines = node.label.split("\n") if node.label else []
        expected[f"v{n}"] = [*lines, f"data {node.data:.4f}", f"grad {node.grad:.4f}"]
        if node.parents:
            expected[f"v{n}_op"] = [node.op]
    return expected


def expected_edges(root: Value) -> Counter[str]:
    nodes = numbered_nodes(root)
    ids = {node: n for n, node in enumerate(nodes)}
    edges: Counter[str] = Counter()
    for node in nodes:
        if node.parents:
            edges[f"v{ids[node]}_op->v{ids[node]}"] += 1
            for parent in node.parents:
                edges[f"v{ids[parent]}->v{ids[node]}_op"] += 1
    return edges


def parse_svg(svg: bytes) -> tuple[dict[str, list[str]], Counter[str]]:
    tree = ET.fromstring(svg)
    nodes: dict[str, list[str]] = {}
    edges: Counter[str] = Counter()
    for group in tree.iter(f"{SVG}g"):
        title = group.find(f"{SVG}title")
        if title is None or title.text is None:
            continue
        # an empty record field (no label) is drawn as a lone space
        texts = [t.text for t in group.iter(f"{SVG}text") if t.text and t.text.strip()]
        if group.get("class") == "node":
            nodes[title.text] = texts
        elif group.get("class") == "edge":
            edges[title.text] += 1
    return nodes, edges


def check_svg(svg: bytes, root: Value) -> None:
    nodes, edges = parse_svg(svg)
    assert nodes == expected_nodes(root)
    assert edges == expected_edges(root)


@pytest.mark.parametrize("index", [0, 1])
def test_dot_renders_to_dot_text_with_every_label_data_and_grad(index: int) -> None:
    root = graphs()[index]
    dot = shutil.which("dot")
    assert dot is not None, "tox -e graph needs Graphviz's dot (apt-get install graphviz)"
    result = subprocess.run(
        [dot, "-Tsvg"], input=ag.to_dot(root).encode(), capture_output=True, check=True
    )
    assert result.stderr == b""  # no warnings: every label parsed as written
    check_svg(result.stdout, root)


def test_micrograd_expression_numbers_are_in_the_picture() -> None:
    nodes, _ = parse_svg(
        subprocess.run(
            ["dot", "-Tsvg"], input=ag.to_dot(graphs()[0]).encode(), capture_output=True, check=True
        ).stdout
    )
    drawn = {lines[0]: lines[1:] for lines in nodes.values() if len(lines) == 3}
    # the values micrograd's README prints: g = 24.7041, dg/da = 138.8338, dg/db = 645.5773
    assert drawn["g"] == ["data 24.7041", "grad 1.0000"]
    assert drawn["a"] == ["data -4.0000", "grad 138.8338"]
    assert drawn["b"] == ["data 2.0000", "grad 645.5773"]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_draw_writes_svg_and_png_from_the_suffix_or_format(tmp_path: Path) -> None:
    for root in graphs():
        ag.draw(root, tmp_path / "g.svg")
        check_svg((tmp_path / "g.svg").read_bytes(), root)
        ag.draw(root, str(tmp_path / "g.png"))
        width, height = png_size((tmp_path / "g.png").read_bytes())
        assert width > 200
        assert height > 20
        ag.draw(root, tmp_path / "picture.out", format="svg")
        check_svg((tmp_path / "picture.out").read_bytes(), root)
        ag.draw(root, tmp_path / "G.PNG", format="PNG")
        png_size((tmp_path / "G.PNG").read_bytes())
    ag.draw(graphs()[0], tmp_path / "tb.svg", rankdir="TB")
    check_svg((tmp_path / "tb.svg").read_bytes(), graphs()[0])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "G.PNG",
        "g.png",
        "g.svg",
        "picture.out",
        "tb.svg",
    ]


def test_draw_without_a_path_is_the_graphviz_digraph(tmp_path: Path) -> None:
    graphviz = importlib.import_module("graphviz")  # real, through the draw extra

    root = graphs()[0]
    drawn = ag.draw(root)
    assert type(drawn) is graphviz.Digraph
    assert isinstance(drawn, GraphvizDigraph)
    assert drawn.source == ag.to_dot(root)
    check_svg(drawn.pipe(format="svg"), root)
    bundle = drawn._repr_mimebundle_()  # type: ignore[attr-defined]  # what Jupyter calls
    check_svg(bundle["image/svg+xml"].encode(), root)
    written = drawn.render(filename="graph", directory=str(tmp_path), format="png")
    png_size(Path(written).read_bytes())


def test_draw_without_dot_on_path_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "g.svg"
    target.write_bytes(b"old")
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    with pytest.raises(RuntimeError, match=r"'dot' program .* apt-get install graphviz"):
        ag.draw(graphs()[0], target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["g.svg"]


def test_a_failed_write_leaves_the_old_picture(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "g.png"
    ag.draw(graphs()[1], target)
    before = target.read_bytes()

    def interrupted(src: object, dst: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ag.draw(graphs()[0], target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["g.png"]


def test_the_readme_draw_session_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The README's ``pycon`` session, run by doctest after its trace session, in a tmp dir."""
    _, namespace, _ = _run_trace_block()
    sessions = [text for kind, text in _fenced() if kind == "pycon"]
    assert len(sessions) == 1
    monkeypatch.chdir(tmp_path)
    test = doctest.DocTestParser().get_doctest(sessions[0], namespace, "README", str(README), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.summarize(verbose=False) == doctest.TestResults(failed=0, attempted=4)
    width, height = png_size((tmp_path / "graph.png").read_bytes())
    assert height > width  # top to bottom, as the session asked
