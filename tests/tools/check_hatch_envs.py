"""Prove that hatch took every mg-* package of an environment from this workspace, not an index.

`hatch test` and `hatch run` in packages/<dist> must install <dist> and the packages below it
editable from packages/ (the workspace configured in each package's pyproject.toml). A package
that came from an index instead still imports and may even pass the tests - which is exactly
the failure this catches: run after hatch, it asks hatch where the package's environments are
and reads each mg-* distribution's direct_url.json (PEP 610), which an editable install from
packages/<name> writes and an index install does not.

    python tests/tools/check_hatch_envs.py mg-train default hatch-test
"""

from __future__ import annotations

import argparse
import importlib.metadata as metadata
import json
import subprocess
import sys
from pathlib import Path

from _workspace import CHAIN, PACKAGES_DIR, chain_up_to

MG_DISTS = frozenset(dist for dist, _, _ in CHAIN)


def site_packages(env_dir: Path) -> list[Path]:
    """The site-packages directories of a virtual environment (POSIX and Windows layouts)."""
    return sorted([*env_dir.glob("lib/python*/site-packages"), *env_dir.glob("Lib/site-packages")])


def mg_origins(env_dir: Path) -> dict[str, str]:
    """Each mg-* distribution installed in ``env_dir`` -> where it came from, as a short text.

    The text is ``editable <url>`` for an editable install from a local directory, and names
    the other origins (an index, a wheel file, a non-editable directory) otherwise.
    """
    paths = [str(p) for p in site_packages(env_dir)]
    if not paths:
        raise ValueError(f"{env_dir} is not a virtual environment: no site-packages in it")
    origins: dict[str, str] = {}
    for dist in metadata.distributions(path=paths):
        name = str(dist.metadata["Name"]).lower().replace("_", "-")
        if name not in MG_DISTS:
            continue
        raw = dist.read_text("direct_url.json")
        if raw is None:
            origins[name] = "an index (no direct_url.json)"
            continue
        direct = json.loads(raw)
        url = str(direct.get("url", ""))
        dir_info = direct.get("dir_info")
        if isinstance(dir_info, dict) and dir_info.get("editable") is True:
            origins[name] = f"editable {url}"
        elif isinstance(dir_info, dict):
            origins[name] = f"a non-editable build of {url}"
        else:
            origins[name] = f"{url} (not a local directory)"
    return origins


def problems(env_dir: Path, dist: str, packages_dir: Path = PACKAGES_DIR) -> list[str]:
    """What is wrong with the mg-* packages of a hatch environment of ``dist`` (empty: nothing).

    Right means: exactly ``dist`` and the packages below it, each installed editable from its
    directory under ``packages_dir``.
    """
    origins = mg_origins(env_dir)
    found: list[str] = []
    for name in chain_up_to(dist):
        expected = f"editable {(packages_dir / name).resolve().as_uri()}"
        origin = origins.get(name)
        if origin is None:
            found.append(f"{env_dir}: {name} is not installed")
        elif origin != expected:
            found.append(f"{env_dir}: {name} came from {origin}, expected {expected}")
    for name in sorted(set(origins) - set(chain_up_to(dist))):
        found.append(f"{env_dir}: {name} is installed but is above {dist} in the chain")
    return found


def hatch_env_dirs(dist: str, env: str) -> list[Path]:
    """The directories of hatch environment ``env`` (all of its matrix) that exist on disk."""
    result = subprocess.run(
        ["hatch", "env", "find", env],
        cwd=PACKAGES_DIR / dist,
        check=True,
        capture_output=True,
        text=True,
    )
    dirs = [Path(line.strip()) for line in result.stdout.splitlines() if line.strip()]
    return [d for d in dirs if d.is_dir()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist", choices=sorted(MG_DISTS), help="the package hatch ran in")
    parser.add_argument("envs", nargs="+", help="hatch environments that must exist and be right")
    args = parser.parse_args()
    failures: list[str] = []
    for env in args.envs:
        dirs = hatch_env_dirs(args.dist, env)
        if not dirs:
            failures.append(f"{args.dist}: hatch environment {env!r} was never created")
        for env_dir in dirs:
            env_problems = problems(env_dir, args.dist)
            failures.extend(env_problems)
            if not env_problems:
                print(f"ok  {env_dir}: {', '.join(chain_up_to(args.dist))} editable from packages/")
    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
