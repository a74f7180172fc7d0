"""A sweep's progress, in `mg_train.progress`'s conventions: a tqdm bar over runs on a terminal,
one line per finished run otherwise (in the order runs finish), or nothing:

    run 3/75 - Adam lr=0.01 replica 0 - best_val_loss: 0.008584 (epoch 44) - final_val_loss:
    0.010564 - 2.3s            (one line; wrapped here)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Optional, TextIO

from tqdm import tqdm

from .progress import Verbosity, _Bar

__all__ = ["SweepProgress", "format_run_line"]


def format_run_line(done: int, total: int, outcome: Mapping[str, object]) -> str:
    """The line for one finished run (``outcome`` as `run_sweep_task` returns it)."""
    parts = [
        f"run {done}/{total}",
        f"{outcome['optimizer']} lr={outcome['lr']!r} replica {outcome['replica']}",
    ]
    diverged = outcome.get("diverged")
    best, final = outcome.get("best_val_loss"), outcome.get("final_val_loss")
    if isinstance(diverged, Mapping):
        parts.append(f"diverged at epoch {diverged.get('epoch')}, batch {diverged.get('batch')}")
    elif isinstance(best, float) and isinstance(final, float):
        parts.append(f"best_val_loss: {best:.6f} (epoch {outcome.get('best_epoch')})")
        parts.append(f"final_val_loss: {final:.6f}")
    seconds = outcome.get("wall_seconds")
    if isinstance(seconds, float):
        parts.append(f"{seconds:.1f}s")
    return " - ".join(parts)


class SweepProgress:
    """Counts finished runs (``already`` of them were finished before this call started)."""

    def __init__(self, total: int, already: int, mode: Verbosity, stream: TextIO) -> None:
        self.total: int = total
        self.done: int = already
        self.mode: Verbosity = mode
        self.stream: TextIO = stream
        self._bar: Optional[_Bar] = None
        if mode is Verbosity.BAR:
            bar: _Bar = tqdm(
                total=total,
                initial=already,
                file=stream,
                desc="sweep",
                unit="run",
                ascii=True,
                leave=True,
                dynamic_ncols=False,
            )
            self._bar = bar
        elif mode is Verbosity.LINES and already:
            self._write(f"resuming: {already}/{total} runs already finished")

    def _write(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()

    def run_done(self, outcome: Mapping[str, object]) -> None:
        self.done += 1
        if self._bar is not None:
            best = outcome.get("best_val_loss")
            postfix = {"last": f"{outcome['optimizer']} lr={outcome['lr']!r}"}
            if isinstance(best, float):
                postfix["best_val_loss"] = f"{best:.6f}"
            self._bar.set_postfix(postfix, refresh=False)
            self._bar.update(1)
        elif self.mode is Verbosity.LINES:
            self._write(format_run_line(self.done, self.total, outcome))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
