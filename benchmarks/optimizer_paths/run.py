"""Optimizer paths: seven optimizers on three classic surfaces, with the INSTALLED mg.

    python benchmarks/optimizer_paths/run.py                    # write paths.json/.md/.png
    python benchmarks/optimizer_paths/run.py --check            # ... and compare with the reference
    python benchmarks/optimizer_paths/run.py --write-reference  # maintainers: refresh it

SGD, Momentum, Nesterov momentum, Adagrad, RMSprop, Adam and AdamW each start from the same
point of each surface and take the same number of steps, told twice: once with one shared
learning rate per surface, once with each optimizer's best rate from a small grid. Artifacts
(written atomically to --out): paths.json (every point of every path, the grid, the anatomy),
paths.md (the tables), optimizer_paths.png (contours with the paths). ``--check`` compares
every deterministic field of paths.json with reference_paths.json bit for bit and exits 1 on
any difference; ``--write-reference`` also refreshes the committed paths.md and PNG next to
this script. Like benchmarks/optimizer_table/run.py, the script refuses to run on mg packages
imported from this repository's source tree. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Optional, Union

if TYPE_CHECKING:
    from mg_autograd import Value
    from mg_nn import Parameter
    from mg_optim import Optimizer, OptimizerPath

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PACKAGES = REPO / "packages"
DEFAULT_REFERENCE = HERE / "reference_paths.json"
DEFAULT_OUT = REPO / "benchmarks" / "out" / "optimizer_paths"
MODULES = ("mg_autograd", "mg_nn", "mg_optim", "mg_train")

GRID = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)
"""The learning rates each optimizer tries on each surface (half decades)."""
TOLERANCE = 1e-3
"""A path has "arrived" at the first point with f - min f <= TOLERANCE."""
MOMENTUM = 0.9
ANATOMY_SURFACE = "ravine"
ANATOMY_STEPS = 3
OPTIMIZERS = ("SGD", "Momentum", "Nesterov", "Adagrad", "RMSprop", "Adam", "AdamW")

JSONValue = Union[None, bool, int, float, str, List["JSONValue"], Dict[str, "JSONValue"]]


@dataclass(frozen=True)
class Surface:
    name: str
    title: str
    formula: str
    start: tuple[float, float]
    steps: int
    shared_lr: float
    minima: tuple[tuple[float, float], ...]
    f_min: float
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    log_contours: bool
    legend: str


SURFACES = (
    Surface(
        "rosenbrock",
        "Rosenbrock valley",
        "(1 - x)^2 + 100 (y - x^2)^2",
        (-1.2, 1.0),
        300,
        1e-3,
        ((1.0, 1.0),),
        0.0,
        (-1.6, 1.6),
        (-0.6, 1.8),
        True,
        "lower right",
    ),
    Surface(
        "ravine",
        "Ill-conditioned ravine",
        "x^2 / 2 + 50 y^2",
        (-8.0, 1.0),
        100,
        0.013,
        ((0.0, 0.0),),
        0.0,
        (-9.0, 2.0),
        (-1.5, 1.5),
        False,
        "upper right",
    ),
    Surface(
        "saddle",
        "Saddle between two minima",
        "x^2 / 2 + y^4 / 4 - y^2 / 2",
        (1.5, 1e-3),
        100,
        0.03,
        ((0.0, 1.0), (0.0, -1.0)),
        -0.25,
        (-0.6, 1.8),
        (-1.5, 1.5),
        False,
        "lower right",
    ),
)


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


def surface_function(name: str) -> Callable[[Value, Value], Value]:
    import mg_optim

    functions = {
        "rosenbrock": mg_optim.rosenbrock,
        "ravine": mg_optim.ravine,
        "saddle": mg_optim.saddle,
    }
    return functions[name]


def optimizer_factory(label: str, lr: float) -> Callable[[list[Parameter]], Optimizer]:
    """Every optimizer at PyTorch's defaults except the learning rate (and momentum 0.9)."""
    from mg_optim import SGD, Adagrad, Adam, AdamW, Momentum, RMSprop

    makers: dict[str, Callable[[list[Parameter]], Optimizer]] = {
        "SGD": lambda ps: SGD(ps, lr),
        "Momentum": lambda ps: Momentum(ps, lr, momentum=MOMENTUM),
        "Nesterov": lambda ps: Momentum(ps, lr, momentum=MOMENTUM, nesterov=True),
        "Adagrad": lambda ps: Adagrad(ps, lr),
        "RMSprop": lambda ps: RMSprop(ps, lr),
        "Adam": lambda ps: Adam(ps, lr),
        "AdamW": lambda ps: AdamW(ps, lr),
    }
    return makers[label]


def run(surface: Surface, label: str, lr: float, anatomy_steps: int = 0) -> OptimizerPath:
    from mg_optim import optimize_path

    return optimize_path(
        surface_function(surface.name),
        surface.start,
        optimizer_factory(label, lr),
        surface.steps,
        anatomy_steps=anatomy_steps,
    )


def gap(surface: Surface, path: OptimizerPath) -> float:
    return path.final.f - surface.f_min


def distance(surface: Surface, path: OptimizerPath) -> float:
    """Euclidean distance to the nearest minimum, as sqrt(dx * dx + dy * dy): math.hypot's
    rounding changed in Python 3.10, and every bit here must be the same on 3.9 to 3.13."""
    x, y, _ = path.final
    return min(math.sqrt((x - mx) * (x - mx) + (y - my) * (y - my)) for mx, my in surface.minima)


def arrival(surface: Surface, path: OptimizerPath) -> Optional[int]:
    """The first step count k whose point has f - min f <= TOLERANCE, or None."""
    for k, point in enumerate(path.points):
        if point.f - surface.f_min <= TOLERANCE:
            return k
    return None


def best_rate(surface: Surface, runs: Sequence[tuple[float, OptimizerPath]]) -> float:
    """Lowest final f among paths that did not diverge; ties: earlier arrival, then smaller lr."""

    def key(item: tuple[float, OptimizerPath]) -> tuple[float, float, float]:
        lr, path = item
        steps = arrival(surface, path)
        return (gap(surface, path), math.inf if steps is None else float(steps), lr)

    finite = [item for item in runs if not item[1].diverged]
    if not finite:
        raise RuntimeError(f"every rate of the grid diverged on {surface.name}")
    return min(finite, key=key)[0]


def path_entry(story: str, surface: Surface, label: str, path: OptimizerPath) -> JSONValue:
    steps = arrival(surface, path)
    options: dict[str, JSONValue] = dict(path.options)
    return {
        "story": story,
        "surface": surface.name,
        "label": label,
        "optimizer": path.optimizer,
        "options": options,
        "start": list(path.start),
        "steps": path.steps,
        "diverged": path.diverged,
        "final_f": path.final.f,
        "gap": gap(surface, path),
        "distance": distance(surface, path),
        "steps_to_tolerance": steps,
        "points": [[p.x, p.y, p.f] for p in path.points],
    }


def anatomy_entry(label: str, path: OptimizerPath) -> JSONValue:
    steps: list[JSONValue] = []
    for anatomy in path.anatomy:
        quantities: list[JSONValue] = [
            {"name": q.name, "meaning": q.meaning, "values": list(q.values)} for q in anatomy
        ]
        steps.append({"optimizer": anatomy.optimizer, "quantities": quantities})
    return {"label": label, "conditions": path.conditions(), "steps": steps}


def compute() -> tuple[dict[str, JSONValue], dict[str, list[OptimizerPath]]]:
    """The document (minus environment and timings) and the paths of each story for the plot."""
    entries: list[JSONValue] = []
    grid_rows: list[JSONValue] = []
    drawn: dict[str, list[OptimizerPath]] = {}
    for surface in SURFACES:
        shared = [run(surface, label, surface.shared_lr) for label in OPTIMIZERS]
        drawn[f"shared/{surface.name}"] = shared
        entries += [path_entry("shared", surface, lb, p) for lb, p in zip(OPTIMIZERS, shared)]
        best_paths = []
        for label in OPTIMIZERS:
            tried = [(lr, run(surface, label, lr)) for lr in GRID]
            for lr, path in tried:
                grid_rows.append(
                    {
                        "surface": surface.name,
                        "label": label,
                        "lr": lr,
                        "diverged": path.diverged,
                        "gap": None if path.diverged else gap(surface, path),
                        "steps_to_tolerance": arrival(surface, path),
                    }
                )
            chosen = best_rate(surface, tried)
            best = next(path for lr, path in tried if lr == chosen)
            best_paths.append(best)
            entries.append(path_entry("best", surface, label, best))
        drawn[f"best/{surface.name}"] = best_paths
    anatomy_surface = next(s for s in SURFACES if s.name == ANATOMY_SURFACE)
    anatomy: list[JSONValue] = [
        anatomy_entry(label, run(anatomy_surface, label, anatomy_surface.shared_lr, ANATOMY_STEPS))
        for label in OPTIMIZERS
    ]
    config: dict[str, JSONValue] = {
        "surfaces": [
            {
                "name": s.name,
                "formula": s.formula,
                "start": list(s.start),
                "steps": s.steps,
                "shared_lr": s.shared_lr,
                "minima": [list(m) for m in s.minima],
                "f_min": s.f_min,
            }
            for s in SURFACES
        ],
        "optimizers": list(OPTIMIZERS),
        "momentum": MOMENTUM,
        "grid": list(GRID),
        "tolerance": TOLERANCE,
        "anatomy": {"surface": ANATOMY_SURFACE, "steps": ANATOMY_STEPS},
    }
    document: dict[str, JSONValue] = {
        "benchmark": "optimizer_paths",
        "config": config,
        "paths": entries,
        "grid": grid_rows,
        "anatomy": anatomy,
    }
    return document, drawn


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="artifact directory")
    parser.add_argument("--check", action="store_true", help="compare with the reference")
    parser.add_argument(
        "--reference", type=Path, default=DEFAULT_REFERENCE, help="reference paths.json"
    )
    parser.add_argument(
        "--write-reference",
        action="store_true",
        help="store this run as the reference, and refresh the committed paths.md and PNG",
    )
    parser.add_argument("--no-plot", action="store_true", help="skip optimizer_paths.png")
    parser.add_argument("--quiet", action="store_true", help="print only the check result")
    args = parser.parse_args()

    check_installed()
    from mg_train import NONDETERMINISTIC_SECTIONS, diff_results, environment, load_results
    from mg_train._atomic import atomic_write_bytes, atomic_write_text
    from paths_report import markdown, picture

    began = time.perf_counter()
    document, drawn = compute()
    elapsed = time.perf_counter() - began
    deterministic = dict(document)
    document["environment"] = environment()  # type: ignore[assignment]
    document["timings"] = {"seconds": elapsed}
    text = json.dumps(document, separators=(",", ":"), allow_nan=False) + "\n"
    table = markdown(document)
    functions = {s.name: surface_function(s.name) for s in SURFACES}
    config = document["config"]
    assert isinstance(config, dict)
    png = None if args.no_plot else picture(drawn, SURFACES, functions, OPTIMIZERS, config)
    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out / "paths.md", table)
    if png is not None:
        atomic_write_bytes(args.out / "optimizer_paths.png", png)
    atomic_write_text(args.out / "paths.json", text)
    if not args.quiet:
        print(table.split("\n## Anatomy")[0])
        print(f"{sys.implementation.name} {sys.version.split()[0]}: {elapsed:.2f} s")
        print(f"wrote {args.out}/paths.json, paths.md" + ("" if png is None else ", .png"))
    if args.write_reference:
        reference = json.dumps(deterministic, separators=(",", ":"), allow_nan=False) + "\n"
        atomic_write_text(args.reference, reference)
        atomic_write_text(HERE / "paths.md", table)
        if png is not None:
            atomic_write_bytes(HERE / "optimizer_paths.png", png)
        print(f"wrote reference {args.reference}, {HERE / 'paths.md'} and the PNG")
    if args.check:
        differences = diff_results(
            load_results(args.out / "paths.json"),
            load_results(args.reference),
            skip=NONDETERMINISTIC_SECTIONS,
        )
        if differences:
            print(
                f"CHECK FAILED: {len(differences)} difference(s) from {args.reference}:",
                file=sys.stderr,
            )
            for line in differences:
                print(f"  {line}", file=sys.stderr)
            return 1
        print(f"check passed: paths match {args.reference.name} bit for bit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
