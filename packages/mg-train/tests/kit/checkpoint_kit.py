"""A real checkpoint to edit, and a refused load that must leave everything as it was.

Shared by the checkpoint contract tests: each writes a checkpoint with `save_checkpoint`, changes
one thing in its JSON and asserts the whole message of the refusal.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Optional

import pytest
from mg_nn import MLP
from mg_optim import SGD, StepLR
from mg_train import CheckpointError, History, load_checkpoint, save_checkpoint

RUN: dict[str, object] = {
    "batch_size": 8,
    "shuffle": True,
    "seed": 3,
    "clip_grad_norm": None,
    "clip_grad_value": None,
    "loss": "mse",
}
RNG_PROBLEM = "checkpoint 'rng_state' must be [version, [625 ints], gauss_next or null]"


def objects(seed: int = 0, scheduler_type: type[StepLR] = StepLR) -> tuple[MLP, SGD, StepLR]:
    model = MLP(1, [2, 1], rng=seed)  # 7 parameters: enough to test the "first 5 ..." lists
    optimizer = SGD(model.parameters(), 0.1)
    return model, optimizer, scheduler_type(optimizer, 2)


def history_of(epochs: int, *, accuracy: bool = False) -> History:
    history = History()
    for _ in range(epochs):
        if accuracy:
            history.append(0.5, None, 0.1, 0.0, train_accuracy=0.5)
        else:
            history.append(0.5, None, 0.1, 0.0)
    return history


def saved(
    tmp_path: Path,
    *,
    epoch: int = 0,
    history: Optional[History] = None,
    run: Optional[dict[str, object]] = RUN,
) -> dict[str, object]:
    """A checkpoint written by `save_checkpoint`, read back as a dict to edit."""
    model, optimizer, scheduler = objects()
    path = tmp_path / "saved.json"
    save_checkpoint(
        path,
        model=model,
        optimizer=optimizer,
        scheduler=scheduler,
        rng=random.Random(0),
        epoch=epoch,
        history=history_of(epoch) if history is None else history,
        run=run,
    )
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def refusal(
    path: Path,
    *,
    with_scheduler: bool = True,
    max_epoch: Optional[int] = None,
    run: Optional[dict[str, object]] = None,
    records_accuracy: Optional[bool] = None,
    error: type[ValueError] = CheckpointError,
    scheduler_type: type[StepLR] = StepLR,
) -> str:
    """The message of the refused load; asserts nothing it was given has changed."""
    model, optimizer, scheduler = objects(seed=5, scheduler_type=scheduler_type)
    rng = random.Random(42)
    before = (model.state_dict(), optimizer.state_dict(), scheduler.state_dict(), rng.getstate())
    with pytest.raises(error) as info:
        load_checkpoint(
            path,
            model=model,
            optimizer=optimizer,
            scheduler=scheduler if with_scheduler else None,
            rng=rng,
            max_epoch=max_epoch,
            run=run,
            records_accuracy=records_accuracy,
        )
    assert type(info.value) is error
    after = (model.state_dict(), optimizer.state_dict(), scheduler.state_dict(), rng.getstate())
    assert after == before
    return str(info.value)


def edited_refusal(tmp_path: Path, key: str, value: object) -> str:
    data = saved(tmp_path)
    data[key] = value
    return refusal(write(tmp_path, data))
