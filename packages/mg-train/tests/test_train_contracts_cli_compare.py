"""Contracts of `mg_train.compare`'s checkpoint directory: what the manifest holds (the fingerprint
the module docstring lists, with SHA-256 digests of the canonical JSON), and the exact message of
every refusal."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import mg_optim
import pytest
from mg_nn import MLP
from mg_train import (
    CheckpointError,
    Dataset,
    History,
    Run,
    compare_optimizers,
    make_sine_regression,
)
from mg_train.compare import MANIFEST_NAME, _first_difference, _show, _without_positions


def model() -> MLP:
    return MLP(2, [2, 1], rng=3)


def data() -> tuple[Dataset, Dataset]:
    whole = make_sine_regression(8, noise=0.0, seed=1)
    return Dataset(whole.inputs[:6], whole.targets[:6]), Dataset(
        whole.inputs[6:], whole.targets[6:]
    )


def run(directory: Path, *, scheduler: bool = True, config: object = None, **extra: object) -> None:
    train, val = data()
    compare_optimizers(
        model,
        {"plain sgd": lambda ps: mg_optim.SGD(ps, 0.1), "Adam": lambda ps: mg_optim.Adam(ps, 0.1)},
        "mse",
        train,
        val,
        epochs=1,
        batch_size=3,
        seed=4,
        scheduler_factory=(lambda opt: mg_optim.StepLR(opt, 2, gamma=0.5)) if scheduler else None,
        config=config,  # type: ignore[arg-type]
        checkpoint_dir=directory,
        verbose=False,
        **extra,  # type: ignore[arg-type]
    )


def canonical_sha256(value: object) -> str:
    """The digest rule of the module docstring: SHA-256 of compact, key-sorted JSON."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_the_manifest_is_the_documented_fingerprint(tmp_path: Path) -> None:
    directory = tmp_path / "a" / "b" / "ck"  # parents are created too
    run(directory)
    text = (directory / MANIFEST_NAME).read_text(encoding="utf-8")
    # indented by two spaces, one key per line, ending in a newline; the fingerprint is stored in
    # its canonical form, keys sorted
    assert text.startswith(
        '{\n  "format": "mg-train-comparison-checkpoints",\n  "format_version": 1,\n'
        '  "fingerprint": {\n    "batch_size": 3,\n    "clip_grad_norm": null,\n'
    )
    assert text.endswith("\n  }\n}\n")
    manifest = json.loads(text)
    train, val = data()
    built = []
    for make in (lambda ps: mg_optim.SGD(ps, 0.1), lambda ps: mg_optim.Adam(ps, 0.1)):
        optimizer = make(model().parameters())
        scheduler = mg_optim.StepLR(optimizer, 2, gamma=0.5)  # adds initial_lr to the groups
        state = optimizer.state_dict()
        groups = state["param_groups"]
        assert isinstance(groups, list)
        assert isinstance(groups[0], dict)
        built.append(
            (
                state["optimizer"],
                [{k: v for k, v in groups[0].items() if k != "params"}],
                json.loads(json.dumps(scheduler.state_dict())),
            )
        )
    assert manifest["fingerprint"] == {
        "config": {
            "epochs": 1,
            "batch_size": 3,
            "seed": 4,
            "optimizers": ["plain sgd", "Adam"],
            "n_train": 6,
            "n_val": 2,
        },
        "epochs": 1,
        "batch_size": 3,
        "seed": 4,
        "clip_grad_norm": None,
        "loss": "mse",
        "optimizers": [
            {
                "name": "plain sgd",
                "file": "plain_sgd.json",
                "optimizer": "SGD",
                "param_groups": built[0][1],
                "scheduler": built[0][2],
            },
            {
                "name": "Adam",
                "file": "Adam.json",
                "optimizer": "Adam",
                "param_groups": built[1][1],
                "scheduler": built[1][2],
            },
        ],
        "initial_state_sha256": canonical_sha256(model().state_dict()),
        "data_sha256": canonical_sha256(
            {"train": [train.inputs, train.targets], "val": [val.inputs, val.targets]}
        ),
    }
    assert [b[0] for b in built] == ["SGD", "Adam"]
    assert built[0][1] == [{"lr": 0.1, "weight_decay": 0.0, "initial_lr": 0.1}]


def test_without_a_scheduler_the_fingerprint_says_none(tmp_path: Path) -> None:
    run(tmp_path, scheduler=False)
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert [o["scheduler"] for o in manifest["fingerprint"]["optimizers"]] == [None, None]


def test_a_config_that_is_not_json_safe_cannot_be_checkpointed(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not JSON compliant") as json_says:
        json.dumps(float("nan"), allow_nan=False)
    with pytest.raises(ValueError, match=r"^cannot checkpoint") as info:
        run(tmp_path / "ck", config={"lr": float("nan")})
    assert str(info.value) == (
        "cannot checkpoint this comparison: its config or optimizer state is not JSON-safe "
        f"({json_says.value})"
    )
    assert not (tmp_path / "ck").exists()


def test_a_file_as_checkpoint_dir_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(ValueError, match=r"is not a directory$") as info:
        run(path)
    assert str(info.value) == f"checkpoint_dir {path} exists and is not a directory"


def test_another_comparison_is_refused_with_the_first_difference(tmp_path: Path) -> None:
    run(tmp_path, config={"lr": 0.1})
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(CheckpointError) as info:
        run(tmp_path, config={"lr": 0.2})
    assert str(info.value) == (
        f"checkpoint directory {tmp_path} belongs to a different comparison: "
        "fingerprint.config.lr is 0.1 in the checkpoints but 0.2 here; resuming would mix two "
        "experiments (delete the directory or choose another one to start afresh)"
    )
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_run_files_without_a_manifest_are_listed(tmp_path: Path) -> None:
    run(tmp_path)
    (tmp_path / MANIFEST_NAME).unlink()
    with pytest.raises(CheckpointError) as info:
        run(tmp_path)
    assert str(info.value) == (
        f"checkpoint directory {tmp_path} holds plain_sgd.json, Adam.json but no "
        f"{MANIFEST_NAME}, so nothing says which comparison wrote them; delete them or choose "
        "another directory"
    )


@pytest.mark.parametrize(
    "document",
    [
        {"format": "mg-train-comparison-checkpoints", "format_version": 1},
        {
            "format": "mg-train-comparison-checkpoints",
            "format_version": 1,
            "fingerprint": {},
            "note": "",
        },
    ],
    ids=["missing-key", "extra-key"],
)
def test_a_manifest_without_exactly_its_three_keys_is_refused(
    document: dict[str, object], tmp_path: Path
) -> None:
    manifest = tmp_path / MANIFEST_NAME
    manifest.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CheckpointError) as info:
        run(tmp_path)
    assert str(info.value) == (
        f"{manifest} is not a comparison manifest (expected an object with the keys format, "
        "format_version and fingerprint)"
    )


def test_a_manifest_version_of_another_type_is_refused(tmp_path: Path) -> None:
    manifest = tmp_path / MANIFEST_NAME
    document = {
        "format": "mg-train-comparison-checkpoints",
        "format_version": 1.0,
        "fingerprint": {},
    }
    manifest.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CheckpointError) as info:
        run(tmp_path)
    assert str(info.value) == (
        f"comparison manifest {manifest} has format_version 1.0; this mg-train reads 1"
    )


def test_manifest_read_errors_name_the_file(tmp_path: Path) -> None:
    manifest = tmp_path / MANIFEST_NAME
    manifest.write_bytes(b"\xff{}")
    with pytest.raises(UnicodeDecodeError) as decoding:
        b"\xff{}".decode("utf-8")
    with pytest.raises(CheckpointError) as info:
        run(tmp_path)
    assert str(info.value) == f"cannot read the comparison manifest {manifest}: {decoding.value}"
    manifest.write_text('{"format": Infinity}', encoding="utf-8")
    with pytest.raises(CheckpointError) as info:
        run(tmp_path)
    assert str(info.value) == (
        f"cannot read the comparison manifest {manifest}: non-finite number Infinity"
    )


# ---------------------------------------------------------------- the difference finder


def test_first_difference_names_the_place_and_the_side() -> None:
    assert _first_difference({"a": 1}, {"a": 1}, "f") is None
    assert _first_difference({"a": 1, "b": 2}, {"a": 1}, "f") == "f.b is only in the checkpoints"
    assert _first_difference({"a": 1}, {"a": 1, "c": 3}, "f") == "f.c is only in this comparison"
    assert _first_difference({"a": [1, 2]}, {"a": [1]}, "f") == (
        "f.a has 2 entries in the checkpoints but 1 here"
    )
    assert _first_difference([{"x": 1}], [{"x": 1.0}], "f") == (
        "f[0].x is 1 in the checkpoints but 1.0 here"
    )
    assert _first_difference([1, [2, 3]], [1, [2, 4]], "f") == (
        "f[1][1] is 3 in the checkpoints but 4 here"
    )
    assert _first_difference("a", "b", "f") == 'f is "a" in the checkpoints but "b" here'
    assert _first_difference(None, None, "f") is None


def test_show_keeps_80_characters_and_cuts_longer_values_to_77_and_dots() -> None:
    eighty = "x" * 78  # json.dumps adds the two quotes: 80 characters
    assert _show(eighty) == json.dumps(eighty)
    eighty_one = "x" * 79
    assert _show(eighty_one) == '"' + "x" * 76 + "..."
    assert len(_show(eighty_one)) == 80
    assert (
        _first_difference("x" * 79, 1, "f") == f'f is "{"x" * 76}... in the checkpoints but 1 here'
    )


def test_without_positions_drops_only_the_params_lists() -> None:
    groups = [{"params": [0, 1], "lr": 0.1}, "kept as it is", {"lr": 0.2}]
    assert _without_positions(groups) == [{"lr": 0.1}, "kept as it is", {"lr": 0.2}]
    assert _without_positions({"params": [0]}) == {"params": [0]}
    assert _without_positions(None) is None


def test_a_runs_table_row_carries_its_own_wall_time_not_the_epochs_sum() -> None:
    history = History()
    history.append(0.5, 0.25, 0.1, 1.0)
    history.append(0.4, 0.3, 0.1, 2.0)
    row = Run("SGD", history, 12.5, {}).row()
    assert (row.optimizer, row.wall_time, row.final_train_loss) == ("SGD", 12.5, 0.4)
    assert (row.best_val_loss, row.best_epoch) == (0.25, 1)
