"""`optimize_path`: run an optimizer on a function of two Values and keep every point it visits.

A loss surface of two variables can be drawn, so the path an optimizer takes on it shows what
its equations do: plain gradient descent zig-zags across a ravine, momentum builds speed along
it, Adam's per-parameter scaling walks off a saddle that stalls SGD. The function is the
learner's own (``lambda x, y: ...``, or one of `mg_optim.surfaces`); the two coordinates are
`mg_nn.Parameter`s, so each step is exactly the training loop ``zero the gradients, forward,
backward(), optimizer.step()``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Callable, NamedTuple, Union

from mg_autograd import Value
from mg_nn import Parameter

from ._checks import check_int, check_real
from .anatomy import StepAnatomy, explain_step
from .optimizer import Optimizer

__all__ = ["OptimizerPath", "PathPoint", "optimize_path"]


class PathPoint(NamedTuple):
    """One point of a path: the coordinates and the function's value there."""

    x: float
    y: float
    f: float


@dataclass(frozen=True)
class OptimizerPath:
    """Every point one optimizer visited, with the conditions that produced them.

    ``points[0]`` is the start and ``points[k]`` the point after ``k`` steps, so a complete path
    has ``steps + 1`` points. If a coordinate, the function or a gradient stops being a finite
    number (too large a learning rate), the path ends at the last finite point and
    ``diverged`` is True. ``anatomy[k]`` explains step ``k + 1`` (see `explain_step`), for the
    first ``anatomy_steps`` steps. ``options`` are the first param group's options and flags
    after the last step (what `conditions` prints).
    """

    optimizer: str
    options: dict[str, Union[float, bool]]
    start: tuple[float, float]
    steps: int
    points: tuple[PathPoint, ...]
    anatomy: tuple[StepAnatomy, ...]
    diverged: bool

    def __len__(self) -> int:
        return len(self.points)

    def __iter__(self) -> Iterator[PathPoint]:
        return iter(self.points)

    @property
    def xs(self) -> list[float]:
        return [point.x for point in self.points]

    @property
    def ys(self) -> list[float]:
        return [point.y for point in self.points]

    @property
    def fs(self) -> list[float]:
        return [point.f for point in self.points]

    @property
    def final(self) -> PathPoint:
        """The last point reached (after ``steps`` steps unless the path diverged)."""
        return self.points[-1]

    def conditions(self) -> str:
        """``"Adam(lr=0.1, beta1=0.9, ...), 100 steps from (-1.2, 1.0)"``: what made this path."""
        options = ", ".join(f"{key}={value!r}" for key, value in self.options.items())
        ending = f", diverged after {len(self.points) - 1}" if self.diverged else ""
        return (
            f"{self.optimizer}({options}), {self.steps} steps from "
            f"({self.start[0]!r}, {self.start[1]!r}){ending}"
        )


def optimize_path(
    f: Callable[[Value, Value], Value],
    start: Sequence[float],
    make_optimizer: Callable[[list[Parameter]], Optimizer],
    steps: int,
    *,
    anatomy_steps: int = 0,
) -> OptimizerPath:
    """Minimize ``f(x, y)`` from ``start`` with the optimizer ``make_optimizer([x, y])`` builds.

    >>> from mg_optim import Adam, optimize_path
    >>> path = optimize_path(lambda x, y: x**2 + 10 * y**2, (3.0, 1.0),
    ...                      lambda params: Adam(params, lr=0.1), steps=50)
    >>> len(path), path.final.f < 0.1
    (51, True)

    ``make_optimizer`` receives the two Parameters ``[x, y]`` and must return an optimizer over
    exactly those two, in that order. ``anatomy_steps=k`` also records the named quantities of
    the first k updates (`OptimizerPath.anatomy`).
    """
    if not callable(f):
        raise TypeError(f"f must be a function of two Values, got {type(f).__name__}: {f!r}")
    if not callable(make_optimizer):
        raise TypeError(
            "make_optimizer must be a function from [x, y] to an Optimizer, got "
            f"{type(make_optimizer).__name__}: {make_optimizer!r}"
        )
    x0, y0 = _start(start)
    steps = check_int(steps, "steps", 0)
    anatomy_steps = check_int(anatomy_steps, "anatomy_steps", 0)
    x, y = Parameter(x0, label="x"), Parameter(y0, label="y")
    optimizer = make_optimizer([x, y])
    _check_optimizer(optimizer, x, y)
    points: list[PathPoint] = []
    anatomy: list[StepAnatomy] = []
    diverged = False
    for k in range(steps + 1):
        x.grad = y.grad = 0.0
        try:
            out = f(x, y)
        except OverflowError:
            diverged = True
            break
        if not isinstance(out, Value):
            raise TypeError(f"f(x, y) must return a Value, got {type(out).__name__}: {out!r}")
        if not all(map(math.isfinite, (x.data, y.data, out.data))):
            diverged = True
            break
        points.append(PathPoint(x.data, y.data, out.data))
        if k == steps:
            break
        out.backward()
        if not (math.isfinite(x.grad) and math.isfinite(y.grad)):
            diverged = True
            break
        if k < anatomy_steps:
            anatomy.append(explain_step(optimizer))
        else:
            optimizer.step()
    group = optimizer.param_groups[0]
    options: dict[str, Union[float, bool]] = {key: group[key] for key in group}
    options.update(group.flags)
    return OptimizerPath(
        optimizer=type(optimizer).__name__,
        options=options,
        start=(x0, y0),
        steps=steps,
        points=tuple(points),
        anatomy=tuple(anatomy),
        diverged=diverged,
    )


def _start(start: object) -> tuple[float, float]:
    if isinstance(start, (str, bytes)) or not isinstance(start, Sequence) or len(start) != 2:
        raise TypeError(f"start must be a pair (x, y), got {type(start).__name__}: {start!r}")
    x0 = check_real(start[0], "start x", "start x")
    y0 = check_real(start[1], "start y", "start y")
    return x0, y0


def _check_optimizer(optimizer: object, x: Parameter, y: Parameter) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"make_optimizer must return an mg_optim Optimizer, got {type(optimizer).__name__}"
        )
    params = [p for group in optimizer.param_groups for p in group.params]
    if len(params) != 2 or params[0] is not x or params[1] is not y:
        raise ValueError(
            "make_optimizer must build the optimizer over exactly the two Parameters it is "
            f"given, [x, y] in that order; got {len(params)} parameter(s): {params!r}"
        )
