from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest


def test_every_readme_session_runs() -> None:
    text = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    # The optimizer-paths example writes a picture: its own test below runs it in a temp dir.
    start = text.index("## Optimizer paths")
    end = text.index("\n## ", start + 1)
    text = text[:start] + text[end:]
    blocks = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    assert len(blocks) >= 2, "README.md lost a ```python block"
    for index, block in enumerate(blocks):
        namespace: dict[str, object] = {"__name__": "readme"}
        exec(compile(block, f"README.md block {index}", "exec"), namespace)
        # each example ends with what it trained: a fit's history or a sweep's result
        assert "history" in namespace or "result" in namespace, f"block {index} trained nothing"


def test_the_optimizer_paths_example_draws_its_picture(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Optimizer paths") :]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match is not None
    monkeypatch.chdir(tmp_path)
    code = compile(match.group(1), "README.md", "exec")
    if importlib.util.find_spec("matplotlib") is None:
        with pytest.raises(ImportError, match=r"mg-train\[plot\]"):
            exec(code, {"__name__": "readme"})
        return
    exec(code, {"__name__": "readme"})
    assert (tmp_path / "ravine_paths.png").read_bytes().startswith(b"\x89PNG")
