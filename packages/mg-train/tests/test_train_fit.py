from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from mg_autograd import Value, is_grad_enabled
from mg_nn import MLP, mse_loss
from mg_optim import SGD, Adam, StepLR
from mg_train import Dataset, EarlyStopping, History, NonFiniteLossError, evaluate, fit


def _line_data() -> Dataset:
    return Dataset(((1.0,), (2.0,), (3.0,)), ((2.0,), (3.5,), (7.0,)))


def test_one_full_batch_epoch_matches_the_closed_form_sgd_update() -> None:
    model = MLP(1, [1], rng=0)
    w, b = model.parameters()
    w0, b0 = w.data, b.data
    data = _line_data()
    lr = 0.05
    history = fit(
        model,
        "mse",
        SGD(model.parameters(), lr),
        data,
        data,
        epochs=1,
        batch_size=3,
        shuffle=False,
        verbose=False,
    )
    residuals = [w0 * x + b0 - y for (x,), (y,) in zip(data.inputs, data.targets)]
    # L = (1/N) sum r_i^2, dL/dw = (2/N) sum r_i x_i, dL/db = (2/N) sum r_i
    grad_w = 2.0 / 3.0 * math.fsum(r * x for r, (x,) in zip(residuals, data.inputs))
    grad_b = 2.0 / 3.0 * math.fsum(residuals)
    assert math.isclose(w.data, w0 - lr * grad_w, rel_tol=1e-13)
    assert math.isclose(b.data, b0 - lr * grad_b, rel_tol=1e-13)
    assert math.isclose(
        history.train_loss[0], math.fsum(r * r for r in residuals) / 3.0, rel_tol=1e-13
    )
    new_residuals = [w.data * x + b.data - y for (x,), (y,) in zip(data.inputs, data.targets)]
    expected_val = math.fsum(r * r for r in new_residuals) / 3.0
    val = history.val_loss[0]
    assert val is not None
    assert math.isclose(val, expected_val, rel_tol=1e-13)


def test_train_loss_is_the_sample_weighted_mean_of_batch_losses() -> None:
    model = MLP(1, [1], rng=0)
    w, b = model.parameters()
    w0, b0 = w.data, b.data
    data = _line_data()
    history = fit(
        model,
        "mse",
        SGD(model.parameters(), 0.0),
        data,
        epochs=1,
        batch_size=2,
        shuffle=False,
        verbose=False,
    )
    squares = [(w0 * x + b0 - y) ** 2 for (x,), (y,) in zip(data.inputs, data.targets)]
    expected = ((squares[0] + squares[1]) / 2.0 * 2 + squares[2]) / 3.0
    assert math.isclose(history.train_loss[0], expected, rel_tol=1e-13)
    assert history.val_loss == [None]
    assert history.best_epoch == 1
    assert history.best_val_loss is None


def test_history_records_lr_schedule_and_best_epoch(
    tiny_split: tuple[Dataset, Dataset], make_model: Callable[[], MLP]
) -> None:
    train, val = tiny_split
    model = make_model()
    optimizer = Adam(model.parameters(), lr=0.1)
    history = fit(
        model,
        "mse",
        optimizer,
        train,
        val,
        epochs=5,
        batch_size=8,
        scheduler=StepLR(optimizer, 2, gamma=0.5),
        verbose=False,
    )
    assert history.epochs == 5
    assert len(history.epoch_time) == 5
    assert history.lr == [0.1, 0.1, 0.05, 0.05, 0.025]
    vals = [v for v in history.val_loss if v is not None]
    best = min(range(5), key=lambda i: (vals[i], i))
    assert history.best_epoch == best + 1
    assert history.best_val_loss == vals[best]


def test_history_best_epoch_prefers_the_earliest_tie() -> None:
    history = History()
    for val in (3.0, 1.0, 2.0, 1.0):
        history.append(0.5, val, 0.1, 0.0)
    assert history.best_epoch == 2
    assert history.best_val_loss == 1.0
    assert History().best_epoch is None


def test_early_stopping_counts_epochs_without_improvement() -> None:
    history = History()
    stop = EarlyStopping(patience=3)
    decisions = []
    for val in (3.0, 2.0, 2.5, 2.6, 2.7):
        history.append(1.0, val, 0.1, 0.0)
        decisions.append(stop.on_epoch_end(history.epochs, history))
    assert decisions == [False, False, False, False, True]
    assert EarlyStopping(patience=1, min_delta=0.5).epochs_without_improvement(history) == 3


def test_fit_stops_early_and_says_so(
    tiny_split: tuple[Dataset, Dataset], make_model: Callable[[], MLP]
) -> None:
    train, val = tiny_split
    model = make_model()
    history = fit(
        model,
        "mse",
        SGD(model.parameters(), 1e-12),
        train,
        val,
        epochs=10,
        batch_size=8,
        callbacks=[EarlyStopping(patience=2, min_delta=1e-3)],
        verbose=False,
    )
    assert history.epochs == 3
    assert history.stopped_early


def _nan_at(call: int) -> Callable[[Sequence[Sequence[Value]], Sequence[Sequence[float]]], Value]:
    calls = [0]

    def loss(outputs: Sequence[Sequence[Value]], targets: Sequence[Sequence[float]]) -> Value:
        calls[0] += 1
        value = mse_loss([row[0] for row in outputs], [row[0] for row in targets])
        return value * math.nan if calls[0] == call else value

    return loss


def test_non_finite_loss_names_epoch_and_batch_and_keeps_the_last_good_checkpoint(
    tmp_path: Path, tiny_split: tuple[Dataset, Dataset], make_model: Callable[[], MLP]
) -> None:
    train, _ = tiny_split  # 30 rows, batch 8 -> 4 batches per epoch; call 7 is epoch 2 batch 3
    model = make_model()
    path = tmp_path / "ckpt.json"
    with pytest.raises(NonFiniteLossError, match="epoch 2, batch 3") as caught:
        fit(
            model,
            _nan_at(7),
            SGD(model.parameters(), 0.01),
            train,
            epochs=4,
            batch_size=8,
            checkpoint=path,
            verbose=False,
        )
    assert isinstance(caught.value, FloatingPointError)
    assert (caught.value.epoch, caught.value.batch) == (2, 3)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["epoch"] == 1
    assert len(saved["history"]["train_loss"]) == 1
    assert "NaN" not in path.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.json"]


def test_evaluation_builds_no_graph(tiny_split: tuple[Dataset, Dataset]) -> None:
    _, val = tiny_split
    seen: list[bool] = []

    def loss(outputs: Sequence[Sequence[Value]], targets: Sequence[Sequence[float]]) -> Value:
        seen.append(is_grad_enabled())
        assert all(row[0].is_leaf() for row in outputs)
        return mse_loss([row[0] for row in outputs], [row[0] for row in targets])

    evaluate(MLP(2, [3, 1], rng=1), loss, val)
    assert seen == [False]


def test_clip_grad_value_bounds_every_update(tiny_split: tuple[Dataset, Dataset]) -> None:
    train, _ = tiny_split
    model = MLP(2, [4, 1], rng=3)
    before = [p.data for p in model.parameters()]
    fit(
        model,
        "mse",
        SGD(model.parameters(), 0.5),
        train,
        epochs=1,
        batch_size=100,
        clip_grad_value=1e-3,
        verbose=False,
    )
    for old, p in zip(before, model.parameters()):
        assert abs(p.data - old) <= 0.5 * 1e-3 * (1 + 1e-12)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": 0}, "epochs"),
        ({"batch_size": -1}, "batch_size"),
        ({"clip_grad_norm": -1.0}, "clip_grad_norm"),
        ({"checkpoint_every": 0}, "checkpoint_every"),
    ],
)
def test_fit_rejects_bad_arguments(
    kwargs: dict[str, float], message: str, tiny_split: tuple[Dataset, Dataset]
) -> None:
    train, _ = tiny_split
    model = MLP(2, [1], rng=0)
    args: dict[str, float] = {"epochs": 1, "batch_size": 4}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        fit(model, "mse", SGD(model.parameters(), 0.1), train, verbose=False, **args)  # type: ignore[arg-type]  # mixed kwargs


def test_unknown_loss_name_is_rejected(tiny_split: tuple[Dataset, Dataset]) -> None:
    train, _ = tiny_split
    model = MLP(2, [1], rng=0)
    with pytest.raises(ValueError, match="'mae'"):
        fit(
            model, "mae", SGD(model.parameters(), 0.1), train, epochs=1, batch_size=4, verbose=False
        )


def test_a_scheduler_of_another_optimizer_is_refused(tiny_split: tuple[Dataset, Dataset]) -> None:
    """Regression: its rates went to an optimizer the loop never steps, silently."""
    train, _ = tiny_split
    model = MLP(2, [1], rng=0)
    other = SGD(MLP(2, [1], rng=1).parameters(), 0.1)
    with pytest.raises(ValueError, match=r"StepLR drives another optimizer"):
        fit(
            model,
            "mse",
            SGD(model.parameters(), 0.1),
            train,
            epochs=1,
            batch_size=4,
            scheduler=StepLR(other, 1),
            verbose=False,
        )


def test_shuffle_must_be_a_bool(tiny_split: tuple[Dataset, Dataset]) -> None:
    train, _ = tiny_split
    model = MLP(2, [1], rng=0)
    with pytest.raises(TypeError, match="shuffle must be a bool, got str: 'no'"):
        fit(
            model,
            "mse",
            SGD(model.parameters(), 0.1),
            train,
            epochs=1,
            batch_size=4,
            shuffle="no",  # type: ignore[arg-type]  # wrong on purpose
            verbose=False,
        )
