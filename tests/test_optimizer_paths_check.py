"""`benchmarks/optimizer_paths/run.py`: `--check` passes on a rerun and catches a one-ulp change,
the script refuses the source tree, and every committed path is torch.optim's path."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

from _workspace import PACKAGES_DIR, ROOT

RUN = ROOT / "benchmarks" / "optimizer_paths" / "run.py"
COMMITTED = RUN.parent / "reference_paths.json"
TORCH = PACKAGES_DIR / "mg-optim" / "tests" / "reference" / "paths.json"
CONFIG_KEYS = ("surface", "optimizer", "options", "start", "steps")


def run_paths(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(RUN), "--quiet", "--no-plot", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_check_passes_on_a_rerun_and_fails_on_a_one_ulp_change(tmp_path: Path) -> None:
    rerun = run_paths("--out", str(tmp_path / "a"), "--check")
    assert rerun.returncode == 0, rerun.stderr
    assert "bit for bit" in rerun.stdout
    written = json.loads((tmp_path / "a" / "paths.json").read_text(encoding="utf-8"))
    assert {"environment", "timings"} <= set(written)

    document = json.loads(COMMITTED.read_text(encoding="utf-8"))
    point = document["paths"][9]["points"][17]
    point[1] = math.nextafter(point[1], math.inf)
    reference = tmp_path / "reference.json"
    reference.write_text(json.dumps(document), encoding="utf-8")
    changed = run_paths("--out", str(tmp_path / "b"), "--check", "--reference", str(reference))
    assert changed.returncode == 1
    assert "CHECK FAILED: 1 difference(s)" in changed.stderr
    assert "results.paths[9].points[17][1]" in changed.stderr


def test_refuses_to_run_against_the_source_tree(tmp_path: Path) -> None:
    dists = ("mg-autograd", "mg-nn", "mg-optim", "mg-train")
    sources = [str(PACKAGES_DIR / dist / "src") for dist in dists]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sources))
    refused = run_paths("--out", str(tmp_path / "o"), env=env)
    assert refused.returncode != 0
    assert "imported from the source tree" in refused.stderr
    assert not (tmp_path / "o").exists()


def test_every_committed_path_is_the_torch_optim_path() -> None:
    """mg-optim's tests replay reference/paths.json (torch 2.13, float64) through
    optimize_path; here each committed benchmark path must be one of those torch paths, point
    for point to 1e-12 (relative, or against 1% of the path's size where a value crosses 0)."""
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))["paths"]
    torch_cases = json.loads(TORCH.read_text(encoding="utf-8"))["cases"]
    by_config = {json.dumps([c[k] for k in CONFIG_KEYS]): c["points"] for c in torch_cases}
    assert len(committed) == 42
    for path in committed:
        want = by_config.get(json.dumps([path[k] for k in CONFIG_KEYS]))
        assert want is not None, f"no torch reference for {path['surface']} {path['label']}"
        got = path["points"]
        assert len(got) == len(want)
        scales = [max(abs(p[i]) for p in want) for i in range(3)]
        worst = max(
            abs(g - w) / max(abs(w), 0.01 * scales[i])
            for a, b in zip(got, want)
            for i, (g, w) in enumerate(zip(a, b))
        )
        assert worst <= 1e-12, (path["surface"], path["label"], worst)
