"""Every public name of every package is exercised by the downstream typing check.

`tests/typing/` is type-checked, never run (tox env `typing`); this keeps it complete: a name
added to a package's ``__all__`` without a use there fails here, so no public signature can
widen to ``Any`` unseen.
"""

from __future__ import annotations

import ast
import importlib

import pytest
from _workspace import CHAIN, ROOT

TYPING_DIR = ROOT / "tests" / "typing"


def names_imported_by_the_consumers(module: str) -> set[str]:
    names: set[str] = set()
    for path in sorted(TYPING_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == module:
                names.update(alias.name for alias in node.names)
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == module
            ):
                names.add(node.attr)
    return names


@pytest.mark.parametrize("module", [module for _, module, _ in CHAIN])
def test_every_public_name_is_used_in_the_typing_consumers(module: str) -> None:
    public = set(importlib.import_module(module).__all__)
    assert public, f"{module} exports nothing"
    assert sorted(public - names_imported_by_the_consumers(module)) == []
