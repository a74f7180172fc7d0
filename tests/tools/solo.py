"""Each package alone: a fresh venv holding only that package and what it declares.

For every layer of the chain this builds wheels (non-editable, from packages/*), creates a new
venv, installs the layer with ``--no-index`` from those wheels (so nothing can come from
anywhere else, and a missing declaration fails), then checks inside the venv that:
- exactly the expected distributions are installed (the layer, those below it, and declared
  third-party dependencies - nothing above it);
- the package imports from that venv's site-packages and ``__version__`` equals its metadata;
- the first ```python block of its README runs (the README is its PyPI page: it must work).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

from _workspace import CHAIN, PACKAGES_DIR, chain_up_to

PROBE = r"""
import importlib, importlib.metadata as md, json, sys
module = importlib.import_module(sys.argv[1])
print(json.dumps({
    "file": module.__file__,
    "version": module.__version__,
    "metadata_version": md.version(sys.argv[2]),
    "installed": sorted(d.metadata["Name"].lower() for d in md.distributions()),
}))
"""


def readme_example(dist: str) -> str:
    text = (PACKAGES_DIR / dist / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```python\n(.*?)```", text, re.DOTALL)
    if match is None:
        raise SystemExit(f"{dist}: README.md has no ```python example")
    return match.group(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("work", type=Path, help="scratch directory (emptied first)")
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    wheels = args.work / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    for dist, _, _ in CHAIN:
        subprocess.run(
            [*pip, "wheel", "-q", "--no-deps", "-w", str(wheels), str(PACKAGES_DIR / dist)],
            check=True,
        )
    subprocess.run([*pip, "download", "-q", "-d", str(wheels), "tqdm>=4.60"], check=True)

    failures: list[str] = []
    for dist, module, _ in CHAIN:
        env_dir = args.work / f"venv-{dist}"
        venv.create(env_dir, with_pip=True)
        python = str(env_dir / "bin" / "python")
        subprocess.run(
            [
                python,
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "--no-index",
                "--find-links",
                str(wheels),
                dist,
            ],
            check=True,
        )
        probe = json.loads(
            subprocess.run(
                [python, "-c", PROBE, module, dist], check=True, capture_output=True, text=True
            ).stdout
        )
        expected = set(chain_up_to(dist)) | ({"tqdm"} if dist == "mg-train" else set())
        installed = {
            name for name in probe["installed"] if name not in {"pip", "setuptools", "wheel"}
        }
        if installed != expected:
            failures.append(f"{dist}: venv holds {sorted(installed)}, expected {sorted(expected)}")
        if not str(probe["file"]).startswith(str(env_dir)):
            failures.append(f"{dist}: {module} imported from {probe['file']}, not the venv")
        if probe["version"] != probe["metadata_version"]:
            failures.append(
                f"{dist}: __version__ {probe['version']} != metadata {probe['metadata_version']}"
            )
        example = readme_example(dist)
        scratch = args.work / f"readme-{dist}"
        scratch.mkdir()
        result = subprocess.run(
            [python, "-c", example], cwd=scratch, capture_output=True, text=True
        )
        if result.returncode != 0:
            failures.append(f"{dist}: README example failed:\n{result.stderr}")
        outcome = "ran" if result.returncode == 0 else "FAILED"
        print(f"{dist}: {len(installed)} dists, {module} {probe['version']}, README {outcome}")
    for failure in failures:
        print("FAILED:", failure)
    print(
        f"solo: {len(CHAIN) - len({f.split(':')[0] for f in failures})} passed, "
        f"{len({f.split(':')[0] for f in failures})} failed"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
