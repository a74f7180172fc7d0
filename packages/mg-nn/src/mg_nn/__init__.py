"""mg-nn: modules, layers and losses for mg-autograd, with PyTorch's names and habits.

Where things live: `parameter.py` (`Parameter`), `module.py` (`Module`: parameters, zero_grad,
state dicts), `layers.py` (`Neuron`, `Layer`, `MLP`), `losses.py`, `safetensors.py` (weights
to and from PyTorch).
"""

from .__about__ import __version__ as __version__
from .layers import ACTIVATIONS, MLP, Activation, Layer, Neuron, RandomLike
from .losses import binary_cross_entropy_with_logits, cross_entropy, hinge_loss, mse_loss
from .module import Module
from .parameter import Parameter
from .safetensors import SafetensorsError, load_safetensors, save_safetensors

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "Activation",
    "Layer",
    "Module",
    "Neuron",
    "Parameter",
    "RandomLike",
    "SafetensorsError",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge_loss",
    "load_safetensors",
    "mse_loss",
    "save_safetensors",
    "__version__",
]
