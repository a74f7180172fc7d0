"""Small synthetic datasets, a seeded train/validation split and seeded mini-batches.

Everything random here draws from a `random.Random` made from the seed you pass, never from the
global generator. Mersenne Twister, ``uniform``, ``gauss`` and ``shuffle`` are the same algorithm
on CPython 3.9-3.13 and PyPy, and ``math.sin``/``math.cos`` come from the platform's C library,
so the same seed gives the same numbers bit for bit on every supported Python on one platform
(checked for the benchmark on Linux x86-64; another libm may differ in the last bit).

The datasets:

* `make_sine_regression`: x ~ U(-1, 1)^2, y = sin(pi x1) cos(pi x2 / 2) + noise * N(0, 1).
  A smooth bump-and-dip surface: a 2-16-16-1 MLP can fit it well, but not in one step.
* `make_moons`: the two interleaving half circles of scikit-learn's ``make_moons``, labels 0/1,
  with Gaussian noise of standard deviation ``noise`` on both coordinates.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

__all__ = [
    "Batch",
    "Dataset",
    "iterate_batches",
    "make_moons",
    "make_sine_regression",
    "train_val_split",
]

Row = tuple[float, ...]


@dataclass(frozen=True)
class Dataset:
    """Inputs and targets, row by row, as immutable tuples of floats.

    ``inputs[i]`` is one sample's feature vector and ``targets[i]`` its target vector (a
    regression value, a 0/1 label, or a class index stored as a float). Frozen and made of
    tuples so that a dataset can be shared by several runs without any of them changing it.
    """

    inputs: tuple[Row, ...]
    targets: tuple[Row, ...]

    def __post_init__(self) -> None:
        if len(self.inputs) != len(self.targets):
            raise ValueError(
                f"inputs and targets must have the same length, got {len(self.inputs)} "
                f"and {len(self.targets)}"
            )
        _check_rows(self.inputs, "inputs")
        _check_rows(self.targets, "targets")

    def __len__(self) -> int:
        return len(self.inputs)

    @property
    def n_features(self) -> int:
        return len(self.inputs[0]) if self.inputs else 0

    @property
    def n_targets(self) -> int:
        return len(self.targets[0]) if self.targets else 0

    def subset(self, indices: Sequence[int]) -> Dataset:
        """The rows at ``indices``, in that order."""
        return Dataset(
            tuple(self.inputs[i] for i in indices), tuple(self.targets[i] for i in indices)
        )


Batch = tuple[tuple[Row, ...], tuple[Row, ...]]
"""(inputs, targets) of one mini-batch."""


def _check_rows(rows: object, what: str) -> None:
    if not isinstance(rows, tuple):
        raise TypeError(f"{what} must be a tuple of tuples of floats, got {type(rows).__name__}")
    width = -1
    for i, row in enumerate(rows):
        if not isinstance(row, tuple):
            raise TypeError(f"{what}[{i}] must be a tuple of floats, got {type(row).__name__}")
        if width == -1:
            width = len(row)
        elif len(row) != width:
            raise ValueError(f"{what}[{i}] has {len(row)} values, expected {width}")
        for j, x in enumerate(row):
            if not isinstance(x, float):
                raise TypeError(f"{what}[{i}][{j}] must be a float, got {type(x).__name__}: {x!r}")
            if not math.isfinite(x):
                raise ValueError(f"{what}[{i}][{j}] is not finite: {x!r}")


def _check_count(n_samples: object) -> int:
    if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive int, got {n_samples!r}")
    return n_samples


def _check_noise(noise: object) -> float:
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not noise >= 0.0:
        raise ValueError(f"noise must be a non-negative number, got {noise!r}")
    if not math.isfinite(noise):
        raise ValueError(f"noise must be finite, got {noise!r}")
    return float(noise)


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}: {seed!r}")
    return seed


def make_sine_regression(n_samples: int = 256, *, noise: float = 0.05, seed: int = 0) -> Dataset:
    """``n_samples`` rows of x ~ U(-1, 1)^2 and y = sin(pi x1) cos(pi x2 / 2) + noise N(0, 1).

    Per sample the draws are x1, x2, then the noise (``Random.gauss``), in that order.
    """
    n = _check_count(n_samples)
    sigma = _check_noise(noise)
    rng = random.Random(_check_seed(seed))
    inputs: list[Row] = []
    targets: list[Row] = []
    for _ in range(n):
        x1 = rng.uniform(-1.0, 1.0)
        x2 = rng.uniform(-1.0, 1.0)
        y = math.sin(math.pi * x1) * math.cos(math.pi * x2 / 2.0) + sigma * rng.gauss(0.0, 1.0)
        inputs.append((x1, x2))
        targets.append((y,))
    return Dataset(tuple(inputs), tuple(targets))


def make_moons(n_samples: int = 200, *, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaving half circles with labels 0.0 (upper) and 1.0 (lower).

    Sample i takes label i % 2 and an angle t ~ U(0, pi). The upper moon is (cos t, sin t); the
    lower one is (1 - cos t, 0.5 - sin t). Per sample the draws are t, then the two noises.
    """
    n = _check_count(n_samples)
    sigma = _check_noise(noise)
    rng = random.Random(_check_seed(seed))
    inputs: list[Row] = []
    targets: list[Row] = []
    for i in range(n):
        t = rng.uniform(0.0, math.pi)
        label = i % 2
        if label == 0:
            x1, x2 = math.cos(t), math.sin(t)
        else:
            x1, x2 = 1.0 - math.cos(t), 0.5 - math.sin(t)
        x1 += sigma * rng.gauss(0.0, 1.0)
        x2 += sigma * rng.gauss(0.0, 1.0)
        inputs.append((x1, x2))
        targets.append((float(label),))
    return Dataset(tuple(inputs), tuple(targets))


def train_val_split(data: Dataset, val_fraction: float, seed: int) -> tuple[Dataset, Dataset]:
    """Shuffle row indices with ``random.Random(seed)`` and cut off the validation part.

    The validation set gets ``round(len(data) * val_fraction)`` rows (the first ones after the
    shuffle); both parts keep the shuffled order. ``val_fraction`` must leave both parts
    non-empty.
    """
    if not isinstance(data, Dataset):
        raise TypeError(f"data must be a Dataset, got {type(data).__name__}")
    if (
        isinstance(val_fraction, bool)
        or not isinstance(val_fraction, (int, float))
        or not 0.0 < val_fraction < 1.0
    ):
        raise ValueError(f"val_fraction must be a number in (0, 1), got {val_fraction!r}")
    n_val = round(len(data) * val_fraction)
    if n_val < 1 or n_val >= len(data):
        raise ValueError(
            f"val_fraction={val_fraction!r} of {len(data)} rows leaves an empty train or "
            "validation set"
        )
    order = list(range(len(data)))
    random.Random(_check_seed(seed)).shuffle(order)
    return data.subset(order[n_val:]), data.subset(order[:n_val])


def iterate_batches(
    data: Dataset, batch_size: int, rng: random.Random | None = None
) -> Iterator[Batch]:
    """Yield mini-batches of ``batch_size`` rows (the last one may be smaller).

    With an ``rng`` the row order is ``rng.shuffle(list(range(n)))`` - one shuffle per call, so
    one call per epoch advances the generator by one epoch. The shuffle happens when you call,
    not when you first iterate, so the generator's state afterwards never depends on how far a
    caller got through the batches. The same generator state gives the
    same batches bit for bit; that is what makes a resumed run identical to an unbroken one.
    Without an ``rng`` rows come in order.
    """
    if not isinstance(data, Dataset):
        raise TypeError(f"data must be a Dataset, got {type(data).__name__}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    if rng is not None and not isinstance(rng, random.Random):
        raise TypeError(f"rng must be a random.Random or None, got {type(rng).__name__}")
    order = list(range(len(data)))
    if rng is not None:
        rng.shuffle(order)
    inputs, targets = data.inputs, data.targets
    batches: list[Batch] = []
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        batches.append((tuple(inputs[i] for i in chunk), tuple(targets[i] for i in chunk)))
    return iter(batches)
