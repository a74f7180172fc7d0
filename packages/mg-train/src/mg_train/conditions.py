"""What a comparison was run under, kept for the pictures: every picture states its conditions.

A loss curve or a decision boundary means little without the optimizer, the learning rate, the
batch size, the number of epochs and the seeds that produced it, so `write_artifacts` prints
them on every PNG. `ComparisonSetup` is what `compare_optimizers` records for that (and for
drawing a decision boundary: the data and the model factory); `shared_conditions` and
`lr_text` turn it into the text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Callable, Optional

from .data import Dataset
from .protocols import Model

__all__ = ["ComparisonSetup", "lr_text", "shared_conditions"]


@dataclass(frozen=True)
class ComparisonSetup:
    """The settings every run of a comparison shared, and its data and model factory."""

    loss: Optional[str]
    epochs: int
    batch_size: int
    seed: int
    train: Dataset
    val: Optional[Dataset]
    model_factory: Callable[[], Model]


def lr_text(lrs: Sequence[float]) -> str:
    """``lr 0.01``, or ``lr 0.1 -> 0.001`` (first and last epoch) when a scheduler moved it."""
    if not lrs:
        return "lr ?"
    if all(lr == lrs[0] for lr in lrs):
        return f"lr {lrs[0]:g}"
    return f"lr {lrs[0]:g} -> {lrs[-1]:g} (scheduled)"


def _seeds(config: Mapping[str, object]) -> list[str]:
    """The data, split and model seeds of an `ExperimentConfig.to_dict` config, if present."""
    found = []
    for section, label in (("dataset", "data"), ("split", "split"), ("model", "model")):
        part = config.get(section)
        if isinstance(part, Mapping) and "seed" in part:
            found.append(f"{label} seed {part['seed']}")
    return found


def shared_conditions(
    setup: Optional[ComparisonSetup], config: Mapping[str, object], epochs: int
) -> str:
    """One line of what every run shared: batch size, epochs, seeds, loss, data sizes.

    Without a setup (a `Comparison` built by hand) the epochs come from the histories and the
    rest from ``config`` where it says; what is not known is said to be unrecorded.
    """
    parts: list[str] = []
    if setup is not None:
        parts.append(f"batch size {setup.batch_size}")
        parts.append(f"{setup.epochs} epochs")
        parts.append(f"shuffle seed {setup.seed}")
    else:
        batch = config.get("batch_size")
        parts.append(f"batch size {batch}" if batch is not None else "batch size not recorded")
        parts.append(f"{epochs} epochs")
        seed = config.get("shuffle_seed", config.get("seed"))
        parts.append(f"shuffle seed {seed}" if seed is not None else "seed not recorded")
    parts.extend(_seeds(config))
    loss = setup.loss if setup is not None else config.get("loss")
    if loss is not None:
        parts.append(f"loss {loss}")
    if setup is not None:
        sizes = f"{len(setup.train)} train"
        if setup.val is not None:
            sizes += f" / {len(setup.val)} val samples"
        parts.append(sizes)
    return ", ".join(parts)
