"""`mg_train._json.loads_strict` and the file readers built on it.

JSON (RFC 8259) has no NaN or Infinity, and no finite float holds 1e999; Python's ``json``
reads all of them, and fails on deep nesting with RecursionError (not a ValueError). Every
mg-train file reader must refuse each of these with a message naming the file.
"""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from typing import Optional

import pytest
from message_kit import exactly
from mg_train import ConfigError, load_config, load_results
from mg_train._json import NonFiniteNumber, loads_strict
from mg_train.cli import main

DEEP = "[" * 100_000 + "]" * 100_000  # far past any recursion limit, CPython's or PyPy's


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_the_non_json_constants_are_refused(token: str) -> None:
    with pytest.raises(NonFiniteNumber, match=exactly(f"non-finite number {token}")):
        loads_strict(f'{{"lr": [0.1, {token}]}}')


@pytest.mark.parametrize(("literal", "value"), [("1e999", "inf"), ("-1e999", "-inf")])
def test_a_literal_that_overflows_a_float_is_refused(literal: str, value: str) -> None:
    with pytest.raises(NonFiniteNumber, match=exactly(f"number {literal} overflows to {value}")):
        loads_strict(f"[{literal}]")


def test_the_largest_and_smallest_floats_are_kept_exactly() -> None:
    text = "[1.7976931348623157e308, -1.7976931348623157e308, 5e-324, -0.0, 1.0]"
    data = loads_strict(text)
    assert data == [sys.float_info.max, -sys.float_info.max, 5e-324, -0.0, 1.0]
    assert isinstance(data, list)
    assert str(data[3]) == "-0.0"
    assert type(data[4]) is float


def test_ints_stay_ints_and_the_data_is_what_json_reads() -> None:
    text = '{"a": [1, -2, true, null, "x"], "b": {"c": 2.5}}'
    assert loads_strict(text) == json.loads(text)
    data = loads_strict("[10000000000000000000001]")
    assert data == [10**22 + 1]


def test_text_that_is_not_json_raises_jsons_own_error() -> None:
    with pytest.raises(json.JSONDecodeError) as info:
        loads_strict('{"lr": 0.1,}')
    assert type(info.value) is json.JSONDecodeError


def test_nesting_past_the_recursion_limit_is_a_value_error() -> None:
    problem = "nested more deeply than Python's recursion limit"
    with pytest.raises(ValueError, match=exactly(problem)) as info:
        loads_strict(DEEP)
    assert type(info.value) is ValueError


def _config_refusal(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.__cause__ is None
    return str(info.value)


def test_a_config_that_is_too_deep_or_overflows_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text(DEEP, encoding="utf-8")
    assert _config_refusal(path) == (
        f"config file {path} cannot be read as data: "
        "nested more deeply than Python's recursion limit"
    )
    path.write_text('{"lr": 1e999}', encoding="utf-8")
    assert _config_refusal(path) == (
        f"config file {path} cannot be read as data: number 1e999 overflows to inf"
    )


def test_a_config_with_an_int_past_the_digit_limit_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text('{"epochs": ' + "1" * 5000 + "}", encoding="utf-8")
    if hasattr(sys, "get_int_max_str_digits") and sys.get_int_max_str_digits() < 5000:
        assert _config_refusal(path).startswith(f"config file {path} cannot be read as data: ")
    else:  # no digit limit (PyPy): the int is read, and refused as a value
        assert _config_refusal(path).startswith("config key 'epochs': ")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[1, 2", None),
        ('{"table": NaN}', "non-finite number NaN"),
        (DEEP, "nested more deeply than Python's recursion limit"),
    ],
    ids=["truncated", "nan", "deep"],
)
def test_a_results_file_that_cannot_be_read_names_the_file(
    tmp_path: Path, text: str, problem: Optional[str]
) -> None:
    path = tmp_path / "results.json"
    path.write_text(text, encoding="utf-8")
    prefix = f"cannot read results file {path}: "
    with pytest.raises(ValueError, match="^" + re.escape(prefix)) as info:
        load_results(path)
    if problem is not None:
        assert str(info.value) == prefix + problem
    out, err = io.StringIO(), io.StringIO()
    assert main(["check", str(path), "--reference", str(path)], stdout=out, stderr=err) == 2
    assert (out.getvalue(), err.getvalue()) == ("", f"mg-train: error: {info.value}\n")


def test_a_results_file_that_is_not_utf8_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_bytes(b"\xff{}")
    prefix = f"cannot read results file {path}: "
    with pytest.raises(ValueError, match="^" + re.escape(prefix) + ".*'utf-8' codec"):
        load_results(path)
