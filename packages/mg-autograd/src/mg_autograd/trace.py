"""`trace_backward`: run `backward()` and write down every application of the chain rule.

The sweep is `graph.py`'s, step for step: the same seed, the same reverse topological order,
and for every edge node -> parent the same two float operations, ``contribution = local *
upstream`` then ``parent.grad += contribution`` (Python floats are IEEE doubles with no fused
multiply-add, so naming the product changes no bit). Every ``.grad`` afterwards is therefore
bit-identical to what ``root.backward()`` gives. It is a separate loop, not a hook inside
``backward()``, so the hot path pays nothing for it.

One step is recorded per edge, in the order the additions happen:

    parent.grad  +=  d(node)/d(parent)  *  dL/d(node)
                     (local)               (upstream)

A node's upstream gradient is final when its first step runs: reverse topological order visits
a node only after every node that uses it has pushed into it - the whole point of the order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from math import isfinite
from typing import TYPE_CHECKING, Optional, SupportsIndex, Union, overload

from . import _mode
from .graph import nonfinite_gradient, seed
from .value import Value
from .visualize import numbered_nodes

__all__ = ["BackwardStep", "BackwardTrace", "trace_backward"]

if TYPE_CHECKING:
    _Slice = slice[Optional[SupportsIndex], Optional[SupportsIndex], Optional[SupportsIndex]]

_HEADER = (
    "step",
    "node",
    "op",
    "upstream",
    "parent",
    "local",
    "contribution",
    "parent grad",
)


@dataclass(frozen=True)
class BackwardStep:
    """One edge of the backward sweep: ``parent_grad = previous + local * upstream``.

    ``node`` and ``parent`` are the nodes' labels, or for an unlabelled node its op (``leaf``
    for a leaf) and its number, as ``tanh#3``; ``node_id`` and ``parent_id`` are those numbers,
    the ``v<n>`` of `to_dot` and `to_mermaid`. ``operand`` is the parent's position among the
    node's operands (``x * x`` has two steps into ``x``, operands 0 and 1). ``parent_grad`` is
    the parent's gradient right after this step's addition.
    """

    step: int
    node: str
    node_id: int
    op: str
    upstream: float
    operand: int
    parent: str
    parent_id: int
    local: float
    contribution: float
    parent_grad: float


class BackwardTrace(Sequence[BackwardStep]):
    """The steps of one backward sweep, in order: index, slice and iterate it like a tuple.

    ``str(trace)`` is the whole sweep as a text table, one line per step, to read top to
    bottom; ``trace.format(max_rows=20)`` keeps the first and last rows of a long one.
    """

    __slots__ = ("_root", "_steps")

    def __init__(self, root: str, steps: Iterable[BackwardStep] = ()) -> None:
        self._root = root
        self._steps = tuple(steps)

    @property
    def root(self) -> str:
        """The name of the value the sweep started from (its label, or op and number)."""
        return self._root

    @overload
    def __getitem__(self, index: int) -> BackwardStep: ...

    @overload
    def __getitem__(self, index: _Slice) -> BackwardTrace: ...

    def __getitem__(self, index: Union[int, _Slice]) -> Union[BackwardStep, BackwardTrace]:
        if isinstance(index, slice):
            return BackwardTrace(self.root, self._steps[index])
        return self._steps[index]

    def __len__(self) -> int:
        return len(self._steps)

    def __iter__(self) -> Iterator[BackwardStep]:
        return iter(self._steps)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BackwardTrace):
            return NotImplemented
        return self.root == other.root and self._steps == other._steps

    def __hash__(self) -> int:
        return hash((self.root, self._steps))

    def __repr__(self) -> str:
        return f"<BackwardTrace from {self.root!r}: {len(self._steps)} steps>"

    def __str__(self) -> str:
        return self.format()

    def format(self, max_rows: Optional[int] = None) -> str:
        """The steps as an aligned text table (no final newline); numbers to 6 significant digits.

        With ``max_rows`` a longer trace shows its first and last rows (half each, the extra
        one at the top) around a line saying how many were left out.
        """
        if max_rows is not None and (not isinstance(max_rows, int) or isinstance(max_rows, bool)):
            raise TypeError(
                f"max_rows must be an int or None, got {type(max_rows).__name__}: {max_rows!r}"
            )
        if max_rows is not None and max_rows < 1:
            raise ValueError(f"max_rows must be at least 1, got {max_rows!r}")
        title = (
            f"backward from {self.root} (L = {self.root}, dL/dL = 1); each step: "
            "parent grad += contribution = local * upstream\n"
            "upstream = dL/dnode (complete when the node's first step runs), "
            "local = dnode/dparent"
        )
        if not self._steps:
            return f"{title}\n(no steps: a leaf root pushes no gradient)"
        rows = [_row(step) for step in self._steps]
        head, tail = rows, []
        if max_rows is not None and len(rows) > max_rows:
            cut = (max_rows + 1) // 2
            head, tail = rows[:cut], rows[len(rows) - (max_rows - cut) :]
        shown = [_HEADER, *head, *tail]
        widths = [max(len(row[i]) for row in shown) for i in range(len(_HEADER))]
        lines = [title, _line(_HEADER, widths), _line(tuple("-" * w for w in widths), widths)]
        lines += [_line(row, widths) for row in head]
        if len(head) < len(rows):
            lines.append(f"... {len(rows) - len(head) - len(tail)} more steps ...")
        lines += [_line(row, widths) for row in tail]
        return "\n".join(lines)


def trace_backward(root: Value) -> BackwardTrace:
    """``root.backward()``, recording every step of the sweep; the gradients are identical.

    Like ``backward()``: leaves accumulate, intermediate nodes start afresh, a leaf root gets
    ``grad += 1.0`` and an empty trace, and inside `detect_anomaly` the first non-finite
    gradient raises the same `FloatingPointError` at the same step, leaving every gradient
    as ``backward()`` would have left it. (Outside it the trace runs through, so the table
    shows where an inf or NaN entered.)
    """
    if not isinstance(root, Value):
        raise TypeError(f"trace_backward needs a Value, got {type(root).__name__}: {root!r}")
    check_finite = _mode.MODE.anomaly_depth > 0
    names = {node: _name(node, n) for n, node in enumerate(numbered_nodes(root))}
    ids = {node: n for n, node in enumerate(names)}
    steps: list[BackwardStep] = []
    for node in reversed(seed(root)):
        upstream = node.grad
        for index, (parent, local) in enumerate(zip(node._parents, node._local_grads)):
            contribution = local * upstream
            parent.grad += contribution
            if check_finite and not isfinite(parent.grad):
                raise nonfinite_gradient(node, index, parent.grad, upstream)
            steps.append(
                BackwardStep(
                    step=len(steps) + 1,
                    node=names[node],
                    node_id=ids[node],
                    op=node._op,
                    upstream=upstream,
                    operand=index,
                    parent=names[parent],
                    parent_id=ids[parent],
                    local=local,
                    contribution=contribution,
                    parent_grad=parent.grad,
                )
            )
    return BackwardTrace(names[root], steps)


def _name(node: Value, number: int) -> str:
    if node.label:
        return node.label
    return f"{node._op or 'leaf'}#{number}"


def _row(step: BackwardStep) -> tuple[str, ...]:
    numbers = (step.upstream, step.local, step.contribution, step.parent_grad)
    upstream, local, contribution, grad = (format(x, ".6g") for x in numbers)
    return (str(step.step), step.node, step.op, upstream, step.parent, local, contribution, grad)


def _line(cells: tuple[str, ...], widths: list[int]) -> str:
    """Names left-aligned, numbers right-aligned (columns 0, 3, 5, 6 and 7 are numbers)."""
    parts = [
        cell.rjust(width) if i in (0, 3, 5, 6, 7) else cell.ljust(width)
        for i, (cell, width) in enumerate(zip(cells, widths))
    ]
    return "  ".join(parts).rstrip()
