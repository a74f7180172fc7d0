"""`draw`: the graph of `to_dot` laid out by Graphviz, as a file or as a Jupyter-ready object.

The layout is Graphviz's ``dot`` program, driven through the ``graphviz`` Python package (the
optional extra ``mg-autograd[draw]``); mg-autograd itself needs neither, and imports the package
only when `draw` is called. The picture is exactly `to_dot`'s text: the returned
``graphviz.Digraph`` holds it verbatim as its body, so ``draw(v).source == to_dot(v)``.

Files are written atomically: the picture is rendered in memory first, then written to a
temporary sibling, flushed, fsynced and moved over the target with ``os.replace``. A missing
package or program, a failed render or a full disk leaves no file, or the old one untouched.

The ``graphviz`` package ships no type information, so what `draw` returns is typed by the
`GraphvizDigraph` protocol: the members of ``graphviz.Digraph`` a user reaches for.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
from pathlib import Path
from typing import Optional, Protocol, Union, cast, overload, runtime_checkable

from .value import Value
from .visualize import to_dot

__all__ = ["GraphvizDigraph", "draw"]

FORMATS = ("svg", "png")
INSTALL_PACKAGE = "pip install 'mg-autograd[draw]'"
INSTALL_DOT = (
    "apt-get install graphviz (Debian/Ubuntu), brew install graphviz (macOS), "
    "or see https://graphviz.org/download/"
)


@runtime_checkable
class GraphvizDigraph(Protocol):
    """A ``graphviz.Digraph``, as `draw` returns it (Jupyter shows it inline as SVG)."""

    @property
    def source(self) -> str:
        """The DOT text: `to_dot`'s, verbatim."""
        ...

    def pipe(self, format: Optional[str] = None) -> bytes:  # noqa: A002 - graphviz's name
        """Run ``dot`` and return the rendered picture (``format`` e.g. ``"svg"``, ``"png"``)."""
        ...

    def render(
        self,
        filename: Optional[str] = None,
        directory: Optional[str] = None,
        view: bool = False,
        cleanup: bool = False,
        format: Optional[str] = None,  # noqa: A002 - graphviz's name
    ) -> str:
        """Save the DOT source and the picture rendered from it; return the picture's path."""
        ...


@overload
def draw(
    root: Value,
    path: None = None,
    *,
    format: None = None,
    rankdir: str = "LR",
) -> GraphvizDigraph: ...


@overload
def draw(
    root: Value,
    path: Union[str, os.PathLike[str]],
    *,
    format: Optional[str] = None,
    rankdir: str = "LR",
) -> None: ...


def draw(
    root: Value,
    path: Union[str, os.PathLike[str], None] = None,
    *,
    format: Optional[str] = None,  # noqa: A002
    rankdir: str = "LR",
) -> Optional[GraphvizDigraph]:
    """Draw ``root``'s graph: to ``path`` (SVG or PNG) or, without a path, as a Digraph.

    The format comes from the path's suffix (``.svg``, ``.png``) or from ``format=``; if both
    are given they must agree. Needs the ``graphviz`` package (``pip install
    'mg-autograd[draw]'``) and, to write a file, Graphviz's ``dot`` program; without either it
    raises an error saying what to install (`ImportError`, `RuntimeError`) and writes nothing.
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw needs a Value, got {type(root).__name__}: {root!r}")
    text = to_dot(root, rankdir=rankdir)
    if path is None:
        if format is not None:
            raise ValueError(
                f"draw: format={format!r} needs a path to write to; without one draw returns "
                "the Digraph (call its .pipe(format=...) for the bytes)"
            )
        return _digraph(text)
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"draw: path must be a str or os.PathLike, got {type(path).__name__}")
    target = Path(path)
    kind = _format_of(target, format)
    if not target.parent.is_dir():
        raise FileNotFoundError(f"draw: the directory {str(target.parent)!r} does not exist")
    graph = _digraph(text)
    if shutil.which("dot") is None:
        raise RuntimeError(
            f"draw needs Graphviz's 'dot' program to write {str(target)!r}, and it is not on "
            f"PATH: install it with {INSTALL_DOT}"
        )
    _write_atomically(target, graph.pipe(format=kind))
    return None


def _digraph(text: str) -> GraphvizDigraph:
    try:
        graphviz = importlib.import_module("graphviz")
    except ImportError as error:
        raise ImportError(
            f"draw needs the graphviz Python package: {INSTALL_PACKAGE}", name="graphviz"
        ) from error
    body = [line + "\n" for line in text.splitlines()[1:-1]]
    return cast(GraphvizDigraph, graphviz.Digraph("mg", body=body))


def _format_of(target: Path, format: Optional[str]) -> str:  # noqa: A002
    suffix = target.suffix.lower().lstrip(".")
    if format is not None:
        if not isinstance(format, str) or format.lower() not in FORMATS:
            raise ValueError(f"draw: format must be 'svg' or 'png', got {format!r}")
        if suffix in FORMATS and suffix != format.lower():
            raise ValueError(
                f"draw: format={format!r} contradicts the suffix of {str(target)!r}; "
                "drop one or make them agree"
            )
        return format.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"draw: cannot tell the format of {str(target)!r} from its suffix: name it "
            "*.svg or *.png, or pass format='svg' or format='png'"
        )
    return suffix


def _write_atomically(target: Path, data: bytes) -> None:
    """Temp sibling + flush + fsync + os.replace: readers see the old file or the new one."""
    temp = target.with_name(f".{target.name}.tmp")
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
