"""Weights to and from PyTorch: `save_safetensors` and `load_safetensors`.

A safetensors file is the format PyTorch users exchange weights in: a JSON header naming each
tensor's dtype, shape and byte range, then the raw little-endian bytes - data only, nothing that
runs when read (the format and exactly what is accepted: `mg_nn._safetensors_format`). The
tensors are those of the model's PyTorch equivalent (`mg_nn._torch_layout`): ``MLP(2, [8, 1],
activation="tanh")`` is ``torch.nn.Sequential(Linear(2, 8), Tanh(), Linear(8, 1))`` with
``0.weight`` ``[8, 2]``, ``0.bias`` ``[8]``, ``2.weight`` ``[1, 8]``, ``2.bias`` ``[1]``, so the
file loads with ``load_state_dict(strict=True)`` into that Sequential (``.double()`` to keep
every bit, since mg writes F64).
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Optional, Union

from ._safetensors_format import Entry, SafetensorsError, decode_values, encode, read_header
from ._torch_layout import Slot, torch_layout
from .module import Module
from .parameter import Parameter

__all__ = ["SafetensorsError", "load_safetensors", "save_safetensors"]


def save_safetensors(
    model: Module,
    path: Union[str, os.PathLike[str]],
    *,
    metadata: Optional[Mapping[str, str]] = None,
) -> None:
    """Write ``model``'s parameters to ``path`` as F64 tensors of its PyTorch equivalent.

    ``metadata`` (strings to strings) goes into the header's ``__metadata__``. The write is
    atomic: a temporary file beside ``path`` is written, flushed, fsynced and renamed over it,
    so ``path`` holds the old file or the new one, never part of one. Refused before anything
    is written, with `SafetensorsError`: a model whose parameters no tensor layout holds (tied
    weights), a non-finite parameter (a file `load_safetensors` would refuse), or a ``path``
    that is a directory; non-string metadata is a TypeError.
    """
    extra = _check_metadata(metadata)
    slots = torch_layout(model)
    names = _mg_names(model)
    tensors: list[tuple[str, tuple[int, ...], list[float]]] = []
    for slot in slots:
        values = [param.data for param in slot.params]
        for flat, value in enumerate(values):
            if not math.isfinite(value):
                raise SafetensorsError(
                    f"parameter {names[slot.params[flat]]} ({slot.position(flat)}) is {value}; "
                    "a file holding it could not be loaded back"
                )
        tensors.append((slot.name, slot.shape, values))
    target = Path(path)
    if target.is_dir():
        raise SafetensorsError(f"cannot write safetensors file {target}: it is a directory")
    _atomic_write(target, encode(tensors, extra))


def load_safetensors(model: Module, path: Union[str, os.PathLike[str]]) -> dict[str, str]:
    """Copy the tensors of the safetensors file at ``path`` into ``model``; return its metadata.

    The file must hold exactly the tensors of the model's PyTorch equivalent, by name and
    shape, as F64 or F32 (widened to float exactly). Everything is checked before the first
    parameter changes - the header (length within the file and at most 100 MB, a JSON object
    without duplicate keys, metadata of strings, known dtypes, offsets that match the shapes
    and tile the byte buffer without overlap or gap), the names and shapes against the model,
    and every value (NaN and infinities are refused) - and any problem raises
    `SafetensorsError` naming it and the value, with the model left as it was. A missing file
    is FileNotFoundError; nothing is ever unpickled.
    """
    source = Path(path)
    if source.is_dir():
        raise SafetensorsError(f"cannot read safetensors file {source}: it is a directory")
    slots = torch_layout(model)
    names = _mg_names(model)
    where = f"safetensors file {source}"
    with open(source, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        entries, metadata, start = read_header(handle, size, where)
        _check_against_model(entries, slots, where)
        data = handle.read(size - start)
    if len(data) != size - start:
        raise SafetensorsError(f"{where} changed size while it was being read")
    state: dict[str, float] = {}
    for slot in slots:
        entry = entries[slot.name]
        values = decode_values(entry, data[entry.begin : entry.end])
        for flat, value in enumerate(values):
            if not math.isfinite(value):
                raise SafetensorsError(
                    f"{where}: {slot.position(flat)} is {value}; refusing a non-finite weight"
                )
            state[names[slot.params[flat]]] = value
    model.load_state_dict(state)
    return metadata


def _check_against_model(entries: Mapping[str, Entry], slots: list[Slot], where: str) -> None:
    expected = {slot.name for slot in slots}
    missing = [slot.name for slot in slots if slot.name not in entries]
    extra = [name for name in entries if name not in expected]
    if missing or extra:
        problems = []
        if missing:
            problems.append(f"missing tensor(s) {', '.join(missing)}")
        if extra:
            problems.append(f"tensor(s) the model does not have: {', '.join(extra)}")
        raise SafetensorsError(
            f"{where} does not fit the model: {'; '.join(problems)} (the model's tensors are "
            f"{', '.join(slot.name for slot in slots)})"
        )
    for slot in slots:
        shape = entries[slot.name].shape
        if shape != slot.shape:
            raise SafetensorsError(
                f"{where}: tensor {slot.name!r} has shape {list(shape)} in the file, "
                f"but the model's is {list(slot.shape)}"
            )


def _mg_names(model: Module) -> dict[Parameter, str]:
    return {param: name for name, param in model.named_parameters()}


def _check_metadata(metadata: Optional[Mapping[str, str]]) -> dict[str, str]:
    if metadata is None:
        return {}
    if not isinstance(metadata, Mapping):
        raise TypeError(
            f"metadata must be a mapping of strings to strings, got {type(metadata).__name__}"
        )
    for key, value in metadata.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(
                f"metadata must map strings to strings; got {key!r}: {value!r} "
                f"({type(key).__name__}: {type(value).__name__})"
            )
    return dict(metadata)


def _atomic_write(target: Path, data: bytes) -> None:
    """Temp file in the same directory (a rename is atomic only within one file system),
    flush + fsync, then ``os.replace``; a failed write removes its temporary file."""
    temp = target.with_name(f".{target.name}.tmp")
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
