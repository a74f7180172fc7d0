"""Where each mg parameter sits in the equivalent PyTorch model's state dict.

mg stores one `Parameter` per scalar; PyTorch stores one tensor per weight matrix. This module
lays the scalars out as the tensors ``torch.nn`` would hold, row-major (C order):

* `MLP` is ``torch.nn.Sequential(Linear, act, Linear, act, ..., Linear[, out_act])``. Linear
  layer ``i`` sits at index ``2 * i`` of the Sequential, so its tensors are ``"{2i}.weight"``
  of shape ``[nout, nin]`` (row ``j`` = neuron ``j``'s weights) and ``"{2i}.bias"`` of shape
  ``[nout]``. The odd indices hold the activation modules, which have no parameters; a hidden
  ``"linear"`` activation is ``torch.nn.Identity()`` so that the pattern holds for every model.
  The last layer's ``output_activation`` (None or ``"linear"`` by default) adds a module only
  when it is not linear, and after the last Linear, so it never changes a name.
* `Layer` is one ``torch.nn.Linear(nin, nout)``: ``"weight"`` ``[nout, nin]``, ``"bias"``
  ``[nout]``; `Neuron` is ``torch.nn.Linear(nin, 1)``: ``"weight"`` ``[1, nin]``, ``"bias"``
  ``[1]``.
* Any other `Module` is walked the way `Module.named_parameters` walks it (attribute order,
  names starting with ``_`` skipped): a `Parameter` attribute is a 0-d tensor (shape ``[]``)
  under its attribute name; a list or tuple made only of Parameters is one 1-d tensor; a
  sub-module is mapped by these same rules under ``"name."``, and the items of a mixed list under
  ``"name.{index}"`` - the names ``torch.nn.Module`` gives its sub-modules, ``ModuleList`` and
  ``ParameterList``. Attributes an `MLP`, `Layer` or `Neuron` subclass adds are walked this way
  too.

A layout must place every parameter of the model exactly once. A parameter reached twice (tied
weights) cannot be split into two tensors and joined again on loading, so it is refused, as
``safetensors.torch.save_file`` refuses tensors that share memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ._safetensors_format import SafetensorsError
from .layers import MLP, Layer, Neuron
from .module import Module
from .parameter import Parameter

__all__ = ["Slot", "torch_layout"]


@dataclass(frozen=True)
class Slot:
    """One tensor: its name, its shape, and its parameters in row-major order."""

    name: str
    shape: tuple[int, ...]
    params: tuple[Parameter, ...]

    def position(self, flat: int) -> str:
        """``name[i, j]`` for the ``flat``-th element (the name alone for a 0-d tensor)."""
        if not self.shape:
            return self.name
        index: list[int] = []
        for size in reversed(self.shape):
            flat, rest = divmod(flat, size)
            index.append(rest)
        return f"{self.name}[{', '.join(str(i) for i in reversed(index))}]"


class LayoutError(SafetensorsError):
    """The model has parameters that no tensor layout can hold (see the module docstring)."""


def torch_layout(model: Module) -> list[Slot]:
    """The tensors of ``model``'s PyTorch equivalent, in state-dict order (module docstring)."""
    if not isinstance(model, Module):
        raise TypeError(f"model must be an mg_nn.Module, got {type(model).__name__}")
    slots = list(_module_slots(model, ""))
    names = {param: name for name, param in model.named_parameters()}
    placed: dict[Parameter, str] = {}
    for slot in slots:
        for flat, param in enumerate(slot.params):
            here = slot.position(flat)
            if param in placed:
                raise LayoutError(
                    f"parameter {names.get(param, '?')} is shared: it would be stored both as "
                    f"{placed[param]} and as {here}, and a tensor file cannot tie them; untie "
                    "the weights or save the model's state_dict() instead"
                )
            placed[param] = here
    unplaced = [name for name, param in model.named_parameters() if param not in placed]
    if unplaced:
        raise LayoutError(
            f"{type(model).__name__} has parameters no tensor holds: {', '.join(unplaced)}"
        )
    return slots


def _module_slots(module: Module, prefix: str) -> Iterator[Slot]:
    skip: tuple[str, ...] = ()
    if isinstance(module, MLP):
        for index, layer in enumerate(module.layers):
            yield from _linear_slots(layer.neurons, layer.nin, f"{prefix}{2 * index}.")
        skip = ("layers",)
    elif isinstance(module, Layer):
        yield from _linear_slots(module.neurons, module.nin, prefix)
        skip = ("neurons",)
    elif isinstance(module, Neuron):
        yield from _linear_slots([module], module.nin, prefix)
        skip = ("w", "b")
    for name, attr in vars(module).items():
        if not name.startswith("_") and name not in skip:
            yield from _attribute_slots(prefix + name, attr)


def _linear_slots(neurons: list[Neuron], nin: int, prefix: str) -> Iterator[Slot]:
    for row, neuron in enumerate(neurons):
        if len(neuron.w) != nin:
            raise LayoutError(
                f"{prefix}weight: neuron {row} has {len(neuron.w)} weights, the layer expects "
                f"{nin}; a weight matrix needs rows of one length"
            )
    weights = tuple(w for neuron in neurons for w in neuron.w)
    yield Slot(prefix + "weight", (len(neurons), nin), weights)
    yield Slot(prefix + "bias", (len(neurons),), tuple(neuron.b for neuron in neurons))


def _attribute_slots(name: str, attr: object) -> Iterator[Slot]:
    if isinstance(attr, Parameter):
        yield Slot(name, (), (attr,))
    elif isinstance(attr, Module):
        yield from _module_slots(attr, name + ".")
    elif isinstance(attr, (list, tuple)):
        items = [item for item in attr if isinstance(item, (Parameter, Module))]
        if items and all(isinstance(item, Parameter) for item in attr):
            yield Slot(name, (len(items),), tuple(p for p in items if isinstance(p, Parameter)))
            return
        for index, item in enumerate(attr):
            if isinstance(item, (Parameter, Module)):
                yield from _attribute_slots(f"{name}.{index}", item)
