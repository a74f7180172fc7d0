"""Mutation testing with mutmut 3, one package at a time, and a report of what survived.

    python tests/tools/mutation.py [--package mg-optim ...] [--out DIR] [--work DIR]
                                   [--max-children N] [--reuse]

For each package (bottom of the chain first) this

1. installs the packages BELOW it into the running interpreter as real wheels and uninstalls the
   package itself and every package above it, so the only copy of the package under test that a
   test can import is mutmut's mutated one (an installed copy would silently shadow it);
2. copies the package's ``src/``, ``tests/`` and ``README.md`` (the README tests read it) into a
   fresh work directory with a generated ``pyproject.toml``: the workspace's pytest settings plus a
   ``[tool.mutmut]`` table. mutmut copies that tree into ``mutants/``, puts ``mutants/src`` first
   on ``sys.path`` and runs pytest there, so ``import mg_optim`` is the mutated source while
   ``import mg_nn`` is the installed wheel;
3. runs ``nice -n 19 mutmut run --max-children N`` and reads every mutant's status back;
4. matches the survivors against ``tests/mutation_equivalents.toml`` and writes
   ``<out>/<package>.json`` and ``<out>/<package>.md`` (counts, every survivor with its diff) and
   ``<out>/summary.md``.

It exits non-zero if any survivor (or mutant no test reaches) is neither killed nor listed as
equivalent, if a listed equivalent no longer matches a surviving mutant, or if the listed
equivalents exceed 5% of a package's mutants. The work directories are kept (``--reuse`` lets
mutmut continue in one instead of starting from scratch), so ``mutmut show NAME`` /
``mutmut browse`` can be run inside them.

Equivalents are keyed so they survive unrelated edits as far as mutmut allows: mutmut names a
mutant ``<module>.<mangled function>__mutmut_<n>``, and ``n`` shifts whenever the function gains or
loses a mutation point. An entry names the mutant, the ``before``/``after`` text of the changed
line, and a reason; it matches a surviving mutant of the same function whose diff removes a line
containing ``before`` and adds one containing ``after`` (the number only breaks ties).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from _workspace import CHAIN, PACKAGES_DIR, ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the mutation env runs on 3.11+
    import tomli as tomllib

EQUIVALENTS_FILE = ROOT / "tests" / "mutation_equivalents.toml"
MAX_EQUIVALENT_SHARE = 0.05
# Statuses that mean the suite noticed nothing: each one must be killed or listed as equivalent.
UNNOTICED = ("survived", "no tests")

# What the mutation run leaves out of a package's suite, and why. mutmut routes every call of a
# mutated function through a trampoline, so a test that makes millions of calls becomes the whole
# run: under it test_chain_of_a_million_operations takes over two minutes, and every mutant of
# Value.__mul__ would wait for it. The suite itself (tox -e py311-test-autograd) is unchanged.
DESELECT: dict[str, tuple[str, ...]] = {
    "mg-autograd": (
        # depth without recursion: 10**6 multiplications; ops and backward are covered elsewhere
        "tests/test_ag_graph.py::test_chain_of_a_million_operations",
        # these two prove the fuzzer itself can fail (300 graphs each with a planted bug)
        "tests/test_ag_fuzz.py::test_fuzz_can_fail_at_a_leaf",
        "tests/test_ag_fuzz.py::test_fuzz_can_fail_inside_the_graph",
    ),
    # Worker processes and a subprocess: 28 of the suite's 39 s under mutmut, and every surviving
    # mutant of config, fit or sweep code would wait for them. The same code paths run in-process
    # (jobs=1, a thread pool, a reversed-completion executor, the CLI's main() called directly).
    "mg-train": (
        "tests/test_train_sweep_cli.py::test_a_sigkilled_sweep_resumes_to_the_unbroken_sweep_json",
        "tests/test_train_sweep_cli.py::test_an_out_of_another_config_or_a_file_is_refused",
        "tests/test_train_sweep_cli.py::test_sweep_writes_the_four_artifacts",
        "tests/test_train_sweep.py::test_any_executor_gives_the_same_sweep_bit_for_bit"
        "[jobs=2 (process pool)]",
    ),
}
# Environment for the mutation run: the fuzz test's own knob, 50 random graphs instead of 500.
ENV: dict[str, dict[str, str]] = {"mg-autograd": {"MG_FUZZ_EXAMPLES": "50"}}

# Runs inside a package's work directory, with mutmut's cwd-relative configuration in effect.
_COLLECT = """
import json, sys
from mutmut.mutation.data import SourceFileMutationData
from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.stats import status_by_exit_code
from mutmut.utils.file_utils import walk_mutatable_files

rows = []
for path in walk_mutatable_files():
    data = SourceFileMutationData(path=path)
    data.load()
    for name, code in sorted(data.exit_code_by_key.items()):
        status = status_by_exit_code[code]
        diff = "" if status == "killed" else get_diff_for_mutant(name, path=path)
        rows.append({"name": name, "file": str(path), "status": status, "diff": diff})
json.dump(rows, sys.stdout)
"""


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str
    status: str
    diff: str

    @property
    def function(self) -> str:
        return self.name.partition("__mutmut_")[0]

    @property
    def number(self) -> int:
        return int(self.name.rpartition("__mutmut_")[2])

    def changed(self, sign: str) -> list[str]:
        """The diff's removed (``-``) or added (``+``) lines, without the sign."""
        return [
            line[1:]
            for line in self.diff.splitlines()
            if line.startswith(sign) and not line.startswith(sign * 3)
        ]


@dataclass(frozen=True)
class Equivalent:
    mutant: str
    before: str
    after: str
    reason: str

    @property
    def function(self) -> str:
        return self.mutant.partition("__mutmut_")[0]

    def matches(self, mutant: Mutant) -> bool:
        """Same function, a removed line containing ``before`` and an added line containing
        ``after``; ``after = ""`` also matches a mutant that only deletes a line."""
        added = mutant.changed("+")
        return (
            mutant.function == self.function
            and any(self.before in line for line in mutant.changed("-"))
            and (any(self.after in line for line in added) or (not added and not self.after))
        )


def load_equivalents(path: Path = EQUIVALENTS_FILE) -> dict[str, list[Equivalent]]:
    """``{distribution: [Equivalent, ...]}`` from the committed TOML file."""
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    result: dict[str, list[Equivalent]] = {}
    for dist, entries in data.items():
        if not isinstance(entries, list):
            raise ValueError(f"{path}: [{dist}] must be an array of tables ([[{dist}]])")
        parsed: list[Equivalent] = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise ValueError(f"{path}: {dist}[{i}] must be a table, got {entry!r}")
            fields = {key: entry.get(key) for key in ("mutant", "before", "after", "reason")}
            missing = [key for key, value in fields.items() if not isinstance(value, str)]
            if missing or set(entry) - set(fields):
                raise ValueError(
                    f"{path}: {dist}[{i}] needs exactly the string keys mutant, before, after, "
                    f"reason; got {sorted(entry)}"
                )
            parsed.append(
                Equivalent(
                    mutant=str(fields["mutant"]),
                    before=str(fields["before"]),
                    after=str(fields["after"]),
                    reason=str(fields["reason"]),
                )
            )
        result[dist] = parsed
    return result


def match_equivalents(
    unnoticed: list[Mutant], entries: list[Equivalent]
) -> tuple[dict[str, Equivalent], list[Equivalent]]:
    """Pair each entry with one unnoticed mutant: ``({mutant name: entry}, stale entries)``.

    An entry prefers the mutant it names; otherwise the matching mutant of the same function
    with the nearest number, so a renumbering after an unrelated edit still finds it.
    """
    taken: dict[str, Equivalent] = {}
    stale: list[Equivalent] = []
    for entry in entries:
        candidates = [m for m in unnoticed if m.name not in taken and entry.matches(m)]
        if not candidates:
            stale.append(entry)
            continue
        hint = int(entry.mutant.rpartition("__mutmut_")[2] or 0)
        best = min(candidates, key=lambda m: (m.name != entry.mutant, abs(m.number - hint)))
        taken[best.name] = entry
    return taken, stale


def _pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--quiet", *args], check=True)


def prepare_interpreter(dist: str) -> None:
    """Install the chain below ``dist`` as wheels; remove ``dist`` and everything above it."""
    names = [name for name, _, _ in CHAIN]
    below, rest = names[: names.index(dist)], names[names.index(dist) :]
    if below:
        _pip(
            "install",
            "--no-deps",
            "--no-build-isolation",
            "--force-reinstall",
            *(str(PACKAGES_DIR / name) for name in below),
        )
    _pip("uninstall", "--yes", *rest)


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(value) for value in values) + "]"


def write_work_dir(dist: str, work: Path) -> None:
    """A copy of the package with the workspace's pytest settings and mutmut's configuration."""
    package = PACKAGES_DIR / dist
    work.mkdir(parents=True, exist_ok=True)
    for name in ("src", "tests"):
        shutil.rmtree(work / name, ignore_errors=True)
        shutil.copytree(package / name, work / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(package / "README.md", work / "README.md")
    deselect = [arg for test in DESELECT.get(dist, ()) for arg in ("--deselect", test)]
    root = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pytest_options = root["tool"]["pytest"]["ini_options"]
    addopts = [str(option) for option in pytest_options["addopts"]]
    filterwarnings = [str(rule) for rule in pytest_options["filterwarnings"]]
    (work / "pyproject.toml").write_text(
        "# Generated by tests/tools/mutation.py; the workspace's pytest settings, with the\n"
        "# package's own test helpers (tests/kit) as the pythonpath instead of tests/tools.\n"
        "[tool.mutmut]\n"
        'source_paths = ["src/"]\n'
        'pytest_add_cli_args_test_selection = ["tests/"]\n'
        'also_copy = ["README.md"]\n'
        f"pytest_add_cli_args = {_toml_list(deselect)}\n"
        "use_git_change_detection = false\n"
        # mutmut stops a mutant's tests after (estimate + timeout_constant) x 15 wall seconds,
        # and the estimate (the covering tests' own time) can be 0.02 s: the default constant
        # of 1 leaves 15 s for tests that need 2-3 s alone on an idle machine, 5 gives 75 s.
        "timeout_constant = 5.0\n"
        # mutmut's default ("fork") forks each mutant's worker from its main process, which has
        # run the whole suite for the stats (threads and tqdm's locks included). There, the
        # workers of every mutant in code that draws a tqdm bar blocked at once (0 CPU, in a
        # futex) and were reported as timeouts - counted as killed - although run by hand the
        # same tests finished in 3 s and some passed. A fork server that has only collected the
        # tests is clean.
        'process_isolation = "forkserver"\n'
        "\n"
        "[tool.pytest.ini_options]\n"
        f"addopts = {_toml_list(addopts)}\n"
        f"xfail_strict = {'true' if pytest_options.get('xfail_strict') else 'false'}\n"
        f"pythonpath = {_toml_list(['tests/kit'] if (work / 'tests' / 'kit').is_dir() else [])}\n"
        f"filterwarnings = {_toml_list(filterwarnings)}\n",
        encoding="utf-8",
    )


def run_mutmut(
    work: Path,
    max_children: int,
    env_extra: dict[str, str],
    *,
    reuse: bool,
    names: tuple[str, ...] = (),
) -> float:
    """Run mutmut in ``work`` at the lowest priority (only ``names``, if given, re-run in the
    previous run's results); the wall-clock seconds it took."""
    if not reuse:
        shutil.rmtree(work / "mutants", ignore_errors=True)
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    command = ["nice", "-n", "19", mutmut, "run", "--max-children", str(max_children), *names]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", **env_extra)
    env.pop("PYTHONPATH", None)
    start = time.monotonic()
    with (work / "mutmut-run.log").open("w", encoding="utf-8") as log:
        done = subprocess.run(command, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    elapsed = time.monotonic() - start
    if done.returncode != 0:
        tail = (work / "mutmut-run.log").read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"mutmut run failed in {work} (exit {done.returncode}):\n{tail}")
    return elapsed


def collect(work: Path) -> list[Mutant]:
    done = subprocess.run(
        [sys.executable, "-c", _COLLECT], cwd=work, check=True, capture_output=True, text=True
    )
    rows = json.loads(done.stdout)
    return [
        Mutant(name=row["name"], file=row["file"], status=row["status"], diff=row["diff"])
        for row in rows
    ]


def carry_over(mutants: list[Mutant], previous: dict[str, str]) -> list[Mutant]:
    """After ``--recheck``: a mutant mutmut did not re-run keeps its previous status.

    mutmut forgets the results of every function a new test reaches; a mutant the unchanged
    old tests killed is still killed, so only the re-run survivors can have changed.
    """
    return [
        Mutant(m.name, m.file, previous[m.name], m.diff)
        if m.status == "not checked" and previous.get(m.name, "not checked") != "not checked"
        else m
        for m in mutants
    ]


@dataclass
class Report:
    dist: str
    seconds: Optional[float]
    mutants: list[Mutant]
    equivalent: dict[str, Equivalent]
    stale: list[Equivalent]
    carried_over: int = 0

    def count(self, status: str) -> int:
        return sum(1 for m in self.mutants if m.status == status)

    @property
    def unexplained(self) -> list[Mutant]:
        return [m for m in self.mutants if m.status in UNNOTICED and m.name not in self.equivalent]

    @property
    def equivalent_limit(self) -> int:
        return int(len(self.mutants) * MAX_EQUIVALENT_SHARE)

    def problems(self) -> list[str]:
        found = []
        if not self.mutants:
            found.append("mutmut produced no mutants")
        elif self.count("killed") == 0:
            found.append("no mutant was killed: the tests did not import the mutated source")
        if self.unexplained:
            found.append(f"{len(self.unexplained)} survivor(s) neither killed nor listed")
        if len(self.equivalent) > self.equivalent_limit:
            found.append(
                f"{len(self.equivalent)} listed equivalents, over 5% of {len(self.mutants)} "
                f"mutants ({self.equivalent_limit})"
            )
        found.extend(
            f"stale equivalent {e.mutant} ({e.before!r} -> {e.after!r}): no surviving mutant "
            "of that function matches"
            for e in self.stale
        )
        return found

    def summary(self) -> dict[str, object]:
        total = len(self.mutants)
        killed = self.count("killed") + self.count("timeout")
        return {
            "package": self.dist,
            "mutants": total,
            "killed": self.count("killed"),
            "survived": self.count("survived"),
            "no_tests": self.count("no tests"),
            "timeout": self.count("timeout"),
            "other": total
            - sum(self.count(s) for s in ("killed", "survived", "no tests", "timeout")),
            "kill_rate": round(killed / total, 4) if total else 0.0,
            "equivalent": len(self.equivalent),
            "unexplained": len(self.unexplained),
            "seconds": None if self.seconds is None else round(self.seconds, 1),
            "carried_over": self.carried_over,
            "mutmut": _mutmut_version(),
        }

    def to_json(self) -> str:
        doc = {
            "summary": self.summary(),
            "problems": self.problems(),
            "survivors": [
                {
                    "name": m.name,
                    "status": m.status,
                    "file": m.file,
                    "equivalent": self.equivalent[m.name].reason
                    if m.name in self.equivalent
                    else None,
                    "diff": m.diff,
                }
                for m in self.mutants
                if m.status != "killed"
            ],
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    def to_markdown(self) -> str:
        s = self.summary()
        lines = [
            f"# Mutation report: {self.dist}",
            "",
            "| mutants | killed | survived | no tests | timeout | kill rate | equivalent "
            "| unexplained | seconds |",
            "|---|---|---|---|---|---|---|---|---|",
            f"| {s['mutants']} | {s['killed']} | {s['survived']} | {s['no_tests']} | "
            f"{s['timeout']} | {s['kill_rate']:.2%} | {s['equivalent']} | {s['unexplained']} "
            f"| {s['seconds']} |",
            "",
            "Kill rate = (killed + timeout) / mutants.",
            "",
        ]
        if self.carried_over:
            lines += [
                f"{self.carried_over} statuses were carried over from the previous run "
                "(`--recheck` re-ran only its survivors).",
                "",
            ]
        for problem in self.problems():
            lines.append(f"- PROBLEM: {problem}")
        for m in self.mutants:
            if m.status == "killed":
                continue
            label = m.status
            if m.name in self.equivalent:
                label += f", equivalent: {self.equivalent[m.name].reason}"
            lines += ["", f"## `{m.name}` ({label})", "", "```diff", m.diff.strip(), "```"]
        return "\n".join(lines) + "\n"


def _mutmut_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mutmut")
    except PackageNotFoundError:
        return "not installed"


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def main(argv: Optional[list[str]] = None) -> int:
    names = [name for name, _, _ in CHAIN]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--package", action="append", choices=names, help="default: all, bottom first"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "mutation")
    parser.add_argument("--work", type=Path, default=ROOT / ".tox" / "mutation-work")
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="continue mutmut's previous run")
    parser.add_argument(
        "--report-only", action="store_true", help="re-read the last run, do not run mutmut"
    )
    parser.add_argument(
        "--recheck",
        action="store_true",
        help="re-run only the last run's survivors and no-test mutants (after adding tests)",
    )
    args = parser.parse_args(argv)
    chosen = [name for name in names if name in (args.package or names)]
    equivalents = load_equivalents()
    unknown = sorted(set(equivalents) - set(names))
    if unknown:
        print(f"{EQUIVALENTS_FILE}: unknown package section(s) {unknown}", file=sys.stderr)
        return 2
    reports: list[Report] = []
    for dist in chosen:
        work = args.work / dist
        seconds: Optional[float] = None
        previous: dict[str, str] = {}
        if not args.report_only:
            prepare_interpreter(dist)
            write_work_dir(dist, work)
            print(f"{dist}: mutmut run in {work} ...", flush=True)
            env_extra = ENV.get(dist, {})
            if args.recheck:
                previous = {m.name: m.status for m in collect(work)}
                # timeouts too: a mutant whose tests hung for a reason of the machine's
                # (see timeout_constant and process_isolation above) gets another chance
                rerun = tuple(
                    name for name, status in previous.items() if status in (*UNNOTICED, "timeout")
                )
                if rerun:
                    seconds = run_mutmut(
                        work, args.max_children, env_extra, reuse=True, names=rerun
                    )
            else:
                seconds = run_mutmut(work, args.max_children, env_extra, reuse=args.reuse)
        mutants = collect(work)
        carried = 0
        if previous:
            carried = sum(
                1
                for m in mutants
                if m.status == "not checked"
                and previous.get(m.name, "not checked") != "not checked"
            )
            mutants = carry_over(mutants, previous)
        unnoticed = [m for m in mutants if m.status in UNNOTICED]
        taken, stale = match_equivalents(unnoticed, equivalents.get(dist, []))
        report = Report(dist, seconds, mutants, taken, stale, carried)
        _atomic_write(args.out / f"{dist}.json", report.to_json())
        _atomic_write(args.out / f"{dist}.md", report.to_markdown())
        reports.append(report)
        s = report.summary()
        print(
            f"{dist}: {s['mutants']} mutants, {s['killed']} killed, {s['survived']} survived, "
            f"{s['no_tests']} no tests, {s['timeout']} timeout; {s['equivalent']} listed "
            f"equivalent, {s['unexplained']} unexplained; {s['seconds']} s",
            flush=True,
        )
    table = [
        "| package | mutants | killed | survived | no tests | timeout | kill rate | equivalent "
        "| unexplained | seconds |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    # Every package reported in ``out`` so far, not only this run's: one run per package is
    # the usual way to use the CPU this takes.
    for dist in names:
        path = args.out / f"{dist}.json"
        if not path.exists():
            continue
        s = json.loads(path.read_text(encoding="utf-8"))["summary"]
        table.append(
            f"| {s['package']} | {s['mutants']} | {s['killed']} | {s['survived']} | "
            f"{s['no_tests']} | {s['timeout']} | {s['kill_rate']:.2%} | {s['equivalent']} | "
            f"{s['unexplained']} | {s['seconds']} |"
        )
    _atomic_write(args.out / "summary.md", "\n".join(table) + "\n")
    print("\n".join(table))
    failed = False
    for report in reports:
        for problem in report.problems():
            print(f"{report.dist}: {problem}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
