"""The smallest fit a contract test can reason about by hand.

A 1-1 MLP has no activation on its output layer, so it is the line w * x + b; three points and
one full batch make every loss and step something the test can compute itself.
"""

from __future__ import annotations

from mg_nn import MLP
from mg_optim import SGD
from mg_train import Dataset, History, fit


def line() -> tuple[MLP, float, float]:
    """The model and its (w, b)."""
    model = MLP(1, [1], rng=0)
    state = model.state_dict()
    return model, state["layers.0.neurons.0.w.0"], state["layers.0.neurons.0.b"]


def three_points() -> Dataset:
    return Dataset(((1.0,), (2.0,), (3.0,)), ((2.0,), (3.5,), (7.0,)))


def fit_once(**overrides: object) -> History:
    """fit the line on `three_points` for one epoch of one batch with SGD(lr=0.05), silently;
    ``overrides`` replace any argument (wrong ones too)."""
    model = MLP(1, [1], rng=0)
    arguments: dict[str, object] = {
        "model": model,
        "loss": "mse",
        "optimizer": SGD(model.parameters(), 0.05),
        "train": three_points(),
        "epochs": 1,
        "batch_size": 3,
        "verbose": False,
    }
    arguments.update(overrides)
    return fit(**arguments)  # type: ignore[arg-type]  # wrong argument types are the tests
