"""Classification accuracy: the prediction rules at their boundaries, hand-counted batches, and
what `fit` records - each value derived here independently of `mg_train.metrics`."""

from __future__ import annotations

import io
import math

import pytest
from mg_nn import MLP
from mg_optim import SGD
from mg_train import (
    CLASSIFICATION_LOSSES,
    Dataset,
    History,
    Verbosity,
    accuracy,
    count_correct,
    fit,
    format_epoch_line,
    get_loss,
    has_class_labels,
    make_moons,
    predict_labels,
    train_val_split,
)
from mg_train.losses import hinge

TINY = 5e-324  # the smallest positive float


@pytest.mark.parametrize(
    ("loss", "scores", "expected"),
    [
        ("bce_with_logits", [0.0], [0.0]),  # logit exactly 0 = probability 1/2: class 0
        ("bce_with_logits", [-0.0], [0.0]),
        ("bce_with_logits", [TINY], [1.0]),
        ("bce_with_logits", [-TINY], [0.0]),
        ("bce_with_logits", [3.0, -2.0], [1.0, 0.0]),  # one label per output
        ("hinge", [0.0], [-1.0]),  # score exactly 0: -1
        ("hinge", [TINY], [1.0]),
        ("hinge", [-7.5], [-1.0]),
        ("cross_entropy", [0.1, 0.3, 0.2], [1.0]),
        ("cross_entropy", [2.0, 2.0], [0.0]),  # tie: the lowest index, as torch.argmax
        ("cross_entropy", [-1.0, 5.0, 5.0], [1.0]),
        ("cross_entropy", [4.0], [0.0]),
    ],
)
def test_prediction_rules_at_their_boundaries(
    loss: str, scores: list[float], expected: list[float]
) -> None:
    assert predict_labels(loss, scores) == expected


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_non_finite_score_is_refused_not_counted_as_the_negative_class(bad: float) -> None:
    for loss in CLASSIFICATION_LOSSES:
        with pytest.raises(ValueError, match="not finite"):
            predict_labels(loss, [0.0, bad] if loss == "cross_entropy" else [bad])


def test_hand_counted_batches() -> None:
    # bce: 2.0 -> 1 (target 1, right), -1.0 -> 0 (target 0, right), 0.0 -> 0 (target 1,
    # wrong), 0.5 -> 1 (target 0, wrong): 2 of 4
    bce_scores = [[2.0], [-1.0], [0.0], [0.5]]
    bce_targets = [[1.0], [0.0], [1.0], [0.0]]
    assert count_correct("bce_with_logits", bce_scores, bce_targets) == (2, 4)
    assert accuracy("bce_with_logits", bce_scores, bce_targets) == 0.5
    # hinge: 0.0 -> -1 (target +1, wrong), 0.2 -> +1 (right), -3 -> -1 (right): 2 of 3
    assert accuracy("hinge", [[0.0], [0.2], [-3.0]], [[1.0], [1.0], [-1.0]]) == 2 / 3
    # cross entropy: argmaxes 2, 0 (tie of 0 and 1), 1 against 2, 1, 1: 2 of 3
    logits = [[0.0, 1.0, 9.0], [4.0, 4.0, -1.0], [0.0, 0.5, 0.25]]
    assert count_correct("cross_entropy", logits, [[2.0], [1.0], [1.0]]) == (2, 3)
    # two outputs per sample under bce: every output counts, 3 of 4
    assert count_correct(
        "bce_with_logits", [[1.0, -1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 0.0]]
    ) == (
        3,
        4,
    )


def test_targets_that_are_not_labels() -> None:
    assert has_class_labels("bce_with_logits", [(0.0,), (1.0,)])
    assert not has_class_labels("bce_with_logits", [(0.0,), (0.3,)])
    assert has_class_labels("hinge", [(-1.0,), (1.0,)])
    assert not has_class_labels("hinge", [(0.0,)])
    assert has_class_labels("cross_entropy", [(0.0,), (4.0,)])
    assert not has_class_labels("cross_entropy", [(1.5,)])
    with pytest.raises(ValueError, match=r"target row 1 is \(0\.3,\), which holds no class"):
        count_correct("bce_with_logits", [[1.0], [1.0]], [[1.0], [0.3]])
    with pytest.raises(ValueError, match=r"accuracy is defined for the losses .*got 'mse'"):
        accuracy("mse", [[1.0]], [[1.0]])
    with pytest.raises(ValueError, match="2 score rows but 1 target rows"):
        accuracy("hinge", [[1.0], [1.0]], [[1.0]])
    with pytest.raises(ValueError, match="empty batch"):
        accuracy("hinge", [], [])
    with pytest.raises(ValueError, match="sample 0 has 2 outputs"):
        accuracy("hinge", [[1.0, 1.0]], [[1.0]])


def _sign_label(score: float) -> float:
    return 1.0 if score > 0.0 else -1.0


def _hinge_moons() -> tuple[Dataset, Dataset]:
    data = make_moons(24, noise=0.1, seed=4)
    signed = Dataset(data.inputs, tuple((2.0 * row[0] - 1.0,) for row in data.targets))
    return train_val_split(signed, 0.25, seed=1)


def _hand_accuracy(model: MLP, data: Dataset) -> float:
    right = sum(
        1 for x, (y,) in zip(data.inputs, data.targets) if _sign_label(model(x)[0].data) == y
    )
    return right / len(data)


def test_fit_counts_train_accuracy_before_each_update_and_val_accuracy_after_the_epoch() -> None:
    train, val = _hinge_moons()
    model = MLP(2, [6, 1], rng=3)
    twin = MLP(2, [6, 1], rng=3)
    history = fit(
        model,
        "hinge",
        SGD(model.parameters(), 0.5),
        train,
        val,
        epochs=2,
        batch_size=5,
        shuffle=False,
        verbose=False,
    )
    # the same run by hand: batches of 5 in order, each counted with the weights it met
    optimizer = SGD(twin.parameters(), 0.5)
    for epoch in range(2):
        right = 0
        for start in range(0, len(train), 5):
            rows = list(zip(train.inputs, train.targets))[start : start + 5]
            right += sum(1 for x, (y,) in rows if _sign_label(twin(x)[0].data) == y)
            optimizer.zero_grad()
            hinge([twin(x) for x, _ in rows], [t for _, t in rows]).backward()
            optimizer.step()
        assert history.train_accuracy[epoch] == right / len(train)
        assert history.val_accuracy[epoch] == _hand_accuracy(twin, val)
    assert history.records_accuracy


def test_accuracy_reading_changes_no_loss() -> None:
    """The same run through a custom loss (no name, so no accuracy) has the same losses."""
    train, val = _hinge_moons()
    model_a, model_b = MLP(2, [6, 1], rng=3), MLP(2, [6, 1], rng=3)
    with_accuracy = fit(
        model_a,
        "hinge",
        SGD(model_a.parameters(), 0.5),
        train,
        val,
        epochs=3,
        batch_size=5,
        verbose=False,
    )
    without = fit(
        model_b,
        lambda outputs, targets: get_loss("hinge")(outputs, targets),
        SGD(model_b.parameters(), 0.5),
        train,
        val,
        epochs=3,
        batch_size=5,
        verbose=False,
    )
    assert not without.records_accuracy
    assert without.train_accuracy == []
    assert [v.hex() for v in with_accuracy.train_loss] == [v.hex() for v in without.train_loss]
    assert with_accuracy.val_loss == without.val_loss
    assert model_a.state_dict() == model_b.state_dict()


def test_soft_targets_and_mse_record_no_accuracy() -> None:
    data = Dataset(((0.0, 1.0), (1.0, 0.0)), ((0.3,), (1.0,)))
    model = MLP(2, [1], rng=0)
    soft = fit(
        model,
        "bce_with_logits",
        SGD(model.parameters(), 0.1),
        data,
        epochs=1,
        batch_size=2,
        verbose=False,
    )
    assert not soft.records_accuracy
    assert "train_accuracy" not in soft.to_dict()
    mse = fit(
        model, "mse", SGD(model.parameters(), 0.1), data, epochs=1, batch_size=2, verbose=False
    )
    assert sorted(mse.to_dict()) == sorted(
        [
            "train_loss",
            "val_loss",
            "lr",
            "stopped_early",
            "best_epoch",
            "best_val_loss",
            "epoch_time",
        ]
    )


def test_best_val_accuracy_is_the_highest_and_the_earliest_on_a_tie() -> None:
    history = History()
    for train_acc, val_loss, val_acc in [
        (0.5, 0.9, 0.5),
        (0.6, 0.4, 0.9),
        (0.7, 0.3, 0.9),
        (0.8, 0.2, 0.7),
    ]:
        history.append(1.0, val_loss, 0.1, 0.0, train_accuracy=train_acc, val_accuracy=val_acc)
    assert history.best_val_accuracy == 0.9
    assert history.best_val_accuracy_epoch == 2
    assert history.best_epoch == 4  # the lowest loss is elsewhere: the two bests are separate
    assert history.val_accuracy[history.best_epoch - 1] == 0.7
    without_val = History()
    without_val.append(1.0, None, 0.1, 0.0, train_accuracy=0.5, val_accuracy=None)
    assert without_val.best_val_accuracy is None
    assert without_val.best_val_accuracy_epoch is None


def test_history_round_trips_with_accuracy_and_refuses_broken_lists() -> None:
    history = History()
    history.append(0.9, 0.8, 0.1, 1.5, train_accuracy=0.25, val_accuracy=0.5)
    history.append(0.7, 0.6, 0.1, 1.5, train_accuracy=0.75, val_accuracy=1.0)
    data = history.to_dict()
    assert data["train_accuracy"] == [0.25, 0.75]
    assert data["val_accuracy"] == [0.5, 1.0]
    assert data["best_val_accuracy"] == 1.0
    assert data["best_val_accuracy_epoch"] == 2
    again = History.from_dict(data)
    assert again == history
    assert History.from_dict(history.to_dict(include_times=False) | {"epoch_time": [1.5, 1.5]}) == (
        history
    )
    cases: list[tuple[dict[str, object], str]] = [
        ({"val_accuracy": None}, "val_accuracy must be a list"),
        ({"train_accuracy": [0.25]}, "train_accuracy has 1 entries but train_loss has 2"),
        ({"train_accuracy": [0.25, 1.5]}, r"train_accuracy\[1\] is not an accuracy in \[0, 1\]"),
        ({"val_accuracy": [0.5, None]}, r"val_accuracy\[1\] is None but val_loss\[1\] is 0.6"),
    ]
    for change, message in cases:
        with pytest.raises(ValueError, match=message):
            History.from_dict({**data, **change})
    lonely = {k: v for k, v in data.items() if k != "val_accuracy"}
    with pytest.raises(ValueError, match="has train_accuracy but not the other"):
        History.from_dict(lonely)


def test_append_keeps_accuracy_all_or_nothing() -> None:
    plain = History()
    plain.append(1.0, None, 0.1, 0.0)
    with pytest.raises(ValueError, match="cannot start recording accuracy now"):
        plain.append(1.0, None, 0.1, 0.0, train_accuracy=0.5)
    recording = History()
    recording.append(1.0, 0.5, 0.1, 0.0, train_accuracy=0.5, val_accuracy=0.5)
    with pytest.raises(ValueError, match="append needs train_accuracy"):
        recording.append(1.0, 0.5, 0.1, 0.0)
    with pytest.raises(ValueError, match="both be given or both be None"):
        recording.append(1.0, 0.5, 0.1, 0.0, train_accuracy=0.5)


def test_the_epoch_line_and_the_bar_show_accuracy() -> None:
    assert format_epoch_line(3, 60, 0.3, 0.25, 0.1, 0.4, accuracy=0.875, val_accuracy=0.85) == (
        "epoch 3/60 - loss: 0.300000 - accuracy: 0.8750 - val_loss: 0.250000 - "
        "val_accuracy: 0.8500 - lr: 0.1 - 0.4s"
    )
    train, val = _hinge_moons()

    class FakeTTY(io.StringIO):
        def isatty(self) -> bool:
            return True

    for verbose, stream in ((Verbosity.LINES, io.StringIO()), (Verbosity.BAR, FakeTTY())):
        model = MLP(2, [4, 1], rng=0)
        history = fit(
            model,
            "hinge",
            SGD(model.parameters(), 0.1),
            train,
            val,
            epochs=2,
            batch_size=6,
            verbose=verbose,
            stream=stream,
        )
        text = stream.getvalue()
        if verbose is Verbosity.LINES:
            assert f"accuracy: {history.train_accuracy[1]:.4f}" in text.splitlines()[1]
            assert f"val_accuracy: {history.val_accuracy[1]:.4f}" in text.splitlines()[1]
        else:
            assert f"accuracy={history.train_accuracy[1]:.4f}" in text
            assert f"val_accuracy={history.val_accuracy[1]:.4f}" in text
