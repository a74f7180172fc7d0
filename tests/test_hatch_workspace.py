"""hatch in each package: its workspace is the chain up to it, and the CI check bites.

The tox env ``hatch`` runs hatch itself in packages/mg-train; these tests need no hatch. They
read every package's hatch configuration (each of the four must be right, not only the one CI
runs), and they feed tests/tools/check_hatch_envs.py environments it must refuse - above all a
package installed from an index, which imports and passes tests just as well.
"""

from __future__ import annotations

import configparser
import fnmatch
import json
import sys
from pathlib import Path

import pytest
from _workspace import CHAIN, PACKAGES_DIR, ROOT, chain_up_to
from check_hatch_envs import problems

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

DISTS = [dist for dist, _, _ in CHAIN]
HATCH_ENVS = ("default", "hatch-test")


def hatch_env(dist: str, env: str) -> dict[str, object]:
    with open(PACKAGES_DIR / dist / "pyproject.toml", "rb") as handle:
        config = tomllib.load(handle)["tool"]["hatch"]["envs"][env]
    assert isinstance(config, dict)
    return {str(key): value for key, value in config.items()}


def strings(value: object) -> list[str]:
    assert isinstance(value, list)
    assert all(isinstance(item, str) for item in value)
    return [str(item) for item in value]


def workspace_members(dist: str, env: str) -> set[str]:
    """The package directories hatch selects: each member glob resolved from the package's
    directory, minus the excluded names (hatch matches excludes against the path relative to
    the glob's fixed part, here packages/)."""
    workspace = hatch_env(dist, env)["workspace"]
    assert isinstance(workspace, dict)
    selected: set[str] = set()
    for pattern in strings(workspace["members"]):
        base, _, name_glob = pattern.rpartition("/")
        assert (PACKAGES_DIR / dist / base).resolve() == PACKAGES_DIR.resolve(), pattern
        selected |= {p.name for p in PACKAGES_DIR.iterdir() if fnmatch.fnmatch(p.name, name_glob)}
    excluded = strings(workspace.get("exclude", []))
    return {name for name in selected if not any(fnmatch.fnmatch(name, x) for x in excluded)}


@pytest.mark.parametrize("env", HATCH_ENVS)
@pytest.mark.parametrize("dist", DISTS)
def test_hatch_workspace_is_the_package_and_those_below_it(dist: str, env: str) -> None:
    assert workspace_members(dist, env) == set(chain_up_to(dist))
    # The package is installed as one of the members (all editable, in one resolver call),
    # never on its own first, which would look up the packages below it on an index.
    assert hatch_env(dist, env)["skip-install"] is True


def tox_test_deps() -> list[str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "tox.ini", encoding="utf-8")
    lines = [line.strip() for line in parser["testenv"]["deps"].splitlines()]
    return sorted(line.split(":", 1)[1].strip() for line in lines if line.startswith("test:"))


@pytest.mark.parametrize("dist", DISTS)
def test_hatch_test_runs_the_tox_tests_the_tox_way(dist: str) -> None:
    config = hatch_env(dist, "hatch-test")
    assert sorted(strings(config["dependencies"])) == tox_test_deps()
    assert strings(config["default-args"]) == ["{root}/tests"]
    scripts = config["scripts"]
    assert isinstance(scripts, dict)
    run = str(scripts["run"])
    assert "-c {root:parent:parent}/pyproject.toml --rootdir {root:parent:parent}" in run


def fake_env(tmp: Path, installed: dict[str, object]) -> Path:
    """A venv-shaped directory whose site-packages holds the given distributions, each with
    ``direct_url.json`` content (a dict) or none (``None``: how an index install looks)."""
    site = tmp / "env" / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    for name, direct_url in installed.items():
        info = site / f"{name.replace('-', '_')}-0.1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1.0\n", encoding="utf-8"
        )
        if direct_url is not None:
            (info / "direct_url.json").write_text(json.dumps(direct_url), encoding="utf-8")
    return tmp / "env"


def editable(packages: Path, name: str) -> dict[str, object]:
    return {"url": (packages / name).resolve().as_uri(), "dir_info": {"editable": True}}


def test_check_accepts_the_chain_editable_from_the_workspace(tmp_path: Path) -> None:
    packages = tmp_path / "packages"
    env = fake_env(tmp_path, {name: editable(packages, name) for name in chain_up_to("mg-nn")})
    assert problems(env, "mg-nn", packages) == []


def test_check_refuses_a_package_from_an_index(tmp_path: Path) -> None:
    packages = tmp_path / "packages"
    env = fake_env(tmp_path, {"mg-autograd": None, "mg-nn": editable(packages, "mg-nn")})
    (found,) = problems(env, "mg-nn", packages)
    assert "mg-autograd came from an index" in found


@pytest.mark.parametrize(
    ("direct_url", "fragment"),
    [
        ({"url": "file:///elsewhere/mg-autograd", "dir_info": {"editable": True}}, "elsewhere"),
        ({"url": "PACKAGES/mg-autograd", "dir_info": {}}, "a non-editable build of"),
        ({"url": "https://example.invalid/mg_autograd-0.1.0.whl", "archive_info": {}}, "not a"),
    ],
)
def test_check_refuses_any_other_origin(
    tmp_path: Path, direct_url: dict[str, object], fragment: str
) -> None:
    packages = tmp_path / "packages"
    if direct_url["url"] == "PACKAGES/mg-autograd":
        direct_url = {**direct_url, "url": (packages / "mg-autograd").resolve().as_uri()}
    env = fake_env(tmp_path, {"mg-autograd": direct_url})
    (found,) = problems(env, "mg-autograd", packages)
    assert "mg-autograd came from" in found
    assert fragment in found


def test_check_refuses_a_missing_package_and_one_above(tmp_path: Path) -> None:
    packages = tmp_path / "packages"
    env = fake_env(tmp_path, {"mg-nn": editable(packages, "mg-nn")})
    found = problems(env, "mg-autograd", packages)
    assert any("mg-autograd is not installed" in p for p in found)
    assert any("mg-nn is installed but is above mg-autograd" in p for p in found)
    assert len(found) == 2


def test_check_refuses_a_directory_that_is_not_a_venv(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no site-packages"):
        problems(tmp_path, "mg-train")
