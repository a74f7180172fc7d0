from __future__ import annotations

import re
from pathlib import Path


def test_the_readme_session_runs() -> None:
    text = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```python\n(.*?)```", text, re.DOTALL)
    assert match is not None, "README.md has no ```python block"
    namespace: dict[str, object] = {"__name__": "readme"}
    exec(compile(match.group(1), "README.md", "exec"), namespace)
    assert "history" in namespace
