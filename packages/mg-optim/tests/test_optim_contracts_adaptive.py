"""Contracts of `RMSprop` and `Adagrad` that the mutation run showed were unpinned: PyTorch's
defaults, the boundaries of a loadable state, the documented error wording, and weight decay
as an ordinary value. Expected values come from torch.optim's documentation and the update
equations in the module docstrings, evaluated here by hand."""

from __future__ import annotations

import json
import math
import re

import pytest
from mg_nn import Parameter
from mg_optim import Adagrad, RMSprop


def test_adagrad_defaults_are_pytorchs() -> None:
    # torch.optim.Adagrad(params, lr=0.01, lr_decay=0, weight_decay=0,
    #                     initial_accumulator_value=0, eps=1e-10)
    group = Adagrad([Parameter(1.0)]).param_groups[0]
    assert {key: group[key] for key in group} == {
        "lr": 0.01,
        "lr_decay": 0.0,
        "eps": 1e-10,
        "weight_decay": 0.0,
        "initial_accumulator_value": 0.0,
    }


def test_adagrad_weight_decay_of_one_is_applied() -> None:
    # g = p.grad + weight_decay * p = 0.5 + 1 * 2 = 2.5; sum = 2.5^2; std = 2.5 + eps;
    # p = 2 - 0.1 * 2.5 / std
    p = Parameter(2.0)
    opt = Adagrad([p], lr=0.1, weight_decay=1.0)
    p.grad = 0.5
    opt.step()
    assert opt.state[p]["sum"] == 6.25
    assert p.data == pytest.approx(2.0 - 0.1 * 2.5 / (2.5 + 1e-10), rel=1e-15)


def test_adagrad_state_boundaries_load() -> None:
    # One step with a zero gradient from sum 0: step = 1 and sum = 0, both valid states.
    p = Parameter(1.0)
    opt = Adagrad([p], lr=0.1)
    p.grad = 0.0
    opt.step()
    assert opt.state[p] == {"step": 1.0, "sum": 0.0}
    fresh = Adagrad([Parameter(1.0)], lr=0.1)
    fresh.load_state_dict(opt.state_dict())
    assert list(fresh.state.values()) == [{"step": 1.0, "sum": 0.0}]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("step", 0.5, "must be a whole number >= 1 (the steps taken), got 0.5"),
        ("sum", -1.0, "must be >= 0 (a sum of squared gradients), got -1.0"),
    ],
)
def test_adagrad_impossible_state_is_named(key: str, value: float, message: str) -> None:
    p = Parameter(1.0)
    opt = Adagrad([p], lr=0.1)
    p.grad = 0.5
    opt.step()
    state = json.loads(json.dumps(opt.state_dict()))
    state["state"][0][key] = value
    with pytest.raises(ValueError, match=re.escape(f"[{key!r}] {message}") + "$"):
        opt.load_state_dict(state)


def test_rmsprop_zero_denominator_says_nothing_changed() -> None:
    p = Parameter(1.0)
    opt = RMSprop([p], eps=0.0)
    p.grad = 0.0
    with pytest.raises(ZeroDivisionError) as info:
        opt.step()
    assert str(info.value).endswith("; no parameter was changed")
    assert (p.data, opt.state) == (1.0, {})


def test_centered_rmsprop_negative_variance_says_nothing_changed() -> None:
    p = Parameter(1.0)
    opt = RMSprop([p], centered=True)
    p.grad = 1.0
    opt.step()
    state = json.loads(json.dumps(opt.state_dict()))
    state["state"][0]["square_avg"] = 0.0
    opt.load_state_dict(state)
    before = dict(opt.state[p])
    p.grad = 0.0  # v = 0, g_avg = 0.99 * 0.01: v - g_avg^2 < 0
    with pytest.raises(ValueError, match=r"; no parameter was changed$"):
        opt.step()
    assert math.isfinite(p.data)
    assert opt.state[p] == before
