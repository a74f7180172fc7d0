"""One sweep task's outcome and a sweep config, as the sweep contract tests build them.

``outcome()`` is the record `run_sweep_task` returns for a finished replica (the keys are the
run-file format's); ``sweep_config()`` is a valid config small enough that a sweep of it runs in
well under a second.
"""

from __future__ import annotations


def outcome(**changes: object) -> dict[str, object]:
    """Adam at lr 0.01, replica 2, finished; ``changes`` replace keys (wrong values too)."""
    record: dict[str, object] = {
        "optimizer": "Adam",
        "lr": 0.01,
        "replica": 2,
        "seeds": {"split": 2001, "model": 2002, "shuffle": 2003},
        "final_train_loss": 0.5,
        "final_val_loss": 0.25,
        "best_val_loss": 0.125,
        "best_epoch": 3,
        "diverged": None,
        "wall_seconds": 1.5,
    }
    record.update(changes)
    return record


def sweep_config(*optimizers: str) -> dict[str, object]:
    """8 rows, one epoch of two batches; SGD and Adam unless ``optimizers`` names others."""
    return {
        "dataset": {"name": "sine_regression", "n_samples": 8, "noise": 0.05, "seed": 0},
        "split": {"val_fraction": 0.25, "seed": 1},
        "model": {"hidden": [2], "activation": "relu", "seed": 2},
        "loss": "mse",
        "lr": 0.05,
        "epochs": 1,
        "batch_size": 4,
        "shuffle_seed": 3,
        "optimizers": [{"type": kind} for kind in optimizers or ("sgd", "adam")],
    }
