"""`benchmarks/sweep/default_sweep.py`: its `--check` passes on the run that wrote the
reference, fails on a one-ulp change of the reference sweep, and fails when replica 0 is not the
optimizer table's run - checked against a table `optimizer_table/run.py` wrote for the config."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

from _workspace import ROOT

SWEEP = ROOT / "benchmarks" / "sweep" / "default_sweep.py"
TABLE = ROOT / "benchmarks" / "optimizer_table" / "run.py"


def _tiny_config(tmp_path: Path) -> Path:
    config = json.loads((TABLE.parent / "config.json").read_text(encoding="utf-8"))
    config["dataset"]["n_samples"] = 24
    config["epochs"] = 2
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def _run(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(script), "--quiet", *args], capture_output=True, text=True, check=False
    )


def test_check_passes_on_a_rerun_and_fails_on_any_difference(tmp_path: Path) -> None:
    config = _tiny_config(tmp_path)
    table = _run(TABLE, "--config", str(config), "--out", str(tmp_path / "table"))
    assert table.returncode == 0, table.stderr
    table_reference = tmp_path / "table" / "results.json"
    reference = tmp_path / "reference_sweep.json"
    common = [
        "--config",
        str(config),
        "--seeds",
        "2",
        "--lr",
        "0.003,0.01",
        "--jobs",
        "1",
        "--reference",
        str(reference),
        "--table-reference",
        str(table_reference),
    ]
    written = _run(SWEEP, *common, "--out", str(tmp_path / "a"), "--write-reference", "--check")
    assert written.returncode == 0, written.stderr
    assert "replica 0 at lr 0.01 is results.json's table" in written.stdout

    document = json.loads(reference.read_text(encoding="utf-8"))
    cell = document["aggregates"]["cells"][3]["best_val_loss"]
    cell["std"] = math.nextafter(cell["std"], math.inf)
    reference.write_text(json.dumps(document), encoding="utf-8")
    changed = _run(SWEEP, *common, "--out", str(tmp_path / "c"), "--check")
    assert changed.returncode == 1
    assert "CHECK FAILED: 1 difference(s)" in changed.stderr
    assert "aggregates.cells[3].best_val_loss.std" in changed.stderr

    table_document = json.loads(table_reference.read_text(encoding="utf-8"))
    row = table_document["table"][2]
    row["best_val_loss"] = math.nextafter(row["best_val_loss"], 0.0)
    table_reference.write_text(json.dumps(table_document), encoding="utf-8")
    (tmp_path / "a" / "sweep.json").replace(reference)
    not_the_table = _run(SWEEP, *common, "--out", str(tmp_path / "d"), "--check")
    assert not_the_table.returncode == 1
    assert f"{row['optimizer']}.best_val_loss" in not_the_table.stderr
