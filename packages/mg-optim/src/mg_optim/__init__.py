"""mg-optim: optimizers, learning-rate schedulers and gradient clipping for mg-nn models.

>>> from mg_nn import MLP
>>> from mg_optim import Adam
>>> opt = Adam(MLP(2, [4, 1]).parameters(), lr=1e-2)

Where things live: `optimizer.py` (`Optimizer`, `ParamGroup`, state dicts), `sgd.py`,
`momentum.py`, `adagrad.py`, `rmsprop.py`, `adam.py`, `adamw.py` (one update rule each, its
equation in the docstring and the same names in the code), `schedulers/`, `clipping.py`;
`paths.py` (an optimizer's path on a function of two Values), `anatomy.py` (every named
quantity of one step), `surfaces.py` (classic test functions).
"""

from .__about__ import __version__ as __version__
from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .anatomy import Quantity, StepAnatomy, explain_step
from .clipping import clip_grad_norm, clip_grad_value, grad_norm
from .momentum import Momentum
from .optimizer import JSON, Optimizer, ParamGroup, ParamsLike, StateDict
from .paths import OptimizerPath, PathPoint, optimize_path
from .rmsprop import RMSprop
from .schedulers import (
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    LRLambda,
    LRScheduler,
    MultiStepLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)
from .sgd import SGD
from .surfaces import ravine, rosenbrock, saddle

__all__ = [
    "JSON",
    "Optimizer",
    "ParamGroup",
    "ParamsLike",
    "StateDict",
    "SGD",
    "Momentum",
    "Adam",
    "AdamW",
    "Adagrad",
    "RMSprop",
    "LRScheduler",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "LinearLR",
    "LambdaLR",
    "LRLambda",
    "SequentialLR",
    "ReduceLROnPlateau",
    "clip_grad_norm",
    "clip_grad_value",
    "grad_norm",
    "optimize_path",
    "OptimizerPath",
    "PathPoint",
    "explain_step",
    "StepAnatomy",
    "Quantity",
    "rosenbrock",
    "ravine",
    "saddle",
    "__version__",
]
