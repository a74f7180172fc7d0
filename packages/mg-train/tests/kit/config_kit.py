"""Small parse_config inputs for the config contract tests: a valid base and one change to it.

``base()`` is the smallest valid config (24 rows, so each check runs in milliseconds); ``with_``
replaces top-level keys, ``sub`` keys of one section, ``opt`` gives it a single optimizer.
"""

from __future__ import annotations

import pytest
from mg_train import ConfigError, parse_config


def base() -> dict[str, object]:
    """A small valid config (24 rows: every check below runs in milliseconds)."""
    return {
        "dataset": {"name": "sine_regression", "n_samples": 24, "noise": 0.05, "seed": 0},
        "lr": 0.05,
        "epochs": 3,
        "batch_size": 8,
        "optimizers": [{"type": "sgd"}],
    }


def refused(config: object) -> str:
    with pytest.raises(ConfigError) as info:
        parse_config(config)
    return str(info.value)


def with_(**changes: object) -> dict[str, object]:
    return {**base(), **changes}


def sub(section: str, **changes: object) -> dict[str, object]:
    config = base()
    current = config.get(section, {})
    assert isinstance(current, dict)
    config[section] = {**current, **changes}
    return config


def opt(**options: object) -> dict[str, object]:
    return with_(optimizers=[options])
