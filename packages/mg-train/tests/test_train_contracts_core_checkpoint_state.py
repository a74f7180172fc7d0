"""Checkpoint contracts for the model and generator sections (found unpinned by mutation).

A model section must name exactly the model's parameters - the first five missing or
unexpected names are listed, then " ..." - and hold numbers; a generator state must be what
``random.Random.getstate()`` gives, as JSON lists. Each refusal is asserted whole, and leaves
the model, optimizer, scheduler and generator untouched.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from checkpoint_kit import RNG_PROBLEM, edited_refusal, refusal, saved, write

# ---------------------------------------------------------------- model


def test_a_model_section_that_is_not_an_object_names_its_type(tmp_path: Path) -> None:
    assert edited_refusal(tmp_path, "model", [1.0]) == (
        "checkpoint 'model' must be an object, got list"
    )


ARCHITECTURE = "checkpoint 'model' was saved from a different architecture: "


def _model_refusal(tmp_path: Path, drop: int, add: int) -> tuple[str, list[str]]:
    """Drop the first ``drop`` parameter names and add ``add`` unknown ones."""
    data = saved(tmp_path)
    state = data["model"]
    assert isinstance(state, dict)
    names = list(state)
    for name in names[:drop]:
        del state[name]
    for i in range(add):
        state[f"extra.{i}"] = 0.0
    return refusal(write(tmp_path, data)), names


def test_up_to_five_names_are_listed_in_full(tmp_path: Path) -> None:
    refusal, names = _model_refusal(tmp_path, drop=5, add=0)
    assert refusal == ARCHITECTURE + "missing " + ", ".join(names[:5])
    refusal, _ = _model_refusal(tmp_path, drop=0, add=5)
    assert refusal == ARCHITECTURE + "unexpected extra.0, extra.1, extra.2, extra.3, extra.4"
    refusal, _ = _model_refusal(tmp_path, drop=0, add=1)
    assert refusal == ARCHITECTURE + "unexpected extra.0"


def test_past_five_names_the_first_five_are_listed_then_dots(tmp_path: Path) -> None:
    refusal, names = _model_refusal(tmp_path, drop=6, add=0)
    assert refusal == ARCHITECTURE + "missing " + ", ".join(names[:5]) + " ..."
    refusal, _ = _model_refusal(tmp_path, drop=0, add=6)
    assert refusal == ARCHITECTURE + "unexpected extra.0, extra.1, extra.2, extra.3, extra.4 ..."


def test_missing_and_unexpected_names_are_both_given(tmp_path: Path) -> None:
    refusal, names = _model_refusal(tmp_path, drop=2, add=1)
    assert refusal == ARCHITECTURE + f"missing {names[0]}, {names[1]}; unexpected extra.0"


@pytest.mark.parametrize("value", [True, "abc", None])
def test_a_weight_that_is_not_a_number_is_named(tmp_path: Path, value: object) -> None:
    data = saved(tmp_path)
    state = data["model"]
    assert isinstance(state, dict)
    name = list(state)[-1]
    state[name] = value
    assert refusal(write(tmp_path, data)) == (
        f"checkpoint 'model.{name}' must be a number, got {value!r}"
    )


# ---------------------------------------------------------------- generator state


def _rng_refusal(tmp_path: Path, change: int, value: object) -> str:
    """Replace entry ``change`` of the saved rng_state (-1: word 4 of the internal state)."""
    data = saved(tmp_path)
    state = data["rng_state"]
    assert isinstance(state, list)
    if change == -1:
        state[1][4] = value
    else:
        state[change] = value
    return refusal(write(tmp_path, data))


def test_an_rng_state_of_the_wrong_shape_is_described(tmp_path: Path) -> None:
    assert edited_refusal(tmp_path, "rng_state", [3, []]) == RNG_PROBLEM
    assert edited_refusal(tmp_path, "rng_state", {"version": 3}) == RNG_PROBLEM


def test_each_bad_part_of_the_rng_state_is_named(tmp_path: Path) -> None:
    assert _rng_refusal(tmp_path, 0, "3") == RNG_PROBLEM + "; version is '3'"
    assert _rng_refusal(tmp_path, 0, True) == RNG_PROBLEM + "; version is True"
    length = RNG_PROBLEM + "; the internal state has the wrong length"
    assert _rng_refusal(tmp_path, 1, 5) == length
    assert _rng_refusal(tmp_path, 1, list(range(624))) == length
    assert _rng_refusal(tmp_path, -1, "x") == RNG_PROBLEM + "; internal[4] is 'x'"
    assert _rng_refusal(tmp_path, -1, True) == RNG_PROBLEM + "; internal[4] is True"
    assert _rng_refusal(tmp_path, 2, "x") == RNG_PROBLEM + "; gauss_next is 'x'"
    assert _rng_refusal(tmp_path, 2, False) == RNG_PROBLEM + "; gauss_next is False"


def test_a_well_formed_state_random_refuses_is_reported_as_invalid(tmp_path: Path) -> None:
    # random.Random.setstate accepts only its own version (3 on every supported Python)
    refusal = _rng_refusal(tmp_path, 0, 99)
    assert refusal.startswith("checkpoint 'rng_state' is not a valid generator state: ")
