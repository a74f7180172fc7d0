"""The strict chain mg-autograd <- mg-nn <- mg-optim <- mg-train, checked from three sides.

1. The declarations: every pyproject.toml names exactly the package below it, as a range.
2. The installed set: the versions installed here satisfy those ranges, and come from wheels in
   site-packages, not from the source tree.
3. The code: no module imports a package above its own (import-linter checks this too, on the
   installed packages; this reads the source, so it also catches code no test imports).
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata as metadata
import sys
from pathlib import Path

import pytest
from _workspace import ALLOWED_EXTRAS, ALLOWED_THIRD_PARTY, CHAIN, PACKAGES_DIR, ROOT
from packaging.requirements import Requirement
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

DISTS = [dist for dist, _, _ in CHAIN]


def declared(dist: str, table: str) -> list[str]:
    """The requirement strings of ``[project] <table>`` (all extras flattened for extras)."""
    with open(PACKAGES_DIR / dist / "pyproject.toml", "rb") as handle:
        project = tomllib.load(handle)["project"]
    entry = project.get(table, [])
    values = [r for group in entry.values() for r in group] if isinstance(entry, dict) else entry
    assert all(isinstance(r, str) for r in values)
    return [str(r) for r in values]


def declared_extras(dist: str) -> set[str]:
    with open(PACKAGES_DIR / dist / "pyproject.toml", "rb") as handle:
        return set(tomllib.load(handle)["project"].get("optional-dependencies", {}))


@pytest.mark.parametrize(("dist", "module", "below"), CHAIN)
def test_each_package_declares_exactly_its_predecessor(
    dist: str, module: str, below: str | None
) -> None:
    requirements = [Requirement(r) for r in declared(dist, "dependencies")]
    mg = [r for r in requirements if r.name.startswith("mg-")]
    assert [r.name for r in mg] == ([] if below is None else [below])
    for requirement in mg:
        assert requirement.url is None, f"{dist}: local path in {requirement}"
        bounds = {spec.operator for spec in requirement.specifier}
        assert bounds == {">=", "<"}, f"{dist}: {requirement} is not a compatible range"
    third_party = {r.name for r in requirements} - {r.name for r in mg}
    assert third_party <= ALLOWED_THIRD_PARTY[dist]


@pytest.mark.parametrize("dist", DISTS)
def test_optional_extras_are_only_the_allowed_ones(dist: str) -> None:
    assert declared_extras(dist) <= ALLOWED_EXTRAS.get(dist, frozenset())
    extras = declared(dist, "optional-dependencies")
    assert all(not Requirement(r).name.startswith("mg-") for r in extras)


@pytest.mark.parametrize(("dist", "module", "below"), CHAIN)
def test_installed_versions_satisfy_the_declared_ranges(
    dist: str, module: str, below: str | None
) -> None:
    for requirement in map(Requirement, metadata.requires(dist) or []):
        if requirement.name.startswith("mg-"):
            installed = Version(metadata.version(requirement.name))
            assert installed in requirement.specifier, (
                f"{dist} needs {requirement}, found {installed}"
            )


@pytest.mark.parametrize(("dist", "module", "below"), CHAIN)
def test_installed_package_is_the_wheel_and_matches_the_source_version(
    dist: str, module: str, below: str | None
) -> None:
    imported = importlib.import_module(module)
    location = Path(str(imported.__file__)).resolve()
    assert PACKAGES_DIR not in location.parents, f"{module} imported from the source: {location}"
    assert "site-packages" in location.parts
    about = (PACKAGES_DIR / dist / "src" / module / "__about__.py").read_text(encoding="utf-8")
    line = next(line for line in about.splitlines() if line.startswith("__version__"))
    source_version = ast.literal_eval(line.split("=", 1)[1].strip())
    assert imported.__version__ == metadata.version(dist) == source_version


def imported_top_level_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("position", range(len(CHAIN)))
def test_no_module_imports_a_package_above_it(position: int) -> None:
    dist, _, _ = CHAIN[position]
    above = {m for _, m, _ in CHAIN[position + 1 :]}
    sources = sorted((PACKAGES_DIR / dist / "src").rglob("*.py"))
    assert sources
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_top_level_names(path) & above)
        for path in sources
        if imported_top_level_names(path) & above
    }
    assert offenders == {}
