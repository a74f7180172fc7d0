"""`benchmarks/optimizer_table/run.py --export-safetensors`: final models out, results unchanged."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

from _workspace import ROOT
from mg_nn import MLP, load_safetensors
from mg_train import parse_config, run_experiment

RUN = ROOT / "benchmarks" / "optimizer_table" / "run.py"


def test_export_writes_the_final_models_and_check_still_passes(tmp_path: Path) -> None:
    config = json.loads((RUN.parent / "config.json").read_text(encoding="utf-8"))
    config["dataset"]["n_samples"] = 24
    config["epochs"] = 2
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    common = [sys.executable, str(RUN), "--quiet", "--config", str(path)]
    common += ["--reference", str(tmp_path / "reference.json")]
    written = subprocess.run(
        [*common, "--out", str(tmp_path / "a"), "--write-reference"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert written.returncode == 0, written.stderr
    models = tmp_path / "models"
    exported = subprocess.run(
        [*common, "--out", str(tmp_path / "b"), "--check", "--export-safetensors", str(models)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert exported.returncode == 0, exported.stderr
    assert "bit for bit" in exported.stdout
    names = ["SGD.safetensors", "Momentum.safetensors", "Adam.safetensors"]
    assert all(f"wrote {models / name}" in exported.stdout for name in names)
    expected = run_experiment(parse_config(config), verbose=False)
    for run, name in zip(expected.runs, names):
        model = MLP(2, [16, 16, 1], rng=0)
        assert load_safetensors(model, models / name)["optimizer"] == run.name
        mine = [struct.pack("<d", v) for v in model.state_dict().values()]
        assert mine == [struct.pack("<d", v) for v in run.final_state.values()]
