"""Contracts of `mg_train.config` parsing for what is not refused: every default a missing
section or value takes (the optimizer and scheduler ones are PyTorch's), and the types the
given values are kept as.
"""

from __future__ import annotations

import json
import re

from config_kit import refused, with_
from mg_train import parse_config


def test_a_missing_section_or_value_takes_its_documented_default() -> None:
    """The defaults are those of the module docstring's example, and the optimizer defaults are
    PyTorch's (torch.optim.Adam: betas (0.9, 0.999), eps 1e-8, weight_decay 0, amsgrad False;
    AdamW: weight_decay 0.01; SGD: weight_decay 0, dampening 0, nesterov False)."""
    config = {
        "lr": 0.01,
        "epochs": 60,
        "batch_size": 16,
        "optimizers": [{"type": t} for t in ("sgd", "momentum", "adam", "adamw")],
    }
    assert parse_config(config).to_dict() == {
        "dataset": {"name": "sine_regression", "n_samples": 256, "noise": 0.05, "seed": 0},
        "split": {"val_fraction": 0.25, "seed": 1},
        "model": {"hidden": [16, 16], "activation": "relu", "seed": 2},
        "loss": "mse",
        "lr": 0.01,
        "epochs": 60,
        "batch_size": 16,
        "shuffle_seed": 3,
        "clip_grad_norm": None,
        "scheduler": None,
        "optimizers": [
            {"name": "SGD", "type": "sgd", "weight_decay": 0.0},
            {
                "name": "Momentum",
                "type": "momentum",
                "momentum": 0.9,
                "dampening": 0.0,
                "nesterov": False,
                "weight_decay": 0.0,
            },
            {
                "name": "Adam",
                "type": "adam",
                "betas": [0.9, 0.999],
                "eps": 1e-8,
                "weight_decay": 0.0,
                "amsgrad": False,
            },
            {
                "name": "AdamW",
                "type": "adamw",
                "betas": [0.9, 0.999],
                "eps": 1e-8,
                "weight_decay": 0.01,
                "amsgrad": False,
            },
        ],
    }


def test_scheduler_defaults_follow_pytorch() -> None:
    """torch.optim.lr_scheduler.StepLR(gamma=0.1) and CosineAnnealingLR(eta_min=0)."""
    step = parse_config(with_(scheduler={"type": "step", "step_size": 4})).to_dict()
    assert step["scheduler"] == {"type": "step", "step_size": 4, "gamma": 0.1}
    cosine = parse_config(with_(scheduler={"type": "cosine", "t_max": 5})).to_dict()
    assert cosine["scheduler"] == {"type": "cosine", "t_max": 5, "eta_min": 0.0}
    exponential = parse_config(with_(scheduler={"type": "exponential", "gamma": 2})).to_dict()
    assert exponential["scheduler"] == {"type": "exponential", "gamma": 2.0}
    scheduler = step["scheduler"]
    assert isinstance(scheduler, dict)
    assert type(scheduler["step_size"]) is int


def test_given_values_are_kept_and_ints_become_floats_where_a_number_is_read() -> None:
    config = {
        "dataset": {"name": "moons", "n_samples": 10, "noise": 0, "seed": 5},
        "split": {"val_fraction": 0.5, "seed": 6},
        "model": {"hidden": [2, 3], "activation": "tanh", "seed": 7},
        "loss": "hinge",
        "lr": 1,
        "epochs": 2,
        "batch_size": 3,
        "shuffle_seed": 8,
        "clip_grad_norm": 2,
        "optimizers": [
            {"type": "momentum", "name": "M", "momentum": 0, "dampening": 0.5, "nesterov": False},
            {"type": "adam", "name": "A", "betas": [0, 0.5], "eps": 1, "amsgrad": True},
        ],
    }
    parsed = parse_config(config).to_dict()
    expected = {
        "dataset": {"name": "moons", "n_samples": 10, "noise": 0.0, "seed": 5},
        "split": {"val_fraction": 0.5, "seed": 6},
        "model": {"hidden": [2, 3], "activation": "tanh", "seed": 7},
        "loss": "hinge",
        "lr": 1.0,
        "epochs": 2,
        "batch_size": 3,
        "shuffle_seed": 8,
        "clip_grad_norm": 2.0,
        "scheduler": None,
        "optimizers": [
            {
                "name": "M",
                "type": "momentum",
                "momentum": 0.0,
                "dampening": 0.5,
                "nesterov": False,
                "weight_decay": 0.0,
            },
            {
                "name": "A",
                "type": "adam",
                "betas": [0.0, 0.5],
                "eps": 1.0,
                "weight_decay": 0.0,
                "amsgrad": True,
            },
        ],
    }
    assert parsed == expected
    assert json.dumps(parsed) == json.dumps(expected)  # same key order and same int/float types


def test_message_pattern_is_anchored() -> None:
    message = refused(with_(epochs=-2))
    assert re.fullmatch(re.escape("config key 'epochs': must be >= 1, got -2"), message)
