"""`sweep`: replica 0 is the table run, the seed rule, executor independence, aggregates,
divergence, resuming and progress - on tiny configs (24 samples, 3 epochs) so it stays fast."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import io
import json
import re
import statistics
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Optional, TypeVar

import pytest
from mg_train import (
    REPLICA_SEED_STRIDE,
    SweepError,
    SweepResult,
    Verbosity,
    diff_results,
    parse_config,
    replica_seeds,
    run_experiment,
    sweep,
    sweep_document,
)

T = TypeVar("T")


def tiny_config() -> dict[str, object]:
    """Three optimizers on 24 samples for 3 epochs: a whole run takes milliseconds."""
    return {
        "dataset": {"name": "sine_regression", "n_samples": 24, "noise": 0.05, "seed": 0},
        "split": {"val_fraction": 0.25, "seed": 1},
        "model": {"hidden": [3], "activation": "relu", "seed": 2},
        "loss": "mse",
        "lr": 0.05,
        "epochs": 3,
        "batch_size": 8,
        "shuffle_seed": 3,
        "optimizers": [{"type": "sgd"}, {"type": "momentum"}, {"type": "adam"}],
    }


RATES = [0.05, 0.02]


def _document(result: SweepResult) -> str:
    """sweep.json without the environment and timings sections, as exact text."""
    document = sweep_document(result)
    for key in ("environment", "timings"):
        document.pop(key)
    return json.dumps(document, sort_keys=True)


def _two_optimizers() -> dict[str, object]:
    config = tiny_config()
    config["optimizers"] = [{"type": "momentum"}, {"type": "adam"}]
    return config


@pytest.fixture(scope="module")
def in_process() -> SweepResult:
    return sweep(_two_optimizers(), seeds=3, learning_rates=RATES, jobs=1, verbose=False)


def test_replica_zero_is_the_table_run_bit_for_bit() -> None:
    config = parse_config(tiny_config())
    result = sweep(config, seeds=2, jobs=1, verbose=False)
    table = run_experiment(config, verbose=False).rows()
    zeros = [run for run in result.runs if run.replica == 0]
    assert [run.optimizer for run in zeros] == [row.optimizer for row in table]
    for run, row in zip(zeros, table):
        assert run.lr == config.lr
        assert run.to_dict()["final_train_loss"] == row.final_train_loss
        assert (run.final_val_loss, run.best_val_loss) == (row.final_val_loss, row.best_val_loss)
        assert run.best_epoch == row.best_epoch


def test_replica_r_follows_the_stated_seed_rule() -> None:
    config = parse_config(tiny_config())
    seeds = replica_seeds(config, 2)
    assert REPLICA_SEED_STRIDE == 1000
    assert (seeds.split, seeds.model, seeds.shuffle) == (1 + 2000, 2 + 2000, 3 + 2000)
    assert replica_seeds(config, 0).to_dict() == {"split": 1, "model": 2, "shuffle": 3}
    by_hand = tiny_config()
    by_hand["split"] = {"val_fraction": 0.25, "seed": 1001}
    by_hand["model"] = {"hidden": [3], "activation": "relu", "seed": 1002}
    by_hand["shuffle_seed"] = 1003
    by_hand["lr"] = 0.02
    expected = run_experiment(parse_config(by_hand), verbose=False).rows()
    result = sweep(config, seeds=2, learning_rates=[0.02], jobs=1, verbose=False)
    ones = [run for run in result.runs if run.replica == 1]
    assert [(r.best_val_loss, r.final_train_loss) for r in ones] == [
        (row.best_val_loss, row.final_train_loss) for row in expected
    ]
    assert ones[0].seeds.to_dict() == {"split": 1001, "model": 1002, "shuffle": 1003}
    assert len({r.best_val_loss for r in result.runs if r.optimizer == "SGD"}) == 2
    with pytest.raises(SweepError, match="-1"):
        replica_seeds(config, -1)


def test_the_plan_order_is_optimizer_then_rate_ascending_then_replica(
    in_process: SweepResult,
) -> None:
    keys = [(run.optimizer, run.lr, run.replica) for run in in_process.runs]
    expected = [(o, lr, r) for o in ("Momentum", "Adam") for lr in (0.02, 0.05) for r in range(3)]
    assert keys == expected
    assert in_process.learning_rates == (0.02, 0.05)


class ReversedExecutor(concurrent.futures.Executor):
    """Completes the tasks in the reverse of their submission order, once all have arrived."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.calls: list[tuple[Callable[[dict[str, object]], object], dict[str, object]]] = []
        self.futures: list[concurrent.futures.Future[object]] = []
        self.order: list[int] = []
        self._lock = threading.Lock()

    def submit(  # type: ignore[override]
        self, fn: Callable[[dict[str, object]], T], task: dict[str, object]
    ) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        with self._lock:
            self.calls.append((fn, task))
            self.futures.append(future)  # type: ignore[arg-type]
            if len(self.futures) == self.expected:
                threading.Thread(target=self._finish_backwards).start()
        return future

    def _finish_backwards(self) -> None:
        for index in reversed(range(len(self.futures))):
            fn, task = self.calls[index]
            self.order.append(index)
            self.futures[index].set_result(fn(task))


def _executors() -> Iterable[
    tuple[str, Callable[[], Optional[concurrent.futures.Executor]], Optional[int]]
]:
    # Factories, not executors: a parametrize list is built once per process, and an executor
    # shut down by one run of the test could not serve the next (pytest run twice in-process).
    yield "jobs=2 (process pool)", lambda: None, 2
    yield "thread pool of 3", lambda: concurrent.futures.ThreadPoolExecutor(3), None
    yield "reversed completion", lambda: ReversedExecutor(12), None


@pytest.mark.parametrize(
    ("label", "make_executor", "jobs"), list(_executors()), ids=[e[0] for e in _executors()]
)
def test_any_executor_gives_the_same_sweep_bit_for_bit(
    in_process: SweepResult,
    label: str,
    make_executor: Callable[[], Optional[concurrent.futures.Executor]],
    jobs: Optional[int],
) -> None:
    executor = make_executor()
    result = sweep(
        _two_optimizers(),
        seeds=3,
        learning_rates=RATES,
        executor=executor,
        jobs=jobs,
        verbose=False,
    )
    if isinstance(executor, ReversedExecutor):
        assert executor.order == list(range(11, -1, -1))
    if executor is not None:
        executor.shutdown()
    assert _document(result) == _document(in_process), label
    assert diff_results(sweep_document(result), sweep_document(in_process)) == []


def test_aggregates_match_an_independent_computation(in_process: SweepResult) -> None:
    summary = in_process.summary
    for cell in summary.cells:
        runs = [r for r in in_process.runs if (r.optimizer, r.lr) == (cell.optimizer, cell.lr)]
        best = [r.best_val_loss for r in runs if r.best_val_loss is not None]
        assert cell.best_val_loss is not None
        assert len(best) == cell.runs == 3
        assert cell.best_val_loss.mean == pytest.approx(statistics.mean(best), rel=1e-14)
        assert cell.best_val_loss.std == pytest.approx(statistics.stdev(best), rel=1e-12)
        assert (cell.best_val_loss.min, cell.best_val_loss.max) == (min(best), max(best))
        epochs = [r.best_epoch for r in runs if r.best_epoch is not None]
        assert cell.median_best_epoch == statistics.median(epochs)
    for lr in in_process.learning_rates:
        wins = summary.wins_at(lr)
        for replica in range(3):
            pair = {
                r.optimizer: r.best_val_loss
                for r in in_process.runs
                if (r.lr, r.replica) == (lr, replica)
            }
            assert pair["Momentum"] != pair["Adam"]
        expected_adam = sum(
            1
            for replica in range(3)
            if min(
                (r for r in in_process.runs if (r.lr, r.replica) == (lr, replica)),
                key=lambda r: r.best_val_loss or 0.0,
            ).optimizer
            == "Adam"
        )
        assert wins == {"Momentum": 3 - expected_adam, "Adam": expected_adam}
    for name in in_process.optimizers:
        best_cell = summary.best_rate(name)
        assert best_cell is not None
        assert best_cell.best_val_loss is not None
        means = {
            c.lr: c.best_val_loss.mean
            for c in summary.cells
            if c.optimizer == name and c.best_val_loss is not None
        }
        assert best_cell.lr == min(means, key=lambda lr: means[lr])
    assert summary.shared_lr == 0.05


def test_a_diverging_rate_is_a_result_not_a_crash() -> None:
    result = sweep(tiny_config(), seeds=2, learning_rates=[0.05, 1e15], jobs=1, verbose=False)
    sgd = result.summary.cell("SGD", 1e15)
    assert (sgd.runs, sgd.diverged, sgd.best_val_loss) == (2, 2, None)
    diverged = [r for r in result.runs if r.optimizer == "SGD" and r.lr == 1e15]
    assert all(r.diverged_at is not None and r.best_val_loss is None for r in diverged)
    assert result.summary.best_rate("SGD") == result.summary.cell("SGD", 0.05)
    json.dumps(sweep_document(result), allow_nan=False)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"seeds": 0}, "seeds must be a positive integer, got 0"),
        ({"seeds": 2, "learning_rates": []}, "learning_rates is empty"),
        ({"seeds": 2, "learning_rates": [0.1, 0.0]}, "learning rate 0.0 must be"),
        ({"seeds": 2, "learning_rates": [-0.1]}, "learning rate -0.1"),
        ({"seeds": 2, "learning_rates": [float("nan")]}, "learning rate nan"),
        ({"seeds": 2, "learning_rates": [0.1, 0.1]}, "listed twice"),
        ({"seeds": 2, "jobs": 0}, "jobs must be a positive integer, got 0"),
        ({"seeds": 2, "optimizers": ["RMSprop"]}, "unknown optimizer 'RMSprop'"),
    ],
)
def test_bad_arguments_are_refused_before_anything_runs(
    kwargs: dict[str, object], needle: str, tmp_path: Path
) -> None:
    with pytest.raises(SweepError, match=needle.replace("(", r"\(")):
        sweep(tiny_config(), runs_dir=tmp_path / "runs", verbose=False, **kwargs)  # type: ignore[arg-type]
    assert not (tmp_path / "runs").exists()


def test_a_subset_of_optimizers_keeps_the_config_order() -> None:
    result = sweep(tiny_config(), seeds=1, optimizers=["Adam", "SGD"], jobs=1, verbose=False)
    assert result.optimizers == ("SGD", "Adam")


class Interrupted(Exception):
    pass


def test_an_interrupted_sweep_resumes_running_only_the_missing_runs(
    in_process: SweepResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mg_train.sweep_run as sweep_module

    real = sweep_module.run_sweep_task
    calls: list[object] = []

    def dies_after_five(task: dict[str, object]) -> dict[str, object]:
        if len(calls) == 5:
            raise Interrupted
        calls.append(task["replica"])
        return real(task)

    monkeypatch.setattr(sweep_module, "run_sweep_task", dies_after_five)
    runs = tmp_path / "runs"
    with pytest.raises(Interrupted):
        sweep(
            _two_optimizers(), seeds=3, learning_rates=RATES, jobs=1, runs_dir=runs, verbose=False
        )
    assert len(list(runs.glob("*.json"))) == 5
    calls.clear()

    def counted(task: dict[str, object]) -> dict[str, object]:
        calls.append(task["replica"])
        return real(task)

    monkeypatch.setattr(sweep_module, "run_sweep_task", counted)
    resumed = sweep(
        _two_optimizers(), seeds=3, learning_rates=RATES, jobs=1, runs_dir=runs, verbose=False
    )
    assert len(calls) == 12 - 5
    assert _document(resumed) == _document(in_process)
    assert [run.resumed for run in resumed.runs] == [True] * 5 + [False] * 7
    again = sweep(
        _two_optimizers(), seeds=3, learning_rates=RATES, jobs=1, runs_dir=runs, verbose=False
    )
    assert len(calls) == 7
    assert all(run.resumed for run in again.runs)


def test_finished_runs_of_another_config_are_refused(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    sweep(tiny_config(), seeds=1, jobs=1, runs_dir=runs, verbose=False)
    before = {p.name: p.read_bytes() for p in runs.iterdir()}
    changed = {**tiny_config(), "epochs": 4}
    with pytest.raises(SweepError, match="another config"):
        sweep(changed, seeds=1, jobs=1, runs_dir=runs, verbose=False)
    record = json.loads((runs / sorted(before)[0]).read_text(encoding="utf-8"))
    record["outcome"]["best_val_loss"] = "0.1"
    (runs / sorted(before)[0]).write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(SweepError, match=r"best_val_loss must be a number, got '0\.1'"):
        sweep(tiny_config(), seeds=1, jobs=1, runs_dir=runs, verbose=False)
    (runs / sorted(before)[0]).write_text("{not json", encoding="utf-8")
    with pytest.raises(SweepError, match="cannot read the finished-run file"):
        sweep(tiny_config(), seeds=1, jobs=1, runs_dir=runs, verbose=False)
    assert sorted(p.name for p in runs.iterdir()) == sorted(before)


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_one_line_per_run_or_a_bar_on_a_terminal(tmp_path: Path) -> None:
    lines = io.StringIO()
    sweep(tiny_config(), seeds=2, jobs=1, verbose=True, stream=lines, runs_dir=tmp_path / "r")
    text = lines.getvalue().splitlines()
    assert len(text) == 6
    assert text[0].startswith("run 1/6 - SGD lr=0.05 replica 0 - best_val_loss: ")
    assert text[-1].startswith("run 6/6 - Adam lr=0.05 replica 1 - ")
    resumed = io.StringIO()
    sweep(
        tiny_config(),
        seeds=3,
        jobs=1,
        verbose=Verbosity.LINES,
        stream=resumed,
        runs_dir=tmp_path / "r",
    )
    assert resumed.getvalue().splitlines()[0] == "resuming: 6/9 runs already finished"
    bar = FakeTTY()
    sweep(tiny_config(), seeds=2, jobs=1, verbose=True, stream=bar)
    assert "sweep" in bar.getvalue()
    assert "6/6" in bar.getvalue()
    assert "run/s" in bar.getvalue()
    silent = io.StringIO()
    sweep(tiny_config(), seeds=1, jobs=1, verbose=False, stream=silent)
    assert silent.getvalue() == ""


def test_the_result_does_not_depend_on_how_the_config_was_given() -> None:
    as_dict = sweep(tiny_config(), seeds=1, jobs=1, verbose=False)
    parsed = sweep(parse_config(tiny_config()), seeds=1, jobs=1, verbose=False)
    assert _document(as_dict) == _document(parsed)
    assert dataclasses.asdict(as_dict.summary) == dataclasses.asdict(parsed.summary)


def test_the_readme_sweep_example_runs() -> None:
    text = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Sweeps") :]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match is not None, "the Sweeps section has no ```python block"
    namespace: dict[str, object] = {"__name__": "readme"}
    exec(compile(match.group(1), "README.md#sweeps", "exec"), namespace)
    assert isinstance(namespace["result"], SweepResult)
