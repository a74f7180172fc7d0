"""`LambdaLR`: the base rate times a factor you compute: ``lr_t = lr_0 * lr_lambda(t)``.

The state dict cannot hold ``lr_lambda``: a function is code, and mg-optim state dicts are plain
JSON (no pickle). As in PyTorch, save the counters with `state_dict()`, and when resuming build
the scheduler again with the same function before calling `load_state_dict`.

A factor must be a finite number >= 0: a negative one (which PyTorch would turn into a negative
learning rate, i.e. gradient ascent) or a NaN/infinite one raises ValueError naming the lambda
and the epoch, and the step changes nothing - no group's lr, not ``last_epoch``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Union

from .._checks import is_real, show, to_float
from ..optimizer import Optimizer
from .base import LRScheduler

__all__ = ["LRLambda", "LambdaLR"]

LRLambda = Callable[[int], float]
"""Epoch -> multiplicative factor on the base learning rate."""


class LambdaLR(LRScheduler):
    """``LambdaLR(opt, lambda t: 0.95 ** t)``, or one function per param group."""

    def __init__(
        self, optimizer: Optimizer, lr_lambda: Union[LRLambda, Sequence[LRLambda]]
    ) -> None:
        groups = len(optimizer.param_groups) if isinstance(optimizer, Optimizer) else 0
        if isinstance(lr_lambda, Sequence):
            if len(lr_lambda) != groups:
                raise ValueError(
                    f"expected {groups} lr_lambdas (one per param group), got {len(lr_lambda)}"
                )
            lambdas = list(lr_lambda)
        else:
            lambdas = [lr_lambda] * groups
        for i, fn in enumerate(lambdas):
            if not callable(fn):
                raise TypeError(f"lr_lambda[{i}] must be callable, got {type(fn).__name__}: {fn!r}")
        self.lr_lambdas = lambdas
        super().__init__(optimizer)

    def _chained_lrs(self) -> list[float]:
        lrs = []
        for i, (lr_0, fn) in enumerate(zip(self.base_lrs, self.lr_lambdas)):
            factor = fn(self.last_epoch)
            if not is_real(factor):
                raise TypeError(
                    f"lr_lambda[{i}]({self.last_epoch}) must return a float, got "
                    f"{type(factor).__name__}: {factor!r}"
                )
            number = to_float(factor)
            if not math.isfinite(number):
                raise ValueError(
                    f"lr_lambda[{i}]({self.last_epoch}) returned {show(factor)}: not finite"
                )
            if number < 0.0:
                raise ValueError(
                    f"lr_lambda[{i}]({self.last_epoch}) returned {show(factor)}: a negative "
                    "factor would make the learning rate negative"
                )
            lrs.append(lr_0 * number)
        return lrs
