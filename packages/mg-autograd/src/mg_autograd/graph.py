"""Topological order and the backward sweep over it.

Reverse mode rests on the chain rule: if node ``y`` was computed from parents ``x_i`` with local
derivatives ``d_i = dy/dx_i``, then ``dL/dx_i += d_i * dL/dy``. Each node's gradient must be
complete before it is pushed to its parents, so nodes are visited in reverse topological order.

The order is built with an explicit stack, never recursion, so a chain of a million operations
needs no raised recursion limit. It is deterministic: parents are visited in operand order and
a node is placed once, so the sequence of float additions (and so every bit of every gradient)
never depends on set order, ``id()`` or ``PYTHONHASHSEED``. Leaves (nodes without parents) are
never put in the order: they receive gradient but push none further, so walking them would be
wasted work - in an MLP the weights are most of the parents of every node.
"""

from __future__ import annotations

from math import isfinite
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .value import Value

__all__ = ["backpropagate", "topological_order"]


def topological_order(root: Value) -> list[Value]:
    """Every non-leaf node that ``root`` depends on, each after all of its parents; ``root`` last.

    Depth-first post-order, iterative. A node is marked visited when it is *expanded*, not when
    it is pushed: it may sit on the stack more than once, and the copies popped after the first
    are skipped. (Marking at push time is wrong: in ``c = f(a); b = g(c); y = b + c`` the pending
    ``c`` would stop ``b`` from expanding it, and ``b`` would be placed before its own parent.)
    In a DAG a visited node is either placed or an ancestor on the current path, so every node
    is placed after all of its parents. ``expanded`` runs beside ``stack`` as plain booleans
    instead of (node, flag) tuples to keep the stack small on deep graphs.
    """
    if not root._parents:
        return []
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[Value] = [root]
    expanded: list[bool] = [False]
    while stack:
        node = stack.pop()
        if expanded.pop():
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append(node)
        expanded.append(True)
        for parent in reversed(node._parents):
            if parent._parents and parent not in visited:
                stack.append(parent)
                expanded.append(False)
    return order


def backpropagate(root: Value, check_finite: bool = False) -> None:
    """Seed ``root`` with dL/dL = 1 and push gradients to every node it depends on.

    Intermediate nodes start from 0.0 on every call (they hold the gradient of this output
    only); leaves accumulate with ``+=`` as in PyTorch, so two calls give twice the gradient.
    `trace.py` runs this same sweep while recording each step, so keep the two in step.
    """
    order = seed(root)
    if check_finite:
        _checked_sweep(order)
        return
    for node in reversed(order):
        upstream = node.grad
        for parent, local in zip(node._parents, node._local_grads):
            parent.grad += local * upstream


def seed(root: Value) -> list[Value]:
    """The start of every sweep: the order to walk, with root at dL/dL = 1 and the rest at 0.

    A leaf root has nothing to walk: its gradient accumulates 1.0, as a leaf's always does.
    """
    order = topological_order(root)
    if not order:
        root.grad += 1.0
        return order
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    return order


def _checked_sweep(order: list[Value]) -> None:
    """The same sweep, stopping at the first non-finite gradient (used by `detect_anomaly`)."""
    for node in reversed(order):
        upstream = node.grad
        for index, (parent, local) in enumerate(zip(node._parents, node._local_grads)):
            parent.grad += local * upstream
            if not isfinite(parent.grad):
                raise nonfinite_gradient(node, index, parent.grad, upstream)


def nonfinite_gradient(node: Value, index: int, grad: float, upstream: float) -> FloatingPointError:
    """The `detect_anomaly` error for a non-finite ``grad`` pushed into operand ``index``."""
    operands = ", ".join(repr(p.data) for p in node._parents)
    return FloatingPointError(
        f"backward of {node._op!r} produced a non-finite gradient {grad!r} for operand {index} "
        f"(operand values: {operands}; upstream gradient {upstream!r})"
    )
