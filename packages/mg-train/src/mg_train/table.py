"""The optimizer table: one `TableRow` per run, and its Markdown rendering.

The card's five columns - final train loss, final and best validation loss, the best (lowest
validation loss) epoch - are there for every run. A classification run (one that records
accuracy, `mg_train.metrics`) adds four, as a Keras user reads them: the final train and
validation accuracy, the best validation accuracy - the *highest* over the epochs - and the
epoch it was reached (the earliest on a tie). A table of runs without accuracy is exactly
what it was before accuracy existed, so a committed regression table stays bit for bit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from .history import History

__all__ = ["TableRow", "format_table"]


@dataclass(frozen=True)
class TableRow:
    """One row of the optimizer table (the card's five columns) plus the run's wall time;
    the accuracy fields are None for a run that records no accuracy."""

    optimizer: str
    final_train_loss: float
    final_val_loss: Optional[float]
    best_val_loss: Optional[float]
    best_epoch: Optional[int]
    wall_time: float
    final_train_accuracy: Optional[float] = None
    final_val_accuracy: Optional[float] = None
    best_val_accuracy: Optional[float] = None
    best_val_accuracy_epoch: Optional[int] = None

    @classmethod
    def from_history(cls, optimizer: str, history: History, wall_time: float) -> TableRow:
        """The row of a finished run (at least one epoch)."""
        if history.epochs == 0:
            raise ValueError(f"run {optimizer!r} has no finished epoch to put in the table")
        accuracy = history.records_accuracy
        return cls(
            optimizer=optimizer,
            final_train_loss=history.train_loss[-1],
            final_val_loss=history.val_loss[-1],
            best_val_loss=history.best_val_loss,
            best_epoch=history.best_epoch,
            wall_time=wall_time,
            final_train_accuracy=history.train_accuracy[-1] if accuracy else None,
            final_val_accuracy=history.val_accuracy[-1] if accuracy else None,
            best_val_accuracy=history.best_val_accuracy,
            best_val_accuracy_epoch=history.best_val_accuracy_epoch,
        )

    @property
    def has_accuracy(self) -> bool:
        return self.final_train_accuracy is not None

    def to_dict(self, *, include_time: bool = True) -> dict[str, object]:
        out: dict[str, object] = {
            "optimizer": self.optimizer,
            "final_train_loss": self.final_train_loss,
            "final_val_loss": self.final_val_loss,
            "best_val_loss": self.best_val_loss,
            "best_epoch": self.best_epoch,
        }
        if self.has_accuracy:
            out["final_train_accuracy"] = self.final_train_accuracy
            out["final_val_accuracy"] = self.final_val_accuracy
            out["best_val_accuracy"] = self.best_val_accuracy
            out["best_val_accuracy_epoch"] = self.best_val_accuracy_epoch
        if include_time:
            out["wall_time"] = self.wall_time
        return out


def _loss(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.6f}"


def _accuracy(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.4f}"


def _epoch(value: Optional[int]) -> str:
    return "-" if value is None else str(value)


def format_table(rows: Sequence[TableRow]) -> str:
    """The Markdown table: the five columns of the card, losses to six decimals; when any row
    has accuracy, four accuracy columns (four decimals) follow."""
    accuracy = any(row.has_accuracy for row in rows)
    header = "| Optimizer | Final Train Loss | Final Val Loss | Best Val Loss | Best Epoch |"
    rule = "|---|---|---|---|---|"
    if accuracy:
        header += " Final Train Acc | Final Val Acc | Best Val Acc | Best Acc Epoch |"
        rule += "---|---|---|---|"
    lines = [header, rule]
    for row in rows:
        line = (
            f"| {row.optimizer} | {_loss(row.final_train_loss)} | {_loss(row.final_val_loss)} "
            f"| {_loss(row.best_val_loss)} | {_epoch(row.best_epoch)} |"
        )
        if accuracy:
            line += (
                f" {_accuracy(row.final_train_accuracy)} | {_accuracy(row.final_val_accuracy)} "
                f"| {_accuracy(row.best_val_accuracy)} | {_epoch(row.best_val_accuracy_epoch)} |"
            )
        lines.append(line)
    return "\n".join(lines) + "\n"
