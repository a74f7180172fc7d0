"""Classic two-variable test functions, written with `Value` operations, for `optimize_path`.

Each one isolates a difficulty that real loss surfaces mix together:

- `rosenbrock`: a curved, flat-bottomed valley (Rosenbrock, 1960). Finding the valley is easy,
  following its bend to the minimum at (1, 1) is slow for every method.
- `ravine`: an ill-conditioned quadratic, 100 times steeper across than along. A learning rate
  small enough for the steep direction crawls along the flat one; plain gradient descent
  zig-zags across the ravine while momentum accumulates speed along it. Minimum at (0, 0).
- `saddle`: a saddle point at (0, 0) between two minima at (0, +1) and (0, -1). Started a hair
  off the ridge ``y = 0``, the gradient toward either minimum is tiny at first: who escapes,
  and how fast?

They are plain functions, so a learner's own ``lambda x, y: ...`` works the same way.
"""

from __future__ import annotations

from mg_autograd import Value

__all__ = ["ravine", "rosenbrock", "saddle"]


def rosenbrock(x: Value, y: Value) -> Value:
    """``(1 - x)^2 + 100 (y - x^2)^2``: minimum 0 at (1, 1)."""
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def ravine(x: Value, y: Value) -> Value:
    """``x^2 / 2 + 50 y^2``: minimum 0 at (0, 0); curvatures 1 and 100 (condition number 100)."""
    return 0.5 * x**2 + 50 * y**2


def saddle(x: Value, y: Value) -> Value:
    """``x^2 / 2 + y^4 / 4 - y^2 / 2``: a saddle (f = 0) at (0, 0), minima -1/4 at (0, +-1)."""
    return 0.5 * x**2 + 0.25 * y**4 - 0.5 * y**2
