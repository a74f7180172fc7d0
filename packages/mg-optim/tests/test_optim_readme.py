"""The README's opening session runs as printed."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"


def test_readme_session_runs_and_trains() -> None:
    match = re.search(r"```python\n(.*?)```", README.read_text(), re.DOTALL)
    assert match is not None
    out = io.StringIO()
    namespace: dict[str, object] = {}
    with contextlib.redirect_stdout(out):
        exec(compile(match.group(1), str(README), "exec"), namespace)
    loss = float(out.getvalue().split()[1].rstrip(","))
    assert loss < 0.01
    assert out.getvalue().strip().endswith("lr 0.0000")
