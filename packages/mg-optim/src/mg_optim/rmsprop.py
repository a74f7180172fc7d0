"""`RMSprop`: divide each step by a running root mean square of the gradient (Hinton, 2012).

With ``alpha`` the smoothing constant and ``mu = momentum``:

    g = p.grad + weight_decay * p                  (L2 penalty)
    v = alpha * v + (1 - alpha) * g^2              square_avg: a running mean of g^2
    g_avg = g_avg + (1 - alpha) * (g - g_avg)      grad_avg: a running mean of g (centered only)
    avg = sqrt(v - g_avg^2) + eps  if centered  else  sqrt(v) + eps
    b = mu * b + g / avg                           momentum_buffer (mu > 0 only)
    p = p - lr * b  if mu > 0  else  p - lr * g / avg

Why: a parameter whose gradients are large gets a large ``avg`` and so a small step, one with
small gradients a large step; every parameter moves at about ``lr`` per step whatever the scale
of its gradient (Adam adds the momentum and the bias corrections). Centered RMSprop (Graves,
2013) divides by an estimate of the gradient's standard deviation instead of its root mean
square. The state starts at ``v = g_avg = b = 0`` and, unlike Adam's, is not bias-corrected, so
the first steps are large: step 1 divides g by ``sqrt(1 - alpha) * |g|``, 10x lr for alpha=0.99.

The code follows PyTorch's operation order (``torch.optim.RMSprop``, ``foreach=False``): eps is
added *after* the square root, ``g_avg`` is updated like ``torch.lerp``, and ``lr * g / avg``
is evaluated as ``(-lr) * g / avg``. Two differences, both refusals: ``alpha`` must lie in
[0, 1] (PyTorch accepts any alpha >= 0, but alpha > 1 gives the "mean" a negative weight, v
goes negative and the step is NaN), and a step that would take the square root of a negative
number or divide by zero (centered with ``v < g_avg^2``, or ``eps=0`` with a zero ``avg``)
raises before any parameter or state changes, where PyTorch writes NaN or inf.
"""

from __future__ import annotations

import math
from typing import ClassVar, NoReturn

from mg_nn import Parameter

from .optimizer import Optimizer, OptionRules, ParamsLike

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """``RMSprop(model.parameters(), lr=0.01, alpha=0.99, momentum=0.0, centered=False)``.

    Per-parameter state: ``step`` (steps taken; the update does not use it, PyTorch keeps it),
    ``square_avg``, and ``momentum_buffer`` (once stepped with momentum > 0) and ``grad_avg``
    (once stepped centered). As in PyTorch, a buffer is left as it is while its option is off
    and used again when it is switched back on, so both are optional in a loaded state dict.
    """

    _OPTION_RULES: ClassVar[OptionRules] = {
        **Optimizer._OPTION_RULES,
        "alpha": ("alpha value", lambda x: 0.0 <= x <= 1.0),
        "eps": ("epsilon value", lambda x: x >= 0.0),
        "momentum": ("momentum value", lambda x: x >= 0.0),
    }
    _STATE_KEYS: ClassVar[tuple[str, ...]] = ("step", "square_avg")
    _OPTIONAL_STATE_KEYS: ClassVar[tuple[str, ...]] = ("momentum_buffer", "grad_avg")

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-2,
        *,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        options = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "weight_decay": weight_decay,
        }
        super().__init__(params, options, {"centered": centered})

    def _check_state_value(self, key: str, value: float) -> str:
        if key == "step" and not (value >= 1.0 and value.is_integer()):
            return "must be a whole number >= 1 (the steps taken)"
        if key == "square_avg" and value < 0.0:
            return "must be >= 0 (a mean of squared gradients)"
        return ""

    def step(self) -> None:
        """One RMSprop step for every parameter, or none: every new value is computed first,
        and only when all of them are finite numbers is anything written."""
        updates: list[tuple[Parameter, float, dict[str, float]]] = []
        for index, group in enumerate(self.param_groups):
            lr = group["lr"]
            alpha = group["alpha"]
            eps = group["eps"]
            weight_decay = group["weight_decay"]
            mu = group["momentum"]
            centered = group.flag("centered")
            w = 1.0 - alpha
            for i, p in enumerate(group.params):
                entry = self.state.get(p, {})
                g = p.grad
                if weight_decay != 0.0:
                    g = g + weight_decay * p.data
                v = entry.get("square_avg", 0.0) * alpha + w * g * g
                new = {"step": entry.get("step", 0.0) + 1.0, "square_avg": v}
                if centered:
                    g_avg = entry.get("grad_avg", 0.0)
                    g_avg = g_avg + w * (g - g_avg) if w < 0.5 else g - (g - g_avg) * (1.0 - w)
                    new["grad_avg"] = g_avg
                    variance = v + (-g_avg) * g_avg
                    if variance < 0.0:
                        message = f"v - g_avg^2 = {variance!r} < 0 (v={v!r}, g_avg={g_avg!r})"
                        self._refuse(ValueError, index, i, message)
                    avg = math.sqrt(variance) + eps
                else:
                    avg = math.sqrt(v) + eps
                if avg == 0.0:
                    message = f"avg = sqrt(v) + eps = 0 (eps={eps}, v={v!r})"
                    self._refuse(ZeroDivisionError, index, i, message)
                if mu > 0.0:
                    b = entry.get("momentum_buffer", 0.0) * mu + g / avg
                    new["momentum_buffer"] = b
                    data = p.data + (-lr) * b
                else:
                    data = p.data + (-lr) * g / avg
                updates.append((p, data, new))
        for p, data, new in updates:
            p.data = data
            self.state.setdefault(p, {}).update(new)

    def _refuse(self, error: type[Exception], index: int, i: int, problem: str) -> NoReturn:
        position = sum(len(group.params) for group in self.param_groups[:index]) + i
        raise error(
            f"RMSprop step: param_groups[{index}].params[{i}] (state[{position}]) has {problem}; "
            "no parameter was changed"
        )
