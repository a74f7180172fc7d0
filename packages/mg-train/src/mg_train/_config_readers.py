"""Config field readers: each returns a checked value or raises `ConfigError` naming the key.

`parse_config` (in `config`) walks the JSON object with these; `OptimizerConfig.factory` reuses
them so a value that reached an optimizer was checked by the same rule that parsed it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Optional

__all__ = ["ConfigError"]


class ConfigError(ValueError):
    """A config that cannot be run; the message names the offending key."""


def _fail(key: str, problem: str, value: object) -> ConfigError:
    return ConfigError(f"config key {key!r}: {problem}, got {json.dumps(value)}")


def _object(value: object, key: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise _fail(key, "must be an object", value)
    return value


def _only(obj: Mapping[str, object], allowed: Sequence[str], where: str) -> None:
    for name in obj:
        if name not in allowed:
            full = f"{where}.{name}" if where else name
            raise ConfigError(
                f"config key {full!r}: unknown key (allowed here: {', '.join(allowed)})"
            )


def _int(value: object, key: str, *, minimum: Optional[int] = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(key, "must be an integer", value)
    if minimum is not None and value < minimum:
        raise _fail(key, f"must be >= {minimum}", value)
    return value


def _float(
    value: object,
    key: str,
    *,
    positive: bool = False,
    lo: Optional[float] = None,
    hi: Optional[float] = None,
) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(key, "must be a number", value)
    number = float(value)
    if not math.isfinite(number):
        raise _fail(key, "must be finite", value)
    if positive and not number > 0.0:
        raise _fail(key, "must be > 0", value)
    if lo is not None and number < lo:
        raise _fail(key, f"must be >= {lo}", value)
    if hi is not None and not number < hi:
        raise _fail(key, f"must be < {hi}", value)
    return number


def _bool(value: object, key: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(key, "must be true or false", value)
    return value


def _choice(value: object, key: str, choices: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise _fail(key, f"must be one of {', '.join(choices)}", value)
    return value


def _betas(value: object, key: str) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise _fail(key, "must be a list of two numbers in [0, 1)", value)
    return (
        _float(value[0], f"{key}[0]", lo=0.0, hi=1.0),
        _float(value[1], f"{key}[1]", lo=0.0, hi=1.0),
    )
