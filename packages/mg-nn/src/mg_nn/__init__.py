"""mg-nn: modules, layers and losses for mg-autograd, with PyTorch's names and habits.

Where things live: `parameter.py` (`Parameter`), `module.py` (`Module`: parameters, zero_grad,
state dicts), `layers.py` (`Neuron`, `Layer`, `MLP`), `losses.py`.
"""

from .__about__ import __version__ as __version__
from .layers import ACTIVATIONS, MLP, Activation, Layer, Neuron, RandomLike
from .module import Module
from .parameter import Parameter

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "Activation",
    "Layer",
    "Module",
    "Neuron",
    "Parameter",
    "RandomLike",
    "__version__",
]
