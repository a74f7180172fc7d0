"""Reading what a picture test caught: a PNG's pixel size, and matplotlib's arrays as plain
floats, so the assertions compare Python numbers and not numpy's.

``numpy`` comes with matplotlib (the ``plot`` extra); without it only ``HAS_MATPLOTLIB`` and
``png_size`` are of use, and the picture tests assert MissingMatplotlib instead.
"""

from __future__ import annotations

import importlib.util
import struct

HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None

if HAS_MATPLOTLIB:
    import numpy
    from numpy.typing import ArrayLike


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) from the IHDR chunk, which the PNG specification puts first."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def floats(values: ArrayLike) -> list[float]:
    """Plain floats, flattened, from what matplotlib hands back as an array."""
    return [float(v) for v in numpy.asarray(values, dtype=float).ravel()]


def rows(values: ArrayLike) -> list[list[float]]:
    return [[float(v) for v in row] for row in numpy.asarray(values, dtype=float)]
