"""`fit`: the mini-batch training loop, with validation, scheduling, clipping and checkpoints.

One epoch, in order:

1. read the learning rate the epoch will train with (``param_groups[0]["lr"]``);
2. for each mini-batch (rows shuffled by the run's own ``random.Random(seed)``):
   zero the gradients, forward every sample, batch loss, refuse a non-finite loss, backward,
   clip the gradients (optional), ``optimizer.step()``;
3. validation loss of the whole validation set under ``no_grad`` (no graph is built);
   for a classification loss, the accuracy of the same outputs (`mg_train.metrics`), and the
   training accuracy counted on each batch's outputs in step 2, before its update;
4. record the epoch in the `History`; step the scheduler (``ReduceLROnPlateau`` with the
   monitored loss); ask the callbacks whether to stop;
5. write the checkpoint (optional), then report progress.

Everything that decides the next epoch - weights, optimizer state, scheduler state, the
shuffling generator's state and the history - is in the checkpoint, so `fit` with
``resume_from=`` continues exactly where the saved run was. What is passed to `fit` rather than
held by an object - batch size, shuffling, seed, clipping and the loss's name - is recorded in
the checkpoint too, and a resume with other values is refused (`CheckpointError`): it would
silently be a different run.
"""

from __future__ import annotations

import math
import os
import random
import time
from collections.abc import Sequence
from typing import Optional, TextIO, Union

from mg_autograd import Value, no_grad
from mg_optim import Optimizer, ReduceLROnPlateau, clip_grad_norm, clip_grad_value

from ._atomic import PathLike
from .callbacks import Callback
from .checkpoint import load_checkpoint, save_checkpoint
from .data import Dataset, iterate_batches
from .history import History
from .losses import LOSSES, BatchLoss, get_loss
from .metrics import CLASSIFICATION_LOSSES, count_correct, has_class_labels
from .progress import ProgressReporter, VerbosityLike
from .protocols import Model, Scheduler, forward_all

__all__ = ["NonFiniteLossError", "evaluate", "fit"]


class NonFiniteLossError(FloatingPointError):
    """The loss became NaN or infinite; ``epoch`` and ``batch`` (1-based) say where.

    Under `mg_autograd.detect_anomaly` the forward or backward pass stops at the first
    non-finite number, before a loss exists: then ``cause`` is that error's message (it names
    the operation and its operands) and ``value`` is NaN.
    """

    def __init__(
        self,
        epoch: int,
        batch: Optional[int],
        value: float,
        what: str = "train",
        cause: Optional[str] = None,
    ) -> None:
        where = f"epoch {epoch}, batch {batch}" if batch is not None else f"epoch {epoch}"
        problem = (
            f"non-finite {what} loss {value!r} at {where}"
            if cause is None
            else f"non-finite number in the {what} pass at {where}: {cause}"
        )
        super().__init__(
            f"{problem}; training stopped (the last checkpoint, if any, is from the last good "
            "epoch)"
        )
        self.epoch = epoch
        self.batch = batch
        self.value = value


def _resolve_loss(loss: Union[BatchLoss, str]) -> BatchLoss:
    if isinstance(loss, str):
        return get_loss(loss)
    if not callable(loss):
        raise TypeError(f"loss must be a loss name or a callable, got {type(loss).__name__}")
    return loss


def _loss_name(loss: Union[BatchLoss, str]) -> Optional[str]:
    """The loss's name in `LOSSES` (also when passed as the function), None for another one."""
    if isinstance(loss, str):
        return loss
    for name, function in LOSSES.items():
        if function is loss:
            return name
    return None


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


def _optional_positive(value: object, name: str) -> Optional[float]:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"{name} must be a positive finite number or None, got {value!r}")
    return float(value)


def _accuracy_loss(
    loss: Union[BatchLoss, str], train: Dataset, val: Optional[Dataset]
) -> Optional[str]:
    """The loss name to measure accuracy by, or None when the run records no accuracy: the
    loss is no classification loss, or some target is not a class label (a soft target)."""
    name = _loss_name(loss)
    if name is None or name not in CLASSIFICATION_LOSSES:
        return None
    for data in (train, val):
        if data is not None and not has_class_labels(name, data.targets):
            return None
    return name


def _scores(outputs: Sequence[Sequence[Value]]) -> list[list[float]]:
    return [[value.data for value in row] for row in outputs]


def _evaluate(
    model: Model, loss_fn: BatchLoss, data: Dataset, accuracy_loss: Optional[str]
) -> tuple[float, Optional[float]]:
    """(loss, accuracy or None) of one forward pass over ``data`` under ``no_grad``."""
    with no_grad():
        outputs = forward_all(model, data.inputs)
        value = loss_fn(outputs, data.targets).data
    if accuracy_loss is None or not math.isfinite(value):
        return value, None
    correct, total = count_correct(accuracy_loss, _scores(outputs), data.targets)
    return value, correct / total


def evaluate(model: Model, loss: Union[BatchLoss, str], data: Dataset) -> float:
    """The loss of ``model`` on the whole of ``data``, computed under ``no_grad``."""
    loss_fn = _resolve_loss(loss)
    if len(data) == 0:
        raise ValueError("cannot evaluate on an empty dataset")
    return _evaluate(model, loss_fn, data, None)[0]


def _train_epoch(
    model: Model,
    loss_fn: BatchLoss,
    optimizer: Optimizer,
    data: Dataset,
    batch_size: int,
    rng: Optional[random.Random],
    epoch: int,
    clip_norm: Optional[float],
    clip_value: Optional[float],
    accuracy_loss: Optional[str],
) -> tuple[float, Optional[float]]:
    """One pass over ``data``: the sample-weighted mean of the batch losses, and the fraction
    of correct predictions on the batches' outputs (None when ``accuracy_loss`` is None)."""
    params = model.parameters()
    total = 0.0
    correct = 0
    counted = 0
    for batch_index, (inputs, targets) in enumerate(iterate_batches(data, batch_size, rng), 1):
        optimizer.zero_grad()
        try:
            outputs: list[list[Value]] = forward_all(model, inputs)
            batch_loss = loss_fn(outputs, targets)
            value = batch_loss.data
            if math.isfinite(value):
                batch_loss.backward()
        except FloatingPointError as error:  # raised by detect_anomaly, naming the operation
            raise NonFiniteLossError(epoch, batch_index, math.nan, cause=str(error)) from error
        if not math.isfinite(value):
            raise NonFiniteLossError(epoch, batch_index, value)
        if accuracy_loss is not None:
            hits, count = count_correct(accuracy_loss, _scores(outputs), targets)
            correct += hits
            counted += count
        if clip_value is not None:
            clip_grad_value(params, clip_value)
        if clip_norm is not None:
            clip_grad_norm(params, clip_norm)
        optimizer.step()
        total += value * len(inputs)
    return total / len(data), (None if accuracy_loss is None else correct / counted)


def _check_dataset(data: object, name: str, expected: str) -> None:
    """ValueError naming what ``data`` is instead: another type, or a Dataset with no rows."""
    if not isinstance(data, Dataset):
        raise ValueError(f"{name} must be {expected}, got {type(data).__name__}")
    if len(data) == 0:
        raise ValueError(f"{name} must be {expected}, got an empty Dataset")


def fit(
    model: Model,
    loss: Union[BatchLoss, str],
    optimizer: Optimizer,
    train: Dataset,
    val: Optional[Dataset] = None,
    *,
    epochs: int,
    batch_size: int,
    seed: int = 0,
    shuffle: bool = True,
    scheduler: Optional[Scheduler] = None,
    clip_grad_norm: Optional[float] = None,
    clip_grad_value: Optional[float] = None,
    callbacks: Sequence[Callback] = (),
    checkpoint: Optional[PathLike] = None,
    checkpoint_every: int = 1,
    resume_from: Optional[PathLike] = None,
    verbose: VerbosityLike = True,
    stream: Optional[TextIO] = None,
    desc: str = "",
) -> History:
    """Train ``model`` for ``epochs`` epochs and return the `History`.

    ``loss`` is a name from `mg_train.LOSSES` or a `BatchLoss`. Batches are shuffled by
    ``random.Random(seed)`` (unless ``shuffle=False``). ``checkpoint`` is written atomically
    every ``checkpoint_every`` epochs and after the last one; ``resume_from`` loads one first
    and trains the remaining epochs; the checkpoint must come from a run with the same
    ``batch_size``, ``shuffle``, ``seed``, clipping and (named) loss, or `CheckpointError`
    names the setting that differs. ``scheduler`` must drive ``optimizer`` (ValueError
    otherwise). A non-finite training or validation loss raises
    `NonFiniteLossError` before anything of that epoch is recorded or written.

    With a classification loss (`mg_train.metrics.CLASSIFICATION_LOSSES`, by name or as the
    function) and targets that are all class labels, the history also records train and
    validation accuracy, and the progress shows them.
    """
    loss_fn = _resolve_loss(loss)
    epochs = _positive_int(epochs, "epochs")
    batch_size = _positive_int(batch_size, "batch_size")
    checkpoint_every = _positive_int(checkpoint_every, "checkpoint_every")
    norm_limit = _optional_positive(clip_grad_norm, "clip_grad_norm")
    value_limit = _optional_positive(clip_grad_value, "clip_grad_value")
    _check_dataset(train, "train", "a non-empty Dataset")
    if val is not None:
        _check_dataset(val, "val", "a non-empty Dataset or None")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}: {seed!r}")
    if not isinstance(shuffle, bool):
        raise TypeError(f"shuffle must be a bool, got {type(shuffle).__name__}: {shuffle!r}")
    if scheduler is not None and scheduler.optimizer is not optimizer:
        raise ValueError(
            f"scheduler {type(scheduler).__name__} drives another optimizer than the one "
            "passed to fit (scheduler.optimizer is not optimizer): its learning rates would "
            "never reach the training"
        )
    run_settings: dict[str, object] = {
        "batch_size": batch_size,
        "shuffle": shuffle,
        "seed": seed,
        "clip_grad_norm": norm_limit,
        "clip_grad_value": value_limit,
        "loss": _loss_name(loss),
    }

    accuracy_loss = _accuracy_loss(loss, train, val)

    rng = random.Random(seed)
    history = History()
    if resume_from is not None:
        loaded = load_checkpoint(
            resume_from,
            model=model,
            optimizer=optimizer,
            scheduler=scheduler,
            rng=rng,
            max_epoch=epochs,
            run=run_settings,
            records_accuracy=accuracy_loss is not None,
        )
        history = loaded.history
    start = history.epochs

    reporter = ProgressReporter(epochs, verbose=verbose, stream=stream, initial=start, desc=desc)
    try:
        for epoch in range(start + 1, epochs + 1):
            if history.stopped_early:
                break
            began = time.perf_counter()
            lr = float(optimizer.param_groups[0]["lr"])
            train_loss, train_accuracy = _train_epoch(
                model,
                loss_fn,
                optimizer,
                train,
                batch_size,
                rng if shuffle else None,
                epoch,
                norm_limit,
                value_limit,
                accuracy_loss,
            )
            val_loss: Optional[float] = None
            val_accuracy: Optional[float] = None
            if val is not None:
                try:
                    val_loss, val_accuracy = _evaluate(model, loss_fn, val, accuracy_loss)
                except FloatingPointError as error:  # raised by detect_anomaly
                    raise NonFiniteLossError(
                        epoch, None, math.nan, "validation", cause=str(error)
                    ) from error
                if not math.isfinite(val_loss):
                    raise NonFiniteLossError(epoch, None, val_loss, "validation")
            seconds = time.perf_counter() - began
            history.append(
                train_loss,
                val_loss,
                lr,
                seconds,
                train_accuracy=train_accuracy,
                val_accuracy=val_accuracy,
            )
            monitored = train_loss if val_loss is None else val_loss
            if isinstance(scheduler, ReduceLROnPlateau):
                scheduler.step(monitored)
            elif scheduler is not None:
                scheduler.step()
            stop = False
            for callback in callbacks:
                if callback.on_epoch_end(epoch, history):
                    stop = True
            history.stopped_early = stop and epoch < epochs
            if checkpoint is not None and (
                stop or epoch == epochs or epoch % checkpoint_every == 0
            ):
                save_checkpoint(
                    os.fspath(checkpoint),
                    model=model,
                    optimizer=optimizer,
                    scheduler=scheduler,
                    rng=rng,
                    epoch=epoch,
                    history=history,
                    run=run_settings,
                )
            reporter.epoch_end(
                epoch,
                train_loss,
                val_loss,
                lr,
                seconds,
                accuracy=train_accuracy,
                val_accuracy=val_accuracy,
            )
    finally:
        reporter.close()
    return history
