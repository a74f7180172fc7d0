"""A good checkpoint loads over an optimizer state that went NaN (found by mutation triage).

load_checkpoint used to copy the optimizer's current state through
``json.dumps(allow_nan=False)`` to be able to roll it back. After a run diverged the optimizer's
moments are NaN - the very moment a user reloads the last good checkpoint - and the copy raised
json's bare ``ValueError("Out of range float values are not JSON compliant")``.
"""

from __future__ import annotations

import random
from pathlib import Path

from mg_nn import MLP
from mg_optim import Adam
from mg_train import History, load_checkpoint, save_checkpoint


def test_a_good_checkpoint_restores_an_optimizer_whose_state_went_nan(tmp_path: Path) -> None:
    model = MLP(1, [1], rng=0)
    optimizer = Adam(model.parameters(), lr=0.1)
    path = tmp_path / "good.json"
    save_checkpoint(
        path,
        model=model,
        optimizer=optimizer,
        scheduler=None,
        rng=random.Random(0),
        epoch=0,
        history=History(),
    )
    good = (model.state_dict(), optimizer.state_dict())
    for parameter in model.parameters():  # a diverged step: NaN gradients, NaN moments
        parameter.grad = float("nan")
    optimizer.step()
    load_checkpoint(path, model=model, optimizer=optimizer, scheduler=None, rng=random.Random(0))
    assert (model.state_dict(), optimizer.state_dict()) == good
