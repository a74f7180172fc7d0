"""Checkpoint contracts the mutation run showed were unpinned.

A refused checkpoint must say what is wrong and where, and leave the model, optimizer,
scheduler and generator exactly as they were; the messages are asserted whole. Each test starts
from a real checkpoint written by `save_checkpoint` and changes one thing in its JSON.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from pathlib import Path

import pytest
from checkpoint_kit import RUN, edited_refusal, history_of, objects, refusal, saved, write
from mg_optim import StepLR
from mg_train import History, load_checkpoint, save_checkpoint

# ---------------------------------------------------------------- file and top-level keys


def test_unreadable_text_and_a_non_object_are_named(tmp_path: Path) -> None:
    path = tmp_path / "binary.json"
    path.write_bytes(b"\xff\xfe{}")
    assert refusal(path).startswith(f"cannot read checkpoint {path}: ")
    assert refusal(write(tmp_path, [1, 2])) == "checkpoint must be a JSON object, got list"


def test_another_format_is_named(tmp_path: Path) -> None:
    assert edited_refusal(tmp_path, "format", "other-tool") == (
        "not an mg-train checkpoint: format is 'other-tool'"
    )


def test_missing_keys_are_all_named_in_order_even_format_and_its_version(tmp_path: Path) -> None:
    data = saved(tmp_path)
    for key in ("format", "format_version", "optimizer"):
        del data[key]
    assert refusal(write(tmp_path, data)) == (
        "checkpoint is missing key(s): format, format_version, optimizer"
    )


def test_unexpected_keys_are_all_named(tmp_path: Path) -> None:
    data = saved(tmp_path)
    data["notes"] = "hi"
    data["lr"] = 0.1
    assert refusal(write(tmp_path, data)) == "checkpoint has unexpected key(s): notes, lr"


def test_format_version_1_is_refused_with_the_reason_and_what_to_do(tmp_path: Path) -> None:
    assert edited_refusal(tmp_path, "format_version", 1) == (
        "checkpoint format_version 1 was written by an older mg-train that did not record the "
        "run's settings (batch size, shuffling, seed, clipping, loss), so it cannot be checked "
        "against this run; this mg-train reads version 2 - start the run again"
    )


# ---------------------------------------------------------------- run settings


def test_a_checkpoint_without_run_settings_says_why_it_cannot_be_checked(tmp_path: Path) -> None:
    path = write(tmp_path, saved(tmp_path, run=None))
    assert refusal(path, run=RUN) == (
        "checkpoint records no run settings ('run' is null: it was saved without run=), "
        "so it cannot be checked against this run"
    )


def test_malformed_settings_of_the_resuming_run_are_a_plain_value_error(tmp_path: Path) -> None:
    """The caller's own settings are wrong, not the file: ValueError, not CheckpointError."""
    path = write(tmp_path, saved(tmp_path))
    message = refusal(path, run={**RUN, "batch_size": 0}, error=ValueError)
    assert message == "run settings batch_size must be a positive int, got 0"


def test_a_run_section_that_is_not_an_object_names_its_type(tmp_path: Path) -> None:
    assert edited_refusal(tmp_path, "run", "fast") == "checkpoint 'run' must be an object, got str"


KEYS = "batch_size, shuffle, seed, clip_grad_norm, clip_grad_value, loss"
HUGE = 10**400  # an exact int to Python, and no float: float(HUGE) overflows
CLIP = " must be a positive finite number or null, got "


def _run_without_loss() -> dict[str, object]:
    return {key: value for key, value in RUN.items() if key != "loss"}


@pytest.mark.parametrize(
    ("run", "problem"),
    [
        (_run_without_loss(), f"must have exactly the keys {KEYS}; got {KEYS[:-6]}"),
        ({**RUN, "lr": 0.1}, f"must have exactly the keys {KEYS}; got {KEYS}, lr"),
        ({**RUN, "batch_size": True}, "batch_size must be a positive int, got True"),
        ({**RUN, "batch_size": 0}, "batch_size must be a positive int, got 0"),
        ({**RUN, "batch_size": 8.0}, "batch_size must be a positive int, got 8.0"),
        ({**RUN, "shuffle": 1}, "shuffle must be true or false, got 1"),
        ({**RUN, "seed": "3"}, "seed must be an int, got '3'"),
        ({**RUN, "seed": True}, "seed must be an int, got True"),
        ({**RUN, "loss": 5}, "loss must be a loss name or null, got 5"),
        ({**RUN, "clip_grad_norm": True}, "clip_grad_norm" + CLIP + "True"),
        ({**RUN, "clip_grad_norm": "1"}, "clip_grad_norm" + CLIP + "'1'"),
        ({**RUN, "clip_grad_value": 0.0}, "clip_grad_value" + CLIP + "0.0"),
        ({**RUN, "clip_grad_value": float("inf")}, "clip_grad_value" + CLIP + "inf"),
        ({**RUN, "clip_grad_value": HUGE}, "clip_grad_value" + CLIP + repr(HUGE)),
    ],
)
def test_save_names_the_malformed_run_setting(
    run: dict[str, object], problem: str, tmp_path: Path
) -> None:
    model, optimizer, scheduler = objects()
    with pytest.raises(ValueError, match="^" + re.escape(f"run settings {problem}") + "$"):
        save_checkpoint(
            tmp_path / "c.json",
            model=model,
            optimizer=optimizer,
            scheduler=scheduler,
            rng=random.Random(0),
            epoch=0,
            history=History(),
            run=run,
        )
    assert not (tmp_path / "c.json").exists()


def test_the_smallest_valid_settings_save_and_resume(tmp_path: Path) -> None:
    """batch_size 1 and the smallest positive clip thresholds are valid settings."""
    run = {**RUN, "batch_size": 1, "clip_grad_norm": 5e-324, "clip_grad_value": 1}
    path = write(tmp_path, saved(tmp_path, run=run))
    model, optimizer, scheduler = objects()
    loaded = load_checkpoint(
        path, model=model, optimizer=optimizer, scheduler=scheduler, rng=random.Random(0), run=run
    )
    assert loaded.epoch == 0


# ---------------------------------------------------------------- the other sections


def test_more_finished_epochs_than_the_run_has_is_refused_one_past_the_limit(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, saved(tmp_path, epoch=2))
    assert refusal(path, max_epoch=1) == "checkpoint has 2 finished epochs, more than epochs=1"
    model, optimizer, scheduler = objects()
    rng = random.Random(0)
    loaded = load_checkpoint(
        path, model=model, optimizer=optimizer, scheduler=scheduler, rng=rng, max_epoch=2
    )
    assert loaded.epoch == 2


def test_an_optimizer_section_that_is_not_an_object_is_named(tmp_path: Path) -> None:
    assert edited_refusal(tmp_path, "optimizer", [1]) == "checkpoint 'optimizer' must be an object"


def test_scheduler_state_and_scheduler_must_come_together(tmp_path: Path) -> None:
    path = write(tmp_path, saved(tmp_path))
    assert refusal(path, with_scheduler=False) == (
        "checkpoint has scheduler state but this run has no scheduler"
    )
    assert edited_refusal(tmp_path, "scheduler", None) == (
        "checkpoint has no scheduler state but this run has a scheduler"
    )


def test_a_history_that_is_not_an_object_is_named(tmp_path: Path) -> None:
    assert edited_refusal(tmp_path, "history", [0.5]) == (
        "checkpoint 'history' is invalid: expected a JSON object, got list"
    )


def test_an_invalid_history_passes_on_what_history_found(tmp_path: Path) -> None:
    data = saved(tmp_path)
    history = data["history"]
    assert isinstance(history, dict)
    history["stopped_early"] = "no"
    assert refusal(write(tmp_path, data)) == (
        "checkpoint 'history' is invalid: history.stopped_early must be a bool, got 'no'"
    )


def test_accuracy_must_match_from_the_first_finished_epoch_on(tmp_path: Path) -> None:
    # before any epoch there is nothing to compare: both kinds of run may start from it
    path = write(tmp_path, saved(tmp_path, epoch=0))
    for records in (True, False):
        model, optimizer, scheduler = objects()
        loaded = load_checkpoint(
            path,
            model=model,
            optimizer=optimizer,
            scheduler=scheduler,
            rng=random.Random(0),
            records_accuracy=records,
        )
        assert loaded.epoch == 0
    without = write(tmp_path, saved(tmp_path, epoch=1))
    assert refusal(without, records_accuracy=True) == (
        "checkpoint 'history' records no accuracy (it was written by an mg-train that did not "
        "measure it, or by a run whose targets are not class labels) but this run records "
        "accuracy every epoch; start the run again"
    )
    with_accuracy = write(tmp_path, saved(tmp_path, epoch=1, history=history_of(1, accuracy=True)))
    assert refusal(with_accuracy, records_accuracy=False) == (
        "checkpoint 'history' records accuracy but this run records none"
    )


def test_save_refuses_a_nan_weight_and_writes_nothing(tmp_path: Path) -> None:
    model, optimizer, scheduler = objects()
    model.parameters()[0].data = float("nan")
    path = tmp_path / "nan.json"
    with pytest.raises(ValueError, match="JSON compliant"):
        save_checkpoint(
            path,
            model=model,
            optimizer=optimizer,
            scheduler=scheduler,
            rng=random.Random(0),
            epoch=0,
            history=History(),
        )
    assert list(tmp_path.iterdir()) == []


def test_a_scheduler_that_refuses_its_part_rolls_back_the_model_and_optimizer(
    tmp_path: Path,
) -> None:
    data = saved(tmp_path)
    optimizer = data["optimizer"]
    scheduler = data["scheduler"]
    assert isinstance(optimizer, dict)
    assert isinstance(scheduler, dict)
    optimizer["param_groups"][0]["lr"] = 0.5  # loaded first, so it must be put back
    scheduler["last_epoch"] = -5  # valid JSON and finite; StepLR refuses it
    message = refusal(write(tmp_path, data))
    assert message.startswith("checkpoint does not fit this run: ")
    assert "'last_epoch'" in message
    assert "-5" in message


class HalfLoadingStepLR(StepLR):
    """A user's scheduler whose load_state_dict changes a counter before it refuses a state
    saved by another class (its own states it loads like StepLR)."""

    def load_state_dict(self, state_dict: Mapping[str, object]) -> None:
        self.last_epoch = 99
        if state_dict.get("scheduler") != type(self).__name__:
            raise ValueError("this scheduler refuses a StepLR state")
        super().load_state_dict(state_dict)


def test_a_scheduler_that_changes_itself_before_refusing_is_put_back_too(tmp_path: Path) -> None:
    """All or nothing holds for every part, not only for those that are themselves atomic."""
    message = refusal(write(tmp_path, saved(tmp_path)), scheduler_type=HalfLoadingStepLR)
    assert message == "checkpoint does not fit this run: this scheduler refuses a StepLR state"
