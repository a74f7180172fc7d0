"""Faults lose nothing: bad checkpoints, killed runs, crashed writes and diverging losses.

* A checkpoint or state dict that cannot be loaded fails with an error naming the problem and
  leaves model, optimizer and scheduler exactly as they were (compared as JSON text and as the
  parameters' ``.data``/``.grad`` floats).
* ``mg-train compare --checkpoint-dir`` SIGKILLed at an arbitrary point (a real subprocess,
  killed by this one in different optimizers and epochs) and run again writes a results.json
  whose deterministic sections are bit-identical to a run that never stopped.
* A crash between writing a temporary file and renaming it leaves the previous file intact, and
  the next successful write leaves no temporary file behind.
* A non-finite loss stops training with an error naming epoch and batch (and, under
  ``detect_anomaly``, the operation), keeps the last good checkpoint byte for byte, and never
  puts a NaN into an artifact.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Optional

import pytest
from mg_autograd import Value, detect_anomaly, is_grad_enabled
from mg_nn import MLP
from mg_optim import SGD, Adam, Optimizer, ReduceLROnPlateau, StepLR
from mg_train import (
    CheckpointError,
    Comparison,
    Dataset,
    History,
    NonFiniteLossError,
    Run,
    compare_optimizers,
    diff_results,
    fit,
    load_checkpoint,
    load_results,
    make_sine_regression,
    save_checkpoint,
    train_val_split,
    write_artifacts,
)
from mg_train.cli import main as cli_main
from mg_train.losses import mse

# ---- a small training setup and a full snapshot of its mutable state -------------------------


def _data() -> tuple[Dataset, Dataset]:
    return train_val_split(make_sine_regression(24, noise=0.05, seed=0), 0.25, 1)


class Setup:
    """Model, Adam optimizer, StepLR scheduler and shuffling generator of one run."""

    def __init__(self, hidden: int = 3, model_seed: int = 2) -> None:
        self.model = MLP(2, [hidden, 1], rng=model_seed)
        self.optimizer: Optimizer = Adam(self.model.parameters(), lr=0.02)
        self.scheduler = StepLR(self.optimizer, 2, gamma=0.5)
        self.rng = random.Random(99)

    def train(self, epochs: int, checkpoint: Optional[Path] = None) -> History:
        train, val = _data()
        return fit(
            self.model,
            "mse",
            self.optimizer,
            train,
            val,
            epochs=epochs,
            batch_size=6,
            seed=3,
            scheduler=self.scheduler,
            checkpoint=checkpoint,
            verbose=False,
        )

    def snapshot(self) -> str:
        """Everything a load could change, as exact text (floats by repr, grads included)."""
        params = [[p.data, p.grad] for p in self.model.parameters()]
        return json.dumps(
            {
                "model": self.model.state_dict(),
                "params": params,
                "optimizer": self.optimizer.state_dict(),
                "scheduler": self.scheduler.state_dict(),
                "lr": [group["lr"] for group in self.optimizer.param_groups],
                "rng": list(self.rng.getstate()),
            },
            sort_keys=True,
        )

    def load(self, path: Path) -> object:
        return load_checkpoint(
            path,
            model=self.model,
            optimizer=self.optimizer,
            scheduler=self.scheduler,
            rng=self.rng,
        )


def _touched_setup() -> Setup:
    """A setup whose every part is non-trivial: trained, with gradients and moments set."""
    setup = Setup(model_seed=5)
    setup.train(1)
    for index, param in enumerate(setup.model.parameters()):
        param.grad = 0.125 * (index + 1)
    setup.rng.random()
    return setup


@pytest.fixture(scope="module")
def good_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    path = tmp_path_factory.mktemp("good") / "run.json"
    Setup().train(3, checkpoint=path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _other_checkpoint(tmp: Path, make: Callable[[], Setup]) -> dict[str, object]:
    path = tmp / "other.json"
    make().train(1, checkpoint=path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _sgd_setup() -> Setup:
    setup = Setup()
    setup.optimizer = SGD(setup.model.parameters(), 0.02)
    setup.scheduler = StepLR(setup.optimizer, 2, gamma=0.5)
    return setup


def _other_schedule_setup() -> Setup:
    setup = Setup()
    setup.scheduler = StepLR(setup.optimizer, 3, gamma=0.5)
    return setup


def _set(data: dict[str, object], key: str, value: object) -> str:
    changed = dict(data)
    changed[key] = value
    return json.dumps(changed)


def _nested(data: dict[str, object], section: str, key: str, value: object) -> str:
    inner = data[section]
    assert isinstance(inner, dict)
    return _set(data, section, {**inner, key: value})


def _first_weight_nan(data: dict[str, object]) -> str:
    return _nested(data, "model", "layers.0.neurons.0.w.0", math.nan)


def _moment_infinite(data: dict[str, object]) -> str:
    optimizer = data["optimizer"]
    assert isinstance(optimizer, dict)
    state = [dict(s) for s in optimizer["state"]]
    state[-1]["exp_avg_sq"] = math.inf
    return _set(data, "optimizer", {**optimizer, "state": state})


def _short_rng(data: dict[str, object]) -> str:
    state = data["rng_state"]
    assert isinstance(state, list)
    return _set(data, "rng_state", [state[0], state[1][:10], state[2]])


HUGE = 10**400
"""Valid JSON (json.dumps writes its 401 digits), an exact int to `json`, but no float."""


def _last_param_state(data: dict[str, object], key: str, value: object) -> str:
    optimizer = data["optimizer"]
    assert isinstance(optimizer, dict)
    state = [dict(s) for s in optimizer["state"]]
    state[-1][key] = value
    return _set(data, "optimizer", {**optimizer, "state": state})


def _huge_scheduler_rate(data: dict[str, object]) -> str:
    scheduler = data["scheduler"]
    assert isinstance(scheduler, dict)
    return _set(data, "scheduler", {**scheduler, "last_lr": [HUGE]})


def _huge_rng_word(data: dict[str, object]) -> str:
    state = data["rng_state"]
    assert isinstance(state, list)
    return _set(data, "rng_state", [state[0], [*state[1][:5], HUGE, *state[1][6:]], state[2]])


def _huge_history_loss(data: dict[str, object]) -> str:
    history = data["history"]
    assert isinstance(history, dict)
    return _set(data, "history", {**history, "train_loss": [HUGE, *history["train_loss"][1:]]})


CORRUPTIONS: list[tuple[str, Callable[[dict[str, object], Path], str], str]] = [
    ("truncated", lambda d, _: json.dumps(d)[: len(json.dumps(d)) // 2], "not valid JSON"),
    ("empty-file", lambda d, _: "", "not valid JSON"),
    ("not-json", lambda d, _: "epoch: 3\n", "not valid JSON"),
    ("json-list", lambda d, _: "[1, 2, 3]", "must be a JSON object, got list"),
    ("wrong-format", lambda d, _: _set(d, "format", "keras"), "format is 'keras'"),
    ("format-version-3", lambda d, _: _set(d, "format_version", 3), "format_version 3"),
    (
        "format-version-1",
        lambda d, _: _set(d, "format_version", 1),
        "format_version 1 was written by an older mg-train that did not record the run's",
    ),
    (
        "missing-key",
        lambda d, _: json.dumps({k: v for k, v in d.items() if k != "rng_state"}),
        "missing key(s): rng_state",
    ),
    ("extra-key", lambda d, _: _set(d, "notes", "hi"), "unexpected key(s): notes"),
    ("nan-weight", lambda d, _: _first_weight_nan(d), "non-finite number NaN"),
    ("infinite-moment", lambda d, _: _moment_infinite(d), "non-finite number Infinity"),
    ("string-weight", lambda d, _: _nested(d, "model", "layers.1.neurons.0.b", "0.1"), "'0.1'"),
    ("negative-epoch", lambda d, _: _set(d, "epoch", -1), "got -1"),
    ("epoch-disagrees-with-history", lambda d, _: _set(d, "epoch", 5), "'epoch' is 5"),
    ("short-rng-state", lambda d, _: _short_rng(d), "'rng_state'"),
    # regression: a huge JSON int passed every check, the model was loaded, then the optimizer
    # raised OverflowError, which the rollback did not catch - the model stayed changed
    (
        "huge-int-weight",
        lambda d, _: _nested(d, "model", "layers.0.neurons.0.w.0", HUGE),
        "checkpoint.model.layers.0.neurons.0.w.0 is an int too large for a float (1329 bits)",
    ),
    (
        "huge-int-moment",
        lambda d, _: _last_param_state(d, "exp_avg", HUGE),
        "checkpoint.optimizer.state[12].exp_avg is an int too large",
    ),
    (
        "huge-int-scheduler-rate",
        lambda d, _: _huge_scheduler_rate(d),
        "checkpoint.scheduler.last_lr[0] is an int too large",
    ),
    (
        "huge-int-rng-word",
        lambda d, _: _huge_rng_word(d),
        "checkpoint.rng_state[1][5] is an int too large",
    ),
    (
        "huge-int-history-loss",
        lambda d, _: _huge_history_loss(d),
        "checkpoint.history.train_loss[0] is an int too large",
    ),
    (
        "huge-int-epoch",
        lambda d, _: _set(d, "epoch", HUGE),
        "checkpoint.epoch is an int too large",
    ),
    (
        "run-settings-not-an-object",
        lambda d, _: _set(d, "run", [1]),
        "checkpoint 'run' must be an object, got list",
    ),
    (
        "run-settings-bad-batch-size",
        lambda d, _: _nested(d, "run", "batch_size", 0),
        "batch_size must be a positive int, got 0",
    ),
    (
        "other-architecture",
        lambda d, tmp: json.dumps(_other_checkpoint(tmp, lambda: Setup(hidden=4))),
        "different architecture: unexpected layers.0.neurons.3.w.0",
    ),
    # the next two pass every check of the file and fail only when applied, after the model
    # (and the optimizer) were already loaded: the rollback must undo those
    (
        "other-optimizer",
        lambda d, tmp: json.dumps(_other_checkpoint(tmp, _sgd_setup)),
        "for optimizer 'SGD', not 'Adam'",
    ),
    (
        "other-schedule",
        lambda d, tmp: json.dumps(_other_checkpoint(tmp, _other_schedule_setup)),
        "step_size=3",
    ),
    # finite but meaningless: mg-optim's load_state_dict refuses a negative step count after
    # the model is already loaded; the rollback must restore it
    (
        "adam-negative-step",
        lambda d, _: _last_param_state(d, "step", -1),
        "checkpoint does not fit this run",
    ),
]


@pytest.mark.parametrize(
    ("corrupt", "fragment"),
    [(c, f) for _, c, f in CORRUPTIONS],
    ids=[name for name, _, _ in CORRUPTIONS],
)
def test_bad_checkpoint_names_the_problem_and_changes_nothing(
    corrupt: Callable[[dict[str, object], Path], str],
    fragment: str,
    good_checkpoint: dict[str, object],
    tmp_path: Path,
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(corrupt(good_checkpoint, tmp_path), encoding="utf-8")
    setup = _touched_setup()
    before = setup.snapshot()
    with pytest.raises(CheckpointError) as caught:
        setup.load(path)
    assert type(caught.value) is CheckpointError
    assert fragment in str(caught.value)
    assert setup.snapshot() == before


def test_the_good_checkpoint_does_load(good_checkpoint: dict[str, object], tmp_path: Path) -> None:
    """The control for the table above: unchanged, the same file loads and changes the setup."""
    path = tmp_path / "good.json"
    path.write_text(json.dumps(good_checkpoint), encoding="utf-8")
    setup = _touched_setup()
    before = setup.snapshot()
    setup.load(path)
    assert setup.snapshot() != before
    assert setup.model.state_dict() == good_checkpoint["model"]


def test_resume_past_the_requested_epochs_changes_nothing(
    good_checkpoint: dict[str, object], tmp_path: Path
) -> None:
    """Regression: fit(resume_from=<3 epochs>, epochs=2) used to load the weights, then raise."""
    path = tmp_path / "run.json"
    path.write_text(json.dumps(good_checkpoint), encoding="utf-8")
    setup = _touched_setup()
    before = setup.snapshot()
    train, val = _data()
    with pytest.raises(CheckpointError, match="3 finished epochs, more than epochs=2"):
        fit(
            setup.model,
            "mse",
            setup.optimizer,
            train,
            val,
            epochs=2,
            batch_size=6,
            seed=3,
            scheduler=setup.scheduler,
            resume_from=path,
            verbose=False,
        )
    params_and_state = json.loads(before)
    assert setup.model.state_dict() == params_and_state["model"]
    assert json.dumps(setup.optimizer.state_dict(), sort_keys=True) == json.dumps(
        params_and_state["optimizer"], sort_keys=True
    )


# ---- state dicts loaded directly: all or nothing ---------------------------------------------


def _bad_last_entry(setup: Setup) -> None:
    state = dict(setup.model.state_dict())
    state[list(state)[-1]] = math.inf
    setup.model.load_state_dict(state)


def _huge_last_entry(setup: Setup) -> None:
    state: dict[str, object] = dict(setup.model.state_dict())
    state[list(state)[-1]] = HUGE
    setup.model.load_state_dict(state)  # type: ignore[arg-type]  # an int no float can hold


def _bad_last_param_state(setup: Setup) -> None:
    saved = setup.optimizer.state_dict()
    states = saved["state"]
    assert isinstance(states, list)
    states[-1] = {"step": 1.0, "exp_avg": 0.0, "exp_avg_sq": math.nan}
    setup.optimizer.load_state_dict(saved)


def _bad_last_group_option(setup: Setup) -> None:
    saved = setup.optimizer.state_dict()
    groups = saved["param_groups"]
    assert isinstance(groups, list)
    assert isinstance(groups[0], dict)
    groups[0]["lr"] = -1.0
    setup.optimizer.load_state_dict(saved)


def _bad_scheduler_rates(setup: Setup) -> None:
    saved = setup.scheduler.state_dict()
    saved["last_epoch"] = 7
    saved["last_lr"] = [math.nan]
    setup.scheduler.load_state_dict(saved)


def _plateau_bad_counter(setup: Setup) -> None:
    plateau = ReduceLROnPlateau(setup.optimizer, patience=1)
    plateau.step(1.0)
    saved = plateau.state_dict()
    saved["num_bad_epochs"] = -2
    before = json.dumps(plateau.state_dict())
    try:
        plateau.load_state_dict(saved)
    finally:
        assert json.dumps(plateau.state_dict()) == before


@pytest.mark.parametrize(
    ("load", "error", "fragment"),
    [
        (_bad_last_entry, ValueError, "is not finite: inf"),
        (_huge_last_entry, ValueError, "'layers.1.neurons.0.b' is too large for a float"),
        (_bad_last_param_state, ValueError, "['exp_avg_sq'] is not finite: nan"),
        (_bad_last_group_option, ValueError, "Invalid learning rate: -1.0"),
        (_bad_scheduler_rates, ValueError, "Invalid last_lr[0]: nan"),
        (_plateau_bad_counter, ValueError, "num_bad_epochs must be at least 0, got -2"),
    ],
    ids=[
        "model-inf",
        "model-huge-int",
        "optimizer-nan-moment",
        "optimizer-negative-lr",
        "scheduler-nan-rate",
        "plateau-negative-counter",
    ],
)
def test_bad_state_dict_changes_nothing(
    load: Callable[[Setup], None], error: type[Exception], fragment: str
) -> None:
    setup = _touched_setup()
    before = setup.snapshot()
    with pytest.raises(error) as caught:
        load(setup)
    assert type(caught.value) is error
    assert fragment in str(caught.value)
    assert setup.snapshot() == before


# ---- SIGKILL mid-run, then resume: bit-identical to an unbroken run ---------------------------

KILL_EPOCHS = 6
KILL_OPTIMIZERS = ("SGD", "Momentum", "Adam")
KILL_CONFIG: dict[str, object] = {
    "dataset": {"name": "sine_regression", "n_samples": 300, "noise": 0.05, "seed": 0},
    "model": {"hidden": [16, 16], "seed": 2},
    "lr": 0.05,
    "epochs": KILL_EPOCHS,
    "batch_size": 10,
    "shuffle_seed": 3,
    "scheduler": {"type": "step", "step_size": 2, "gamma": 0.5},
    "optimizers": [{"type": "sgd"}, {"type": "momentum", "nesterov": True}, {"type": "adam"}],
}
"""About 25 ms an epoch: long enough for the parent to kill between two checkpoints."""
KILL_SEEDS = (0, 2, 3)
"""Seeds whose kill points fall in each of the three optimizers (checked below)."""


def _kill_point(seed: int) -> tuple[int, int, float]:
    """(optimizer index, epoch) whose checkpoint triggers the kill, and a delay in seconds
    (under an epoch) before it, drawn from ``seed``.

    The last two epochs of the last optimizer are left out: after the trigger the child must
    still have work to do when the SIGKILL arrives, or it could finish first.
    """
    points = [
        (index, epoch)
        for index in range(len(KILL_OPTIMIZERS))
        for epoch in range(1, KILL_EPOCHS + 1)
        if index < len(KILL_OPTIMIZERS) - 1 or epoch <= KILL_EPOCHS - 2
    ]
    rng = random.Random(seed)
    index, epoch = rng.choice(points)
    return index, epoch, rng.uniform(0.0, 0.015)


def test_kill_points_land_in_several_optimizers_and_epochs() -> None:
    points = [_kill_point(seed) for seed in KILL_SEEDS]
    assert len({index for index, _, _ in points}) == len(KILL_OPTIMIZERS)
    assert len({epoch for _, epoch, _ in points}) >= 2


def _checkpointed(path: Path) -> tuple[int, list[float]]:
    """Finished epochs and their recorded times in a run checkpoint (0 before the first).

    Files are replaced atomically, so a read sees a whole old or a whole new one.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return 0, []
    return data["epoch"], data["history"]["epoch_time"]


@pytest.fixture(scope="module")
def kill_config(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """The config file, and the results.json of a run that was never interrupted."""
    folder = tmp_path_factory.mktemp("unbroken")
    config = folder / "config.json"
    config.write_text(json.dumps(KILL_CONFIG), encoding="utf-8")
    argv = ["compare", "--config", str(config), "--out", str(folder / "out"), "--quiet"]
    assert cli_main([*argv, "--no-plot"], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    return config, load_results(folder / "out" / "results.json")


@pytest.mark.parametrize("seed", KILL_SEEDS)
def test_sigkilled_compare_resumes_to_bit_identical_results(
    seed: int, kill_config: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    """The real command, SIGKILLed by this process once a drawn (optimizer, epoch) has been
    checkpointed and a drawn delay has passed - so wherever the child is by then: training,
    validating or halfway through writing a file - then run again to the end."""
    config, unbroken = kill_config
    checkpoints, out = tmp_path / "ck", tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "mg_train.cli",
        "compare",
        "--config",
        str(config),
        "--out",
        str(out),
        "--checkpoint-dir",
        str(checkpoints),
        "--quiet",
        "--no-plot",
    ]
    index, epoch, delay = _kill_point(seed)
    trigger = checkpoints / f"{KILL_OPTIMIZERS[index]}.json"
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60.0
        while _checkpointed(trigger)[0] < epoch:
            assert child.poll() is None, "the run ended before the kill"
            assert time.monotonic() < deadline, "the trigger checkpoint never appeared"
            time.sleep(0.001)
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        _, stderr = child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL, stderr
    assert not out.exists()  # killed before training ended
    done = {name: _checkpointed(checkpoints / f"{name}.json") for name in KILL_OPTIMIZERS}
    assert done[KILL_OPTIMIZERS[index]][0] >= epoch

    resumed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert resumed.returncode == 0, resumed.stderr
    results = load_results(out / "results.json")
    assert diff_results(results, unbroken) == []
    timings = results["timings"]
    assert isinstance(timings, dict)
    for run, name in zip(timings["runs"], KILL_OPTIMIZERS):
        finished, times = done[name]  # epochs done before the kill were not trained again:
        assert run["epoch_seconds"][:finished] == times  # their times come from the checkpoint
    assert not list(checkpoints.glob(".*"))
    assert not list(out.glob(".*"))
    assert sorted(p.name for p in checkpoints.iterdir()) == sorted(
        [*(f"{name}.json" for name in KILL_OPTIMIZERS), "comparison.manifest.json"]
    )


# ---- a crash between writing the temporary file and renaming it ------------------------------


def _tiny_comparison(epochs: int) -> Comparison:
    train, val = _data()
    return compare_optimizers(
        lambda: MLP(2, [3, 1], rng=2),
        {"SGD": lambda ps: SGD(ps, 0.05)},
        "mse",
        train,
        val,
        epochs=epochs,
        batch_size=6,
        seed=3,
        verbose=False,
    )


def test_failed_rename_keeps_the_previous_artifacts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    write_artifacts(_tiny_comparison(1), out, plot=False)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(before) == {"results.json", "table.md", "history.csv"}

    def crash(src: object, dst: object) -> None:
        raise OSError(f"simulated crash before renaming {src} to {dst}")

    monkeypatch.setattr("mg_train._atomic.os.replace", crash)
    with pytest.raises(OSError, match="simulated crash"):
        write_artifacts(_tiny_comparison(2), out, plot=False)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before

    write_artifacts(_tiny_comparison(2), out, plot=False)
    assert sorted(p.name for p in out.iterdir()) == sorted(before)
    assert json.loads((out / "results.json").read_text(encoding="utf-8"))["config"]["epochs"] == 2


def _run_script(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


_KILL_BEFORE_RENAME = textwrap.dedent(
    """
    import os, random, signal, sys
    from mg_nn import MLP
    from mg_optim import SGD
    from mg_train import History, save_checkpoint

    path = sys.argv[1]
    model = MLP(2, [3, 1], rng=0)
    optimizer = SGD(model.parameters(), 0.1)
    history = History()
    history.append(1.0, 2.0, 0.1, 0.5)

    def save(epoch):
        save_checkpoint(path, model=model, optimizer=optimizer, scheduler=None,
                        rng=random.Random(epoch), epoch=epoch, history=history)

    save(1)
    for param in model.parameters():
        param.data = param.data + 1.0
    history.append(0.5, 1.5, 0.1, 0.5)
    os.replace = lambda src, dst: os.kill(os.getpid(), signal.SIGKILL)  # dies mid-write
    save(2)
    """
)


def test_sigkill_between_write_and_rename_keeps_the_checkpoint(tmp_path: Path) -> None:
    script = tmp_path / "kill.py"
    script.write_text(_KILL_BEFORE_RENAME, encoding="utf-8")
    path = tmp_path / "run.json"
    killed = _run_script(script, str(path))
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    leftover = tmp_path / ".run.json.tmp"
    assert leftover.exists()  # the crash left its temporary file ...
    assert json.loads(leftover.read_text(encoding="utf-8"))["epoch"] == 2

    model = MLP(2, [3, 1], rng=0)
    optimizer = SGD(model.parameters(), 0.1)
    rng = random.Random(0)
    loaded = load_checkpoint(path, model=model, optimizer=optimizer, scheduler=None, rng=rng)
    assert loaded.epoch == 1  # ... and the previous checkpoint is whole
    assert model.state_dict() == MLP(2, [3, 1], rng=0).state_dict()

    save_checkpoint(
        path,
        model=model,
        optimizer=optimizer,
        scheduler=None,
        rng=rng,
        epoch=1,
        history=loaded.history,
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kill.py", "run.json"]


# ---- a non-finite loss ---------------------------------------------------------------------


class PoisonedLoss:
    """MSE, except that training batch ``batch`` of epoch ``epoch`` is multiplied by NaN.

    It also records, when epoch ``epoch`` begins, the checkpoint file's bytes and the weights:
    by then the last good epoch's checkpoint has been written.
    """

    def __init__(self, epoch: int, batch: int, batches_per_epoch: int, checkpoint: Path) -> None:
        self.poisoned_call = (epoch - 1) * batches_per_epoch + batch
        self.first_call_of_epoch = (epoch - 1) * batches_per_epoch + 1
        self.checkpoint = checkpoint
        self.calls = 0
        self.checkpoint_bytes = b""
        self.weights: dict[str, float] = {}
        self.model: Optional[MLP] = None

    def __call__(
        self, outputs: Sequence[Sequence[Value]], targets: Sequence[Sequence[float]]
    ) -> Value:
        loss = mse(outputs, targets)
        if not is_grad_enabled():  # validation
            return loss
        self.calls += 1
        if self.calls == self.first_call_of_epoch:
            self.checkpoint_bytes = self.checkpoint.read_bytes()
            assert self.model is not None
            self.weights = self.model.state_dict()
        return loss * math.nan if self.calls == self.poisoned_call else loss


@pytest.mark.parametrize("anomaly", [False, True], ids=["plain", "detect-anomaly"])
def test_nonfinite_loss_stops_and_keeps_the_last_good_checkpoint(
    anomaly: bool, tmp_path: Path
) -> None:
    train, val = _data()  # 18 training rows, batches of 6: three per epoch
    checkpoint = tmp_path / "run.json"
    model = MLP(2, [3, 1], rng=2)
    optimizer: Optimizer = Adam(model.parameters(), lr=0.02)
    loss = PoisonedLoss(epoch=3, batch=2, batches_per_epoch=3, checkpoint=checkpoint)
    loss.model = model

    def run() -> None:
        fit(
            model,
            loss,
            optimizer,
            train,
            val,
            epochs=5,
            batch_size=6,
            seed=3,
            checkpoint=checkpoint,
            verbose=False,
        )

    mode = detect_anomaly() if anomaly else contextlib.nullcontext()
    with mode, pytest.raises(NonFiniteLossError) as caught:
        run()
    error = caught.value
    assert (error.epoch, error.batch) == (3, 2)
    assert "epoch 3, batch 2" in str(error)
    if anomaly:  # the operation that made the NaN, and its operands
        assert "'*' produced non-finite value nan" in str(error)
        assert isinstance(error.__cause__, FloatingPointError)
    else:
        assert "non-finite train loss nan" in str(error)

    assert checkpoint.read_bytes() == loss.checkpoint_bytes
    assert not list(tmp_path.glob(".*.tmp"))
    fresh = MLP(2, [3, 1], rng=7)
    fresh_optimizer = Adam(fresh.parameters(), lr=0.02)
    loaded = load_checkpoint(
        checkpoint, model=fresh, optimizer=fresh_optimizer, scheduler=None, rng=random.Random(0)
    )
    assert loaded.epoch == 2
    assert fresh.state_dict() == loss.weights
    assert all(math.isfinite(v) for v in loaded.history.train_loss)


def test_nan_is_never_written_as_a_result(tmp_path: Path) -> None:
    good = _tiny_comparison(1)
    run = good.runs[0]
    history = History(
        list(run.history.train_loss), [math.nan], list(run.history.lr), list(run.history.epoch_time)
    )
    poisoned = Comparison(
        (Run(run.name, history, run.wall_time, run.final_state),), good.initial_state, good.config
    )
    out = tmp_path / "out"
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        write_artifacts(poisoned, out, plot=False)
    assert not out.exists()


def test_cli_reports_divergence_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = {
        "dataset": {"n_samples": 16},
        "model": {"hidden": [4]},
        "lr": 1e150,
        "epochs": 3,
        "batch_size": 4,
        "optimizers": [{"type": "sgd"}],
    }
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    stderr = io.StringIO()
    code = cli_main(
        ["compare", "--config", str(path), "--out", "out", "--quiet"],
        stdout=io.StringIO(),
        stderr=stderr,
    )
    assert code == 1
    assert "non-finite train loss" in stderr.getvalue()
    assert "epoch " in stderr.getvalue()
    assert "batch " in stderr.getvalue()
    assert sorted(os.listdir(tmp_path)) == ["config.json"]
