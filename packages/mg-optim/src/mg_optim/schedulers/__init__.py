"""Learning-rate schedulers: each rewrites ``group["lr"]`` of its optimizer once per epoch.

Where things live: `base.py` (`LRScheduler`), `decay.py` (`StepLR`, `MultiStepLR`,
`ExponentialLR`), `cosine.py`, `linear.py`, `lambda_lr.py`, `sequential.py`, `plateau.py`.
"""

from .base import LRScheduler
from .cosine import CosineAnnealingLR
from .decay import ExponentialLR, MultiStepLR, StepLR
from .lambda_lr import LambdaLR, LRLambda
from .linear import LinearLR
from .plateau import ReduceLROnPlateau
from .sequential import SequentialLR

__all__ = [
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
]
