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
        return self._forward(data, nodes)

    def _forward(self, x: list[float], nodes: Optional[list[Value]]) -> Value:
        weights = self.w
        w = [p.data for p in weights]
        z = 0.0
        for wi, xi in zip(w, x):
            z += wi * xi
        z += self.b.data
        activation = self.activation
        if activation == "relu" or activation == "linear":
            if activation == "relu" and z <= 0.0:
                return make_node(0.0, (), (), "neuron[relu]")
            out, slope = z, 1.0
            local = [*x, 1.0]
            if nodes is not None:
                local += w
        else:
            if activation == "tanh":
                out = math.tanh(z)
                slope = 1.0 - out * out
            else:
                out = 1.0 / (1.0 + math.exp(-z)) if z >= 0.0 else math.exp(z) / (1.0 + math.exp(z))
                slope = out * (1.0 - out)
            local = [xi * slope for xi in x]
            local.append(slope)
            if nodes is not None:
                local += [wi * slope for wi in w]
        parents: tuple[Value, ...] = (*weights, self.b)
        if nodes is not None:
            parents += tuple(nodes)
        return make_node(out, parents, local, f"neuron[{activation}]")

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
        data, nodes = _prepare_inputs(inputs, self.nin)
        return self._forward(data, nodes)

    def _forward(self, x: list[float], nodes: Optional[list[Value]]) -> list[Value]:
        return [neuron._forward(x, nodes) for neuron in self.neurons]

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
        x, nodes = _prepare_inputs(inputs, self.nin)
        out: list[Value] = []
        for layer in self.layers:
            out = layer._forward(x, nodes)
            nodes = out
            x = [v.data for v in out]
        return out

    def _extra_repr(self) -> str:
        widths = [self.nin] + [layer.nout for layer in self.layers]
        return " -> ".join(str(w) for w in widths)
