"""Argument checks shared by optimizers, schedulers and clipping.

Every check names the offending value. Unlike PyTorch, NaN, infinities and ``bool`` are
rejected everywhere a real number is expected: ``lr=True`` or ``lr=float("nan")`` is always a bug,
and letting it through only moves the failure to a confusing place many steps later.
"""

from __future__ import annotations

import math
from collections.abc import Callable

__all__ = ["check_int", "check_real", "is_real", "show", "to_float"]


def is_real(value: object) -> bool:
    """An ``int`` or ``float`` that is not a ``bool``."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_real(
    value: object, name: str, label: str, valid: Callable[[float], bool] = lambda _: True
) -> float:
    """``float(value)``, or TypeError (not a number) / ValueError ``Invalid {label}: {value}``.

    ``valid`` is the range rule; a NaN or an infinity fails it whatever the rule says.
    """
    if not is_real(value):
        raise TypeError(f"{name} must be an int or float, got {type(value).__name__}: {value!r}")
    number = to_float(value)  # type: ignore[arg-type]  # narrowed by is_real
    if not math.isfinite(number) or not valid(number):
        raise ValueError(f"Invalid {label}: {show(value)}")
    return number


def to_float(value: float) -> float:
    """``float(value)``, with an int too large for a float (JSON allows ``1e400`` written out
    as digits) giving ``inf`` of its sign rather than OverflowError, so the finiteness check
    that follows reports it as a ValueError."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def show(value: object) -> str:
    """``str(value)`` for a message; an int too large for a float is shown as ``~10**k``
    (its digits can run to thousands, and past 4300 ``str`` itself refuses on CPython 3.11+)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 1024:
        sign = "-" if value < 0 else ""
        return f"{sign}~10**{math.floor(math.log10(abs(value)))} (an int too large for a float)"
    return str(value)


def check_int(value: object, name: str, minimum: int) -> int:
    """``value`` if it is an ``int`` (not ``bool``) of at least ``minimum``."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}: {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value
