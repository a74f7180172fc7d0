"""A user's code moving weights between mg and PyTorch through safetensors files.

mg_nn: save_safetensors, load_safetensors, SafetensorsError; mg_train: export_safetensors,
safetensors_file_names. Type-checked, never run.
"""

from __future__ import annotations

from pathlib import Path
from typing import assert_type

from mg_nn import MLP, Layer, SafetensorsError, load_safetensors, save_safetensors
from mg_train import (
    Comparison,
    ExperimentConfig,
    export_safetensors,
    parse_config,
    run_experiment,
    safetensors_file_names,
)

model = MLP(2, [8, 1], activation="tanh", rng=0)
assert_type(save_safetensors(model, "xor.safetensors"), None)
assert_type(save_safetensors(Layer(2, 3), Path("layer.safetensors"), metadata={"k": "v"}), None)
assert_type(load_safetensors(model, "xor.safetensors"), dict[str, str])
assert_type(load_safetensors(model, Path("xor.safetensors")).get("task"), str | None)

try:
    load_safetensors(model, "other.safetensors")
except SafetensorsError as error:
    assert_type(error, SafetensorsError)
    problem: ValueError = error  # a SafetensorsError is a ValueError
    assert_type(str(problem), str)

config: ExperimentConfig = parse_config({"optimizers": [{"type": "sgd"}]})
result: Comparison = run_experiment(config, verbose=False)
written = export_safetensors(result, config.model_factory(), Path("models"))
assert_type(written, tuple[Path, ...])
assert_type(export_safetensors(result, lambda: MLP(2, [16, 16, 1]), "models"), tuple[Path, ...])
assert_type(safetensors_file_names(["SGD", "Adam"]), dict[str, str])
