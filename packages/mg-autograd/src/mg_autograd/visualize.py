"""`to_dot`: a graph as Graphviz DOT text, so a learner can *see* forward values and gradients.

Pure text, no graphviz dependency: render it with ``dot -Tsvg`` or any online viewer. Each Value
is a record node ``label | data | grad``; each operation is a small ellipse between its operands
and its result, as in micrograd's draw_dot, so the picture reads left to right like the math.
"""

from __future__ import annotations

from .value import Value

__all__ = ["to_dot"]


def to_dot(root: Value, *, rankdir: str = "LR") -> str:
    """Every node ``root`` depends on (leaves included), in a deterministic order."""
    if not isinstance(root, Value):
        raise TypeError(f"to_dot needs a Value, got {type(root).__name__}: {root!r}")
    check_rankdir(rankdir)
    nodes = numbered_nodes(root)
    numbering = {node: n for n, node in enumerate(nodes)}

    lines = ["digraph mg {", f"  rankdir={rankdir};"]
    for node in nodes:
        n = numbering[node]
        label = _escape(node.label) if node.label else ""
        lines.append(
            f'  v{n} [shape=record, label="{{ {label} | data {node.data:.4f} '
            f'| grad {node.grad:.4f} }}"];'
        )
        if node._parents:
            lines.append(f'  v{n}_op [label="{_escape(node._op)}"];')
            lines.append(f"  v{n}_op -> v{n};")
            for parent in node._parents:
                lines.append(f"  v{numbering[parent]} -> v{n}_op;")
    lines.append("}")
    return "\n".join(lines) + "\n"


def check_rankdir(rankdir: str) -> None:
    """The four layout directions Graphviz and Mermaid share."""
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be one of LR, TB, RL, BT, got {rankdir!r}")


def numbered_nodes(root: Value) -> list[Value]:
    """Every node ``root`` depends on, leaves included, each once: node ``n`` is ``v<n>``.

    Depth-first pre-order from the root, operands in operand order, so the numbering depends
    only on the graph's shape. `to_dot`, `to_mermaid`, `draw` and `trace_backward` share it, so
    a node has the same number in the text, the pictures and the trace.
    """
    seen: set[Value] = set()
    nodes: list[Value] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        nodes.append(node)
        stack.extend(reversed(node._parents))
    return nodes


def _escape(text: str) -> str:
    """Backslash before DOT's quote and record syntax; a newline becomes DOT's ``\\n`` break
    (inside quotes dot would silently join the lines)."""
    for ch in '\\"{}|<>':
        text = text.replace(ch, "\\" + ch)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
