"""`mg_train.table`: a row read off a hand-built `History`, its dict, and the Markdown table as
exact text (losses to six decimals, accuracy to four, '-' for what a run does not have). The
expected rows are written out by hand from the histories below."""

from __future__ import annotations

import re

import pytest
from mg_train import History, TableRow, format_table


def _history(*, accuracy: bool) -> History:
    history = History()
    epochs = [(0.5, 0.6, 0.5, 0.25), (0.4, 0.2, 0.75, 0.75), (0.3, 0.25, 0.875, 0.5)]
    for train, val, train_acc, val_acc in epochs:
        if accuracy:
            history.append(train, val, 0.1, 0.0, train_accuracy=train_acc, val_accuracy=val_acc)
        else:
            history.append(train, val, 0.1, 0.0)
    return history


PLAIN = TableRow("SGD", 0.3, 0.25, 0.2, 2, 1.5)
WITH_ACCURACY = TableRow("Adam", 0.3, 0.25, 0.2, 2, 2.5, 0.875, 0.5, 0.75, 2)


def test_a_row_holds_the_last_epoch_and_the_best_validation_epoch() -> None:
    row = TableRow.from_history("SGD", _history(accuracy=False), 1.5)
    assert row == PLAIN
    assert not row.has_accuracy


def test_a_classification_row_adds_final_and_highest_accuracy() -> None:
    row = TableRow.from_history("Adam", _history(accuracy=True), 2.5)
    assert row == WITH_ACCURACY
    assert row.has_accuracy


def test_a_single_epoch_is_enough_for_a_row() -> None:
    history = History()
    history.append(0.7, None, 0.1, 0.0)
    assert TableRow.from_history("SGD", history, 0.0) == TableRow("SGD", 0.7, None, None, 1, 0.0)


def test_a_run_without_a_finished_epoch_has_no_row() -> None:
    message = "run 'SGD' has no finished epoch to put in the table"
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        TableRow.from_history("SGD", History(), 0.0)


def test_the_dict_has_the_card_columns_then_accuracy_then_wall_time() -> None:
    assert list(PLAIN.to_dict().items()) == [
        ("optimizer", "SGD"),
        ("final_train_loss", 0.3),
        ("final_val_loss", 0.25),
        ("best_val_loss", 0.2),
        ("best_epoch", 2),
        ("wall_time", 1.5),
    ]
    assert list(WITH_ACCURACY.to_dict(include_time=False).items()) == [
        ("optimizer", "Adam"),
        ("final_train_loss", 0.3),
        ("final_val_loss", 0.25),
        ("best_val_loss", 0.2),
        ("best_epoch", 2),
        ("final_train_accuracy", 0.875),
        ("final_val_accuracy", 0.5),
        ("best_val_accuracy", 0.75),
        ("best_val_accuracy_epoch", 2),
    ]
    assert WITH_ACCURACY.to_dict()["wall_time"] == 2.5


def test_the_table_of_runs_without_accuracy_has_the_five_card_columns() -> None:
    no_val = TableRow("Momentum", 1.0 / 3.0, None, None, None, 0.0)
    assert format_table([PLAIN, no_val]) == (
        "| Optimizer | Final Train Loss | Final Val Loss | Best Val Loss | Best Epoch |\n"
        "|---|---|---|---|---|\n"
        "| SGD | 0.300000 | 0.250000 | 0.200000 | 2 |\n"
        "| Momentum | 0.333333 | - | - | - |\n"
    )


def test_one_classification_run_adds_four_accuracy_columns_to_every_row() -> None:
    no_val = TableRow("Momentum", 0.125, None, None, 3, 0.0, 2.0 / 3.0, None, None, None)
    assert format_table([PLAIN, WITH_ACCURACY, no_val]) == (
        "| Optimizer | Final Train Loss | Final Val Loss | Best Val Loss | Best Epoch |"
        " Final Train Acc | Final Val Acc | Best Val Acc | Best Acc Epoch |\n"
        "|---|---|---|---|---|---|---|---|---|\n"
        "| SGD | 0.300000 | 0.250000 | 0.200000 | 2 | - | - | - | - |\n"
        "| Adam | 0.300000 | 0.250000 | 0.200000 | 2 | 0.8750 | 0.5000 | 0.7500 | 2 |\n"
        "| Momentum | 0.125000 | - | - | 3 | 0.6667 | - | - | - |\n"
    )


def test_an_empty_table_is_its_header() -> None:
    assert format_table([]) == (
        "| Optimizer | Final Train Loss | Final Val Loss | Best Val Loss | Best Epoch |\n"
        "|---|---|---|---|---|\n"
    )
