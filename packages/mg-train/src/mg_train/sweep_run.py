"""`sweep`: every (optimizer, learning rate, seed replica) of a config as one full run.

One table run answers "which optimizer won *here*"; a sweep asks whether the answer survives
other learning rates and other draws of everything random. Each task is one run of the config
with one optimizer, one learning rate and one replica's seeds, and nothing else changes.

**The seed rule.** Replica ``r`` (0, 1, 2, ...) trains with

    split seed   = split.seed   + REPLICA_SEED_STRIDE * r
    model seed   = model.seed   + REPLICA_SEED_STRIDE * r
    shuffle seed = shuffle_seed + REPLICA_SEED_STRIDE * r

(`REPLICA_SEED_STRIDE` = 1000), so replica 0 *is* the config's own run - the table's numbers bit
for bit - and each replica draws its train/validation split, its initial weights and its batch
order from fresh ``random.Random`` streams. The dataset seed is not changed: every replica sees
the same 128 points, partitioned differently. Plain addition, not ``hash()``, so the seeds are
the same on every Python and every ``PYTHONHASHSEED``.

**Parallel and distributed.** A task is plain data - the run's complete config as a JSON-safe
dict - handed to `run_sweep_task`, a top-level function, through any
`concurrent.futures.Executor`: a local ``ProcessPoolExecutor`` by default, or Dask's
``distributed.Client(...).get_executor()`` to leave the machine. Results are put back in the
plan's order (optimizer as in the config, rate ascending, replica ascending), never in the
order they complete, and each run is a pure function of its config, so the result does not
depend on the executor, the worker count or the scheduling.

**Resumable.** With ``runs_dir`` every finished run is written there at once (atomically, by
this process, so remote workers need no shared disk) together with the exact config it ran; a
later sweep over the same directory reuses a file only if that config is identical, and runs
the rest. A file that holds another config (or is not a run record) is refused with
`SweepError` before anything runs.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import math
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, TextIO, Union

from ._atomic import PathLike
from ._sweep_store import Task, load_finished, run_file, store
from .config import ConfigError, ExperimentConfig, parse_config, run_experiment
from .fit import NonFiniteLossError
from .progress import VerbosityLike, resolve_verbosity
from .sweep_progress import SweepProgress
from .sweep_summary import ReplicaSeeds, SweepError, SweepRun, SweepSummary, summarize

__all__ = [
    "REPLICA_SEED_STRIDE",
    "ReplicaSeeds",
    "SweepError",
    "SweepResult",
    "replica_seeds",
    "run_sweep_task",
    "sweep",
]

REPLICA_SEED_STRIDE = 1000
"""Replica ``r`` adds ``REPLICA_SEED_STRIDE * r`` to the split, model and shuffle seeds."""

SEED_RULE = (
    "replica r uses split.seed + 1000 r, model.seed + 1000 r and shuffle_seed + 1000 r; "
    "replica 0 is the config's own run; dataset.seed is unchanged"
)


def replica_seeds(config: ExperimentConfig, replica: int) -> ReplicaSeeds:
    """The seeds of ``replica`` under the rule in the module docstring (replica 0: the config's)."""
    if isinstance(replica, bool) or not isinstance(replica, int) or replica < 0:
        raise SweepError(f"replica must be an int >= 0, got {replica!r}")
    offset = REPLICA_SEED_STRIDE * replica
    return ReplicaSeeds(
        config.split_seed + offset, config.model_seed + offset, config.shuffle_seed + offset
    )


@dataclass(frozen=True)
class SweepResult:
    """Every run of a sweep in plan order, their summary, and how long it all took."""

    config: Mapping[str, object]
    learning_rates: tuple[float, ...]
    replicas: int
    optimizers: tuple[str, ...]
    runs: tuple[SweepRun, ...]
    summary: SweepSummary
    wall_time: float
    executor: str


_ONE_RUN_AT_A_TIME = threading.Lock()
"""mg_autograd's grad mode (``no_grad``, ``detect_anomaly``) is per process, not per thread: a
validation pass under ``no_grad`` in one thread would switch off the graph of a training step
in another. So the runs of one process take turns - which costs nothing for pure-Python work
under the GIL - and a thread pool (or a Dask worker with several threads) still gets the right
numbers; parallelism comes from processes."""


def run_sweep_task(task: Mapping[str, object]) -> dict[str, object]:
    """Run one task of a sweep: ``task["config"]`` is a complete one-optimizer config dict.

    Top level and plain data in, plain data out, so any executor can ship it - a process pool
    pickles it, a Dask worker receives it over the network. A run whose loss turns NaN or
    infinite is a result too (the rate was too high): it comes back with ``diverged`` set.
    """
    with _ONE_RUN_AT_A_TIME:
        return _run_task(task)


def _run_task(task: Mapping[str, object]) -> dict[str, object]:
    config = parse_config(task["config"])
    began = time.perf_counter()
    outcome: dict[str, object] = {
        "optimizer": task["optimizer"],
        "lr": task["lr"],
        "replica": task["replica"],
        "seeds": task["seeds"],
    }
    try:
        row = run_experiment(config, verbose=False).rows()[0]
    except NonFiniteLossError as error:
        outcome.update(
            final_train_loss=None,
            final_val_loss=None,
            best_val_loss=None,
            best_epoch=None,
            diverged={"epoch": error.epoch, "batch": error.batch},
        )
    else:
        outcome.update(
            final_train_loss=row.final_train_loss,
            final_val_loss=row.final_val_loss,
            best_val_loss=row.best_val_loss,
            best_epoch=row.best_epoch,
            diverged=None,
        )
    outcome["wall_seconds"] = time.perf_counter() - began
    return outcome


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SweepError(f"{name} must be a positive integer, got {value!r}")
    return value


def _rates(learning_rates: Optional[Sequence[float]], config: ExperimentConfig) -> list[float]:
    if learning_rates is None:
        return [config.lr]
    if isinstance(learning_rates, (str, bytes)) or not isinstance(learning_rates, Sequence):
        raise SweepError(f"learning_rates must be a list of numbers, got {learning_rates!r}")
    if not learning_rates:
        raise SweepError("learning_rates is empty; give at least one learning rate > 0")
    checked: list[float] = []
    for lr in learning_rates:
        if isinstance(lr, bool) or not isinstance(lr, (int, float)):
            raise SweepError(f"learning rate {lr!r} is not a number")
        if not math.isfinite(lr) or lr <= 0.0:
            raise SweepError(f"learning rate {lr!r} must be a finite number > 0")
        if float(lr) in checked:
            raise SweepError(f"learning rate {lr!r} is listed twice")
        checked.append(float(lr))
    return sorted(checked)


def _chosen(config: ExperimentConfig, optimizers: Optional[Sequence[str]]) -> list[str]:
    names = [opt.name for opt in config.optimizers]
    if optimizers is None:
        return names
    if isinstance(optimizers, str) or not optimizers:
        raise SweepError(f"optimizers must be a non-empty list of names, got {optimizers!r}")
    for name in optimizers:
        if name not in names:
            raise SweepError(
                f"unknown optimizer {name!r}: the config has {', '.join(map(repr, names))}"
            )
        if list(optimizers).count(name) > 1:
            raise SweepError(f"optimizer {name!r} is listed twice")
    return [name for name in names if name in optimizers]


def _plan(
    config: ExperimentConfig, names: Sequence[str], rates: Sequence[float], replicas: int
) -> list[Task]:
    """Every task in result order; each task's config is checked here, before anything runs."""
    by_name = {opt.name: opt for opt in config.optimizers}
    tasks: list[Task] = []
    for name in names:
        for lr in rates:
            for replica in range(replicas):
                seeds = replica_seeds(config, replica)
                run_config = dataclasses.replace(
                    config,
                    lr=lr,
                    split_seed=seeds.split,
                    model_seed=seeds.model,
                    shuffle_seed=seeds.shuffle,
                    optimizers=(by_name[name],),
                )
                as_dict = run_config.to_dict()
                try:
                    parse_config(as_dict)
                except ConfigError as error:
                    raise SweepError(
                        f"the config cannot run with optimizer {name!r} at lr {lr!r}: {error}"
                    ) from None
                tasks.append(Task(name, lr, replica, seeds, as_dict))
    return tasks


def _start_method() -> str:
    """``spawn`` - the same on every OS, and no state of this process (threads, open bars, the
    parent's modules) leaks into a worker - except where the interpreter's process pool can
    only fork: PyPy 7.3.11's stdlib (Python 3.9) calls ``_adjust_process_count``, a method it
    does not define, on every submit under a non-fork context."""
    if hasattr(concurrent.futures.ProcessPoolExecutor, "_adjust_process_count"):
        return "spawn"
    return "fork"


def _default_executor(jobs: int) -> concurrent.futures.Executor:
    """The process pool `sweep` uses when given no executor (see `_start_method`)."""
    return concurrent.futures.ProcessPoolExecutor(
        max_workers=jobs, mp_context=multiprocessing.get_context(_start_method())
    )


def _execute(
    pending: Sequence[tuple[int, Task]],
    executor: Optional[concurrent.futures.Executor],
    jobs: int,
    on_done: Callable[[int, dict[str, object]], None],
) -> str:
    """Run ``pending`` and call ``on_done(index, outcome)`` as each finishes; the executor's
    description is returned for the timings."""
    if not pending:
        return "none (every run was already finished)"
    if executor is None and jobs == 1:
        for index, task in pending:
            on_done(index, run_sweep_task(task.payload()))
        return "in-process (jobs=1)"
    owned = executor is None
    pool = _default_executor(jobs) if executor is None else executor
    try:
        futures = {pool.submit(run_sweep_task, task.payload()): index for index, task in pending}
        for future in concurrent.futures.as_completed(futures):
            on_done(futures[future], future.result())
    except BaseException:
        if owned:
            pool.shutdown(wait=False, cancel_futures=True)
        raise
    if owned:
        pool.shutdown(wait=True)
        return f"ProcessPoolExecutor(max_workers={jobs}, {_start_method()})"
    return type(pool).__module__ + "." + type(pool).__qualname__


def sweep(
    config: Union[ExperimentConfig, Mapping[str, object]],
    *,
    seeds: int,
    learning_rates: Optional[Sequence[float]] = None,
    optimizers: Optional[Sequence[str]] = None,
    executor: Optional[concurrent.futures.Executor] = None,
    jobs: Optional[int] = None,
    runs_dir: Optional[PathLike] = None,
    verbose: VerbosityLike = True,
    stream: Optional[TextIO] = None,
) -> SweepResult:
    """Run every (optimizer, learning rate, replica) of ``config``; see the module docstring.

    ``seeds`` is the number of replicas (replica 0 is the config's own run);
    ``learning_rates`` defaults to the config's ``lr`` (sorted ascending, no duplicates);
    ``optimizers`` picks optimizers by name (default: all, in config order). Tasks run on
    ``executor`` (left running: it is the caller's), else on a spawn-based (see `_start_method`)
    ``ProcessPoolExecutor`` with ``jobs`` workers (default ``os.cpu_count()``), and with
    ``jobs=1`` in this process. Everything is checked before the first run starts: bad
    arguments raise `SweepError`, a config that cannot run `ConfigError` or `SweepError`.
    """
    checked = parse_config(config) if isinstance(config, Mapping) else config
    if not isinstance(checked, ExperimentConfig):
        raise SweepError(f"config must be an ExperimentConfig or a config dict, got {config!r}")
    replicas = _positive_int(seeds, "seeds")
    if executor is not None and jobs is not None:
        raise SweepError("give either executor or jobs, not both")
    if executor is not None and not isinstance(executor, concurrent.futures.Executor):
        raise SweepError(f"executor must be a concurrent.futures.Executor, got {executor!r}")
    workers = _positive_int((os.cpu_count() or 1) if jobs is None else jobs, "jobs")
    names = _chosen(checked, optimizers)
    rates = _rates(learning_rates, checked)
    tasks = _plan(checked, names, rates, replicas)
    out_stream = sys.stderr if stream is None else stream
    mode = resolve_verbosity(verbose, out_stream)

    directory = None if runs_dir is None else Path(runs_dir)
    if directory is not None and directory.exists() and not directory.is_dir():
        raise SweepError(f"runs directory {directory} exists and is not a directory")
    outcomes: dict[int, dict[str, object]] = {}
    if directory is not None:
        for index, task in enumerate(tasks):
            found = load_finished(directory / run_file(task), task)
            if found is not None:
                outcomes[index] = found
    resumed = frozenset(outcomes)
    progress = SweepProgress(len(tasks), len(resumed), mode, out_stream)

    def finished(index: int, outcome: dict[str, object]) -> None:
        if directory is not None:
            store(directory / run_file(tasks[index]), tasks[index], outcome)
        outcomes[index] = outcome
        progress.run_done(outcome)

    began = time.perf_counter()
    pending = [(i, task) for i, task in enumerate(tasks) if i not in outcomes]
    try:
        described = _execute(pending, executor, workers, finished)
    finally:
        progress.close()
    elapsed = time.perf_counter() - began

    runs = tuple(
        SweepRun.from_outcome(outcomes[i], resumed=i in resumed) for i in range(len(tasks))
    )
    return SweepResult(
        config=checked.to_dict(),
        learning_rates=tuple(rates),
        replicas=replicas,
        optimizers=tuple(names),
        runs=runs,
        summary=summarize(runs, names, rates, shared_lr=checked.lr),
        wall_time=elapsed,
        executor=described,
    )
