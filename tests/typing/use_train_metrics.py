"""A user's classification run against mg_train: accuracy, the table, the decision boundary."""

from __future__ import annotations

import random
from typing import assert_type

from mg_nn import MLP
from mg_optim import SGD
from mg_train import (
    CLASSIFICATION_LOSSES,
    Comparison,
    ComparisonSetup,
    DecisionGrid,
    History,
    MissingMatplotlib,
    TableRow,
    accuracy,
    compare_optimizers,
    count_correct,
    decision_grid,
    fit,
    format_epoch_line,
    has_class_labels,
    load_checkpoint,
    make_moons,
    plot_decision_boundary,
    plot_loss_curves,
    predict_labels,
    train_val_split,
)

assert_type(CLASSIFICATION_LOSSES, tuple[str, str, str])
assert_type(predict_labels("cross_entropy", [0.1, 0.7, 0.2]), list[float])
assert_type(count_correct("hinge", [[0.5], [-0.5]], [[1.0], [1.0]]), tuple[int, int])
assert_type(accuracy("bce_with_logits", [[2.0]], [[1.0]]), float)
assert_type(has_class_labels("bce_with_logits", [(0.0,), (1.0,)]), bool)

train, val = train_val_split(make_moons(64, noise=0.1, seed=0), 0.25, seed=1)
model = MLP(2, [8, 1], rng=2)
optimizer = SGD(model.parameters(), 0.1)
history = fit(
    model, "bce_with_logits", optimizer, train, val, epochs=2, batch_size=8, verbose=False
)
assert_type(history, History)
assert_type(history.records_accuracy, bool)
assert_type(history.train_accuracy, list[float])
assert_type(history.val_accuracy, list[float | None])
assert_type(history.best_val_accuracy, float | None)
assert_type(history.best_val_accuracy_epoch, int | None)
history.append(0.5, 0.4, 0.1, 0.2, train_accuracy=0.75, val_accuracy=0.8)
line = format_epoch_line(3, 60, 0.3, 0.25, 0.1, 0.4, accuracy=0.875, val_accuracy=0.85)
assert_type(line, str)
restored = load_checkpoint(
    "run.json",
    model=model,
    optimizer=optimizer,
    scheduler=None,
    rng=random.Random(0),
    records_accuracy=True,
)
assert_type(restored.history.val_accuracy, list[float | None])

comparison = compare_optimizers(
    lambda: MLP(2, [8, 1], rng=2),
    {"SGD": lambda params: SGD(params, 0.1)},
    "bce_with_logits",
    train,
    val,
    epochs=2,
    batch_size=8,
    verbose=False,
)
assert_type(comparison, Comparison)
assert_type(comparison.setup, ComparisonSetup | None)
row = comparison.rows()[0]
assert_type(row, TableRow)
assert_type(row.final_val_accuracy, float | None)
assert_type(row.best_val_accuracy_epoch, int | None)
assert_type(row.has_accuracy, bool)
assert_type(TableRow.from_history("SGD", history, 1.0), TableRow)

grid = decision_grid(model, "bce_with_logits", [train, val], steps=21)
assert_type(grid, DecisionGrid)
assert_type(grid.labels, tuple[tuple[float, ...], ...])
assert_type(grid.xs, tuple[float, ...])
try:
    png = plot_decision_boundary(
        [("SGD", model)], "bce_with_logits", train, val, conditions="SGD, lr 0.1", steps=21
    )
    assert_type(png, bytes)
    assert_type(plot_loss_curves(comparison), bytes)
except MissingMatplotlib as missing:
    assert_type(missing, MissingMatplotlib)
