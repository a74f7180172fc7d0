"""mg-train: data, mini-batches, a fit loop, checkpoints, artifacts and the ``mg-train`` CLI.

Where things live: `data.py` (datasets, split, batches), `losses.py` (batch losses by name),
`fit.py` (the loop), `history.py`, `callbacks.py` (EarlyStopping), `checkpoint.py`,
`progress.py` (tqdm bar or Keras-style lines), `compare.py` (`compare_optimizers`),
`config.py` (JSON experiment configs), `artifacts.py` (results.json, table.md, history.csv,
loss_curves.png), `reproduce.py` (bit-for-bit result checks), `cli.py`, `path_plots.py`
(optimizer paths drawn on their surfaces).
"""

from .__about__ import __version__ as __version__
from .artifacts import (
    ARTIFACT_NAMES,
    NONDETERMINISTIC_SECTIONS,
    ArtifactReport,
    environment,
    format_table,
    results_document,
    write_artifacts,
)
from .callbacks import Callback, EarlyStopping
from .checkpoint import (
    CHECKPOINT_FORMAT_VERSION,
    CheckpointError,
    LoadedCheckpoint,
    load_checkpoint,
    save_checkpoint,
)
from .compare import (
    Comparison,
    OptimizerFactory,
    Run,
    SchedulerFactory,
    TableRow,
    compare_optimizers,
)
from .config import (
    ConfigError,
    ExperimentConfig,
    OptimizerConfig,
    load_config,
    parse_config,
    run_experiment,
)
from .data import Batch, Dataset, iterate_batches, make_moons, make_sine_regression, train_val_split
from .fit import NonFiniteLossError, evaluate, fit
from .history import History
from .losses import LOSSES, BatchLoss, get_loss
from .path_plots import PathPanel, plot_paths, write_path_plot
from .progress import Verbosity, VerbosityLike, format_epoch_line
from .protocols import Model, Scheduler
from .reproduce import diff_results, load_results

__all__ = [
    "__version__",
    # data
    "Batch",
    "Dataset",
    "iterate_batches",
    "make_moons",
    "make_sine_regression",
    "train_val_split",
    # training
    "BatchLoss",
    "LOSSES",
    "get_loss",
    "Model",
    "Scheduler",
    "fit",
    "evaluate",
    "History",
    "NonFiniteLossError",
    "Callback",
    "EarlyStopping",
    "Verbosity",
    "VerbosityLike",
    "format_epoch_line",
    # checkpoints
    "CHECKPOINT_FORMAT_VERSION",
    "CheckpointError",
    "LoadedCheckpoint",
    "load_checkpoint",
    "save_checkpoint",
    # comparisons and artifacts
    "Comparison",
    "OptimizerFactory",
    "Run",
    "SchedulerFactory",
    "TableRow",
    "compare_optimizers",
    "ConfigError",
    "ExperimentConfig",
    "OptimizerConfig",
    "load_config",
    "parse_config",
    "run_experiment",
    "ARTIFACT_NAMES",
    "NONDETERMINISTIC_SECTIONS",
    "ArtifactReport",
    "environment",
    "format_table",
    "results_document",
    "write_artifacts",
    "diff_results",
    "load_results",
    # pictures of optimizer paths
    "PathPanel",
    "plot_paths",
    "write_path_plot",
]
