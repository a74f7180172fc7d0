"""`SequentialLR`: run one scheduler, then hand over to the next at each milestone epoch.

``SequentialLR(opt, [LinearLR(opt, ...), CosineAnnealingLR(opt, ...)], milestones=[5])`` warms
up for 5 epochs, then anneals. At a milestone the next scheduler starts at its own epoch 0,
computed from its closed form (its `closed_form_lrs`), and then chains on from there; a
scheduler's epochs count from its own start. This follows PyTorch step for step, including its
construction: building the sub-schedulers has already run their step 0, so the rate is reset to
``initial_lr`` and the first scheduler's step 0 runs again.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence

from .._checks import check_int
from ..optimizer import JSON, Optimizer, StateDict
from .base import LRScheduler, _check_epoch, _check_optimizer, _parse_header

__all__ = ["SequentialLR"]


class SequentialLR(LRScheduler):
    """``SequentialLR(opt, [first, second], milestones=[10])``: ``first`` for epochs 0-9."""

    def __init__(
        self, optimizer: Optimizer, schedulers: Sequence[LRScheduler], milestones: Sequence[int]
    ) -> None:
        self.optimizer: Optimizer = _check_optimizer(optimizer)
        if not isinstance(schedulers, Sequence) or not schedulers:
            raise ValueError(
                f"schedulers must be a non-empty list of LRSchedulers, got {schedulers!r}"
            )
        for i, scheduler in enumerate(schedulers):
            if not isinstance(scheduler, LRScheduler) or isinstance(scheduler, SequentialLR):
                raise TypeError(
                    f"schedulers[{i}] must be an LRScheduler other than SequentialLR "
                    f"(ReduceLROnPlateau needs a metric and cannot be sequenced), got {scheduler!r}"
                )
            if scheduler.optimizer is not optimizer:
                raise ValueError(
                    f"schedulers[{i}] ({scheduler!r}) belongs to a different optimizer"
                )
            if any(other is scheduler for other in schedulers[:i]):
                raise ValueError(f"schedulers[{i}] ({scheduler!r}) appears more than once")
        if not isinstance(milestones, Sequence):
            raise TypeError(f"milestones must be a list of ints, got {milestones!r}")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                f"SequentialLR needs one milestone fewer than schedulers: got {len(schedulers)} "
                f"scheduler(s) and milestones {list(milestones)!r}"
            )
        checked = [check_int(m, f"milestones[{i}]", 1) for i, m in enumerate(milestones)]
        if any(a >= b for a, b in zip(checked, checked[1:])):
            raise ValueError(f"milestones must be strictly increasing, got {checked!r}")
        self.schedulers: list[LRScheduler] = list(schedulers)
        self.milestones = checked
        self.base_lrs: list[float] = list(self.schedulers[0].base_lrs)
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        for scheduler in self.schedulers:
            scheduler.last_epoch -= 1
        self.schedulers[0].step()
        self.last_epoch: int = 0
        self._last_lr = self.schedulers[0].get_last_lr()

    def step(self) -> None:
        """Advance one epoch; if the active scheduler fails, nothing changes (as for its own)."""
        epoch = self.last_epoch + 1
        index = bisect_right(self.milestones, epoch)
        scheduler = self.schedulers[index]
        if index > 0 and self.milestones[index - 1] == epoch:
            scheduler._restart()
        else:
            scheduler.step()
        self.last_epoch = epoch
        self._last_lr = scheduler.get_last_lr()

    def _config(self) -> dict[str, JSON]:
        return {
            "milestones": list(self.milestones),
            "schedulers": [type(s).__name__ for s in self.schedulers],
        }

    def state_dict(self) -> StateDict:
        state = super().state_dict()
        state["schedulers"] = [scheduler.state_dict() for scheduler in self.schedulers]
        return state

    def load_state_dict(self, state_dict: Mapping[str, object]) -> None:
        fields = _parse_header(state_dict, "SequentialLR", self._config(), extra=("schedulers",))
        _check_epoch(fields["last_epoch"])
        self._lr_list(fields["base_lrs"], "base_lrs")
        self._lr_list(fields["last_lr"], "last_lr")
        children = fields["schedulers"]
        if not isinstance(children, list) or len(children) != len(self.schedulers):
            raise ValueError(
                f"state dict 'schedulers' must be a list of {len(self.schedulers)} state dicts"
            )
        for i, (scheduler, child) in enumerate(zip(self.schedulers, children)):
            if not isinstance(child, Mapping):
                raise TypeError(
                    f"state dict 'schedulers'[{i}] must be a mapping, got {type(child).__name__}"
                )
            scheduler._parse_state(child)
        for scheduler, child in zip(self.schedulers, children):
            scheduler.load_state_dict(child)
        self.last_epoch = _check_epoch(fields["last_epoch"])
        self.base_lrs = self._lr_list(fields["base_lrs"], "base_lrs")
        self._last_lr = self._lr_list(fields["last_lr"], "last_lr")
