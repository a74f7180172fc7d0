"""``mg-train sweep``: the command-line face of `mg_train.sweep` (registered by `mg_train.cli`).

    mg-train sweep --config FILE --out DIR [--seeds K] [--lr 0.001,0.003,0.01] [--jobs N]
                   [--optimizers SGD,Adam] [--quiet] [--no-plot]

Everything is checked before anything is created: a bad config, an empty or non-positive rate
list, ``--seeds 0``, ``--jobs 0``, an unknown optimizer name, an ``--out`` that is a file or
holds finished runs of another config - each exits 2 with one line naming the value, and writes
nothing. Finished runs go to ``DIR/runs/`` as they finish, so the same command run again after
a kill runs only what is missing; the four artifacts are written into ``DIR`` at the end.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Optional, TextIO

from .config import ConfigError, load_config
from .progress import Verbosity
from .sweep_artifacts import format_sweep_report, write_sweep_artifacts
from .sweep_run import sweep
from .sweep_summary import SweepError

__all__ = ["RUNS_DIR_NAME", "add_sweep_parser", "run_sweep_command"]

RUNS_DIR_NAME = "runs"
"""Where, inside ``--out``, each finished run is stored (one JSON file per run)."""


def add_sweep_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``sweep`` subcommand to the ``mg-train`` parser."""
    parser = commands.add_parser(
        "sweep",
        help="run every (optimizer, learning rate, seed replica) and summarize over replicas",
        description=(
            "Run the config once per optimizer, learning rate and seed replica (replica 0 is "
            "the config's own run; replica r adds 1000 r to the split, model and shuffle "
            "seeds) on worker processes, and write sweep.json, sweep.md, sweep.csv and "
            "lr_sensitivity.png (with matplotlib) into --out. Rerun the same command after an "
            "interruption to finish only the missing runs."
        ),
    )
    parser.add_argument("--config", required=True, type=Path, metavar="FILE", help="JSON config")
    parser.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="DIR",
        help=f"output directory: the four artifacts, and {RUNS_DIR_NAME}/ with every finished run",
    )
    parser.add_argument(
        "--seeds", type=int, default=5, metavar="K", help="seed replicas per cell (default 5)"
    )
    parser.add_argument(
        "--lr",
        metavar="LIST",
        help="comma-separated learning rates, e.g. 0.001,0.01,0.1 (default: the config's lr)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="worker processes (default: the CPU count; 1 runs in this process)",
    )
    parser.add_argument(
        "--optimizers",
        metavar="NAMES",
        help="comma-separated optimizer names from the config (default: all of them)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress and no table on stdout")
    parser.add_argument("--no-plot", action="store_true", help="do not write lr_sensitivity.png")


def _parse_rates(text: Optional[str]) -> Optional[list[float]]:
    if text is None:
        return None
    if not text.strip():
        raise SweepError("--lr is empty; give at least one learning rate > 0")
    rates: list[float] = []
    for item in text.split(","):
        try:
            rates.append(float(item))
        except ValueError:
            raise SweepError(f"--lr: {item!r} is not a number (in --lr {text!r})") from None
    return rates


def run_sweep_command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Run ``mg-train sweep``; returns the exit status (0 ok, 2 bad input)."""
    try:
        config = load_config(args.config)
        out: Path = args.out
        if out.exists() and not out.is_dir():
            raise SweepError(f"--out {out} exists and is not a directory")
        if args.seeds < 1:
            raise SweepError(f"--seeds must be a positive integer, got {args.seeds}")
        if args.jobs is not None and args.jobs < 1:
            raise SweepError(f"--jobs must be a positive integer, got {args.jobs}")
        names = None if args.optimizers is None else args.optimizers.split(",")
        result = sweep(
            config,
            seeds=args.seeds,
            learning_rates=_parse_rates(args.lr),
            optimizers=names,
            jobs=args.jobs,
            runs_dir=out / RUNS_DIR_NAME,
            verbose=Verbosity.SILENT if args.quiet else Verbosity.AUTO,
            stream=stderr,
        )
    except (ConfigError, SweepError) as error:
        stderr.write(f"mg-train: error: {error}\n")
        return 2
    report = write_sweep_artifacts(result, out, plot=not args.no_plot)
    if not args.quiet:
        stdout.write(format_sweep_report(result))
        for path in report.written:
            stdout.write(f"wrote {path}\n")
    for note in report.notes:
        stderr.write(f"mg-train: note: {note}\n")
    return 0
