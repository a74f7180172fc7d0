from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from mg_nn import MLP
from mg_optim import SGD, Adam, StepLR
from mg_train import CheckpointError, Dataset, History, fit, load_checkpoint, save_checkpoint


def _setup(model_seed: int = 7) -> tuple[MLP, Adam, StepLR]:
    model = MLP(2, [4, 1], rng=model_seed)
    optimizer = Adam(model.parameters(), lr=0.05)
    return model, optimizer, StepLR(optimizer, 2, gamma=0.5)


def _bits(history: History) -> list[list[str]]:
    return [
        [v.hex() for v in history.train_loss],
        [v.hex() if v is not None else "-" for v in history.val_loss],
        [v.hex() for v in history.lr],
    ]


def test_resumed_run_is_bit_identical_to_an_unbroken_one(
    tmp_path: Path, tiny_split: tuple[Dataset, Dataset]
) -> None:
    train, val = tiny_split
    model, optimizer, scheduler = _setup()
    full = fit(
        model,
        "mse",
        optimizer,
        train,
        val,
        epochs=6,
        batch_size=8,
        seed=3,
        scheduler=scheduler,
        verbose=False,
    )

    first, opt1, sched1 = _setup()
    path = tmp_path / "run.json"
    fit(
        first,
        "mse",
        opt1,
        train,
        val,
        epochs=3,
        batch_size=8,
        seed=3,
        scheduler=sched1,
        checkpoint=path,
        verbose=False,
    )
    resumed, opt2, sched2 = _setup(model_seed=99)  # different weights: all must come from the file
    history = fit(
        resumed,
        "mse",
        opt2,
        train,
        val,
        epochs=6,
        batch_size=8,
        seed=3,
        scheduler=sched2,
        resume_from=path,
        verbose=False,
    )

    assert _bits(history) == _bits(full)
    assert {k: v.hex() for k, v in resumed.state_dict().items()} == {
        k: v.hex() for k, v in model.state_dict().items()
    }
    assert opt2.state_dict() == optimizer.state_dict()
    assert sched2.state_dict() == scheduler.state_dict()


def _saved(tmp_path: Path, train: Dataset) -> Path:
    model, optimizer, scheduler = _setup()
    path = tmp_path / "good.json"
    fit(
        model,
        "mse",
        optimizer,
        train,
        epochs=2,
        batch_size=8,
        scheduler=scheduler,
        checkpoint=path,
        verbose=False,
    )
    return path


def _edit(path: Path, change: Callable[[dict[str, object]], None]) -> str:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    return json.dumps(data)


def _set(key: str, value: object) -> Callable[[dict[str, object]], None]:
    def change(data: dict[str, object]) -> None:
        data[key] = value

    return change


def _drop(key: str) -> Callable[[dict[str, object]], None]:
    def change(data: dict[str, object]) -> None:
        del data[key]

    return change


def _nan_weight(data: dict[str, object]) -> None:
    model = data["model"]
    assert isinstance(model, dict)
    model[next(iter(model))] = float("nan")


def _huge_weight(data: dict[str, object]) -> None:
    model = data["model"]
    assert isinstance(model, dict)
    model[next(iter(model))] = 1e999


def _short_rng(data: dict[str, object]) -> None:
    state = data["rng_state"]
    assert isinstance(state, list)
    state[1] = state[1][:10]


CORRUPTIONS: dict[str, tuple[Callable[[Path], str], str]] = {
    "truncated": (lambda p: p.read_text(encoding="utf-8")[:200], "not valid JSON"),
    "not json": (lambda p: "hello", "not valid JSON"),
    "a list": (lambda p: "[1, 2]", "JSON object"),
    "missing key": (lambda p: _edit(p, _drop("optimizer")), "missing key.*optimizer"),
    "extra key": (lambda p: _edit(p, _set("notes", "hi")), "unexpected key.*notes"),
    "format version": (lambda p: _edit(p, _set("format_version", 99)), "format_version 99"),
    "nan": (
        lambda p: json.dumps(json.loads(p.read_text(encoding="utf-8"))).replace(
            '"history"', '"x": NaN, "history"'
        ),
        "non-finite number NaN",
    ),
    "nan weight": (lambda p: _edit(p, _nan_weight), "non-finite number NaN"),
    "inf weight": (lambda p: _edit(p, _huge_weight).replace("Infinity", "1e999"), "not finite"),
    "rng state": (lambda p: _edit(p, _short_rng), "rng_state"),
    "epoch mismatch": (lambda p: _edit(p, _set("epoch", 5)), "history"),
    "wrong epoch type": (lambda p: _edit(p, _set("epoch", "2")), "epoch"),
}


@pytest.mark.parametrize("case", sorted(CORRUPTIONS))
def test_bad_checkpoints_raise_and_leave_everything_untouched(
    case: str, tmp_path: Path, tiny_split: tuple[Dataset, Dataset]
) -> None:
    train, _ = tiny_split
    good = _saved(tmp_path, train)
    make_text, message = CORRUPTIONS[case]
    bad = tmp_path / "bad.json"
    bad.write_text(make_text(good), encoding="utf-8")
    _assert_load_fails_cleanly(bad, message, _setup(model_seed=1))


def _assert_load_fails_cleanly(path: Path, message: str, objects: tuple[MLP, Adam, StepLR]) -> None:
    model, optimizer, scheduler = objects
    rng = random.Random(42)
    before = (model.state_dict(), optimizer.state_dict(), scheduler.state_dict(), rng.getstate())
    with pytest.raises(CheckpointError, match=message):
        load_checkpoint(path, model=model, optimizer=optimizer, scheduler=scheduler, rng=rng)
    after = (model.state_dict(), optimizer.state_dict(), scheduler.state_dict(), rng.getstate())
    assert after == before


def test_a_different_architecture_is_named(
    tmp_path: Path, tiny_split: tuple[Dataset, Dataset]
) -> None:
    good = _saved(tmp_path, tiny_split[0])
    model = MLP(2, [5, 1], rng=0)
    optimizer = Adam(model.parameters(), lr=0.05)
    _assert_load_fails_cleanly(
        good, "different architecture", (model, optimizer, StepLR(optimizer, 2))
    )


def test_an_optimizer_that_refuses_its_state_rolls_the_model_back(
    tmp_path: Path, tiny_split: tuple[Dataset, Dataset]
) -> None:
    model = MLP(2, [4, 1], rng=1)
    sgd = SGD(model.parameters(), 0.1)
    path = tmp_path / "sgd.json"
    save_checkpoint(
        path,
        model=MLP(2, [4, 1], rng=8),
        optimizer=sgd,
        scheduler=None,
        rng=random.Random(0),
        epoch=0,
        history=History(),
    )
    adam = Adam(model.parameters(), lr=0.05)
    before = (model.state_dict(), adam.state_dict())
    with pytest.raises(CheckpointError, match="does not fit"):
        load_checkpoint(path, model=model, optimizer=adam, scheduler=None, rng=random.Random(0))
    assert (model.state_dict(), adam.state_dict()) == before


def test_scheduler_presence_must_match(tmp_path: Path, tiny_split: tuple[Dataset, Dataset]) -> None:
    good = _saved(tmp_path, tiny_split[0])
    model, optimizer, _ = _setup()
    with pytest.raises(CheckpointError, match="no scheduler"):
        load_checkpoint(
            good, model=model, optimizer=optimizer, scheduler=None, rng=random.Random(0)
        )


def test_missing_file_is_a_checkpoint_error(tmp_path: Path) -> None:
    model, optimizer, scheduler = _setup()
    with pytest.raises(CheckpointError, match="not found"):
        load_checkpoint(
            tmp_path / "nope.json",
            model=model,
            optimizer=optimizer,
            scheduler=scheduler,
            rng=random.Random(0),
        )


def test_rng_state_round_trips_through_json(tmp_path: Path) -> None:
    model, optimizer, scheduler = _setup()
    rng = random.Random(5)
    rng.gauss(0.0, 1.0)  # leaves a cached gauss_next in the state
    path = tmp_path / "c.json"
    save_checkpoint(
        path,
        model=model,
        optimizer=optimizer,
        scheduler=scheduler,
        rng=rng,
        epoch=0,
        history=History(),
    )
    restored = random.Random(0)
    load_checkpoint(path, model=model, optimizer=optimizer, scheduler=scheduler, rng=restored)
    assert restored.getstate() == rng.getstate()
    assert [restored.random() for _ in range(3)] == [rng.random() for _ in range(3)]
