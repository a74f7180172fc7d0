"""Contracts of `draw` and `BackwardTrace` that the mutation run showed were unpinned.

`draw` runs here without Graphviz: a stand-in ``graphviz`` module records what `draw` asks of
it, and ``shutil.which`` finds ``dot`` (and only ``dot``), so the path `draw` takes when both
are installed is exercised: the format it asks ``pipe`` for, the bytes it writes, and the
documented error wording. Drawing for real is check_graphviz.py (tox -e graph).
"""

from __future__ import annotations

import re
import shutil
import sys
import types
from pathlib import Path
from typing import ClassVar

import mg_autograd as ag
import pytest
from mg_autograd import Value


def graph() -> Value:
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    y = (a * b).tanh()
    y.label = "y"
    return y


class RecordingDigraph:
    """Stands in for graphviz.Digraph: ``pipe`` returns fixed bytes and records the format."""

    formats: ClassVar[list[str | None]] = []

    def __init__(self, name: str, body: list[str]) -> None:
        self.source = f"digraph {name} {{\n" + "".join(body) + "}\n"

    def pipe(self, format: str | None = None) -> bytes:  # noqa: A002 - graphviz's name
        RecordingDigraph.formats.append(format)
        return b"<picture/>"


@pytest.fixture
def fake_graphviz(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    stand_in = types.ModuleType("graphviz")
    stand_in.Digraph = RecordingDigraph  # type: ignore[attr-defined]  # a module's attribute
    monkeypatch.setitem(sys.modules, "graphviz", stand_in)
    real_which = shutil.which
    monkeypatch.setattr(
        shutil, "which", lambda name: "/usr/bin/dot" if name == "dot" else real_which(name)
    )
    RecordingDigraph.formats = []
    return RecordingDigraph.formats


@pytest.mark.parametrize(
    ("name", "kind", "asked"),
    [
        ("g.svg", None, "svg"),
        ("G.PNG", None, "png"),
        ("g.svg", "svg", "svg"),
        ("g.svg", "SVG", "svg"),
        ("g.dat", "png", "png"),  # a suffix that names no format does not contradict one
    ],
)
def test_draw_asks_dot_for_the_lowercase_format_and_writes_its_bytes(
    fake_graphviz: list[str | None], tmp_path: Path, name: str, kind: str | None, asked: str
) -> None:
    target = tmp_path / name
    ag.draw(graph(), target, format=kind)
    assert fake_graphviz == [asked]
    assert target.read_bytes() == b"<picture/>"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_a_failed_write_raises_its_own_error_and_leaves_the_old_file(
    fake_graphviz: list[str | None], tmp_path: Path
) -> None:
    # A directory where the temp file would go: open() fails, and so does the cleanup's
    # unlink; the cleanup's error is swallowed, the write's error is what the caller sees.
    target = tmp_path / "g.svg"
    target.write_bytes(b"old picture")
    (tmp_path / ".g.svg.tmp").mkdir()
    with pytest.raises(IsADirectoryError):
        ag.draw(graph(), target)
    assert target.read_bytes() == b"old picture"


def test_contradicting_format_and_suffix_are_named() -> None:
    expected = (
        "draw: format='png' contradicts the suffix of 'pictures/g.svg'; drop one or make them agree"
    )
    with pytest.raises(ValueError, match="^" + re.escape(expected) + "$"):
        ag.draw(graph(), "pictures/g.svg", format="png")


def test_format_without_path_says_how_to_get_bytes() -> None:
    expected = (
        "draw: format='svg' needs a path to write to; without one draw returns the Digraph "
        "(call its .pipe(format=...) for the bytes)"
    )
    with pytest.raises(ValueError, match="^" + re.escape(expected) + "$"):
        ag.draw(graph(), format="svg")  # type: ignore[call-overload]  # what is tested


# ---------------------------------------------------------------- BackwardTrace


def test_a_slice_of_a_trace_keeps_its_root_and_compares_by_steps() -> None:
    trace = ag.trace_backward(graph())
    assert len(trace) >= 2
    head = trace[:1]
    assert head.root == trace.root
    assert len(head) == 1
    assert head != trace
    assert trace[:] == trace
    assert hash(trace[:]) == hash(trace)
    # unequal traces of one graph: their hashes tell them apart
    assert len({hash(trace[:k]) for k in range(len(trace) + 1)}) == len(trace) + 1


def test_format_names_a_bad_max_rows_and_its_type() -> None:
    trace = ag.trace_backward(graph())
    with pytest.raises(TypeError) as caught:
        trace.format("3")  # type: ignore[arg-type]  # the wrong type is what is tested
    assert str(caught.value) == "max_rows must be an int or None, got str: '3'"
