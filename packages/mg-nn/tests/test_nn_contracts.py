"""Contracts the mutation run (tests/tools/mutation.py) showed were unpinned.

Each test states one fact a user relies on: an error message that names every offending key,
or a gradient that must reach the inputs. Expected values come from the math (d(w . x + b)/dx_i
= w_i) and from the documented messages, never from running this code.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from mg_autograd import Value
from mg_nn import MLP, Layer


def message(error: type[BaseException], call: Callable[[], object]) -> str:
    with pytest.raises(error) as info:
        call()
    return str(info.value)


def test_load_state_dict_lists_every_missing_and_unexpected_key() -> None:
    model = Layer(1, 2, rng=0)
    state = model.state_dict()
    assert list(state) == ["neurons.0.w.0", "neurons.0.b", "neurons.1.w.0", "neurons.1.b"]
    partial = {"neurons.0.w.0": 0.5, "neurons.1.w.0": 0.25}
    assert message(ValueError, lambda: model.load_state_dict(partial)) == (
        "state dict is missing key(s): neurons.0.b, neurons.1.b"
    )
    extra = {**state, "head.w": 1.0, "head.b": 2.0}
    assert message(ValueError, lambda: model.load_state_dict(extra)) == (
        "state dict has unexpected key(s): head.w, head.b"
    )
    assert model.state_dict() == state


def test_layer_forward_batch_passes_gradient_to_value_inputs() -> None:
    # A linear layer: out_j = w_j . x + b_j, so d(sum_j out_j)/dx_i = sum_j w_ji.
    layer = Layer(2, 2, activation="linear", rng=3)
    x = [Value(0.5), Value(-1.5)]
    (row,) = layer.forward_batch([x])
    (row[0] + row[1]).backward()
    for i in range(2):
        assert x[i].grad == layer.neurons[0].w[i].data + layer.neurons[1].w[i].data
    model = MLP(2, [1], rng=3)
    y = [Value(0.5), Value(-1.5)]
    model.forward_batch([y])[0][0].backward()
    assert [v.grad for v in y] == [p.data for p in model.layers[0].neurons[0].w]
