"""export_safetensors and ``mg-train compare --export-safetensors``: final models for PyTorch."""

from __future__ import annotations

import io
import json
import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from mg_autograd import Value
from mg_nn import MLP, Parameter, load_safetensors
from mg_train import (
    Comparison,
    History,
    Run,
    export_safetensors,
    parse_config,
    run_experiment,
    safetensors_file_names,
)
from mg_train.cli import main


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _write(tmp_path: Path, config: dict[str, object]) -> Path:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def _bits(state: dict[str, float]) -> dict[str, bytes]:
    return {name: struct.pack("<d", value) for name, value in state.items()}


def _header(path: Path) -> dict[str, object]:
    raw = path.read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + length])
    assert isinstance(header, dict)
    return header


def test_file_names_follow_the_checkpoint_rule_and_refuse_collisions() -> None:
    assert safetensors_file_names(["SGD", "Adam (lr=0.1)"]) == {
        "SGD": "SGD.safetensors",
        "Adam (lr=0.1)": "Adam__lr_0_1_.safetensors",
    }
    with pytest.raises(ValueError, match=r"'a b' and 'a_b' would share"):
        safetensors_file_names(["a b", "a_b"])


def test_export_writes_every_final_model_bit_for_bit_with_its_metadata(
    tmp_path: Path, config_factory: Callable[[], dict[str, object]]
) -> None:
    config = parse_config(config_factory())
    result = run_experiment(config, verbose=False)
    written = export_safetensors(result, config.model_factory(), tmp_path / "models")
    assert [path.name for path in written] == [
        "SGD.safetensors",
        "Momentum.safetensors",
        "Adam.safetensors",
    ]
    for run, path in zip(result.runs, written):
        model = MLP(2, [3, 1], rng=123)
        metadata = load_safetensors(model, path)
        assert _bits(model.state_dict()) == _bits(run.final_state)
        assert metadata["optimizer"] == run.name
        assert metadata["written_by"].startswith("mg-train ")
        assert metadata["torch_equivalent"] == "Sequential(Linear(2, 3), ReLU(), Linear(3, 1))"
        assert list(_header(path))[1:] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert len({path.read_bytes() for path in written}) == 3


def test_torch_equivalent_names_identity_and_the_output_activation(tmp_path: Path) -> None:
    model = MLP(2, [4, 4, 2], activation="linear", output_activation="sigmoid", rng=0)
    state = model.state_dict()
    result = Comparison(runs=(), initial_state=state)
    assert export_safetensors(result, lambda: model, tmp_path) == ()
    run = Run("x", History(train_loss=[1.0], val_loss=[None]), 0.0, state)
    (path,) = export_safetensors(Comparison((run,), state), lambda: model, tmp_path)
    expected = (
        "Sequential(Linear(2, 4), Identity(), Linear(4, 4), Identity(), Linear(4, 2), Sigmoid())"
    )
    assert load_safetensors(model, path)["torch_equivalent"] == expected


class NotAModule:
    def __call__(self, inputs: object, /) -> list[Value]:
        return []

    def parameters(self) -> list[Parameter]:
        return []

    def state_dict(self) -> dict[str, float]:
        return {}

    def load_state_dict(self, state: object, strict: bool = True) -> None:
        return None


def test_a_model_that_is_not_an_mg_module_is_a_type_error(tmp_path: Path) -> None:
    run = Run("x", History(train_loss=[1.0], val_loss=[None]), 0.0, {})
    with pytest.raises(TypeError, match=r"needs an mg_nn\.Module, the factory built a NotAModule"):
        export_safetensors(Comparison((run,), {}), NotAModule, tmp_path)


def test_cli_export_leaves_results_unchanged_and_writes_loadable_files(
    tmp_path: Path, config_factory: Callable[[], dict[str, object]]
) -> None:
    config = _write(tmp_path, config_factory())
    plain = ["compare", "--config", str(config), "--no-plot", "--quiet"]
    assert _run([*plain, "--out", str(tmp_path / "plain")]) == (0, "", "")
    exdir = tmp_path / "models"
    with_export = ["compare", "--config", str(config), "--no-plot", "--out", str(tmp_path / "with")]
    code, out, _ = _run([*with_export, "--export-safetensors", str(exdir)])
    assert code == 0
    names = ["SGD.safetensors", "Momentum.safetensors", "Adam.safetensors"]
    assert sorted(p.name for p in exdir.iterdir()) == sorted(names)
    assert all(f"wrote {exdir / name}" in out for name in names)
    check = ["check", str(tmp_path / "with" / "results.json")]
    assert _run([*check, "--reference", str(tmp_path / "plain" / "results.json")])[0] == 0
    assert sorted(p.name for p in (tmp_path / "with").iterdir()) == [
        "history.csv",
        "results.json",
        "table.md",
    ]
    expected = run_experiment(parse_config(config_factory()), verbose=False)
    for run, name in zip(expected.runs, names):
        model = MLP(2, [3, 1], rng=5)
        load_safetensors(model, exdir / name)
        assert _bits(model.state_dict()) == _bits(run.final_state)


def test_cli_export_into_the_out_directory_adds_the_model_files(
    tmp_path: Path, config_factory: Callable[[], dict[str, object]]
) -> None:
    config = _write(tmp_path, config_factory())
    out = tmp_path / "out"
    argv = ["compare", "--config", str(config), "--no-plot", "--quiet", "--out", str(out)]
    assert _run([*argv, "--export-safetensors", str(out)]) == (0, "", "")
    assert sorted(p.name for p in out.iterdir()) == [
        "Adam.safetensors",
        "Momentum.safetensors",
        "SGD.safetensors",
        "history.csv",
        "results.json",
        "table.md",
    ]


def test_cli_unusable_export_dir_is_exit_2_before_training(
    tmp_path: Path, config_factory: Callable[[], dict[str, object]]
) -> None:
    config = _write(tmp_path, config_factory())
    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    out = tmp_path / "out"
    base = ["compare", "--config", str(config), "--no-plot", "--out", str(out)]
    code, stdout, err = _run([*base, "--export-safetensors", str(blocker)])
    assert (code, stdout) == (2, "")
    assert err == f"mg-train: error: --export-safetensors {blocker} exists and is not a directory\n"
    assert not out.exists()

    clashing = config_factory()
    clashing["optimizers"] = [{"type": "sgd", "name": "a b"}, {"type": "adam", "name": "a_b"}]
    config = _write(tmp_path, clashing)
    code, _, err = _run([*base, "--export-safetensors", str(tmp_path / "models")])
    assert code == 2
    assert "--export-safetensors: optimizer names 'a b' and 'a_b' would share" in err
    assert not out.exists()
    assert not (tmp_path / "models").exists()


def test_help_mentions_the_export_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    assert "--export-safetensors" in capsys.readouterr().out
