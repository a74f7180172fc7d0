"""Module: parameter order and names, dedup, zero_grad, state dicts (all-or-nothing), repr."""

from __future__ import annotations

import json
import math

import pytest
from mg_autograd import Value
from mg_nn import MLP, Layer, Module, Neuron, Parameter, mse_loss


def expected_names(nin: int, nouts: list[int]) -> list[str]:
    """The documented order: layer by layer, neuron by neuron, weights then bias."""
    names = []
    sizes = [nin, *nouts]
    for layer in range(len(nouts)):
        for neuron in range(sizes[layer + 1]):
            prefix = f"layers.{layer}.neurons.{neuron}."
            names += [f"{prefix}w.{i}" for i in range(sizes[layer])] + [prefix + "b"]
    return names


def test_named_parameters_order_and_names() -> None:
    model = MLP(2, [3, 1])
    named = model.named_parameters()
    assert [name for name, _ in named] == expected_names(2, [3, 1])
    assert named[0][0] == "layers.0.neurons.0.w.0"
    assert named[-1][0] == "layers.1.neurons.0.b"
    walked = [p for layer in model.layers for n in layer.neurons for p in (*n.w, n.b)]
    assert [p for _, p in named] == walked
    assert model.parameters() == walked
    assert all(a is b for a, b in zip(model.parameters(), walked))


def test_num_parameters_counts_weights_and_biases() -> None:
    assert MLP(2, [16, 16, 1]).num_parameters() == 3 * 16 + 17 * 16 + 17 * 1 == 337
    assert Neuron(5).num_parameters() == 6
    assert Layer(4, 3).num_parameters() == 15


def test_zero_grad_clears_every_gradient() -> None:
    model = MLP(2, [4, 1], activation="tanh")
    mse_loss([model([0.5, 1.0])[0]], [2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


class Tied(Module):
    """Two neurons sharing weights, and a list holding an already-seen parameter."""

    def __init__(self) -> None:
        self.first = Neuron(2, activation="linear", rng=0)
        self.second = Neuron(2, activation="linear", rng=1)
        self.second.w = self.first.w
        self.extra = [self.first.b, Parameter(3.0)]
        self.not_a_parameter = Value(4.0)
        self.scale = 2.5
        self._hidden = Parameter(5.0)


def test_shared_parameters_are_listed_once_at_their_first_place() -> None:
    model = Tied()
    assert [name for name, _ in model.named_parameters()] == [
        "first.w.0",
        "first.w.1",
        "first.b",
        "second.b",
        "extra.1",
    ]
    assert model.num_parameters() == 5
    assert len(model.state_dict()) == 5


def test_shared_weight_collects_gradient_from_both_uses() -> None:
    model = Tied()
    (model.first([1.0, 0.0]) + model.second([2.0, 0.0])).backward()
    assert model.first.w[0].grad == 1.0 + 2.0


def test_state_dict_round_trips_through_json() -> None:
    source = MLP(3, [4, 2], activation="tanh", rng=1)
    text = json.dumps(source.state_dict())
    target = MLP(3, [4, 2], activation="tanh", rng=2)
    assert target.state_dict() != source.state_dict()
    target.load_state_dict(json.loads(text))
    assert target.state_dict() == source.state_dict()
    assert list(target.state_dict()) == [name for name, _ in source.named_parameters()]
    assert all(type(v) is float for v in target.state_dict().values())
    x = [0.3, -1.2, 0.7]
    assert [v.data for v in target(x)] == [v.data for v in source(x)]


def test_load_state_dict_converts_ints_to_floats() -> None:
    model = Neuron(2)
    model.load_state_dict({"w.0": 1, "w.1": -2, "b": 0})
    assert [type(p.data) for p in model.parameters()] == [float, float, float]
    assert model.state_dict() == {"w.0": 1.0, "w.1": -2.0, "b": 0.0}


def _bad_states() -> list[tuple[str, dict[str, object], type[Exception], str]]:
    good: dict[str, object] = dict(MLP(2, [2, 1], rng=99).state_dict())
    last = "layers.1.neurons.0.b"
    missing = {k: v for k, v in good.items() if k != last}
    cases: list[tuple[str, dict[str, object], type[Exception], str]] = [
        ("missing", missing, ValueError, r"missing key\(s\): layers\.1\.neurons\.0\.b"),
        (
            "unexpected",
            {**good, "layers.2.b": 1.0},
            ValueError,
            r"unexpected key\(s\): layers\.2\.b",
        ),
    ]
    for label, bad, error, message in [
        ("str", "0.5", TypeError, r"must be a number, got str: '0.5'"),
        ("none", None, TypeError, r"got NoneType: None"),
        ("bool", True, TypeError, r"got bool: True"),
        ("value", Value(1.0), TypeError, r"got Value"),
        ("nan", math.nan, ValueError, r"is not finite: nan"),
        ("inf", -math.inf, ValueError, r"is not finite: -inf"),
        ("huge-int", 10**400, ValueError, r"too large for a float: an int of 1329 bits"),
    ]:
        cases.append((label, {**good, last: bad}, error, rf"'{last}'.*{message}"))
    return cases


BAD_STATES = _bad_states()


@pytest.mark.parametrize(
    ("label", "state", "error", "message"), BAD_STATES, ids=[case[0] for case in BAD_STATES]
)
def test_load_state_dict_is_all_or_nothing(
    label: str, state: dict[str, object], error: type[Exception], message: str
) -> None:
    model = MLP(2, [2, 1], rng=0)
    before = model.state_dict()
    with pytest.raises(error, match=message):
        model.load_state_dict(state)  # type: ignore[arg-type]  # bad on purpose
    assert model.state_dict() == before, label


def test_load_state_dict_rejects_a_non_mapping() -> None:
    with pytest.raises(TypeError, match=r"state must be a mapping.*got list"):
        Neuron(1).load_state_dict([("w.0", 1.0)])  # type: ignore[arg-type]


def test_non_strict_load_takes_a_subset_and_ignores_extras() -> None:
    model = Neuron(2, rng=0)
    w1 = model.w[1].data
    model.load_state_dict({"w.0": 0.25, "b": -1.0, "other": 9.0}, strict=False)
    assert model.state_dict() == {"w.0": 0.25, "w.1": w1, "b": -1.0}
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"'b'.*not finite"):
        model.load_state_dict({"w.0": 7.0, "b": math.inf}, strict=False)
    assert model.state_dict() == before


def test_repr_shows_the_architecture() -> None:
    assert repr(Neuron(3, activation="tanh")) == "Neuron(3, tanh)"
    assert repr(Layer(2, 3)) == "Layer(2 -> 3, relu)"
    assert repr(MLP(2, [3, 1])) == (
        "MLP(2 -> 3 -> 1\n  (layers.0): Layer(2 -> 3, relu)\n  (layers.1): Layer(3 -> 1, linear)\n)"
    )


def test_repr_nests_user_modules() -> None:
    class Wrapper(Module):
        def __init__(self) -> None:
            self.body = MLP(2, [1])
            self.heads = [Neuron(1, activation="sigmoid")]

    assert repr(Wrapper()) == (
        "Wrapper(\n"
        "  (body): MLP(2 -> 1\n"
        "    (layers.0): Layer(2 -> 1, linear)\n"
        "  )\n"
        "  (heads.0): Neuron(1, sigmoid)\n"
        ")"
    )
    assert repr(Module()) == "Module()"
