"""`diff_results` returns at most ``limit`` differences, the first ones in document order.

Found by the mutation triage: `_diff` checked the limit only on entry, so the loops over one
dict's missing and extra keys could overshoot it (three of each gave six lines for limit=2).
"""

from __future__ import annotations

from mg_train import diff_results


def test_limit_holds_for_missing_and_extra_keys() -> None:
    new: dict[str, object] = {"x": 1, "y": 2, "z": 3}
    reference: dict[str, object] = {"a": 1, "b": 2, "c": 3}
    assert diff_results(new, reference, limit=2) == [
        "results.a: missing (present in the reference)",
        "results.b: missing (present in the reference)",
    ]
    assert len(diff_results(new, reference, limit=20)) == 6
