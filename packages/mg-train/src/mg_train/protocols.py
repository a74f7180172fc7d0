"""The small contracts the fit loop needs from a model, and the scheduler union it accepts.

A model is anything an `mg_nn.MLP` is to the loop: callable on one sample's floats, returning
its outputs as ``list[Value]``, with parameters and a float state dict. Writing it as a
`Protocol` lets a user train their own `mg_nn.Module` subclass without inheriting from
anything in mg-train.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, Union, runtime_checkable

from mg_autograd import Value
from mg_nn import Parameter
from mg_optim import LRScheduler, ReduceLROnPlateau

__all__ = ["BatchModel", "Model", "Scheduler", "forward_all"]


class Model(Protocol):
    def __call__(self, inputs: Sequence[float], /) -> list[Value]: ...

    def parameters(self) -> list[Parameter]: ...

    def state_dict(self) -> dict[str, float]: ...

    def load_state_dict(self, state: Mapping[str, float], strict: bool = True) -> None: ...


@runtime_checkable
class BatchModel(Protocol):
    """A model that can also run a whole batch at once, as `mg_nn.MLP.forward_batch` does."""

    def forward_batch(self, inputs: Sequence[Sequence[float]], /) -> list[list[Value]]: ...


def forward_all(model: Model, inputs: Sequence[Sequence[float]]) -> list[list[Value]]:
    """``[model(x) for x in inputs]``, through the model's batched forward when it has one
    (same graph and gradients, built faster)."""
    if isinstance(model, BatchModel):
        return model.forward_batch(inputs)
    return [model(x) for x in inputs]


Scheduler = Union[LRScheduler, ReduceLROnPlateau]
"""Any mg-optim learning-rate scheduler (ReduceLROnPlateau is stepped with the monitored loss)."""
