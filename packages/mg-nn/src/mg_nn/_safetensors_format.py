"""The safetensors file format, encoded and checked in pure Python.

From the format's specification (the "Format" section of the README of
https://github.com/huggingface/safetensors):

* 8 bytes: N, an unsigned little-endian 64-bit integer, the size of the header;
* N bytes: a UTF-8 JSON object. It must begin with ``{`` and may be padded at the end with
  spaces (0x20). Each key is a tensor name and maps to
  ``{"dtype": "F64", "shape": [rows, cols], "data_offsets": [begin, end]}``, where the offsets
  are relative to the start of the byte buffer and ``end`` is one past the last byte. One more
  key, ``"__metadata__"``, may hold a map of strings to strings;
* the rest of the file: the byte buffer, each tensor little-endian in row-major (C) order.

The specification also says: duplicate keys are not allowed; the byte buffer must be entirely
indexed with no holes (so no other file can hide inside it); values are not checked, so NaN and
infinities can be in a file; and the reference reader refuses headers over 100 MB.

What this reader accepts, exactly: a header of at most `MAX_HEADER_BYTES` that lies within the
file, is valid UTF-8 JSON without duplicate keys or NaN/Infinity literals, and is an object;
tensor entries with exactly the keys dtype, shape and data_offsets; shapes of non-negative ints;
offsets ``[begin, end]`` with ``end - begin`` equal to the element count times the element size;
and, taking the tensors in order of their offsets, each beginning where the previous one ended,
the first at 0 and the last ending at the end of the file - no overlap, no gap, no trailing
bytes. A writer that follows the specification produces only such files; `encode` writes them
with the header padded to a multiple of 8 bytes, so that every F64 tensor is 8-byte aligned in
the file, as the reference writer does.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import BinaryIO

__all__ = [
    "DTYPE_SIZES",
    "MAX_HEADER_BYTES",
    "Entry",
    "SafetensorsError",
    "decode_values",
    "encode",
    "read_header",
]

MAX_HEADER_BYTES = 100_000_000
"""The largest header read: the reference reader's limit (100 MB) against JSON bombs."""

DTYPE_SIZES: Mapping[str, int] = {"F32": 4, "F64": 8}
"""The dtypes read (bytes per element); F32 widens to a Python float exactly."""

_KNOWN_DTYPES = frozenset(
    {"BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32"}
    | {"F32", "F64", "I64", "U64"}
)
_STRUCT_CODES: Mapping[str, str] = {"F32": "f", "F64": "d"}
_METADATA_KEY = "__metadata__"
_ENTRY_KEYS = ("data_offsets", "dtype", "shape")


class SafetensorsError(ValueError):
    """A safetensors file (or a model) that cannot be read or written; the message says why."""


@dataclass(frozen=True)
class Entry:
    """One tensor as the header describes it; offsets are relative to the byte buffer."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    begin: int
    end: int

    @property
    def count(self) -> int:
        count = 1
        for size in self.shape:
            count *= size
        return count


def encode(
    tensors: Sequence[tuple[str, tuple[int, ...], Sequence[float]]],
    metadata: Mapping[str, str],
) -> bytes:
    """The bytes of a file holding ``(name, shape, row-major values)`` tensors as F64."""
    header: dict[str, object] = {}
    if metadata:
        header[_METADATA_KEY] = dict(metadata)
    offset = 0
    for name, shape, values in tensors:
        size = DTYPE_SIZES["F64"] * len(values)
        header[name] = {
            "dtype": "F64",
            "shape": list(shape),
            "data_offsets": [offset, offset + size],
        }
        offset += size
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    raw = text.encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    chunks = [struct.pack("<Q", len(raw)), raw]
    chunks.extend(struct.pack(f"<{len(values)}d", *values) for _, _, values in tensors)
    return b"".join(chunks)


def read_header(
    handle: BinaryIO, file_size: int, where: str
) -> tuple[dict[str, Entry], dict[str, str], int]:
    """(tensors by name in header order, metadata, byte buffer start) of an open file.

    Everything but the tensor values is checked here (see the module docstring); ``where``
    names the file in error messages.
    """
    prefix = handle.read(8)
    if len(prefix) < 8:
        raise SafetensorsError(
            f"{where} is truncated: {len(prefix)} byte(s), less than the 8-byte header length"
        )
    (length,) = struct.unpack("<Q", prefix)
    if length > MAX_HEADER_BYTES:
        raise SafetensorsError(
            f"{where} declares a header of {length} bytes, over the {MAX_HEADER_BYTES}-byte "
            "limit of the format's reference reader"
        )
    if 8 + length > file_size:
        raise SafetensorsError(
            f"{where} declares a header of {length} bytes, past the end of the file "
            f"({file_size} bytes)"
        )
    raw = handle.read(length)
    if len(raw) != length:
        raise SafetensorsError(f"{where} is truncated inside its {length}-byte header")
    header = _parse_json(raw, where)
    metadata = _metadata(header.pop(_METADATA_KEY, None), where)
    entries = {name: _entry(name, value, where) for name, value in header.items()}
    _check_coverage(list(entries.values()), file_size - 8 - length, where)
    return entries, metadata, 8 + length


def decode_values(entry: Entry, data: bytes) -> tuple[float, ...]:
    """The tensor's values, little-endian, as Python floats (F32 widened exactly)."""
    code = _STRUCT_CODES[entry.dtype]
    return struct.unpack(f"<{entry.count}{code}", data)


def _reject_constant(token: str) -> object:
    raise SafetensorsError(f"the JSON literal {token} is not allowed")


def _unique_object(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise SafetensorsError(f"duplicate key {key!r}, which the format disallows")
        result[key] = value
    return result


def _parse_json(raw: bytes, where: str) -> dict[str, object]:
    if not raw.startswith(b"{"):
        raise SafetensorsError(
            f"{where}: the header must begin with '{{' (a JSON object), it begins with {raw[:16]!r}"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SafetensorsError(f"{where}: the header is not UTF-8 ({error})") from None
    try:
        header = json.loads(text, object_pairs_hook=_unique_object, parse_constant=_reject_constant)
    except SafetensorsError as error:
        raise SafetensorsError(f"{where}: header: {error}") from None
    except (ValueError, RecursionError) as error:
        raise SafetensorsError(f"{where}: the header is not valid JSON ({error})") from None
    if not isinstance(header, dict):
        raise SafetensorsError(
            f"{where}: the header must be a JSON object, got {type(header).__name__}"
        )
    return header


def _metadata(value: object, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SafetensorsError(
            f"{where}: __metadata__ must be an object of strings, got {_show(value)}"
        )
    for key, item in value.items():
        if not isinstance(item, str):
            raise SafetensorsError(
                f"{where}: __metadata__[{key!r}] must be a string, got {_show(item)}"
            )
    return {str(key): str(item) for key, item in value.items()}


def _entry(name: str, value: object, where: str) -> Entry:
    at = f"{where}: tensor {name!r}"
    if not isinstance(value, dict) or sorted(value) != list(_ENTRY_KEYS):
        raise SafetensorsError(
            f"{at} must be an object with exactly the keys dtype, shape and data_offsets, got "
            f"{_show(value)}"
        )
    dtype = value["dtype"]
    if not isinstance(dtype, str) or dtype not in _KNOWN_DTYPES:
        raise SafetensorsError(f"{at} has an unknown dtype {_show(dtype)}")
    if dtype not in DTYPE_SIZES:
        raise SafetensorsError(f"{at} has dtype {dtype}; mg reads F32 and F64 only")
    shape = value["shape"]
    if not isinstance(shape, list) or not all(_is_count(size) for size in shape):
        raise SafetensorsError(f"{at} has shape {_show(shape)}, not a list of non-negative ints")
    offsets = value["data_offsets"]
    if (
        not isinstance(offsets, list)
        or len(offsets) != 2
        or not all(_is_count(offset) for offset in offsets)
        or offsets[0] > offsets[1]
    ):
        raise SafetensorsError(
            f"{at} has data_offsets {_show(offsets)}, not [begin, end] with 0 <= begin <= end"
        )
    entry = Entry(name, dtype, tuple(shape), offsets[0], offsets[1])
    expected = entry.count * DTYPE_SIZES[dtype]
    if entry.end - entry.begin != expected:
        raise SafetensorsError(
            f"{at} has data_offsets {offsets}, {entry.end - entry.begin} bytes, but shape "
            f"{list(entry.shape)} of {dtype} needs {expected} bytes"
        )
    return entry


def _check_coverage(entries: list[Entry], buffer_size: int, where: str) -> None:
    """The tensors, in offset order, tile the byte buffer exactly (see the module docstring)."""
    end = 0
    previous = "the start of the byte buffer"
    for entry in sorted(entries, key=lambda e: (e.begin, e.end)):
        if entry.begin < end:
            raise SafetensorsError(
                f"{where}: tensor {entry.name!r} (bytes {entry.begin}-{entry.end}) overlaps "
                f"{previous}, which ends at byte {end}"
            )
        if entry.begin > end:
            raise SafetensorsError(
                f"{where}: bytes {end}-{entry.begin} of the byte buffer (after {previous}) "
                "belong to no tensor; the format allows no holes"
            )
        end = entry.end
        previous = f"tensor {entry.name!r}"
    if end > buffer_size:
        raise SafetensorsError(
            f"{where} is truncated: {previous} ends at byte {end} of the byte buffer, which has "
            f"only {buffer_size} bytes"
        )
    if end < buffer_size:
        raise SafetensorsError(
            f"{where} has {buffer_size - end} byte(s) after the last tensor that belong to no "
            "tensor; the format allows no holes"
        )


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _show(value: object) -> str:
    text = json.dumps(value)
    return text if len(text) <= 80 else text[:77] + "..."
