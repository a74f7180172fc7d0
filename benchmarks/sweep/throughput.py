"""Sweep throughput with 1 and 2 worker processes, and the default sweep's time (INSTALLED mg).

    python benchmarks/sweep/throughput.py            # 12 runs of the table config, 3 ways
    python benchmarks/sweep/throughput.py --rounds 3 --default-sweep

The workload is the optimizer table's config (60 epochs), 3 optimizers x 2 rates x 2 replicas =
12 runs, timed in one process three ways, each with a fresh executor so the pool's start-up
is paid every time, as a user pays it:

* ``in-process``: ``jobs=1``, no pool at all (the floor: no start-up, no transfer);
* ``pool(1)``: the ``ProcessPoolExecutor`` `sweep` starts by default, with one worker;
* ``pool(2)``: the same with two workers.

Reported: runs per second of each, and the speed-ups pool(1)/pool(2) (target >= 1.7x on two
idle cores; never asserted) and in-process/pool(2). The three results are checked equal
(deterministic sections) before anything is reported. ``--default-sweep`` also times the
default sweep (5 replicas x 5 rates x 3 optimizers) on ``--jobs`` workers. Timings depend on
what else the machine runs: compare ratios from one run, measured on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CONFIG = REPO / "benchmarks" / "optimizer_table" / "config.json"
DEFAULT_OUT = REPO / "benchmarks" / "out" / "sweep_throughput.json"
sys.path.insert(0, str(HERE))

from default_sweep import DEFAULT_RATES, DEFAULT_SEEDS, check_installed  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=1, help="timed rounds per way (median)")
    parser.add_argument("--default-sweep", action="store_true", help="also time the default sweep")
    parser.add_argument("--jobs", type=int, default=None, help="workers for --default-sweep")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON report")
    args = parser.parse_args()
    check_installed()
    from mg_train import SweepResult, load_config, sweep, sweep_document
    from mg_train._atomic import atomic_write_text
    from mg_train.sweep_run import _default_executor

    config = load_config(CONFIG)
    rates = [0.01, 0.03]

    def spawn_pool(workers: int) -> concurrent.futures.Executor:
        return _default_executor(workers)  # the pool sweep() itself would start

    def timed(workers: Optional[int]) -> tuple[float, SweepResult]:
        began = time.perf_counter()
        if workers is None:
            result = sweep(config, seeds=2, learning_rates=rates, jobs=1, verbose=False)
        else:
            with spawn_pool(workers) as pool:
                result = sweep(config, seeds=2, learning_rates=rates, executor=pool, verbose=False)
        return time.perf_counter() - began, result

    def deterministic(result: SweepResult) -> str:
        document = sweep_document(result)
        del document["environment"], document["timings"]
        return json.dumps(document, sort_keys=True)

    ways: dict[str, Optional[int]] = {"in-process": None, "pool(1)": 1, "pool(2)": 2}
    seconds: dict[str, list[float]] = {name: [] for name in ways}
    reference: Optional[str] = None
    for round_index in range(args.rounds):
        order = list(ways)[round_index % 3 :] + list(ways)[: round_index % 3]  # rotate
        for name in order:
            elapsed, result = timed(ways[name])
            text = deterministic(result)
            if reference is None:
                reference = text
            elif text != reference:
                print(f"error: {name} gave a different sweep", file=sys.stderr)
                return 1
            seconds[name].append(elapsed)
            print(f"round {round_index + 1}: {name:10} {elapsed:6.2f} s for 12 runs")
    median = {name: statistics.median(values) for name, values in seconds.items()}
    report: dict[str, object] = {
        "python": f"{sys.implementation.name} {sys.version.split()[0]}",
        "cpu_count": os.cpu_count(),
        "load_average_at_end": list(os.getloadavg()),
        "workload": "optimizer_table/config.json, 3 optimizers x lr 0.01,0.03 x 2 replicas",
        "runs": 12,
        "median_seconds": median,
        "runs_per_second": {name: 12 / value for name, value in median.items()},
        "speedup_pool2_over_pool1": median["pool(1)"] / median["pool(2)"],
        "speedup_pool2_over_in_process": median["in-process"] / median["pool(2)"],
        "target": "pool(2) at least 1.7x pool(1) on two idle cores (reported, never asserted)",
        "rounds": seconds,
    }
    print(
        f"speed-up with 2 workers: {report['speedup_pool2_over_pool1']:.2f}x over 1 worker, "
        f"{report['speedup_pool2_over_in_process']:.2f}x over in-process "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    if args.default_sweep:
        began = time.perf_counter()
        result = sweep(
            config,
            seeds=DEFAULT_SEEDS,
            learning_rates=list(DEFAULT_RATES),
            jobs=args.jobs,
            verbose=False,
        )
        elapsed = time.perf_counter() - began
        report["default_sweep"] = {
            "runs": len(result.runs),
            "wall_seconds": elapsed,
            "executor": result.executor,
        }
        print(f"default sweep: {len(result.runs)} runs in {elapsed:.1f} s on {result.executor}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
