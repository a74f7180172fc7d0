from __future__ import annotations

import re
from pathlib import Path


def test_every_readme_session_runs() -> None:
    text = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    assert len(blocks) >= 2, "README.md lost a ```python block"
    for index, block in enumerate(blocks):
        namespace: dict[str, object] = {"__name__": "readme"}
        exec(compile(block, f"README.md block {index}", "exec"), namespace)
        # each example ends with what it trained: a fit's history or a sweep's result
        assert "history" in namespace or "result" in namespace, f"block {index} trained nothing"
