"""Process-wide switches that change how operations behave: grad mode and anomaly mode.

Both are plain attributes on one small object so that every operation pays a single attribute
read to consult them. They nest: entering a context twice and leaving once keeps it on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["detect_anomaly", "is_anomaly_enabled", "is_grad_enabled", "no_grad"]


class _Mode:
    __slots__ = ("anomaly_depth", "grad_enabled", "no_grad_depth")

    def __init__(self) -> None:
        self.grad_enabled = True
        self.no_grad_depth = 0
        self.anomaly_depth = 0


MODE = _Mode()


def is_grad_enabled() -> bool:
    """True unless inside `no_grad()`."""
    return MODE.grad_enabled


def is_anomaly_enabled() -> bool:
    """True inside `detect_anomaly()`."""
    return MODE.anomaly_depth > 0


@contextmanager
def no_grad() -> Iterator[None]:
    """Build no graph inside this block: every result is a plain leaf with no parents.

    Use it for evaluation and for optimizer updates, where nobody will call `backward()` and
    recording local derivatives would only cost time and memory.
    """
    MODE.no_grad_depth += 1
    MODE.grad_enabled = False
    try:
        yield
    finally:
        MODE.no_grad_depth -= 1
        MODE.grad_enabled = MODE.no_grad_depth == 0


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise `FloatingPointError` at the first non-finite number made in forward or backward.

    Without it a NaN spreads silently through every later operation and only shows up in the
    loss; with it the error names the operation that made it and the operand values it saw.
    The checks cost time, so they are off by default.
    """
    MODE.anomaly_depth += 1
    try:
        yield
    finally:
        MODE.anomaly_depth -= 1
