"""paths.md and optimizer_paths.png from the document run.py computes (see run.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Optional, cast

if TYPE_CHECKING:
    from mg_autograd import Value
    from mg_optim import OptimizerPath
    from run import Surface


def _number(value: object, spec: str = ".4g") -> str:
    if value is None:
        return "-"
    assert isinstance(value, (int, float))
    return format(value, spec)


def _objects(value: object) -> list[Mapping[str, object]]:
    assert isinstance(value, list)
    return cast("list[Mapping[str, object]]", value)


def _surfaces(document: Mapping[str, object]) -> list[Mapping[str, object]]:
    config = document["config"]
    assert isinstance(config, Mapping)
    return _objects(config["surfaces"])


def _conditions(document: Mapping[str, object]) -> str:
    config = document["config"]
    assert isinstance(config, Mapping)
    grid = ", ".join(f"{lr:g}" for lr in cast("list[float]", config["grid"]))
    lines = [
        "Every optimizer starts from the same point of each surface and takes the same number "
        f"of steps. Momentum and Nesterov use momentum={config['momentum']}; every other "
        "option is PyTorch's default (AdamW's weight_decay=0.01 pulls the parameters toward "
        "0, so AdamW settles a little off a minimum that is not at the origin).",
        f"Tolerance: a path arrives at the first step where f - min f <= {config['tolerance']}. "
        "Distance: from the final point to the nearest minimum.",
        f"Best rate: from the grid [{grid}], the lowest final f among paths that did not "
        "diverge (ties: earlier arrival, then the smaller rate).",
        "",
        "| surface | f(x, y) | start | steps | shared lr |",
        "|---|---|---|---|---|",
    ]
    for s in _surfaces(document):
        start = cast("list[float]", s["start"])
        lines.append(
            f"| {s['name']} | `{s['formula']}` | ({start[0]:g}, {start[1]:g}) | {s['steps']} "
            f"| {s['shared_lr']:g} |"
        )
    return "\n".join(lines)


def _story_table(document: Mapping[str, object], story: str) -> str:
    lines = []
    for s in _surfaces(document):
        lines += [
            f"### {s['name']}: `{s['formula']}`, min f = {s['f_min']:g}",
            "",
            "| optimizer | lr | final f | f - min f | distance to minimum | steps to tolerance |",
            "|---|---|---|---|---|---|",
        ]
        for entry in _objects(document["paths"]):
            if entry["story"] != story or entry["surface"] != s["name"]:
                continue
            options = cast("Mapping[str, float]", entry["options"])
            arrived = entry["steps_to_tolerance"]
            lines.append(
                f"| {entry['label']} | {options['lr']:g} | {_number(entry['final_f'])} "
                f"| {_number(entry['gap'], '.3e')} | {_number(entry['distance'], '.3e')} "
                f"| {'not within ' + str(s['steps']) if arrived is None else arrived} |"
            )
        lines.append("")
    return "\n".join(lines)


def _grid_table(document: Mapping[str, object]) -> str:
    config = document["config"]
    assert isinstance(config, Mapping)
    grid = cast("list[float]", config["grid"])
    lines = []
    for s in _surfaces(document):
        lines += [
            f"**{s['name']}**: final f - min f for each rate (`div`: diverged)",
            "",
            "| optimizer | " + " | ".join(f"{lr:g}" for lr in grid) + " |",
            "|---|" + "---|" * len(grid),
        ]
        rows: dict[str, list[str]] = {}
        for row in _objects(document["grid"]):
            if row["surface"] == s["name"]:
                cell = "div" if row["diverged"] else _number(row["gap"], ".1e")
                rows.setdefault(str(row["label"]), []).append(cell)
        lines += [f"| {label} | " + " | ".join(cells) + " |" for label, cells in rows.items()]
        lines.append("")
    return "\n".join(lines)


def _anatomy(document: Mapping[str, object]) -> str:
    config = document["config"]
    assert isinstance(config, Mapping)
    where = cast("Mapping[str, object]", config["anatomy"])
    lines = [
        f"## Anatomy of an update: the first {where['steps']} steps on the {where['surface']}",
        "",
        "Every quantity of each update rule, named as in the optimizer's docstring "
        "(`help(mg_optim.Adam)`), as `mg_optim.explain_step` reports it: the step is the "
        "ordinary `optimizer.step()` and the intermediate values are recomputed from its state "
        "with the same float operations. `p` is the parameter before the step, `update` = "
        "`p_new - p`. Values to 10 significant digits (paths.json has every bit).",
        "",
    ]
    for entry in _objects(document["anatomy"]):
        steps = _objects(entry["steps"])
        lines += [f"### {entry['label']}", "", f"{entry['conditions']}", ""]
        heads = [f"t={k + 1} {axis}" for k in range(len(steps)) for axis in ("x", "y")]
        lines.append("| quantity | " + " | ".join(heads) + " | meaning |")
        lines.append("|---|" + "---|" * len(heads) + "---|")
        names: dict[str, str] = {}
        values: dict[str, list[Optional[float]]] = {}
        for k, step in enumerate(steps):
            for q in _objects(step["quantities"]):
                name = str(q["name"])
                names.setdefault(name, str(q["meaning"]))
                row = values.setdefault(name, [None] * (2 * len(steps)))
                pair = cast("list[Optional[float]]", q["values"])
                row[2 * k], row[2 * k + 1] = pair[0], pair[1]
        for name, meaning in names.items():
            cells = " | ".join(_number(v, ".10g") for v in values[name])
            lines.append(f"| `{name}` | {cells} | {meaning} |")
        lines.append("")
        if entry["label"] == "Adam":
            lines += [_by_hand({name: row[1] for name, row in values.items()}), ""]
    return "\n".join(lines)


def _by_hand(y: Mapping[str, Optional[float]]) -> str:
    """Adam's first step in y, written out with the numbers of the table above."""

    def v(name: str) -> str:
        return _number(y[name], ".12g")

    return (
        "Check Adam's first step in y by hand (beta1 = 0.9, beta2 = 0.999, eps = 1e-8): "
        f"g = {v('g')}; m = 0.1 * g = {v('m')}; v = 0.001 * g^2 = {v('v')}; "
        f"bias_correction1 = 1 - 0.9 = {v('bias_correction1')}; "
        f"bias_correction2 = 1 - 0.999 = {v('bias_correction2')}; "
        f"step_size = lr / bias_correction1 = {v('step_size')}; "
        f"denom = sqrt(v) / sqrt(bias_correction2) + eps = {v('denom')}; "
        f"update = -step_size * m / denom = {v('update')}, i.e. -lr * sign(g): on its first "
        "step Adam moves every parameter by lr, whatever the size of its gradient."
    )


def markdown(document: Mapping[str, object]) -> str:
    return "\n".join(
        [
            "# Optimizer paths",
            "",
            "Regenerate: `python benchmarks/optimizer_paths/run.py` (or `tox -e bench`) with "
            "mg installed; the picture is optimizer_paths.png.",
            "",
            _conditions(document),
            "",
            "## One shared learning rate per surface",
            "",
            _story_table(document, "shared"),
            "## Each optimizer at its best rate from the grid",
            "",
            _story_table(document, "best"),
            "### The grid",
            "",
            _grid_table(document),
            _anatomy(document),
        ]
    )


def picture(
    drawn: Mapping[str, Sequence[OptimizerPath]],
    surfaces: Sequence[Surface],
    functions: Mapping[str, Callable[[Value, Value], Value]],
    labels: Sequence[str],
    config: Mapping[str, object],
) -> bytes:
    """Two rows of panels (shared rate, best rates), one column per surface."""
    from mg_train import PathPanel, plot_paths

    panels = []
    for story in ("shared", "best"):
        for s in surfaces:
            paths = drawn[f"{story}/{s.name}"]
            rate = f"shared lr={s.shared_lr:g}" if story == "shared" else "best lr per optimizer"
            legend = [f"{label} lr={path.options['lr']:g}" for label, path in zip(labels, paths)]
            panels.append(
                PathPanel(
                    f=functions[s.name],
                    paths=paths,
                    title=(
                        f"{s.title}: {s.formula}\n{rate}, {s.steps} steps "
                        f"from ({s.start[0]:g}, {s.start[1]:g})"
                    ),
                    x_range=s.x_range,
                    y_range=s.y_range,
                    minima=s.minima,
                    log_contours=s.log_contours,
                    labels=legend,
                    legend_loc=s.legend,
                )
            )
    grid = ", ".join(f"{lr:g}" for lr in cast("list[float]", config["grid"]))
    caption = (
        "Top row: every optimizer at one shared learning rate per surface. Bottom row: each "
        f"at its best rate from the grid [{grid}] (lowest final f). Black dot: the common "
        f"start; star: minimum.\nMomentum and Nesterov: momentum={config['momentum']}; all "
        "other options at PyTorch's defaults (so AdamW decays with weight_decay=0.01). "
        "Rosenbrock contours are log-spaced in f. Computed by mg (float64, pure Python); "
        "regenerate with python benchmarks/optimizer_paths/run.py."
    )
    return plot_paths(
        panels,
        columns=3,
        title="Optimizer paths: SGD, Momentum, Nesterov, Adagrad, RMSprop, Adam, AdamW",
        caption=caption,
    )
