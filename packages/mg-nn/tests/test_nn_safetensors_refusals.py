"""load_safetensors refuses every malformed or mismatched file, names the problem, changes nothing.

Each case is a file built by hand (8-byte length, header, buffer) that differs from a valid
file for ``MLP(2, [3, 1])`` in one way. The load must raise `SafetensorsError` (a ValueError)
whose message contains the fragment, and the model's state dict must be exactly what it was.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple, Optional

import pytest
from mg_nn import MLP, SafetensorsError, load_safetensors

SHAPES = {"0.weight": [3, 2], "0.bias": [3], "2.weight": [1, 3], "2.bias": [1]}
Header = dict[str, object]


def entries(changes: Optional[Mapping[str, object]] = None, *, dtype: str = "F64") -> Header:
    """A valid header for MLP(2, [3, 1]); ``changes`` replace (or with None remove) entries."""
    size = 8 if dtype == "F64" else 4
    header: Header = {}
    offset = 0
    for name, shape in SHAPES.items():
        end = offset + size * math.prod(shape)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, end]}
        offset = end
    for name, value in (changes or {}).items():
        if value is None:
            del header[name]
        else:
            header[name] = value
    return header


def values(count: int = 13, *, code: str = "d", at: int = -1, value: float = 0.0) -> bytes:
    numbers = [0.125 * (i + 1) for i in range(count)]
    if at >= 0:
        numbers[at] = value
    return struct.pack(f"<{count}{code}", *numbers)


def file(header: object, buffer: bytes = b"", *, length: int = -1) -> bytes:
    raw = header if isinstance(header, bytes) else json.dumps(header).encode("utf-8")
    declared = len(raw) if length < 0 else length
    return struct.pack("<Q", declared) + raw + buffer


class Case(NamedTuple):
    id: str
    content: bytes
    fragment: str


def weight(**entry: object) -> Header:
    base: Header = {"dtype": "F64", "shape": [3, 2], "data_offsets": [0, 48]}
    base.update(entry)
    return base


VALID = file(entries(), values())

FORMAT_CASES = [  # files that break the format itself
    Case("empty file", b"", "truncated: 0 byte(s)"),
    Case("five bytes", b"\x10\x00\x00\x00\x00", "truncated: 5 byte(s)"),
    Case("header length past the end", file(entries(), length=10_000), "past the end"),
    Case("header length just past the end", VALID[:60], "past the end of the file (60 bytes)"),
    Case("header over 100 MB", file(b"{}", length=100_000_001), "100000001 bytes, over"),
    Case("header length 2**64 - 1", file(b"{}", length=2**64 - 1), "18446744073709551615"),
    Case("header not JSON", file(b'{"0.weight": '), "not valid JSON"),
    Case(
        "header padded with NULs",
        file(json.dumps(entries()).encode() + b"\0\0", values()),
        "not valid JSON",
    ),
    Case("header a JSON list", file(b"[1, 2]"), "must begin with '{'"),
    Case("header a JSON string", file(b'"{}"'), "must begin with '{'"),
    Case("header not UTF-8", file(b'{"\xff": 1}'), "not UTF-8"),
    Case(
        "duplicate tensor name",
        file(
            b'{"2.bias": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]}, '
            b'"2.bias": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]}}',
            values(1),
        ),
        "duplicate key '2.bias'",
    ),
    Case(
        "duplicate key in an entry",
        file(
            b'{"2.bias": {"dtype": "F64", "dtype": "F32", "shape": [1], "data_offsets": [0, 8]}}',
            values(1),
        ),
        "duplicate key 'dtype'",
    ),
    Case("NaN literal in the header", file(b'{"__metadata__": {"a": NaN}}'), "literal NaN"),
    Case(
        "metadata value a number",
        file(entries({"__metadata__": {"epochs": 3}}), values()),
        "__metadata__['epochs'] must be a string, got 3",
    ),
    Case(
        "metadata a string",
        file(entries({"__metadata__": "pt"}), values()),
        '__metadata__ must be an object of strings, got "pt"',
    ),
    Case(
        "unknown dtype",
        file(entries({"0.weight": weight(dtype="F99")}), values()),
        "tensor '0.weight' has an unknown dtype \"F99\"",
    ),
    Case(
        "dtype not a string",
        file(entries({"0.weight": weight(dtype=64)}), values()),
        "unknown dtype 64",
    ),
    Case(
        "unsupported dtype F16",
        file(entries({"0.weight": weight(dtype="F16")}), values()),
        "dtype F16; mg reads F32 and F64 only",
    ),
    Case(
        "entry without data_offsets",
        file(entries({"0.weight": {"dtype": "F64", "shape": [3, 2]}}), values()),
        "exactly the keys",
    ),
    Case(
        "entry with an extra key",
        file(entries({"0.weight": weight(stride=[2, 1])}), values()),
        "exactly the keys",
    ),
    Case(
        "entry not an object",
        file(entries({"0.weight": [0, 48]}), values()),
        "tensor '0.weight' must be an object",
    ),
    Case(
        "negative dimension",
        file(entries({"0.weight": weight(shape=[3, -2])}), values()),
        "shape [3, -2], not a list",
    ),
    Case(
        "float dimension",
        file(entries({"0.weight": weight(shape=[3, 2.0])}), values()),
        "shape [3, 2.0], not a list",
    ),
    Case(
        "boolean dimension",
        file(entries({"0.weight": weight(shape=[3, True])}), values()),
        "shape [3, true], not a list",
    ),
    Case(
        "shape not a list",
        file(entries({"0.weight": weight(shape="3x2")}), values()),
        'shape "3x2", not a list',
    ),
    Case(
        "offsets begin after end",
        file(entries({"0.weight": weight(data_offsets=[48, 0])}), values()),
        "data_offsets [48, 0]",
    ),
    Case(
        "three offsets",
        file(entries({"0.weight": weight(data_offsets=[0, 24, 48])}), values()),
        "data_offsets [0, 24, 48], not [begin, end]",
    ),
    Case(
        "negative offset",
        file(entries({"0.weight": weight(data_offsets=[-8, 40])}), values()),
        "data_offsets [-8, 40]",
    ),
    Case(
        "offsets shorter than the shape",
        file(entries({"0.weight": weight(data_offsets=[0, 40])}), values()),
        "40 bytes, but shape [3, 2] of F64 needs 48 bytes",
    ),
    Case(
        "offsets overlap",
        file(
            entries({"0.bias": {"dtype": "F64", "shape": [3], "data_offsets": [40, 64]}}),
            values(),
        ),
        "tensor '0.bias' (bytes 40-64) overlaps tensor '0.weight', which ends at byte 48",
    ),
    Case(
        "two tensors on the same bytes",
        file(entries({"2.bias": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]}}), values()),
        "overlaps",
    ),
    Case(
        "a hole between tensors",
        file(
            entries({"2.bias": {"dtype": "F64", "shape": [1], "data_offsets": [104, 112]}}),
            values(14),
        ),
        "bytes 96-104 of the byte buffer (after tensor '2.weight') belong to no",
    ),
    Case(
        "first tensor not at byte 0",
        file(
            entries(
                {
                    "0.weight": weight(data_offsets=[8, 56]),
                    "0.bias": {"dtype": "F64", "shape": [3], "data_offsets": [56, 80]},
                    "2.weight": {"dtype": "F64", "shape": [1, 3], "data_offsets": [80, 104]},
                    "2.bias": {"dtype": "F64", "shape": [1], "data_offsets": [104, 112]},
                }
            ),
            values(14),
        ),
        "bytes 0-8 of the byte buffer (after the start of the byte buffer) belong to no",
    ),
    Case(
        "bytes after the last tensor",
        file(entries(), values(14)),
        "8 byte(s) after the last tensor",
    ),
    Case(
        "offsets past the end of the buffer",
        file(entries(), values(12)),
        "truncated: tensor '2.bias' ends at byte 104 of the byte buffer, which has only 96",
    ),
    Case("file cut inside the data", VALID[:-3], "which has only 101 bytes"),
]

MODEL_CASES = [  # well-formed files that do not fit MLP(2, [3, 1]) or hold non-finite values
    Case("missing tensor", file(entries({"2.bias": None}), values(12)), "missing tensor(s) 2.bias"),
    Case(
        "extra tensor",
        file(
            entries({"4.weight": {"dtype": "F64", "shape": [1], "data_offsets": [104, 112]}}),
            values(14),
        ),
        "tensor(s) the model does not have: 4.weight",
    ),
    Case(
        "torch names of another depth",
        file(
            {"weight": weight(), "bias": {"dtype": "F64", "shape": [3], "data_offsets": [48, 72]}},
            values(9),
        ),
        "missing tensor(s) 0.weight, 0.bias, 2.weight, 2.bias; tensor(s) the model",
    ),
    Case(
        "transposed weight",
        file(entries({"0.weight": weight(shape=[2, 3])}), values()),
        "tensor '0.weight' has shape [2, 3] in the file, but the model's is [3, 2]",
    ),
    Case(
        "weight of three dimensions",
        file(
            entries({"2.weight": {"dtype": "F64", "shape": [1, 3, 1], "data_offsets": [72, 96]}}),
            values(),
        ),
        "'2.weight' has shape [1, 3, 1] in the file",
    ),
    Case("NaN weight", file(entries(), values(at=3, value=math.nan)), "0.weight[1, 1] is nan"),
    Case("infinite bias", file(entries(), values(at=12, value=-math.inf)), "2.bias[0] is -inf"),
    Case(
        "F32 infinity",
        file(entries(dtype="F32"), values(code="f", at=0, value=math.inf)),
        "0.weight[0, 0] is inf",
    ),
]

CASES = FORMAT_CASES + MODEL_CASES


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_file_is_refused_naming_the_problem_and_the_model_is_untouched(
    tmp_path: Path, case: Case
) -> None:
    path = tmp_path / "bad.safetensors"
    path.write_bytes(case.content)
    model = MLP(2, [3, 1], rng=0)
    before = model.state_dict()
    with pytest.raises(SafetensorsError) as caught:
        load_safetensors(model, path)
    assert isinstance(caught.value, ValueError)
    assert case.fragment in str(caught.value)
    assert model.state_dict() == before


@pytest.mark.parametrize("dtype", ["F64", "F32"])
def test_the_unchanged_base_files_load(tmp_path: Path, dtype: str) -> None:
    """Every case is one change away from such a file: the refusals are not accidents."""
    path = tmp_path / "good.safetensors"
    path.write_bytes(file(entries(dtype=dtype), values(code="d" if dtype == "F64" else "f")))
    model = MLP(2, [3, 1], rng=0)
    load_safetensors(model, path)
    assert [p.data for p in model.parameters()] == [
        0.125,
        0.25,
        0.875,
        0.375,
        0.5,
        1.0,
        0.625,
        0.75,
        1.125,
        1.25,
        1.375,
        1.5,
        1.625,
    ]


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SafetensorsError, match=f"cannot read safetensors file {tmp_path}: it is a"):
        load_safetensors(MLP(2, [3, 1]), tmp_path)


def test_a_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_safetensors(MLP(2, [3, 1]), tmp_path / "nothing.safetensors")


def test_catalogue_ids_are_unique_and_every_case_differs_from_the_valid_file() -> None:
    assert len({case.id for case in CASES}) == len(CASES) >= 40
    assert all(case.content != VALID for case in CASES)
