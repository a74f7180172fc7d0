"""mg's safetensors files against the real ``safetensors`` package, both ways, bit for bit.

Run by tox env ``safetensors`` only (it installs numpy and safetensors): the file name does not
match pytest's default ``test_*.py``, and that env runs ``pytest -o python_files=check_*.py`` on
this directory, so the ordinary ``py*-test-nn`` envs, which have neither package, never collect
it and nothing here is ever skipped.

* mg -> safetensors: files written by `save_safetensors` load with
  ``safetensors.numpy.load_file`` as float64 arrays of the documented names and shapes whose
  bytes equal the model's values; the metadata comes back through ``safe_open``.
* safetensors -> mg: files written by ``safetensors.numpy.save_file`` in float32 and float64
  load with `load_safetensors` into exactly the array values (float32 widened exactly).
* The format checks are the reference's: every malformed file of mg's refusal catalogue is
  refused by the reference reader too (except where mg is stricter, listed with the reason),
  and every file mg refuses only because it does not fit the model is one the reference reads.
"""

from __future__ import annotations

import importlib.util
import random
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import numpy.typing as npt
import pytest
from mg_nn import MLP, Layer, Module, Neuron, Parameter, load_safetensors, save_safetensors
from safetensors import SafetensorError, safe_open
from safetensors.numpy import load, load_file, save_file

Arrays = dict[str, npt.NDArray[np.float64]]


class Custom(Module):
    def __init__(self, seed: int) -> None:
        self.scale = Parameter(2.0)
        self.offsets = [Parameter(0.1), Parameter(0.2)]
        self.body = MLP(3, [4, 2], activation="sigmoid", rng=seed)


MODELS: dict[str, Callable[[int], Module]] = {
    "mlp tanh 2-8-1": lambda seed: MLP(2, [8, 1], activation="tanh", rng=seed),
    "mlp relu 3-5-4-2 sigmoid out": lambda seed: MLP(
        3, [5, 4, 2], activation="relu", output_activation="sigmoid", rng=seed
    ),
    "layer 4-3": lambda seed: Layer(4, 3, rng=seed),
    "neuron 6": lambda seed: Neuron(6, rng=seed),
    "custom module": Custom,
}


def linear(neurons: list[Neuron], prefix: str) -> Arrays:
    return {
        prefix + "weight": np.array([[w.data for w in n.w] for n in neurons], dtype=np.float64),
        prefix + "bias": np.array([n.b.data for n in neurons], dtype=np.float64),
    }


def tensors_of(model: Module) -> Arrays:
    """The documented layout, built here from the model's structure (not by mg's code)."""
    if isinstance(model, MLP):
        out: Arrays = {}
        for index, layer in enumerate(model.layers):
            out.update(linear(layer.neurons, f"{2 * index}."))
        return out
    if isinstance(model, Layer):
        return linear(model.neurons, "")
    if isinstance(model, Neuron):
        return linear([model], "")
    assert isinstance(model, Custom)
    return {
        "scale": np.array(model.scale.data, dtype=np.float64),
        "offsets": np.array([p.data for p in model.offsets], dtype=np.float64),
        **{"body." + name: array for name, array in tensors_of(model.body).items()},
    }


SPECIALS = {  # -0.0, the smallest subnormal, the largest finite value, the smallest normal
    "F64": (-0.0, 5e-324, -1.7976931348623157e308, 2.2250738585072014e-308),
    "F32": (-0.0, 1.401298464324817e-45, -3.4028234663852886e38, 1.1754943508222875e-38),
}


def scramble(model: Module, seed: int, dtype: str = "F64") -> None:
    """Values of every magnitude and sign in ``dtype``'s range, with its extremes among them."""
    rng = random.Random(seed)
    specials = SPECIALS[dtype]
    exponent = 300 if dtype == "F64" else 30
    for index, param in enumerate(model.parameters()):
        if index < len(specials):
            param.data = specials[index]
        else:
            param.data = rng.gauss(0.0, 1.0) * 10.0 ** rng.randint(-exponent, exponent)


def same_bits(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("kind", list(MODELS))
def test_mg_files_load_with_safetensors_bit_for_bit(tmp_path: Path, kind: str) -> None:
    model = MODELS[kind](1)
    scramble(model, 11)
    path = tmp_path / "mg.safetensors"
    metadata = {"format": "pt", "model": kind}
    save_safetensors(model, path, metadata=metadata)
    loaded = load_file(path)
    expected = tensors_of(model)
    assert sorted(loaded) == sorted(expected)
    for name, array in expected.items():
        assert loaded[name].dtype == np.float64
        assert same_bits(loaded[name], array), name
    with safe_open(str(path), framework="numpy") as handle:
        assert handle.metadata() == metadata


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["F64", "F32"])
@pytest.mark.parametrize("kind", list(MODELS))
def test_numpy_files_load_into_mg_exactly(
    tmp_path: Path, kind: str, dtype: type[np.floating[npt.NBitBase]]
) -> None:
    donor = MODELS[kind](2)
    scramble(donor, 12, "F64" if dtype is np.float64 else "F32")
    arrays = {name: array.astype(dtype) for name, array in tensors_of(donor).items()}
    path = tmp_path / "numpy.safetensors"
    save_file(arrays, str(path), metadata={"written_by": "safetensors.numpy"})
    model = MODELS[kind](3)
    before = model.state_dict()
    assert load_safetensors(model, path) == {"written_by": "safetensors.numpy"}
    assert model.state_dict() != before
    loaded = tensors_of(model)
    for name, array in arrays.items():
        assert same_bits(loaded[name], array.astype(np.float64)), name


def test_a_numpy_file_of_mixed_dtypes_loads(tmp_path: Path) -> None:
    donor = MLP(2, [3, 1], rng=5)
    arrays = tensors_of(donor)
    mixed = {
        name: array.astype(np.float32) if name.endswith("bias") else array
        for name, array in arrays.items()
    }
    path = tmp_path / "mixed.safetensors"
    save_file(mixed, str(path))
    model = MLP(2, [3, 1], rng=6)
    load_safetensors(model, path)
    for name, array in tensors_of(model).items():
        assert same_bits(array, mixed[name].astype(np.float64)), name


def refusal_catalogue() -> ModuleType:
    path = Path(__file__).parents[1] / "test_nn_safetensors_refusals.py"
    spec = importlib.util.spec_from_file_location("nn_safetensors_refusals", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CATALOGUE = refusal_catalogue()
STRICTER = {
    # The spec disallows duplicate keys and says not all parsers respect this; the reference
    # keeps the last value. mg refuses: which of two weights is meant cannot be known.
    "duplicate tensor name",
    # The spec defines dtype, shape and data_offsets; the reference ignores other keys. mg
    # refuses: a key such as "stride" would change what the bytes mean.
    "entry with an extra key",
}


def case_bytes(case: object) -> bytes:
    content = getattr(case, "content", None)
    assert isinstance(content, bytes)
    return content


@pytest.mark.parametrize(
    "case",
    [case for case in CATALOGUE.FORMAT_CASES if case.id not in STRICTER],
    ids=lambda case: str(case.id),
)
def test_the_reference_reader_refuses_every_malformed_file_mg_refuses(case: object) -> None:
    with pytest.raises(SafetensorError):
        load(case_bytes(case))


def test_the_stricter_cases_are_in_the_catalogue() -> None:
    assert STRICTER.issubset(case.id for case in CATALOGUE.FORMAT_CASES)


@pytest.mark.parametrize("case", CATALOGUE.MODEL_CASES, ids=lambda case: str(case.id))
def test_files_mg_refuses_only_for_the_model_are_well_formed(case: object) -> None:
    assert load(case_bytes(case))
