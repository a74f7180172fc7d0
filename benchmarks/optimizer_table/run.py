"""Reproduce the optimizer table (SGD, Momentum, Adam on one tiny setup) with the INSTALLED mg.

    python benchmarks/optimizer_table/run.py                 # print the table, write artifacts
    python benchmarks/optimizer_table/run.py --check         # ... and compare with the reference
    python benchmarks/optimizer_table/run.py --write-reference   # maintainers: refresh it
    python benchmarks/optimizer_table/run.py --export-safetensors DIR   # + final models for PyTorch

The point is to measure what users get from ``pip install``, so the script refuses to run if
any mg_* package is imported from this repository's ``packages/`` source tree. ``--check``
compares every deterministic field of the new results.json with ``reference_results.json``
bit for bit (floats by their exact value, not within a tolerance) and exits 1 on any
difference; the environment and timings sections are ignored. See benchmarks/README.md.
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
DEFAULT_CONFIG = HERE / "config.json"
DEFAULT_REFERENCE = HERE / "reference_results.json"
DEFAULT_OUT = REPO / "benchmarks" / "out" / "optimizer_table"
MODULES = ("mg_autograd", "mg_nn", "mg_optim", "mg_train")


def check_installed() -> None:
    """Exit with a clear message if an mg package comes from the source tree."""
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            sys.exit(
                f"error: {name} is not installed; run: pip install {PACKAGES}/mg-*  "
                "(non-editable) and try again"
            )
        location = Path(getattr(module, "__file__", "") or "").resolve()
        if location == PACKAGES or PACKAGES in location.parents:
            sys.exit(
                f"error: {name} is imported from the source tree ({location}); this benchmark "
                "measures the installed packages. Unset PYTHONPATH, uninstall editable installs "
                f"and run: pip install {PACKAGES}/mg-*"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="JSON config")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="artifact directory")
    parser.add_argument("--check", action="store_true", help="compare with the reference")
    parser.add_argument(
        "--reference",
        type=Path,
        default=DEFAULT_REFERENCE,
        help="reference results.json for --check / --write-reference",
    )
    parser.add_argument(
        "--write-reference",
        action="store_true",
        help="store this run's deterministic sections as the reference",
    )
    parser.add_argument("--quiet", action="store_true", help="no per-epoch progress")
    parser.add_argument(
        "--export-safetensors",
        type=Path,
        default=None,
        metavar="DIR",
        help="also write each optimizer's final model to DIR/<optimizer>.safetensors (PyTorch)",
    )
    args = parser.parse_args()

    check_installed()
    from mg_train import (
        NONDETERMINISTIC_SECTIONS,
        ConfigError,
        Verbosity,
        diff_results,
        export_safetensors,
        format_table,
        load_config,
        load_results,
        run_experiment,
        write_artifacts,
    )
    from mg_train._atomic import atomic_write_text

    try:
        config = load_config(args.config)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    began = time.perf_counter()
    result = run_experiment(config, verbose=Verbosity.SILENT if args.quiet else Verbosity.LINES)
    elapsed = time.perf_counter() - began
    report = write_artifacts(result, args.out)
    exported: tuple[Path, ...] = ()
    if args.export_safetensors is not None:
        exported = export_safetensors(result, config.model_factory(), args.export_safetensors)
    print(format_table(result.rows()), end="")
    print(
        f"{sys.implementation.name} {sys.version.split()[0]}: {elapsed:.2f} s for the table "
        + ", ".join(f"{run.name} {run.wall_time:.2f} s" for run in result.runs)
    )
    for path in (*report.written, *exported):
        print(f"wrote {path}")
    for note in report.notes:
        print(f"note: {note}")

    results = load_results(args.out / "results.json")
    if args.write_reference:
        kept = {k: v for k, v in results.items() if k not in NONDETERMINISTIC_SECTIONS}
        atomic_write_text(args.reference, json.dumps(kept, indent=2, allow_nan=False) + "\n")
        print(f"wrote reference {args.reference}")
    if args.check:
        differences = diff_results(results, load_results(args.reference))
        if differences:
            print(
                f"CHECK FAILED: {len(differences)} difference(s) from {args.reference}:",
                file=sys.stderr,
            )
            for line in differences:
                print(f"  {line}", file=sys.stderr)
            return 1
        print(f"check passed: results match {args.reference.name} bit for bit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
