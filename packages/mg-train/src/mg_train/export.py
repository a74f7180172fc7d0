"""Each optimizer's final model as a safetensors file PyTorch can load: `export_safetensors`.

A comparison ends with one trained model per optimizer (`Run.final_state`). Exporting writes
each of them with `mg_nn.save_safetensors`: F64 tensors named and shaped as the state dict of
the model's PyTorch equivalent (``0.weight``, ``0.bias``, ``2.weight``, ... for an MLP), so
``net.load_state_dict(safetensors.torch.load_file(path), strict=True)`` continues from there.
The header's metadata says which optimizer trained it and, for an MLP, the ``torch.nn``
expression of the equivalent model. Exporting reads the comparison and writes files; it changes
nothing that ``results.json`` records.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Callable, Optional

from mg_nn import MLP, Module, save_safetensors

from .__about__ import __version__
from ._atomic import PathLike
from .compare import Comparison, checkpoint_file_names
from .protocols import Model

__all__ = ["export_safetensors", "safetensors_file_names"]

_TORCH_ACTIVATIONS = {"relu": "ReLU()", "tanh": "Tanh()", "sigmoid": "Sigmoid()"}


def safetensors_file_names(names: Sequence[str]) -> dict[str, str]:
    """``<name>.safetensors`` per optimizer name, made safe as `checkpoint_file_names` makes
    checkpoint names (every character but ``A-Z a-z 0-9 _ -`` becomes ``_``); two names that
    would share a file raise ValueError naming both."""
    return {
        name: file_name[: -len(".json")] + ".safetensors"
        for name, file_name in checkpoint_file_names(names).items()
    }


def _export_problem(directory: PathLike, names: Sequence[str]) -> Optional[str]:
    """Why exporting these runs into ``directory`` cannot work, or None: checked before training."""
    target = Path(directory)
    if target.exists() and not target.is_dir():
        return f"--export-safetensors {target} exists and is not a directory"
    try:
        safetensors_file_names(names)
    except ValueError as error:
        return f"--export-safetensors: {error}"
    return None


def export_safetensors(
    comparison: Comparison, model_factory: Callable[[], Model], directory: PathLike
) -> tuple[Path, ...]:
    """Write ``directory/<optimizer>.safetensors`` for every run; return the paths written.

    ``model_factory`` builds the model the comparison trained (an `mg_nn.Module`, such as
    ``ExperimentConfig.model_factory()``); each run's final weights are loaded into a fresh one
    and saved. ``directory`` is created if needed. Errors are those of `safetensors_file_names`,
    `mg_nn.save_safetensors` and a model that is not an `mg_nn.Module` (TypeError).
    """
    files = safetensors_file_names([run.name for run in comparison.runs])
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for run in comparison.runs:
        model = _as_module(model_factory())
        model.load_state_dict(run.final_state)
        metadata = {"optimizer": run.name, "written_by": f"mg-train {__version__}"}
        if isinstance(model, MLP):
            metadata["torch_equivalent"] = _torch_equivalent(model)
        path = target / files[run.name]
        save_safetensors(model, path, metadata=metadata)
        written.append(path)
    return tuple(written)


def _as_module(model: Model) -> Module:
    if not isinstance(model, Module):
        raise TypeError(
            f"export_safetensors needs an mg_nn.Module, the factory built a {type(model).__name__}"
        )
    return model


def _torch_equivalent(model: MLP) -> str:
    """The ``torch.nn`` expression whose state dict the file holds, e.g.
    ``Sequential(Linear(2, 16), ReLU(), Linear(16, 1))``."""
    parts: list[str] = []
    for index, layer in enumerate(model.layers):
        parts.append(f"Linear({layer.nin}, {layer.nout})")
        last = index == len(model.layers) - 1
        if layer.activation != "linear":
            parts.append(_TORCH_ACTIVATIONS[layer.activation])
        elif not last:
            parts.append("Identity()")
    return f"Sequential({', '.join(parts)})"
