"""`CosineAnnealingLR`: follow half a cosine from the base rate down to ``eta_min``.

Closed form (SGDR, Loshchilov & Hutter 2017, without restarts), with ``lr_0`` the base rate:

    lr_t = eta_min + (lr_0 - eta_min) * (1 + cos(pi * t / T_max)) / 2

PyTorch, and so this class, steps it in chained form: the distance to ``eta_min`` is scaled by
the ratio of consecutive cosine factors,

    lr_t = eta_min + (lr_{t-1} - eta_min) * c(t) / c(t-1),     c(t) = 1 + cos(pi * t / T_max)

except where the denominator vanishes (t - 1 = T_max, 3 T_max, ...: the bottom of the cosine),
where it adds the increment of the closed form instead:

    lr_t = lr_{t-1} + (lr_0 - eta_min) * (1 - cos(pi / T_max)) / 2

Past ``T_max`` the rate climbs back up along the cosine (it is periodic with period 2 T_max).
"""

from __future__ import annotations

import math

from .._checks import check_int, check_real
from ..optimizer import JSON, Optimizer
from .base import LRScheduler

__all__ = ["CosineAnnealingLR"]


class CosineAnnealingLR(LRScheduler):
    """``CosineAnnealingLR(opt, T_max=100, eta_min=0.0)``."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        self.T_max: int = check_int(T_max, "T_max", 1)
        self.eta_min: float = check_real(eta_min, "eta_min", "eta_min value", lambda x: x >= 0.0)
        super().__init__(optimizer)

    def _chained_lrs(self) -> list[float]:
        t, T_max, eta_min = self.last_epoch, self.T_max, self.eta_min
        if t == 0:
            return self._current_lrs()
        if (t - 1 - T_max) % (2 * T_max) == 0:
            return [
                lr + (lr_0 - eta_min) * (1 - math.cos(math.pi / T_max)) / 2
                for lr_0, lr in zip(self.base_lrs, self._current_lrs())
            ]
        return [
            (1 + math.cos(math.pi * t / T_max))
            / (1 + math.cos(math.pi * (t - 1) / T_max))
            * (lr - eta_min)
            + eta_min
            for lr in self._current_lrs()
        ]

    def closed_form_lrs(self) -> list[float]:
        t, T_max, eta_min = self.last_epoch, self.T_max, self.eta_min
        return [
            eta_min + (lr_0 - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2
            for lr_0 in self.base_lrs
        ]

    def _config(self) -> dict[str, JSON]:
        return {"T_max": self.T_max, "eta_min": self.eta_min}
