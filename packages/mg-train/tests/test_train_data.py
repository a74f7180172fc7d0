from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mg_train import Dataset, iterate_batches, make_moons, make_sine_regression, train_val_split


def test_sine_regression_follows_its_formula_and_seed() -> None:
    data = make_sine_regression(50, noise=0.0, seed=3)
    assert len(data) == 50
    assert data.n_features == 2
    assert data.n_targets == 1
    for (x1, x2), (y,) in zip(data.inputs, data.targets):
        assert -1.0 <= x1 <= 1.0
        assert -1.0 <= x2 <= 1.0
        assert y == math.sin(math.pi * x1) * math.cos(math.pi * x2 / 2.0)
    rng = random.Random(3)
    assert data.inputs[0] == (rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0))


def test_same_seed_same_data_different_seed_different_data() -> None:
    assert make_sine_regression(30, seed=1) == make_sine_regression(30, seed=1)
    assert make_sine_regression(30, seed=1) != make_sine_regression(30, seed=2)
    assert make_moons(30, seed=4) == make_moons(30, seed=4)


def test_moons_without_noise_lie_on_their_half_circles() -> None:
    data = make_moons(40, noise=0.0, seed=0)
    for (x1, x2), (label,) in zip(data.inputs, data.targets):
        if label == 0.0:
            assert math.isclose(x1 * x1 + x2 * x2, 1.0, rel_tol=1e-12)
            assert x2 >= 0.0
        else:
            assert label == 1.0
            assert math.isclose((1.0 - x1) ** 2 + (0.5 - x2) ** 2, 1.0, rel_tol=1e-12)


def test_split_partitions_rows_by_seed() -> None:
    data = make_sine_regression(40, seed=0)
    train, val = train_val_split(data, 0.25, seed=9)
    assert len(val) == 10
    assert len(train) == 30
    assert sorted(train.inputs + val.inputs) == sorted(data.inputs)
    assert train_val_split(data, 0.25, seed=9) == (train, val)
    assert train_val_split(data, 0.25, seed=10) != (train, val)


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.5, 0.001, 0.999])
def test_split_rejects_fractions_leaving_an_empty_part(fraction: float) -> None:
    with pytest.raises(ValueError, match="val_fraction"):
        train_val_split(make_sine_regression(40, seed=0), fraction, seed=0)


def test_dataset_rejects_bad_rows() -> None:
    with pytest.raises(ValueError, match="same length"):
        Dataset(((1.0,),), ())
    with pytest.raises(TypeError, match=r"inputs\[0\]\[0\]"):
        Dataset((("a",),), ((1.0,),))  # type: ignore[arg-type]  # the wrong type is the test
    with pytest.raises(ValueError, match="not finite"):
        Dataset(((math.nan,),), ((1.0,),))


def test_batches_cover_every_row_once_in_seeded_order() -> None:
    data = make_sine_regression(23, seed=0)
    batches = list(iterate_batches(data, 5, random.Random(1)))
    assert [len(b[0]) for b in batches] == [5, 5, 5, 5, 3]
    order = list(range(23))
    random.Random(1).shuffle(order)
    flat = [x for inputs, _ in batches for x in inputs]
    assert flat == [data.inputs[i] for i in order]
    unshuffled = [x for inputs, _ in iterate_batches(data, 5) for x in inputs]
    assert unshuffled == list(data.inputs)


def test_the_shuffle_happens_at_call_time() -> None:
    rng = random.Random(4)
    iterate_batches(make_sine_regression(10, seed=0), 3, rng)
    reference = random.Random(4)
    reference.shuffle(list(range(10)))
    assert rng.getstate() == reference.getstate()


@settings(derandomize=True, deadline=None, max_examples=30)
@given(seed=st.integers(0, 2**32), n=st.integers(1, 40), batch=st.integers(1, 12))
def test_same_generator_state_gives_bit_identical_batches(seed: int, n: int, batch: int) -> None:
    data = make_sine_regression(n, seed=seed)
    first = list(iterate_batches(data, batch, random.Random(seed)))
    second = list(iterate_batches(data, batch, random.Random(seed)))
    assert [[x.hex() for row in b[0] for x in row] for b in first] == [
        [x.hex() for row in b[0] for x in row] for b in second
    ]


def test_bad_arguments_name_the_value() -> None:
    with pytest.raises(ValueError, match="n_samples"):
        make_moons(0)
    with pytest.raises(ValueError, match="noise"):
        make_sine_regression(5, noise=-1.0)
    with pytest.raises(ValueError, match="batch_size"):
        iterate_batches(make_moons(4), 0)
    with pytest.raises(TypeError, match="seed"):
        make_moons(4, seed=1.5)  # type: ignore[arg-type]  # the wrong type is the test
