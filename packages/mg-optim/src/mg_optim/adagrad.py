"""`Adagrad`: per-parameter step sizes from the sum of all past squared gradients (Duchi et al.,
2011).

With ``t`` the number of steps this parameter has taken (this one included):

    g = p.grad + weight_decay * p                  (L2 penalty)
    clr = lr / (1 + (t - 1) * lr_decay)            the decayed learning rate
    sum = sum + g^2                                starts at initial_accumulator_value
    std = sqrt(sum) + eps
    p = p - clr * g / std

Why: a parameter that has seen large gradients has a large ``sum`` and takes small steps, one
that has seen small or rare gradients keeps large steps. Because ``sum`` only grows, every
step size shrinks for ever (about as 1 / sqrt(t) for steady gradients): good for sparse
features, fatal on long runs, which is what RMSprop's running mean (forgetting old gradients)
fixes. The first step of every parameter moves by almost exactly ``lr``: ``g / sqrt(g^2)``.

The code follows PyTorch's operation order (``torch.optim.Adagrad``, ``foreach=False``): eps is
added after the square root and ``clr * g / std`` is evaluated as ``(-clr) * g / std``. Two
differences: a group's own ``initial_accumulator_value`` is honoured (PyTorch fills every
state with the constructor's value, whatever a param group says), and the state of a parameter
is ``{}`` until its first step, as for every mg optimizer (PyTorch stores ``step=0`` and the
initial ``sum`` at construction); ``sum`` then starts from the group's
``initial_accumulator_value``. With ``eps=0`` a zero ``sum`` (0 / 0 for a zero gradient) raises
ZeroDivisionError before any parameter changes, where PyTorch writes NaN.
"""

from __future__ import annotations

import math
from typing import ClassVar

from mg_nn import Parameter

from .optimizer import Optimizer, OptionRules, ParamsLike

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """``Adagrad(model.parameters(), lr=0.01, lr_decay=0.0, initial_accumulator_value=0.0)``.

    Per-parameter state: ``step`` (steps taken, which the lr decay reads) and ``sum``.
    """

    _OPTION_RULES: ClassVar[OptionRules] = {
        **Optimizer._OPTION_RULES,
        "lr_decay": ("lr_decay value", lambda x: x >= 0.0),
        "initial_accumulator_value": ("initial_accumulator_value value", lambda x: x >= 0.0),
        "eps": ("epsilon value", lambda x: x >= 0.0),
    }
    _STATE_KEYS: ClassVar[tuple[str, ...]] = ("step", "sum")

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-2,
        *,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        options = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
        }
        super().__init__(params, options, {})

    def _check_state_value(self, key: str, value: float) -> str:
        if key == "step" and not (value >= 1.0 and value.is_integer()):
            return "must be a whole number >= 1 (the steps taken)"
        if key == "sum" and value < 0.0:
            return "must be >= 0 (a sum of squared gradients)"
        return ""

    def step(self) -> None:
        """One Adagrad step for every parameter, or none: every new value is computed first,
        and only when none divides by zero is anything written."""
        updates: list[tuple[Parameter, float, float, float]] = []
        for index, group in enumerate(self.param_groups):
            lr = group["lr"]
            lr_decay = group["lr_decay"]
            eps = group["eps"]
            weight_decay = group["weight_decay"]
            initial = group["initial_accumulator_value"]
            for i, p in enumerate(group.params):
                entry = self.state.get(p)
                t = entry["step"] + 1.0 if entry else 1.0
                total = entry["sum"] if entry else initial
                g = p.grad
                if weight_decay != 0.0:
                    g = g + weight_decay * p.data
                clr = lr / (1.0 + (t - 1.0) * lr_decay)
                total = total + g * g
                std = math.sqrt(total) + eps
                if std == 0.0:
                    position = sum(len(grp.params) for grp in self.param_groups[:index]) + i
                    raise ZeroDivisionError(
                        f"Adagrad step: param_groups[{index}].params[{i}] (state[{position}]) "
                        f"has std = sqrt(sum) + eps = 0 (eps={eps}, sum={total!r}); no parameter "
                        "was changed (use eps > 0)"
                    )
                updates.append((p, p.data + (-clr) * g / std, t, total))
        for p, data, t, total in updates:
            p.data = data
            self.state[p] = {"step": t, "sum": total}
