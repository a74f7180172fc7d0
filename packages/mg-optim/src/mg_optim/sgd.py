"""`SGD`: plain stochastic gradient descent, with optional L2 weight decay.

    g = p.grad + weight_decay * p
    p = p - lr * g

Weight decay here is the gradient of the L2 penalty (weight_decay / 2) * p^2 added to the loss,
so it pulls every parameter toward 0 in proportion to its size. This is torch.optim.SGD with
``momentum=0``, operation for operation.
"""

from __future__ import annotations

from .optimizer import Optimizer, ParamsLike

__all__ = ["SGD"]


class SGD(Optimizer):
    """``SGD(model.parameters(), lr=0.1)``: step against the gradient, ``lr`` times its size."""

    def __init__(self, params: ParamsLike, lr: float, *, weight_decay: float = 0.0) -> None:
        super().__init__(params, {"lr": lr, "weight_decay": weight_decay}, {})

    def step(self) -> None:
        for group in self.param_groups:
            lr = group["lr"]
            weight_decay = group["weight_decay"]
            for p in group.params:
                g = p.grad
                if weight_decay != 0.0:
                    g = g + weight_decay * p.data
                p.data = p.data - lr * g
