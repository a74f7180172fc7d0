"""`mg_train.metrics`: the exact errors a user sees (each names the loss and the value), what
counts as a class label at its boundaries, and hand-counted batches. Every expected count is
worked out by hand from the rules in the module docstring (logit > 0, score > 0, argmax with the
lowest index on a tie)."""

from __future__ import annotations

import pytest
from message_kit import exactly
from mg_train import accuracy, count_correct, has_class_labels, predict_labels


@pytest.mark.parametrize("loss", ["mse", "BCE_WITH_LOGITS", 3])
def test_a_loss_without_classes_is_named_in_the_refusal(loss: object) -> None:
    expected = (
        f"accuracy is defined for the losses bce_with_logits, cross_entropy, hinge; got {loss!r}"
    )
    for call in (
        lambda: predict_labels(loss, [1.0]),  # type: ignore[arg-type]
        lambda: has_class_labels(loss, [[1.0]]),  # type: ignore[arg-type]
        lambda: count_correct(loss, [[1.0]], [[1.0]]),  # type: ignore[arg-type]
    ):
        with pytest.raises(ValueError, match=exactly(expected)):
            call()


@pytest.mark.parametrize(
    ("loss", "targets", "expected"),
    [
        ("bce_with_logits", [[0.0], [1.0]], True),
        ("bce_with_logits", [[0.0, 1.0]], True),  # several outputs, each a 0/1 label
        ("bce_with_logits", [[1.0], [0.3]], False),  # a soft target is no label
        ("bce_with_logits", [[-1.0]], False),
        ("bce_with_logits", [[2.0]], False),
        ("hinge", [[-1.0], [1.0]], True),
        ("hinge", [[0.0]], False),
        ("hinge", [[-2.0]], False),
        ("hinge", [[2.0]], False),
        ("cross_entropy", [[0.0], [1.0], [2.0]], True),  # class index 0 is a label
        ("cross_entropy", [[-1.0]], False),
        ("cross_entropy", [[1.5]], False),
        ("cross_entropy", [[0.0, 1.0]], False),  # one index per row, not one-hot
        ("cross_entropy", [[]], False),
        ("hinge", [], True),
    ],
)
def test_class_labels_at_their_boundaries(
    loss: str, targets: list[list[float]], expected: bool
) -> None:
    assert has_class_labels(loss, targets) is expected


@pytest.mark.parametrize(
    ("loss", "scores", "expected"),
    [
        ("bce_with_logits", [0.5, 1.0, -3.0], [1.0, 1.0, 0.0]),  # 1.0 and 0.5 are both > 0
        ("hinge", [0.5, 1.0, -3.0], [1.0, 1.0, -1.0]),
        ("bce_with_logits", [0.0], [0.0]),  # logit 0 is probability 1/2: class 0 (Keras > 0.5)
        ("hinge", [0.0, -0.0], [-1.0, -1.0]),  # a zero score is -1 (micrograd's score > 0)
        ("cross_entropy", [4.0], [0.0]),
        ("cross_entropy", [0.1, 0.3], [1.0]),
        ("cross_entropy", [0.1, 0.2, 0.3], [2.0]),
        ("cross_entropy", [3.0, 1.0, 3.0], [0.0]),  # tie between 0 and 2: the lowest index
        ("cross_entropy", [1, 2], [1.0]),  # ints are numbers too
    ],
)
def test_predictions_follow_the_documented_rules(
    loss: str, scores: list[float], expected: list[float]
) -> None:
    assert predict_labels(loss, scores) == expected


def test_a_sample_without_outputs_is_refused() -> None:
    with pytest.raises(ValueError, match=exactly("hinge: a sample has no outputs to predict from")):
        predict_labels("hinge", [])


@pytest.mark.parametrize(
    ("score", "shown"), [(True, "bool: True"), ("0.5", "str: '0.5'"), (None, "NoneType: None")]
)
def test_a_score_that_is_no_number_is_named(score: object, shown: str) -> None:
    message = f"bce_with_logits: score 1 must be a number, got {shown}"
    with pytest.raises(TypeError, match=exactly(message)):
        predict_labels("bce_with_logits", [0.0, score])  # type: ignore[list-item]


def test_a_non_finite_score_is_named_with_its_position() -> None:
    with pytest.raises(ValueError, match=exactly("cross_entropy: score 2 is not finite: nan")):
        predict_labels("cross_entropy", [0.0, 1.0, float("nan")])


def test_a_hand_counted_batch_of_each_loss() -> None:
    # bce: logits 2, -1, 0.5, 0 -> classes 1, 0, 1, 0 against targets 1, 1, 1, 0: 3 of 4
    assert count_correct(
        "bce_with_logits", [[2.0], [-1.0], [0.5], [0.0]], [[1], [1], [1], [0]]
    ) == (
        3,
        4,
    )
    # hinge, two outputs per sample: (+1, -1) vs (+1, +1), (-1, +1) vs (-1, +1): 3 of 4
    assert count_correct("hinge", [[0.2, -0.2], [-5.0, 5.0]], [[1.0, 1.0], [-1.0, 1.0]]) == (3, 4)
    # cross entropy: argmax 1, 0, 2 against 1, 1, 2: 2 of 3 rows
    scores = [[0.0, 1.0, 0.5], [2.0, 1.0, 0.0], [0.0, 0.0, 9.0]]
    assert count_correct("cross_entropy", scores, [[1.0], [1.0], [2.0]]) == (2, 3)
    assert accuracy("cross_entropy", scores, [[1.0], [1.0], [2.0]]) == 2 / 3
    assert accuracy("hinge", [[1.0], [1.0]], [[1.0], [1.0]]) == 1.0
    assert accuracy("hinge", [[1.0], [1.0]], [[-1.0], [-1.0]]) == 0.0
    assert count_correct("hinge", [], []) == (0, 0)


def test_rows_that_do_not_pair_up_are_refused_with_both_counts() -> None:
    with pytest.raises(ValueError, match=exactly("hinge: got 2 score rows but 1 target rows")):
        count_correct("hinge", [[1.0], [1.0]], [[1.0]])
    message = "bce_with_logits: sample 1 has 2 outputs but target (1.0,); they do not match"
    with pytest.raises(ValueError, match=exactly(message)):
        count_correct("bce_with_logits", [[1.0], [1.0, 0.0]], [[1.0], [1.0]])


def test_a_target_that_is_no_label_is_named_with_its_row() -> None:
    message = (
        "bce_with_logits: target row 1 is (1.0, 0.3), which holds no class label, "
        "so accuracy is undefined for it"
    )
    with pytest.raises(ValueError, match=exactly(message)):
        count_correct("bce_with_logits", [[1.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 0.3]])


def test_an_empty_batch_has_no_accuracy() -> None:
    with pytest.raises(ValueError, match=exactly("hinge: accuracy of an empty batch is undefined")):
        accuracy("hinge", [], [])
