"""`compare_optimizers`: one setup, several optimizers, nothing else allowed to differ.

Each run starts from the *same initial weights* (the first model's state dict is loaded into
every later one) and sees the *same batch order* (each run's shuffling generator starts from
the same seed), so the only difference between the rows of the table is the optimizer.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Callable, Optional, TextIO, Union

from mg_nn import Parameter
from mg_optim import Optimizer

from .data import Dataset
from .fit import fit
from .history import History
from .losses import BatchLoss
from .progress import VerbosityLike
from .protocols import Model, Scheduler

__all__ = [
    "Comparison",
    "OptimizerFactory",
    "Run",
    "SchedulerFactory",
    "TableRow",
    "compare_optimizers",
]

OptimizerFactory = Callable[[Sequence[Parameter]], Optimizer]
"""Builds an optimizer over the given parameters, e.g. ``lambda ps: Adam(ps, lr=0.01)``."""

SchedulerFactory = Callable[[Optimizer], Scheduler]
"""Builds a scheduler for the given optimizer, e.g. ``lambda opt: StepLR(opt, 20)``."""


@dataclass(frozen=True)
class TableRow:
    """One row of the optimizer table (the card's five columns) plus the run's wall time."""

    optimizer: str
    final_train_loss: float
    final_val_loss: Optional[float]
    best_val_loss: Optional[float]
    best_epoch: Optional[int]
    wall_time: float

    def to_dict(self, *, include_time: bool = True) -> dict[str, object]:
        out: dict[str, object] = {
            "optimizer": self.optimizer,
            "final_train_loss": self.final_train_loss,
            "final_val_loss": self.final_val_loss,
            "best_val_loss": self.best_val_loss,
            "best_epoch": self.best_epoch,
        }
        if include_time:
            out["wall_time"] = self.wall_time
        return out


@dataclass(frozen=True)
class Run:
    """One optimizer's training run."""

    name: str
    history: History
    wall_time: float
    final_state: dict[str, float]

    def row(self) -> TableRow:
        history = self.history
        return TableRow(
            optimizer=self.name,
            final_train_loss=history.train_loss[-1],
            final_val_loss=history.val_loss[-1],
            best_val_loss=history.best_val_loss,
            best_epoch=history.best_epoch,
            wall_time=self.wall_time,
        )


@dataclass(frozen=True)
class Comparison:
    """Every run of a comparison, the shared initial weights and a JSON-safe description."""

    runs: tuple[Run, ...]
    initial_state: dict[str, float]
    config: Mapping[str, object] = field(default_factory=dict)

    def rows(self) -> list[TableRow]:
        return [run.row() for run in self.runs]

    @property
    def wall_time(self) -> float:
        total = 0.0
        for run in self.runs:
            total += run.wall_time
        return total


def compare_optimizers(
    model_factory: Callable[[], Model],
    optimizers: Mapping[str, OptimizerFactory],
    loss: Union[BatchLoss, str],
    train: Dataset,
    val: Dataset,
    *,
    epochs: int,
    batch_size: int,
    seed: int = 0,
    scheduler_factory: Optional[SchedulerFactory] = None,
    clip_grad_norm: Optional[float] = None,
    config: Optional[Mapping[str, object]] = None,
    verbose: VerbosityLike = True,
    stream: Optional[TextIO] = None,
) -> Comparison:
    """Train one model per entry of ``optimizers`` (name -> factory), in order; see module doc.

    ``config`` is stored on the result for `write_artifacts`; when omitted a description of
    the arguments (epochs, batch size, seed, optimizer names, dataset sizes) is used.
    """
    if not optimizers:
        raise ValueError("optimizers must name at least one optimizer")
    initial = model_factory().state_dict()
    runs: list[Run] = []
    for name, make_optimizer in optimizers.items():
        model = model_factory()
        model.load_state_dict(initial)
        optimizer = make_optimizer(model.parameters())
        scheduler = None if scheduler_factory is None else scheduler_factory(optimizer)
        began = time.perf_counter()
        history = fit(
            model,
            loss,
            optimizer,
            train,
            val,
            epochs=epochs,
            batch_size=batch_size,
            seed=seed,
            scheduler=scheduler,
            clip_grad_norm=clip_grad_norm,
            verbose=verbose,
            stream=stream,
            desc=name,
        )
        runs.append(Run(name, history, time.perf_counter() - began, model.state_dict()))
    described: Mapping[str, object] = (
        config
        if config is not None
        else {
            "epochs": epochs,
            "batch_size": batch_size,
            "seed": seed,
            "optimizers": list(optimizers),
            "n_train": len(train),
            "n_val": len(val),
        }
    )
    return Comparison(tuple(runs), initial, described)
