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

from mg_nn import Parameter

from .optimizer import Optimizer, OptionRules, ParamGroup, ParamsLike

__all__ = ["Adam"]


class Adam(Optimizer):
    """``Adam(model.parameters(), lr=1e-3)``; group options ``beta1`` and ``beta2`` hold ``betas``.

    A group spec may give ``"betas": (beta1, beta2)`` as in PyTorch; it is stored as the two
    float options ``group["beta1"]`` and ``group["beta2"]``.

    Per-parameter state: ``step``, ``exp_avg``, ``exp_avg_sq``, and ``max_exp_avg_sq`` once the
    parameter has stepped with amsgrad on. Switching amsgrad off (``group.set_flag``) keeps
    ``max_exp_avg_sq`` unchanged, as PyTorch does, and switching it back on resumes from it, so
    the key is optional in a state dict whatever the flag says: every state dict loads back.
    """

    _OPTION_RULES: ClassVar[OptionRules] = {
        **Optimizer._OPTION_RULES,
        "beta1": ("beta parameter at index 0", lambda x: 0.0 <= x < 1.0),
        "beta2": ("beta parameter at index 1", lambda x: 0.0 <= x < 1.0),
        "eps": ("epsilon value", lambda x: x >= 0.0),
    }
    _STATE_KEYS: ClassVar[tuple[str, ...]] = ("step", "exp_avg", "exp_avg_sq")
    _OPTIONAL_STATE_KEYS: ClassVar[tuple[str, ...]] = ("max_exp_avg_sq",)
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

    def _check_state_value(self, key: str, value: float) -> str:
        """A loaded state must be one Adam could have reached: ``step`` counts the steps taken
        (a whole number >= 1; a parameter that never stepped has the empty state ``{}``, so
        0 is never stored) and the second moments are running means of ``g^2`` (>= 0). A
        fractional step would silently skew the bias corrections; ``step = -1`` divides by
        ``1 - beta^0 = 0`` and a negative ``exp_avg_sq`` has no square root."""
        if key == "step" and not (value >= 1.0 and value.is_integer()):
            return "must be a whole number >= 1 (the steps taken)"
        if key in ("exp_avg_sq", "max_exp_avg_sq") and value < 0.0:
            return "must be >= 0 (a mean of squared gradients)"
        return ""

    def step(self) -> None:
        """One Adam step for every parameter, or none.

        The only way a step can fail is a zero denominator: ``eps=0`` with a zero second moment
        (a zero gradient from a zero state, where the update is 0 / 0). Groups with ``eps == 0``
        are therefore first run as a dry run that computes every denominator without writing
        anything, and a zero one raises ZeroDivisionError naming the parameter, with every
        parameter and every state as it was. With ``eps > 0`` the denominator is at least eps,
        so the usual single pass runs with no extra cost.
        """
        for index, group in enumerate(self.param_groups):
            if group["eps"] == 0.0:
                self._step_group(group, index, write=False)
        for index, group in enumerate(self.param_groups):
            self._step_group(group, index, write=True)

    def _step_group(self, group: ParamGroup, index: int, *, write: bool) -> None:
        lr = group["lr"]
        beta1 = group["beta1"]
        beta2 = group["beta2"]
        eps = group["eps"]
        weight_decay = group["weight_decay"]
        amsgrad = group.flag("amsgrad")
        decoupled = self._DECOUPLED_WEIGHT_DECAY
        w = 1.0 - beta1
        state = self.state
        for p in group.params:
            entry = state.get(p)
            if entry:
                t = entry["step"] + 1.0
                m = entry["exp_avg"]
                v = entry["exp_avg_sq"]
            else:
                t = 1.0
                m = v = 0.0
            g = p.grad
            data = p.data
            if weight_decay != 0.0:
                if decoupled:
                    data = data * (1.0 - lr * weight_decay)
                else:
                    g = g + weight_decay * data
            m = m + w * (g - m) if w < 0.5 else g - (g - m) * (1.0 - w)
            v = v * beta2 + (1.0 - beta2) * g * g
            bias_correction1 = 1.0 - beta1**t
            bias_correction2 = 1.0 - beta2**t
            step_size = lr / bias_correction1
            if amsgrad:
                v_max = max(entry.get("max_exp_avg_sq", 0.0) if entry else 0.0, v)
                denom = math.sqrt(v_max) / bias_correction2**0.5 + eps
            else:
                denom = math.sqrt(v) / bias_correction2**0.5 + eps
            if not write:
                if denom == 0.0:
                    self._zero_denominator(index, p, eps, v_max if amsgrad else v)
                continue
            p.data = data + (-step_size) * m / denom
            if entry:
                entry["step"] = t
                entry["exp_avg"] = m
                entry["exp_avg_sq"] = v
            else:
                entry = state[p] = {"step": t, "exp_avg": m, "exp_avg_sq": v}
            if amsgrad:
                entry["max_exp_avg_sq"] = v_max

    def _zero_denominator(self, index: int, param: Parameter, eps: float, v: float) -> None:
        position = 0
        for group in self.param_groups[:index]:
            position += len(group.params)
        i = next(k for k, p in enumerate(self.param_groups[index].params) if p is param)
        raise ZeroDivisionError(
            f"Adam step: param_groups[{index}].params[{i}] (state[{position + i}]) has a zero "
            f"denominator sqrt(v) + eps, with eps={eps} and second moment v={v}; no parameter "
            "was changed (use eps > 0)"
        )


def _split_betas(betas: object) -> tuple[object, object]:
    if isinstance(betas, (str, bytes)) or not isinstance(betas, Sequence) or len(betas) != 2:
        raise TypeError(
            f"betas must be a pair (beta1, beta2), got {type(betas).__name__}: {betas!r}"
        )
    return betas[0], betas[1]
