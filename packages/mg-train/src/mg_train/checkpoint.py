"""Checkpoints: everything a run needs to continue bit for bit, as one validated JSON file.

A checkpoint holds the model's parameters, the optimizer's and scheduler's state dicts, the
state of the batch-shuffling generator, the number of finished epochs, the history and the
run's settings. With all of them restored, the next epoch sees the same weights, the same
optimizer moments, the same learning rate and the same batch order as an unbroken run would, so
the rest of the run is the same to the last bit. (``random.Random.getstate()`` is
``(version, 625 ints, gauss_next)``; JSON stores it as nested lists and `random.Random.setstate`
takes it back as tuples.)

The state alone does not pin the run down: the same weights and generator state continue a
*different* run if the batch size, the shuffling, the seed, the clipping or the loss change. So
the ``run`` section (`RUN_KEYS`) records those settings, and a resume whose settings differ is
refused, naming the setting, before anything is applied. Format version 1 had no ``run``
section; such a file cannot be checked and is refused with a message saying so.

Loading is all or nothing. The file is checked completely first - JSON syntax (a truncated
file fails here), the format version, the exact set of keys, that every number is finite and
every int fits a float (``10**400`` is valid JSON but no float), the run settings, that the
parameter names match the model's architecture, that the generator state is well formed - and
only then applied; should the optimizer or scheduler still refuse their part (with any
exception), everything already loaded is rolled back. Any problem raises `CheckpointError`
naming it.
"""

from __future__ import annotations

import copy
import json
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Optional, TypeVar

from mg_optim import Optimizer

from ._atomic import PathLike, atomic_write_text
from ._json import loads_strict
from .history import History
from .protocols import Model, Scheduler

__all__ = [
    "CHECKPOINT_FORMAT",
    "CHECKPOINT_FORMAT_VERSION",
    "RUN_KEYS",
    "CheckpointError",
    "LoadedCheckpoint",
    "load_checkpoint",
    "save_checkpoint",
]

CHECKPOINT_FORMAT = "mg-train-checkpoint"
CHECKPOINT_FORMAT_VERSION = 2
_KEYS = (
    "format",
    "format_version",
    "epoch",
    "run",
    "model",
    "optimizer",
    "scheduler",
    "rng_state",
    "history",
)
RUN_KEYS = ("batch_size", "shuffle", "seed", "clip_grad_norm", "clip_grad_value", "loss")
"""The settings in a checkpoint's ``run`` section; a resume must match every one of them."""
_BIG_INT_ALLOWED = ("checkpoint.run.seed",)
"""Ints that are never used as floats: any int is a valid `random.Random` seed."""


class CheckpointError(ValueError):
    """A checkpoint file that cannot be loaded into this model, optimizer and scheduler."""


@dataclass(frozen=True)
class LoadedCheckpoint:
    """What `load_checkpoint` restored besides the objects it was given."""

    epoch: int
    history: History


_State = TypeVar("_State")


def _detached_copy(state: _State) -> _State:
    """A deep copy of a live state dict, to put back if loading a checkpoint fails.

    Not a JSON round trip: the state being replaced may be the NaN moments of a run that
    diverged, which is exactly when a user reloads the last good checkpoint.
    """
    return copy.deepcopy(state)


def save_checkpoint(
    path: PathLike,
    *,
    model: Model,
    optimizer: Optimizer,
    scheduler: Optional[Scheduler],
    rng: random.Random,
    epoch: int,
    history: History,
    run: Optional[Mapping[str, object]] = None,
) -> None:
    """Write a checkpoint atomically; refuses (ValueError) to store a NaN or infinity.

    ``run`` holds the run's settings, one value per name in `RUN_KEYS` (`fit` passes them);
    without it the checkpoint records none, and a resume that asks for a check refuses it.
    """
    run_section: Optional[dict[str, object]] = None
    if run is not None:
        problem = _run_problem(run)
        if problem is not None:
            raise ValueError(f"run settings {problem}")
        run_section = {key: run[key] for key in RUN_KEYS}
    version, internal, gauss_next = rng.getstate()
    payload = {
        "format": CHECKPOINT_FORMAT,
        "format_version": CHECKPOINT_FORMAT_VERSION,
        "epoch": epoch,
        "run": run_section,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": None if scheduler is None else scheduler.state_dict(),
        "rng_state": [version, list(internal), gauss_next],
        "history": history.to_dict(),
    }
    atomic_write_text(path, json.dumps(payload, allow_nan=False) + "\n")


def _check_numbers(data: object) -> None:
    """Every int convertible to a float, walked without recursion.

    `loads_strict` has refused every non-finite float; but ``json`` reads ``1`` followed by 400
    zeros as an exact int, which ``float()`` - and so every optimizer and model - refuses with
    OverflowError. It is caught here, naming where it is.
    """
    stack: list[tuple[object, str]] = [(data, "checkpoint")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, int) and not isinstance(value, bool):
            if where not in _BIG_INT_ALLOWED:
                try:
                    float(value)
                except OverflowError:
                    raise CheckpointError(
                        f"checkpoint value at {where} is an int too large for a float "
                        f"({value.bit_length()} bits)"
                    ) from None
        elif isinstance(value, dict):
            stack.extend(reversed([(item, f"{where}.{key}") for key, item in value.items()]))
        elif isinstance(value, list):
            stack.extend(reversed([(item, f"{where}[{i}]") for i, item in enumerate(value)]))


def _read(path: PathLike) -> dict[str, object]:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise CheckpointError(f"checkpoint file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CheckpointError(f"cannot read checkpoint {path}: {error}") from None
    try:
        data = loads_strict(text)
    except json.JSONDecodeError as error:
        raise CheckpointError(
            f"checkpoint {path} is not valid JSON (truncated or corrupt?): {error}"
        ) from None
    except ValueError as error:  # NaN, 1e999, an int of > 4300 digits, absurd nesting
        raise CheckpointError(f"checkpoint {path} cannot be read as data: {error}") from None
    if not isinstance(data, dict):
        raise CheckpointError(f"checkpoint must be a JSON object, got {type(data).__name__}")
    return data


def _check_keys(data: Mapping[str, object]) -> None:
    if "format" in data and data["format"] != CHECKPOINT_FORMAT:
        raise CheckpointError(f"not an mg-train checkpoint: format is {data['format']!r}")
    version = data.get("format_version", CHECKPOINT_FORMAT_VERSION)
    if version == 1 and not isinstance(version, bool):
        raise CheckpointError(
            "checkpoint format_version 1 was written by an older mg-train that did not record "
            "the run's settings (batch size, shuffling, seed, clipping, loss), so it cannot be "
            f"checked against this run; this mg-train reads version {CHECKPOINT_FORMAT_VERSION}"
            " - start the run again"
        )
    if version != CHECKPOINT_FORMAT_VERSION or isinstance(version, bool):
        raise CheckpointError(
            f"checkpoint format_version {version!r} is not supported "
            f"(this mg-train reads version {CHECKPOINT_FORMAT_VERSION})"
        )
    missing = [key for key in _KEYS if key not in data]
    if missing:
        raise CheckpointError(f"checkpoint is missing key(s): {', '.join(missing)}")
    extra = [key for key in data if key not in _KEYS]
    if extra:
        raise CheckpointError(f"checkpoint has unexpected key(s): {', '.join(extra)}")


def _positive_or_none(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value) and value > 0
    except OverflowError:
        return False


def _run_problem(run: object) -> Optional[str]:
    """What is wrong with a run-settings mapping, or None if it is well formed."""
    if not isinstance(run, Mapping):
        return f"must be an object, got {type(run).__name__}"
    missing = [key for key in RUN_KEYS if key not in run]
    extra = [str(key) for key in run if key not in RUN_KEYS]
    if missing or extra:
        return f"must have exactly the keys {', '.join(RUN_KEYS)}; got {', '.join(map(str, run))}"
    batch_size, seed = run["batch_size"], run["seed"]
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        return f"batch_size must be a positive int, got {batch_size!r}"
    if not isinstance(run["shuffle"], bool):
        return f"shuffle must be true or false, got {run['shuffle']!r}"
    if isinstance(seed, bool) or not isinstance(seed, int):
        return f"seed must be an int, got {seed!r}"
    for key in ("clip_grad_norm", "clip_grad_value"):
        if not _positive_or_none(run[key]):
            return f"{key} must be a positive finite number or null, got {run[key]!r}"
    if run["loss"] is not None and not isinstance(run["loss"], str):
        return f"loss must be a loss name or null, got {run['loss']!r}"
    return None


def _same(a: object, b: object) -> bool:
    """Equal and of the same type: ``True`` is not ``1`` and ``1`` is not ``1.0`` here."""
    return type(a) is type(b) and a == b


def _check_run(saved: object, run: Optional[Mapping[str, object]]) -> None:
    """The file's run settings are well formed and, when ``run`` is given, equal to it."""
    if saved is not None:
        problem = _run_problem(saved)
        if problem is not None:
            raise CheckpointError(f"checkpoint 'run' {problem}")
    if run is None:
        return
    problem = _run_problem(run)
    if problem is not None:
        raise ValueError(f"run settings {problem}")
    if not isinstance(saved, Mapping):
        raise CheckpointError(
            "checkpoint records no run settings ('run' is null: it was saved without run=), "
            "so it cannot be checked against this run"
        )
    for key in RUN_KEYS:
        if not _same(saved[key], run[key]):
            raise CheckpointError(
                f"checkpoint was saved by a run with {key}={_show(saved[key])}, but this run has "
                f"{key}={_show(run[key])}: resuming would not continue the same run"
            )


def _show(value: object) -> str:
    return json.dumps(value)


def _check_model(state: object, model: Model) -> dict[str, float]:
    if not isinstance(state, dict):
        raise CheckpointError(f"checkpoint 'model' must be an object, got {type(state).__name__}")
    expected = list(model.state_dict())
    missing = [name for name in expected if name not in state]
    extra = [str(name) for name in state if name not in expected]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}")
        if extra:
            parts.append(f"unexpected {', '.join(extra[:5])}{' ...' if len(extra) > 5 else ''}")
        raise CheckpointError(
            "checkpoint 'model' was saved from a different architecture: " + "; ".join(parts)
        )
    out: dict[str, float] = {}
    for name in expected:
        value = state[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise CheckpointError(f"checkpoint 'model.{name}' must be a number, got {value!r}")
        out[name] = float(value)
    return out


def _check_rng_state(state: object) -> tuple[int, tuple[int, ...], Optional[float]]:
    problem = "checkpoint 'rng_state' must be [version, [625 ints], gauss_next or null]"
    if not isinstance(state, list) or len(state) != 3:
        raise CheckpointError(problem)
    version, internal, gauss_next = state
    if isinstance(version, bool) or not isinstance(version, int):
        raise CheckpointError(problem + f"; version is {version!r}")
    if not isinstance(internal, list) or len(internal) != 625:
        raise CheckpointError(problem + "; the internal state has the wrong length")
    for index, word in enumerate(internal):
        if isinstance(word, bool) or not isinstance(word, int):
            raise CheckpointError(problem + f"; internal[{index}] is {word!r}")
    if gauss_next is not None and (
        isinstance(gauss_next, bool) or not isinstance(gauss_next, (int, float))
    ):
        raise CheckpointError(problem + f"; gauss_next is {gauss_next!r}")
    try:
        result = (version, tuple(internal), None if gauss_next is None else float(gauss_next))
        random.Random().setstate(result)
    except (ValueError, TypeError, OverflowError) as error:
        raise CheckpointError(
            f"checkpoint 'rng_state' is not a valid generator state: {error}"
        ) from None
    return result


def load_checkpoint(
    path: PathLike,
    *,
    model: Model,
    optimizer: Optimizer,
    scheduler: Optional[Scheduler],
    rng: random.Random,
    max_epoch: Optional[int] = None,
    run: Optional[Mapping[str, object]] = None,
    records_accuracy: Optional[bool] = None,
) -> LoadedCheckpoint:
    """Restore model, optimizer, scheduler and ``rng`` from ``path``: all of them or none.

    Returns the finished epoch count and the history. On any problem - including more finished
    epochs than ``max_epoch``, the length of the run resuming it, run settings (``run``,
    one value per name in `RUN_KEYS`) that differ from the saved ones, or (when
    ``records_accuracy`` is given) a history with accuracy where the run records none or the
    reverse - raises `CheckpointError` and leaves the four objects exactly as they were.
    """
    data = _read(path)
    _check_keys(data)
    _check_numbers(data)
    _check_run(data["run"], run)
    epoch = data["epoch"]
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        raise CheckpointError(f"checkpoint 'epoch' must be a non-negative int, got {epoch!r}")
    if max_epoch is not None and epoch > max_epoch:
        raise CheckpointError(
            f"checkpoint has {epoch} finished epochs, more than epochs={max_epoch}"
        )
    model_state = _check_model(data["model"], model)
    optimizer_state = data["optimizer"]
    if not isinstance(optimizer_state, dict):
        raise CheckpointError("checkpoint 'optimizer' must be an object")
    scheduler_state = data["scheduler"]
    if scheduler is None and scheduler_state is not None:
        raise CheckpointError("checkpoint has scheduler state but this run has no scheduler")
    if scheduler is not None and not isinstance(scheduler_state, dict):
        raise CheckpointError("checkpoint has no scheduler state but this run has a scheduler")
    rng_state = _check_rng_state(data["rng_state"])
    try:
        history = History.from_dict(_as_dict(data["history"]))
    except ValueError as error:
        raise CheckpointError(f"checkpoint 'history' is invalid: {error}") from None
    if history.epochs != epoch:
        raise CheckpointError(
            f"checkpoint 'history' has {history.epochs} epochs but 'epoch' is {epoch}"
        )
    if records_accuracy is not None and epoch > 0 and history.records_accuracy != records_accuracy:
        raise CheckpointError(
            "checkpoint 'history' records accuracy but this run records none"
            if history.records_accuracy
            else "checkpoint 'history' records no accuracy (it was written by an mg-train that "
            "did not measure it, or by a run whose targets are not class labels) but this "
            "run records accuracy every epoch; start the run again"
        )

    saved_model = model.state_dict()
    saved_optimizer = _detached_copy(optimizer.state_dict())
    saved_scheduler = None if scheduler is None else _detached_copy(scheduler.state_dict())
    try:
        model.load_state_dict(model_state)
        optimizer.load_state_dict(optimizer_state)
        if scheduler is not None and isinstance(scheduler_state, dict):
            scheduler.load_state_dict(scheduler_state)
    except Exception as error:  # whatever a part raises, the parts already loaded go back
        model.load_state_dict(saved_model)
        optimizer.load_state_dict(saved_optimizer)
        if scheduler is not None and saved_scheduler is not None:
            scheduler.load_state_dict(saved_scheduler)
        raise CheckpointError(f"checkpoint does not fit this run: {error}") from error
    rng.setstate(rng_state)
    return LoadedCheckpoint(epoch=epoch, history=history)


def _as_dict(value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        raise CheckpointError(f"expected a JSON object, got {type(value).__name__}")
    return value
