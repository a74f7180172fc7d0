"""Nothing executes data: no pickle-family loaders, no eval/exec, strict parsers, contained output.

* The source of every package and of the benchmarks neither imports ``pickle``, ``marshal`` or
  ``shelve`` (which run code while loading) nor calls ``eval``/``exec`` - checked on the syntax
  tree, so a mention in a docstring does not count and an aliased import does.
* Configs and checkpoints are parsed as JSON data, and a key the format does not define is an
  error rather than something silently ignored (or worse, interpreted).
* ``mg-train compare`` writes exactly the files it names, inside ``--out``, and nothing else -
  not in the working directory, not next to the config.
"""

from __future__ import annotations

import ast
import importlib.util
import io
import json
import random
from pathlib import Path

import pytest
from _workspace import CHAIN, PACKAGES_DIR, ROOT
from mg_nn import MLP
from mg_optim import SGD
from mg_train import CheckpointError, ConfigError, History, load_checkpoint, load_config
from mg_train import save_checkpoint as write_checkpoint
from mg_train.cli import main as cli_main

FORBIDDEN_MODULES = frozenset({"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill"})
FORBIDDEN_CALLS = frozenset({"eval", "exec"})


def _violations(source: str, filename: str) -> list[str]:
    """Each forbidden import or call in ``source``, as ``file:line: what``."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                modules = [node.module] if node.module is not None and node.level == 0 else []
            for module in modules:
                if module.split(".")[0] in FORBIDDEN_MODULES:
                    found.append(f"{filename}:{node.lineno}: imports {module}")
        if isinstance(node, ast.Call):
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            if name in FORBIDDEN_CALLS or name == "__import__":
                found.append(f"{filename}:{node.lineno}: calls {name}")
    return found


def _scanned_files() -> list[Path]:
    roots = [PACKAGES_DIR / dist / "src" for dist, _, _ in CHAIN] + [ROOT / "benchmarks"]
    return sorted(path for root in roots for path in root.rglob("*.py"))


def test_scanner_catches_every_form() -> None:
    """The scan below can fail: each way of reaching a forbidden loader is reported."""
    snippet = "\n".join(
        [
            "import pickle",
            "import marshal as m",
            "from shelve import open",
            "from pickle import loads",
            "eval('1')",
            "builtins.exec('x = 1')",
            "__import__('pickle')",
            "'''pickle, eval and exec in a string are fine'''",
        ]
    )
    assert len(_violations(snippet, "snippet.py")) == 7


def test_no_pickle_marshal_shelve_eval_or_exec_in_the_source() -> None:
    files = _scanned_files()
    for dist, module, _ in CHAIN:
        assert PACKAGES_DIR / dist / "src" / module / "__init__.py" in files
    assert any(path.is_relative_to(ROOT / "benchmarks") for path in files)
    found = [
        problem
        for path in files
        for problem in _violations(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert found == []


# ---- parsed as data, unknown keys rejected -----------------------------------------------------


def test_config_is_data_and_unknown_keys_are_rejected(tmp_path: Path) -> None:
    config = {
        "lr": 0.01,
        "epochs": 1,
        "batch_size": 4,
        "optimizers": [{"type": "sgd", "__class__": "os.system", "hook": "import os"}],
    }
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"'optimizers\[0\].__class__': unknown key"):
        load_config(path)
    code = "__import__('os').system('touch pwned')"
    path.write_text(json.dumps({**config, "optimizers": [{"type": code}]}), encoding="utf-8")
    with pytest.raises(ConfigError, match="must be one of sgd, momentum, adam, adamw"):
        load_config(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.json"]


def test_checkpoint_is_data_and_unknown_keys_are_rejected(tmp_path: Path) -> None:
    model = MLP(2, [2, 1], rng=0)
    optimizer = SGD(model.parameters(), 0.1)
    path = tmp_path / "run.json"
    history = History()
    history.append(1.0, None, 0.1, 0.01)
    write_checkpoint(
        path,
        model=model,
        optimizer=optimizer,
        scheduler=None,
        rng=random.Random(0),
        epoch=1,
        history=history,
    )
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "mg-train-checkpoint"
    for where in ("top", "history"):
        changed = json.loads(json.dumps(data))
        target = changed if where == "top" else changed["history"]
        target["__reduce__"] = ["os.system", ["touch pwned"]]
        path.write_text(json.dumps(changed), encoding="utf-8")
        with pytest.raises(CheckpointError, match=r"unexpected key.*__reduce__"):
            load_checkpoint(
                path, model=model, optimizer=optimizer, scheduler=None, rng=random.Random(0)
            )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.json"]


# ---- the CLI writes only what it names, only inside --out --------------------------------------

_TINY_CONFIG = {
    "dataset": {"name": "sine_regression", "n_samples": 16, "noise": 0.05, "seed": 0},
    "model": {"hidden": [3]},
    "lr": 0.05,
    "epochs": 2,
    "batch_size": 4,
    "optimizers": [{"type": "sgd"}, {"type": "adam"}],
}


def _files_under(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*")}


@pytest.mark.parametrize("plot", [False, True], ids=["no-plot", "plot-if-matplotlib"])
def test_compare_writes_exactly_its_artifacts_inside_out(
    plot: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps(_TINY_CONFIG), encoding="utf-8")
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    out = tmp_path / "out"
    argv = ["compare", "--config", str(config), "--out", str(out), "--quiet"]
    stdout, stderr = io.StringIO(), io.StringIO()
    code = cli_main(argv if plot else [*argv, "--no-plot"], stdout=stdout, stderr=stderr)
    assert code == 0, stderr.getvalue()
    artifacts = {"out/results.json", "out/table.md", "out/history.csv"}
    if plot and importlib.util.find_spec("matplotlib") is not None:
        artifacts.add("out/loss_curves.png")
    assert _files_under(tmp_path) == {"config.json", "cwd", "out", *artifacts}
    assert stdout.getvalue() == ""


def test_a_rejected_config_creates_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({**_TINY_CONFIG, "lr": -1.0}), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    stderr = io.StringIO()
    code = cli_main(
        ["compare", "--config", str(config), "--out", "out"], stdout=io.StringIO(), stderr=stderr
    )
    assert code == 2
    assert "'lr'" in stderr.getvalue()
    assert _files_under(tmp_path) == {"config.json"}
