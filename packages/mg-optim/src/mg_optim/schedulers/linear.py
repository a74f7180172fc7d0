"""`LinearLR`: scale the base rate by a factor that moves linearly over ``total_iters`` epochs.

Closed form, with ``s = start_factor``, ``e = end_factor``, ``T = total_iters``:

    lr_t = lr_0 * (s + (e - s) * min(T, t) / T)

The usual use is warm-up: start at ``lr_0 / 3`` and reach ``lr_0`` after 5 epochs. PyTorch,
and so this class, steps it in chained form: the factor at t divided by the factor at t - 1 is

    lr_t = lr_{t-1} * (1 + (e - s) / (T * s + (t - 1) * (e - s)))      for 0 < t <= T

(multiply numerator and denominator of f(t) / f(t-1) by T), with ``lr_0 * s`` at t = 0 and no
change after T.
"""

from __future__ import annotations

from .._checks import check_int, check_real
from ..optimizer import JSON, Optimizer
from .base import LRScheduler

__all__ = ["LinearLR"]


class LinearLR(LRScheduler):
    """``LinearLR(opt, start_factor=1/3, end_factor=1.0, total_iters=5)``."""

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
    ) -> None:
        self.start_factor: float = check_real(
            start_factor,
            "start_factor",
            "start_factor (expected greater than 0 and less or equal to 1)",
            lambda x: 0.0 < x <= 1.0,
        )
        self.end_factor: float = check_real(
            end_factor,
            "end_factor",
            "end_factor (expected between 0 and 1)",
            lambda x: 0.0 <= x <= 1.0,
        )
        self.total_iters: int = check_int(total_iters, "total_iters", 1)
        super().__init__(optimizer)

    def _chained_lrs(self) -> list[float]:
        t, s, e, T = self.last_epoch, self.start_factor, self.end_factor, self.total_iters
        if t == 0:
            return [lr * s for lr in self._current_lrs()]
        if t > T:
            return self._current_lrs()
        return [lr * (1.0 + (e - s) / (T * s + (t - 1) * (e - s))) for lr in self._current_lrs()]

    def closed_form_lrs(self) -> list[float]:
        t, s, e, T = self.last_epoch, self.start_factor, self.end_factor, self.total_iters
        return [lr_0 * (s + (e - s) * min(T, t) / T) for lr_0 in self.base_lrs]

    def _config(self) -> dict[str, JSON]:
        return {
            "start_factor": self.start_factor,
            "end_factor": self.end_factor,
            "total_iters": self.total_iters,
        }
