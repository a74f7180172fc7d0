"""Step decays: `StepLR`, `MultiStepLR` and `ExponentialLR`.

Each multiplies the current rate by ``gamma`` at certain epochs ``t`` (chained form), which adds
up to a closed form in the base rate ``lr_0``:

    StepLR:        lr_t = lr_{t-1} * gamma   if t > 0 and t % step_size == 0
                   closed form: lr_0 * gamma^(t // step_size)
    MultiStepLR:   lr_t = lr_{t-1} * gamma^c(t), c(t) = how often t appears in milestones
                   closed form: lr_0 * gamma^(number of milestones <= t)
    ExponentialLR: lr_t = lr_{t-1} * gamma   for every t > 0
                   closed form: lr_0 * gamma^t

The two forms agree up to rounding (the chain rounds once per multiplication).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

from .._checks import check_int, check_real
from ..optimizer import JSON, Optimizer
from .base import LRScheduler

__all__ = ["ExponentialLR", "MultiStepLR", "StepLR"]


def _check_gamma(gamma: object) -> float:
    return check_real(gamma, "gamma", "gamma value", lambda x: x > 0.0)


class StepLR(LRScheduler):
    """``StepLR(opt, step_size=30, gamma=0.1)``: multiply by gamma every ``step_size`` epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        self.step_size: int = check_int(step_size, "step_size", 1)
        self.gamma: float = _check_gamma(gamma)
        super().__init__(optimizer)

    def _chained_lrs(self) -> list[float]:
        t = self.last_epoch
        if t == 0 or t % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def closed_form_lrs(self) -> list[float]:
        return [lr_0 * self.gamma ** (self.last_epoch // self.step_size) for lr_0 in self.base_lrs]

    def _config(self) -> dict[str, JSON]:
        return {"step_size": self.step_size, "gamma": self.gamma}


class MultiStepLR(LRScheduler):
    """``MultiStepLR(opt, milestones=[30, 80], gamma=0.1)``: multiply by gamma at each milestone.

    A milestone listed twice multiplies by gamma twice, as in PyTorch.
    """

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1) -> None:
        if isinstance(milestones, (str, bytes)) or not isinstance(milestones, Iterable):
            raise TypeError(f"milestones must be an iterable of ints, got {milestones!r}")
        self.milestones: list[int] = sorted(
            check_int(m, f"milestones[{i}]", 1) for i, m in enumerate(milestones)
        )
        self.gamma: float = _check_gamma(gamma)
        super().__init__(optimizer)

    def _chained_lrs(self) -> list[float]:
        count = self.milestones.count(self.last_epoch)
        if count == 0:
            return self._current_lrs()
        return [lr * self.gamma**count for lr in self._current_lrs()]

    def closed_form_lrs(self) -> list[float]:
        passed = bisect_right(self.milestones, self.last_epoch)
        return [lr_0 * self.gamma**passed for lr_0 in self.base_lrs]

    def _config(self) -> dict[str, JSON]:
        return {"milestones": list(self.milestones), "gamma": self.gamma}


class ExponentialLR(LRScheduler):
    """``ExponentialLR(opt, gamma=0.95)``: multiply by gamma every epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self.gamma: float = _check_gamma(gamma)
        super().__init__(optimizer)

    def _chained_lrs(self) -> list[float]:
        if self.last_epoch == 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def closed_form_lrs(self) -> list[float]:
        return [lr_0 * self.gamma**self.last_epoch for lr_0 in self.base_lrs]

    def _config(self) -> dict[str, JSON]:
        return {"gamma": self.gamma}
