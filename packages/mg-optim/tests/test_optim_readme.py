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


def test_readme_paths_session_prints_what_the_readme_says() -> None:
    text = README.read_text()
    section = text[text.index("## Paths on a surface") :]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    shown = re.search(r"```text\n(.*?)```", section, re.DOTALL)
    assert code is not None
    assert shown is not None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.group(1), str(README), "exec"), {})
    lines = out.getvalue().splitlines()
    finals = [line.split()[3] for line in lines[:3]]
    assert finals == ["2.39e-04", "6.47e-02", "2.88e-02"]
    for value in finals:
        assert f"`{value}`" in section
    assert lines[4:] == shown.group(1).splitlines()
