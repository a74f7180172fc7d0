"""mg-train: data, mini-batches, a fit loop, checkpoints, artifacts and the ``mg-train`` CLI.

Where things live: `data.py` (datasets, split, batches), `losses.py` (batch losses by name),
`fit.py` (the loop), `history.py`, `callbacks.py` (EarlyStopping), `checkpoint.py`,
`progress.py` (tqdm bar or Keras-style lines), `compare.py` (`compare_optimizers`),
`config.py` (JSON experiment configs: parsing, with `_config_model.py` and
`_config_readers.py`), `metrics.py` (classification accuracy), `table.py` (the optimizer
table), `conditions.py` and `plots.py` (the pictures and the conditions they state),
`artifacts.py` (results.json, table.md, history.csv, loss_curves.png, decision_boundary.png),
`export.py` (final models as safetensors files for PyTorch), `reproduce.py` (bit-for-bit result
checks), `sweep_run.py` (optimizers x rates x seed replicas on any executor; `sweep_summary.py`,
`sweep_artifacts.py`, `sweep_progress.py`, `sweep_cli.py`), `path_plots.py` (optimizer paths
drawn on their surfaces), `cli.py`.
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
    ComparisonSetup,
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
from .export import export_safetensors, safetensors_file_names
from .fit import NonFiniteLossError, evaluate, fit
from .history import History
from .losses import LOSSES, BatchLoss, get_loss
from .metrics import (
    CLASSIFICATION_LOSSES,
    accuracy,
    count_correct,
    has_class_labels,
    predict_labels,
)
from .path_plots import PathPanel, plot_paths, write_path_plot
from .plots import (
    DecisionGrid,
    MissingMatplotlib,
    decision_grid,
    plot_decision_boundary,
    plot_loss_curves,
)
from .progress import Verbosity, VerbosityLike, format_epoch_line
from .protocols import Model, Scheduler
from .reproduce import diff_results, load_results
from .sweep_artifacts import (
    SWEEP_ARTIFACT_NAMES,
    format_sweep_report,
    sweep_document,
    write_sweep_artifacts,
)
from .sweep_run import REPLICA_SEED_STRIDE, SweepResult, replica_seeds, run_sweep_task, sweep
from .sweep_summary import (
    LossStats,
    ReplicaSeeds,
    SweepCell,
    SweepError,
    SweepRun,
    SweepSummary,
    summarize,
)

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
    # classification metrics
    "CLASSIFICATION_LOSSES",
    "accuracy",
    "count_correct",
    "has_class_labels",
    "predict_labels",
    # checkpoints
    "CHECKPOINT_FORMAT_VERSION",
    "CheckpointError",
    "LoadedCheckpoint",
    "load_checkpoint",
    "save_checkpoint",
    # comparisons and artifacts
    "Comparison",
    "ComparisonSetup",
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
    "export_safetensors",
    "safetensors_file_names",
    # pictures
    "DecisionGrid",
    "MissingMatplotlib",
    "decision_grid",
    "plot_decision_boundary",
    "plot_loss_curves",
    "diff_results",
    "load_results",
    # sweeps: optimizers x learning rates x seed replicas
    "sweep",
    "SweepResult",
    "SweepRun",
    "SweepCell",
    "SweepSummary",
    "LossStats",
    "ReplicaSeeds",
    "SweepError",
    "REPLICA_SEED_STRIDE",
    "replica_seeds",
    "run_sweep_task",
    "summarize",
    "SWEEP_ARTIFACT_NAMES",
    "format_sweep_report",
    "sweep_document",
    "write_sweep_artifacts",
    # pictures of optimizer paths
    "PathPanel",
    "plot_paths",
    "write_path_plot",
]
