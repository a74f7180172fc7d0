"""`History`: what a fit run measured, one entry per finished epoch.

Epochs are numbered from 1, as in the progress lines and the results table. The best epoch is
the one with the lowest validation loss (the lowest train loss when there is no validation set);
on a tie the earliest wins, because a later epoch that is merely as good bought nothing.
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
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[Optional[float]] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    epoch_time: list[float] = field(default_factory=list)
    stopped_early: bool = False

    @property
    def epochs(self) -> int:
        """How many epochs have finished."""
        return len(self.train_loss)

    def append(
        self, train_loss: float, val_loss: Optional[float], lr: float, epoch_time: float
    ) -> None:
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

    def to_dict(self, *, include_times: bool = True) -> dict[str, object]:
        """JSON-safe dict; ``include_times=False`` drops the one non-deterministic field."""
        out: dict[str, object] = {
            "train_loss": list(self.train_loss),
            "val_loss": list(self.val_loss),
            "lr": list(self.lr),
            "stopped_early": self.stopped_early,
            "best_epoch": self.best_epoch,
            "best_val_loss": self.best_val_loss,
        }
        if include_times:
            out["epoch_time"] = list(self.epoch_time)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> History:
        """Rebuild from `to_dict` output, checking every list (raises ValueError naming the key)."""
        if not isinstance(data, Mapping):
            raise ValueError(f"history must be an object, got {type(data).__name__}")
        allowed = ("train_loss", "val_loss", "lr", "epoch_time", "stopped_early")
        derived = ("best_epoch", "best_val_loss")
        missing = [key for key in allowed if key not in data]
        if missing:
            raise ValueError(f"history is missing key(s): {', '.join(missing)}")
        extra = [str(key) for key in data if key not in allowed and key not in derived]
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
        history = cls()
        history.train_loss = [v for v in train if v is not None]
        history.val_loss = val
        history.lr = [v for v in lr if v is not None]
        history.epoch_time = [v for v in times if v is not None]
        history.stopped_early = stopped
        return history


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
