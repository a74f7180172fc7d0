"""`mg_train.sweep_run`: one task's outcome, the tasks `sweep` hands an executor (their exact
configs), which executor runs them (and how the result says so), and every refusal, with the
message a user sees. A tiny config (8 samples, one epoch) keeps each run to milliseconds; an
in-line executor or a patched `_default_executor` keeps process pools out of all but one test."""

from __future__ import annotations

import concurrent.futures
import io
import os
import time
from collections.abc import Callable
from typing import TypeVar

import pytest
from mg_train import (
    NonFiniteLossError,
    Verbosity,
    parse_config,
    run_experiment,
    run_sweep_task,
    sweep,
)
from mg_train import sweep_run as sweep_module
from sweep_kit import sweep_config

T = TypeVar("T")
OUTCOME_KEYS = [
    "best_epoch",
    "best_val_loss",
    "diverged",
    "final_train_loss",
    "final_val_loss",
    "lr",
    "optimizer",
    "replica",
    "seeds",
    "wall_seconds",
]


class InlineExecutor(concurrent.futures.Executor):
    """Runs each task at submission, in this thread, and keeps what it was given."""

    def __init__(self) -> None:
        self.tasks: list[dict[str, object]] = []

    def submit(  # type: ignore[override]
        self, fn: Callable[[dict[str, object]], T], task: dict[str, object]
    ) -> concurrent.futures.Future[T]:
        self.tasks.append(task)
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        future.set_result(fn(task))
        return future


def test_a_task_outcome_is_the_table_row_of_its_config(capsys: pytest.CaptureFixture[str]) -> None:
    config = parse_config({**sweep_config("adam"), "lr": 0.02})
    seeds = {"split": 1, "model": 2, "shuffle": 3}
    task = {"optimizer": "Adam", "lr": 0.02, "replica": 0, "seeds": seeds}
    before = time.perf_counter()
    outcome = run_sweep_task({**task, "config": config.to_dict()})
    elapsed = time.perf_counter() - before
    (row,) = run_experiment(config, verbose=False).rows()
    assert sorted(outcome) == OUTCOME_KEYS
    assert {k: outcome[k] for k in task} == task
    assert (outcome["final_train_loss"], outcome["final_val_loss"]) == (
        row.final_train_loss,
        row.final_val_loss,
    )
    assert (outcome["best_val_loss"], outcome["best_epoch"]) == (row.best_val_loss, row.best_epoch)
    assert outcome["diverged"] is None
    seconds = outcome["wall_seconds"]
    assert isinstance(seconds, float)
    assert 0.0 < seconds <= elapsed
    assert capsys.readouterr() == ("", "")  # a task prints nothing, wherever it runs


def test_a_diverging_task_reports_where_the_loss_blew_up() -> None:
    config = parse_config({**sweep_config("sgd"), "lr": 1e100})
    with pytest.raises(NonFiniteLossError) as blown:
        run_experiment(config, verbose=False)
    task = {"optimizer": "SGD", "lr": 1e100, "replica": 1, "seeds": {}, "config": config.to_dict()}
    outcome = run_sweep_task(task)
    assert sorted(outcome) == OUTCOME_KEYS
    assert outcome["diverged"] == {"epoch": blown.value.epoch, "batch": blown.value.batch}
    assert [outcome[k] for k in ("final_train_loss", "final_val_loss", "best_val_loss")] == [
        None,
        None,
        None,
    ]
    assert outcome["best_epoch"] is None


def test_each_task_is_the_config_with_one_optimizer_rate_and_replica_seeds() -> None:
    executor = InlineExecutor()
    result = sweep(
        sweep_config(), seeds=2, learning_rates=[0.1, 0.01], executor=executor, verbose=False
    )
    keys = [(t["optimizer"], t["lr"], t["replica"]) for t in executor.tasks]
    assert keys == [(o, lr, r) for o in ("SGD", "Adam") for lr in (0.01, 0.1) for r in (0, 1)]
    last = executor.tasks[-1]
    assert last["seeds"] == {"split": 1001, "model": 1002, "shuffle": 1003}
    config = last["config"]
    assert isinstance(config, dict)
    assert (config["lr"], config["shuffle_seed"]) == (0.1, 1003)
    assert config["split"] == {"val_fraction": 0.25, "seed": 1001}
    assert config["model"]["seed"] == 1002
    assert [o["name"] for o in config["optimizers"]] == ["Adam"]
    assert parse_config(config) == parse_config(
        {
            **sweep_config("adam"),
            "lr": 0.1,
            "shuffle_seed": 1003,
            "split": config["split"],
            "model": {"hidden": [2], "activation": "relu", "seed": 1002},
        }
    )
    assert result.executor == f"{InlineExecutor.__module__}.InlineExecutor"
    assert (result.learning_rates, result.replicas, result.optimizers) == (
        (0.01, 0.1),
        2,
        ("SGD", "Adam"),
    )
    assert result.config == parse_config(sweep_config()).to_dict()
    assert [r.resumed for r in result.runs] == [False] * 8
    assert result.summary.shared_lr == 0.05
    assert [(c.optimizer, c.lr, c.runs) for c in result.summary.cells] == [
        ("SGD", 0.01, 2),
        ("SGD", 0.1, 2),
        ("Adam", 0.01, 2),
        ("Adam", 0.1, 2),
    ]


def test_one_job_runs_in_this_process_and_says_so() -> None:
    began = time.perf_counter()
    result = sweep(parse_config(sweep_config("sgd")), seeds=1, jobs=1, verbose=False)
    assert result.executor == "in-process (jobs=1)"
    assert 0.0 < result.wall_time <= time.perf_counter() - began
    assert result.optimizers == ("SGD",)
    assert result.learning_rates == (0.05,)


def test_a_thread_pool_is_named_by_its_class() -> None:
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        result = sweep(sweep_config("sgd"), seeds=2, executor=pool, verbose=False)
    assert result.executor == "concurrent.futures.thread.ThreadPoolExecutor"


class SpyPool(concurrent.futures.ThreadPoolExecutor):
    def __init__(self, jobs: int) -> None:
        super().__init__(jobs)
        self.jobs = jobs
        self.shutdowns: list[tuple[bool, bool]] = []

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.shutdowns.append((bool(wait), bool(cancel_futures)))
        super().shutdown(wait=True, cancel_futures=cancel_futures)


@pytest.mark.parametrize(("jobs", "cpus", "workers"), [(3, None, 3), (None, 4, 4), (None, None, 1)])
def test_without_an_executor_jobs_or_every_cpu_work_in_a_pool_of_its_own(
    monkeypatch: pytest.MonkeyPatch, jobs: object, cpus: object, workers: int
) -> None:
    made: list[SpyPool] = []

    def spy(count: int) -> SpyPool:
        made.append(SpyPool(count))
        return made[-1]

    monkeypatch.setattr(sweep_module, "_default_executor", spy)
    monkeypatch.setattr(os, "cpu_count", lambda: cpus)
    result = sweep(sweep_config("sgd"), seeds=2, jobs=jobs, verbose=False)  # type: ignore[arg-type]
    if workers == 1:
        assert (result.executor, made) == ("in-process (jobs=1)", [])
        return
    method = sweep_module._start_method()
    assert result.executor == f"ProcessPoolExecutor(max_workers={workers}, {method})"
    assert [(pool.jobs, pool.shutdowns) for pool in made] == [(workers, [(True, False)])]


class Interrupted(Exception):
    pass


class BrokenStream(io.StringIO):
    def write(self, text: str) -> int:
        raise Interrupted


def test_a_failure_in_an_owned_pool_cancels_what_has_not_started(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[SpyPool] = []

    def spy(count: int) -> SpyPool:
        made.append(SpyPool(count))
        return made[-1]

    monkeypatch.setattr(sweep_module, "_default_executor", spy)
    with pytest.raises(Interrupted):
        sweep(sweep_config("sgd"), seeds=2, jobs=2, verbose=Verbosity.LINES, stream=BrokenStream())
    assert [pool.shutdowns for pool in made] == [[(False, True)]]


def test_the_default_pool_spawns_the_asked_number_of_workers() -> None:
    # the documented rule: spawn, unless the pool lacks _adjust_process_count (PyPy 3.9: fork)
    can_spawn = hasattr(concurrent.futures.ProcessPoolExecutor, "_adjust_process_count")
    expected = "spawn" if can_spawn else "fork"
    pool = sweep_module._default_executor(3)
    try:
        assert pool._max_workers == 3  # type: ignore[attr-defined]
        method = pool._mp_context.get_start_method()  # type: ignore[attr-defined]
        assert method == sweep_module._start_method() == expected
    finally:
        pool.shutdown()
