"""Callbacks: code the fit loop calls after every epoch, and the built-in `EarlyStopping`.

A callback sees the epoch number and the `History` so far and answers one question: should
training stop now? Keeping callbacks free of hidden state (EarlyStopping recomputes its
decision from the history) means a checkpoint that stores the history restores them too.
"""

from __future__ import annotations

import math

from .history import History

__all__ = ["Callback", "EarlyStopping"]


class Callback:
    """Base class: override `on_epoch_end`; return True to stop after this epoch."""

    def on_epoch_end(self, epoch: int, history: History) -> bool:
        return False


class EarlyStopping(Callback):
    """Stop when the monitored loss has not improved by more than ``min_delta`` for
    ``patience`` epochs.

    The monitored loss is the validation loss (the train loss without a validation set). An
    epoch counts as an improvement when its loss < best - min_delta; training stops once
    ``patience`` epochs in a row were not.
    """

    def __init__(self, patience: int = 5, *, min_delta: float = 0.0) -> None:
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 1:
            raise ValueError(f"patience must be a positive int, got {patience!r}")
        if (
            isinstance(min_delta, bool)
            or not isinstance(min_delta, (int, float))
            or not math.isfinite(min_delta)
            or min_delta < 0.0
        ):
            raise ValueError(f"min_delta must be a finite number >= 0, got {min_delta!r}")
        self.patience = patience
        self.min_delta: float = float(min_delta)

    def epochs_without_improvement(self, history: History) -> int:
        values = [v for v in history.val_loss if v is not None]
        if len(values) != history.epochs:
            values = list(history.train_loss)
        if not values:
            return 0
        best, best_index = values[0], 0
        for index, value in enumerate(values):
            if value < best - self.min_delta:
                best, best_index = value, index
        return len(values) - 1 - best_index

    def on_epoch_end(self, epoch: int, history: History) -> bool:
        return self.epochs_without_improvement(history) >= self.patience

    def __repr__(self) -> str:
        return f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta})"
