"""`pyright --verifytypes` for each installed package: the type completeness score must be 100%.

A public symbol whose type pyright cannot fully know (an unannotated return, an inferred
``Any``) lowers the score; users of ``mypy --strict`` or pyright would see ``Any`` leak into
their code through it.
"""

from __future__ import annotations

import json
import subprocess
import sys


def main(packages: list[str]) -> int:
    failed = 0
    for package in packages:
        result = subprocess.run(
            ["pyright", "--verifytypes", package, "--ignoreexternal", "--outputjson"],
            capture_output=True,
            text=True,
        )
        try:
            report = json.loads(result.stdout)
        except json.JSONDecodeError:
            print(f"{package}: pyright gave no JSON report:\n{result.stdout}\n{result.stderr}")
            failed += 1
            continue
        completeness = report["typeCompleteness"]
        score = completeness["completenessScore"]
        errors = [d for d in report.get("generalDiagnostics", []) if d.get("severity") == "error"]
        for symbol in completeness.get("symbols", []):
            if not symbol.get("isTypeKnown", True):
                for diagnostic in symbol.get("diagnostics", []):
                    print(f"  {symbol['name']}: {diagnostic.get('message')}")
        for error in errors:
            print(f"  error: {error.get('message')}")
        ok = score == 1.0 and not errors
        failed += not ok
        verdict = "ok" if ok else "FAILED"
        print(f"{package}: type completeness {score:.1%}, {len(errors)} error(s) - {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
