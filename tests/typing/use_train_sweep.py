"""A user's sweep against mg_train: every sweep name, with the types a checker must infer."""

from __future__ import annotations

import concurrent.futures
import io
from pathlib import Path
from typing import assert_type

from mg_train import (
    REPLICA_SEED_STRIDE,
    SWEEP_ARTIFACT_NAMES,
    ArtifactReport,
    LossStats,
    ReplicaSeeds,
    SweepCell,
    SweepError,
    SweepResult,
    SweepRun,
    SweepSummary,
    format_sweep_report,
    load_config,
    replica_seeds,
    run_sweep_task,
    summarize,
    sweep,
    sweep_document,
    write_sweep_artifacts,
)

config = load_config("experiment.json")
assert_type(REPLICA_SEED_STRIDE, int)
seeds = replica_seeds(config, 1)
assert_type(seeds, ReplicaSeeds)
assert_type(seeds.split, int)

with concurrent.futures.ThreadPoolExecutor(2) as pool:
    result = sweep(
        config,
        seeds=3,
        learning_rates=[0.001, 0.01, 0.1],
        optimizers=["SGD", "Adam"],
        executor=pool,
        runs_dir=Path("out/runs"),
        verbose=False,
        stream=io.StringIO(),
    )
assert_type(result, SweepResult)
assert_type(result.learning_rates, tuple[float, ...])
assert_type(sweep({"lr": 0.01}, seeds=1, jobs=1), SweepResult)

run = result.runs[0]
assert_type(run, SweepRun)
assert_type(run.best_val_loss, float | None)
assert_type(run.diverged_at, tuple[int, int | None] | None)
assert_type(run.to_dict(), dict[str, object])
assert_type(SweepRun.from_outcome(run_sweep_task({"config": {}}), resumed=False), SweepRun)

summary = result.summary
assert_type(summary, SweepSummary)
assert_type(summarize(result.runs, ["SGD"], [0.01], shared_lr=0.01), SweepSummary)
cell = summary.cell("Adam", 0.01)
assert_type(cell, SweepCell)
assert_type(cell.best_val_loss, LossStats | None)
assert_type(LossStats.of([0.1, 0.2]).std, float | None)
assert_type(summary.wins_at(0.01), dict[str, int])
assert_type(summary.ties_at(0.01), int)
assert_type(summary.best_rate("Adam"), SweepCell | None)

assert_type(sweep_document(result), dict[str, object])
assert_type(format_sweep_report(result), str)
report = write_sweep_artifacts(result, "out", plot=False)
assert_type(report, ArtifactReport)
assert_type(SWEEP_ARTIFACT_NAMES, tuple[str, str, str, str])

try:
    sweep(config, seeds=0)
except SweepError as error:
    assert_type(error, SweepError)
