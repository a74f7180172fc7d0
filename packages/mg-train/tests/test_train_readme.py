from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest


def test_the_readme_session_runs() -> None:
    text = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```python\n(.*?)```", text, re.DOTALL)
    assert match is not None, "README.md has no ```python block"
    namespace: dict[str, object] = {"__name__": "readme"}
    exec(compile(match.group(1), "README.md", "exec"), namespace)
    assert "history" in namespace


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
