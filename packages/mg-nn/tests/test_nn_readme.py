"""The README's session runs and prints what its comments say."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

README = Path(__file__).parents[1] / "README.md"


def first_python_block(text: str) -> str:
    start = text.index("```python\n") + len("```python\n")
    return text[start : text.index("```", start)]


def test_readme_session_prints_its_comments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = first_python_block(README.read_text(encoding="utf-8"))
    expected = [
        line.split("  # ", 1)[1]
        for line in code.splitlines()
        if line.strip().startswith("print(") and "  # " in line
    ]
    assert len(expected) >= 3
    script = tmp_path / "readme_session.py"
    script.write_text(code, encoding="utf-8")
    runpy.run_path(str(script), run_name="__main__")
    assert capsys.readouterr().out.splitlines() == expected
