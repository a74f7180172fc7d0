"""`benchmarks/moons/run.py`: its `--check` passes on a rerun and fails on a one-ulp change of a
step's loss or on one flipped class of the decision grid behind the boundary picture (a
3-step reference written by `--write-reference`, mg only, no pictures: a few seconds)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

from _workspace import ROOT

RUN = ROOT / "benchmarks" / "moons" / "run.py"


def run_moons(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(RUN), "--steps", "3", "--no-micrograd", "--no-plot", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_passes_on_a_rerun_and_fails_on_a_one_ulp_change(tmp_path: Path) -> None:
    reference = tmp_path / "reference.json"
    common = ("--reference", str(reference))
    written = run_moons(*common, "--out", str(tmp_path / "a"), "--write-reference")
    assert written.returncode == 0, written.stderr
    rerun = run_moons(*common, "--out", str(tmp_path / "b"), "--check")
    assert rerun.returncode == 0, rerun.stderr
    assert "bit for bit" in rerun.stdout

    original = reference.read_text(encoding="utf-8")
    document = json.loads(original)
    assert "without micrograd" in document["provenance"]
    document["steps"][1]["loss"] = math.nextafter(document["steps"][1]["loss"], math.inf)
    reference.write_text(json.dumps(document), encoding="utf-8")
    changed = run_moons(*common, "--out", str(tmp_path / "c"), "--check")
    assert changed.returncode == 1
    assert "CHECK FAILED: 1 difference(s)" in changed.stderr
    assert "results.steps[1].loss" in changed.stderr


def test_check_fails_when_one_grid_point_changes_class(tmp_path: Path) -> None:
    reference = tmp_path / "reference.json"
    common = ("--reference", str(reference))
    written = run_moons(*common, "--out", str(tmp_path / "a"), "--write-reference")
    assert written.returncode == 0, written.stderr
    document = json.loads(reference.read_text(encoding="utf-8"))
    rows = document["decision_grid"]["classes"]
    assert len(rows) == 81
    assert all(len(row) == 81 and set(row) <= {"+", "-"} for row in rows)
    flipped = "-" if rows[40][40] == "+" else "+"
    rows[40] = rows[40][:40] + flipped + rows[40][41:]
    reference.write_text(json.dumps(document), encoding="utf-8")
    changed = run_moons(*common, "--out", str(tmp_path / "b"), "--check")
    assert changed.returncode == 1
    assert "CHECK FAILED: 1 difference(s)" in changed.stderr
    assert "results.decision_grid.classes[40]" in changed.stderr


def test_the_committed_reference_is_not_rewritten_without_micrograd(tmp_path: Path) -> None:
    committed = RUN.parent / "reference_moons.json"
    before = committed.read_bytes()
    refused = run_moons("--out", str(tmp_path / "o"), "--write-reference")
    assert refused.returncode == 2
    assert "only with micrograd 0.1.0 running beside mg" in refused.stderr
    assert committed.read_bytes() == before
    assert not (tmp_path / "o").exists()
