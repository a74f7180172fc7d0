"""Checkpoint contracts for the model and generator sections (found unpinned by mutation).

A model section must name exactly the model's parameters - the first five missing or
unexpected names are listed, then " ..." - and hold numbers; a generator state must be what
``random.Random.getstate()`` gives, as JSON lists. Each refusal is asserted whole, and leaves
the model, optimizer, scheduler and generator untouched.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Optional

import pytest
from mg_nn import MLP
from mg_optim import SGD, StepLR
from mg_train import CheckpointError, History, load_checkpoint, save_checkpoint

RUN: dict[str, object] = {
    "batch_size": 8,
    "shuffle": True,
    "seed": 3,
    "clip_grad_norm": None,
    "clip_grad_value": None,
    "loss": "mse",
}
RNG_PROBLEM = "checkpoint 'rng_state' must be [version, [625 ints], gauss_next or null]"


def _objects(seed: int = 0) -> tuple[MLP, SGD, StepLR]:
    model = MLP(1, [2, 1], rng=seed)  # 7 parameters: enough to test the "first 5 ..." lists
    optimizer = SGD(model.parameters(), 0.1)
    return model, optimizer, StepLR(optimizer, 2)


def _history(epochs: int, *, accuracy: bool = False) -> History:
    history = History()
    for _ in range(epochs):
        if accuracy:
            history.append(0.5, None, 0.1, 0.0, train_accuracy=0.5)
        else:
            history.append(0.5, None, 0.1, 0.0)
    return history


def _saved(
    tmp_path: Path,
    *,
    epoch: int = 0,
    history: Optional[History] = None,
    run: Optional[dict[str, object]] = RUN,
) -> dict[str, object]:
    """A checkpoint written by `save_checkpoint`, read back as a dict to edit."""
    model, optimizer, scheduler = _objects()
    path = tmp_path / "saved.json"
    save_checkpoint(
        path,
        model=model,
        optimizer=optimizer,
        scheduler=scheduler,
        rng=random.Random(0),
        epoch=epoch,
        history=_history(epoch) if history is None else history,
        run=run,
    )
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _refusal(
    path: Path,
    *,
    with_scheduler: bool = True,
    max_epoch: Optional[int] = None,
    run: Optional[dict[str, object]] = None,
    records_accuracy: Optional[bool] = None,
    error: type[ValueError] = CheckpointError,
) -> str:
    """The message of the refused load; asserts nothing it was given has changed."""
    model, optimizer, scheduler = _objects(seed=5)
    rng = random.Random(42)
    before = (model.state_dict(), optimizer.state_dict(), scheduler.state_dict(), rng.getstate())
    with pytest.raises(error) as info:
        load_checkpoint(
            path,
            model=model,
            optimizer=optimizer,
            scheduler=scheduler if with_scheduler else None,
            rng=rng,
            max_epoch=max_epoch,
            run=run,
            records_accuracy=records_accuracy,
        )
    assert type(info.value) is error
    after = (model.state_dict(), optimizer.state_dict(), scheduler.state_dict(), rng.getstate())
    assert after == before
    return str(info.value)


def _edited_refusal(tmp_path: Path, key: str, value: object) -> str:
    data = _saved(tmp_path)
    data[key] = value
    return _refusal(_write(tmp_path, data))


# ---------------------------------------------------------------- model


def test_a_model_section_that_is_not_an_object_names_its_type(tmp_path: Path) -> None:
    assert _edited_refusal(tmp_path, "model", [1.0]) == (
        "checkpoint 'model' must be an object, got list"
    )


ARCHITECTURE = "checkpoint 'model' was saved from a different architecture: "


def _model_refusal(tmp_path: Path, drop: int, add: int) -> tuple[str, list[str]]:
    """Drop the first ``drop`` parameter names and add ``add`` unknown ones."""
    data = _saved(tmp_path)
    state = data["model"]
    assert isinstance(state, dict)
    names = list(state)
    for name in names[:drop]:
        del state[name]
    for i in range(add):
        state[f"extra.{i}"] = 0.0
    return _refusal(_write(tmp_path, data)), names


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
    data = _saved(tmp_path)
    state = data["model"]
    assert isinstance(state, dict)
    name = list(state)[-1]
    state[name] = value
    assert _refusal(_write(tmp_path, data)) == (
        f"checkpoint 'model.{name}' must be a number, got {value!r}"
    )


# ---------------------------------------------------------------- generator state


def _rng_refusal(tmp_path: Path, change: int, value: object) -> str:
    """Replace entry ``change`` of the saved rng_state (-1: word 4 of the internal state)."""
    data = _saved(tmp_path)
    state = data["rng_state"]
    assert isinstance(state, list)
    if change == -1:
        state[1][4] = value
    else:
        state[change] = value
    return _refusal(_write(tmp_path, data))


def test_an_rng_state_of_the_wrong_shape_is_described(tmp_path: Path) -> None:
    assert _edited_refusal(tmp_path, "rng_state", [3, []]) == RNG_PROBLEM
    assert _edited_refusal(tmp_path, "rng_state", {"version": 3}) == RNG_PROBLEM


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
