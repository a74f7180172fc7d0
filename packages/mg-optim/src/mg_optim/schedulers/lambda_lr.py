"""`LambdaLR`: the base rate times a factor you compute: ``lr_t = lr_0 * lr_lambda(t)``.

The state dict cannot hold ``lr_lambda``: a function is code, and mg-optim state dicts are plain
JSON (no pickle). As in PyTorch, save the counters with `state_dict()`, and when resuming build
the scheduler again with the same function before calling `load_state_dict`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Union

from .._checks import is_real
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
            lrs.append(lr_0 * factor)
        return lrs
