"""`benchmarks/graph_picture/graph_picture.py`: the committed trace and diagrams are the code's.

``--check`` must pass on the committed files and fail on a one-character change; the script
refuses the source tree; and the trace and Mermaid diagram in mg-autograd's README are the
committed ones. (The pictures need Graphviz: `tox -e graph` draws them and checks the SVG.)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from _workspace import PACKAGES_DIR, ROOT

HERE = ROOT / "benchmarks" / "graph_picture"
RUN = HERE / "graph_picture.py"
TEXT_FILES = ("trace.txt", "graph.mmd", "graph.dot")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(RUN), "--no-pictures", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_check_passes_on_the_committed_files_and_fails_on_one_changed_character(
    tmp_path: Path,
) -> None:
    passed = run("--check", "--out", str(tmp_path / "a"))
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "match the committed files byte for byte" in passed.stdout
    for name in TEXT_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (HERE / name).read_bytes()

    reference = tmp_path / "reference"
    reference.mkdir()
    for name in TEXT_FILES:
        shutil.copy(HERE / name, reference / name)
    trace = (reference / "trace.txt").read_text(encoding="utf-8")
    assert "138.834" in trace
    (reference / "trace.txt").write_text(trace.replace("138.834", "138.835"), encoding="utf-8")
    failed = run("--check", "--reference", str(reference), "--out", str(tmp_path / "b"))
    assert failed.returncode == 1
    assert "check: 1 of 3 files differ" in failed.stdout
    assert "-  38  +#6" in failed.stdout


def test_refuses_the_source_tree(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(PACKAGES_DIR / "mg-autograd" / "src"))
    refused = run("--out", str(tmp_path / "o"), env=env)
    assert refused.returncode != 0
    assert "imported from the source tree" in refused.stderr
    assert not (tmp_path / "o").exists()


def test_the_readme_shows_the_committed_trace_and_diagram() -> None:
    readme = (PACKAGES_DIR / "mg-autograd" / "README.md").read_text(encoding="utf-8")
    blocks = dict(
        (kind, text)
        for kind, text in re.findall(r"^```(text|mermaid)\n(.*?)^```", readme, re.M | re.S)
    )
    assert blocks["text"] == (HERE / "trace.txt").read_text(encoding="utf-8")
    assert blocks["mermaid"] == (HERE / "graph.mmd").read_text(encoding="utf-8")
