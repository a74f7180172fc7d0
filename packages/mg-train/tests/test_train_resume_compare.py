"""An interrupted comparison, resumed from its checkpoint directory, equals an unbroken one.

The reference is always the same comparison run once without checkpoints; "equal" means
`diff_results` finds no difference outside the environment and timings sections (floats
compared by their exact bits) and every run's final weights are the same floats. Each
interruption is an exception raised from inside `fit` - right after the n-th checkpoint was
written, or in the middle of the n-th epoch - for every n the comparison has, so the break
lands in every optimizer and every epoch. The resumed call must also *resume*: it trains only
the epochs that were not checkpointed (counted by wrapping the epoch function).
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import pytest
from mg_nn import MLP
from mg_optim import SGD, Adam
from mg_train import (
    CheckpointError,
    Comparison,
    ExperimentConfig,
    compare_optimizers,
    diff_results,
    make_sine_regression,
    parse_config,
    results_document,
    run_experiment,
    train_val_split,
)
from mg_train.compare import MANIFEST_NAME, checkpoint_file_names

EPOCHS = 3
OPTIMIZERS = 3
fit_module = importlib.import_module("mg_train.fit")
"""The module (``mg_train.fit`` as an attribute is the function, which shadows it)."""


class Interrupted(Exception):
    """Stands in for a crash: nothing in mg-train catches it."""


def _config(config_factory: Callable[[], dict[str, object]], **changes: object) -> ExperimentConfig:
    base = config_factory()
    base["scheduler"] = {"type": "step", "step_size": 1, "gamma": 0.5}
    base["optimizers"] = [
        {"type": "sgd"},
        {"type": "momentum", "nesterov": True},
        {"type": "adam", "amsgrad": True},
    ]
    base.update(changes)
    return parse_config(base)


def _same(result: Comparison, reference: Comparison) -> None:
    assert diff_results(results_document(result), results_document(reference)) == []
    assert [run.final_state for run in result.runs] == [run.final_state for run in reference.runs]
    assert result.initial_state == reference.initial_state


class Wrapped(Protocol):
    def __call__(self, *args: object, **kwargs: object) -> object: ...


class Counter:
    """Wraps a function of `mg_train.fit`, counting calls; raises `Interrupted` at call ``stop``
    (before the call when ``before`` is set, after it otherwise)."""

    def __init__(self, function: Wrapped, stop: int = 0, before: bool = False) -> None:
        self.function = function
        self.stop = stop
        self.before = before
        self.calls = 0

    def __call__(self, *args: object, **kwargs: object) -> object:
        self.calls += 1
        if self.calls == self.stop and self.before:
            raise Interrupted(f"interrupted before call {self.calls}")
        result = self.function(*args, **kwargs)
        if self.calls == self.stop:
            raise Interrupted(f"interrupted after call {self.calls}")
        return result


@pytest.fixture
def unbroken(config_factory: Callable[[], dict[str, object]]) -> Comparison:
    config = _config(config_factory)
    assert (config.epochs, len(config.optimizers)) == (EPOCHS, OPTIMIZERS)
    return run_experiment(config, verbose=False)


@pytest.fixture
def count_epochs(monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    counter = Counter(fit_module._train_epoch)
    monkeypatch.setattr(fit_module, "_train_epoch", counter)
    return lambda: counter.calls


@pytest.mark.parametrize("n", range(1, EPOCHS * OPTIMIZERS + 1))
@pytest.mark.parametrize("where", ["after-checkpoint", "mid-epoch"])
def test_interrupted_comparison_resumes_bit_identical(
    n: int,
    where: str,
    unbroken: Comparison,
    config_factory: Callable[[], dict[str, object]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    config = _config(config_factory)
    directory = tmp_path / "checkpoints"
    if where == "after-checkpoint":
        breaker = Counter(fit_module.save_checkpoint, stop=n)
        monkeypatch.setattr(fit_module, "save_checkpoint", breaker)
        saved_epochs = n
    else:
        breaker = Counter(fit_module._train_epoch, stop=n, before=True)
        monkeypatch.setattr(fit_module, "_train_epoch", breaker)
        saved_epochs = n - 1
    with pytest.raises(Interrupted):
        run_experiment(config, checkpoint_dir=directory, verbose=False)
    monkeypatch.undo()

    counter = Counter(fit_module._train_epoch)
    monkeypatch.setattr(fit_module, "_train_epoch", counter)
    resumed = run_experiment(config, checkpoint_dir=directory, verbose=False)
    _same(resumed, unbroken)
    assert counter.calls == EPOCHS * OPTIMIZERS - saved_epochs
    assert sorted(p.name for p in directory.iterdir()) == sorted(
        [MANIFEST_NAME, "Adam.json", "Momentum.json", "SGD.json"]
    )


def test_finished_checkpoints_give_the_results_without_training(
    unbroken: Comparison,
    config_factory: Callable[[], dict[str, object]],
    count_epochs: Callable[[], int],
    tmp_path: Path,
) -> None:
    config = _config(config_factory)
    first = run_experiment(config, checkpoint_dir=tmp_path, verbose=False)
    assert count_epochs() == EPOCHS * OPTIMIZERS
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    again = run_experiment(config, checkpoint_dir=tmp_path, verbose=False)
    assert count_epochs() == EPOCHS * OPTIMIZERS  # nothing trained the second time
    _same(first, unbroken)
    _same(again, unbroken)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == files
    for run, rerun in zip(first.runs, again.runs):  # the times come back from the checkpoints
        assert rerun.history.epoch_time == run.history.epoch_time


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"lr": 0.1}, "fingerprint.config.lr is 0.05 in the checkpoints but 0.1 here"),
        ({"epochs": 4}, "fingerprint.config.epochs is 3 in the checkpoints but 4 here"),
        ({"model": {"hidden": [3], "seed": 5}}, "fingerprint.config.model.seed is 2"),
        ({"optimizers": [{"type": "sgd"}]}, "fingerprint.config.optimizers has 3 entries"),
        ({"shuffle_seed": 4}, "fingerprint.config.shuffle_seed is 3"),
    ],
    ids=["lr", "epochs", "model-seed", "optimizer-list", "shuffle-seed"],
)
def test_checkpoints_of_another_config_are_refused(
    changes: dict[str, object],
    fragment: str,
    config_factory: Callable[[], dict[str, object]],
    tmp_path: Path,
) -> None:
    run_experiment(_config(config_factory), checkpoint_dir=tmp_path, verbose=False)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    other = _config(config_factory, **changes)
    with pytest.raises(CheckpointError) as caught:
        run_experiment(other, checkpoint_dir=tmp_path, verbose=False)
    assert fragment in str(caught.value)
    assert "belongs to a different comparison" in str(caught.value)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def _direct(
    tmp_path: Path, *, lr: float = 0.05, model_seed: int = 7, data_seed: int = 0, n: int = 24
) -> Comparison:
    """compare_optimizers without a config: the fingerprint must still see what differs."""
    train, val = train_val_split(make_sine_regression(n, noise=0.05, seed=data_seed), 0.25, 1)
    return compare_optimizers(
        lambda: MLP(2, [3, 1], rng=model_seed),
        {"SGD": lambda ps: SGD(ps, lr), "Adam": lambda ps: Adam(ps, lr)},
        "mse",
        train,
        val,
        epochs=2,
        batch_size=6,
        seed=3,
        checkpoint_dir=tmp_path,
        verbose=False,
    )


@pytest.mark.parametrize(
    ("other", "fragment"),
    [
        (lambda tmp: _direct(tmp, lr=0.1), "fingerprint.optimizers[0].param_groups[0].lr is 0.05"),
        (lambda tmp: _direct(tmp, model_seed=8), "fingerprint.initial_state_sha256 is"),
        (lambda tmp: _direct(tmp, data_seed=9), "fingerprint.data_sha256 is"),
        (lambda tmp: _direct(tmp, n=28), "fingerprint.config.n_train is 18 in the checkpoints"),
    ],
    ids=["optimizer-lr", "initial-weights", "data-values", "data-size"],
)
def test_direct_comparison_refuses_what_its_config_does_not_describe(
    other: Callable[[Path], Comparison], fragment: str, tmp_path: Path
) -> None:
    """Without a config the description is thin, so the optimizers as built, the initial
    weights and the data are fingerprinted too: an optimizer's checkpoint would otherwise load
    its saved lr over the new one."""
    _direct(tmp_path)
    with pytest.raises(CheckpointError, match="belongs to a different comparison") as caught:
        other(tmp_path)
    assert fragment in str(caught.value)
    _direct(tmp_path)  # the control: the same comparison is accepted


def test_checkpoints_without_a_manifest_are_refused(
    config_factory: Callable[[], dict[str, object]], tmp_path: Path
) -> None:
    run_experiment(_config(config_factory), checkpoint_dir=tmp_path, verbose=False)
    (tmp_path / MANIFEST_NAME).unlink()
    with pytest.raises(CheckpointError, match=f"holds .*SGD.json.* but no {MANIFEST_NAME}"):
        run_experiment(_config(config_factory), checkpoint_dir=tmp_path, verbose=False)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{not json", "cannot read the comparison manifest"),
        ("[]", "is not a comparison manifest"),
        ('{"format": "x", "format_version": 1, "fingerprint": {}}', 'has format "x"'),
        (
            '{"format": "mg-train-comparison-checkpoints", "format_version": 2, "fingerprint": {}}',
            "has format_version 2; this mg-train reads 1",
        ),
        (
            '{"format": "mg-train-comparison-checkpoints", "format_version": 1, '
            '"fingerprint": {"lr": NaN}}',
            "non-finite number NaN",
        ),
    ],
    ids=["not-json", "list", "format", "version", "nan"],
)
def test_a_bad_manifest_is_refused(
    text: str, fragment: str, config_factory: Callable[[], dict[str, object]], tmp_path: Path
) -> None:
    (tmp_path / MANIFEST_NAME).write_text(text, encoding="utf-8")
    with pytest.raises(CheckpointError) as caught:
        run_experiment(_config(config_factory), checkpoint_dir=tmp_path, verbose=False)
    assert fragment in str(caught.value)
    assert [p.name for p in tmp_path.iterdir()] == [MANIFEST_NAME]


def test_a_corrupt_run_checkpoint_is_refused_when_its_run_starts(
    config_factory: Callable[[], dict[str, object]], tmp_path: Path
) -> None:
    run_experiment(_config(config_factory), checkpoint_dir=tmp_path, verbose=False)
    path = tmp_path / "Momentum.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(CheckpointError, match="not valid JSON"):
        run_experiment(_config(config_factory), checkpoint_dir=tmp_path, verbose=False)


def test_checkpoint_file_names() -> None:
    assert checkpoint_file_names(["SGD", "Adam (lr=0.1)", "AdamW-2", "a/b"]) == {
        "SGD": "SGD.json",
        "Adam (lr=0.1)": "Adam__lr_0_1_.json",
        "AdamW-2": "AdamW-2.json",
        "a/b": "a_b.json",
    }
    with pytest.raises(ValueError, match="'Adam W' and 'Adam_W' would share"):
        checkpoint_file_names(["Adam W", "Adam_W"])
    with pytest.raises(ValueError, match="'adam' and 'ADAM' would share"):
        checkpoint_file_names(["adam", "ADAM"])


@pytest.mark.parametrize(("name", "shown"), [("", "''"), (5, "5"), (None, "None")])
def test_a_checkpoint_file_needs_a_non_empty_string_name(name: object, shown: str) -> None:
    message = f"optimizer name must be a non-empty string, got {shown}"
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        checkpoint_file_names(["SGD", name])  # type: ignore[list-item]  # the wrong type is the test


def test_colliding_names_are_refused_before_anything_is_created(
    config_factory: Callable[[], dict[str, object]], tmp_path: Path
) -> None:
    config = _config(
        config_factory, optimizers=[{"type": "sgd", "name": "a.b"}, {"type": "adam", "name": "a b"}]
    )
    with pytest.raises(ValueError, match=r"would share the checkpoint file 'a_b\.json'"):
        run_experiment(config, checkpoint_dir=tmp_path / "ck", verbose=False)
    assert not (tmp_path / "ck").exists()


def test_manifest_is_json_naming_the_config(
    config_factory: Callable[[], dict[str, object]], tmp_path: Path
) -> None:
    config = _config(config_factory)
    run_experiment(config, checkpoint_dir=tmp_path, verbose=False)
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["format"] == "mg-train-comparison-checkpoints"
    assert manifest["fingerprint"]["config"] == config.to_dict()
    assert [o["file"] for o in manifest["fingerprint"]["optimizers"]] == [
        "SGD.json",
        "Momentum.json",
        "Adam.json",
    ]
