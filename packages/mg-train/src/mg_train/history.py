"""`History`: what a fit run measured, one entry per finished epoch.

Epochs are numbered from 1, as in the progress lines and the results table. The best epoch is
the one with the lowest validation loss (the lowest train loss when there is no validation set);
on a tie the earliest wins, because a later epoch that is merely as good bought nothing.

Classification runs (`mg_train.metrics`) also record ``train_accuracy`` and ``val_accuracy``
per epoch; a run without accuracy (``mse``, a custom loss) leaves both lists empty and its
`History.to_dict` has no accuracy keys at all, so its saved results are what they always were.
The best validation accuracy is the *highest* one over the epochs (the earliest on a tie) -
what Keras's ``ModelCheckpoint(monitor="val_accuracy", mode="max")`` would keep; the accuracy
at the lowest-loss epoch is ``val_accuracy[best_epoch - 1]``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

__all__ = ["History"]


@dataclass
class History:
    """Per-epoch train loss, validation loss (None without a validation set), lr and seconds.

    ``train_loss`` is the sample-weighted mean of the mini-batch losses of the epoch, each taken
    when its batch was used (Keras's ``loss``); ``val_loss`` is measured after the epoch's last
    update, under ``no_grad``; ``lr`` is the learning rate the epoch trained with (that of the
    first parameter group). ``epoch_time`` is wall time and is the only non-deterministic field.

    ``train_accuracy`` is, like ``train_loss``, measured on each batch's outputs when the batch
    was used (Keras's ``accuracy``); ``val_accuracy`` on the same outputs as ``val_loss``. Both
    are empty for a run that records no accuracy, else one entry per epoch (``val_accuracy``
    None without a validation set).
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[Optional[float]] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    epoch_time: list[float] = field(default_factory=list)
    stopped_early: bool = False
    train_accuracy: list[float] = field(default_factory=list)
    val_accuracy: list[Optional[float]] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """How many epochs have finished."""
        return len(self.train_loss)

    @property
    def records_accuracy(self) -> bool:
        """Whether this history has accuracy entries (False before the first epoch)."""
        return bool(self.train_accuracy)

    def append(
        self,
        train_loss: float,
        val_loss: Optional[float],
        lr: float,
        epoch_time: float,
        *,
        train_accuracy: Optional[float] = None,
        val_accuracy: Optional[float] = None,
    ) -> None:
        """Record one epoch; accuracy must be given for every epoch or for none (ValueError)."""
        if train_accuracy is None:
            if self.records_accuracy or val_accuracy is not None:
                raise ValueError(
                    "this history records accuracy: append needs train_accuracy (and "
                    "val_accuracy when there is a validation loss)"
                )
        else:
            if len(self.train_accuracy) != self.epochs:
                raise ValueError(
                    f"this history has {self.epochs} epochs without accuracy; it cannot start "
                    "recording accuracy now"
                )
            if (val_accuracy is None) != (val_loss is None):
                raise ValueError(
                    f"val_accuracy ({val_accuracy!r}) and val_loss ({val_loss!r}) must both be "
                    "given or both be None"
                )
            self.train_accuracy.append(train_accuracy)
            self.val_accuracy.append(val_accuracy)
        self.train_loss.append(train_loss)
        self.val_loss.append(val_loss)
        self.lr.append(lr)
        self.epoch_time.append(epoch_time)

    def _monitored(self) -> list[float]:
        if self.val_loss and all(v is not None for v in self.val_loss):
            return [v for v in self.val_loss if v is not None]
        return list(self.train_loss)

    @property
    def best_epoch(self) -> Optional[int]:
        """1-based epoch of the lowest validation loss (train loss without validation)."""
        values = self._monitored()
        if not values:
            return None
        best = 0
        for i, value in enumerate(values):
            if value < values[best]:
                best = i
        return best + 1

    @property
    def best_val_loss(self) -> Optional[float]:
        """The validation loss at `best_epoch` (None without a validation set)."""
        best = self.best_epoch
        if best is None:
            return None
        return self.val_loss[best - 1]

    @property
    def best_val_accuracy_epoch(self) -> Optional[int]:
        """1-based epoch of the highest validation accuracy, the earliest on a tie (else None)."""
        best: Optional[int] = None
        best_value = -math.inf
        for i, value in enumerate(self.val_accuracy):
            if value is not None and value > best_value:
                best, best_value = i, value
        return None if best is None else best + 1

    @property
    def best_val_accuracy(self) -> Optional[float]:
        """The highest validation accuracy over the epochs (None without one)."""
        best = self.best_val_accuracy_epoch
        return None if best is None else self.val_accuracy[best - 1]

    def to_dict(self, *, include_times: bool = True) -> dict[str, object]:
        """JSON-safe dict; ``include_times=False`` drops the one non-deterministic field.

        The accuracy keys are present only when the history records accuracy.
        """
        out: dict[str, object] = {
            "train_loss": list(self.train_loss),
            "val_loss": list(self.val_loss),
            "lr": list(self.lr),
            "stopped_early": self.stopped_early,
            "best_epoch": self.best_epoch,
            "best_val_loss": self.best_val_loss,
        }
        if self.records_accuracy:
            out["train_accuracy"] = list(self.train_accuracy)
            out["val_accuracy"] = list(self.val_accuracy)
            out["best_val_accuracy"] = self.best_val_accuracy
            out["best_val_accuracy_epoch"] = self.best_val_accuracy_epoch
        if include_times:
            out["epoch_time"] = list(self.epoch_time)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> History:
        """Rebuild from `to_dict` output, checking every list (raises ValueError naming the key)."""
        if not isinstance(data, Mapping):
            raise ValueError(f"history must be an object, got {type(data).__name__}")
        allowed = ("train_loss", "val_loss", "lr", "epoch_time", "stopped_early")
        optional = ("train_accuracy", "val_accuracy")
        derived = ("best_epoch", "best_val_loss", "best_val_accuracy", "best_val_accuracy_epoch")
        missing = [key for key in allowed if key not in data]
        if missing:
            raise ValueError(f"history is missing key(s): {', '.join(missing)}")
        extra = [
            str(key)
            for key in data
            if key not in allowed and key not in optional and key not in derived
        ]
        if extra:
            raise ValueError(f"history has unexpected key(s): {', '.join(extra)}")
        train = _float_list(data, "train_loss", allow_none=False)
        val = _float_list(data, "val_loss", allow_none=True)
        lr = _float_list(data, "lr", allow_none=False)
        times = _float_list(data, "epoch_time", allow_none=False)
        for key, values in (("val_loss", val), ("lr", lr), ("epoch_time", times)):
            if len(values) != len(train):
                raise ValueError(
                    f"history.{key} has {len(values)} entries but train_loss has {len(train)}"
                )
        stopped = data.get("stopped_early")
        if not isinstance(stopped, bool):
            raise ValueError(f"history.stopped_early must be a bool, got {stopped!r}")
        train_acc, val_acc = _accuracy_lists(data, len(train), val)
        history = cls()
        history.train_accuracy = [v for v in train_acc if v is not None]
        history.val_accuracy = val_acc
        history.train_loss = [v for v in train if v is not None]
        history.val_loss = val
        history.lr = [v for v in lr if v is not None]
        history.epoch_time = [v for v in times if v is not None]
        history.stopped_early = stopped
        return history


def _accuracy_lists(
    data: Mapping[str, object], epochs: int, val_loss: list[Optional[float]]
) -> tuple[list[Optional[float]], list[Optional[float]]]:
    """The two accuracy lists of a history dict: both absent (empty) or both complete."""
    present = [key for key in ("train_accuracy", "val_accuracy") if key in data]
    if not present:
        return [], []
    if len(present) == 1:
        raise ValueError(
            f"history has {present[0]} but not the other accuracy list; both or neither"
        )
    train = _float_list(data, "train_accuracy", allow_none=False)
    val = _float_list(data, "val_accuracy", allow_none=True)
    for key, values in (("train_accuracy", train), ("val_accuracy", val)):
        if len(values) != epochs:
            raise ValueError(f"history.{key} has {len(values)} entries but train_loss has {epochs}")
        for i, value in enumerate(values):
            if value is not None and not 0.0 <= value <= 1.0:
                raise ValueError(f"history.{key}[{i}] is not an accuracy in [0, 1]: {value!r}")
    for i, (accuracy, loss) in enumerate(zip(val, val_loss)):
        if (accuracy is None) != (loss is None):
            raise ValueError(
                f"history.val_accuracy[{i}] is {accuracy!r} but val_loss[{i}] is {loss!r}; "
                "both must be given or both be null"
            )
    return train, val


def _float_list(data: Mapping[str, object], key: str, *, allow_none: bool) -> list[Optional[float]]:
    values = data.get(key)
    if not isinstance(values, list):
        raise ValueError(f"history.{key} must be a list, got {type(values).__name__}")
    out: list[Optional[float]] = []
    for i, value in enumerate(values):
        if value is None and allow_none:
            out.append(None)
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"history.{key}[{i}] must be a number, got {value!r}")
        try:
            number = float(value)
        except OverflowError:
            raise ValueError(
                f"history.{key}[{i}] is too large for a float: an int of "
                f"{int(value).bit_length()} bits"
            ) from None
        if not math.isfinite(number):
            raise ValueError(f"history.{key}[{i}] is not finite: {value!r}")
        out.append(number)
    return out
