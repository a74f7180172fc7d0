"""`ReduceLROnPlateau`: cut the rate when a monitored metric stops improving.

Unlike the epoch schedules this one reacts to a measurement, so `step` takes it:
``scheduler.step(val_loss)``. For mode "min" and threshold_mode "rel", a metric ``x`` counts
as an improvement when

    x < best * (1 - threshold)         ("abs": x < best - threshold; mode "max" mirrors both)

After more than ``patience`` epochs in a row without improvement, every group's rate becomes

    new_lr = max(lr * factor, min_lr)      (applied only if lr - new_lr > eps)

and then ``cooldown`` epochs pass in which bad epochs are not counted. This is PyTorch's rule;
a NaN metric is never an improvement.

It is not an `LRScheduler` subclass: its ``step`` needs the metric, and it has neither base
rates nor a closed form. It has the same `get_last_lr`, `state_dict` and `load_state_dict`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Literal, Union

from .._checks import check_int, check_real, is_real, show, to_float
from ..optimizer import JSON, Optimizer, StateDict
from .base import _check_epoch, _check_optimizer

__all__ = ["ReduceLROnPlateau"]


class ReduceLROnPlateau:
    """``ReduceLROnPlateau(opt, factor=0.5, patience=3)``; call ``step(metric)`` once per epoch."""

    def __init__(
        self,
        optimizer: Optimizer,
        mode: Literal["min", "max"] = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: Literal["rel", "abs"] = "rel",
        cooldown: int = 0,
        min_lr: Union[float, Sequence[float]] = 0.0,
        eps: float = 1e-8,
    ) -> None:
        self.optimizer: Optimizer = _check_optimizer(optimizer)
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        self.mode = mode
        self.threshold_mode = threshold_mode
        self.factor: float = check_real(
            factor, "factor", "factor value (must be in (0, 1))", lambda x: 0.0 < x < 1.0
        )
        self.patience: int = check_int(patience, "patience", 0)
        self.threshold: float = check_real(
            threshold, "threshold", "threshold value", lambda x: x >= 0.0
        )
        self.cooldown: int = check_int(cooldown, "cooldown", 0)
        self.eps: float = check_real(eps, "eps", "epsilon value", lambda x: x >= 0.0)
        groups = len(optimizer.param_groups)
        if isinstance(min_lr, Sequence):
            if len(min_lr) != groups:
                raise ValueError(
                    f"expected {groups} min_lrs (one per param group), got {len(min_lr)}"
                )
            floors = list(min_lr)
        else:
            floors = [min_lr] * groups
        self.min_lrs: list[float] = [
            check_real(lr, f"min_lr[{i}]", f"min_lr value {i}", lambda x: x >= 0.0)
            for i, lr in enumerate(floors)
        ]
        self.last_epoch: int = 0
        self.best: float = self._worst()
        self.num_bad_epochs: int = 0
        self.cooldown_counter: int = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def _worst(self) -> float:
        return math.inf if self.mode == "min" else -math.inf

    def _is_better(self, x: float) -> bool:
        best, threshold = self.best, self.threshold
        if self.mode == "min":
            return (
                x < best * (1.0 - threshold)
                if self.threshold_mode == "rel"
                else x < best - threshold
            )
        return (
            x > best * (threshold + 1.0) if self.threshold_mode == "rel" else x > best + threshold
        )

    def step(self, metric: float) -> None:
        """Record this epoch's metric and reduce the rates if it has plateaued."""
        if not is_real(metric):
            raise TypeError(
                f"metric must be an int or float, got {type(metric).__name__}: {metric!r}"
            )
        x = to_float(metric)
        if not math.isfinite(x):
            raise ValueError(f"metric must be finite, got {show(metric)}")
        self.last_epoch += 1
        if self._is_better(x):
            self.best = x
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _reduce(self) -> None:
        for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
            lr = group["lr"]
            new_lr = max(lr * self.factor, min_lr)
            if lr - new_lr > self.eps:
                group["lr"] = new_lr

    def get_last_lr(self) -> list[float]:
        return list(self._last_lr)

    def _config(self) -> dict[str, JSON]:
        return {
            "mode": self.mode,
            "factor": self.factor,
            "patience": self.patience,
            "threshold": self.threshold,
            "threshold_mode": self.threshold_mode,
            "cooldown": self.cooldown,
            "min_lrs": list(self.min_lrs),
            "eps": self.eps,
        }

    def state_dict(self) -> StateDict:
        """Counters and rates; ``best`` is None until a first metric improved on +-inf."""
        return {
            "scheduler": "ReduceLROnPlateau",
            "config": self._config(),
            "last_epoch": self.last_epoch,
            "best": None if self.best == self._worst() else self.best,
            "num_bad_epochs": self.num_bad_epochs,
            "cooldown_counter": self.cooldown_counter,
            "last_lr": list(self._last_lr),
        }

    def load_state_dict(self, state_dict: Mapping[str, object]) -> None:
        """Restore the counters; validated in full before anything changes."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"state_dict must be a mapping, got {type(state_dict).__name__}")
        expected = set(self.state_dict())
        if set(state_dict) != expected:
            raise ValueError(
                f"scheduler state dict must have keys {sorted(expected)}, got {sorted(state_dict)}"
            )
        if state_dict["scheduler"] != "ReduceLROnPlateau":
            raise ValueError(
                f"state dict is for scheduler {state_dict['scheduler']!r}, not 'ReduceLROnPlateau'"
            )
        if state_dict["config"] != self._config():
            raise ValueError(
                f"state dict was saved with config {state_dict['config']!r}, this scheduler has "
                f"{self._config()!r}: build the scheduler with the saved settings"
            )
        last_epoch = _check_epoch(state_dict["last_epoch"])
        raw_best = state_dict["best"]
        best = self._worst() if raw_best is None else check_real(raw_best, "best", "best value")
        bad = check_int(state_dict["num_bad_epochs"], "num_bad_epochs", 0)
        cooldown = check_int(state_dict["cooldown_counter"], "cooldown_counter", 0)
        last_lr = state_dict["last_lr"]
        groups = len(self.optimizer.param_groups)
        if not isinstance(last_lr, list) or len(last_lr) != groups:
            raise ValueError(
                f"state dict 'last_lr' must be a list of {groups} learning rate(s), got {last_lr!r}"
            )
        lrs = [
            check_real(lr, f"last_lr[{i}]", f"last_lr[{i}]", lambda x: x >= 0.0)
            for i, lr in enumerate(last_lr)
        ]
        self.last_epoch, self.best = last_epoch, best
        self.num_bad_epochs, self.cooldown_counter, self._last_lr = bad, cooldown, lrs

    def __repr__(self) -> str:
        config = ", ".join(f"{key}={value!r}" for key, value in self._config().items())
        return f"ReduceLROnPlateau({config})"
