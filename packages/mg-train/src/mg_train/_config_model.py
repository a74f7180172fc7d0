"""The parsed config: `ExperimentConfig`, `OptimizerConfig` and the tables they are built from.

These objects are what a checked config *is* (see `config` for the JSON form and the checks):
`to_dict` writes every default back out, and the factory methods build the data, the model, the
optimizers and the scheduler the config describes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Callable, Optional, Protocol

import mg_optim
from mg_nn import MLP, Activation, Parameter
from mg_optim import Optimizer

from ._config_readers import _betas, _bool, _float
from .compare import OptimizerFactory, SchedulerFactory
from .data import Dataset, make_moons, make_sine_regression, train_val_split
from .protocols import Model, Scheduler

__all__ = [
    "DATASETS",
    "DatasetMaker",
    "OPTIMIZER_TYPES",
    "SCHEDULER_TYPES",
    "ExperimentConfig",
    "OptimizerConfig",
]


class DatasetMaker(Protocol):
    def __call__(self, n_samples: int, *, noise: float, seed: int) -> Dataset: ...


DATASETS: Mapping[str, DatasetMaker] = {
    "sine_regression": make_sine_regression,
    "moons": make_moons,
}
_ZERO_ONE_LABELLED = ("moons",)
"""Datasets whose 0/1 labels become -1/+1 under the hinge loss."""

_TARGET_RULES: Mapping[str, tuple[str, Callable[[float], bool]]] = {
    "hinge": ("targets of -1 or +1", lambda t: t in (-1.0, 1.0)),
    "bce_with_logits": ("targets in [0, 1]", lambda t: 0.0 <= t <= 1.0),
    "cross_entropy": ("class indices 0, 1, 2, ...", lambda t: t >= 0.0 and t == int(t)),
}
"""What each loss needs of every target (mse takes any finite number)."""

_OPTIMIZER_DEFAULTS: Mapping[str, Mapping[str, object]] = {
    "sgd": {"weight_decay": 0.0},
    "momentum": {"momentum": 0.9, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0},
    "adam": {"betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False},
    "adamw": {"betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.01, "amsgrad": False},
}
OPTIMIZER_TYPES = tuple(_OPTIMIZER_DEFAULTS)
_OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "Momentum", "adam": "Adam", "adamw": "AdamW"}

_SCHEDULER_DEFAULTS: Mapping[str, Mapping[str, object]] = {
    "step": {"step_size": None, "gamma": 0.1},
    "exponential": {"gamma": None},
    "cosine": {"t_max": None, "eta_min": 0.0},
}
SCHEDULER_TYPES = tuple(_SCHEDULER_DEFAULTS)


@dataclass(frozen=True)
class OptimizerConfig:
    """One optimizer of the comparison: its table label, type and type-specific options."""

    name: str
    type: str
    options: tuple[tuple[str, object], ...]

    def option(self, key: str) -> object:
        return dict(self.options)[key]

    def factory(self, lr: float) -> OptimizerFactory:
        kind, get = self.type, self.option

        def make(params: Sequence[Parameter]) -> Optimizer:
            weight_decay = _float(get("weight_decay"), "weight_decay")
            if kind == "sgd":
                return mg_optim.SGD(params, lr, weight_decay=weight_decay)
            if kind == "momentum":
                return mg_optim.Momentum(
                    params,
                    lr,
                    momentum=_float(get("momentum"), "momentum"),
                    dampening=_float(get("dampening"), "dampening"),
                    nesterov=_bool(get("nesterov"), "nesterov"),
                    weight_decay=weight_decay,
                )
            beta1, beta2 = _betas(get("betas"), "betas")
            adam = mg_optim.Adam if kind == "adam" else mg_optim.AdamW
            return adam(
                params,
                lr,
                betas=(beta1, beta2),
                eps=_float(get("eps"), "eps"),
                weight_decay=weight_decay,
                amsgrad=_bool(get("amsgrad"), "amsgrad"),
            )

        return make

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"name": self.name, "type": self.type}
        out.update(self.options)
        return out


@dataclass(frozen=True)
class ExperimentConfig:
    """A parsed, checked config (see the module docstring for the JSON form)."""

    dataset: str
    n_samples: int
    noise: float
    data_seed: int
    val_fraction: float
    split_seed: int
    hidden: tuple[int, ...]
    activation: Activation
    model_seed: int
    loss: str
    lr: float
    epochs: int
    batch_size: int
    shuffle_seed: int
    clip_grad_norm: Optional[float]
    scheduler: Optional[tuple[str, tuple[tuple[str, float], ...]]]
    optimizers: tuple[OptimizerConfig, ...]

    def to_dict(self) -> dict[str, object]:
        """The full config, every default filled in (JSON-safe; `parse_config` reads it back)."""
        return {
            "dataset": {
                "name": self.dataset,
                "n_samples": self.n_samples,
                "noise": self.noise,
                "seed": self.data_seed,
            },
            "split": {"val_fraction": self.val_fraction, "seed": self.split_seed},
            "model": {
                "hidden": list(self.hidden),
                "activation": self.activation,
                "seed": self.model_seed,
            },
            "loss": self.loss,
            "lr": self.lr,
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "shuffle_seed": self.shuffle_seed,
            "clip_grad_norm": self.clip_grad_norm,
            "scheduler": None
            if self.scheduler is None
            else {"type": self.scheduler[0], **dict(self.scheduler[1])},
            "optimizers": [opt.to_dict() for opt in self.optimizers],
        }

    def _full_dataset(self) -> Dataset:
        """The whole dataset, made from its seed; 0/1 labels become -1/+1 for the hinge loss."""
        data = DATASETS[self.dataset](self.n_samples, noise=self.noise, seed=self.data_seed)
        if self.loss == "hinge" and self.dataset in _ZERO_ONE_LABELLED:
            signed = tuple((2.0 * row[0] - 1.0,) for row in data.targets)
            data = Dataset(data.inputs, signed)
        return data

    def datasets(self) -> tuple[Dataset, Dataset]:
        """(train, val): the whole dataset split by the split seed."""
        return train_val_split(self._full_dataset(), self.val_fraction, self.split_seed)

    def n_outputs(self) -> int:
        """The model's output width: one per class for cross entropy, else one."""
        if self.loss == "cross_entropy":
            labels = {int(row[0]) for row in self._full_dataset().targets}
            return max(labels) + 1
        return 1

    def model_factory(self) -> Callable[[], Model]:
        """A function that builds the MLP, its weights drawn from ``model.seed``."""
        widths = [*self.hidden, self.n_outputs()]

        def make() -> Model:
            return MLP(2, widths, activation=self.activation, rng=self.model_seed)

        return make

    def scheduler_factory(self) -> Optional[SchedulerFactory]:
        if self.scheduler is None:
            return None
        kind, options = self.scheduler[0], dict(self.scheduler[1])

        def make(optimizer: Optimizer) -> Scheduler:
            if kind == "step":
                return mg_optim.StepLR(optimizer, int(options["step_size"]), gamma=options["gamma"])
            if kind == "exponential":
                return mg_optim.ExponentialLR(optimizer, options["gamma"])
            return mg_optim.CosineAnnealingLR(
                optimizer, int(options["t_max"]), eta_min=options["eta_min"]
            )

        return make
