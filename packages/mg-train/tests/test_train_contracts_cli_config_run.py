"""Contracts of what a parsed config builds and runs: `load_config`'s messages, the target and
optimizer checks of `parse_config`, the factories of `ExperimentConfig` / `OptimizerConfig`
(mg_train._config_model) and `run_experiment`."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import mg_optim
import pytest
from mg_nn import MLP, Parameter
from mg_train import (
    ConfigError,
    ExperimentConfig,
    Verbosity,
    compare_optimizers,
    load_config,
    make_moons,
    make_sine_regression,
    parse_config,
    run_experiment,
)
from mg_train.config import _check_optimizers


def base(**changes: object) -> dict[str, object]:
    config: dict[str, object] = {
        "dataset": {"name": "sine_regression", "n_samples": 24, "noise": 0.05, "seed": 0},
        "model": {"hidden": [3], "seed": 2},
        "lr": 0.05,
        "epochs": 2,
        "batch_size": 8,
        "optimizers": [{"type": "sgd"}],
    }
    config.update(changes)
    return config


def refused(config: object) -> str:
    with pytest.raises(ConfigError) as info:
        parse_config(config)
    return str(info.value)


# ---------------------------------------------------------------- load_config


def test_load_config_messages_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(ConfigError) as info:
        load_config(missing)
    assert str(info.value) == f"cannot read config file {missing}: No such file or directory"
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(info.value) in (
        f"cannot read config file {tmp_path}: Is a directory",  # POSIX
        f"cannot read config file {tmp_path}: Permission denied",  # Windows
    )
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"name": "caf\xe9"}')
    with pytest.raises(ConfigError) as info:
        load_config(latin)
    assert str(info.value) == f"config file {latin} is not UTF-8 text"
    broken = tmp_path / "broken.json"
    broken.write_text('{"lr": 1,}', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(broken)
    # json's own wording (and the column it blames) differs between CPython 3.13, older
    # CPythons and PyPy; mg-train's part is the prefix and passing json's position on
    message = str(info.value)
    assert message.startswith(f"config file {broken} is not valid JSON: "), message
    assert re.search(r": line 1 column \d+ \(char \d+\)$", message), message
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_load_config_refuses_the_non_json_constants(token: str, tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(base())[:-1] + f', "shuffle_seed": {token}}}', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert (
        str(info.value) == f"config file {path} cannot be read as data: non-finite number {token}"
    )


def test_load_config_reads_utf8_and_parses(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    config = base(optimizers=[{"type": "sgd", "name": "Gradient descent \u00e9\u00e8"}])
    path.write_bytes(json.dumps(config, ensure_ascii=False).encode("utf-8"))
    assert load_config(str(path)) == parse_config(config)


# ---------------------------------------------------------------- targets vs loss


def test_a_target_the_loss_is_not_defined_for_is_named_with_its_row() -> None:
    targets = [row[0] for row in make_sine_regression(24, noise=0.05, seed=0).targets]
    first_outside = next(i for i, t in enumerate(targets) if not 0.0 <= t <= 1.0)
    first_not_class = next(i for i, t in enumerate(targets) if t < 0.0 or t != int(t))
    cases = [
        ("hinge", "targets of -1 or +1", 0),
        ("bce_with_logits", "targets in [0, 1]", first_outside),
        ("cross_entropy", "class indices 0, 1, 2, ...", first_not_class),
    ]
    for loss, needs, row in cases:
        assert refused(base(loss=loss)) == (
            f"config key 'loss': {loss!r} needs {needs}, but dataset 'sine_regression' has "
            f"target {targets[row]!r} (row {row}); choose a loss that fits the dataset"
        )


def test_moons_fit_every_classification_loss_and_hinge_sees_signed_labels() -> None:
    labels = [row[0] for row in make_moons(12, noise=0.1, seed=4).targets]
    assert set(labels) == {0.0, 1.0}
    moons = {"name": "moons", "n_samples": 12, "seed": 4}
    for loss, expected in (
        ("bce_with_logits", labels),
        ("cross_entropy", labels),
        ("hinge", [2.0 * y - 1.0 for y in labels]),  # y -> 2y - 1, the docstring's mapping
        ("mse", labels),
    ):
        config = parse_config(base(dataset=moons, loss=loss, split={"val_fraction": 0.5}))
        train, val = config.datasets()
        assert sorted(train.targets + val.targets) == sorted((y,) for y in expected)
        assert config.n_outputs() == (2 if loss == "cross_entropy" else 1)


def test_cross_entropy_outputs_one_logit_per_class() -> None:
    config = parse_config(base(dataset={"name": "moons", "n_samples": 12}, loss="cross_entropy"))
    model = config.model_factory()()
    assert isinstance(model, MLP)
    assert [layer.nout for layer in model.layers] == [3, 2]


# ---------------------------------------------------------------- optimizers and schedulers


def test_an_optimizer_mg_optim_refuses_is_named_by_index_and_class() -> None:
    with pytest.raises(ValueError, match="dampening") as mg_optim_says:
        mg_optim.Momentum([Parameter(0.0)], 0.05, dampening=2.0)
    config = base(optimizers=[{"type": "adam"}, {"type": "momentum", "dampening": 2.0}])
    assert refused(config) == (
        "config key 'optimizers[1]': mg_optim.Momentum refuses these options: "
        f"{mg_optim_says.value}"
    )


def test_a_scheduler_mg_optim_refuses_is_named_with_the_optimizer_index() -> None:
    """parse_config's own checks already stop every bad scheduler value; one built directly
    reaches mg-optim, whose message is passed on."""
    parsed = parse_config(base(optimizers=[{"type": "sgd"}, {"type": "adam"}]))
    values = {**parsed.__dict__, "scheduler": ("step", (("step_size", 0), ("gamma", 0.1)))}
    bad = ExperimentConfig(**values)
    with pytest.raises(ValueError, match="step_size") as mg_optim_says:
        mg_optim.StepLR(mg_optim.SGD([Parameter(0.0)], 0.05), 0)
    with pytest.raises(ConfigError) as info:
        _check_optimizers(bad)
    assert str(info.value) == (
        f"config key 'scheduler': mg-optim refuses it (with optimizers[0]): {mg_optim_says.value}"
    )


def group(config: dict[str, object], index: int = 0) -> dict[str, object]:
    parsed = parse_config(config)
    optimizer = parsed.optimizers[index].factory(0.25)([Parameter(1.0)])
    state = optimizer.state_dict()
    groups = state["param_groups"]
    assert isinstance(groups, list)
    assert isinstance(groups[0], dict)
    out: dict[str, object] = {k: v for k, v in groups[0].items() if k != "params"}
    out["class"] = state["optimizer"]
    return out


def test_each_optimizer_type_is_built_with_its_options() -> None:
    assert group(base(optimizers=[{"type": "sgd", "weight_decay": 0.5}])) == {
        "class": "SGD",
        "lr": 0.25,
        "weight_decay": 0.5,
    }
    momentum = {"type": "momentum", "momentum": 0.5, "dampening": 0.25, "weight_decay": 0.125}
    assert group(base(optimizers=[momentum])) == {
        "class": "Momentum",
        "lr": 0.25,
        "momentum": 0.5,
        "dampening": 0.25,
        "nesterov": False,
        "weight_decay": 0.125,
    }
    nesterov = {"type": "momentum", "nesterov": True}
    assert group(base(optimizers=[nesterov]))["nesterov"] is True
    for kind, label in (("adam", "Adam"), ("adamw", "AdamW")):
        adam = {"type": kind, "betas": [0.5, 0.75], "eps": 0.125, "weight_decay": 0.5}
        assert group(base(optimizers=[{**adam, "amsgrad": True}])) == {
            "class": label,
            "lr": 0.25,
            "eps": 0.125,
            "beta1": 0.5,
            "beta2": 0.75,
            "weight_decay": 0.5,
            "amsgrad": True,
        }
    assert group(base(optimizers=[{"type": "adamw"}]))["weight_decay"] == 0.01
    option = parse_config(base(optimizers=[momentum])).optimizers[0].option
    assert (option("momentum"), option("dampening")) == (0.5, 0.25)


def scheduler_state(scheduler: dict[str, object]) -> dict[str, object]:
    factory = parse_config(base(scheduler=scheduler)).scheduler_factory()
    assert factory is not None
    state = factory(mg_optim.SGD([Parameter(0.0)], 0.5)).state_dict()
    return {"class": state["scheduler"], **state["config"]}  # type: ignore[dict-item]


def test_each_scheduler_type_is_built_with_its_options() -> None:
    assert scheduler_state({"type": "step", "step_size": 3, "gamma": 0.5}) == {
        "class": "StepLR",
        "step_size": 3,
        "gamma": 0.5,
    }
    assert scheduler_state({"type": "exponential", "gamma": 0.75}) == {
        "class": "ExponentialLR",
        "gamma": 0.75,
    }
    assert scheduler_state({"type": "cosine", "t_max": 4, "eta_min": 0.125}) == {
        "class": "CosineAnnealingLR",
        "T_max": 4,
        "eta_min": 0.125,
    }
    assert parse_config(base()).scheduler_factory() is None


def test_model_factory_builds_the_configured_mlp_from_its_seed() -> None:
    config = parse_config(base(model={"hidden": [4, 3], "activation": "tanh", "seed": 9}))
    built = config.model_factory()()
    expected = MLP(2, [4, 3, 1], activation="tanh", rng=9)
    assert built.state_dict() == expected.state_dict()
    assert isinstance(built, MLP)
    assert [layer.activation for layer in built.layers] == ["tanh", "tanh", "linear"]


def test_datasets_are_the_seeded_data_split_by_the_split_seed() -> None:
    from mg_train import train_val_split

    config = parse_config(
        base(
            dataset={"name": "sine_regression", "n_samples": 20, "noise": 0.5, "seed": 8},
            split={"val_fraction": 0.5, "seed": 6},
        )
    )
    expected = train_val_split(make_sine_regression(20, noise=0.5, seed=8), 0.5, 6)
    assert config.datasets() == expected


# ---------------------------------------------------------------- run_experiment


def test_run_experiment_is_compare_optimizers_with_every_setting_of_the_config(
    tmp_path: Path,
) -> None:
    config = parse_config(
        base(
            shuffle_seed=9,
            clip_grad_norm=0.01,
            scheduler={"type": "step", "step_size": 1, "gamma": 0.5},
            optimizers=[{"type": "sgd"}, {"type": "adam", "name": "A"}],
        )
    )
    stream = io.StringIO()
    result = run_experiment(
        config, checkpoint_dir=tmp_path / "ck", verbose=Verbosity.LINES, stream=stream
    )
    train, val = config.datasets()
    expected = compare_optimizers(
        config.model_factory(),
        {
            "SGD": lambda ps: mg_optim.SGD(ps, 0.05),
            "A": lambda ps: mg_optim.Adam(ps, 0.05),
        },
        "mse",
        train,
        val,
        epochs=2,
        batch_size=8,
        seed=9,
        scheduler_factory=lambda opt: mg_optim.StepLR(opt, 1, gamma=0.5),
        clip_grad_norm=0.01,
        verbose=False,
    )
    for run, want in zip(result.runs, expected.runs):
        assert (run.name, run.history.train_loss, run.history.val_loss) == (
            want.name,
            want.history.train_loss,
            want.history.val_loss,
        )
        assert run.history.lr == [0.05, 0.025]
    assert [run.name for run in result.runs] == ["SGD", "A"]
    assert result.config == config.to_dict()
    assert sorted(p.name for p in (tmp_path / "ck").iterdir()) == [
        "A.json",
        "SGD.json",
        "comparison.manifest.json",
    ]
    lines = stream.getvalue().splitlines()
    assert [line.split(" - ")[0] for line in lines] == [
        "[SGD] epoch 1/2",
        "[SGD] epoch 2/2",
        "[A] epoch 1/2",
        "[A] epoch 2/2",
    ]


def test_run_experiment_reports_on_stderr_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_experiment(parse_config(base(epochs=1)))
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("[SGD] epoch 1/1 - loss: ")
    assert result.runs[0].history.epochs == 1
