"""`Momentum`: SGD with a momentum buffer (heavy ball), optionally Nesterov's look-ahead form.

The update, with ``mu = momentum`` and ``d = dampening``:

    g = p.grad + weight_decay * p
    b = g                                   (first step)
    b = mu * b + (1 - d) * g                (later steps)
    direction = g + mu * b  if nesterov  else  b
    p = p - lr * direction

This is PyTorch's form of momentum, operation for operation (torch.optim.SGD with momentum).
Textbooks (Sutskever et al. 2013) often write the "velocity" form instead:

    v = mu * v - lr * g
    p = p + v

With a constant ``lr`` and ``d = 0`` the two are the same trajectory: v = -lr * b at every step.
They differ when ``lr`` changes: the buffer ``b`` holds gradients, so a new ``lr`` applies at once
to the whole accumulated direction, while the velocity ``v`` already has the old learning rates
baked in and forgets them only at rate ``mu``. The buffer form is what schedulers expect.

The first step sets ``b = g`` rather than ``(1 - d) * g``, so a dampened buffer starts at full
size, as in PyTorch. With ``momentum == 0`` the buffer is skipped entirely (and ``dampening``
ignored), so the update is exactly SGD's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from .optimizer import Optimizer, OptionRules, ParamsLike

__all__ = ["Momentum"]


class Momentum(Optimizer):
    """``Momentum(model.parameters(), lr=0.01, momentum=0.9, nesterov=True)``."""

    _OPTION_RULES: ClassVar[OptionRules] = {
        **Optimizer._OPTION_RULES,
        "momentum": ("momentum value", lambda x: x >= 0.0),
        "dampening": ("dampening value", lambda x: 0.0 <= x <= 1.0),
    }
    _STATE_KEYS: ClassVar[tuple[str, ...]] = ("momentum_buffer",)

    def __init__(
        self,
        params: ParamsLike,
        lr: float,
        *,
        momentum: float = 0.9,
        dampening: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        options = {
            "lr": lr,
            "momentum": momentum,
            "weight_decay": weight_decay,
            "dampening": dampening,
        }
        super().__init__(params, options, {"nesterov": nesterov})

    def _check_group(self, options: Mapping[str, float], flags: Mapping[str, bool]) -> None:
        if flags["nesterov"] and (options["momentum"] <= 0.0 or options["dampening"] != 0.0):
            raise ValueError(
                "Nesterov momentum requires a momentum and zero dampening "
                f"(got momentum={options['momentum']}, dampening={options['dampening']})"
            )

    def step(self) -> None:
        for group in self.param_groups:
            lr = group["lr"]
            mu = group["momentum"]
            d = group["dampening"]
            weight_decay = group["weight_decay"]
            nesterov = group.flag("nesterov")
            for p in group.params:
                g = p.grad
                if weight_decay != 0.0:
                    g = g + weight_decay * p.data
                direction = g
                if mu != 0.0:
                    state = self.state.setdefault(p, {})
                    if "momentum_buffer" not in state:
                        b = g
                    else:
                        b = mu * state["momentum_buffer"] + (1.0 - d) * g
                    state["momentum_buffer"] = b
                    direction = g + mu * b if nesterov else b
                p.data = p.data - lr * direction
