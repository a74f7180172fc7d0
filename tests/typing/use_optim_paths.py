"""A user's code for optimizer paths: RMSprop, Adagrad, optimize_path, explain_step, surfaces,
and mg_train's path pictures, with the inferred types."""

from __future__ import annotations

from typing import Optional, Union, assert_type

from mg_autograd import Value
from mg_nn import Parameter
from mg_optim import (
    Adagrad,
    Adam,
    OptimizerPath,
    PathPoint,
    Quantity,
    RMSprop,
    StateDict,
    StepAnatomy,
    explain_step,
    optimize_path,
    ravine,
    rosenbrock,
    saddle,
)
from mg_train import PathPanel, plot_paths, write_path_plot

w = Parameter(0.5)
rms = RMSprop([w], lr=0.01, alpha=0.9, eps=1e-8, weight_decay=0.0, momentum=0.5, centered=True)
assert_type(rms.state_dict(), StateDict)
ada = Adagrad([w], 0.1, lr_decay=0.01, weight_decay=0.0, initial_accumulator_value=0.1, eps=1e-10)
ada.step()


def bowl(x: Value, y: Value) -> Value:
    return x**2 + 10 * y**2


path = optimize_path(bowl, (3.0, 1.0), lambda ps: Adam(ps, lr=0.1), 50, anatomy_steps=2)
assert_type(path, OptimizerPath)
assert_type(path.points, tuple[PathPoint, ...])
assert_type(path.final, PathPoint)
assert_type(path.final.f, float)
assert_type(path.xs, list[float])
assert_type(path.ys, list[float])
assert_type(path.fs, list[float])
assert_type(path.diverged, bool)
assert_type(path.optimizer, str)
assert_type(path.options, dict[str, Union[float, bool]])
assert_type(path.start, tuple[float, float])
assert_type(path.steps, int)
assert_type(path.conditions(), str)
assert_type(len(path), int)
for point in path:
    assert_type(point, PathPoint)
    assert_type(point.x + point.y, float)

anatomy = path.anatomy[0]
assert_type(anatomy, StepAnatomy)
assert_type(anatomy.optimizer, str)
assert_type(anatomy["m"], Quantity)
assert_type(anatomy["m"].values, tuple[Optional[float], ...])
assert_type(anatomy["m"].name, str)
assert_type(anatomy["m"].meaning, str)
assert_type(anatomy.names(), list[str])
assert_type(anatomy.format(["x", "y"]), str)
assert_type(anatomy.quantities, tuple[Quantity, ...])
for quantity in anatomy:
    assert_type(quantity, Quantity)

w.grad = 1.0
assert_type(explain_step(rms), StepAnatomy)
for surface in (rosenbrock, ravine, saddle):
    assert_type(surface(Value(1.0), Value(2.0)), Value)

panel = PathPanel(
    rosenbrock,
    [path],
    "Rosenbrock",
    (-2.0, 2.0),
    (-1.0, 3.0),
    minima=[(1.0, 1.0)],
    log_contours=True,
    labels=["Adam lr=0.1"],
    legend_loc="lower right",
)
assert_type(plot_paths([panel], columns=1, title="t", caption="c"), bytes)
assert_type(write_path_plot("paths.png", [panel], caption="Adam, lr=0.1, 50 steps"), None)
