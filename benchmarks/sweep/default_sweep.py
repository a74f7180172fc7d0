"""The default sweep (5 replicas x lr 0.001..0.1 x the table's optimizers) with the INSTALLED mg.

    python benchmarks/sweep/default_sweep.py                   # run, write benchmarks/out/sweep/
    python benchmarks/sweep/default_sweep.py --check           # ... and compare with the reference
    python benchmarks/sweep/default_sweep.py --write-reference # maintainers: refresh it

Like ``optimizer_table/run.py`` it refuses to run against the ``packages/`` source tree. Every
run is computed afresh (no finished runs are reused), on ``--jobs`` worker processes (default:
the CPU count). ``--check`` compares every deterministic field of the new sweep.json with
``reference_sweep.json`` bit for bit, and checks that replica 0 at the shared rate reproduces
the optimizer table's ``reference_results.json`` exactly; any difference exits 1.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PACKAGES = REPO / "packages"
DEFAULT_CONFIG = REPO / "benchmarks" / "optimizer_table" / "config.json"
TABLE_REFERENCE = REPO / "benchmarks" / "optimizer_table" / "reference_results.json"
DEFAULT_REFERENCE = HERE / "reference_sweep.json"
DEFAULT_OUT = REPO / "benchmarks" / "out" / "sweep"
DEFAULT_RATES = (0.001, 0.003, 0.01, 0.03, 0.1)
DEFAULT_SEEDS = 5
MODULES = ("mg_autograd", "mg_nn", "mg_optim", "mg_train")


def check_installed() -> None:
    """Exit with a clear message if an mg package comes from the source tree."""
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            sys.exit(f"error: {name} is not installed; run: pip install {PACKAGES}/mg-*")
        location = Path(getattr(module, "__file__", "") or "").resolve()
        if location == PACKAGES or PACKAGES in location.parents:
            sys.exit(
                f"error: {name} is imported from the source tree ({location}); this benchmark "
                f"measures the installed packages: run pip install {PACKAGES}/mg-*"
            )


def table_differences(sweep_json: dict[str, object], table_json: dict[str, object]) -> list[str]:
    """Where replica 0 at the config's lr differs from the one-run table (floats by bits)."""
    runs = sweep_json["runs"]
    table = table_json["table"]
    config = sweep_json["config"]
    if not isinstance(runs, list) or not isinstance(table, list) or not isinstance(config, dict):
        return ["sweep.json or the table reference lacks its runs, table or config section"]
    out: list[str] = []
    for row in table:
        if not isinstance(row, dict):
            return [f"table reference row {row!r} is not an object"]
        match = [
            run
            for run in runs
            if isinstance(run, dict)
            and run["optimizer"] == row["optimizer"]
            and run["lr"] == config["lr"]
            and run["replica"] == 0
        ]
        if len(match) != 1:
            out.append(f"{row['optimizer']}: no replica-0 run at lr {config['lr']!r}")
            continue
        for key in ("final_train_loss", "final_val_loss", "best_val_loss", "best_epoch"):
            new, ref = match[0][key], row[key]
            if type(new) is not type(ref) or repr(new) != repr(ref):
                out.append(f"{row['optimizer']}.{key}: {new!r} != table {ref!r}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="JSON config")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="artifact directory")
    parser.add_argument("--seeds", type=int, default=DEFAULT_SEEDS, help="replicas per cell")
    parser.add_argument(
        "--lr",
        default=",".join(map(repr, DEFAULT_RATES)),
        help="comma-separated learning rates",
    )
    parser.add_argument("--jobs", type=int, default=None, help="worker processes")
    parser.add_argument("--check", action="store_true", help="compare with the references")
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--table-reference", type=Path, default=TABLE_REFERENCE)
    parser.add_argument("--write-reference", action="store_true")
    parser.add_argument("--quiet", action="store_true", help="no per-run lines")
    args = parser.parse_args()

    check_installed()
    from mg_train import (
        NONDETERMINISTIC_SECTIONS,
        ConfigError,
        SweepError,
        Verbosity,
        diff_results,
        format_sweep_report,
        load_config,
        load_results,
        sweep,
        write_sweep_artifacts,
    )
    from mg_train._atomic import atomic_write_text

    try:
        config = load_config(args.config)
        rates = [float(item) for item in args.lr.split(",")]
        began = time.perf_counter()
        result = sweep(
            config,
            seeds=args.seeds,
            learning_rates=rates,
            jobs=args.jobs,
            verbose=Verbosity.SILENT if args.quiet else Verbosity.LINES,
            stream=sys.stdout,
        )
    except (ConfigError, SweepError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - began
    report = write_sweep_artifacts(result, args.out)
    print(format_sweep_report(result), end="")
    cpu = 0.0
    for run in result.runs:
        cpu += run.wall_time
    print(
        f"{sys.implementation.name} {sys.version.split()[0]}: {len(result.runs)} runs in "
        f"{elapsed:.1f} s wall on {result.executor} (sum of run times {cpu:.1f} s, "
        f"{cpu / elapsed:.2f}x)"
    )
    for path in report.written:
        print(f"wrote {path}")
    for note in report.notes:
        print(f"note: {note}")

    document = load_results(args.out / "sweep.json")
    if args.write_reference:
        kept = {k: v for k, v in document.items() if k not in NONDETERMINISTIC_SECTIONS}
        atomic_write_text(args.reference, json.dumps(kept, indent=1, allow_nan=False) + "\n")
        print(f"wrote reference {args.reference}")
    if args.check:
        differences = diff_results(document, load_results(args.reference))
        differences += table_differences(document, load_results(args.table_reference))
        if differences:
            print(f"CHECK FAILED: {len(differences)} difference(s):", file=sys.stderr)
            for line in differences:
                print(f"  {line}", file=sys.stderr)
            return 1
        print(
            f"check passed: sweep matches {args.reference.name} bit for bit, and replica 0 at "
            f"lr {config.lr!r} is {args.table_reference.name}'s table"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
