"""Contracts of `mg_train.reproduce` and of ``mg-train check``: every difference is named exactly.

Each expected line below is written from the documented rule (an int never matches a float, two
floats match only if their ``float.hex`` match, every key and list length must agree), not
copied from a run.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from mg_train import diff_results, load_results
from mg_train.cli import main


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_each_kind_of_difference_has_its_own_line() -> None:
    new: dict[str, object] = {
        "kept": {"a": 1, "b": [1, 2, 3], "extra": True},
        "int_vs_float": 1,
        "zero": 0.0,
        "text": "new",
        "same": [0.5, "x", None, {"k": 2.5}],
    }
    reference: dict[str, object] = {
        "kept": {"a": 2, "b": [1, 2], "gone": None},
        "int_vs_float": 1.0,
        "zero": -0.0,
        "text": "old",
        "same": [0.5, "x", None, {"k": 2.5}],
        "absent": 3,
    }
    assert diff_results(new, reference) == [
        "results.absent: missing (present in the reference)",
        "results.kept.gone: missing (present in the reference)",
        "results.kept.a: 1 != reference 2",
        "results.kept.b: length 3 != reference 2",
        "results.kept.extra: not in the reference",
        "results.int_vs_float: type int != reference float",
        "results.zero: 0.0 (0x0.0p+0) != reference -0.0 (-0x0.0p+0)",
        'results.text: "new" != reference "old"',
    ]


def test_equal_documents_have_no_difference() -> None:
    doc: dict[str, object] = {"a": [1.5, {"b": None, "c": "s"}], "d": True, "e": 0.1}
    assert diff_results(doc, json.loads(json.dumps(doc))) == []


def test_float_lines_show_repr_and_hex() -> None:
    assert diff_results({"x": 0.5}, {"x": 0.25}) == [
        "results.x: 0.5 (0x1.0000000000000p-1) != reference 0.25 (0x1.0000000000000p-2)"
    ]


def test_type_and_length_lines_name_the_path_not_the_values() -> None:
    new: dict[str, object] = {"v": [1] * 40}
    ref: dict[str, object] = {"v": "y"}
    (line,) = diff_results(new, ref)
    assert line == "results.v: type list != reference str"
    (line,) = diff_results({"v": {"k": "a" * 100}}, {"v": {"k": 5}})
    assert line == "results.v.k: type str != reference int"
    (line,) = diff_results({"n": [True] * 20}, {"n": [True] * 20 + [False]})
    assert line == "results.n: length 20 != reference 21"


def test_limit_counts_lines_and_defaults_to_twenty() -> None:
    new: dict[str, object] = {f"k{i:02d}": i for i in range(30)}
    ref: dict[str, object] = {f"k{i:02d}": -1 for i in range(30)}
    assert diff_results(new, ref, limit=2) == [
        "results.k00: 0 != reference -1",
        "results.k01: 1 != reference -1",
    ]
    assert diff_results(new, ref) == [f"results.k{i:02d}: {i} != reference -1" for i in range(20)]


def test_environment_and_timings_are_skipped_by_default_and_skip_is_a_choice() -> None:
    new: dict[str, object] = {"environment": {"python": "a"}, "timings": [1.0], "table": 1}
    ref: dict[str, object] = {"environment": {"python": "b"}, "timings": [2.0], "table": 1}
    assert diff_results(new, ref) == []
    assert diff_results(new, ref, skip=("timings",)) == [
        'results.environment.python: "a" != reference "b"'
    ]


def test_load_results_reads_a_json_object(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text('{"caf\\u00e9": [1, 2.5]}', encoding="utf-8")
    assert load_results(path) == {"café": [1, 2.5]}
    path.write_text('"text"', encoding="utf-8")
    with pytest.raises(ValueError, match="^" + str(path).replace("\\", "\\\\") + " does not hold"):
        load_results(path)


def test_check_lists_every_difference_on_stderr_and_exits_1(tmp_path: Path) -> None:
    new, ref = tmp_path / "new.json", tmp_path / "ref.json"
    new.write_text(json.dumps({"a": 1, "b": 2.0, "timings": 1}), encoding="utf-8")
    ref.write_text(json.dumps({"a": 2, "b": 2.5, "timings": 2}), encoding="utf-8")
    assert run_cli(["check", str(new), "--reference", str(ref)]) == (
        1,
        "",
        "mg-train: 2 difference(s) from the reference:\n"
        "  results.a: 1 != reference 2\n"
        "  results.b: 2.0 (0x1.0000000000000p+1) != reference 2.5 (0x1.4000000000000p+1)\n",
    )
    assert run_cli(["check", str(new), "--reference", str(new)]) == (
        0,
        "results match the reference bit for bit\n",
        "",
    )


def test_check_of_a_missing_or_non_json_file_is_a_usage_error(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text("{}", encoding="utf-8")
    missing = tmp_path / "missing.json"
    code, out, err = run_cli(["check", str(good), "--reference", str(missing)])
    # PyPy shows the file name as the repr of the path object it was given, CPython as text
    assert (code, out) == (2, "")
    assert err.startswith("mg-train: error: [Errno 2] No such file or directory: "), err
    assert str(missing) in err, err
    assert err.endswith("\n"), err
    assert err.count("\n") == 1, err
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    code, out, err = run_cli(["check", str(broken), "--reference", str(good)])
    assert (code, out) == (2, "")
    assert err.startswith("mg-train: error: "), err
    assert err.endswith(": line 1 column 2 (char 1)\n"), err


def test_list_entries_are_named_by_index_and_long_values_are_cut_at_80() -> None:
    long_new, long_ref = "n" * 100, "r" * 100
    assert diff_results({"l": [1, [2, long_new]]}, {"l": [1, [3, long_ref]]}) == [
        "results.l[1][0]: 2 != reference 3",
        # json.dumps of the string is its 100 letters in quotes; the first 80 characters shown
        'results.l[1][1]: "' + "n" * 79 + ' != reference "' + "r" * 79,
    ]
