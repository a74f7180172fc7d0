"""A sweep on a real Dask cluster - worker *processes* on this machine, reached through the
scheduler exactly as a remote cluster would be - equals the local sweep bit for bit.

Run by the tox env ``dask`` (it installs ``distributed``); the default test envs do not collect
this directory, so no test there depends on Dask.
"""

from __future__ import annotations

import json

from distributed import Client, LocalCluster, get_task_stream
from mg_train import SweepResult, sweep, sweep_document


def _config() -> dict[str, object]:
    return {
        "dataset": {"name": "sine_regression", "n_samples": 32, "noise": 0.05, "seed": 0},
        "split": {"val_fraction": 0.25, "seed": 1},
        "model": {"hidden": [4], "activation": "relu", "seed": 2},
        "loss": "mse",
        "lr": 0.05,
        "epochs": 4,
        "batch_size": 8,
        "shuffle_seed": 3,
        "optimizers": [{"type": "sgd"}, {"type": "momentum"}, {"type": "adam"}],
    }


def _deterministic(result: SweepResult) -> str:
    document = sweep_document(result)
    del document["environment"], document["timings"]
    return json.dumps(document, sort_keys=True)


def test_a_sweep_through_client_get_executor_equals_the_local_sweep() -> None:
    rates = [0.02, 0.05]
    local = sweep(_config(), seeds=2, learning_rates=rates, jobs=1, verbose=False)
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    )
    client = Client(cluster)  # type: ignore[no-untyped-call]
    with cluster, client, get_task_stream(client) as stream:
        executor = client.get_executor()  # type: ignore[no-untyped-call]
        remote = sweep(
            _config(),
            seeds=2,
            learning_rates=rates,
            executor=executor,
            verbose=False,
        )
        workers = set(client.scheduler_info()["workers"])
    assert _deterministic(remote) == _deterministic(local)
    assert "distributed" in remote.executor
    ran = [task for task in stream.data if "run_sweep_task" in str(task["key"])]
    assert len(ran) == 3 * 2 * 2
    assert {task["worker"] for task in ran} <= workers
    assert len(workers) == 2
