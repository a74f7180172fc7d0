"""Contracts the mutation run (tests/tools/mutation.py) showed were unpinned.

Each test states one fact a user relies on: a default, a boundary, or an error message that
says where and what went wrong. Expected values come from the documented rules (EarlyStopping
counts an epoch as an improvement when loss < best - min_delta), never from running this code.
"""

from __future__ import annotations

import io
import json
import math
import random
from collections.abc import Callable
from pathlib import Path
from typing import Optional

import pytest
from mg_autograd import Value
from mg_train import (
    Callback,
    ConfigError,
    EarlyStopping,
    History,
    NonFiniteLossError,
    diff_results,
    get_loss,
    load_config,
    load_results,
    make_moons,
    parse_config,
)
from mg_train.cli import main


def message(error: type[BaseException], call: Callable[[], object]) -> str:
    with pytest.raises(error) as info:
        call()
    return str(info.value)


def history(train: list[float], val: Optional[list[Optional[float]]] = None) -> History:
    result = History()
    for i, loss in enumerate(train):
        result.append(loss, None if val is None else val[i], 0.1, 0.0)
    return result


# ---------------------------------------------------------------- EarlyStopping


def test_early_stopping_default_patience_is_five_epochs() -> None:
    stopper = EarlyStopping()
    assert repr(stopper) == "EarlyStopping(patience=5, min_delta=0.0)"
    # best at epoch 1, then 4 epochs without improvement: keep going; the 5th stops.
    assert not stopper.on_epoch_end(5, history([1.0, 2.0, 2.0, 2.0, 2.0]))
    assert stopper.on_epoch_end(6, history([1.0, 2.0, 2.0, 2.0, 2.0, 2.0]))


def test_early_stopping_improvement_is_strict_and_uses_train_loss_without_validation() -> None:
    stopper = EarlyStopping(patience=1, min_delta=0.5)
    # 1.0 - 0.5 = 0.5 is not < 0.5: no improvement, one epoch without.
    assert stopper.epochs_without_improvement(history([1.0, 0.5])) == 1
    assert stopper.epochs_without_improvement(history([1.0, 0.25])) == 0
    assert stopper.epochs_without_improvement(history([])) == 0
    # Validation loss is monitored when every epoch has one ...
    assert stopper.epochs_without_improvement(history([1.0, 0.25], [1.0, 2.0])) == 1
    # ... and the train loss when some epoch has none.
    assert stopper.epochs_without_improvement(history([1.0, 0.25], [1.0, None])) == 0


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"patience": 0}, "patience must be a positive int, got 0"),
        ({"patience": 2.0}, "patience must be a positive int, got 2.0"),
        ({"patience": True}, "patience must be a positive int, got True"),
        ({"min_delta": -0.5}, "min_delta must be a finite number >= 0, got -0.5"),
        ({"min_delta": math.inf}, "min_delta must be a finite number >= 0, got inf"),
        ({"min_delta": "0"}, "min_delta must be a finite number >= 0, got '0'"),
        ({"min_delta": False}, "min_delta must be a finite number >= 0, got False"),
    ],
)
def test_early_stopping_errors_name_the_value(kwargs: dict[str, object], expected: str) -> None:
    assert message(ValueError, lambda: EarlyStopping(**kwargs)) == expected  # type: ignore[arg-type]


def test_base_callback_never_stops() -> None:
    assert Callback().on_epoch_end(1, history([1.0])) is False


# ---------------------------------------------------------------- NonFiniteLossError


def test_non_finite_loss_error_says_where() -> None:
    error = NonFiniteLossError(3, 2, math.nan)
    assert str(error) == (
        "non-finite train loss nan at epoch 3, batch 2; training stopped (the last checkpoint, "
        "if any, is from the last good epoch)"
    )
    assert (error.epoch, error.batch, math.isnan(error.value)) == (3, 2, True)
    validation = NonFiniteLossError(4, None, math.inf, what="validation")
    assert str(validation).startswith("non-finite validation loss inf at epoch 4;")
    assert validation.value == math.inf
    caused = NonFiniteLossError(1, 1, math.nan, cause="'exp' overflowed")
    assert str(caused).startswith("non-finite number in the train pass at epoch 1, batch 1: ")


# ---------------------------------------------------------------- losses and config


def test_cross_entropy_loss_needs_one_integral_class_index_per_row() -> None:
    loss = get_loss("cross_entropy")
    outputs = [[Value(0.5), Value(1.0)]]
    assert message(ValueError, lambda: loss(outputs, [[0.5]])) == (
        "cross_entropy needs one integral class index per row; row 0 is [0.5]"
    )
    assert message(ValueError, lambda: loss(outputs, [[1.0, 0.0]])) == (
        "cross_entropy needs one integral class index per row; row 0 is [1.0, 0.0]"
    )


def test_config_errors_show_the_offending_json(
    tmp_path: Path, config_factory: Callable[[], dict[str, object]]
) -> None:
    path = tmp_path / "config.json"
    path.write_text('{"lr": NaN}', encoding="utf-8")
    assert message(ConfigError, lambda: load_config(path)) == (
        f"config file {path} cannot be read as data: non-finite number NaN"
    )
    config = config_factory()
    config["lr"] = "fast"
    # The value is shown as JSON (double quotes), as it was written in the file.
    assert message(ConfigError, lambda: parse_config(config)).endswith(', got "fast"')


# ---------------------------------------------------------------- datasets


def moons_by_the_docstring(n: int, noise: float, seed: int) -> list[tuple[float, float]]:
    """make_moons's documented recipe: random.Random(seed); per sample t ~ U(0, pi), then two
    N(0, 1) noises scaled by ``noise``; even samples on (cos t, sin t), odd ones on
    (1 - cos t, 0.5 - sin t)."""
    draw = random.Random(seed)
    points = []
    for i in range(n):
        t = draw.uniform(0.0, math.pi)
        x1, x2 = (math.cos(t), math.sin(t)) if i % 2 == 0 else (1 - math.cos(t), 0.5 - math.sin(t))
        x1 += noise * draw.gauss(0.0, 1.0)
        x2 += noise * draw.gauss(0.0, 1.0)
        points.append((x1, x2))
    return points


def test_make_moons_follows_its_documented_recipe_and_defaults() -> None:
    default = make_moons()
    assert list(default.inputs) == moons_by_the_docstring(200, 0.1, 0)
    assert list(default.targets) == [(float(i % 2),) for i in range(200)]
    assert list(make_moons(6, noise=0.25, seed=3).inputs) == moons_by_the_docstring(6, 0.25, 3)


# ---------------------------------------------------------------- results files and the CLI


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_check_reports_an_unreadable_results_file_as_a_usage_error(tmp_path: Path) -> None:
    listing = tmp_path / "list.json"
    listing.write_text("[1, 2]", encoding="utf-8")
    assert message(ValueError, lambda: load_results(listing)) == (
        f"{listing} does not hold a JSON object"
    )
    code, out, err = run_cli(["check", str(listing), "--reference", str(listing)])
    assert (code, out) == (2, "")
    assert err == f"mg-train: error: {listing} does not hold a JSON object\n"


def test_differences_show_long_values_cut_to_80_characters() -> None:
    (line,) = diff_results({"note": "x" * 100}, {"note": "y" * 100})
    shown_new = '"' + "x" * 79  # json.dumps("x" * 100)[:80]
    shown_ref = '"' + "y" * 79
    assert line == f"results.note: {shown_new} != reference {shown_ref}"


def test_checkpoint_dir_equal_to_out_says_what_out_is_for(
    tmp_path: Path, config_factory: Callable[[], dict[str, object]]
) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps(config_factory()), encoding="utf-8")
    same = tmp_path / "out"
    code, _, err = run_cli(
        ["compare", "--config", str(config), "--out", str(same), "--checkpoint-dir", str(same)]
    )
    assert code == 2
    assert err == (
        f"mg-train: error: --checkpoint-dir {same} is the --out directory; it must be another "
        "one (--out holds only the result files)\n"
    )
