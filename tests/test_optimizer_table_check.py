"""`benchmarks/optimizer_table/run.py`: its `--check` catches a one-ulp change, and it refuses
to measure the source tree instead of the installed packages."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

from _workspace import PACKAGES_DIR, ROOT

RUN = ROOT / "benchmarks" / "optimizer_table" / "run.py"


def tiny_config(tmp_path: Path) -> Path:
    config = json.loads((RUN.parent / "config.json").read_text(encoding="utf-8"))
    config["dataset"]["n_samples"] = 24
    config["epochs"] = 2
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def run_table(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(RUN), "--quiet", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_check_passes_on_a_rerun_and_fails_on_a_one_ulp_change(tmp_path: Path) -> None:
    config, reference = tiny_config(tmp_path), tmp_path / "reference.json"
    common = ("--config", str(config), "--reference", str(reference))
    written = run_table(*common, "--out", str(tmp_path / "a"), "--write-reference")
    assert written.returncode == 0, written.stderr
    rerun = run_table(*common, "--out", str(tmp_path / "b"), "--check")
    assert rerun.returncode == 0, rerun.stderr
    assert "bit for bit" in rerun.stdout

    document = json.loads(reference.read_text(encoding="utf-8"))
    cell = document["table"][1]["final_val_loss"]
    document["table"][1]["final_val_loss"] = math.nextafter(cell, math.inf)
    reference.write_text(json.dumps(document), encoding="utf-8")
    changed = run_table(*common, "--out", str(tmp_path / "c"), "--check")
    assert changed.returncode == 1
    assert "CHECK FAILED: 1 difference(s)" in changed.stderr
    assert "final_val_loss" in changed.stderr


def test_refuses_to_run_against_the_source_tree(tmp_path: Path) -> None:
    sources = [str(PACKAGES_DIR / dist / "src") for dist in ("mg-autograd", "mg-nn", "mg-optim")]
    sources.append(str(PACKAGES_DIR / "mg-train" / "src"))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sources))
    refused = run_table(
        "--config", str(tiny_config(tmp_path)), "--out", str(tmp_path / "o"), env=env
    )
    assert refused.returncode != 0
    assert "imported from the source tree" in refused.stderr
    assert not (tmp_path / "o").exists()
