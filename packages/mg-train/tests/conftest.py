"""Shared fixtures for the mg-train tests: tiny datasets and models so every test is fast, and
the Figures a picture test draws."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from mg_nn import MLP
from mg_train import Dataset, make_sine_regression, train_val_split
from picture_kit import HAS_MATPLOTLIB

if HAS_MATPLOTLIB:
    import matplotlib
    from matplotlib.figure import Figure


@pytest.fixture
def tiny_split() -> tuple[Dataset, Dataset]:
    return train_val_split(make_sine_regression(40, noise=0.05, seed=11), 0.25, seed=5)


@pytest.fixture
def make_model() -> Callable[[], MLP]:
    def make() -> MLP:
        return MLP(2, [4, 1], rng=7)

    return make


def tiny_config() -> dict[str, object]:
    """A complete, valid config that runs in well under a second."""
    config: dict[str, object] = {
        "dataset": {"name": "sine_regression", "n_samples": 24, "noise": 0.05, "seed": 0},
        "split": {"val_fraction": 0.25, "seed": 1},
        "model": {"hidden": [3], "activation": "relu", "seed": 2},
        "loss": "mse",
        "lr": 0.05,
        "epochs": 3,
        "batch_size": 8,
        "shuffle_seed": 3,
        "optimizers": [{"type": "sgd"}, {"type": "momentum"}, {"type": "adam"}],
    }
    return config


@pytest.fixture
def config_factory() -> Callable[[], dict[str, object]]:
    return tiny_config


@pytest.fixture
def figures(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Figure]]:
    """Every Figure saved while the test runs, so a test reads what was drawn and not only
    that a PNG came out; saved at an rc dpi and format the renderers must override, because
    the pictures promise 100 dpi PNGs whatever the user's matplotlibrc says."""
    saved: list[Figure] = []
    if not HAS_MATPLOTLIB:
        yield saved
        return
    real = Figure.savefig

    def spy(self: Figure, *args: object, **kwargs: object) -> None:
        saved.append(self)
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Figure, "savefig", spy)
    with matplotlib.rc_context({"figure.dpi": 50, "savefig.dpi": 50, "savefig.format": "svg"}):
        yield saved
