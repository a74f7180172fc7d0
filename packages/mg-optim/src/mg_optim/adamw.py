"""`AdamW`: Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

Adam's L2 penalty adds ``weight_decay * p`` to g, and then divides it by ``denom`` like the rest
of the gradient: parameters with large gradients get *less* decay. AdamW takes decay out of the
adaptive part and shrinks the parameter directly before the Adam step:

    p_decayed = p * (1 - lr * weight_decay)
    (then Adam's update of p_decayed, with g = p.grad)

so every parameter decays at the same rate ``lr * weight_decay`` per step, which is what "weight
decay" meant for plain SGD. The default ``weight_decay`` is 1e-2, as in PyTorch.
"""

from __future__ import annotations

from typing import ClassVar

from .adam import Adam
from .optimizer import ParamsLike

__all__ = ["AdamW"]


class AdamW(Adam):
    """``AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)``."""

    _DECOUPLED_WEIGHT_DECAY: ClassVar[bool] = True

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-3,
        *,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(
            params, lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad
        )
