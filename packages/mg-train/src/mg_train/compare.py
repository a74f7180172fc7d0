"""`compare_optimizers`: one setup, several optimizers, nothing else allowed to differ.

Each run starts from the *same initial weights* (the first model's state dict is loaded into
every later one) and sees the *same batch order* (each run's shuffling generator starts from
the same seed), so the only difference between the rows of the table is the optimizer.

A comparison can be interrupted and resumed (``checkpoint_dir``). Each optimizer's run is a
`fit` run that checkpoints after every epoch to ``<checkpoint_dir>/<file name>.json`` and, when
that file exists, resumes from it; a finished run's checkpoint gives back its history and final
weights without training. `fit` resumes bit for bit, the initial weights and the data are
rebuilt from their seeds, so everything a comparison returns except wall times is the same as
an unbroken run's. One more thing can go wrong: a directory filled by *another* comparison (a
different learning rate, another optimizer list, other data) whose files would still load. So
the directory holds a manifest (`MANIFEST_NAME`) with the comparison's fingerprint - its config
description, run settings, each optimizer's options and scheduler state as built, and SHA-256
digests of the initial weights and of the data - and a comparison whose fingerprint differs is
refused (`CheckpointError` naming the first differing entry) before anything is loaded.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, TextIO, Union

from mg_nn import Parameter
from mg_optim import Optimizer

from ._atomic import PathLike, atomic_write_text
from ._json import loads_strict
from .checkpoint import CheckpointError
from .conditions import ComparisonSetup
from .data import Dataset
from .fit import _loss_name, fit
from .history import History
from .losses import BatchLoss
from .progress import VerbosityLike
from .protocols import Model, Scheduler
from .table import TableRow

__all__ = [
    "MANIFEST_NAME",
    "Comparison",
    "ComparisonSetup",
    "OptimizerFactory",
    "Run",
    "SchedulerFactory",
    "TableRow",
    "checkpoint_file_names",
    "compare_optimizers",
]

OptimizerFactory = Callable[[Sequence[Parameter]], Optimizer]
"""Builds an optimizer over the given parameters, e.g. ``lambda ps: Adam(ps, lr=0.01)``."""

SchedulerFactory = Callable[[Optimizer], Scheduler]
"""Builds a scheduler for the given optimizer, e.g. ``lambda opt: StepLR(opt, 20)``."""


@dataclass(frozen=True)
class Run:
    """One optimizer's training run."""

    name: str
    history: History
    wall_time: float
    final_state: dict[str, float]

    def row(self) -> TableRow:
        return TableRow.from_history(self.name, self.history, self.wall_time)


@dataclass(frozen=True)
class Comparison:
    """Every run of a comparison, the shared initial weights and a JSON-safe description.

    ``setup`` (filled by `compare_optimizers`) is what the pictures need besides the results:
    the run settings they state, and the data and model factory a decision boundary is drawn
    from.
    """

    runs: tuple[Run, ...]
    initial_state: dict[str, float]
    config: Mapping[str, object] = field(default_factory=dict)
    setup: Optional[ComparisonSetup] = None

    def rows(self) -> list[TableRow]:
        return [run.row() for run in self.runs]

    @property
    def wall_time(self) -> float:
        total = 0.0
        for run in self.runs:
            total += run.wall_time
        return total


MANIFEST_NAME = "comparison.manifest.json"
"""The fingerprint file in a checkpoint directory; no run's file name contains a dot."""
_MANIFEST_FORMAT = "mg-train-comparison-checkpoints"
_MANIFEST_FORMAT_VERSION = 1
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def checkpoint_file_names(names: Sequence[str]) -> dict[str, str]:
    """The checkpoint file of each optimizer name: every character but ``A-Z a-z 0-9 _ -``
    becomes ``_``, then ``.json``. Two names that map to one file - also when only their case
    differs, as they would on a case-insensitive file system - raise ValueError naming both.
    """
    files: dict[str, str] = {}
    owners: dict[str, str] = {}
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValueError(f"optimizer name must be a non-empty string, got {name!r}")
        file_name = _UNSAFE.sub("_", name) + ".json"
        key = file_name.casefold()
        if key in owners:
            raise ValueError(
                f"optimizer names {owners[key]!r} and {name!r} would share the checkpoint file "
                f"{files[owners[key]]!r}; rename one of them"
            )
        owners[key] = name
        files[name] = file_name
    return files


def _canonical(data: object) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _digest(data: object) -> str:
    return hashlib.sha256(_canonical(data).encode("utf-8")).hexdigest()


@dataclass
class _Prepared:
    """One run's objects, built before any of them trains."""

    name: str
    model: Model
    optimizer: Optimizer
    scheduler: Optional[Scheduler]


def _without_positions(groups: object) -> object:
    """A state dict's param groups without their ``params`` index lists (the initial-state
    digest already pins the parameters down; the lists would only bloat the manifest)."""
    if not isinstance(groups, list):
        return groups
    return [
        {k: v for k, v in group.items() if k != "params"} if isinstance(group, dict) else group
        for group in groups
    ]


def _fingerprint(
    prepared: Sequence[_Prepared],
    files: Mapping[str, str],
    initial: Mapping[str, float],
    train: Dataset,
    val: Dataset,
    settings: Mapping[str, object],
) -> dict[str, object]:
    """Everything that decides the comparison's numbers, as JSON (see the module docstring)."""
    optimizers: list[object] = []
    for run in prepared:
        state = run.optimizer.state_dict()
        optimizers.append(
            {
                "name": run.name,
                "file": files[run.name],
                "optimizer": state["optimizer"],
                "param_groups": _without_positions(state["param_groups"]),
                "scheduler": None if run.scheduler is None else run.scheduler.state_dict(),
            }
        )
    fingerprint: dict[str, object] = {
        **settings,
        "optimizers": optimizers,
        "initial_state_sha256": _digest(initial),
        "data_sha256": _digest(
            {"train": [train.inputs, train.targets], "val": [val.inputs, val.targets]}
        ),
    }
    try:
        normalized = json.loads(_canonical(fingerprint))
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"cannot checkpoint this comparison: its config or optimizer state is not "
            f"JSON-safe ({error})"
        ) from None
    if not isinstance(normalized, dict):
        raise TypeError(f"fingerprint must be a JSON object, got {type(normalized).__name__}")
    return normalized


def _first_difference(saved: object, current: object, where: str) -> Optional[str]:
    """The first place two JSON values differ (``1`` is not ``1.0``), or None."""
    if type(saved) is not type(current):
        return f"{where} is {_show(saved)} in the checkpoints but {_show(current)} here"
    if isinstance(saved, dict) and isinstance(current, dict):
        for key in list(saved) + [k for k in current if k not in saved]:
            if key not in current or key not in saved:
                side = "only in the checkpoints" if key in saved else "only in this comparison"
                return f"{where}.{key} is {side}"
            found = _first_difference(saved[key], current[key], f"{where}.{key}")
            if found is not None:
                return found
        return None
    if isinstance(saved, list) and isinstance(current, list):
        if len(saved) != len(current):
            return f"{where} has {len(saved)} entries in the checkpoints but {len(current)} here"
        for index, (a, b) in enumerate(zip(saved, current)):
            found = _first_difference(a, b, f"{where}[{index}]")
            if found is not None:
                return found
        return None
    if saved != current:
        return f"{where} is {_show(saved)} in the checkpoints but {_show(current)} here"
    return None


def _show(value: object) -> str:
    text = json.dumps(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _read_manifest(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
        data = loads_strict(text)
    except (OSError, ValueError) as error:  # UnicodeDecodeError is a ValueError
        raise CheckpointError(f"cannot read the comparison manifest {path}: {error}") from None
    expected = {
        "format": _MANIFEST_FORMAT,
        "format_version": _MANIFEST_FORMAT_VERSION,
    }
    if not isinstance(data, dict) or sorted(data) != ["fingerprint", "format", "format_version"]:
        raise CheckpointError(
            f"{path} is not a comparison manifest (expected an object with the keys "
            "format, format_version and fingerprint)"
        )
    for key, value in expected.items():
        if not _same_json(data[key], value):
            raise CheckpointError(
                f"comparison manifest {path} has {key} {_show(data[key])}; this mg-train "
                f"reads {_show(value)}"
            )
    return data["fingerprint"]


def _same_json(a: object, b: object) -> bool:
    return type(a) is type(b) and a == b


def _open_checkpoint_dir(
    directory: Path, files: Mapping[str, str], fingerprint: Mapping[str, object]
) -> None:
    """Create the directory and its manifest, or check the manifest that is there.

    A directory with run checkpoints but no manifest is refused too: nothing says which
    comparison wrote them.
    """
    if directory.exists() and not directory.is_dir():
        raise ValueError(f"checkpoint_dir {directory} exists and is not a directory")
    manifest = directory / MANIFEST_NAME
    if manifest.exists():
        difference = _first_difference(_read_manifest(manifest), fingerprint, "fingerprint")
        if difference is not None:
            raise CheckpointError(
                f"checkpoint directory {directory} belongs to a different comparison: "
                f"{difference}; resuming would mix two experiments (delete the directory or "
                "choose another one to start afresh)"
            )
        return
    orphans = [name for name in files.values() if (directory / name).exists()]
    if orphans:
        raise CheckpointError(
            f"checkpoint directory {directory} holds {', '.join(orphans)} but no "
            f"{MANIFEST_NAME}, so nothing says which comparison wrote them; delete them or "
            "choose another directory"
        )
    directory.mkdir(parents=True, exist_ok=True)
    document = {
        "format": _MANIFEST_FORMAT,
        "format_version": _MANIFEST_FORMAT_VERSION,
        "fingerprint": fingerprint,
    }
    atomic_write_text(manifest, json.dumps(document, indent=2, allow_nan=False) + "\n")


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
    checkpoint_dir: Optional[PathLike] = None,
    verbose: VerbosityLike = True,
    stream: Optional[TextIO] = None,
) -> Comparison:
    """Train one model per entry of ``optimizers`` (name -> factory), in order; see module doc.

    ``config`` is stored on the result for `write_artifacts`; when omitted a description of
    the arguments (epochs, batch size, seed, optimizer names, dataset sizes) is used.

    With ``checkpoint_dir`` (created if needed) every run checkpoints after every epoch to
    ``checkpoint_dir / checkpoint_file_names(optimizers)[name]`` and resumes from that file when
    it exists, so calling again after an interruption finishes the comparison with the same
    result, bit for bit, as one uninterrupted call (wall times aside: a resumed run's
    ``wall_time`` counts this call only). A directory written by a comparison with another
    fingerprint is refused with `CheckpointError` (see the module docstring) before anything
    trains, and so are names sharing a file (ValueError); a run checkpoint that does not fit
    its run (corrupt, or other run settings) is refused by `fit` when that run starts.
    """
    if not optimizers:
        raise ValueError("optimizers must name at least one optimizer")
    files = checkpoint_file_names(list(optimizers)) if checkpoint_dir is not None else {}
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
    initial = model_factory().state_dict()
    prepared: list[_Prepared] = []
    for name, make_optimizer in optimizers.items():
        model = model_factory()
        model.load_state_dict(initial)
        optimizer = make_optimizer(model.parameters())
        scheduler = None if scheduler_factory is None else scheduler_factory(optimizer)
        prepared.append(_Prepared(name, model, optimizer, scheduler))

    directory: Optional[Path] = None
    if checkpoint_dir is not None:
        directory = Path(checkpoint_dir)
        settings: dict[str, object] = {
            "config": dict(described),
            "epochs": epochs,
            "batch_size": batch_size,
            "seed": seed,
            "clip_grad_norm": clip_grad_norm,
            "loss": _loss_name(loss),
        }
        fingerprint = _fingerprint(prepared, files, initial, train, val, settings)
        _open_checkpoint_dir(directory, files, fingerprint)

    runs: list[Run] = []
    for run in prepared:
        path = None if directory is None else directory / files[run.name]
        began = time.perf_counter()
        history = fit(
            run.model,
            loss,
            run.optimizer,
            train,
            val,
            epochs=epochs,
            batch_size=batch_size,
            seed=seed,
            scheduler=run.scheduler,
            clip_grad_norm=clip_grad_norm,
            checkpoint=path,
            resume_from=path if path is not None and path.exists() else None,
            verbose=verbose,
            stream=stream,
            desc=run.name,
        )
        runs.append(Run(run.name, history, time.perf_counter() - began, run.model.state_dict()))
    setup = ComparisonSetup(
        loss=_loss_name(loss),
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        train=train,
        val=val,
        model_factory=model_factory,
    )
    return Comparison(tuple(runs), initial, described, setup)
