"""Loss-lookup and forward-pass contracts (mg_train.losses, mg_train.protocols).

`get_loss` names the unknown loss and lists every valid one, in the order of `LOSSES`;
`forward_all` uses a model's batched forward when it has one and calls it per sample otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pytest
from mg_autograd import Value
from mg_nn import MLP, Parameter
from mg_train import LOSSES, get_loss
from mg_train.protocols import BatchModel, forward_all


def test_an_unknown_loss_is_named_with_every_valid_name() -> None:
    problem = "unknown loss 'mae'; choose one of mse, bce_with_logits, cross_entropy, hinge"
    with pytest.raises(ValueError, match="^" + re.escape(problem) + "$"):
        get_loss("mae")
    assert list(LOSSES) == ["mse", "bce_with_logits", "cross_entropy", "hinge"]


def test_mse_is_the_mean_over_every_output_of_every_sample() -> None:
    """PyTorch's MSELoss(reduction="mean"): the mean over all elements, here 2 samples x 2."""
    outputs = [[Value(1.0), Value(2.0)], [Value(0.0), Value(-1.0)]]
    targets = [[0.0, 0.0], [2.0, 1.0]]
    assert get_loss("mse")(outputs, targets).data == (1.0 + 4.0 + 4.0 + 4.0) / 4


class PerSample:
    """A model with no batched forward: the loop must call it once per sample."""

    def __init__(self) -> None:
        self.inner = MLP(2, [1], rng=0)
        self.calls: list[list[float]] = []

    def __call__(self, inputs: Sequence[float], /) -> list[Value]:
        self.calls.append(list(inputs))
        return self.inner(inputs)

    def parameters(self) -> list[Parameter]:
        return self.inner.parameters()

    def state_dict(self) -> dict[str, float]:
        return self.inner.state_dict()

    def load_state_dict(self, state: Mapping[str, float], strict: bool = True) -> None:
        self.inner.load_state_dict(state, strict)


class Batched(PerSample):
    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []

    def forward_batch(self, inputs: Sequence[Sequence[float]], /) -> list[list[Value]]:
        self.batches.append(len(inputs))
        return self.inner.forward_batch(inputs)


ROWS = [[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]]


def test_a_model_without_a_batched_forward_is_called_per_sample() -> None:
    model = PerSample()
    assert not isinstance(model, BatchModel)
    outputs = forward_all(model, ROWS)
    assert model.calls == ROWS
    assert [[v.data for v in row] for row in outputs] == [
        [v.data for v in model.inner(row)] for row in ROWS
    ]


def test_a_model_with_a_batched_forward_gets_the_whole_batch_once() -> None:
    model = Batched()
    assert isinstance(model, BatchModel)
    outputs = forward_all(model, ROWS)
    assert (model.batches, model.calls) == ([3], [])
    assert [[v.data for v in row] for row in outputs] == [
        [v.data for v in model.inner(row)] for row in ROWS
    ]
