"""Batch losses for the fit loop: mg-nn's losses, adapted to rows of outputs and targets.

The fit loop hands a loss the model's outputs for a mini-batch (one ``list[Value]`` per sample)
and the batch's target rows. mg-nn's losses take flat sequences (or, for cross entropy, logit
rows and class indices); the adapters here do that reshaping and nothing else, so every loss is
the batch *mean*, as in mg-nn and PyTorch's default ``reduction="mean"``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Callable

import mg_nn
from mg_autograd import Value

__all__ = ["LOSSES", "BatchLoss", "get_loss"]

BatchLoss = Callable[[Sequence[Sequence[Value]], Sequence[Sequence[float]]], Value]
"""loss(outputs, targets): outputs[i] is the model's output for sample i, targets[i] its row."""


def _flatten_outputs(outputs: Sequence[Sequence[Value]]) -> list[Value]:
    return [value for row in outputs for value in row]


def _flatten_targets(targets: Sequence[Sequence[float]]) -> list[float]:
    return [value for row in targets for value in row]


def mse(outputs: Sequence[Sequence[Value]], targets: Sequence[Sequence[float]]) -> Value:
    """Mean of (output - target)^2 over every output of every sample."""
    return mg_nn.mse_loss(_flatten_outputs(outputs), _flatten_targets(targets))


def bce_with_logits(
    outputs: Sequence[Sequence[Value]], targets: Sequence[Sequence[float]]
) -> Value:
    """Binary cross entropy of 0/1 targets against logits (sigmoid folded in, stable)."""
    return mg_nn.binary_cross_entropy_with_logits(
        _flatten_outputs(outputs), _flatten_targets(targets)
    )


def cross_entropy(outputs: Sequence[Sequence[Value]], targets: Sequence[Sequence[float]]) -> Value:
    """Softmax cross entropy; each target row holds one class index (as a float)."""
    classes: list[int] = []
    for i, row in enumerate(targets):
        if len(row) != 1 or row[0] != int(row[0]):
            raise ValueError(
                f"cross_entropy needs one integral class index per row; row {i} is {row!r}"
            )
        classes.append(int(row[0]))
    return mg_nn.cross_entropy([list(row) for row in outputs], classes)


def hinge(outputs: Sequence[Sequence[Value]], targets: Sequence[Sequence[float]]) -> Value:
    """Mean of max(0, 1 - target * score) with targets in {-1, +1}."""
    return mg_nn.hinge_loss(_flatten_outputs(outputs), _flatten_targets(targets))


LOSSES: Mapping[str, BatchLoss] = {
    "mse": mse,
    "bce_with_logits": bce_with_logits,
    "cross_entropy": cross_entropy,
    "hinge": hinge,
}
"""Loss names accepted by `get_loss`, the config files and the CLI."""


def get_loss(name: str) -> BatchLoss:
    """The batch loss called ``name`` (one of `LOSSES`)."""
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}") from None
