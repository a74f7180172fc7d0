"""micrograd's README expression through the INSTALLED mg-autograd: its graph and backward trace.

    python benchmarks/graph_picture/graph_picture.py              # regenerate the committed files
    python benchmarks/graph_picture/graph_picture.py --check --out DIR      # ... into DIR, compare
    python benchmarks/graph_picture/graph_picture.py --check --no-pictures --out DIR  # no graphviz

The expression is the one at the top of micrograd's README (karpathy/micrograd): a = -4, b = 2,
..., g = f / 2 + 10 / f, for which micrograd prints g = 24.7041, dg/da = 138.8338 and dg/db =
645.5773. Files written (atomically), all from the real engine after ``trace_backward(g)``:

- ``trace.txt``: ``str(trace_backward(g))``, the backward sweep step by step;
- ``graph.mmd``: ``to_mermaid(g)``; ``graph.dot``: ``to_dot(g)``;
- ``graph.svg`` and ``graph.png``: ``draw(g, ...)`` (needs ``mg-autograd[draw]`` and Graphviz's
  ``dot``; ``tox -e graph`` has both, and after it ``.tox/graph/bin/python`` runs this script).

``--check`` compares the three text files with the committed ones next to this script byte for
byte and exits 1 on any difference (the pictures depend on the Graphviz version, so they are
regenerated, not compared). The script refuses to run on the source tree instead of the
installed package.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mg_autograd import Value

HERE = Path(__file__).resolve().parent
PACKAGES = HERE.parents[1] / "packages"
RANKDIR = "TB"  # top to bottom: left to right, this graph is 14 times wider than tall


def check_installed() -> None:
    try:
        module = importlib.import_module("mg_autograd")
    except ImportError:
        sys.exit(
            f"error: mg_autograd is not installed; run: pip install '{PACKAGES}/mg-autograd[draw]'"
        )
    location = Path(module.__file__ or "").resolve()
    if PACKAGES in location.parents:
        sys.exit(
            f"error: mg_autograd is imported from the source tree ({location}); this script "
            f"shows the installed package. Run: pip install '{PACKAGES}/mg-autograd[draw]'"
        )


def micrograd_expression() -> Value:
    """Build the expression, labelled like micrograd's variables, and check its forward value."""
    from mg_autograd import Value

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
    c.label, d.label, e.label, f.label, g.label = "c", "d", "e", "f", "g"
    return g


def texts(g: Value) -> dict[str, str]:
    """Trace backward from ``g``, name every node as the trace does, render the text files."""
    from mg_autograd import to_dot, to_mermaid, trace_backward

    trace = trace_backward(g)
    grads = {step.parent: step.parent_grad for step in trace}  # the last step into each wins
    got = (f"{g.data:.4f}", f"{grads['a']:.4f}", f"{grads['b']:.4f}")
    expected = ("24.7041", "138.8338", "645.5773")  # what micrograd's README prints
    if got != expected:
        sys.exit(f"error: g, dg/da, dg/db = {got}, micrograd's README says {expected}")
    name_every_node(g)
    named = micrograd_expression()
    name_every_node(named)
    if str(trace_backward(named)) != str(trace):
        sys.exit("error: labelling the nodes with their trace names changed the trace")
    return {
        "trace.txt": f"{trace}\n",
        "graph.mmd": to_mermaid(g, rankdir=RANKDIR),
        "graph.dot": to_dot(g, rankdir=RANKDIR),
    }


def name_every_node(g: Value) -> None:
    """Label each unlabelled node with the name the trace gives it (its op and number, as
    ``+#14``), so that every row of the trace can be found in the picture."""
    from mg_autograd.visualize import numbered_nodes

    for number, node in enumerate(numbered_nodes(g)):
        if not node.label:
            node.label = f"{node.op or 'leaf'}#{number}"


def write_atomically(path: Path, data: bytes) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    with open(temp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="where to write (default: here)")
    parser.add_argument("--check", action="store_true", help="compare the text with the committed")
    parser.add_argument("--no-pictures", action="store_true", help="skip graph.svg / graph.png")
    parser.add_argument("--reference", type=Path, default=HERE, help="committed files for --check")
    args = parser.parse_args()
    check_installed()
    g = micrograd_expression()
    made = texts(g)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in made.items():
        write_atomically(args.out / name, text.encode("utf-8"))
    if not args.no_pictures:
        from mg_autograd import draw

        for name in ("graph.svg", "graph.png"):
            draw(g, args.out / name, rankdir=RANKDIR)
    print(made["trace.txt"], end="")
    print(
        f"wrote {', '.join(sorted(made))}{'' if args.no_pictures else ', graph.svg, graph.png'}"
        f" to {args.out}"
    )
    if not args.check:
        return 0
    failed = 0
    for name, text in made.items():
        committed = (args.reference / name).read_text(encoding="utf-8")
        if committed != text:
            failed += 1
            diff = difflib.unified_diff(
                committed.splitlines(),
                text.splitlines(),
                f"committed {name}",
                f"new {name}",
                lineterm="",
            )
            print("\n".join(diff))
    if failed:
        print(f"check: {failed} of {len(made)} files differ from {args.reference}")
        return 1
    print(f"check: {', '.join(made)} match the committed files byte for byte")
    return 0


if __name__ == "__main__":
    sys.exit(main())
