"""Classification accuracy: the fraction of predictions that name the target's class.

Only the losses that define a class have an accuracy (`CLASSIFICATION_LOSSES`); a run with
``mse`` or a custom loss function has none, and nothing about it changes. A prediction is read
off the model's raw outputs - its scores - by the rule its loss implies:

* ``bce_with_logits``: each output is a logit; class 1 when the logit is > 0 (sigmoid > 1/2),
  else class 0. A logit of exactly 0 (probability exactly 1/2) is class 0, as Keras's
  ``binary_accuracy`` (``y_pred > 0.5``) decides it.
* ``hinge``: each output is a margin score; class +1 when the score is > 0, else -1 (a score of
  exactly 0 is -1). This is micrograd's demo rule, ``scorei.data > 0``.
* ``cross_entropy``: each row of outputs holds one logit per class; the class is the index of
  the largest, the lowest such index on a tie (``torch.argmax`` and ``numpy.argmax`` do the
  same).

Accuracy is ``correct / total``. For ``bce_with_logits`` and ``hinge`` every output counts (one
per sample for the usual single output; Keras's ``binary_accuracy`` averages over all outputs
too); for ``cross_entropy`` every row counts once. The prediction only reads ``Value.data``: it
adds no node to any graph and changes no loss.

A target that is not a class label - a soft ``bce_with_logits`` target such as 0.3 - has no
class to hit, so `accuracy` refuses it (ValueError) and `fit` records no accuracy for a run
whose targets are not all labels (`has_class_labels`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = [
    "CLASSIFICATION_LOSSES",
    "accuracy",
    "count_correct",
    "has_class_labels",
    "predict_labels",
]

CLASSIFICATION_LOSSES = ("bce_with_logits", "cross_entropy", "hinge")
"""The loss names (of `mg_train.LOSSES`) whose runs record accuracy."""


def _check_loss(loss: object) -> str:
    if not isinstance(loss, str) or loss not in CLASSIFICATION_LOSSES:
        raise ValueError(
            f"accuracy is defined for the losses {', '.join(CLASSIFICATION_LOSSES)}; got {loss!r}"
        )
    return loss


def _is_label(loss: str, target: float) -> bool:
    if loss == "bce_with_logits":
        return target in (0.0, 1.0)
    if loss == "hinge":
        return target in (-1.0, 1.0)
    return target >= 0.0 and target == int(target)


def has_class_labels(loss: str, targets: Sequence[Sequence[float]]) -> bool:
    """True when every target row holds class labels of ``loss`` (0/1, -1/+1, or one index)."""
    name = _check_loss(loss)
    for row in targets:
        if name == "cross_entropy" and len(row) != 1:
            return False
        if not all(_is_label(name, float(t)) for t in row):
            return False
    return True


def predict_labels(loss: str, scores: Sequence[float]) -> list[float]:
    """The predicted labels of one sample's outputs, in the labelling of the targets.

    One label per output for ``bce_with_logits`` (0.0 or 1.0) and ``hinge`` (-1.0 or 1.0); one
    class index (as a float, like the target) for ``cross_entropy``. See the module docstring
    for the rules and their ties. A non-finite score raises ValueError: NaN > 0 is False, so it
    would silently count as the negative class.
    """
    name = _check_loss(loss)
    if len(scores) == 0:
        raise ValueError(f"{name}: a sample has no outputs to predict from")
    for index, score in enumerate(scores):
        if isinstance(score, bool) or not isinstance(score, (int, float)):
            raise TypeError(
                f"{name}: score {index} must be a number, got {type(score).__name__}: {score!r}"
            )
        if not math.isfinite(score):
            raise ValueError(f"{name}: score {index} is not finite: {score!r}")
    if name == "bce_with_logits":
        return [1.0 if s > 0.0 else 0.0 for s in scores]
    if name == "hinge":
        return [1.0 if s > 0.0 else -1.0 for s in scores]
    best = 0
    for index in range(1, len(scores)):
        if scores[index] > scores[best]:
            best = index
    return [float(best)]


def count_correct(
    loss: str, scores: Sequence[Sequence[float]], targets: Sequence[Sequence[float]]
) -> tuple[int, int]:
    """``(correct, total)`` over a batch: ``scores[i]`` are sample i's outputs, ``targets[i]``
    its target row. Raises ValueError for mismatched lengths or a target that is no label."""
    name = _check_loss(loss)
    if len(scores) != len(targets):
        raise ValueError(f"{name}: got {len(scores)} score rows but {len(targets)} target rows")
    correct = 0
    total = 0
    for index, (row, target) in enumerate(zip(scores, targets)):
        predicted = predict_labels(name, row)
        if len(predicted) != len(target):
            raise ValueError(
                f"{name}: sample {index} has {len(row)} outputs but target {tuple(target)!r}; "
                "they do not match"
            )
        for label, wanted in zip(predicted, target):
            if not _is_label(name, float(wanted)):
                raise ValueError(
                    f"{name}: target row {index} is {tuple(target)!r}, which holds no class "
                    "label, so accuracy is undefined for it"
                )
            total += 1
            if label == wanted:
                correct += 1
    return correct, total


def accuracy(
    loss: str, scores: Sequence[Sequence[float]], targets: Sequence[Sequence[float]]
) -> float:
    """The fraction of correct predictions (see `count_correct`); ValueError on an empty batch."""
    correct, total = count_correct(loss, scores, targets)
    if total == 0:
        raise ValueError(f"{loss}: accuracy of an empty batch is undefined")
    return correct / total
