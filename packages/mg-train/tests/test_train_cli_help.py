"""The README's "Every option" section is what ``mg-train ... --help`` really prints.

A user reads the options on the package's PyPI page before installing; if the parser changes
(an option renamed, a default, a metavar, a help line) and the README does not, they are told
something untrue. Rendering the help here and comparing it with the README turns every such
drift into a failing test.
"""

from __future__ import annotations

import re
from pathlib import Path

import mg_train
import pytest
from mg_train.cli import main

README = Path(__file__).parents[1] / "README.md"
COMMANDS = [[], ["compare"], ["sweep"], ["check"]]


def _readme_help(command: list[str]) -> str:
    text = README.read_text(encoding="utf-8")
    title = " ".join(["mg-train", *command, "--help"])
    match = re.search(rf"`{re.escape(title)}`:\n\n```text\n(.*?)```", text, re.DOTALL)
    assert match is not None, f"README.md has no block for `{title}`"
    return match.group(1)


def _printed_help(
    command: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> str:
    # argparse wraps at the terminal width, which it reads from COLUMNS (minus 2)
    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit) as exited:
        main([*command, "--help"])
    assert exited.value.code == 0
    # Python 3.9's argparse titles the section "optional arguments"; 3.10 renamed it
    return capsys.readouterr().out.replace("\noptional arguments:\n", "\noptions:\n")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "mg-train")
def test_the_readme_shows_what_help_prints(
    command: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _printed_help(command, capsys, monkeypatch) == _readme_help(command)


def test_the_readme_block_is_found_and_compared() -> None:
    """The comparison above is not vacuous: every block is there and names its options."""
    assert "--checkpoint-dir CKDIR" in _readme_help(["compare"])
    assert "--seeds K" in _readme_help(["sweep"])
    assert "--reference FILE" in _readme_help(["check"])
    assert "COMMAND" in _readme_help([])


def test_version_names_the_program_and_its_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"mg-train {mg_train.__version__}\n"
