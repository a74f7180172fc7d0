"""An `OptimizerConfig` built by hand, not by `parse_config`, is checked when its factory
builds the optimizer: a wrong option is a ConfigError naming the option and its value, in the
documented form ``config key 'KEY': PROBLEM, got JSON``."""

from __future__ import annotations

import pytest
from message_kit import exactly
from mg_nn import Parameter
from mg_train import ConfigError, OptimizerConfig

GOOD: dict[str, dict[str, object]] = {
    "sgd": {"weight_decay": 0.0},
    "momentum": {"weight_decay": 0.0, "momentum": 0.9, "dampening": 0.0, "nesterov": False},
    "adam": {"weight_decay": 0.0, "betas": [0.9, 0.999], "eps": 1e-8, "amsgrad": False},
    "adamw": {"weight_decay": 0.01, "betas": [0.9, 0.999], "eps": 1e-8, "amsgrad": False},
}
CASES = [
    ("sgd", "weight_decay", "x", "must be a number", '"x"'),
    ("momentum", "momentum", "fast", "must be a number", '"fast"'),
    ("momentum", "dampening", None, "must be a number", "null"),
    ("momentum", "nesterov", 1, "must be true or false", "1"),
    ("adam", "betas", [0.9], "must be a list of two numbers in [0, 1)", "[0.9]"),
    ("adam", "eps", "tiny", "must be a number", '"tiny"'),
    ("adamw", "amsgrad", "no", "must be true or false", '"no"'),
]


def _build(kind: str, **changes: object) -> None:
    options = {**GOOD[kind], **changes}
    OptimizerConfig("mine", kind, tuple(options.items())).factory(0.1)([Parameter(0.0)])


@pytest.mark.parametrize(("kind", "key", "value", "problem", "shown"), CASES)
def test_a_wrong_option_names_its_key_and_value(
    kind: str, key: str, value: object, problem: str, shown: str
) -> None:
    with pytest.raises(ConfigError, match=exactly(f"config key '{key}': {problem}, got {shown}")):
        _build(kind, **{key: value})


def test_each_beta_is_checked_on_its_own_bounds() -> None:
    below = "config key 'betas[0]': must be >= 0.0, got -0.1"
    with pytest.raises(ConfigError, match=exactly(below)):
        _build("adam", betas=[-0.1, 0.9])
    with pytest.raises(ConfigError, match=exactly("config key 'betas[1]': must be < 1.0, got 1.0")):
        _build("adam", betas=[0.9, 1.0])


def test_good_options_build_the_optimizer() -> None:
    for kind in GOOD:
        _build(kind)
