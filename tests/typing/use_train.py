"""A user's code against mg_train: every public name, with the types a checker must infer."""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from pathlib import Path
from typing import assert_type

import mg_train
from mg_autograd import Value
from mg_nn import MLP, mse_loss
from mg_optim import SGD, Adam, Momentum, Optimizer, StepLR
from mg_train import (
    ARTIFACT_NAMES,
    CHECKPOINT_FORMAT_VERSION,
    LOSSES,
    NONDETERMINISTIC_SECTIONS,
    ArtifactReport,
    Batch,
    BatchLoss,
    Callback,
    CheckpointError,
    Comparison,
    ConfigError,
    Dataset,
    EarlyStopping,
    ExperimentConfig,
    History,
    LoadedCheckpoint,
    Model,
    NonFiniteLossError,
    OptimizerConfig,
    OptimizerFactory,
    Run,
    Scheduler,
    SchedulerFactory,
    TableRow,
    Verbosity,
    VerbosityLike,
    compare_optimizers,
    diff_results,
    environment,
    evaluate,
    fit,
    format_epoch_line,
    format_table,
    get_loss,
    iterate_batches,
    load_checkpoint,
    load_config,
    load_results,
    make_moons,
    make_sine_regression,
    parse_config,
    results_document,
    run_experiment,
    save_checkpoint,
    train_val_split,
    write_artifacts,
)

assert_type(mg_train.__version__, str)

data = make_sine_regression(64, noise=0.05, seed=0)
moons = make_moons(64, noise=0.1, seed=1)
assert_type(data, Dataset)
train, val = train_val_split(data, 0.25, 1)
assert_type(train, Dataset)
for batch in iterate_batches(train, 8, random.Random(3)):
    assert_type(batch, Batch)


def my_loss(outputs: Sequence[Sequence[Value]], targets: Sequence[Sequence[float]]) -> Value:
    return mse_loss([row[0] for row in outputs], [row[0] for row in targets])


loss: BatchLoss = my_loss
assert_type(get_loss("mse"), BatchLoss)
assert_type(LOSSES["mse"], BatchLoss)

model: Model = MLP(2, [8, 1], rng=2)
optimizer = Adam(model.parameters(), lr=0.01)
scheduler: Scheduler = StepLR(optimizer, 10)
quiet: VerbosityLike = Verbosity.SILENT
stopper: Callback = EarlyStopping(patience=3, min_delta=0.0)
history = fit(
    model,
    loss,
    optimizer,
    train,
    val,
    epochs=3,
    batch_size=8,
    seed=3,
    scheduler=scheduler,
    clip_grad_norm=1.0,
    callbacks=[stopper],
    checkpoint=Path("ckpt.json"),
    verbose=quiet,
    stream=io.StringIO(),
)
assert_type(history, History)
assert_type(history.train_loss, list[float])
assert_type(history.best_epoch, int | None)
assert_type(evaluate(model, "mse", val), float)
assert_type(format_epoch_line(3, 60, 0.1, 0.2, 0.01, 0.4), str)

restored = load_checkpoint(
    "ckpt.json", model=model, optimizer=optimizer, scheduler=scheduler, rng=random.Random(3)
)
assert_type(restored, LoadedCheckpoint)
assert_type(restored.epoch, int)
save_checkpoint(
    "ckpt.json",
    model=model,
    optimizer=optimizer,
    scheduler=None,
    rng=random.Random(3),
    epoch=restored.epoch,
    history=restored.history,
)
assert_type(CHECKPOINT_FORMAT_VERSION, int)

factories: dict[str, OptimizerFactory] = {
    "SGD": lambda params: SGD(params, 0.01),
    "Momentum": lambda params: Momentum(params, 0.01, momentum=0.9),
}
schedule: SchedulerFactory = lambda opt: StepLR(opt, 5)  # noqa: E731
comparison = compare_optimizers(
    lambda: MLP(2, [8, 1], rng=2),
    factories,
    "mse",
    train,
    val,
    epochs=2,
    batch_size=8,
    scheduler_factory=schedule,
    verbose=False,
)
assert_type(comparison, Comparison)
assert_type(comparison.runs, tuple[Run, ...])
assert_type(comparison.rows(), list[TableRow])
assert_type(format_table(comparison.rows()), str)
report = write_artifacts(comparison, "out", plot=False)
assert_type(report, ArtifactReport)
assert_type(results_document(comparison), dict[str, object])
assert_type(environment(), dict[str, object])
assert_type(load_results("out/results.json"), dict[str, object])
assert_type(ARTIFACT_NAMES[0], str)
assert_type(NONDETERMINISTIC_SECTIONS[0], str)

config = load_config("config.json")
assert_type(config, ExperimentConfig)
assert_type(parse_config({"epochs": 1}), ExperimentConfig)
assert_type(config.optimizers[0], OptimizerConfig)
assert_type(run_experiment(config, verbose=False), Comparison)
diff_results(results_document(comparison), load_results("reference.json"))

errors: tuple[type[Exception], ...] = (CheckpointError, ConfigError, NonFiniteLossError)
opt: Optimizer = optimizer
