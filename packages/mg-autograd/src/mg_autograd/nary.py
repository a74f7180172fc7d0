"""N-ary operations that build ONE node however many operands they take.

A neuron computes w . x + b. Written with binary operators that is 2n nodes (n products, n sums)
and a backward sweep that visits each; as one `dot` node it is a single node with 2n + 1 parents
and the local derivatives d/dw_i = x_i, d/dx_i = w_i, d/db = 1. Node count is the first-order cost
of a scalar engine (for an MLP 2-16-16-1 on a batch of 64, fusing cuts the nodes per step from
about 44,000 to about 1,100; see `benchmarks/engine_speed.py`), so this is the one place where
the engine trades the obvious form for a fused one. The naive equivalent, with the same order of
float additions (so the same value to the last bit):

    out = 0.0
    for w, x in zip(weights, inputs):
        out = out + w * x
    out = out + bias

Plain numbers may appear among the operands; they are constants and do not become parents.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from .value import Value, ValueLike, _check_number, _result

__all__ = ["dot", "make_node", "sum"]


def sum(values: Sequence[ValueLike]) -> Value:  # noqa: A001 - mirrors torch.sum by design
    """v_1 + v_2 + ... + v_n as one node; d/dv_i = 1. An empty sequence sums to 0.0.

    Terms are added left to right onto 0.0, so the result is bit-identical to
    ``out = 0.0; for v in values: out = out + v``.
    """
    total = 0.0
    parents: list[Value] = []
    for index, v in enumerate(_as_sequence(values, "sum", "values")):
        if isinstance(v, Value):
            total += v.data
            parents.append(v)
        else:
            total += _check_number(v, f"sum: values[{index}]")
    return _result(total, tuple(parents), (1.0,) * len(parents), "sum")


def dot(
    weights: Sequence[ValueLike],
    inputs: Sequence[ValueLike],
    bias: Optional[ValueLike] = None,
) -> Value:
    """w_1 x_1 + ... + w_n x_n (+ b) as one node; d/dw_i = x_i, d/dx_i = w_i, d/db = 1.

    The products are added left to right onto 0.0 and the bias is added last, as in
    ``torch.dot(w, x) + b`` read left to right. Lengths must match (`ValueError` otherwise).
    """
    weights = _as_sequence(weights, "dot", "weights")
    inputs = _as_sequence(inputs, "dot", "inputs")
    if len(weights) != len(inputs):
        raise ValueError(
            f"dot: weights and inputs must have the same length, got {len(weights)} weights "
            f"and {len(inputs)} inputs"
        )
    total = 0.0
    parents: list[Value] = []
    local: list[float] = []
    for index, (w, x) in enumerate(zip(weights, inputs)):
        w_value = _data(w, "weights", index)
        x_value = _data(x, "inputs", index)
        total += w_value * x_value
        if isinstance(w, Value):
            parents.append(w)
            local.append(x_value)
        if isinstance(x, Value):
            parents.append(x)
            local.append(w_value)
    if bias is not None:
        if isinstance(bias, Value):
            total += bias.data
            parents.append(bias)
            local.append(1.0)
        else:
            total += _check_number(bias, "dot: bias")
    return _result(total, tuple(parents), tuple(local), "dot")


def _data(v: ValueLike, name: str, index: int) -> float:
    if isinstance(v, Value):
        return v.data
    return _check_number(v, f"dot: {name}[{index}]")


def _as_sequence(values: Sequence[ValueLike], op: str, name: str) -> Sequence[ValueLike]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(
            f"{op}: {name} must be a sequence (list or tuple) of Values or numbers, "
            f"got {type(values).__name__}"
        )
    return values


def make_node(
    data: float,
    parents: Sequence[Value],
    local_grads: Sequence[float],
    op: str = "custom",
) -> Value:
    """A new node from a forward value and its local derivatives: how to add an operation.

    Every op in this package is exactly this: compute ``data`` = f(parents), compute
    ``local_grads[i]`` = df/d(parents[i]), and let `backward()` apply the chain rule. Use it for a
    fused operation of your own (mg-nn's neuron is one: w . x + b and its activation in a single
    node). It trusts its arguments - types are not checked per element, for speed - but the two
    sequences must have the same length. Under `no_grad` the result is a leaf.
    """
    parents = tuple(parents)
    local_grads = tuple(local_grads)
    if len(parents) != len(local_grads):
        raise ValueError(
            f"make_node: {len(parents)} parents but {len(local_grads)} local gradients"
        )
    return _result(data, parents, local_grads, op)
