"""How a fit run reports progress: a tqdm bar, one line per epoch, or nothing.

`Verbosity.AUTO` picks the bar when the stream is a terminal (``stream.isatty()``) and plain
lines otherwise, so logs and CI output get one readable line per epoch instead of carriage
returns:

    epoch 3/60 - loss: 0.012345 - val_loss: 0.023456 - lr: 0.01 - 0.4s

A classification run (`mg_train.metrics`) adds Keras's accuracy fields, four decimals:

    epoch 3/60 - loss: 0.312345 - accuracy: 0.8750 - val_loss: 0.323456 - val_accuracy: 0.8500 - ...
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Mapping
from typing import Optional, Protocol, TextIO, Union

from tqdm import tqdm

__all__ = [
    "ProgressReporter",
    "Verbosity",
    "VerbosityLike",
    "format_epoch_line",
    "resolve_verbosity",
]


class _Bar(Protocol):
    """The three tqdm methods used here, typed (tqdm itself ships no annotations)."""

    def set_postfix(self, ordered_dict: Mapping[str, str], refresh: bool) -> object: ...

    def update(self, n: int) -> object: ...

    def close(self) -> object: ...


class Verbosity(enum.Enum):
    SILENT = "silent"
    LINES = "lines"
    BAR = "bar"
    AUTO = "auto"


VerbosityLike = Union[Verbosity, bool]
"""A `Verbosity`, or True (AUTO) / False (SILENT)."""


def resolve_verbosity(verbose: VerbosityLike, stream: TextIO) -> Verbosity:
    """The concrete mode (never AUTO) for ``verbose`` writing to ``stream``."""
    if verbose is True:
        verbose = Verbosity.AUTO
    elif verbose is False:
        verbose = Verbosity.SILENT
    if not isinstance(verbose, Verbosity):
        raise TypeError(
            f"verbose must be a bool or Verbosity, got {type(verbose).__name__}: {verbose!r}"
        )
    if verbose is Verbosity.AUTO:
        isatty = getattr(stream, "isatty", None)
        return Verbosity.BAR if callable(isatty) and isatty() else Verbosity.LINES
    return verbose


def format_epoch_line(
    epoch: int,
    epochs: int,
    loss: float,
    val_loss: Optional[float],
    lr: float,
    seconds: float,
    *,
    accuracy: Optional[float] = None,
    val_accuracy: Optional[float] = None,
) -> str:
    """``epoch 3/60 - loss: 0.012345 - val_loss: 0.023456 - lr: 0.01 - 0.4s``; the accuracies,
    when given, follow their losses (``accuracy: 0.8750``, ``val_accuracy: 0.8500``)."""
    parts = [f"epoch {epoch}/{epochs}", f"loss: {loss:.6f}"]
    if accuracy is not None:
        parts.append(f"accuracy: {accuracy:.4f}")
    if val_loss is not None:
        parts.append(f"val_loss: {val_loss:.6f}")
    if val_accuracy is not None:
        parts.append(f"val_accuracy: {val_accuracy:.4f}")
    parts.append(f"lr: {lr:.6g}")
    parts.append(f"{seconds:.1f}s")
    return " - ".join(parts)


class ProgressReporter:
    """Receives each finished epoch and shows it in the chosen mode."""

    def __init__(
        self,
        epochs: int,
        *,
        verbose: VerbosityLike = True,
        stream: Optional[TextIO] = None,
        initial: int = 0,
        desc: str = "",
    ) -> None:
        self.epochs = epochs
        self.stream: TextIO = sys.stderr if stream is None else stream
        self.mode: Verbosity = resolve_verbosity(verbose, self.stream)
        self.desc = desc
        self._bar: Optional[_Bar] = None
        if self.mode is Verbosity.BAR:
            self._bar = _make_bar(epochs, initial, self.stream, desc or None)

    def epoch_end(
        self,
        epoch: int,
        loss: float,
        val_loss: Optional[float],
        lr: float,
        seconds: float,
        *,
        accuracy: Optional[float] = None,
        val_accuracy: Optional[float] = None,
    ) -> None:
        if self._bar is not None:
            postfix = {"loss": f"{loss:.6f}"}
            if accuracy is not None:
                postfix["accuracy"] = f"{accuracy:.4f}"
            if val_loss is not None:
                postfix["val_loss"] = f"{val_loss:.6f}"
            if val_accuracy is not None:
                postfix["val_accuracy"] = f"{val_accuracy:.4f}"
            postfix["lr"] = f"{lr:.6g}"
            self._bar.set_postfix(postfix, refresh=False)
            self._bar.update(1)
        elif self.mode is Verbosity.LINES:
            line = format_epoch_line(
                epoch,
                self.epochs,
                loss,
                val_loss,
                lr,
                seconds,
                accuracy=accuracy,
                val_accuracy=val_accuracy,
            )
            prefix = f"[{self.desc}] " if self.desc else ""
            self.stream.write(prefix + line + "\n")
            self.stream.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _make_bar(total: int, initial: int, stream: TextIO, desc: Optional[str]) -> _Bar:
    bar: _Bar = tqdm(
        total=total,
        initial=initial,
        file=stream,
        desc=desc,
        unit="epoch",
        ascii=True,
        leave=True,
        dynamic_ncols=False,
    )
    return bar
