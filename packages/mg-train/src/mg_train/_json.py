"""Reading back the JSON files mg-train writes: checkpoints, configs, manifests, run records.

Python's ``json.loads`` accepts more than JSON (RFC 8259) and fails in more ways than one:

- it reads the tokens ``NaN``, ``Infinity`` and ``-Infinity``, which JSON does not have;
- it reads a literal such as ``1e999`` as ``inf``: valid JSON, but no finite float;
- it raises ``RecursionError`` (not a ValueError) for arrays nested deeper than the
  interpreter's recursion limit, and a plain ValueError for an int literal longer than
  ``sys.get_int_max_str_digits()`` (4300 digits by default, CPython 3.11 and the 3.9/3.10
  security releases).

Every file reader in mg-train goes through `loads_strict`, so each of them refuses all of
these the same way - one ValueError whose message says what was wrong - and none can forget a
case. The readers add which file it was.
"""

from __future__ import annotations

import json
import math

__all__ = ["NonFiniteNumber", "loads_strict"]


class NonFiniteNumber(ValueError):
    """A number in the text that no finite float holds."""


def _refuse_constant(token: str) -> float:
    raise NonFiniteNumber(f"non-finite number {token}")


def _finite_float(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise NonFiniteNumber(f"number {token} overflows to {value}")
    return value


def loads_strict(text: str) -> object:
    """The data of the JSON document ``text``, with every float finite.

    Raises ``json.JSONDecodeError`` for text that is not JSON, `NonFiniteNumber` for NaN,
    Infinity or an overflowing literal, and ValueError for an over-long int or over-deep
    nesting: all of them ValueErrors.
    """
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise ValueError("nested more deeply than Python's recursion limit") from None
