"""Neuron, Layer, MLP: initialisation, call contract, the fused neuron node and bad input."""

from __future__ import annotations

import math
import random
from typing import Union

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mg_autograd import Value, dot, gradcheck, no_grad
from mg_nn import ACTIVATIONS, MLP, Activation, Layer, Neuron, Parameter

# ---- initialisation ----------------------------------------------------------------------------


def test_neuron_draws_weights_then_bias_from_fan_in_uniform() -> None:
    draw = random.Random(7)
    bound = 1.0 / math.sqrt(3)
    expected = [draw.uniform(-bound, bound) for _ in range(4)]
    neuron = Neuron(3, rng=7)
    assert [p.data for p in neuron.w] == expected[:3]
    assert neuron.b.data == expected[3]


def test_layer_draws_neuron_by_neuron_from_one_stream() -> None:
    draw = random.Random(11)
    bound = 1.0 / math.sqrt(2)
    expected = [draw.uniform(-bound, bound) for _ in range(9)]
    layer = Layer(2, 3, rng=11)
    got = [p.data for n in layer.neurons for p in (*n.w, n.b)]
    assert got == expected


def test_init_stays_within_the_fan_in_bound() -> None:
    model = MLP(25, [9, 4], rng=3)
    for layer in model.layers:
        bound = 1.0 / math.sqrt(layer.nin)
        assert all(-bound <= p.data <= bound for n in layer.neurons for p in (*n.w, n.b))


def test_same_seed_same_model_bit_for_bit() -> None:
    a = MLP(3, [5, 2], rng=42).state_dict()
    b = MLP(3, [5, 2], rng=42).state_dict()
    c = MLP(3, [5, 2], rng=random.Random(42)).state_dict()
    assert [v.hex() for v in a.values()] == [v.hex() for v in b.values()]
    assert a == c


def test_different_seed_different_weights() -> None:
    a = MLP(3, [5, 2], rng=1).state_dict()
    b = MLP(3, [5, 2], rng=2).state_dict()
    assert all(a[k] != b[k] for k in a)


def test_a_passed_generator_is_consumed_in_order() -> None:
    shared = random.Random(5)
    first, second = Neuron(2, rng=shared), Neuron(2, rng=shared)
    together = Layer(2, 2, rng=5)
    assert [p.data for p in (*first.w, first.b, *second.w, second.b)] == [
        p.data for p in together.parameters()
    ]


def test_global_random_state_is_neither_used_nor_changed() -> None:
    random.seed(1)
    before = random.getstate()
    a = MLP(2, [4, 1]).state_dict()
    assert random.getstate() == before
    random.seed(2)
    assert MLP(2, [4, 1]).state_dict() == a


# ---- structure -----------------------------------------------------------------------------------


def test_mlp_structure_and_activations() -> None:
    model = MLP(2, [16, 8, 1], activation="tanh")
    assert [(layer.nin, layer.nout) for layer in model.layers] == [(2, 16), (16, 8), (8, 1)]
    assert [layer.activation for layer in model.layers] == ["tanh", "tanh", "linear"]
    assert all(len(layer.neurons) == layer.nout for layer in model.layers)
    assert all(len(n.w) == layer.nin for layer in model.layers for n in layer.neurons)
    assert all(isinstance(p, Parameter) for p in model.parameters())
    sigmoid_out = MLP(2, [3, 1], output_activation="sigmoid")
    assert [layer.activation for layer in sigmoid_out.layers] == ["relu", "sigmoid"]
    assert MLP(4, [2]).layers[0].activation == "linear"


# ---- the call contract ---------------------------------------------------------------------------


def test_calls_return_a_list_even_for_width_one() -> None:
    out = MLP(2, [3, 1])([0.5, -1.0])
    assert isinstance(out, list)
    assert len(out) == 1
    assert isinstance(out[0], Value)
    layer_out = Layer(2, 1)([1, 2])
    assert isinstance(layer_out, list)
    assert len(layer_out) == 1
    assert isinstance(Neuron(2)([1.0, 2.0]), Value)


@pytest.mark.parametrize("module", [Neuron(3), Layer(3, 2), MLP(3, [2, 1])], ids=repr)
@pytest.mark.parametrize("n", [2, 4])
def test_wrong_input_length_names_both_lengths(module: Union[Neuron, Layer, MLP], n: int) -> None:
    with pytest.raises(ValueError, match=rf"expected 3 inputs, got {n}"):
        module([0.0] * n)


@pytest.mark.parametrize(
    ("inputs", "error", "message"),
    [
        ("ab", TypeError, r"inputs must be a sequence.*got str"),
        (1.0, TypeError, r"inputs must be a sequence.*got float"),
        ([1.0, "x"], TypeError, r"inputs\[1\] must be a number or Value, got str: 'x'"),
        ([True, 1.0], TypeError, r"inputs\[0\].*bool: True"),
        ([Value(1.0), None], TypeError, r"inputs\[1\].*NoneType: None"),
    ],
)
def test_bad_inputs_are_named(inputs: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        MLP(2, [1])(inputs)  # type: ignore[arg-type]  # bad on purpose


def test_bad_constructor_arguments_are_named() -> None:
    with pytest.raises(ValueError, match=r"activation must be one of .*got 'gelu'"):
        Neuron(2, activation="gelu")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"got 'softmax'"):
        MLP(2, [1], output_activation="softmax")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"got 'Relu'"):
        Layer(2, 1, activation="Relu")  # type: ignore[arg-type]
    for nin in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match=rf"nin must be a positive int, got {nin!r}"):
            Neuron(nin)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"nout must be a positive int, got 0"):
        Layer(2, 0)
    with pytest.raises(ValueError, match=r"nouts must be a non-empty sequence.*\[\]"):
        MLP(2, [])
    with pytest.raises(ValueError, match=r"nouts must be .*'12'"):
        MLP(2, "12")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"nouts\[1\] must be a positive int, got 0"):
        MLP(2, [3, 0])
    for rng in (True, 1.5, "0", None):
        with pytest.raises(
            TypeError, match=rf"rng must be a random.Random or an int seed.*{rng!r}"
        ):
            MLP(2, [1], rng=rng)  # type: ignore[arg-type]


# ---- the fused neuron node -------------------------------------------------------------------


def naive_neuron(neuron: Neuron, x: list[Value]) -> Value:
    """The module docstring's naive form: act(dot(w, x, b)) from separate mg-autograd nodes."""
    z = dot(neuron.w, x, neuron.b)
    if neuron.activation == "relu":
        return z.relu()
    if neuron.activation == "tanh":
        return z.tanh()
    if neuron.activation == "sigmoid":
        return z.sigmoid()
    return z


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-14 * abs(b) + 1e-15


coordinate = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@settings(derandomize=True, deadline=None, max_examples=25)
@given(xs=st.lists(coordinate, min_size=3, max_size=3), seed=st.integers(0, 2**32))
def test_fused_neuron_equals_naive_form(activation: Activation, xs: list[float], seed: int) -> None:
    neuron = Neuron(3, activation=activation, rng=seed)
    fused_x, naive_x = [Value(x) for x in xs], [Value(x) for x in xs]
    fused = neuron(fused_x)
    fused.backward()
    fused_grads = [p.grad for p in neuron.parameters()]
    neuron.zero_grad()
    slow = naive_neuron(neuron, naive_x)
    slow.backward()
    assert close(fused.data, slow.data)
    for a, b in zip(fused_grads, [p.grad for p in neuron.parameters()]):
        assert close(a, b)
    for a_x, b_x in zip(fused_x, naive_x):
        assert close(a_x.grad, b_x.grad)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "linear"])
def test_mlp_input_gradient_is_central_difference(activation: Activation) -> None:
    model = MLP(3, [5, 4, 2], activation=activation, output_activation="tanh", rng=9)
    assert gradcheck(lambda *x: model(list(x))[1], [0.3, -0.8, 1.1])


def test_neuron_is_one_node_with_constant_inputs_left_out() -> None:
    neuron = Neuron(2, activation="tanh", rng=0)
    out = neuron([1.0, 2.0])
    assert out.op == "neuron[tanh]"
    assert out.parents == (*neuron.w, neuron.b)
    x = [Value(1.0), Value(2.0)]
    assert neuron(x).parents == (*neuron.w, neuron.b, *x)


def test_mixed_inputs_send_gradient_to_the_values() -> None:
    neuron = Neuron(2, activation="linear", rng=0)
    x0 = Value(1.5)
    neuron([x0, 2.0]).backward()
    assert x0.grad == neuron.w[0].data
    assert neuron.w[1].grad == 2.0


@pytest.mark.parametrize("bias", [-100.0, 0.0])
def test_dead_relu_is_a_parentless_zero(bias: float) -> None:
    neuron = Neuron(2, rng=0)
    neuron.b.data = bias
    for p in neuron.w:
        p.data = 0.0 if bias == 0.0 else p.data
    x = [Value(0.5), Value(-0.5)]
    out = neuron(x)
    assert out.data == 0.0
    assert out.is_leaf()
    out.backward()
    assert [p.grad for p in neuron.parameters()] == [0.0, 0.0, 0.0]
    assert [v.grad for v in x] == [0.0, 0.0]


@pytest.mark.parametrize("z", [-800.0, 800.0])
def test_sigmoid_neuron_is_stable_for_huge_inputs(z: float) -> None:
    neuron = Neuron(1, activation="sigmoid", rng=0)
    neuron.w[0].data, neuron.b.data = 1.0, 0.0
    out = neuron([z])
    assert out.data == (1.0 if z > 0 else 0.0)
    out.backward()
    assert neuron.w[0].grad == 0.0


def test_no_grad_forward_builds_no_graph() -> None:
    model = MLP(2, [4, 1], activation="tanh")
    with no_grad():
        out = model([Value(0.1), Value(0.2)])
    assert out[0].is_leaf()


Outcome = tuple[tuple[float, ...], tuple[float, ...]]


def _per_sample_and_batched(
    activation: Activation, inputs: list[list[Union[float, Value]]]
) -> tuple[Outcome, Outcome]:
    """(outputs, parameter gradients) of the per-sample forward and of `forward_batch`."""
    results: list[Outcome] = []
    for batched in (False, True):
        model = MLP(3, [5, 4, 2], activation=activation, output_activation="tanh", rng=11)
        outputs = model.forward_batch(inputs) if batched else [model(x) for x in inputs]
        total = Value(0.0)
        for row in outputs:
            for out in row:
                total = total + out * out
        total.backward()
        results.append(
            (
                tuple(out.data for row in outputs for out in row),
                tuple(p.grad for p in model.parameters()),
            )
        )
    return results[0], results[1]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_forward_batch_builds_the_same_graph_as_per_sample_calls(activation: Activation) -> None:
    draw = random.Random(5)
    inputs: list[list[Union[float, Value]]] = [
        [draw.uniform(-2.0, 2.0) for _ in range(3)] for _ in range(7)
    ]
    per_sample, batched = _per_sample_and_batched(activation, inputs)
    assert per_sample == batched  # bit for bit: same nodes, same order of additions


def test_forward_batch_with_value_inputs_passes_gradient_to_them() -> None:
    leaves = [Value(0.5), Value(-1.5)]
    inputs: list[list[Union[float, Value]]] = [[leaves[0], 2.0, leaves[1]], [1.0, -1.0, 0.25]]
    per_sample, batched = _per_sample_and_batched("tanh", inputs)
    assert per_sample == batched
    model = MLP(3, [4, 1], activation="tanh", rng=3)
    model.forward_batch(inputs)[0][0].backward()
    assert leaves[0].grad != 0.0
    assert leaves[1].grad != 0.0


def test_forward_batch_rejects_a_bad_sample_naming_both_lengths() -> None:
    model = MLP(2, [3, 1], rng=0)
    with pytest.raises(ValueError, match="expected 2 inputs, got 3"):
        model.forward_batch([[1.0, 2.0], [1.0, 2.0, 3.0]])
    with pytest.raises(TypeError, match="sequence of samples"):
        model.forward_batch(5)  # type: ignore[arg-type]
    assert model.forward_batch([]) == []
    assert (
        Layer(2, 3, rng=0).forward_batch([[0.5, 0.5]])[0][0].data
        == Layer(2, 3, rng=0)([0.5, 0.5])[0].data
    )
