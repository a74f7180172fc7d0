"""save_safetensors and load_safetensors: the bytes of the spec, the PyTorch layout, round trips.

The expected bytes are written out by hand from the safetensors specification and IEEE 754
(0.5 is 0x3FE0000000000000, -0.25 is 0xBFD0000000000000, stored little-endian), not taken from
the writer's output. Interop with the real ``safetensors`` package and with PyTorch is proven
in tests/interop (tox env ``safetensors``) and benchmarks/safetensors_crosscheck.py.
"""

from __future__ import annotations

import json
import math
import os
import re
import runpy
import struct
from pathlib import Path

import pytest
from mg_nn import (
    MLP,
    Layer,
    Module,
    Neuron,
    Parameter,
    SafetensorsError,
    load_safetensors,
    save_safetensors,
)

README = Path(__file__).parents[1] / "README.md"


def header_of(path: Path) -> tuple[dict[str, object], bytes]:
    raw = path.read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8 : 8 + length]), raw[8 + length :]


def bits(value: float) -> bytes:
    return struct.pack("<d", value)


def test_a_one_weight_model_is_exactly_the_bytes_the_spec_prescribes(tmp_path: Path) -> None:
    model = MLP(1, [1], rng=0)
    model.layers[0].neurons[0].w[0].data = 0.5
    model.layers[0].neurons[0].b.data = -0.25
    path = tmp_path / "one.safetensors"
    save_safetensors(model, path)
    header = (
        b'{"0.weight":{"dtype":"F64","shape":[1,1],"data_offsets":[0,8]},'
        b'"0.bias":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}}'
    )
    assert len(header) == 122
    padded = header + b" " * 6  # to 128, a multiple of 8, so the F64 data is 8-byte aligned
    expected = (
        bytes([128, 0, 0, 0, 0, 0, 0, 0])
        + padded
        + bytes([0, 0, 0, 0, 0, 0, 0xE0, 0x3F])
        + bytes([0, 0, 0, 0, 0, 0, 0xD0, 0xBF])
    )
    assert path.read_bytes() == expected


def test_mlp_tensors_are_the_torch_sequential_names_shapes_and_row_major_order(
    tmp_path: Path,
) -> None:
    model = MLP(3, [4, 2, 1], activation="tanh", output_activation="sigmoid", rng=7)
    path = tmp_path / "mlp.safetensors"
    save_safetensors(model, path)
    header, buffer = header_of(path)
    assert list(header) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    shapes = {name: entry["shape"] for name, entry in header.items()}  # type: ignore[index]
    assert shapes == {
        "0.weight": [4, 3],
        "0.bias": [4],
        "2.weight": [2, 4],
        "2.bias": [2],
        "4.weight": [1, 2],
        "4.bias": [1],
    }
    for index, layer in enumerate(model.layers):
        entry = header[f"{2 * index}.weight"]
        assert isinstance(entry, dict)
        begin, end = entry["data_offsets"]
        values = struct.unpack(f"<{(end - begin) // 8}d", buffer[begin:end])
        matrix = [[w.data for w in neuron.w] for neuron in layer.neurons]  # [out][in]
        assert list(values) == [w for row in matrix for w in row]
        bias = header[f"{2 * index}.bias"]
        assert isinstance(bias, dict)
        begin, end = bias["data_offsets"]
        assert list(struct.unpack(f"<{layer.nout}d", buffer[begin:end])) == [
            neuron.b.data for neuron in layer.neurons
        ]


def test_layer_is_a_linear_and_neuron_a_linear_with_one_output(tmp_path: Path) -> None:
    path = tmp_path / "m.safetensors"
    save_safetensors(Layer(3, 2, rng=1), path)
    header, _ = header_of(path)
    assert {k: v["shape"] for k, v in header.items()} == {  # type: ignore[index]
        "weight": [2, 3],
        "bias": [2],
    }
    save_safetensors(Neuron(5, rng=1), path)
    header, _ = header_of(path)
    assert {k: v["shape"] for k, v in header.items()} == {  # type: ignore[index]
        "weight": [1, 5],
        "bias": [1],
    }


class Custom(Module):
    """A module of every kind of attribute the layout maps, in assignment order."""

    def __init__(self) -> None:
        self.scale = Parameter(2.0)
        self.offsets = (Parameter(0.1), Parameter(0.2), Parameter(0.3))
        self.encoder = MLP(2, [3, 2], rng=1)
        self.heads = [Layer(2, 1, rng=2), Parameter(-1.0)]
        self.plain = 4.0
        self._private = Parameter(9.0)


def test_other_modules_map_as_torch_names_their_parameters_and_submodules(
    tmp_path: Path,
) -> None:
    model = Custom()
    path = tmp_path / "custom.safetensors"
    save_safetensors(model, path)
    header, _ = header_of(path)
    assert {k: v["shape"] for k, v in header.items()} == {  # type: ignore[index]
        "scale": [],
        "offsets": [3],
        "encoder.0.weight": [3, 2],
        "encoder.0.bias": [3],
        "encoder.2.weight": [2, 3],
        "encoder.2.bias": [2],
        "heads.0.weight": [1, 2],
        "heads.0.bias": [1],
        "heads.1": [],
    }
    copy = Custom()
    for param in copy.parameters():
        param.data = 0.0
    load_safetensors(copy, path)
    assert copy.state_dict() == model.state_dict()


def test_round_trip_keeps_every_bit_including_signed_zero_and_extremes(tmp_path: Path) -> None:
    model = MLP(2, [3, 1], rng=0)
    specials = [-0.0, 5e-324, 1.7976931348623157e308, -2.2250738585072014e-308, 1.0 / 3.0]
    for param, value in zip(model.parameters(), specials):
        param.data = value
    path = tmp_path / "m.safetensors"
    save_safetensors(model, path)
    other = MLP(2, [3, 1], rng=99)
    assert other.state_dict() != model.state_dict()
    assert load_safetensors(other, path) == {}
    for mine, theirs in zip(model.parameters(), other.parameters()):
        assert bits(theirs.data) == bits(mine.data)
    assert math.copysign(1.0, other.parameters()[0].data) == -1.0


def test_metadata_is_written_and_returned(tmp_path: Path) -> None:
    path = tmp_path / "m.safetensors"
    metadata = {"format": "pt", "trained_by": "mg", "note": "ünïcode ok"}
    save_safetensors(MLP(2, [1]), path, metadata=metadata)
    header, _ = header_of(path)
    assert header["__metadata__"] == metadata
    assert load_safetensors(MLP(2, [1]), path) == metadata


@pytest.mark.parametrize(
    "metadata", [{"epochs": 3}, {1: "x"}, ["not", "a", "mapping"]], ids=["int", "key", "list"]
)
def test_non_string_metadata_is_a_type_error_and_writes_nothing(
    tmp_path: Path, metadata: object
) -> None:
    path = tmp_path / "m.safetensors"
    with pytest.raises(TypeError, match="metadata must"):
        save_safetensors(MLP(2, [1]), path, metadata=metadata)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_f32_tensors_are_widened_exactly(tmp_path: Path) -> None:
    """0.1 as float32 is exactly 0.100000001490116119384765625 (13421773 / 2**27)."""
    header = {
        "0.weight": {"dtype": "F32", "shape": [1, 2], "data_offsets": [0, 8]},
        "0.bias": {"dtype": "F64", "shape": [1], "data_offsets": [8, 16]},
    }
    raw = json.dumps(header).encode()
    data = struct.pack("<2f", 0.1, -1.5) + struct.pack("<d", 0.1)
    path = tmp_path / "f32.safetensors"
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + data)
    model = MLP(2, [1], rng=0)
    load_safetensors(model, path)
    neuron = model.layers[0].neurons[0]
    assert neuron.w[0].data == 0.100000001490116119384765625 == 13421773 / 2**27
    assert neuron.w[1].data == -1.5
    assert neuron.b.data == 0.1


def test_offsets_in_any_order_and_padding_of_any_length_are_read(tmp_path: Path) -> None:
    """The spec fixes no tensor order in the buffer; the header may end in spaces."""
    model = MLP(1, [2], rng=3)
    layer = model.layers[0]
    header = {
        "0.bias": {"dtype": "F64", "shape": [2], "data_offsets": [16, 32]},
        "0.weight": {"dtype": "F64", "shape": [2, 1], "data_offsets": [0, 16]},
    }
    raw = json.dumps(header).encode() + b" " * 11
    data = struct.pack("<4d", 1.0, 2.0, 3.0, 4.0)
    path = tmp_path / "m.safetensors"
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + data)
    load_safetensors(model, path)
    assert [n.w[0].data for n in layer.neurons] == [1.0, 2.0]
    assert [n.b.data for n in layer.neurons] == [3.0, 4.0]


def test_save_replaces_atomically_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "m.safetensors"
    path.write_bytes(b"old")
    save_safetensors(MLP(2, [1]), path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.safetensors"]
    assert path.read_bytes() != b"old"


def test_a_failed_write_keeps_the_old_file_and_removes_its_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.safetensors"
    path.write_bytes(b"old")

    def broken_fsync(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        save_safetensors(MLP(2, [1]), path)
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.safetensors"]


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_a_non_finite_parameter_is_refused_before_anything_is_written(
    tmp_path: Path, value: float
) -> None:
    model = MLP(2, [3, 1], rng=0)
    model.layers[0].neurons[1].w[0].data = value
    path = tmp_path / "m.safetensors"
    with pytest.raises(
        SafetensorsError, match=r"layers\.0\.neurons\.1\.w\.0 \(0\.weight\[1, 0\]\)"
    ):
        save_safetensors(model, path)
    assert not path.exists()


def test_saving_to_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SafetensorsError, match="is a directory"):
        save_safetensors(MLP(2, [1]), tmp_path)


class Tied(Module):
    def __init__(self) -> None:
        self.first = Layer(2, 2, rng=0)
        self.second = Layer(2, 2, rng=1)
        self.second.neurons[1].b = self.first.neurons[0].b


def test_tied_weights_are_refused_both_ways(tmp_path: Path) -> None:
    path = tmp_path / "m.safetensors"
    match = r"first\.neurons\.0\.b is shared: .* first\.bias\[0\] and as second\.bias\[1\]"
    with pytest.raises(SafetensorsError, match=match):
        save_safetensors(Tied(), path)
    assert not path.exists()
    save_safetensors(Layer(2, 2), path)
    with pytest.raises(SafetensorsError, match="is shared"):
        load_safetensors(Tied(), path)


def test_a_subclass_that_adds_parameters_maps_them_too(tmp_path: Path) -> None:
    class Scaled(MLP):
        def __init__(self) -> None:
            super().__init__(2, [2, 1], rng=4)
            self.temperature = Parameter(1.5)

    path = tmp_path / "m.safetensors"
    save_safetensors(Scaled(), path)
    header, _ = header_of(path)
    assert list(header) == ["0.weight", "0.bias", "2.weight", "2.bias", "temperature"]


def test_only_modules_are_accepted() -> None:
    with pytest.raises(TypeError, match=r"mg_nn\.Module, got dict"):
        save_safetensors({"w": 1.0}, "x.safetensors")  # type: ignore[arg-type]


def test_the_readme_safetensors_block_runs_after_the_session_and_prints_its_comments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its PyTorch block runs in the crosscheck env (benchmarks/safetensors_crosscheck.py)."""
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    saving = [block for block in blocks if "save_safetensors(" in block]
    assert len(saving) == 1
    assert len(re.findall(r"```python torch\n", text)) == 1
    expected = [
        line.split("  # ", 1)[1]
        for line in saving[0].splitlines()
        if line.startswith("print(") and "  # " in line
    ]
    assert len(expected) == 2
    script = tmp_path / "readme_safetensors.py"
    script.write_text(blocks[0] + saving[0], encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(script), run_name="__main__")
    assert capsys.readouterr().out.splitlines()[-2:] == expected
    assert (tmp_path / "xor.safetensors").is_file()
