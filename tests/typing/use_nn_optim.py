"""A user's code against mg_nn and mg_optim: every public name, with the inferred types."""

from __future__ import annotations

import random
from typing import assert_type

import mg_nn
import mg_optim
from mg_autograd import Value
from mg_nn import (
    ACTIVATIONS,
    MLP,
    Activation,
    Layer,
    Module,
    Neuron,
    Parameter,
    RandomLike,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    mse_loss,
)
from mg_optim import (
    JSON,
    SGD,
    Adam,
    AdamW,
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    LRLambda,
    LRScheduler,
    Momentum,
    MultiStepLR,
    Optimizer,
    ParamGroup,
    ParamsLike,
    ReduceLROnPlateau,
    SequentialLR,
    StateDict,
    StepLR,
    clip_grad_norm,
    clip_grad_value,
    grad_norm,
)

assert_type(mg_nn.__version__, str)
assert_type(mg_optim.__version__, str)

# ---- mg_nn -------------------------------------------------------------------------------
act: Activation = "tanh"
seed: RandomLike = random.Random(3)
assert_type(ACTIVATIONS, tuple[Activation, ...])
model = MLP(2, [8, 1], activation=act, output_activation=None, rng=seed)
layer = Layer(2, 3, activation="relu", rng=1)
neuron = Neuron(2, activation="sigmoid", rng=2)
assert_type(model([0.5, -1.0]), list[Value])
assert_type(layer([Value(1.0), 2.0]), list[Value])
assert_type(neuron([1.0, 2.0]), Value)
assert_type(model.layers, list[Layer])
assert_type(layer.neurons, list[Neuron])
assert_type(neuron.w, tuple[Parameter, ...])
assert_type(neuron.b, Parameter)
assert_type(model.parameters(), list[Parameter])
assert_type(model.named_parameters(), list[tuple[str, Parameter]])
assert_type(model.num_parameters(), int)
assert_type(model.state_dict(), dict[str, float])
model.load_state_dict(model.state_dict(), strict=True)
model.zero_grad()


class Affine(Module):
    """A user's own module: attributes that are Parameters are discovered automatically."""

    def __init__(self) -> None:
        self.scale = Parameter(1.0, label="scale")
        self.shift = Parameter(0.0)

    def __call__(self, x: Value) -> Value:
        return x * self.scale + self.shift


assert_type(Affine()(Value(2.0)), Value)

predictions = [model([x, -x])[0] for x in (0.1, 0.2)]
assert_type(mse_loss(predictions, [1.0, 0.0]), Value)
assert_type(binary_cross_entropy_with_logits(predictions, [1.0, 0.0]), Value)
assert_type(hinge_loss(predictions, [1.0, -1.0]), Value)
assert_type(cross_entropy([predictions, [0.5, 0.25]], [0, 1]), Value)

# ---- mg_optim ------------------------------------------------------------------------------
params: ParamsLike = model.parameters()
optimizers: list[Optimizer] = [
    SGD(params, 0.1, weight_decay=0.0),
    Momentum(
        model.parameters(), 0.1, momentum=0.9, dampening=0.0, nesterov=False, weight_decay=0.0
    ),
    Adam(
        model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False
    ),
    AdamW(
        model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=True
    ),
    SGD([{"params": model.layers[0].parameters(), "lr": 0.01}], 0.1),
]
opt = optimizers[0]
group = opt.param_groups[0]
assert_type(group, ParamGroup)
assert_type(group["lr"], float)
group["lr"] = 0.05
assert_type(group.params, list[Parameter])
assert_type(group.flag("nesterov"), bool)
opt.zero_grad()
mse_loss(model([1.0, 2.0]), [0.0]).backward()
assert_type(clip_grad_norm(model.parameters(), 1.0, norm_type=2.0, error_if_nonfinite=False), float)
assert_type(clip_grad_value(model.parameters(), 0.5), None)
assert_type(grad_norm(model.parameters(), 1.0), float)
opt.step()
state: StateDict = opt.state_dict()
value: JSON = state["param_groups"]
opt.load_state_dict(state)

half: LRLambda = lambda epoch: 0.5**epoch  # noqa: E731
schedulers: list[LRScheduler] = [
    StepLR(opt, 10, gamma=0.5),
    MultiStepLR(opt, [5, 10], gamma=0.1),
    ExponentialLR(opt, 0.99),
    CosineAnnealingLR(opt, 50, eta_min=0.0),
    LinearLR(opt, start_factor=0.1, end_factor=1.0, total_iters=5),
    LambdaLR(opt, half),
]
sequential = SequentialLR(opt, [LinearLR(opt, total_iters=3), ExponentialLR(opt, 0.9)], [3])
for scheduler in [*schedulers, sequential]:
    scheduler.step()
    assert_type(scheduler.get_last_lr(), list[float])
    assert_type(scheduler.state_dict(), StateDict)
plateau = ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=2, threshold=1e-4)
plateau.step(0.25)
assert_type(plateau.get_last_lr(), list[float])
plateau.load_state_dict(plateau.state_dict())
