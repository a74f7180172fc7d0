"""The bad-input catalogue: one table of wrong inputs across the four packages, one test.

Every entry is something a user can plausibly get wrong - a wrong type, a wrong length, a value
outside an operation's domain, an invalid hyperparameter, an empty parameter list, a malformed
state dict or config, an unknown command-line option. Each must fail *early* with the exact
documented exception type (so never a bare AssertionError, a KeyError from deep inside, or a
silently wrong result) and a message that names the offending value, so the user can find it.
Command-line entries go through ``mg_train.cli.main``: argparse exits with status 2 and explains
on stderr, which is then the message the fragment is looked for in.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import random
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from mg_autograd import Value, dot, make_node
from mg_autograd import sum as value_sum
from mg_nn import MLP, Parameter, binary_cross_entropy_with_logits, cross_entropy, mse_loss
from mg_optim import (
    SGD,
    Adam,
    Momentum,
    ReduceLROnPlateau,
    StepLR,
    clip_grad_norm,
    grad_norm,
)
from mg_train import (
    CheckpointError,
    ConfigError,
    Dataset,
    EarlyStopping,
    History,
    fit,
    load_checkpoint,
    load_config,
    make_sine_regression,
    parse_config,
    train_val_split,
)
from mg_train.cli import main as cli_main


class Case(NamedTuple):
    id: str
    call: Callable[[], object]
    expected: type[BaseException]
    fragment: str


# ---- small builders, so each table row stays one readable line ------------------------------
def _params() -> list[Parameter]:
    return [Parameter(0.5), Parameter(-0.25)]


def _model() -> MLP:
    return MLP(2, [3, 1], rng=0)


def _data() -> Dataset:
    return make_sine_regression(8, noise=0.0, seed=0)


def _fit(**overrides: object) -> object:
    """`fit` on a tiny valid setup with one argument replaced by a bad one."""
    model = _model()
    options: dict[str, object] = {"epochs": 1, "batch_size": 4, "verbose": False}
    options.update(overrides)
    loss = options.pop("loss", "mse")
    return fit(model, loss, SGD(model.parameters(), 0.1), _data(), **options)  # type: ignore[arg-type]  # bad values on purpose


def _config(**changes: object) -> dict[str, object]:
    """A minimal valid config with some top-level keys replaced."""
    config: dict[str, object] = {
        "lr": 0.01,
        "epochs": 2,
        "batch_size": 4,
        "optimizers": [{"type": "sgd"}],
    }
    config.update(changes)
    return config


def _load_config_text(text: str) -> object:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.json"
        path.write_text(text, encoding="utf-8")
        return load_config(path)


def _adam_state_with(state: dict[str, float]) -> object:
    params = _params()
    optimizer = Adam(params, lr=0.1)
    saved = optimizer.state_dict()
    saved["state"] = [dict(state), {}]
    optimizer.load_state_dict(saved)
    return optimizer.state


def _load_model_state(change: Callable[[dict[str, object]], object]) -> object:
    model = _model()
    state: dict[str, object] = dict(model.state_dict())
    change(state)
    model.load_state_dict(state)  # type: ignore[arg-type]  # a malformed dict on purpose
    return model


def _scheduler_from_other_config() -> object:
    params = _params()
    other = StepLR(SGD(params, 0.1), step_size=3)
    mine = StepLR(SGD(_params(), 0.1), step_size=2)
    mine.load_state_dict(other.state_dict())
    return mine


def _missing_checkpoint() -> object:
    model = _model()
    optimizer = SGD(model.parameters(), 0.1)
    with tempfile.TemporaryDirectory() as folder:
        return load_checkpoint(
            Path(folder) / "missing.json",
            model=model,
            optimizer=optimizer,
            scheduler=None,
            rng=random.Random(0),
        )


def _cli(*argv: str) -> object:
    return cli_main(list(argv), stdout=io.StringIO(), stderr=io.StringIO())


def _cli_compare(config: dict[str, object]) -> object:
    """``mg-train compare`` on ``config``: its status becomes a SystemExit, as argparse's does,
    its stderr goes to sys.stderr, and an output directory left behind is itself a failure."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.json"
        path.write_text(json.dumps(config), encoding="utf-8")
        out = Path(folder) / "out"
        code = cli_main(
            ["compare", "--config", str(path), "--out", str(out), "--quiet", "--no-plot"],
            stdout=io.StringIO(),
            stderr=sys.stderr,
        )
        assert not out.exists(), "a rejected config created the output directory"
    raise SystemExit(code)


def _history_with_train_loss(value: object) -> object:
    return History.from_dict(
        {
            "train_loss": [value],
            "val_loss": [None],
            "lr": [0.1],
            "epoch_time": [0.0],
            "stopped_early": False,
        }
    )


def _fit_with_foreign_scheduler() -> object:
    model = _model()
    foreign = SGD(_params(), 0.1)
    return fit(
        model,
        "mse",
        SGD(model.parameters(), 0.1),
        _data(),
        epochs=1,
        batch_size=4,
        scheduler=StepLR(foreign, 1),
        verbose=False,
    )


_DAMPENING_2 = [{"type": "momentum", "dampening": 2.0}]
_NESTEROV_0 = [{"type": "momentum", "momentum": 0.0, "nesterov": True}]


CASES = [
    # ---- mg-autograd: types, lengths and the domain of each operation ----------------------
    Case("autograd-value-from-str", lambda: Value("1.5"), TypeError, "'1.5'"),  # type: ignore[arg-type]
    Case("autograd-value-from-bool", lambda: Value(True), TypeError, "bool: True"),
    Case("autograd-label-not-str", lambda: Value(1.0, label=7), TypeError, "int: 7"),  # type: ignore[arg-type]
    Case("autograd-log-of-negative", lambda: Value(-2.0).log(), ValueError, "got -2.0"),
    Case("autograd-divide-by-zero", lambda: Value(1.5) / 0, ZeroDivisionError, "1.5 / 0"),
    Case("autograd-zero-to-negative-power", lambda: Value(0.0) ** -1, ValueError, "0.0 ** -1.0"),
    Case(
        "autograd-negative-base-fractional-power",
        lambda: Value(-2.0) ** 0.5,
        ValueError,
        "-2.0 ** 0.5",
    ),
    Case("autograd-exp-overflow", lambda: Value(1000.0).exp(), OverflowError, "exp(1000.0)"),
    Case(
        "autograd-dot-length-mismatch",
        lambda: dot([1.0, 2.0], [Value(1.0)]),
        ValueError,
        "2 weights and 1 inputs",
    ),
    Case(
        "autograd-sum-of-a-string",
        lambda: value_sum([Value(1.0), "x"]),  # type: ignore[list-item]
        TypeError,
        "values[1] must be an int or float, got str: 'x'",
    ),
    Case(
        "autograd-make-node-length-mismatch",
        lambda: make_node(1.0, [Value(1.0), Value(2.0)], [1.0]),
        ValueError,
        "2 parents but 1 local gradients",
    ),
    # ---- mg-nn: construction, calls, losses, state dicts -----------------------------------
    Case(
        "nn-mlp-zero-inputs", lambda: MLP(0, [1]), ValueError, "nin must be a positive int, got 0"
    ),
    Case("nn-mlp-negative-width", lambda: MLP(2, [3, -1]), ValueError, "nouts[1]"),
    Case(
        "nn-mlp-unknown-activation",
        lambda: MLP(2, [1], activation="gelu"),  # type: ignore[arg-type]
        ValueError,
        "'gelu'",
    ),
    Case("nn-mlp-rng-not-a-seed", lambda: MLP(2, [1], rng="7"), TypeError, "str: '7'"),  # type: ignore[arg-type]
    Case(
        "nn-mlp-wrong-input-length",
        lambda: _model()([1.0, 2.0, 3.0]),
        ValueError,
        "expected 2 inputs, got 3",
    ),
    Case(
        "nn-mlp-input-not-a-number",
        lambda: _model()([1.0, "2"]),  # type: ignore[list-item]
        TypeError,
        "inputs[1] must be a number or Value, got str: '2'",
    ),
    Case(
        "nn-mse-length-mismatch",
        lambda: mse_loss([Value(1.0)], [1.0, 2.0]),
        ValueError,
        "1 predictions but 2 targets",
    ),
    Case("nn-mse-empty", lambda: mse_loss([], []), ValueError, "predictions is empty"),
    Case(
        "nn-bce-target-outside-0-1",
        lambda: binary_cross_entropy_with_logits([Value(0.3)], [2.0]),
        ValueError,
        "targets[0] must be a number in [0, 1], got 2.0",
    ),
    Case(
        "nn-cross-entropy-class-out-of-range",
        lambda: cross_entropy([[Value(1.0), Value(2.0)]], [5]),
        ValueError,
        "targets[0] = 5",
    ),
    Case(
        "nn-state-dict-missing-key",
        lambda: _load_model_state(lambda s: s.pop("layers.1.neurons.0.b")),
        ValueError,
        "missing key(s): layers.1.neurons.0.b",
    ),
    Case(
        "nn-state-dict-extra-key",
        lambda: _load_model_state(lambda s: s.update(head=1.0)),
        ValueError,
        "unexpected key(s): head",
    ),
    Case(
        "nn-state-dict-nan",
        lambda: _load_model_state(lambda s: s.update({"layers.0.neurons.2.w.1": math.nan})),
        ValueError,
        "'layers.0.neurons.2.w.1' is not finite: nan",
    ),
    Case(
        # regression: math.isfinite(10**400) raised OverflowError, naming nothing
        "nn-state-dict-huge-int",
        lambda: _load_model_state(lambda s: s.update({"layers.0.neurons.0.b": 10**400})),
        ValueError,
        "'layers.0.neurons.0.b' is too large for a float: an int of 1329 bits",
    ),
    Case(
        "nn-state-dict-string-value",
        lambda: _load_model_state(lambda s: s.update({"layers.0.neurons.0.b": "0.5"})),
        TypeError,
        "'layers.0.neurons.0.b' must be a number, got str: '0.5'",
    ),
    # ---- mg-optim: parameters, hyperparameters, state dicts, schedulers, clipping ----------
    Case("optim-empty-parameter-list", lambda: SGD([], 0.1), ValueError, "empty parameter list"),
    Case("optim-negative-lr", lambda: SGD(_params(), -0.1), ValueError, "learning rate: -0.1"),
    Case("optim-nan-lr", lambda: Adam(_params(), math.nan), ValueError, "learning rate: nan"),
    Case("optim-bool-lr", lambda: SGD(_params(), True), TypeError, "bool: True"),
    Case(
        "optim-set-of-parameters",
        lambda: SGD(set(_params()), 0.1),
        TypeError,
        "got a set",
    ),
    Case(
        "optim-value-not-parameter",
        lambda: SGD([Value(1.0)], 0.1),  # type: ignore[list-item]
        TypeError,
        "params[0] must be an mg_nn.Parameter, got Value",
    ),
    Case(
        "optim-adam-beta2-of-one",
        lambda: Adam(_params(), betas=(0.9, 1.0)),
        ValueError,
        "beta parameter at index 1: 1.0",
    ),
    Case(
        "optim-nesterov-without-momentum",
        lambda: Momentum(_params(), 0.1, momentum=0.0, nesterov=True),
        ValueError,
        "momentum=0.0",
    ),
    Case(
        "optim-unknown-group-option",
        lambda: SGD([{"params": _params(), "decay": 0.1}], 0.1),
        ValueError,
        "unknown option 'decay'",
    ),
    Case(
        "optim-state-dict-of-other-optimizer",
        lambda: Adam(_params()).load_state_dict(SGD(_params(), 0.1).state_dict()),
        ValueError,
        "for optimizer 'SGD', not 'Adam'",
    ),
    Case(
        # regression: a NaN moment used to be accepted and poisoned every later step
        "optim-state-dict-nan-moment",
        lambda: _adam_state_with({"step": 1.0, "exp_avg": math.nan, "exp_avg_sq": 0.0}),
        ValueError,
        "state[0]['exp_avg'] is not finite: nan",
    ),
    Case(
        "optim-steplr-zero-step-size",
        lambda: StepLR(SGD(_params(), 0.1), 0),
        ValueError,
        "step_size must be at least 1, got 0",
    ),
    Case(
        "optim-scheduler-state-from-other-config",
        _scheduler_from_other_config,
        ValueError,
        "step_size=3",
    ),
    Case(
        # regression: ReduceLROnPlateau.step(nan) used to count NaN as a bad epoch silently
        "optim-plateau-nan-metric",
        lambda: ReduceLROnPlateau(SGD(_params(), 0.1)).step(math.nan),
        ValueError,
        "metric must be finite, got nan",
    ),
    Case(
        "optim-clip-negative-max-norm",
        lambda: clip_grad_norm(_params(), -1.0),
        ValueError,
        "max_norm: -1.0",
    ),
    Case("optim-zero-norm-type", lambda: grad_norm(_params(), 0.0), ValueError, "norm_type: 0.0"),
    # ---- mg-train: datasets, fit, callbacks, history, checkpoints --------------------------
    Case(
        "train-dataset-ragged-rows",
        lambda: Dataset(((1.0,), (1.0, 2.0)), ((0.0,), (1.0,))),
        ValueError,
        "inputs[1] has 2 values, expected 1",
    ),
    Case(
        "train-dataset-int-feature",
        lambda: Dataset(((1,),), ((0.0,),)),
        TypeError,
        "inputs[0][0] must be a float, got int: 1",
    ),
    Case(
        "train-split-fraction-one",
        lambda: train_val_split(_data(), 1.0, 0),
        ValueError,
        "got 1.0",
    ),
    Case(
        "train-fit-zero-epochs",
        lambda: _fit(epochs=0),
        ValueError,
        "epochs must be a positive int, got 0",
    ),
    Case("train-fit-unknown-loss", lambda: _fit(loss="l1"), ValueError, "unknown loss 'l1'"),
    Case("train-fit-float-seed", lambda: _fit(seed=1.0), TypeError, "got float: 1.0"),
    Case(
        "train-fit-negative-clip",
        lambda: _fit(clip_grad_norm=-1.0),
        ValueError,
        "clip_grad_norm must be a positive finite number or None, got -1.0",
    ),
    Case("train-fit-verbose-word", lambda: _fit(verbose="loud"), TypeError, "'loud'"),
    Case(
        "train-fit-model-wider-than-data",
        lambda: fit(
            MLP(3, [1]),
            "mse",
            SGD(MLP(3, [1]).parameters(), 0.1),
            _data(),
            epochs=1,
            batch_size=4,
            verbose=False,
        ),
        ValueError,
        "expected 3 inputs, got 2",
    ),
    Case("train-early-stopping-zero-patience", lambda: EarlyStopping(0), ValueError, "got 0"),
    Case(
        "train-history-missing-keys",
        lambda: History.from_dict({"train_loss": [1.0]}),
        ValueError,
        "missing key(s): val_loss, lr, epoch_time, stopped_early",
    ),
    Case(
        # regression: math.isfinite(10**400) raised OverflowError
        "train-history-huge-int",
        lambda: _history_with_train_loss(10**400),
        ValueError,
        "history.train_loss[0] is too large for a float",
    ),
    Case(
        "train-fit-scheduler-of-another-optimizer",
        _fit_with_foreign_scheduler,
        ValueError,
        "scheduler StepLR drives another optimizer than the one passed to fit",
    ),
    Case("train-checkpoint-not-found", _missing_checkpoint, CheckpointError, "missing.json"),
    # ---- mg-train configs: parsed as data, every key checked -------------------------------
    Case("config-not-an-object", lambda: parse_config([1, 2]), ConfigError, "got [1, 2]"),
    Case("config-unknown-key", lambda: parse_config(_config(bogus=1)), ConfigError, "'bogus'"),
    Case(
        "config-missing-optimizers",
        lambda: parse_config({"lr": 0.1, "epochs": 1, "batch_size": 1}),
        ConfigError,
        "'optimizers': missing",
    ),
    Case(
        "config-negative-lr",
        lambda: parse_config(_config(lr=-0.5)),
        ConfigError,
        "'lr': must be > 0, got -0.5",
    ),
    Case(
        "config-float-epochs",
        lambda: parse_config(_config(epochs=1.5)),
        ConfigError,
        "'epochs': must be an integer, got 1.5",
    ),
    Case(
        "config-unknown-optimizer",
        lambda: parse_config(_config(optimizers=[{"type": "adagrad"}])),
        ConfigError,
        "'optimizers[0].type': must be one of sgd, momentum, adam, adamw, got \"adagrad\"",
    ),
    Case(
        "config-option-of-another-optimizer",
        lambda: parse_config(_config(optimizers=[{"type": "adam", "momentum": 0.9}])),
        ConfigError,
        "'optimizers[0].momentum': unknown key",
    ),
    Case(
        "config-beta-out-of-range",
        lambda: parse_config(_config(optimizers=[{"type": "adam", "betas": [0.9, 1.5]}])),
        ConfigError,
        "'optimizers[0].betas[1]': must be < 1.0, got 1.5",
    ),
    Case(
        "config-unknown-nested-key",
        lambda: parse_config(_config(model={"hidden": [4], "dropout": 0.5})),
        ConfigError,
        "'model.dropout': unknown key",
    ),
    Case(
        "config-scheduler-without-step-size",
        lambda: parse_config(_config(scheduler={"type": "step"})),
        ConfigError,
        "'scheduler.step_size': missing",
    ),
    # regression: the next five passed parse_config and crashed in the middle of the run
    Case(
        "config-dampening-above-one",
        lambda: parse_config(_config(optimizers=_DAMPENING_2)),
        ConfigError,
        "'optimizers[0]': mg_optim.Momentum refuses these options: Invalid dampening value: 2.0",
    ),
    Case(
        "config-nesterov-without-momentum",
        lambda: parse_config(_config(optimizers=_NESTEROV_0)),
        ConfigError,
        "'optimizers[0]': mg_optim.Momentum refuses these options: Nesterov momentum requires",
    ),
    Case(
        "config-hinge-on-regression-targets",
        lambda: parse_config(_config(loss="hinge")),
        ConfigError,
        "'loss': 'hinge' needs targets of -1 or +1, but dataset 'sine_regression' has target",
    ),
    Case(
        "config-cross-entropy-on-regression-targets",
        lambda: parse_config(_config(loss="cross_entropy")),
        ConfigError,
        "'loss': 'cross_entropy' needs class indices 0, 1, 2, ..., but dataset 'sine_regression'",
    ),
    Case(
        "config-bce-on-regression-targets",
        lambda: parse_config(_config(loss="bce_with_logits")),
        ConfigError,
        "'loss': 'bce_with_logits' needs targets in [0, 1], but dataset 'sine_regression'",
    ),
    Case(
        "config-nan-constant",
        lambda: _load_config_text('{"lr": NaN, "epochs": 1, "batch_size": 1, "optimizers": []}'),
        ConfigError,
        "cannot be read as data: non-finite number NaN",
    ),
    Case(
        "config-not-json", lambda: _load_config_text("lr = 0.1\n"), ConfigError, "is not valid JSON"
    ),
    # ---- the mg-train command line: argparse exits with status 2 and names the problem -----
    Case(
        "cli-unknown-option",
        lambda: _cli("compare", "--config", "c.json", "--out", "o", "--fast"),
        SystemExit,
        "unrecognized arguments: --fast",
    ),
    Case("cli-unknown-command", lambda: _cli("train"), SystemExit, "invalid choice: 'train'"),
    Case(
        "cli-config-dampening-above-one",
        lambda: _cli_compare(_config(optimizers=_DAMPENING_2)),
        SystemExit,
        "mg-train: error: config key 'optimizers[0]': mg_optim.Momentum refuses these options",
    ),
    Case(
        "cli-config-nesterov-without-momentum",
        lambda: _cli_compare(_config(optimizers=_NESTEROV_0)),
        SystemExit,
        "mg-train: error: config key 'optimizers[0]': mg_optim.Momentum refuses these options",
    ),
    Case(
        "cli-config-hinge-on-regression-targets",
        lambda: _cli_compare(_config(loss="hinge")),
        SystemExit,
        "mg-train: error: config key 'loss': 'hinge' needs targets of -1 or +1",
    ),
    Case(
        "cli-config-cross-entropy-on-regression-targets",
        lambda: _cli_compare(_config(loss="cross_entropy")),
        SystemExit,
        "mg-train: error: config key 'loss': 'cross_entropy' needs class indices",
    ),
    Case(
        "cli-compare-without-config",
        lambda: _cli("compare", "--out", "o"),
        SystemExit,
        "the following arguments are required: --config",
    ),
    Case(
        "cli-check-without-reference",
        lambda: _cli("check", "results.json"),
        SystemExit,
        "the following arguments are required: --reference",
    ),
]


def test_catalogue_is_large_and_ids_are_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) >= 30
    assert len(set(ids)) == len(ids)
    assert {i.split("-")[0] for i in ids} >= {"autograd", "nn", "optim", "train", "config", "cli"}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_fails_early_and_names_the_value(case: Case) -> None:
    stderr = io.StringIO()
    caught: BaseException | None = None
    with contextlib.redirect_stderr(stderr):
        try:
            result = case.call()
        except BaseException as error:
            caught = error
    assert caught is not None, f"no error; got {result!r}"
    assert type(caught) is case.expected, f"{type(caught).__name__}: {caught}"
    if isinstance(caught, SystemExit):
        assert caught.code == 2
        message = stderr.getvalue()
    else:
        message = str(caught)
    assert case.fragment in message, message


def test_config_errors_name_the_key_as_json() -> None:
    """The message quotes the offending value as JSON, the syntax the user wrote it in."""
    with pytest.raises(ConfigError) as caught:
        parse_config(_config(batch_size=True))
    assert str(caught.value) == "config key 'batch_size': must be an integer, got true"
    assert json.loads(str(caught.value).rsplit("got ", 1)[1]) is True
