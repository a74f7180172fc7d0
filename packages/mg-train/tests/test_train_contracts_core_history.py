"""History.from_dict contracts the mutation run showed were unpinned.

Every refusal names the key, the index and the value it refused, so a user can find the bad entry
in a results or checkpoint file; the messages are asserted whole. Accuracies are fractions, so
both ends of [0, 1] are valid (0.0: nothing right, 1.0: everything right).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Optional

import pytest
from mg_train import History


def _valid(**changes: object) -> dict[str, object]:
    """A two-epoch history dict as `History.to_dict` writes it, with ``changes`` applied."""
    data: dict[str, object] = {
        "train_loss": [0.5, 0.25],
        "val_loss": [0.75, 0.5],
        "lr": [0.1, 0.1],
        "epoch_time": [0.01, 0.02],
        "stopped_early": False,
        "train_accuracy": [0.5, 0.75],
        "val_accuracy": [0.25, 0.5],
    }
    data.update(changes)
    return data


def _refusal(data: Mapping[str, object]) -> str:
    with pytest.raises(ValueError, match=r"^history") as info:  # every message names it
        History.from_dict(data)
    return str(info.value)


def test_a_history_that_is_not_an_object_names_its_type() -> None:
    with pytest.raises(ValueError, match=re.escape("history must be an object, got list") + "$"):
        History.from_dict([1, 2])  # type: ignore[arg-type]


def test_every_missing_key_is_named_in_order() -> None:
    data = _valid()
    del data["lr"]
    del data["stopped_early"]
    assert _refusal(data) == "history is missing key(s): lr, stopped_early"
    del data["train_loss"]
    assert _refusal(data) == "history is missing key(s): train_loss, lr, stopped_early"


def test_every_unexpected_key_is_named_in_order() -> None:
    assert _refusal(_valid(notes="hi", seed=3)) == "history has unexpected key(s): notes, seed"


@pytest.mark.parametrize("key", ["train_loss", "lr", "epoch_time"])
def test_a_null_is_refused_in_the_lists_that_have_a_value_every_epoch(key: str) -> None:
    assert _refusal(_valid(**{key: [0.1, None]})) == f"history.{key}[1] must be a number, got None"


def test_a_null_train_accuracy_is_refused() -> None:
    refusal = _refusal(_valid(train_accuracy=[None, 0.5]))
    assert refusal == "history.train_accuracy[0] must be a number, got None"


def test_a_null_validation_loss_is_allowed_but_then_its_accuracy_must_be_null_too() -> None:
    history = History.from_dict(_valid(val_loss=[None, None], val_accuracy=[None, None]))
    assert history.val_loss == [None, None]
    assert history.val_accuracy == [None, None]
    assert _refusal(_valid(val_loss=[0.75, None])) == (
        "history.val_accuracy[1] is 0.5 but val_loss[1] is None; both must be given or both be null"
    )


@pytest.mark.parametrize("value", [True, "0.5"])
def test_a_bool_or_a_string_is_not_a_number(value: object) -> None:
    refusal = _refusal(_valid(train_loss=[0.5, value]))
    assert refusal == f"history.train_loss[1] must be a number, got {value!r}"


def test_an_int_too_large_for_a_float_gives_its_size_in_bits() -> None:
    huge = 10**400
    bits = huge.bit_length()  # 1329: log2(10) * 400 = 1328.77..., rounded up
    assert bits == 1329
    refusal = _refusal(_valid(lr=[0.1, huge]))
    assert refusal == "history.lr[1] is too large for a float: an int of 1329 bits"


def test_an_infinite_value_is_named() -> None:
    assert _refusal(_valid(epoch_time=[float("inf"), 0.1])) == (
        "history.epoch_time[0] is not finite: inf"
    )


def test_a_list_that_is_not_a_list_names_its_type() -> None:
    assert _refusal(_valid(lr={"a": 1})) == "history.lr must be a list, got dict"


@pytest.mark.parametrize("key", ["val_loss", "lr", "epoch_time"])
def test_a_list_of_the_wrong_length_is_named_with_both_lengths(key: str) -> None:
    refusal = _refusal(_valid(**{key: [0.1, 0.1, 0.1]}))
    assert refusal == f"history.{key} has 3 entries but train_loss has 2"


@pytest.mark.parametrize("key", ["train_accuracy", "val_accuracy"])
def test_an_accuracy_list_of_the_wrong_length_is_named(key: str) -> None:
    refusal = _refusal(_valid(**{key: [0.5]}))
    assert refusal == f"history.{key} has 1 entries but train_loss has 2"


def test_stopped_early_must_be_a_bool() -> None:
    assert _refusal(_valid(stopped_early="yes")) == (
        "history.stopped_early must be a bool, got 'yes'"
    )


def test_accuracy_zero_and_one_are_valid_and_just_outside_is_refused() -> None:
    history = History.from_dict(_valid(train_accuracy=[0.0, 1.0], val_accuracy=[1.0, 0.0]))
    assert history.train_accuracy == [0.0, 1.0]
    assert history.val_accuracy == [1.0, 0.0]
    assert _refusal(_valid(val_accuracy=[0.5, -0.01])) == (
        "history.val_accuracy[1] is not an accuracy in [0, 1]: -0.01"
    )
    assert _refusal(_valid(train_accuracy=[1.01, 0.5])) == (
        "history.train_accuracy[0] is not an accuracy in [0, 1]: 1.01"
    )


# ---------------------------------------------------------------- append and to_dict


def _append_refusal(history: History, **accuracy: Optional[float]) -> str:
    with pytest.raises(ValueError, match=r"^(this history|val_accuracy)") as info:
        history.append(0.5, None, 0.1, 0.0, **accuracy)
    return str(info.value)


def test_append_names_what_is_missing_once_accuracy_is_recorded() -> None:
    history = History()
    history.append(0.5, None, 0.1, 0.0, train_accuracy=0.5)
    needs = (
        "this history records accuracy: append needs train_accuracy (and val_accuracy when "
        "there is a validation loss)"
    )
    assert _append_refusal(history) == needs
    assert _append_refusal(History(), val_accuracy=0.5) == needs


def test_accuracy_cannot_start_after_epochs_without_it() -> None:
    history = History()
    history.append(0.5, None, 0.1, 0.0)
    assert _append_refusal(history, train_accuracy=0.5) == (
        "this history has 1 epochs without accuracy; it cannot start recording accuracy now"
    )
    assert history.epochs == 1


def test_validation_accuracy_comes_with_a_validation_loss() -> None:
    assert _append_refusal(History(), train_accuracy=0.5, val_accuracy=0.25) == (
        "val_accuracy (0.25) and val_loss (None) must both be given or both be None"
    )
    history = History()
    with pytest.raises(ValueError, match=r"^val_accuracy \(None\) and val_loss \(0\.5\) must"):
        history.append(0.5, 0.5, 0.1, 0.0, train_accuracy=0.5)
    assert history.epochs == 0  # a refused epoch is not half recorded


def _recorded(accuracy: bool) -> History:
    history = History()
    for train, val, seconds in ((0.9, 0.8, 1.5), (0.7, 0.85, 2.5), (0.6, 0.8, 3.5)):
        if accuracy:
            history.append(train, val, 0.1, seconds, train_accuracy=train, val_accuracy=1 - val)
        else:
            history.append(train, val, 0.1, seconds)
    return history


def test_to_dict_holds_every_list_and_the_derived_bests() -> None:
    # best_epoch: lowest val_loss 0.8 first at epoch 1 (the tie at epoch 3 loses)
    assert _recorded(accuracy=False).to_dict() == {
        "train_loss": [0.9, 0.7, 0.6],
        "val_loss": [0.8, 0.85, 0.8],
        "lr": [0.1, 0.1, 0.1],
        "stopped_early": False,
        "best_epoch": 1,
        "best_val_loss": 0.8,
        "epoch_time": [1.5, 2.5, 3.5],
    }
    with_accuracy = _recorded(accuracy=True).to_dict(include_times=False)
    assert "epoch_time" not in with_accuracy
    assert with_accuracy["train_accuracy"] == [0.9, 0.7, 0.6]
    assert with_accuracy["val_accuracy"] == [1 - 0.8, 1 - 0.85, 1 - 0.8]
    # highest val accuracy 1 - 0.8 = 0.2 (approximately), first at epoch 1
    assert with_accuracy["best_val_accuracy"] == 1 - 0.8
    assert with_accuracy["best_val_accuracy_epoch"] == 1
    assert History.from_dict(_recorded(accuracy=True).to_dict()) == _recorded(accuracy=True)


def test_the_best_epoch_uses_train_loss_unless_every_epoch_has_a_validation_loss() -> None:
    history = History()
    for train, val in ((3.0, None), (1.0, 0.1), (2.0, 5.0)):
        history.append(train, val, 0.1, 0.0)
    assert history.best_epoch == 2  # train loss 1.0; the lowest val_loss 0.1 is no evidence
    assert history.best_val_loss == 0.1
    assert History().best_epoch is None
    assert History().best_val_loss is None
    assert History().best_val_accuracy is None
