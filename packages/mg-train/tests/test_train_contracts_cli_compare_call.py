"""`compare_optimizers`' own arguments: each reaches the runs, the record of the comparison
(`ComparisonSetup`) and the checkpoint fingerprint, and the defaults are the documented ones
(seed 0, progress shown)."""

from __future__ import annotations

from pathlib import Path

import pytest
from message_kit import exactly
from mg_nn import MLP
from mg_optim import SGD
from mg_train import CheckpointError, Comparison, Dataset, compare_optimizers

TRAIN = Dataset(tuple((x / 4,) for x in range(8)), tuple((x / 2 - 1,) for x in range(8)))
VAL = Dataset(((0.3,), (1.1,)), ((-0.4,), (0.1,)))


def _compare(**overrides: object) -> Comparison:
    arguments: dict[str, object] = {
        "model_factory": lambda: MLP(1, [3, 1], rng=4),
        "optimizers": {"SGD": lambda params: SGD(params, 0.1)},
        "loss": "mse",
        "train": TRAIN,
        "val": VAL,
        "epochs": 2,
        "batch_size": 3,
        "verbose": False,
    }
    arguments.update(overrides)
    return compare_optimizers(**arguments)  # type: ignore[arg-type]  # wrong types are tests


def test_no_optimizer_is_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match=exactly("optimizers must name at least one optimizer")):
        _compare(optimizers={})


def test_names_that_would_share_a_checkpoint_file_are_fine_without_checkpoints() -> None:
    both = {"a b": lambda params: SGD(params, 0.1), "a_b": lambda params: SGD(params, 0.2)}
    assert [run.name for run in _compare(optimizers=both).runs] == ["a b", "a_b"]


def test_the_default_seed_is_0_and_it_decides_the_batches() -> None:
    default = _compare()
    assert default.runs[0].final_state == _compare(seed=0).runs[0].final_state
    assert default.runs[0].final_state != _compare(seed=1).runs[0].final_state
    assert default.setup is not None
    assert default.setup.seed == 0
    assert default.config["seed"] == 0


def test_the_setup_records_the_arguments_of_the_call() -> None:
    setup = _compare(seed=3, epochs=1, batch_size=4).setup
    assert setup is not None
    assert (setup.loss, setup.epochs, setup.batch_size, setup.seed) == ("mse", 1, 4, 3)
    assert (setup.train, setup.val) == (TRAIN, VAL)


def test_by_default_each_epoch_is_reported_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    compare_optimizers(  # no verbose: the default
        lambda: MLP(1, [3, 1], rng=4),
        {"SGD": lambda params: SGD(params, 0.1)},
        "mse",
        TRAIN,
        VAL,
        epochs=1,
        batch_size=3,
    )
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("[SGD] epoch 1/1 - loss: ")


def test_clip_grad_norm_reaches_the_runs() -> None:
    initial = MLP(1, [3, 1], rng=4).state_dict()
    free = _compare().runs[0]
    clipped = _compare(clip_grad_norm=1e-12).runs[0]
    moved = max(abs(free.final_state[k] - initial[k]) for k in initial)
    barely = max(abs(clipped.final_state[k] - initial[k]) for k in initial)
    assert moved > 1e-3
    assert barely < 1e-11  # 6 steps of at most lr * 1e-12 each
    assert 0.0 <= clipped.wall_time < 60.0


def test_a_checkpoint_directory_of_another_clip_limit_is_refused(tmp_path: Path) -> None:
    _compare(clip_grad_norm=0.5, checkpoint_dir=tmp_path)
    with pytest.raises(CheckpointError, match="clip_grad_norm"):
        _compare(clip_grad_norm=0.25, checkpoint_dir=tmp_path)
