"""Batch order and non-finite losses in the fit loop (contracts the mutation run found unpinned).

The batch order is the documented one - one ``random.Random(seed).shuffle`` of the row indices
per epoch, seed 0 by default - rebuilt in the test; a non-finite loss names where it happened.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import pytest
from fit_kit import fit_once
from mg_autograd import Value, detect_anomaly
from mg_nn import MLP
from mg_optim import SGD
from mg_train import Dataset, NonFiniteLossError, fit
from mg_train.losses import mse

# ---------------------------------------------------------------- batches and anomalies


class Recorder:
    """A loss that records each batch's targets and, on call ``overflow_at``, overflows."""

    def __init__(self, overflow_at: int = 0) -> None:
        self.batches: list[list[float]] = []
        self.overflow_at = overflow_at

    def __call__(
        self, outputs: Sequence[Sequence[Value]], targets: Sequence[Sequence[float]]
    ) -> Value:
        self.batches.append([row[0] for row in targets])
        value = mse(outputs, targets)
        if len(self.batches) == self.overflow_at:
            return (value * 0.0 + 2.0) * 1e308  # inf: under detect_anomaly, an error
        return value


def _rows(n: int) -> Dataset:
    return Dataset(tuple((float(i),) for i in range(n)), tuple((float(i),) for i in range(n)))


def test_batches_follow_one_shuffle_of_the_seeded_generator_per_epoch() -> None:
    loss = Recorder()
    fit_once(loss=loss, train=_rows(5), batch_size=2, epochs=2, seed=7)
    rng = random.Random(7)
    expected: list[list[float]] = []
    for _ in range(2):
        order = list(range(5))
        rng.shuffle(order)
        expected += [[float(i) for i in order[start : start + 2]] for start in (0, 2, 4)]
    assert loss.batches == expected


def test_without_shuffling_batches_come_in_row_order() -> None:
    loss = Recorder()
    fit_once(loss=loss, train=_rows(5), batch_size=2, epochs=2, shuffle=False)
    assert loss.batches == [[0.0, 1.0], [2.0, 3.0], [4.0]] * 2


STOPPED = "; training stopped (the last checkpoint, if any, is from the last good epoch)"


def test_an_anomaly_in_training_names_its_epoch_batch_and_operation() -> None:
    loss = Recorder(overflow_at=4)  # 2 batches per epoch: epoch 2, batch 2
    with detect_anomaly(), pytest.raises(NonFiniteLossError) as caught:
        fit_once(loss=loss, train=_rows(3), batch_size=2, epochs=3)
    cause = caught.value.__cause__
    assert isinstance(cause, FloatingPointError)
    assert (
        str(caught.value)
        == f"non-finite number in the train pass at epoch 2, batch 2: {cause}{STOPPED}"
    )
    assert (caught.value.epoch, caught.value.batch) == (2, 2)
    assert math.isnan(caught.value.value)


def test_an_anomaly_in_validation_names_its_epoch() -> None:
    loss = Recorder(overflow_at=6)  # per epoch 2 training batches, then validation
    with detect_anomaly(), pytest.raises(NonFiniteLossError) as caught:
        fit_once(loss=loss, train=_rows(3), val=_rows(2), batch_size=2, epochs=3)
    cause = caught.value.__cause__
    assert isinstance(cause, FloatingPointError)
    assert (
        str(caught.value)
        == f"non-finite number in the validation pass at epoch 2: {cause}{STOPPED}"
    )
    assert (caught.value.epoch, caught.value.batch) == (2, None)
    assert math.isnan(caught.value.value)


def test_a_non_finite_training_loss_is_named_with_its_value() -> None:
    with pytest.raises(NonFiniteLossError) as caught:
        fit_once(loss=Recorder(overflow_at=4), train=_rows(3), batch_size=2, epochs=3)
    assert str(caught.value) == f"non-finite train loss inf at epoch 2, batch 2{STOPPED}"
    assert (caught.value.epoch, caught.value.batch, caught.value.value) == (2, 2, math.inf)


def test_by_default_batches_are_shuffled_with_seed_0() -> None:
    loss = Recorder()
    model = MLP(1, [1], rng=0)
    fit(model, loss, SGD(model.parameters(), 0.05), _rows(5), epochs=1, batch_size=2, verbose=False)
    order = list(range(5))
    random.Random(0).shuffle(order)
    assert loss.batches == [[float(i) for i in order[start : start + 2]] for start in (0, 2, 4)]
