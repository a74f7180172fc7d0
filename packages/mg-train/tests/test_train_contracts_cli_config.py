"""Contracts of `mg_train.config` parsing: the exact message for every refused value, and the
boundary on each side of every limit (exactly at a limit is accepted, one past it refused).

Message form (`mg_train._config_readers._fail`): ``config key 'KEY': PROBLEM, got JSON`` where
JSON is the value as ``json.dumps`` writes it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from config_kit import base, opt, refused, sub, with_
from mg_train import parse_config

CASES: list[tuple[Callable[[], object], str]] = [
    (lambda: [1], "config key '<config>': must be an object, got [1]"),
    (
        lambda: with_(learning_rate=1),
        "config key 'learning_rate': unknown key (allowed here: dataset, split, model, loss, lr, "
        "epochs, batch_size, shuffle_seed, clip_grad_norm, scheduler, optimizers)",
    ),
    (
        lambda: {k: v for k, v in base().items() if k != "lr"},
        "config key 'lr': missing (required)",
    ),
    (
        lambda: {k: v for k, v in base().items() if k != "epochs"},
        "config key 'epochs': missing (required)",
    ),
    (
        lambda: {k: v for k, v in base().items() if k != "optimizers"},
        "config key 'optimizers': missing (required)",
    ),
    (lambda: with_(dataset=None), "config key 'dataset': must be an object, got null"),
    (
        lambda: sub("dataset", size=3),
        "config key 'dataset.size': unknown key (allowed here: name, n_samples, noise, seed)",
    ),
    (
        lambda: sub("dataset", name="mnist"),
        "config key 'dataset.name': must be one of sine_regression, moons, got \"mnist\"",
    ),
    (
        lambda: sub("dataset", name=3),
        "config key 'dataset.name': must be one of sine_regression, moons, got 3",
    ),
    (lambda: sub("dataset", n_samples=1), "config key 'dataset.n_samples': must be >= 2, got 1"),
    (
        lambda: sub("dataset", n_samples=2.0),
        "config key 'dataset.n_samples': must be an integer, got 2.0",
    ),
    (
        lambda: sub("dataset", n_samples=True),
        "config key 'dataset.n_samples': must be an integer, got true",
    ),
    (lambda: sub("dataset", noise=-0.5), "config key 'dataset.noise': must be >= 0.0, got -0.5"),
    (lambda: sub("dataset", noise="0"), "config key 'dataset.noise': must be a number, got \"0\""),
    (
        lambda: sub("dataset", noise=False),
        "config key 'dataset.noise': must be a number, got false",
    ),
    (
        lambda: sub("dataset", noise=float("inf")),
        "config key 'dataset.noise': must be finite, got Infinity",
    ),
    (lambda: sub("dataset", seed=0.5), "config key 'dataset.seed': must be an integer, got 0.5"),
    (lambda: with_(split=[]), "config key 'split': must be an object, got []"),
    (
        lambda: sub("split", fraction=0.5),
        "config key 'split.fraction': unknown key (allowed here: val_fraction, seed)",
    ),
    (lambda: sub("split", val_fraction=0), "config key 'split.val_fraction': must be > 0, got 0"),
    (
        lambda: sub("split", val_fraction=1.0),
        "config key 'split.val_fraction': must be < 1.0, got 1.0",
    ),
    (lambda: sub("split", seed="1"), "config key 'split.seed': must be an integer, got \"1\""),
    (lambda: with_(model="mlp"), "config key 'model': must be an object, got \"mlp\""),
    (
        lambda: sub("model", depth=2),
        "config key 'model.depth': unknown key (allowed here: hidden, activation, seed)",
    ),
    (
        lambda: sub("model", hidden=16),
        "config key 'model.hidden': must be a list of positive integers, got 16",
    ),
    (lambda: sub("model", hidden=[4, 0]), "config key 'model.hidden[1]': must be >= 1, got 0"),
    (
        lambda: sub("model", activation="gelu"),
        "config key 'model.activation': must be one of relu, tanh, sigmoid, linear, got \"gelu\"",
    ),
    (lambda: sub("model", seed=None), "config key 'model.seed': must be an integer, got null"),
    (
        lambda: with_(loss="l1"),
        "config key 'loss': must be one of mse, bce_with_logits, cross_entropy, hinge, got \"l1\"",
    ),
    (lambda: with_(lr=0), "config key 'lr': must be > 0, got 0"),
    (lambda: with_(lr=-0.1), "config key 'lr': must be > 0, got -0.1"),
    (lambda: with_(epochs=0), "config key 'epochs': must be >= 1, got 0"),
    (lambda: with_(batch_size=0), "config key 'batch_size': must be >= 1, got 0"),
    (lambda: with_(shuffle_seed=1.5), "config key 'shuffle_seed': must be an integer, got 1.5"),
    (lambda: with_(clip_grad_norm=0.0), "config key 'clip_grad_norm': must be > 0, got 0.0"),
    (
        lambda: with_(optimizers=[]),
        "config key 'optimizers': must be a non-empty list of optimizer objects, got []",
    ),
    (
        lambda: with_(optimizers={"type": "sgd"}),
        "config key 'optimizers': must be a non-empty list of optimizer objects, "
        'got {"type": "sgd"}',
    ),
    (
        lambda: with_(optimizers=["sgd"]),
        "config key 'optimizers[0]': must be an object, got \"sgd\"",
    ),
    (
        lambda: opt(name="A"),
        "config key 'optimizers[0].type': missing (one of sgd, momentum, adam, adamw)",
    ),
    (
        lambda: opt(type="SGD"),
        "config key 'optimizers[0].type': must be one of sgd, momentum, adam, adamw, got \"SGD\"",
    ),
    (
        lambda: opt(type="sgd", momentum=0.9),
        "config key 'optimizers[0].momentum': unknown key (allowed here: name, type, weight_decay)",
    ),
    (
        lambda: opt(type="adam", nesterov=True),
        "config key 'optimizers[0].nesterov': unknown key (allowed here: name, type, betas, eps, "
        "weight_decay, amsgrad)",
    ),
    (
        lambda: opt(type="sgd", name=" "),
        "config key 'optimizers[0].name': must be a non-empty string, got \" \"",
    ),
    (
        lambda: opt(type="sgd", name=""),
        "config key 'optimizers[0].name': must be a non-empty string, got \"\"",
    ),
    (
        lambda: opt(type="sgd", name=7),
        "config key 'optimizers[0].name': must be a non-empty string, got 7",
    ),
    (
        lambda: opt(type="sgd", weight_decay=-1e-3),
        "config key 'optimizers[0].weight_decay': must be >= 0.0, got -0.001",
    ),
    (
        lambda: opt(type="momentum", nesterov=1),
        "config key 'optimizers[0].nesterov': must be true or false, got 1",
    ),
    (
        lambda: opt(type="adamw", amsgrad="no"),
        "config key 'optimizers[0].amsgrad': must be true or false, got \"no\"",
    ),
    (
        lambda: opt(type="momentum", momentum=1.0),
        "config key 'optimizers[0].momentum': must be < 1.0, got 1.0",
    ),
    (
        lambda: opt(type="momentum", momentum=-0.1),
        "config key 'optimizers[0].momentum': must be >= 0.0, got -0.1",
    ),
    (
        lambda: opt(type="momentum", dampening=-0.1),
        "config key 'optimizers[0].dampening': must be >= 0.0, got -0.1",
    ),
    (lambda: opt(type="adam", eps=0.0), "config key 'optimizers[0].eps': must be > 0, got 0.0"),
    (
        lambda: opt(type="adam", betas=[0.9]),
        "config key 'optimizers[0].betas': must be a list of two numbers in [0, 1), got [0.9]",
    ),
    (
        lambda: opt(type="adam", betas=[0.9, 0.99, 0.999]),
        "config key 'optimizers[0].betas': must be a list of two numbers in [0, 1), "
        "got [0.9, 0.99, 0.999]",
    ),
    (
        lambda: opt(type="adam", betas="0.9"),
        "config key 'optimizers[0].betas': must be a list of two numbers in [0, 1), got \"0.9\"",
    ),
    (
        lambda: opt(type="adam", betas=[1.0, 0.999]),
        "config key 'optimizers[0].betas[0]': must be < 1.0, got 1.0",
    ),
    (
        lambda: opt(type="adam", betas=[0.9, -0.5]),
        "config key 'optimizers[0].betas[1]': must be >= 0.0, got -0.5",
    ),
    (
        lambda: opt(type="adam", betas=[0.9, 1.0]),
        "config key 'optimizers[0].betas[1]': must be < 1.0, got 1.0",
    ),
    (
        lambda: with_(optimizers=[{"type": "sgd"}, {"type": "adam", "name": "SGD"}]),
        "config key 'optimizers[1].name': duplicates an earlier optimizer's name, got \"SGD\"",
    ),
    (lambda: with_(scheduler="step"), "config key 'scheduler': must be an object, got \"step\""),
    (
        lambda: with_(scheduler={"gamma": 0.5}),
        "config key 'scheduler.type': missing (one of step, exponential, cosine)",
    ),
    (
        lambda: with_(scheduler={"type": "plateau"}),
        "config key 'scheduler.type': must be one of step, exponential, cosine, got \"plateau\"",
    ),
    (
        lambda: with_(scheduler={"type": "step", "step_size": 2, "t_max": 3}),
        "config key 'scheduler.t_max': unknown key (allowed here: type, step_size, gamma)",
    ),
    (
        lambda: with_(scheduler={"type": "step", "gamma": 0.5}),
        "config key 'scheduler.step_size': missing (required for 'step')",
    ),
    (
        lambda: with_(scheduler={"type": "exponential"}),
        "config key 'scheduler.gamma': missing (required for 'exponential')",
    ),
    (
        lambda: with_(scheduler={"type": "cosine"}),
        "config key 'scheduler.t_max': missing (required for 'cosine')",
    ),
    (
        lambda: with_(scheduler={"type": "step", "step_size": 0}),
        "config key 'scheduler.step_size': must be >= 1, got 0",
    ),
    (
        lambda: with_(scheduler={"type": "step", "step_size": 2.0}),
        "config key 'scheduler.step_size': must be an integer, got 2.0",
    ),
    (
        lambda: with_(scheduler={"type": "step", "step_size": 1, "gamma": 0}),
        "config key 'scheduler.gamma': must be > 0, got 0",
    ),
    (
        lambda: with_(scheduler={"type": "cosine", "t_max": 0}),
        "config key 'scheduler.t_max': must be >= 1, got 0",
    ),
    (
        lambda: with_(scheduler={"type": "cosine", "t_max": 2, "eta_min": -1}),
        "config key 'scheduler.eta_min': must be >= 0.0, got -1",
    ),
    (
        lambda: with_(scheduler={"type": "exponential", "gamma": -0.5}),
        "config key 'scheduler.gamma': must be > 0, got -0.5",
    ),
]


@pytest.mark.parametrize(("make", "expected"), CASES, ids=[e[:60] for _, e in CASES])
def test_each_bad_value_is_named_with_its_key_and_json(
    make: Callable[[], object], expected: str
) -> None:
    assert refused(make()) == expected


def test_val_fraction_must_leave_both_sets_non_empty() -> None:
    """round(n * f) validation rows must be in [1, n - 1]; 4 rows: 0.125 -> 0 rows (refused),
    0.25 -> 1 row, 0.75 -> 3 rows (accepted), 0.875 -> round(3.5) = 4 rows (refused)."""

    def split(fraction: float) -> dict[str, object]:
        config = sub("dataset", n_samples=4)
        config["split"] = {"val_fraction": fraction}
        return config

    for fraction in (0.125, 0.875):
        assert refused(split(fraction)) == (
            "config key 'split.val_fraction': leaves an empty train or validation set of 4 "
            f"rows, got {fraction}"
        )
    for fraction, n_val in ((0.25, 1), (0.75, 3)):
        train, val = parse_config(split(fraction)).datasets()
        assert (len(train), len(val)) == (4 - n_val, n_val)


def test_limits_themselves_are_accepted() -> None:
    accepted = [
        sub("dataset", n_samples=4, noise=0),
        with_(split={"val_fraction": 0.5}, **{"dataset": {"n_samples": 2}}),
        sub("model", hidden=[1]),
        with_(epochs=1, batch_size=1, lr=1e-300, clip_grad_norm=1e-300),
        opt(type="momentum", momentum=0.0, dampening=0.0, weight_decay=0),
        opt(type="adam", betas=[0, 0], eps=1e-300),
        with_(scheduler={"type": "step", "step_size": 1}),
        with_(scheduler={"type": "cosine", "t_max": 1, "eta_min": 0}),
    ]
    for config in accepted:
        parse_config(config)
