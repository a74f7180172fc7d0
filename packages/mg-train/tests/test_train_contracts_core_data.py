"""Dataset, generator, split and batching contracts the mutation run showed were unpinned.

Every refusal names the argument (or the row and column) and the value; the messages are
asserted whole. Expected data is rebuilt in the test from the docstrings' recipes with a
``random.Random`` of the same seed, never taken from the functions' own output.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Protocol

import pytest
from message_kit import exactly
from mg_train import Dataset, iterate_batches, make_moons, make_sine_regression, train_val_split


def _refusal(error: type[Exception], call: Callable[[], object]) -> str:
    with pytest.raises(error) as info:
        call()
    assert type(info.value) is error
    return str(info.value)


def _rows(n: int) -> Dataset:
    """n rows with input (i, -i) and target (10 i): every row tells which one it is."""
    return Dataset(
        tuple((float(i), float(-i)) for i in range(n)), tuple((10.0 * i,) for i in range(n))
    )


# ---------------------------------------------------------------- Dataset


def test_inputs_and_targets_of_different_lengths_give_both_lengths() -> None:
    refusal = _refusal(ValueError, lambda: Dataset(((1.0,), (2.0,)), ((1.0,),)))
    assert refusal == "inputs and targets must have the same length, got 2 and 1"


@pytest.mark.parametrize("what", ["inputs", "targets"])
def test_rows_must_be_a_tuple_of_tuples_of_floats(what: str) -> None:
    good: tuple[tuple[float, ...], ...] = ((1.0,), (2.0,))

    def make(bad: object) -> Callable[[], object]:
        if what == "inputs":
            return lambda: Dataset(bad, good)  # type: ignore[arg-type]  # the wrong type is the test
        return lambda: Dataset(good, bad)  # type: ignore[arg-type]  # the wrong type is the test

    assert _refusal(TypeError, make([(1.0,), (2.0,)])) == (
        f"{what} must be a tuple of tuples of floats, got list"
    )
    assert _refusal(TypeError, make(((1.0,), [2.0]))) == (
        f"{what}[1] must be a tuple of floats, got list"
    )
    assert _refusal(TypeError, make(((1.0,), (2,)))) == f"{what}[1][0] must be a float, got int: 2"
    assert _refusal(TypeError, make(((1.0,), (True,)))) == (
        f"{what}[1][0] must be a float, got bool: True"
    )
    assert _refusal(ValueError, make(((1.0,), (math.inf,)))) == f"{what}[1][0] is not finite: inf"
    assert _refusal(ValueError, make(((1.0,), (1.0, math.nan)))) == (
        f"{what}[1] has 2 values, expected 1"
    )


def test_every_row_must_have_the_width_of_the_first() -> None:
    assert _refusal(ValueError, lambda: Dataset(((1.0, 2.0), (3.0,)), ((0.0,), (0.0,)))) == (
        "inputs[1] has 1 values, expected 2"
    )
    three = ((0.0,), (1.0,), (2.0,))
    assert _refusal(ValueError, lambda: Dataset(((), (), (1.0,)), three)) == (
        "inputs[2] has 1 values, expected 0"
    )
    assert _refusal(ValueError, lambda: Dataset(((1.0,), (2.0,), (3.0, 4.0)), three)) == (
        "inputs[2] has 2 values, expected 1"
    )


def test_widths_are_those_of_the_rows_and_zero_without_rows() -> None:
    data = Dataset(((1.0, 2.0, 3.0),), ((1.0, 0.0),))
    assert (len(data), data.n_features, data.n_targets) == (1, 3, 2)
    empty = Dataset((), ())
    assert (len(empty), empty.n_features, empty.n_targets) == (0, 0, 0)


def test_subset_takes_the_rows_in_the_given_order() -> None:
    part = _rows(5).subset([3, 0, 3])
    assert part.inputs == ((3.0, -3.0), (0.0, -0.0), (3.0, -3.0))
    assert part.targets == ((30.0,), (0.0,), (30.0,))


# ---------------------------------------------------------------- generators


class Generator(Protocol):
    def __call__(self, n_samples: int = ..., *, noise: float = ..., seed: int = ...) -> Dataset: ...


GENERATORS = [make_sine_regression, make_moons]


@pytest.mark.parametrize("make", GENERATORS)
@pytest.mark.parametrize("n", [0, -1, True, 2.0])
def test_the_generators_need_a_positive_int_count(make: Generator, n: int) -> None:
    with pytest.raises(ValueError, match=exactly(f"n_samples must be a positive int, got {n!r}")):
        make(n)


@pytest.mark.parametrize("make", GENERATORS)
@pytest.mark.parametrize("noise", [-0.5, True, "0.1", math.nan])
def test_the_generators_need_a_non_negative_noise(make: Generator, noise: float) -> None:
    problem = f"noise must be a non-negative number, got {noise!r}"
    with pytest.raises(ValueError, match=exactly(problem)):
        make(3, noise=noise)


@pytest.mark.parametrize("make", GENERATORS)
def test_the_generators_need_a_finite_noise(make: Generator) -> None:
    with pytest.raises(ValueError, match=exactly("noise must be finite, got inf")):
        make(3, noise=math.inf)


@pytest.mark.parametrize("make", GENERATORS)
@pytest.mark.parametrize("seed", [1.5, True, "0"])
def test_the_generators_need_an_int_seed(make: Generator, seed: int) -> None:
    problem = f"seed must be an int, got {type(seed).__name__}: {seed!r}"
    with pytest.raises(TypeError, match=exactly(problem)):
        make(3, seed=seed)


@pytest.mark.parametrize("make", GENERATORS)
def test_one_sample_and_no_noise_are_valid(make: Generator) -> None:
    assert len(make(1, noise=0, seed=0)) == 1
    assert make(4, noise=0, seed=2) == make(4, noise=0.0, seed=2)


def _sine_by_the_docstring(n: int, noise: float, seed: int) -> Dataset:
    rng = random.Random(seed)
    inputs, targets = [], []
    for _ in range(n):
        x1, x2 = rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)
        y = math.sin(math.pi * x1) * math.cos(math.pi * x2 / 2.0) + noise * rng.gauss(0.0, 1.0)
        inputs.append((x1, x2))
        targets.append((y,))
    return Dataset(tuple(inputs), tuple(targets))


def test_sine_regression_follows_its_recipe_and_its_defaults() -> None:
    """Defaults as documented: 256 samples, noise 0.05, seed 0."""
    assert make_sine_regression() == _sine_by_the_docstring(256, 0.05, 0)
    assert make_sine_regression(7, noise=0.3, seed=5) == _sine_by_the_docstring(7, 0.3, 5)


# ---------------------------------------------------------------- train_val_split


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.5, 1.5, True, "0.5", math.nan])
def test_split_needs_a_fraction_strictly_between_0_and_1(fraction: float) -> None:
    problem = f"val_fraction must be a number in (0, 1), got {fraction!r}"
    with pytest.raises(ValueError, match=exactly(problem)):
        train_val_split(_rows(4), fraction, 0)


def test_split_names_a_bad_argument() -> None:
    data = _rows(40)
    refusal = _refusal(TypeError, lambda: train_val_split([1.0], 0.5, 0))  # type: ignore[arg-type]
    assert refusal == "data must be a Dataset, got list"
    empty_part = "of 40 rows leaves an empty train or validation set"
    # round(40 * 0.0125) = round(0.5) = 0 (round half to even); round(40 * 0.99) = 40
    assert _refusal(ValueError, lambda: train_val_split(data, 0.0125, 0)) == (
        f"val_fraction=0.0125 {empty_part}"
    )
    assert _refusal(ValueError, lambda: train_val_split(data, 0.99, 0)) == (
        f"val_fraction=0.99 {empty_part}"
    )
    refusal = _refusal(TypeError, lambda: train_val_split(data, 0.5, 1.0))  # type: ignore[arg-type]
    assert refusal == "seed must be an int, got float: 1.0"


@pytest.mark.parametrize(("fraction", "n_val"), [(0.025, 1), (0.975, 39), (0.5, 20)])
def test_split_cuts_the_shuffled_order_after_round_n_times_fraction(
    fraction: float, n_val: int
) -> None:
    data = _rows(40)
    order = list(range(40))
    random.Random(9).shuffle(order)
    train, val = train_val_split(data, fraction, 9)
    assert val == data.subset(order[:n_val])
    assert train == data.subset(order[n_val:])


# ---------------------------------------------------------------- iterate_batches


@pytest.mark.parametrize("size", [0, -2, True, 2.0])
def test_batches_need_a_positive_int_size(size: int) -> None:
    with pytest.raises(
        ValueError, match=exactly(f"batch_size must be a positive int, got {size!r}")
    ):
        iterate_batches(_rows(4), size)


def test_batching_names_a_bad_argument() -> None:
    data = _rows(4)
    refusal = _refusal(TypeError, lambda: iterate_batches((), 2))  # type: ignore[arg-type]
    assert refusal == "data must be a Dataset, got tuple"
    refusal = _refusal(TypeError, lambda: iterate_batches(data, 2, 7))  # type: ignore[arg-type]
    assert refusal == "rng must be a random.Random or None, got int"


def test_batches_keep_inputs_with_their_targets_and_the_last_is_the_rest() -> None:
    data = _rows(5)
    batches = list(iterate_batches(data, 2))
    assert batches == [
        (((0.0, -0.0), (1.0, -1.0)), ((0.0,), (10.0,))),
        (((2.0, -2.0), (3.0, -3.0)), ((20.0,), (30.0,))),
        (((4.0, -4.0),), ((40.0,),)),
    ]
    assert list(iterate_batches(data, 1)) == [
        ((data.inputs[i],), (data.targets[i],)) for i in range(5)
    ]
    assert list(iterate_batches(data, 5)) == [(data.inputs, data.targets)]
    assert list(iterate_batches(data, 6)) == [(data.inputs, data.targets)]
    assert list(iterate_batches(Dataset((), ()), 3)) == []


def test_shuffled_batches_pair_each_input_with_its_own_target() -> None:
    data = _rows(7)
    order = list(range(7))
    random.Random(2).shuffle(order)
    batches = list(iterate_batches(data, 3, random.Random(2)))
    assert [targets for _, targets in batches] == [
        tuple(data.targets[i] for i in order[start : start + 3]) for start in (0, 3, 6)
    ]
    for inputs, targets in batches:
        assert [t[0] for t in targets] == [10.0 * x[0] for x in inputs]
