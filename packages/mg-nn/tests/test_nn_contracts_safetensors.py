"""Contracts of the safetensors reader and writer that the mutation run showed were unpinned.

Files are built here byte by byte from the format's specification (8-byte little-endian header
length, JSON header, byte buffer); each refusal must name the file and the offending value, as
mg's error messages promise. Expected texts are the documented wording, not read back.
"""

from __future__ import annotations

import json
import math
import re
import struct
from pathlib import Path

import pytest
from mg_nn import (
    MLP,
    Layer,
    Module,
    Parameter,
    SafetensorsError,
    load_safetensors,
    save_safetensors,
)


def model() -> MLP:
    return MLP(1, [1], rng=0)  # tensors 0.weight [1, 1] and 0.bias [1]


def write(path: Path, header: object, buffer: bytes = b"", length: int | None = None) -> Path:
    raw = header if isinstance(header, bytes) else json.dumps(header).encode("utf-8")
    size = len(raw) if length is None else length
    path.write_bytes(struct.pack("<Q", size) + raw + buffer)
    return path


def good_header() -> dict[str, object]:
    return {
        "0.weight": {"dtype": "F64", "shape": [1, 1], "data_offsets": [0, 8]},
        "0.bias": {"dtype": "F64", "shape": [1], "data_offsets": [8, 16]},
    }


def refusal(path: Path) -> str:
    with pytest.raises(SafetensorsError) as caught:
        load_safetensors(model(), path)
    message = str(caught.value)
    assert message.startswith(f"safetensors file {path}")  # every refusal names the file
    return message


def test_a_good_hand_built_file_loads(tmp_path: Path) -> None:
    m = model()
    load_safetensors(m, write(tmp_path / "ok.safetensors", good_header(), b"\0" * 16))
    assert [p.data for p in m.parameters()] == [0.0, 0.0]


def test_non_ascii_metadata_is_written_as_utf8(tmp_path: Path) -> None:
    # The header is UTF-8 JSON (the specification): the text itself, not \u escapes.
    path = tmp_path / "m.safetensors"
    save_safetensors(model(), path, metadata={"note": "\u03b1\u00b2"})
    assert "\u03b1\u00b2".encode() in path.read_bytes()
    assert load_safetensors(model(), path) == {"note": "\u03b1\u00b2"}


def test_header_length_limit_is_100_mb_inclusive(tmp_path: Path) -> None:
    at_limit = refusal(write(tmp_path / "a", b"{}", length=100_000_000))
    assert at_limit.endswith(
        "declares a header of 100000000 bytes, past the end of the file (10 bytes)"
    )  # 8 + 2
    over = refusal(write(tmp_path / "b", b"{}", length=100_000_001))
    assert over.endswith(
        "declares a header of 100000001 bytes, over the 100000000-byte limit of the format's "
        "reference reader"
    )


def test_a_header_that_is_no_object_shows_its_first_16_bytes(tmp_path: Path) -> None:
    message = refusal(write(tmp_path / "h", b"[1, 2, 3, 4, 5, 6, 7, 8, 9]"))
    assert message.endswith(
        "the header must begin with '{' (a JSON object), it begins with b'[1, 2, 3, 4, 5, '"
    )


def test_metadata_of_non_strings_is_named(tmp_path: Path) -> None:
    header = {**good_header(), "__metadata__": {"epochs": 3}}
    message = refusal(write(tmp_path / "m", header, b"\0" * 16))
    assert message.endswith("__metadata__['epochs'] must be a string, got 3")


def test_an_entry_with_wrong_keys_is_shown(tmp_path: Path) -> None:
    header = {**good_header(), "0.bias": {"dtype": "F64"}}
    message = refusal(write(tmp_path / "k", header, b"\0" * 16))
    assert message.endswith(
        "tensor '0.bias' must be an object with exactly the keys dtype, shape and data_offsets, "
        'got {"dtype": "F64"}'
    )


def test_reversed_offsets_are_refused_as_such(tmp_path: Path) -> None:
    header = good_header()
    header["0.bias"] = {"dtype": "F64", "shape": [1], "data_offsets": [16, 8]}
    message = refusal(write(tmp_path / "r", header, b"\0" * 16))
    assert message.endswith(
        "tensor '0.bias' has data_offsets [16, 8], not [begin, end] with 0 <= begin <= end"
    )


def test_an_empty_tensor_has_equal_offsets_and_is_an_extra_tensor(tmp_path: Path) -> None:
    header = {**good_header(), "empty": {"dtype": "F64", "shape": [0], "data_offsets": [16, 16]}}
    message = refusal(write(tmp_path / "e", header, b"\0" * 16))
    assert "tensor(s) the model does not have: empty" in message


def test_offsets_that_do_not_fit_the_shape_count_their_bytes(tmp_path: Path) -> None:
    header = good_header()
    header["0.bias"] = {"dtype": "F64", "shape": [1], "data_offsets": [8, 24]}
    message = refusal(write(tmp_path / "s", header, b"\0" * 24))
    assert message.endswith(
        "tensor '0.bias' has data_offsets [8, 24], 16 bytes, but shape [1] of F64 needs 8 bytes"
    )


def test_trailing_bytes_are_a_hole(tmp_path: Path) -> None:
    message = refusal(write(tmp_path / "t", good_header(), b"\0" * 20))
    assert message.endswith(
        "has 4 byte(s) after the last tensor that belong to no tensor; the format allows no holes"
    )


@pytest.mark.parametrize("width", [76, 77, 200])
def test_a_long_value_is_shown_in_at_most_80_characters(tmp_path: Path, width: int) -> None:
    shape = ["a" * width]
    full = json.dumps(shape)  # width + 4 characters
    header = good_header()
    header["0.bias"] = {"dtype": "F64", "shape": shape, "data_offsets": [8, 16]}
    message = refusal(write(tmp_path / "w", header, b"\0" * 16))
    found = re.search(r"has shape (.*), not a list of non-negative ints$", message)
    assert found is not None
    shown = found.group(1)
    if len(full) <= 80:
        assert shown == full
    else:
        assert len(shown) == 80
        assert shown.endswith("...")
        assert full.startswith(shown[:-3])


def test_saving_a_non_finite_weight_says_why_it_is_refused(tmp_path: Path) -> None:
    m = model()
    m.parameters()[0].data = math.inf
    with pytest.raises(SafetensorsError) as caught:
        save_safetensors(m, tmp_path / "x.safetensors")
    assert str(caught.value).endswith(" is inf; a file holding it could not be loaded back")
    assert list(tmp_path.iterdir()) == []


def test_extra_tensors_and_the_models_own_are_listed(tmp_path: Path) -> None:
    header = {
        **good_header(),
        "x": {"dtype": "F64", "shape": [0], "data_offsets": [16, 16]},
        "y": {"dtype": "F64", "shape": [0], "data_offsets": [16, 16]},
    }
    message = refusal(write(tmp_path / "x", header, b"\0" * 16))
    assert message.endswith(
        "does not fit the model: tensor(s) the model does not have: x, y "
        "(the model's tensors are 0.weight, 0.bias)"
    )


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        (3, "metadata must be a mapping of strings to strings, got int"),
        ({1: "a"}, "metadata must map strings to strings; got 1: 'a' (int: str)"),
        ({"a": 2}, "metadata must map strings to strings; got 'a': 2 (str: int)"),
    ],
)
def test_bad_metadata_is_named_with_its_types(
    tmp_path: Path, metadata: object, message: str
) -> None:
    with pytest.raises(TypeError, match="^" + re.escape(message) + "$"):
        save_safetensors(model(), tmp_path / "m.safetensors", metadata=metadata)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_raises_its_own_error_and_leaves_the_old_file(tmp_path: Path) -> None:
    # A directory where the temp file would go: open() fails, and so does the cleanup's
    # unlink; the cleanup's error is swallowed, the write's error is what the caller sees.
    target = tmp_path / "m.safetensors"
    target.write_bytes(b"old")
    (tmp_path / ".m.safetensors.tmp").mkdir()
    with pytest.raises(IsADirectoryError):
        save_safetensors(model(), target)
    assert target.read_bytes() == b"old"


def save_refusal(tmp_path: Path, m: Module) -> str:
    with pytest.raises(SafetensorsError) as caught:
        save_safetensors(m, tmp_path / "m.safetensors")
    assert list(tmp_path.iterdir()) == []
    return str(caught.value)


def test_tied_weights_say_how_to_save_instead(tmp_path: Path) -> None:
    layer = Layer(2, 2, rng=0)
    layer.neurons[1].b = layer.neurons[0].b
    assert save_refusal(tmp_path, layer).endswith(
        "a tensor file cannot tie them; untie the weights or save the model's state_dict() instead"
    )


def test_parameters_no_tensor_holds_are_listed(tmp_path: Path) -> None:
    m = MLP(1, [1], rng=0)
    m.layers[0].scale = Parameter(1.0)  # type: ignore[attr-defined]  # what is tested
    m.layers[0].shift = Parameter(0.0)  # type: ignore[attr-defined]
    assert save_refusal(tmp_path, m) == (
        "MLP has parameters no tensor holds: layers.0.scale, layers.0.shift"
    )


def test_ragged_weight_rows_are_named(tmp_path: Path) -> None:
    layer = Layer(2, 2, rng=0)
    layer.neurons[1].w = layer.neurons[1].w[:1]
    assert save_refusal(tmp_path, layer) == (
        "weight: neuron 1 has 1 weights, the layer expects 2; a weight matrix needs rows of "
        "one length"
    )
