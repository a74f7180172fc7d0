"""Atomic file writes: a reader sees the old file or the new one, never half of either.

The recipe is the POSIX one: write a temporary file in the *same directory* (a rename is atomic
only within one file system), flush and fsync it so its bytes are on disk, then ``os.replace``
it over the target. A crash before the rename leaves the old file untouched. The temporary name
is fixed per target (``.NAME.tmp``), so a leftover from a crash is overwritten and renamed away
by the next successful write; a failed write removes its own temporary file when it can.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Union

__all__ = ["PathLike", "atomic_write_bytes", "atomic_write_text", "temp_path_for"]

PathLike = Union[str, "os.PathLike[str]"]


def temp_path_for(path: Path) -> Path:
    """The temporary sibling that `atomic_write_bytes` uses for ``path``."""
    return path.with_name(f".{path.name}.tmp")


def atomic_write_bytes(path: PathLike, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically (temp file + flush + fsync + os.replace)."""
    target = Path(path)
    temp = temp_path_for(target)
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_directory(target.parent)


def atomic_write_text(path: PathLike, text: str) -> None:
    """`atomic_write_bytes` for UTF-8 text with ``\\n`` line endings on every platform."""
    atomic_write_bytes(path, text.encode("utf-8"))


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable; a no-op where directories cannot be opened (Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
