"""Build every package (sdist first, then the wheel from that sdist) and check what users get.

Checks, per package: `twine check --strict` (the README renders on PyPI), `check-wheel-contents`,
the wheel and sdist carry ``py.typed``, and the published metadata names exactly one mg-*
dependency - the package below it, as a version range - and no local path.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

from _workspace import ALLOWED_THIRD_PARTY, CHAIN, PACKAGES_DIR


def run(*args: str) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run(args, check=True)


def check_metadata(dist: str, below: str | None, metadata_text: str) -> list[str]:
    problems: list[str] = []
    message = Parser().parsestr(metadata_text)
    requires = message.get_all("Requires-Dist") or []
    runtime = [r for r in requires if "extra ==" not in r]
    mg = [r for r in runtime if r.startswith("mg-")]
    expected = [] if below is None else [below]
    if [r.split(">")[0].split("<")[0].split("=")[0].strip() for r in mg] != expected:
        problems.append(f"{dist}: mg-* requirements {mg} should name exactly {expected}")
    for r in mg:
        if not ("<" in r and ">=" in r):
            problems.append(f"{dist}: {r!r} is not a compatible range like '>=0.1,<0.2'")
    third = {r.split(">")[0].split("<")[0].split("=")[0].split(";")[0].strip() for r in runtime}
    third -= {below} if below else set()
    if not third <= ALLOWED_THIRD_PARTY[dist]:
        problems.append(f"{dist}: third-party runtime dependencies {sorted(third)} not allowed")
    for r in requires:
        if "@" in r or "file:" in r:
            problems.append(f"{dist}: a local path reached the metadata: {r!r}")
    if message.get("Version") is None:
        problems.append(f"{dist}: no Version in metadata")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path, help="where to build the distributions")
    parser.add_argument("--build", action="store_true", help="build before checking")
    args = parser.parse_args()
    problems: list[str] = []
    for dist, module, below in CHAIN:
        out = args.out / dist
        if args.build:
            run(sys.executable, "-m", "build", "--outdir", str(out), str(PACKAGES_DIR / dist))
        wheels = sorted(out.glob("*.whl"))
        sdists = sorted(out.glob("*.tar.gz"))
        if len(wheels) != 1 or len(sdists) != 1:
            problems.append(f"{dist}: expected one wheel and one sdist in {out}")
            continue
        run(sys.executable, "-m", "twine", "check", "--strict", str(wheels[0]), str(sdists[0]))
        run("check-wheel-contents", str(wheels[0]))
        with zipfile.ZipFile(wheels[0]) as wheel:
            names = wheel.namelist()
            if f"{module}/py.typed" not in names:
                problems.append(f"{dist}: the wheel has no {module}/py.typed")
            metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
            problems += check_metadata(dist, below, wheel.read(metadata).decode())
        with tarfile.open(sdists[0]) as sdist:
            if not any(n.endswith(f"src/{module}/py.typed") for n in sdist.getnames()):
                problems.append(f"{dist}: the sdist has no src/{module}/py.typed")
    for problem in problems:
        print("PROBLEM:", problem)
    print(f"checked {len(CHAIN)} packages: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
