"""Experiment configs: a JSON object that describes one optimizer comparison completely.

A config is data, parsed with `json` and checked key by key before anything runs: an unknown
key, a wrong type or an out-of-range value raises `ConfigError` naming the key (for example
``optimizers[1].lr``). Every key but ``lr``, ``epochs``, ``batch_size`` and ``optimizers`` has a
default; `ExperimentConfig.to_dict` returns the config with every default filled in, which is
what ``results.json`` records. An example::

    {
      "dataset": {"name": "sine_regression", "n_samples": 256, "noise": 0.05, "seed": 0},
      "split": {"val_fraction": 0.25, "seed": 1},
      "model": {"hidden": [16, 16], "activation": "relu", "seed": 2},
      "loss": "mse",
      "lr": 0.01, "epochs": 60, "batch_size": 16, "shuffle_seed": 3,
      "clip_grad_norm": null, "scheduler": null,
      "optimizers": [{"type": "sgd"}, {"type": "momentum", "momentum": 0.9}, {"type": "adam"}]
    }

"Checked" means the config can run to the end, not only that each value has the right type:
`parse_config` builds every optimizer (and the scheduler) once over a throwaway parameter, so
every rule of mg-optim - ``dampening`` at most 1, ``nesterov`` only with a momentum, ... - is
enforced where it is defined and reported as a `ConfigError` naming the optimizer's key; and it
makes the dataset and checks its targets against the loss: ``hinge`` needs -1/+1 labels,
``bce_with_logits`` targets in [0, 1], ``cross_entropy`` class indices 0, 1, 2, ... (the model
then gets one output per class). The ``moons`` labels are 0/1; with ``"loss": "hinge"`` they are
mapped to -1/+1 (y -> 2y - 1), the labelling hinge loss is defined for. The
``sine_regression`` targets are real numbers, so only ``mse`` accepts them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Callable, Optional, TextIO

from mg_nn import ACTIVATIONS, Parameter

from ._atomic import PathLike
from ._config_model import (
    _OPTIMIZER_DEFAULTS,
    _OPTIMIZER_LABELS,
    _SCHEDULER_DEFAULTS,
    DATASETS,
    OPTIMIZER_TYPES,
    SCHEDULER_TYPES,
    DatasetMaker,
    ExperimentConfig,
    OptimizerConfig,
)
from ._config_readers import (
    ConfigError,
    _betas,
    _bool,
    _choice,
    _fail,
    _float,
    _int,
    _object,
    _only,
)
from ._json import loads_strict
from .compare import Comparison, compare_optimizers
from .losses import LOSSES
from .progress import VerbosityLike

__all__ = [
    "DATASETS",
    "DatasetMaker",
    "OPTIMIZER_TYPES",
    "SCHEDULER_TYPES",
    "ConfigError",
    "ExperimentConfig",
    "OptimizerConfig",
    "load_config",
    "parse_config",
    "run_experiment",
]


_TARGET_RULES: Mapping[str, tuple[str, Callable[[float], bool]]] = {
    "hinge": ("targets of -1 or +1", lambda t: t in (-1.0, 1.0)),
    "bce_with_logits": ("targets in [0, 1]", lambda t: 0.0 <= t <= 1.0),
    "cross_entropy": ("class indices 0, 1, 2, ...", lambda t: t >= 0.0 and t == int(t)),
}
"""What each loss needs of every target (mse takes any finite number)."""


def _parse_optimizer(value: object, where: str) -> OptimizerConfig:
    obj = _object(value, where)
    if "type" not in obj:
        raise ConfigError(
            f"config key '{where}.type': missing (one of {', '.join(OPTIMIZER_TYPES)})"
        )
    kind = _choice(obj["type"], f"{where}.type", OPTIMIZER_TYPES)
    defaults = _OPTIMIZER_DEFAULTS[kind]
    _only(obj, ("name", "type", *defaults), where)
    name = obj.get("name", _OPTIMIZER_LABELS[kind])
    if not isinstance(name, str) or not name.strip():
        raise _fail(f"{where}.name", "must be a non-empty string", name)
    options: list[tuple[str, object]] = []
    for option, default in defaults.items():
        raw = obj.get(option, default)
        key = f"{where}.{option}"
        checked: object
        if option in ("nesterov", "amsgrad"):
            checked = _bool(raw, key)
        elif option == "betas":
            checked = list(_betas(raw, key))
        elif option == "eps":
            checked = _float(raw, key, positive=True)
        elif option == "momentum":
            checked = _float(raw, key, lo=0.0, hi=1.0)
        else:
            checked = _float(raw, key, lo=0.0)
        options.append((option, checked))
    return OptimizerConfig(name, kind, tuple(options))


def _parse_scheduler(value: object) -> Optional[tuple[str, tuple[tuple[str, float], ...]]]:
    if value is None:
        return None
    obj = _object(value, "scheduler")
    if "type" not in obj:
        raise ConfigError(
            f"config key 'scheduler.type': missing (one of {', '.join(SCHEDULER_TYPES)})"
        )
    kind = _choice(obj["type"], "scheduler.type", SCHEDULER_TYPES)
    defaults = _SCHEDULER_DEFAULTS[kind]
    _only(obj, ("type", *defaults), "scheduler")
    options: list[tuple[str, float]] = []
    for option, default in defaults.items():
        key = f"scheduler.{option}"
        if option not in obj and default is None:
            raise ConfigError(f"config key {key!r}: missing (required for {kind!r})")
        raw = obj.get(option, default)
        if option in ("step_size", "t_max"):
            options.append((option, _int(raw, key, minimum=1)))
        elif option == "eta_min":
            options.append((option, _float(raw, key, lo=0.0)))
        else:
            options.append((option, _float(raw, key, positive=True)))
    return kind, tuple(options)


_TOP_KEYS = (
    "dataset",
    "split",
    "model",
    "loss",
    "lr",
    "epochs",
    "batch_size",
    "shuffle_seed",
    "clip_grad_norm",
    "scheduler",
    "optimizers",
)


def parse_config(data: object) -> ExperimentConfig:
    """Check a JSON-decoded config completely and return it; `ConfigError` names any problem."""
    top = _object(data, "<config>")
    _only(top, _TOP_KEYS, "")
    for required in ("lr", "epochs", "batch_size", "optimizers"):
        if required not in top:
            raise ConfigError(f"config key {required!r}: missing (required)")

    dataset = _object(top.get("dataset", {}), "dataset")
    _only(dataset, ("name", "n_samples", "noise", "seed"), "dataset")
    name = _choice(dataset.get("name", "sine_regression"), "dataset.name", tuple(DATASETS))
    n_samples = _int(dataset.get("n_samples", 256), "dataset.n_samples", minimum=2)
    noise = _float(dataset.get("noise", 0.05), "dataset.noise", lo=0.0)
    data_seed = _int(dataset.get("seed", 0), "dataset.seed")

    split = _object(top.get("split", {}), "split")
    _only(split, ("val_fraction", "seed"), "split")
    val_fraction = _float(
        split.get("val_fraction", 0.25), "split.val_fraction", positive=True, hi=1.0
    )
    n_val = round(n_samples * val_fraction)
    if n_val < 1 or n_val >= n_samples:
        raise _fail(
            "split.val_fraction",
            f"leaves an empty train or validation set of {n_samples} rows",
            val_fraction,
        )
    split_seed = _int(split.get("seed", 1), "split.seed")

    model = _object(top.get("model", {}), "model")
    _only(model, ("hidden", "activation", "seed"), "model")
    hidden_raw = model.get("hidden", [16, 16])
    if not isinstance(hidden_raw, list):
        raise _fail("model.hidden", "must be a list of positive integers", hidden_raw)
    hidden = tuple(_int(w, f"model.hidden[{i}]", minimum=1) for i, w in enumerate(hidden_raw))
    activation_name = _choice(model.get("activation", "relu"), "model.activation", ACTIVATIONS)
    activation = next(a for a in ACTIVATIONS if a == activation_name)
    model_seed = _int(model.get("seed", 2), "model.seed")

    loss = _choice(top.get("loss", "mse"), "loss", tuple(LOSSES))
    lr = _float(top["lr"], "lr", positive=True)
    epochs = _int(top["epochs"], "epochs", minimum=1)
    batch_size = _int(top["batch_size"], "batch_size", minimum=1)
    shuffle_seed = _int(top.get("shuffle_seed", 3), "shuffle_seed")
    clip_raw = top.get("clip_grad_norm")
    clip = None if clip_raw is None else _float(clip_raw, "clip_grad_norm", positive=True)
    scheduler = _parse_scheduler(top.get("scheduler"))

    optimizers_raw = top["optimizers"]
    if not isinstance(optimizers_raw, list) or not optimizers_raw:
        raise _fail("optimizers", "must be a non-empty list of optimizer objects", optimizers_raw)
    optimizers = tuple(
        _parse_optimizer(o, f"optimizers[{i}]") for i, o in enumerate(optimizers_raw)
    )
    seen: set[str] = set()
    for i, opt in enumerate(optimizers):
        if opt.name in seen:
            raise _fail(f"optimizers[{i}].name", "duplicates an earlier optimizer's name", opt.name)
        seen.add(opt.name)

    config = ExperimentConfig(
        dataset=name,
        n_samples=n_samples,
        noise=noise,
        data_seed=data_seed,
        val_fraction=val_fraction,
        split_seed=split_seed,
        hidden=hidden,
        activation=activation,
        model_seed=model_seed,
        loss=loss,
        lr=lr,
        epochs=epochs,
        batch_size=batch_size,
        shuffle_seed=shuffle_seed,
        clip_grad_norm=clip,
        scheduler=scheduler,
        optimizers=optimizers,
    )
    _check_targets(config)
    _check_optimizers(config)
    return config


def _check_targets(config: ExperimentConfig) -> None:
    """Every target of the dataset is one the loss is defined for."""
    if config.loss not in _TARGET_RULES:
        return
    needs, valid = _TARGET_RULES[config.loss]
    for index, row in enumerate(config._full_dataset().targets):
        for target in row:
            if not valid(target):
                raise ConfigError(
                    f"config key 'loss': {config.loss!r} needs {needs}, but dataset "
                    f"{config.dataset!r} has target {target!r} (row {index}); choose a loss "
                    "that fits the dataset"
                )


def _check_optimizers(config: ExperimentConfig) -> None:
    """Build each optimizer and the scheduler once: mg-optim's own rules decide, named by key."""
    make_scheduler = config.scheduler_factory()
    for index, opt in enumerate(config.optimizers):
        try:
            optimizer = opt.factory(config.lr)([Parameter(0.0)])
        except (ValueError, TypeError) as error:
            raise ConfigError(
                f"config key 'optimizers[{index}]': mg_optim.{_OPTIMIZER_LABELS[opt.type]} "
                f"refuses these options: {error}"
            ) from error
        if make_scheduler is not None:
            try:
                make_scheduler(optimizer)
            except (ValueError, TypeError) as error:
                raise ConfigError(
                    f"config key 'scheduler': mg-optim refuses it (with optimizers[{index}]): "
                    f"{error}"
                ) from error


def load_config(path: PathLike) -> ExperimentConfig:
    """Read and check a JSON config file (`ConfigError` for unreadable, non-JSON or bad ones)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as error:
        raise ConfigError(f"cannot read config file {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not UTF-8 text") from None
    try:
        data = loads_strict(text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"config file {path} is not valid JSON: {error}") from None
    except ValueError as error:  # NaN, 1e999, an int of > 4300 digits, absurd nesting
        raise ConfigError(f"config file {path} cannot be read as data: {error}") from None
    return parse_config(data)


def run_experiment(
    config: ExperimentConfig,
    *,
    checkpoint_dir: Optional[PathLike] = None,
    verbose: VerbosityLike = True,
    stream: Optional[TextIO] = None,
) -> Comparison:
    """Run the comparison a config describes; the result carries ``config.to_dict()``.

    ``checkpoint_dir`` makes it resumable (see `compare_optimizers`); the fingerprint there
    includes ``config.to_dict()``, so a directory written under another config is refused.
    """
    train, val = config.datasets()
    return compare_optimizers(
        config.model_factory(),
        {opt.name: opt.factory(config.lr) for opt in config.optimizers},
        config.loss,
        train,
        val,
        epochs=config.epochs,
        batch_size=config.batch_size,
        seed=config.shuffle_seed,
        scheduler_factory=config.scheduler_factory(),
        clip_grad_norm=config.clip_grad_norm,
        config=config.to_dict(),
        checkpoint_dir=checkpoint_dir,
        verbose=verbose,
        stream=stream,
    )
