"""`Neuron`, `Layer` and `MLP`: a fully connected network built from fused neuron nodes.

A neuron computes  y = act(z),  z = w . x + b.  Its local derivatives follow from the chain rule
with  g = act'(z):

    dy/dw_i = g * x_i        dy/db = g        dy/dx_i = g * w_i

so the whole neuron is ONE graph node (`mg_autograd.make_node`) with parents (w..., b, x...)
instead of 2n + 2 nodes built from `*`, `+` and `relu`. The naive, equivalent form is

    act(mg_autograd.dot(w, x, b))            # or: sum(wi * xi for ...) + b, then .relu()

Two more savings: a first-layer input of plain floats is a constant, so it adds no parents; and
a dead relu (z <= 0, so g = 0) passes no gradient at all, so its node gets no parents either and
the backward sweep never visits it. The gradients are the same as the naive form's.

Initialisation follows ``torch.nn.Linear``: every weight and bias is drawn from
U(-1/sqrt(nin), 1/sqrt(nin)), which keeps the variance of z independent of the fan-in. Draws come
from the `random.Random` you pass (or one seeded with the int you pass), neuron by neuron, each
neuron's weights in order and then its bias - never from the global random state.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Literal, Optional, Union

from mg_autograd import Value, ValueLike, make_node

from .module import Module
from .parameter import Parameter

__all__ = ["ACTIVATIONS", "MLP", "Activation", "Layer", "Neuron", "RandomLike"]

Activation = Literal["relu", "tanh", "sigmoid", "linear"]
ACTIVATIONS: tuple[Activation, ...] = ("relu", "tanh", "sigmoid", "linear")

RandomLike = Union[random.Random, int]
"""A `random.Random` to draw from, or an int seed for a new one."""


def _as_rng(rng: RandomLike) -> random.Random:
    if isinstance(rng, random.Random):
        return rng
    if isinstance(rng, int) and not isinstance(rng, bool):
        return random.Random(rng)
    raise TypeError(
        f"rng must be a random.Random or an int seed, got {type(rng).__name__}: {rng!r}"
    )


def _check_activation(activation: object) -> Activation:
    for name in ACTIVATIONS:
        if activation == name:
            return name
    raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}; got {activation!r}")


def _check_size(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{what} must be a positive int, got {value!r}")
    return value


def _prepare_inputs(
    inputs: Sequence[ValueLike], nin: int
) -> tuple[list[float], Optional[list[Value]]]:
    """Validate once per call: (input values, input nodes or None when all are plain numbers)."""
    if isinstance(inputs, (str, bytes)) or not isinstance(inputs, Sequence):
        raise TypeError(
            f"inputs must be a sequence of numbers or Values, got {type(inputs).__name__}"
        )
    if len(inputs) != nin:
        raise ValueError(f"expected {nin} inputs, got {len(inputs)}")
    data: list[float] = []
    values = 0
    for index, x in enumerate(inputs):
        if isinstance(x, Value):
            values += 1
            data.append(x.data)
        elif isinstance(x, bool) or not isinstance(x, (int, float)):
            raise TypeError(
                f"inputs[{index}] must be a number or Value, got {type(x).__name__}: {x!r}"
            )
        else:
            data.append(float(x))
    if not values:
        return data, None
    # Keep gradient flowing to the Values; any numbers among them become constant leaves.
    return data, [x if isinstance(x, Value) else Value(x) for x in inputs]


def _prepare_batch(
    inputs: Sequence[Sequence[ValueLike]], nin: int
) -> tuple[list[list[float]], Optional[list[tuple[Value, ...]]]]:
    """Validate every sample; input nodes for all samples, or None if all are plain numbers."""
    if not isinstance(inputs, Sequence):
        raise TypeError(f"inputs must be a sequence of samples, got {type(inputs).__name__}")
    prepared = [_prepare_inputs(x, nin) for x in inputs]
    xs = [data for data, _ in prepared]
    if all(nodes is None for _, nodes in prepared):
        return xs, None
    nodes = [
        tuple(nodes) if nodes is not None else tuple(Value(v) for v in data)
        for data, nodes in prepared
    ]
    return xs, nodes


class Neuron(Module):
    """One unit: ``act(w . x + b)`` as a single fused node (see the module docstring)."""

    def __init__(self, nin: int, *, activation: Activation = "relu", rng: RandomLike = 0) -> None:
        self.nin: int = _check_size(nin, "nin")
        self.activation: Activation = _check_activation(activation)
        draw = _as_rng(rng)
        bound = 1.0 / math.sqrt(nin)
        self.w: tuple[Parameter, ...] = tuple(
            Parameter(draw.uniform(-bound, bound)) for _ in range(nin)
        )
        self.b: Parameter = Parameter(draw.uniform(-bound, bound))

    def __call__(self, inputs: Sequence[ValueLike]) -> Value:
        data, nodes = _prepare_inputs(inputs, self.nin)
        return self._forward_batch([data], None if nodes is None else [tuple(nodes)])[0]

    def _forward_batch(
        self, xs: list[list[float]], nodes: Optional[list[tuple[Value, ...]]]
    ) -> list[Value]:
        """One output node per sample. Weights are read, and the parents tuple built, once per
        batch rather than once per sample: that is most of what a batch saves."""
        weights = self.w
        w = [p.data for p in weights]
        b = self.b.data
        params: tuple[Value, ...] = (*weights, self.b)
        activation = self.activation
        op = f"neuron[{activation}]"
        piecewise_linear = activation == "relu" or activation == "linear"
        outputs: list[Value] = []
        for index, x in enumerate(xs):
            z = 0.0
            for wi, xi in zip(w, x):
                z += wi * xi
            z += b
            if piecewise_linear:
                if z <= 0.0 and activation == "relu":
                    outputs.append(make_node(0.0, (), (), op))
                    continue
                out = z
                local = (*x, 1.0, *w) if nodes is not None else (*x, 1.0)
            else:
                if activation == "tanh":
                    out = math.tanh(z)
                    slope = 1.0 - out * out
                elif z >= 0.0:
                    out = 1.0 / (1.0 + math.exp(-z))
                    slope = out * (1.0 - out)
                else:
                    e = math.exp(z)
                    out = e / (1.0 + e)
                    slope = out * (1.0 - out)
                scaled_x = [xi * slope for xi in x]
                if nodes is not None:
                    local = (*scaled_x, slope, *[wi * slope for wi in w])
                else:
                    local = (*scaled_x, slope)
            parents = params + nodes[index] if nodes is not None else params
            outputs.append(make_node(out, parents, local, op))
        return outputs

    def _extra_repr(self) -> str:
        return f"{self.nin}, {self.activation}"


class Layer(Module):
    """``nout`` neurons that all read the same ``nin`` inputs; returns ``list[Value]`` always."""

    def __init__(
        self, nin: int, nout: int, *, activation: Activation = "relu", rng: RandomLike = 0
    ) -> None:
        self.nin: int = _check_size(nin, "nin")
        self.nout: int = _check_size(nout, "nout")
        draw = _as_rng(rng)
        self.neurons: list[Neuron] = [
            Neuron(nin, activation=activation, rng=draw) for _ in range(nout)
        ]

    @property
    def activation(self) -> Activation:
        return self.neurons[0].activation

    def __call__(self, inputs: Sequence[ValueLike]) -> list[Value]:
        return self.forward_batch([inputs])[0]

    def forward_batch(self, inputs: Sequence[Sequence[ValueLike]]) -> list[list[Value]]:
        """``[layer(x) for x in inputs]``, with the same graph, built faster (see `MLP`)."""
        xs, nodes = _prepare_batch(inputs, self.nin)
        return self._forward_batch(xs, nodes)

    def _forward_batch(
        self, xs: list[list[float]], nodes: Optional[list[tuple[Value, ...]]]
    ) -> list[list[Value]]:
        columns = [neuron._forward_batch(xs, nodes) for neuron in self.neurons]
        return [list(row) for row in zip(*columns)]

    def __repr__(self) -> str:
        return f"Layer({self.nin} -> {self.nout}, {self.activation})"


class MLP(Module):
    """A stack of `Layer`s: ``MLP(2, [16, 16, 1])`` is 2 inputs, two hidden layers, 1 output.

    Hidden layers use ``activation``; the last layer uses ``output_activation`` (None means
    "linear", the usual choice for regression and for logits). Calling it returns ``list[Value]``
    even for a single output - ``model(x)[0]`` - so code never has to ask which it got.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        *,
        activation: Activation = "relu",
        output_activation: Optional[Activation] = None,
        rng: RandomLike = 0,
    ) -> None:
        self.nin: int = _check_size(nin, "nin")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise ValueError(f"nouts must be a non-empty sequence of layer widths, got {nouts!r}")
        sizes = [self.nin] + [_check_size(n, f"nouts[{i}]") for i, n in enumerate(nouts)]
        hidden = _check_activation(activation)
        last = _check_activation("linear" if output_activation is None else output_activation)
        draw = _as_rng(rng)
        self.layers: list[Layer] = [
            Layer(sizes[i], sizes[i + 1], activation=hidden, rng=draw)
            for i in range(len(nouts) - 1)
        ]
        self.layers.append(Layer(sizes[-2], sizes[-1], activation=last, rng=draw))

    def __call__(self, inputs: Sequence[ValueLike]) -> list[Value]:
        return self.forward_batch([inputs])[0]

    def forward_batch(self, inputs: Sequence[Sequence[ValueLike]]) -> list[list[Value]]:
        """``[model(x) for x in inputs]``: the same nodes, parents and local derivatives, so the
        same gradients to the last bit, built about 25% faster.

        Processing a batch layer by layer lets each neuron read its weights and build its
        parents tuple once per batch instead of once per sample - the way a tensor library
        computes a batch as one matrix product.
        """
        xs, nodes = _prepare_batch(inputs, self.nin)
        outputs: list[list[Value]] = []
        for layer in self.layers:
            outputs = layer._forward_batch(xs, nodes)
            nodes = [tuple(row) for row in outputs]
            xs = [[v.data for v in row] for row in outputs]
        return outputs

    def _extra_repr(self) -> str:
        widths = [self.nin] + [layer.nout for layer in self.layers]
        return " -> ".join(str(w) for w in widths)
