"""Contracts the mutation run (tests/tools/mutation.py) showed were unpinned.

Each test states one fact a user relies on: an error message that names every offending key,
or a gradient that must reach the inputs. Expected values come from the math (d(w . x + b)/dx_i
= w_i) and from the documented messages, never from running this code.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import pytest
from mg_autograd import Value
from mg_nn import (
    MLP,
    Layer,
    Module,
    Neuron,
    Parameter,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    mse_loss,
)


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


def test_cross_entropy_argument_errors_name_the_loss_and_the_argument() -> None:
    # Three classes: valid targets are 0, 1 and 2 (torch: "Target 3 is out of bounds").
    logits = [[0.5, 1.0, -1.0]]
    cases: list[tuple[type[BaseException], Callable[[], object], str]] = [
        (
            ValueError,
            lambda: cross_entropy(logits, [3]),
            "cross_entropy: targets[0] = 3 is out of range for 3 classes (valid: 0 to 2)",
        ),
        (
            TypeError,
            lambda: cross_entropy(logits, 1),  # type: ignore[arg-type]
            "cross_entropy: targets must be a list or tuple, got int",
        ),
        (
            TypeError,
            lambda: cross_entropy(1.0, [0]),  # type: ignore[arg-type]
            "cross_entropy: logits must be a list or tuple, got float",
        ),
        (
            TypeError,
            lambda: cross_entropy([[0.5, "x"]], [0]),  # type: ignore[list-item]
            "cross_entropy: logits[0][1] must be a Value or a number, got str: 'x'",
        ),
    ]
    for error, call, expected in cases:
        assert message(error, call) == expected


def test_bce_with_logits_argument_errors_name_the_loss_and_the_rule() -> None:
    name = "binary_cross_entropy_with_logits"
    assert message(ValueError, lambda: binary_cross_entropy_with_logits([0.5], [1.5])) == (
        f"{name}: targets[0] must be a number in [0, 1], got 1.5"
    )
    assert message(TypeError, lambda: binary_cross_entropy_with_logits(0.5, [1.0])) == (  # type: ignore[arg-type]
        f"{name}: logits must be a list or tuple, got float"
    )
    assert message(ValueError, lambda: binary_cross_entropy_with_logits([0.5, 1.0], [1.0])) == (
        f"{name}: got 2 logits but 1 targets; lengths must match"
    )


def test_bce_with_logits_gradient_uses_the_documented_sigmoid_form() -> None:
    # dL/dz = sigmoid(z) - y; for z >= 0 sigmoid is computed as 1 / (1 + e^-z), which at
    # z = 0.03 differs in the last bit from the equal form e^z / (1 + e^z).
    for z in (0.0, 0.03, 0.5):
        logit = Value(z)
        binary_cross_entropy_with_logits([logit], [0.0]).backward()
        assert logit.grad == 1.0 / (1.0 + math.exp(-z)), z


def test_hinge_loss_argument_errors_name_the_loss_and_the_rule() -> None:
    assert message(ValueError, lambda: hinge_loss([0.5], [0.5])) == (
        "hinge_loss: targets[0] must be -1 or +1, got 0.5"
    )
    assert message(TypeError, lambda: hinge_loss("s", [1.0])) == (  # type: ignore[arg-type]
        "hinge_loss: scores must be a list or tuple, got str"
    )


def test_layer_and_mlp_size_errors_name_nin() -> None:
    assert message(ValueError, lambda: Layer(0, 2)) == "nin must be a positive int, got 0"
    assert message(ValueError, lambda: MLP(True, [2])) == "nin must be a positive int, got True"


def test_default_rng_is_seed_zero() -> None:
    # README: rng=0 by default; weights and biases are drawn neuron by neuron (weights, then
    # bias) from U(-1/sqrt(nin), 1/sqrt(nin)) of random.Random(seed).
    draw = random.Random(0)
    bound = 1.0 / math.sqrt(2)
    expected = [draw.uniform(-bound, bound) for _ in range(3 * 3)]
    assert [p.data for p in Layer(2, 3).parameters()] == expected
    assert [p.data for p in MLP(2, [3]).parameters()] == expected
    assert [p.data for p in Neuron(2).parameters()] == expected[:3]


def test_mse_loss_argument_errors_name_the_loss() -> None:
    assert message(ValueError, lambda: mse_loss([1.0], [math.inf])) == (
        "mse_loss: targets[0] must be a finite number, got inf"
    )
    assert message(TypeError, lambda: mse_loss("p", [1.0])) == (  # type: ignore[arg-type]
        "mse_loss: predictions must be a list or tuple, got str"
    )


def test_parameter_discovery_skips_private_attributes_and_goes_on() -> None:
    class Scaled(Module):
        def __init__(self) -> None:
            self._cache = Parameter(9.0)
            self.w = Parameter(1.0)
            self.b = Parameter(2.0)

    model = Scaled()
    assert [name for name, _ in model.named_parameters()] == ["w", "b"]


def test_construction_errors_name_the_argument() -> None:
    assert message(TypeError, lambda: Neuron(2, rng="s")) == (  # type: ignore[arg-type]
        "rng must be a random.Random or an int seed, got str: 's'"
    )
    assert message(ValueError, lambda: Neuron(2, activation="gelu")) == (  # type: ignore[arg-type]
        "activation must be one of relu, tanh, sigmoid, linear; got 'gelu'"
    )


def test_neuron_nodes_are_named_after_their_activation_alive_or_dead() -> None:
    neuron = Neuron(1, activation="relu")
    neuron.w[0].data, neuron.b.data = 1.0, 0.0
    assert neuron([2.0]).op == "neuron[relu]"
    assert neuron([-2.0]).op == "neuron[relu]"  # a dead relu: a node without parents


def test_sigmoid_neuron_uses_the_documented_form_for_non_negative_z() -> None:
    # act(z) = 1 / (1 + e^-z) for z >= 0; at z = 0.03 the equal form e^z / (1 + e^z) differs
    # in the last bit.
    neuron = Neuron(1, activation="sigmoid")
    neuron.w[0].data = 0.0
    for z in (0.0, 0.03, 0.5):
        neuron.b.data = z
        assert neuron([1.0]).data == 1.0 / (1.0 + math.exp(-z)), z


def test_target_and_row_errors_say_what_was_wrong() -> None:
    assert message(TypeError, lambda: mse_loss([1.0], [Value(1.0)])) == (  # type: ignore[list-item]
        "mse_loss: targets[0] must be a number, got Value: Value(data=1.0, grad=0.0) "
        "(targets are constants: pass v.data)"
    )
    assert message(TypeError, lambda: mse_loss([1.0], ["a"])) == (  # type: ignore[list-item]
        "mse_loss: targets[0] must be a number, got str: 'a'"
    )
    assert message(TypeError, lambda: mse_loss([1.0], 1.0)) == (  # type: ignore[arg-type]
        "mse_loss: targets must be a list or tuple, got float"
    )
    assert message(TypeError, lambda: cross_entropy([1.0], [0])) == (  # type: ignore[list-item]
        "cross_entropy: logits[0] must be a list or tuple, got float"
    )
