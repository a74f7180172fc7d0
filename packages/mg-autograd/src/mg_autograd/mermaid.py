"""`to_mermaid`: the graph as a Mermaid flowchart, which GitHub and JupyterLab draw natively.

The content and order are `to_dot`'s: each Value is a box ``label | data | grad`` (no label
field when it has none), each operation a small circle between its operands and its result,
nodes numbered ``v<n>`` as in `to_dot`. Mermaid has no backslash escapes; inside a quoted label
it decodes entity codes written ``#<decimal>;`` (``#34;`` is a double quote). So every character
of a label that is not a letter, digit, space or one of ``.,:=+-_()`` is written that way -
quotes, brackets, ``|``, ``<``, ``>``, ``#``, ``%``, ``;``, newlines and all non-ASCII - and no
label can end its string early or be read as markup: the diagram always parses.
"""

from __future__ import annotations

from .value import Value
from .visualize import check_rankdir, numbered_nodes

__all__ = ["to_mermaid"]

_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:=+-_()")
_SEPARATOR = " #124; "


def to_mermaid(root: Value, *, rankdir: str = "LR") -> str:
    """Every node ``root`` depends on (leaves included), in `to_dot`'s deterministic order.

    ``rankdir`` is the flow direction, as in `to_dot`: LR, TB, RL or BT.
    """
    if not isinstance(root, Value):
        raise TypeError(f"to_mermaid needs a Value, got {type(root).__name__}: {root!r}")
    check_rankdir(rankdir)
    nodes = numbered_nodes(root)
    numbering = {node: n for n, node in enumerate(nodes)}
    lines = [f"flowchart {rankdir}"]
    for n, node in enumerate(nodes):
        fields = [f"data {node.data:.4f}", f"grad {node.grad:.4f}"]
        if node.label:
            fields.insert(0, node.label)
        lines.append(f'  v{n}["{_SEPARATOR.join(escape(field) for field in fields)}"]')
        if node._parents:
            lines.append(f'  v{n}_op(("{escape(node._op)}"))')
            lines.append(f"  v{n}_op --> v{n}")
            for parent in node._parents:
                lines.append(f"  v{numbering[parent]} --> v{n}_op")
    return "\n".join(lines) + "\n"


def escape(text: str) -> str:
    """``text`` with every character outside a small safe set written as ``#<code point>;``."""
    return "".join(ch if ch in _PLAIN else f"#{ord(ch)};" for ch in text)
