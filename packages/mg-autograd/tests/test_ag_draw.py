"""draw without Graphviz: the errors say what to install, bad arguments fail early, no half file.

These run in every test env, where neither the ``graphviz`` package nor the ``dot`` program need
be installed: absence is simulated (``sys.modules["graphviz"] = None`` makes any import of it
fail; an empty ``PATH`` hides ``dot``) so the tests mean the same thing on every machine.
Drawing for real, with both installed, is `check_graphviz.py` (tox -e graph).
"""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path

import mg_autograd as ag
import pytest
from mg_autograd import Value
from mg_autograd.draw import _write_atomically


def graph() -> Value:
    x = Value(2.0, label="x")
    y = (x * x).tanh()
    y.label = "y"
    return y


def no_graphviz_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)


def test_missing_package_says_what_to_install_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    no_graphviz_package(monkeypatch)
    for path in (None, tmp_path / "g.svg", tmp_path / "g.png"):
        with pytest.raises(ImportError) as caught:
            ag.draw(graph(), path)
        assert str(caught.value) == (
            "draw needs the graphviz Python package: pip install 'mg-autograd[draw]'"
        )
        assert caught.value.name == "graphviz"
    assert list(tmp_path.iterdir()) == []


class StandInDigraph:
    """Takes the place of graphviz.Digraph where the package is absent; must never render."""

    def __init__(self, name: str, body: list[str]) -> None:
        self.source = f"digraph {name} {{\n" + "".join(body) + "}\n"

    def pipe(self, format: str | None = None) -> bytes:  # noqa: A002 - graphviz's name
        raise AssertionError("pipe must not run without dot")


def test_missing_dot_program_says_what_to_install_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stand_in = types.ModuleType("graphviz")
    stand_in.Digraph = StandInDigraph  # type: ignore[attr-defined]  # a module's attribute
    monkeypatch.setitem(sys.modules, "graphviz", stand_in)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    target = tmp_path / "g.png"
    target.write_bytes(b"old picture")
    with pytest.raises(RuntimeError) as caught:
        ag.draw(graph(), target)
    message = str(caught.value)
    assert "'dot' program" in message
    assert "apt-get install graphviz" in message
    assert str(target) in message
    assert target.read_bytes() == b"old picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty-bin", "g.png"]
    # without a path nothing runs dot, so the Digraph comes back; its source is to_dot's
    drawn = ag.draw(graph())
    assert drawn.source == ag.to_dot(graph())


@pytest.mark.parametrize(
    ("name", "kwargs", "error", "match"),
    [
        ("g.pdf", {}, ValueError, r"cannot tell the format of .*g\.pdf.* \*\.svg or \*\.png"),
        ("g", {}, ValueError, "cannot tell the format"),
        ("g.svg", {"format": "png"}, ValueError, r"format='png' contradicts the suffix of"),
        ("g.out", {"format": "jpeg"}, ValueError, r"format must be 'svg' or 'png', got 'jpeg'"),
        ("g.out", {"format": 3}, ValueError, r"format must be 'svg' or 'png', got 3"),
        ("g.svg", {"rankdir": "XY"}, ValueError, "rankdir must be one of"),
        ("missing/g.svg", {}, FileNotFoundError, r"directory .*missing.* does not exist"),
    ],
)
def test_bad_arguments_fail_before_anything_is_imported_or_written(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    name: str,
    kwargs: dict[str, str],
    error: type[Exception],
    match: str,
) -> None:
    no_graphviz_package(monkeypatch)  # an ImportError here would mean the check came too late
    with pytest.raises(error, match=match):
        ag.draw(graph(), tmp_path / name, **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_bad_root_path_and_format_without_path(monkeypatch: pytest.MonkeyPatch) -> None:
    no_graphviz_package(monkeypatch)
    with pytest.raises(TypeError, match="draw needs a Value, got str: 'x'"):
        ag.draw("x")  # type: ignore[call-overload]  # the wrong type is what is tested
    with pytest.raises(TypeError, match=r"path must be a str or os\.PathLike, got int"):
        ag.draw(graph(), 7)  # type: ignore[call-overload]
    with pytest.raises(ValueError, match=r"format='png' needs a path to write to"):
        ag.draw(graph(), format="png")  # type: ignore[call-overload]


def test_atomic_write_replaces_whole_or_leaves_the_old_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "g.svg"
    _write_atomically(target, b"first")
    assert target.read_bytes() == b"first"
    _write_atomically(target, b"second")
    assert target.read_bytes() == b"second"

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        _write_atomically(target, b"third, never complete")
    assert target.read_bytes() == b"second"
    assert [p.name for p in tmp_path.iterdir()] == ["g.svg"]  # the temporary file is gone
