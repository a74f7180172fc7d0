"""`LRScheduler`: the base of every epoch-based learning-rate schedule.

A scheduler rewrites ``group["lr"]`` of each of its optimizer's param groups once per
``step()``. Construction performs step 0 (so some schedules, like `LinearLR`, change the learning
rate at once), and records each group's starting rate as ``group["initial_lr"]`` - the first
scheduler on an optimizer sets it, later ones reuse it - which is ``base_lrs``.

Most schedules here are *chainable*: the new rate is computed from the current ``group["lr"]``
(StepLR: ``lr * gamma`` at a boundary), not from a closed form in the epoch. That is how PyTorch
computes them, so trajectories match it to the last bits, and it lets two schedulers act on one
optimizer. Each schedule also has `closed_form_lrs()`, the same schedule as a function of
``last_epoch``; `SequentialLR` uses it when it hands over to a new scheduler, as PyTorch does.

State dicts hold the counters and rates, plus the schedule's hyperparameters (``config``): a
state dict loads only into a scheduler built with the same hyperparameters, so a mismatched
checkpoint fails loudly instead of silently resuming a different schedule. Load the optimizer's
state too: chainable schedules continue from ``group["lr"]``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from .._checks import check_real, is_real, show, to_float
from ..optimizer import JSON, Optimizer, StateDict

__all__ = ["LRScheduler"]


class LRScheduler:
    """Base class: subclasses implement `_chained_lrs` (and `closed_form_lrs` where one exists)."""

    optimizer: Optimizer
    base_lrs: list[float]
    last_epoch: int
    _last_lr: list[float]

    def __init__(self, optimizer: Optimizer) -> None:
        self.optimizer = _check_optimizer(optimizer)
        self.base_lrs = [
            group["initial_lr"] if "initial_lr" in group else group["lr"]
            for group in optimizer.param_groups
        ]
        self.last_epoch = -1
        self._last_lr = []
        self.step()
        for group, base_lr in zip(optimizer.param_groups, self.base_lrs):
            if "initial_lr" not in group:
                group["initial_lr"] = base_lr

    def step(self) -> None:
        """Advance one epoch (call after ``optimizer.step()``) and set each group's lr."""
        self._move_to(self.last_epoch + 1, self._chained_lrs)

    def get_last_lr(self) -> list[float]:
        """The learning rate of each param group after the last `step()`."""
        return list(self._last_lr)

    def closed_form_lrs(self) -> list[float]:
        """The rates at ``last_epoch`` computed directly from ``base_lrs`` (see each subclass)."""
        return self._chained_lrs()

    def _chained_lrs(self) -> list[float]:
        """The rates for ``last_epoch``, given the current ``group["lr"]`` values."""
        raise NotImplementedError

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def _move_to(self, epoch: int, rates: Callable[[], list[float]]) -> None:
        """Set ``last_epoch`` to ``epoch`` and write ``rates()``: all of it or, if computing or
        checking any rate fails, nothing (``last_epoch`` and every group's lr stay as they were).
        """
        previous = self.last_epoch
        self.last_epoch = epoch
        try:
            lrs = self._checked_lrs(rates())
        except BaseException:
            self.last_epoch = previous
            raise
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = self._current_lrs()

    def _checked_lrs(self, lrs: list[float]) -> list[float]:
        """Every new rate must be a finite number (ValueError naming the group otherwise).

        A negative rate is clamped to 0.0: the built-in schedules multiply a non-negative rate
        by non-negative factors, so the exact result is >= 0 and a negative one is rounding (the
        chained LinearLR down to ``end_factor=0`` lands at about -4e-17). A user's `LambdaLR`
        factor is not trusted that way: it rejects a negative factor itself, before this runs.
        """
        checked = []
        for i, lr in enumerate(lrs):
            if not is_real(lr):
                raise TypeError(
                    f"{type(self).__name__} at epoch {self.last_epoch}: the new learning rate of "
                    f"param group {i} must be a number, got {type(lr).__name__}: {lr!r}"
                )
            number = to_float(lr)
            if not math.isfinite(number):
                raise ValueError(
                    f"{type(self).__name__} at epoch {self.last_epoch}: the new learning rate of "
                    f"param group {i} is {show(lr)}; no learning rate was changed"
                )
            checked.append(max(number, 0.0))
        return checked

    def _restart(self) -> None:
        """Jump to epoch 0 using the closed form (how `SequentialLR` starts a later scheduler)."""
        self._move_to(0, self.closed_form_lrs)

    def _config(self) -> dict[str, JSON]:
        """The hyperparameters a state dict must agree on."""
        return {}

    # ---------------------------------------------------------------- state dicts

    def state_dict(self) -> StateDict:
        return {
            "scheduler": type(self).__name__,
            "config": self._config(),
            "last_epoch": self.last_epoch,
            "base_lrs": list(self.base_lrs),
            "last_lr": list(self._last_lr),
        }

    def load_state_dict(self, state_dict: Mapping[str, object]) -> None:
        """Restore counters and rates; validated in full before anything changes."""
        fields = self._parse_state(state_dict)
        self.last_epoch = _check_epoch(fields["last_epoch"])
        self.base_lrs = self._lr_list(fields["base_lrs"], "base_lrs")
        self._last_lr = self._lr_list(fields["last_lr"], "last_lr")

    def _parse_state(self, state_dict: Mapping[str, object]) -> dict[str, object]:
        """Check keys, class name, config, counters and rate lists; return the fields."""
        fields = _parse_header(state_dict, type(self).__name__, self._config(), extra=())
        _check_epoch(fields["last_epoch"])
        self._lr_list(fields["base_lrs"], "base_lrs")
        self._lr_list(fields["last_lr"], "last_lr")
        return fields

    def _lr_list(self, value: object, name: str) -> list[float]:
        groups = len(self.optimizer.param_groups)
        if not isinstance(value, list) or len(value) != groups:
            raise ValueError(
                f"state dict {name!r} must be a list of {groups} learning rate(s), got {value!r}"
            )
        return [
            check_real(lr, f"{name}[{i}]", f"{name}[{i}]", lambda x: x >= 0.0)
            for i, lr in enumerate(value)
        ]

    def __repr__(self) -> str:
        config = ", ".join(f"{key}={value!r}" for key, value in self._config().items())
        return f"{type(self).__name__}({config})"


def _check_optimizer(optimizer: object) -> Optimizer:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"expected an mg_optim Optimizer, got {type(optimizer).__name__}: {optimizer!r}"
        )
    return optimizer


def _check_epoch(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"state dict 'last_epoch' must be an int >= 0, got {value!r}")
    return value


def _parse_header(
    state_dict: Mapping[str, object], name: str, config: Mapping[str, JSON], extra: tuple[str, ...]
) -> dict[str, object]:
    """Shared by every scheduler's `load_state_dict`: the keys, the class and the config."""
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"state_dict must be a mapping, got {type(state_dict).__name__}")
    expected = {"scheduler", "config", "last_epoch", "base_lrs", "last_lr", *extra}
    if set(state_dict) != expected:
        raise ValueError(
            f"scheduler state dict must have keys {sorted(expected)}, got {sorted(state_dict)}"
        )
    if state_dict["scheduler"] != name:
        raise ValueError(f"state dict is for scheduler {state_dict['scheduler']!r}, not {name!r}")
    loaded = state_dict["config"]
    if not isinstance(loaded, Mapping):
        raise TypeError(f"state dict 'config' must be a mapping, got {type(loaded).__name__}")
    for key in sorted(set(config) | set(loaded)):
        if loaded.get(key) != config.get(key) or type(loaded.get(key)) is not type(config.get(key)):
            raise ValueError(
                f"state dict was saved with {key}={loaded.get(key)!r}, this {name} has "
                f"{key}={config.get(key)!r}: build the scheduler with the saved settings"
            )
    return dict(state_dict)
