"""`gradcheck`: compare what `backward()` says with what the function itself says.

The central difference  (f(x + eps) - f(x - eps)) / (2 eps)  approximates df/dx with an error of
order eps^2 f'''(x) (the even Taylor terms cancel), against order eps for a one-sided difference.
It needs nothing but forward evaluations, so it can check any backward rule, including a
learner's own, without a reference framework.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Callable

from ._mode import no_grad
from .value import Number, Value, _check_number

__all__ = ["GradcheckError", "GradcheckReport", "Mismatch", "gradcheck"]

# f takes exactly len(inputs) Values; no static type can tie an arity to a runtime length.
_Function = Callable[..., Value]  # type: ignore[explicit-any]  # arity is len(inputs)


@dataclass(frozen=True)
class Mismatch:
    """One input whose analytic and numeric derivatives disagree beyond tolerance."""

    index: int
    input: float
    analytic: float
    numeric: float

    def __str__(self) -> str:
        return (
            f"input {self.index} (x={self.input!r}): backward gives {self.analytic!r}, "
            f"central difference gives {self.numeric!r}"
        )


@dataclass(frozen=True)
class GradcheckReport:
    """Both derivative estimates for every input, and the inputs where they disagree."""

    analytic: tuple[float, ...]
    numeric: tuple[float, ...]
    mismatches: tuple[Mismatch, ...]

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def __bool__(self) -> bool:
        return self.ok


class GradcheckError(RuntimeError):
    """Raised by `gradcheck` (unless told to report only) when any derivative disagrees."""

    def __init__(self, report: GradcheckReport) -> None:
        self.report = report
        lines = "\n  ".join(str(m) for m in report.mismatches)
        super().__init__(f"gradcheck failed for {len(report.mismatches)} input(s):\n  {lines}")


def gradcheck(
    f: _Function,
    inputs: Sequence[Number],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> GradcheckReport:
    """Check ``f(*values)``'s gradient at ``inputs`` against central differences.

    ``f`` takes one `Value` per input and returns a `Value`. Input i mismatches when
    ``|analytic - numeric| > atol + rtol * |numeric|`` (or either is not finite). With
    ``raise_exception`` (the default, as in ``torch.autograd.gradcheck``) any mismatch raises
    `GradcheckError` listing every one; otherwise the report is returned for inspection.
    """
    points = [_check_number(x, f"gradcheck: inputs[{i}]") for i, x in enumerate(inputs)]
    for name, tol in (("eps", eps), ("atol", atol), ("rtol", rtol)):
        checked = _check_number(tol, f"gradcheck: {name}")
        if not (math.isfinite(checked) and checked >= 0.0) or (name == "eps" and checked == 0.0):
            raise ValueError(f"gradcheck: {name} must be finite and positive, got {tol!r}")

    leaves = [Value(x) for x in points]
    out = _call(f, leaves)
    out.backward()
    analytic = tuple(leaf.grad for leaf in leaves)

    numeric: list[float] = []
    with no_grad():
        for i in range(len(points)):
            shifted = list(points)
            shifted[i] = points[i] + eps
            upper = _call(f, [Value(x) for x in shifted]).data
            shifted[i] = points[i] - eps
            lower = _call(f, [Value(x) for x in shifted]).data
            numeric.append((upper - lower) / (2.0 * eps))

    mismatches = tuple(
        Mismatch(i, points[i], a, n)
        for i, (a, n) in enumerate(zip(analytic, numeric))
        if not (math.isfinite(a) and math.isfinite(n) and abs(a - n) <= atol + rtol * abs(n))
    )
    report = GradcheckReport(analytic, tuple(numeric), mismatches)
    if mismatches and raise_exception:
        raise GradcheckError(report)
    return report


def _call(f: _Function, values: list[Value]) -> Value:
    out = f(*values)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}: {out!r}")
    return out
