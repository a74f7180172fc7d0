"""The ``mg-train`` command: run an optimizer comparison from a JSON config, or check one.

    mg-train compare --config CONFIG.json --out DIR [--checkpoint-dir CKDIR] [--quiet] [--no-plot]
                     [--export-safetensors EXDIR]
    mg-train sweep --config CONFIG.json --out DIR [--seeds K] [--lr LIST] [--jobs N] ...
    mg-train check RESULTS.json --reference REFERENCE.json

``compare`` checks the whole config before it creates anything: a bad config exits with
status 2 and one line on stderr naming the key, and leaves no output directory behind. The
output directory is created only once training has finished, and only the artifact files
are written into it. ``--checkpoint-dir`` is the one other place it writes, and only when
given: every optimizer's run is checkpointed there after every epoch, so the same command run
again after a crash or a kill resumes where it stopped and writes the results.json an unbroken
run would have written (deterministic sections bit for bit). A checkpoint directory of another
config is refused (status 2, one line naming the first difference). ``--export-safetensors``
writes each optimizer's final model for PyTorch (see `mg_train.export`), only when given.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Optional, TextIO

from .__about__ import __version__
from .artifacts import format_table, write_artifacts
from .checkpoint import CheckpointError
from .compare import checkpoint_file_names
from .config import (
    OPTIMIZER_TYPES,
    ConfigError,
    OptimizerConfig,
    load_config,
    run_experiment,
)
from .export import _export_problem, export_safetensors
from .fit import NonFiniteLossError
from .progress import Verbosity
from .reproduce import diff_results, load_results
from .sweep_cli import add_sweep_parser, run_sweep_command

__all__ = ["build_parser", "main"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mg-train",
        description="Train small mg models and compare optimizers reproducibly.",
    )
    parser.add_argument("--version", action="version", version=f"mg-train {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    compare = commands.add_parser(
        "compare",
        help="run one setup once per optimizer and write the table and artifacts",
        description=(
            "Run the comparison described by a JSON config (same data, split, initial weights, "
            "batch order and learning rate; only the optimizer changes) and write results.json, "
            "table.md, history.csv and loss_curves.png (if matplotlib is installed; for a "
            "classification run on 2-feature data also decision_boundary.png) into --out. "
            f"Optimizer types: {', '.join(OPTIMIZER_TYPES)}."
        ),
    )
    compare.add_argument(
        "--config",
        required=True,
        type=Path,
        metavar="FILE",
        help="JSON config file; unknown keys, wrong types and bad values are rejected",
    )
    compare.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="DIR",
        help="output directory, created after training succeeds; only the artifacts are written",
    )
    compare.add_argument(
        "--checkpoint-dir",
        type=Path,
        metavar="CKDIR",
        help=(
            "checkpoint every optimizer's run after every epoch into CKDIR (created if needed; "
            "one <optimizer>.json per run plus a manifest of the config); running the same "
            "command again after an interruption resumes from there and gives the results.json "
            "of an unbroken run. A CKDIR written under another config is refused; delete it to "
            "start afresh"
        ),
    )
    compare.add_argument(
        "--export-safetensors",
        type=Path,
        metavar="EXDIR",
        help=(
            "after training, write each optimizer's final model to EXDIR/<optimizer>.safetensors "
            "(created if needed; may be --out): F64 tensors of the equivalent torch.nn.Sequential, "
            "for load_state_dict(safetensors.torch.load_file(path), strict=True)"
        ),
    )
    compare.add_argument(
        "--quiet",
        action="store_true",
        help="no progress output and no table on stdout (errors are still printed)",
    )
    compare.add_argument(
        "--no-plot",
        action="store_true",
        help="do not write the pictures (loss_curves.png, decision_boundary.png)",
    )

    add_sweep_parser(commands)

    check = commands.add_parser(
        "check",
        help="compare a results.json with a reference, bit for bit",
        description=(
            "Exit 0 if every deterministic field of RESULTS equals the reference exactly "
            "(floats compared by their exact binary value), 1 otherwise. The environment and "
            "timings sections are ignored."
        ),
    )
    check.add_argument("results", type=Path, metavar="RESULTS", help="results.json to check")
    check.add_argument(
        "--reference",
        required=True,
        type=Path,
        metavar="FILE",
        help="reference results.json",
    )
    return parser


def _error(message: str, stream: TextIO) -> None:
    stream.write(f"mg-train: error: {message}\n")


def _checkpoint_dir_problem(
    directory: Path, out: Path, optimizers: Sequence[OptimizerConfig]
) -> Optional[str]:
    """Why ``--checkpoint-dir`` cannot be used, checked before anything is created."""
    if directory.exists() and not directory.is_dir():
        return f"--checkpoint-dir {directory} exists and is not a directory"
    if directory.resolve() == out.resolve():
        return (
            f"--checkpoint-dir {directory} is the --out directory; it must be another one "
            "(--out holds only the result files)"
        )
    try:
        checkpoint_file_names([opt.name for opt in optimizers])
    except ValueError as error:
        return f"--checkpoint-dir: {error}"
    return None


def _compare(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    try:
        config = load_config(args.config)
    except ConfigError as error:
        _error(str(error), stderr)
        return EXIT_USAGE
    out: Path = args.out
    if out.exists() and not out.is_dir():
        _error(f"--out {out} exists and is not a directory", stderr)
        return EXIT_USAGE
    checkpoint_dir: Optional[Path] = args.checkpoint_dir
    if checkpoint_dir is not None:
        problem = _checkpoint_dir_problem(checkpoint_dir, out, config.optimizers)
        if problem is not None:
            _error(problem, stderr)
            return EXIT_USAGE
    export_dir: Optional[Path] = args.export_safetensors
    if export_dir is not None:
        problem = _export_problem(export_dir, [opt.name for opt in config.optimizers])
        if problem is not None:
            _error(problem, stderr)
            return EXIT_USAGE
    verbosity = Verbosity.SILENT if args.quiet else Verbosity.AUTO
    try:
        result = run_experiment(
            config, checkpoint_dir=checkpoint_dir, verbose=verbosity, stream=stderr
        )
    except NonFiniteLossError as error:
        _error(str(error), stderr)
        return EXIT_FAILURE
    except CheckpointError as error:
        _error(str(error), stderr)
        return EXIT_USAGE
    report = write_artifacts(result, out, plot=not args.no_plot)
    exported = (
        () if export_dir is None else export_safetensors(result, config.model_factory(), export_dir)
    )
    if not args.quiet:
        stdout.write(format_table(result.rows()))
        for path in (*report.written, *exported):
            stdout.write(f"wrote {path}\n")
    for note in report.notes:
        stderr.write(f"mg-train: note: {note}\n")
    return EXIT_OK


def _check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    try:
        new = load_results(args.results)
        reference = load_results(args.reference)
    except (OSError, ValueError) as error:
        _error(str(error), stderr)
        return EXIT_USAGE
    differences = diff_results(new, reference)
    if differences:
        stderr.write(f"mg-train: {len(differences)} difference(s) from the reference:\n")
        for line in differences:
            stderr.write(f"  {line}\n")
        return EXIT_FAILURE
    stdout.write("results match the reference bit for bit\n")
    return EXIT_OK


def main(
    argv: Optional[Sequence[str]] = None,
    *,
    stdout: Optional[TextIO] = None,
    stderr: Optional[TextIO] = None,
) -> int:
    """Run the CLI; returns the exit status (0 ok, 1 failure, 2 bad usage or config)."""
    out = sys.stdout if stdout is None else stdout
    err = sys.stderr if stderr is None else stderr
    args = build_parser().parse_args(argv)
    if args.command == "compare":
        return _compare(args, out, err)
    if args.command == "sweep":
        return run_sweep_command(args, out, err)
    return _check(args, out, err)


if __name__ == "__main__":
    sys.exit(main())
