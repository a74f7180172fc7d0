"""The fit loop's contracts the mutation run showed were unpinned: scheduling, callbacks,
checkpoint timing, resuming, progress, accuracy, batch order and non-finite losses.

Expected values come from the documented rules (one ``random.Random(seed)`` shuffle per epoch,
``ReduceLROnPlateau`` stepped with the monitored loss, PyTorch's clip_grad_norm_), never from
running this code.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from fit_kit import fit_once, line, three_points
from mg_autograd import Value
from mg_nn import MLP
from mg_optim import SGD, ReduceLROnPlateau, StepLR
from mg_train import (
    Callback,
    CheckpointError,
    Dataset,
    History,
    NonFiniteLossError,
    Verbosity,
    fit,
    format_epoch_line,
)
from mg_train.losses import bce_with_logits, mse

# ---------------------------------------------------------------- the loop


class RecordingPlateau(ReduceLROnPlateau):
    def __init__(self, optimizer: SGD) -> None:
        super().__init__(optimizer)
        self.seen: list[float] = []

    def step(self, metric: float) -> None:
        self.seen.append(metric)
        super().step(metric)


class CountingStepLR(StepLR):
    def __init__(self, optimizer: SGD) -> None:
        self.steps = 0
        super().__init__(optimizer, 1, gamma=0.5)

    def step(self) -> None:
        self.steps += 1
        super().step()


def test_reduce_on_plateau_is_stepped_with_the_validation_loss_else_the_train_loss() -> None:
    model = MLP(1, [1], rng=0)
    optimizer = SGD(model.parameters(), 0.01)
    plateau = RecordingPlateau(optimizer)
    history = fit_once(
        model=model, optimizer=optimizer, val=three_points(), epochs=3, scheduler=plateau
    )
    assert plateau.seen == history.val_loss
    model = MLP(1, [1], rng=0)
    optimizer = SGD(model.parameters(), 0.01)
    plateau = RecordingPlateau(optimizer)
    history = fit_once(model=model, optimizer=optimizer, epochs=3, scheduler=plateau)
    assert plateau.seen == history.train_loss


def test_a_scheduler_steps_once_after_each_epoch_and_lr_is_read_before_it() -> None:
    model = MLP(1, [1], rng=0)
    optimizer = SGD(model.parameters(), 0.8)
    scheduler = CountingStepLR(optimizer)
    built = scheduler.steps  # what the constructor itself did
    history = fit_once(model=model, optimizer=optimizer, epochs=3, scheduler=scheduler)
    assert scheduler.steps - built == 3
    assert history.lr == [0.8, 0.4, 0.2]  # StepLR(step_size=1, gamma=0.5), stepped after each


class Stop(Callback):
    """Says stop at ``epoch`` and records every call."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch
        self.calls: list[int] = []

    def on_epoch_end(self, epoch: int, history: History) -> bool:
        self.calls.append(epoch)
        return epoch >= self.epoch


def test_every_callback_is_asked_even_after_one_said_stop() -> None:
    first, second = Stop(2), Stop(99)
    history = fit_once(epochs=5, callbacks=[first, second])
    assert (first.calls, second.calls) == ([1, 2], [1, 2])
    assert history.epochs == 2
    assert history.stopped_early


def test_a_stop_at_the_last_epoch_is_no_early_stop() -> None:
    stop = Stop(3)
    history = fit_once(epochs=3, callbacks=[stop])
    assert stop.calls == [1, 2, 3]
    assert history.epochs == 3
    assert not history.stopped_early


class SeesCheckpoint(Callback):
    """Records, at each epoch's end, the epoch of the checkpoint on disk (0: none yet)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: list[int] = []

    def on_epoch_end(self, epoch: int, history: History) -> bool:
        if self.path.exists():
            saved = json.loads(self.path.read_text(encoding="utf-8"))
            self.seen.append(saved["epoch"])
        else:
            self.seen.append(0)
        return False


def test_the_checkpoint_is_written_every_n_epochs_and_after_the_last(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    watch = SeesCheckpoint(path)
    fit_once(epochs=5, checkpoint=path, checkpoint_every=2, callbacks=[watch])
    # a callback runs before that epoch's save: epochs 2 and 4 are saved, then the last one
    assert watch.seen == [0, 0, 2, 2, 4]
    assert json.loads(path.read_text(encoding="utf-8"))["epoch"] == 5


def test_the_checkpoint_is_written_when_a_callback_stops_the_run(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    fit_once(epochs=9, checkpoint=path, checkpoint_every=5, callbacks=[Stop(3)])
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["epoch"] == 3
    assert saved["history"]["stopped_early"] is True


def test_a_resumed_run_that_had_stopped_early_trains_no_further(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    fit_once(epochs=9, checkpoint=path, callbacks=[Stop(2)])
    stream = io.StringIO()
    history = fit_once(epochs=9, resume_from=path, verbose=Verbosity.LINES, stream=stream)
    assert history.epochs == 2
    assert history.stopped_early
    assert stream.getvalue() == ""


def test_a_resumed_run_reports_only_its_new_epochs_under_its_name(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    fit_once(epochs=2, checkpoint=path)
    stream = io.StringIO()  # no terminal: True means one line per epoch
    fit_once(epochs=4, resume_from=path, verbose=True, stream=stream, desc="sgd")
    lines = stream.getvalue().splitlines()
    assert [line.split(" - ")[0] for line in lines] == ["[sgd] epoch 3/4", "[sgd] epoch 4/4"]


def test_epoch_times_are_measured_wall_seconds() -> None:
    history = fit_once(epochs=2)
    assert len(history.epoch_time) == 2
    assert all(0.0 <= seconds < 60.0 for seconds in history.epoch_time)


def test_clip_grad_norm_bounds_the_step_of_plain_sgd() -> None:
    """SGD moves by lr * g; clipped to norm c the step has length lr * c * |g| / (|g| + 1e-6).

    The 1e-6 is PyTorch's ``clip_grad_norm_`` (clip_coef = max_norm / (total_norm + 1e-6)); here
    |g| is about 20, so the step is lr * c to within 1e-6 relative.
    """
    model = MLP(1, [1], rng=0)
    before = [p.data for p in model.parameters()]
    fit_once(model=model, optimizer=SGD(model.parameters(), 0.5), clip_grad_norm=1e-3)
    step = math.sqrt(math.fsum((p.data - old) ** 2 for old, p in zip(before, model.parameters())))
    assert 0.5 * 1e-3 * (1 - 1e-6) <= step <= 0.5 * 1e-3


def test_a_non_finite_validation_loss_is_named_with_its_epoch() -> None:
    calls = [0]

    def loss(outputs: Sequence[Sequence[Value]], targets: Sequence[Sequence[float]]) -> Value:
        calls[0] += 1  # one training batch, then the validation pass, per epoch
        value = mse(outputs, targets)
        return value * math.inf if calls[0] == 4 else value

    with pytest.raises(NonFiniteLossError) as caught:
        fit_once(loss=loss, val=three_points(), epochs=3)
    assert str(caught.value) == (
        "non-finite validation loss inf at epoch 2; training stopped (the last checkpoint, "
        "if any, is from the last good epoch)"
    )
    assert (caught.value.epoch, caught.value.batch, caught.value.value) == (2, None, math.inf)


# ---------------------------------------------------------------- accuracy


def _labels() -> Dataset:
    return Dataset(((1.0,), (-1.0,), (2.0,), (-2.0,)), ((1.0,), (0.0,), (1.0,), (0.0,)))


def test_a_classification_run_records_accuracy_by_name_or_function() -> None:
    for loss in ("bce_with_logits", bce_with_logits):
        history = fit_once(loss=loss, train=_labels(), val=_labels(), batch_size=2, epochs=2)
        assert history.records_accuracy
        assert len(history.train_accuracy) == 2
        assert all(v is not None and 0.0 <= v <= 1.0 for v in history.val_accuracy)


def _soft() -> Dataset:
    return Dataset(((1.0,), (-1.0,)), ((0.75,), (0.0,)))


def test_a_run_records_no_accuracy_without_class_labels_or_a_classification_loss() -> None:
    soft = _soft()
    assert not fit_once(loss="bce_with_logits", train=soft).records_accuracy
    assert not fit_once(loss="bce_with_logits", train=_labels(), val=soft).records_accuracy
    assert not fit_once(loss="mse", train=_labels()).records_accuracy
    assert not fit_once(loss=lambda o, t: bce_with_logits(o, t), train=_labels()).records_accuracy


def test_train_accuracy_counts_every_sample_of_every_batch() -> None:
    """With lr 0 the weights never move: the accuracy is that of the initial line w x + b."""
    model, w, b = line()
    data = Dataset(
        ((1.0,), (-1.0,), (3.0,), (-3.0,), (0.5,)), ((1.0,), (1.0,), (0.0,), (0.0,), (1.0,))
    )
    expected = (
        sum(((w * x + b) > 0.0) == (t == 1.0) for (x,), (t,) in zip(data.inputs, data.targets)) / 5
    )
    history = fit_once(
        model=model,
        optimizer=SGD(model.parameters(), 0.0),
        loss="bce_with_logits",
        train=data,
        val=data,
        batch_size=2,
    )
    assert history.train_accuracy == [expected]
    assert history.val_accuracy == [expected]


def test_by_default_fit_reports_one_line_per_epoch_to_stderr_and_checkpoints_every_epoch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "run.json"
    watch = SeesCheckpoint(path)
    model = MLP(1, [1], rng=0)
    fit(
        model,
        "mse",
        SGD(model.parameters(), 0.05),
        three_points(),
        epochs=3,
        batch_size=3,
        callbacks=[watch],
        checkpoint=path,
    )
    assert watch.seen == [0, 1, 2]
    captured = capsys.readouterr()
    assert captured.out == ""
    assert [line.split(" - ")[0] for line in captured.err.splitlines()] == [
        "epoch 1/3",
        "epoch 2/3",
        "epoch 3/3",
    ]


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_resumed_bar_starts_at_the_finished_epochs(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    fit_once(epochs=2, checkpoint=path)
    stream = FakeTTY()
    fit_once(epochs=4, resume_from=path, verbose=True, stream=stream)
    frames = stream.getvalue().split("\r")[1:]
    assert frames[0].startswith(" 50%|#####     | 2/4 [")
    assert frames[-1].startswith("100%|##########| 4/4 [")


def test_resuming_a_longer_run_than_this_one_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    fit_once(epochs=3, checkpoint=path)
    problem = "checkpoint has 3 finished epochs, more than epochs=2"
    with pytest.raises(CheckpointError, match="^" + re.escape(problem) + "$"):
        fit_once(epochs=2, resume_from=path)


def test_a_classification_run_does_not_resume_a_run_without_accuracy(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    fit_once(loss="bce_with_logits", train=_soft(), epochs=1, checkpoint=path)
    with pytest.raises(CheckpointError, match=r"^checkpoint 'history' records no accuracy"):
        fit_once(loss="bce_with_logits", train=_labels(), epochs=2, resume_from=path)


def test_the_progress_line_shows_what_the_history_records() -> None:
    stream = io.StringIO()
    history = fit_once(
        loss="bce_with_logits",
        train=_labels(),
        val=_labels(),
        batch_size=2,
        epochs=2,
        verbose=Verbosity.LINES,
        stream=stream,
    )
    expected = [
        format_epoch_line(
            epoch,
            2,
            history.train_loss[epoch - 1],
            history.val_loss[epoch - 1],
            history.lr[epoch - 1],
            history.epoch_time[epoch - 1],
            accuracy=history.train_accuracy[epoch - 1],
            val_accuracy=history.val_accuracy[epoch - 1],
        )
        for epoch in (1, 2)
    ]
    assert stream.getvalue().splitlines() == expected
    assert " - accuracy: " in expected[0]
    assert " - val_accuracy: " in expected[0]
