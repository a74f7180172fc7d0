"""The README's sessions run, and print exactly what their comments say."""

from __future__ import annotations

import contextlib
import io
import re
import textwrap
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"
BLOCK = re.compile(r"^( *)```python\n(.*?)^\1```", re.MULTILINE | re.DOTALL)


def _python_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    return [textwrap.dedent(m[2]) for m in BLOCK.finditer(text)]


def test_first_session_prints_what_its_comments_say() -> None:
    code = _python_blocks()[0]
    expected = [line.split("  # ", 1)[1] for line in code.splitlines() if line.startswith("print(")]
    assert len(expected) >= 3
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(README), "exec"), {"__name__": "readme"})
    assert out.getvalue().splitlines() == expected


def test_every_python_block_runs() -> None:
    blocks = _python_blocks()
    assert len(blocks) >= 2
    for code in blocks:
        namespace: dict[str, object] = {"__name__": "readme"}
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(code, str(README), "exec"), namespace)
    sin = namespace["sin"]
    assert callable(sin)
