"""The workspace README's python session runs against the installed packages."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

from _workspace import ROOT


def test_training_step_walkthrough_runs(tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    assert blocks, "README.md has no python session"
    for index, block in enumerate(blocks):
        script = tmp_path / f"readme_block_{index}.py"
        script.write_text(block, encoding="utf-8")
        namespace = runpy.run_path(str(script))
        assert "optimizer" in namespace
        assert all(p.grad == 0.0 for p in namespace["model"].parameters())
