"""An MLP's outputs, loss and gradients against PyTorch float64 from identical weights.

The generator (reference/generate.py) draws the weights itself with ``random.Random(seed)`` in
mg-nn's documented order and writes them as an mg state dict, so these tests check two things:
the forward/backward arithmetic (loaded through `load_state_dict`) and, for unedited cases, that
``MLP(..., rng=seed)`` initialises exactly those weights.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from mg_autograd import Value, ValueLike
from mg_nn import MLP, binary_cross_entropy_with_logits, cross_entropy, hinge_loss, mse_loss

CASES = json.loads((Path(__file__).parent / "reference" / "mlp.json").read_text(encoding="utf-8"))[
    "cases"
]
IDS = [case["name"] for case in CASES]
ACTIVATIONS_COVERED = {case["activation"] for case in CASES} | {
    case["output_activation"] for case in CASES
}
Case = dict[str, object]


def close(actual: float, expected: float) -> bool:
    """1e-12 relative, with a floor of 1e-15 for values that are 0 up to rounding."""
    return abs(actual - expected) <= 1e-12 * abs(expected) + 1e-15


def build(case: Case) -> MLP:
    model = MLP(
        case["nin"],  # type: ignore[arg-type]  # JSON values from our own generator
        case["nouts"],  # type: ignore[arg-type]
        activation=case["activation"],  # type: ignore[arg-type]
        output_activation=case["output_activation"],  # type: ignore[arg-type]
        rng=case["seed"],  # type: ignore[arg-type]
    )
    model.load_state_dict(case["state"])  # type: ignore[arg-type]
    return model


def loss_of(case: Case, outputs: list[list[Value]]) -> Value:
    targets: Sequence[float] = case["targets"]  # type: ignore[assignment]
    if case["loss_fn"] == "cross_entropy":
        return cross_entropy(outputs, targets)  # type: ignore[arg-type]  # ints in the JSON
    flat: list[ValueLike] = [v for row in outputs for v in row]
    if case["loss_fn"] == "mse_loss":
        return mse_loss(flat, targets)
    if case["loss_fn"] == "binary_cross_entropy_with_logits":
        return binary_cross_entropy_with_logits(flat, targets)
    assert case["loss_fn"] == "hinge_loss"
    return hinge_loss(flat, targets)


def test_reference_covers_every_activation_and_loss() -> None:
    assert {"relu", "tanh", "sigmoid", "linear"} == ACTIVATIONS_COVERED
    assert {case["loss_fn"] for case in CASES} == {
        "mse_loss",
        "binary_cross_entropy_with_logits",
        "cross_entropy",
        "hinge_loss",
    }


@pytest.mark.parametrize("case", [c for c in CASES if c["init_from_seed"]], ids=lambda c: c["name"])
def test_seeded_init_matches_the_documented_draw_order(case: Case) -> None:
    model = MLP(
        case["nin"],  # type: ignore[arg-type]
        case["nouts"],  # type: ignore[arg-type]
        activation=case["activation"],  # type: ignore[arg-type]
        output_activation=case["output_activation"],  # type: ignore[arg-type]
        rng=case["seed"],  # type: ignore[arg-type]
    )
    state = case["state"]
    assert isinstance(state, dict)
    assert list(model.state_dict()) == list(state)
    assert model.state_dict() == state


@pytest.mark.parametrize("value_inputs", [False, True], ids=["float-inputs", "value-inputs"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_mlp_matches_pytorch(case: Case, value_inputs: bool) -> None:
    model = build(case)
    inputs: list[list[float]] = case["inputs"]  # type: ignore[assignment]
    leaves = [[Value(x) for x in row] for row in inputs]
    batch: Sequence[Sequence[ValueLike]] = leaves if value_inputs else inputs
    outputs = [model(x) for x in batch]

    expected_outputs: list[list[float]] = case["outputs"]  # type: ignore[assignment]
    assert len(outputs) == len(expected_outputs)
    for row, expected_row in zip(outputs, expected_outputs):
        assert len(row) == len(expected_row)
        for out, expected in zip(row, expected_row):
            assert close(out.data, expected), (out.data, expected)

    loss = loss_of(case, outputs)
    assert close(loss.data, case["loss"])  # type: ignore[arg-type]
    loss.backward()
    grads: dict[str, float] = case["grads"]  # type: ignore[assignment]
    named = model.named_parameters()
    assert [name for name, _ in named] == list(grads)
    for name, param in named:
        assert close(param.grad, grads[name]), (name, param.grad, grads[name])
    if value_inputs:
        input_grads: list[list[float]] = case["input_grads"]  # type: ignore[assignment]
        for row, expected_row in zip(leaves, input_grads):
            for leaf, expected in zip(row, expected_row):
                assert close(leaf.grad, expected), (leaf.grad, expected)


def test_dead_relu_units_pass_no_gradient_like_pytorch() -> None:
    case = next(c for c in CASES if c["name"] == "dead_relu")
    grads: dict[str, float] = case["grads"]
    model = build(case)
    outputs = [model(x) for x in case["inputs"]]
    loss_of(case, outputs).backward()
    # layer 0 unit 1 has bias -100 (z < 0 everywhere); layer 1 unit 2 has z == 0 exactly.
    dead = [
        name
        for name, _ in model.named_parameters()
        if name.startswith(("layers.0.neurons.1.", "layers.1.neurons.2."))
    ]
    assert len(dead) == 3 + 1 + 4 + 1
    for name, param in model.named_parameters():
        if name in dead:
            assert grads[name] == 0.0
            assert param.grad == 0.0
    # Nothing downstream reads a dead unit's output: its outgoing weights get no gradient.
    for j in range(4):
        assert grads[f"layers.1.neurons.{j}.w.1"] == 0.0
        assert model.layers[1].neurons[j].w[1].grad == 0.0
    assert grads["layers.2.neurons.0.w.2"] == 0.0
    assert model.layers[2].neurons[0].w[2].grad == 0.0
    hidden = model.layers[0].neurons[1]
    assert hidden([0.5, -0.5, 1.0]).is_leaf()
