"""`Adam`: per-parameter step sizes from running moments of the gradient (Kingma & Ba, 2015).

With ``beta1, beta2 = betas`` and ``t`` the number of steps this parameter has taken:

    g = p.grad + weight_decay * p                  (L2 penalty; AdamW decays p instead)
    m = beta1 * m + (1 - beta1) * g                first moment: a running mean of g
    v = beta2 * v + (1 - beta2) * g^2              second moment: a running mean of g^2
    v_max = max(v_max, v)                          (amsgrad only; then v_max replaces v below)
    bias_correction1 = 1 - beta1^t
    bias_correction2 = 1 - beta2^t
    step_size = lr / bias_correction1
    denom = sqrt(v) / sqrt(bias_correction2) + eps
    p = p - step_size * m / denom

Why the bias corrections: m and v start at 0, so after t steps m is the average of the gradients
weighted by (1 - beta1) beta1^(t-k), whose weights sum to 1 - beta1^t, not 1. Dividing by that sum
makes m / bias_correction1 an unbiased mean from the very first step; the same holds for v. The
result is that every parameter moves by about ``lr`` per step whatever the scale of its gradient.

The code evaluates this in PyTorch's operation order: m is updated as a linear interpolation
toward g by the weight ``w = 1 - beta1``, written like ``torch.lerp`` as ``m + w * (g - m)`` when
``w < 0.5`` and ``g - (g - m) * (1 - w)`` otherwise, and ``p - step_size * m / denom`` is
evaluated as ``p + ((-step_size) * m) / denom``. PyTorch's CPU kernels fuse some of these
multiply-adds (one rounding instead of two), which pure Python before 3.13 cannot, so the two
agree to about one unit in the last place per step rather than bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import ClassVar

from .optimizer import Optimizer, OptionRules, ParamGroup, ParamsLike

__all__ = ["Adam"]


class Adam(Optimizer):
    """``Adam(model.parameters(), lr=1e-3)``; group options ``beta1`` and ``beta2`` hold ``betas``.

    A group spec may give ``"betas": (beta1, beta2)`` as in PyTorch; it is stored as the two
    float options ``group["beta1"]`` and ``group["beta2"]``.
    """

    _OPTION_RULES: ClassVar[OptionRules] = {
        **Optimizer._OPTION_RULES,
        "beta1": ("beta parameter at index 0", lambda x: 0.0 <= x < 1.0),
        "beta2": ("beta parameter at index 1", lambda x: 0.0 <= x < 1.0),
        "eps": ("epsilon value", lambda x: x >= 0.0),
    }
    _DECOUPLED_WEIGHT_DECAY: ClassVar[bool] = False

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-3,
        *,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        beta1, beta2 = _split_betas(betas)
        options = {
            "lr": lr,
            "eps": eps,
            "beta1": beta1,
            "beta2": beta2,
            "weight_decay": weight_decay,
        }
        super().__init__(params, options, {"amsgrad": amsgrad})

    def _expand_spec(self, spec: Mapping[str, object], where: str) -> dict[str, object]:
        options = super()._expand_spec(spec, where)
        if "betas" in options:
            options["beta1"], options["beta2"] = _split_betas(options.pop("betas"))
        return options

    def _state_keys(self, flags: Mapping[str, bool]) -> tuple[str, ...]:
        keys = ("step", "exp_avg", "exp_avg_sq")
        return (*keys, "max_exp_avg_sq") if flags["amsgrad"] else keys

    def step(self) -> None:
        for group in self.param_groups:
            self._step_group(group)

    def _step_group(self, group: ParamGroup) -> None:
        lr = group["lr"]
        beta1 = group["beta1"]
        beta2 = group["beta2"]
        eps = group["eps"]
        weight_decay = group["weight_decay"]
        amsgrad = group.flag("amsgrad")
        w = 1.0 - beta1
        for p in group.params:
            state = self.state.setdefault(p, {})
            if not state:
                state.update(step=0.0, exp_avg=0.0, exp_avg_sq=0.0)
            if amsgrad:
                state.setdefault("max_exp_avg_sq", 0.0)
            t = state["step"] + 1.0
            g = p.grad
            if weight_decay != 0.0:
                if self._DECOUPLED_WEIGHT_DECAY:
                    p.data = p.data * (1.0 - lr * weight_decay)
                else:
                    g = g + weight_decay * p.data
            m = state["exp_avg"]
            m = m + w * (g - m) if w < 0.5 else g - (g - m) * (1.0 - w)
            v = state["exp_avg_sq"] * beta2 + (1.0 - beta2) * g * g
            bias_correction1 = 1.0 - beta1**t
            bias_correction2 = 1.0 - beta2**t
            step_size = lr / bias_correction1
            if amsgrad:
                v_max = max(state["max_exp_avg_sq"], v)
                state["max_exp_avg_sq"] = v_max
                denom = math.sqrt(v_max) / bias_correction2**0.5 + eps
            else:
                denom = math.sqrt(v) / bias_correction2**0.5 + eps
            p.data = p.data + (-step_size) * m / denom
            state.update(step=t, exp_avg=m, exp_avg_sq=v)


def _split_betas(betas: object) -> tuple[object, object]:
    if isinstance(betas, (str, bytes)) or not isinstance(betas, Sequence) or len(betas) != 2:
        raise TypeError(
            f"betas must be a pair (beta1, beta2), got {type(betas).__name__}: {betas!r}"
        )
    return betas[0], betas[1]
