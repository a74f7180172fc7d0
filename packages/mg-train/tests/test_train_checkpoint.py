from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple, Optional, Union

import pytest
from mg_autograd import Value
from mg_nn import MLP
from mg_optim import SGD, Adam, StepLR
from mg_train import (
    BatchLoss,
    CheckpointError,
    Dataset,
    History,
    fit,
    load_checkpoint,
    save_checkpoint,
)
from mg_train.losses import mse


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


HUGE = 10**400  # valid JSON, an exact int to `json`, and no float: float(HUGE) overflows


def _in(section: str, change: Callable[[object], None]) -> Callable[[dict[str, object]], None]:
    def edit(data: dict[str, object]) -> None:
        change(data[section])

    return edit


def _huge_weight_int(model: object) -> None:
    assert isinstance(model, dict)
    model[next(iter(model))] = HUGE


def _last_state(key: str, value: object) -> Callable[[object], None]:
    def change(optimizer: object) -> None:
        assert isinstance(optimizer, dict)
        optimizer["state"][-1][key] = value

    return change


def _huge_base_lr(scheduler: object) -> None:
    assert isinstance(scheduler, dict)
    scheduler["base_lrs"] = [HUGE]


def _huge_rng_word(state: object) -> None:
    assert isinstance(state, list)
    state[1][0] = HUGE


def _huge_lr_entry(history: object) -> None:
    assert isinstance(history, dict)
    history["lr"][1] = HUGE


def _extra_run_key(run: object) -> None:
    assert isinstance(run, dict)
    run["lr"] = 0.1


def _digits(n: int) -> Callable[[Path], str]:
    """The checkpoint with its epoch written as an n-digit number (no Python int needed)."""

    def make(path: Path) -> str:
        return path.read_text(encoding="utf-8").replace('"epoch": 2', '"epoch": 1' + "0" * n)

    return make


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
    "inf weight": (
        lambda p: _edit(p, _huge_weight).replace("Infinity", "1e999"),
        "number 1e999 overflows to inf",
    ),
    "rng state": (lambda p: _edit(p, _short_rng), "rng_state"),
    "epoch mismatch": (lambda p: _edit(p, _set("epoch", 5)), "history"),
    "wrong epoch type": (lambda p: _edit(p, _set("epoch", "2")), "epoch"),
    "format version 1": (
        lambda p: _edit(p, _set("format_version", 1)),
        "format_version 1 was written by an older mg-train.*reads version 2",
    ),
    "huge int in model state": (
        lambda p: _edit(p, _in("model", _huge_weight_int)),
        r"checkpoint\.model\.layers\.0\.neurons\.0\.w\.0 is an int too large for a float",
    ),
    "huge int in optimizer state": (
        lambda p: _edit(p, _in("optimizer", _last_state("exp_avg_sq", HUGE))),
        r"checkpoint\.optimizer\.state\[16\]\.exp_avg_sq is an int too large",
    ),
    "huge int in scheduler state": (
        lambda p: _edit(p, _in("scheduler", _huge_base_lr)),
        r"checkpoint\.scheduler\.base_lrs\[0\] is an int too large",
    ),
    "huge int in rng state": (
        lambda p: _edit(p, _in("rng_state", _huge_rng_word)),
        r"checkpoint\.rng_state\[1\]\[0\] is an int too large",
    ),
    "huge int in history": (
        lambda p: _edit(p, _in("history", _huge_lr_entry)),
        r"checkpoint\.history\.lr\[1\] is an int too large",
    ),
    # past CPython's 4300-digit limit json.loads raises a plain ValueError; without the limit
    # (older patch releases, PyPy) the number parses and is caught as too large for a float
    "int of 5000 digits": (_digits(5000), "cannot be read as data|too large for a float"),
    "absurdly nested": (lambda p: "[" * 100_000 + "]" * 100_000, "cannot be read as data"),
    # finite but meaningless: mg-optim's Adam refuses a negative step count, after the model
    # was loaded; the rollback must put the model back
    "adam step -1": (
        lambda p: _edit(p, _in("optimizer", _last_state("step", -1))),
        "does not fit this run",
    ),
    "run settings not an object": (lambda p: _edit(p, _set("run", "fast")), "'run' must be"),
    "run settings with an unknown key": (
        lambda p: _edit(p, _in("run", _extra_run_key)),
        "'run' must have exactly the keys",
    ),
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


class _RefusesOnce(Adam):
    """An Adam whose first `load_state_dict` fails with an error no loader would expect."""

    refuse = True

    def load_state_dict(self, state_dict: Mapping[str, object]) -> None:
        if self.refuse:
            self.refuse = False
            raise OverflowError("simulated: not a ValueError")
        super().load_state_dict(state_dict)


def test_any_error_from_a_part_rolls_back_and_becomes_a_checkpoint_error(
    tmp_path: Path, tiny_split: tuple[Dataset, Dataset]
) -> None:
    """Regression: the rollback caught only ValueError, TypeError, KeyError and IndexError."""
    good = _saved(tmp_path, tiny_split[0])
    model = MLP(2, [4, 1], rng=1)
    optimizer = _RefusesOnce(model.parameters(), lr=0.05)
    scheduler = StepLR(optimizer, 2, gamma=0.5)
    rng = random.Random(42)
    before = (model.state_dict(), optimizer.state_dict(), scheduler.state_dict(), rng.getstate())
    with pytest.raises(CheckpointError, match="does not fit this run: simulated") as caught:
        load_checkpoint(good, model=model, optimizer=optimizer, scheduler=scheduler, rng=rng)
    assert isinstance(caught.value.__cause__, OverflowError)
    after = (model.state_dict(), optimizer.state_dict(), scheduler.state_dict(), rng.getstate())
    assert after == before


class Settings(NamedTuple):
    """What `fit` takes besides the objects it trains: the run's settings."""

    batch_size: int = 8
    shuffle: bool = True
    seed: int = 3
    clip_grad_norm: Optional[float] = None
    clip_grad_value: Optional[float] = None
    loss: Union[str, BatchLoss] = "mse"


def _fit_run(
    objects: tuple[MLP, Adam, StepLR],
    train: Dataset,
    settings: Settings,
    epochs: int,
    *,
    checkpoint: Optional[Path] = None,
    resume_from: Optional[Path] = None,
) -> History:
    model, optimizer, scheduler = objects
    return fit(
        model,
        settings.loss,
        optimizer,
        train,
        epochs=epochs,
        batch_size=settings.batch_size,
        shuffle=settings.shuffle,
        seed=settings.seed,
        clip_grad_norm=settings.clip_grad_norm,
        clip_grad_value=settings.clip_grad_value,
        scheduler=scheduler,
        checkpoint=checkpoint,
        resume_from=resume_from,
        verbose=False,
    )


def _custom_loss(outputs: Sequence[Sequence[Value]], targets: Sequence[Sequence[float]]) -> Value:
    return mse(outputs, targets)


@pytest.mark.parametrize(
    ("changed", "message"),
    [
        (Settings(batch_size=4), "batch_size=8, but this run has batch_size=4"),
        (Settings(shuffle=False), "shuffle=true, but this run has shuffle=false"),
        (Settings(seed=4), "seed=3, but this run has seed=4"),
        (Settings(clip_grad_norm=1.0), "clip_grad_norm=null, but this run has clip_grad_norm=1.0"),
        (Settings(clip_grad_value=0.5), "clip_grad_value=null, but this run has clip_grad_value"),
        (Settings(loss="hinge"), 'loss="mse", but this run has loss="hinge"'),
        (Settings(loss=_custom_loss), 'loss="mse", but this run has loss=null'),
    ],
    ids=["batch_size", "shuffle", "seed", "clip_grad_norm", "clip_grad_value", "loss", "custom"],
)
def test_resuming_with_other_settings_is_refused_before_anything_changes(
    changed: Settings, message: str, tmp_path: Path, tiny_split: tuple[Dataset, Dataset]
) -> None:
    """Regression: a resume with another batch size silently trained a different run."""
    train = tiny_split[0]
    path = tmp_path / "run.json"
    _fit_run(_setup(), train, Settings(), 2, checkpoint=path)
    objects = _setup(model_seed=1)
    model, optimizer, scheduler = objects
    before = (model.state_dict(), optimizer.state_dict(), scheduler.state_dict())
    with pytest.raises(CheckpointError, match=message):
        _fit_run(objects, train, changed, 4, resume_from=path)
    assert (model.state_dict(), optimizer.state_dict(), scheduler.state_dict()) == before


def test_the_same_settings_resume_and_a_loss_function_counts_as_its_name(
    tmp_path: Path, tiny_split: tuple[Dataset, Dataset]
) -> None:
    train = tiny_split[0]
    path = tmp_path / "run.json"
    _fit_run(_setup(), train, Settings(), 2, checkpoint=path)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["format_version"] == 2
    assert saved["run"] == Settings()._asdict()
    history = _fit_run(_setup(model_seed=1), train, Settings(loss=mse), 3, resume_from=path)
    assert history.epochs == 3


def test_a_checkpoint_without_run_settings_loads_but_fit_will_not_resume_it(
    tmp_path: Path, tiny_split: tuple[Dataset, Dataset]
) -> None:
    model, optimizer, scheduler = _setup()
    path = tmp_path / "bare.json"
    save_checkpoint(
        path,
        model=model,
        optimizer=optimizer,
        scheduler=scheduler,
        rng=random.Random(3),
        epoch=0,
        history=History(),
    )
    assert json.loads(path.read_text(encoding="utf-8"))["run"] is None
    load_checkpoint(
        path, model=model, optimizer=optimizer, scheduler=scheduler, rng=random.Random(0)
    )
    with pytest.raises(CheckpointError, match="records no run settings"):
        _fit_run(_setup(), tiny_split[0], Settings(), 2, resume_from=path)


@pytest.mark.parametrize(
    ("run", "message"),
    [
        ({**Settings(loss="mse")._asdict(), "extra": 1}, "exactly the keys"),
        ({**Settings(loss="mse")._asdict(), "batch_size": 0}, "batch_size must be a positive int"),
        ({**Settings(loss="mse")._asdict(), "clip_grad_norm": -1.0}, "clip_grad_norm must be"),
    ],
)
def test_save_refuses_malformed_run_settings(
    run: dict[str, object], message: str, tmp_path: Path
) -> None:
    model, optimizer, scheduler = _setup()
    with pytest.raises(ValueError, match=message):
        save_checkpoint(
            tmp_path / "c.json",
            model=model,
            optimizer=optimizer,
            scheduler=scheduler,
            rng=random.Random(0),
            epoch=0,
            history=History(),
            run=run,
        )
    assert not (tmp_path / "c.json").exists()


def test_a_huge_int_seed_is_not_a_number_to_check(tmp_path: Path) -> None:
    """Any int seeds random.Random; only ints used as floats must fit a float."""
    model, optimizer, scheduler = _setup()
    path = tmp_path / "c.json"
    run = Settings(seed=HUGE)._asdict()
    save_checkpoint(
        path,
        model=model,
        optimizer=optimizer,
        scheduler=scheduler,
        rng=random.Random(0),
        epoch=0,
        history=History(),
        run=run,
    )
    loaded = load_checkpoint(
        path, model=model, optimizer=optimizer, scheduler=scheduler, rng=random.Random(0), run=run
    )
    assert loaded.epoch == 0
