"""`Parameter`: a `Value` that a model owns and an optimizer updates.

It behaves exactly like a `Value` (it *is* one, a leaf); the type only marks intent, as
``torch.nn.Parameter`` does: `Module.parameters()` collects Parameters, and mg-optim accepts
nothing else, so a stray intermediate `Value` can never be "trained" by mistake.
"""

from __future__ import annotations

from mg_autograd import Value

__all__ = ["Parameter"]


class Parameter(Value):
    """A trainable leaf: ``Parameter(0.5, label="w")``."""

    __slots__ = ()
