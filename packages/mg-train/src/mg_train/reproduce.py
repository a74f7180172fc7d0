"""Bit-for-bit comparison of two results.json documents, ignoring the timing sections.

Reproducibility here means *identical*, not close: two floats match only if their ``repr``
(equivalently ``float.hex``) match, an int never matches a float, and every key and list length
must agree. The ``environment`` and ``timings`` sections are skipped: they describe the machine
and the clock, not the computation.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ._atomic import PathLike
from ._json import loads_strict
from .artifacts import NONDETERMINISTIC_SECTIONS

__all__ = ["diff_results", "load_results"]


def load_results(path: PathLike) -> dict[str, object]:
    """Read a results.json (ValueError if it is not a JSON object)."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = loads_strict(handle.read())
    except ValueError as error:  # not JSON, not UTF-8, NaN, absurd nesting...
        raise ValueError(f"cannot read results file {path}: {error}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path} does not hold a JSON object")
    return data


def _describe(value: object) -> str:
    if isinstance(value, float):
        return f"{value!r} ({value.hex()})"
    return json.dumps(value)[:80]


def _diff(new: object, ref: object, where: str, out: list[str], limit: int) -> None:
    if len(out) >= limit:
        return
    if type(new) is not type(ref):
        out.append(f"{where}: type {type(new).__name__} != reference {type(ref).__name__}")
    elif isinstance(new, dict) and isinstance(ref, dict):
        for key in ref:
            if key not in new:
                out.append(f"{where}.{key}: missing (present in the reference)")
        for key in new:
            if key not in ref:
                out.append(f"{where}.{key}: not in the reference")
            else:
                _diff(new[key], ref[key], f"{where}.{key}", out, limit)
    elif isinstance(new, list) and isinstance(ref, list):
        if len(new) != len(ref):
            out.append(f"{where}: length {len(new)} != reference {len(ref)}")
        for index, (a, b) in enumerate(zip(new, ref)):
            _diff(a, b, f"{where}[{index}]", out, limit)
    elif isinstance(new, float) and isinstance(ref, float):
        if new.hex() != ref.hex():
            out.append(f"{where}: {_describe(new)} != reference {_describe(ref)}")
    elif new != ref:
        out.append(f"{where}: {_describe(new)} != reference {_describe(ref)}")


def diff_results(
    new: dict[str, object],
    reference: dict[str, object],
    *,
    skip: Sequence[str] = NONDETERMINISTIC_SECTIONS,
    limit: int = 20,
) -> list[str]:
    """Every difference (at most ``limit``) outside the ``skip`` sections; [] means identical."""
    out: list[str] = []
    trimmed_new = {k: v for k, v in new.items() if k not in skip}
    trimmed_ref = {k: v for k, v in reference.items() if k not in skip}
    _diff(trimmed_new, trimmed_ref, "results", out, limit)
    # _diff stops descending once the limit is reached, but one dict or list can add several
    # lines at a time: the first ``limit`` of them, in document order, are the answer.
    return out[:limit]
