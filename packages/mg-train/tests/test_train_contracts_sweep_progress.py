"""`mg_train.sweep_progress`: the exact line a finished run prints, the resuming notice, and the
tqdm bar (ASCII, kept when done, counting from the runs already finished, the last run in its
postfix). Expected lines are written out from the format in the module docstring."""

from __future__ import annotations

import io
import re

from mg_train import Verbosity
from mg_train.sweep_progress import SweepProgress, format_run_line
from tqdm import tqdm

FINISHED: dict[str, object] = {
    "optimizer": "Adam",
    "lr": 0.01,
    "replica": 0,
    "seeds": {"split": 1, "model": 2, "shuffle": 3},
    "final_train_loss": 0.5,
    "final_val_loss": 0.0105644,
    "best_val_loss": 0.0085836,
    "best_epoch": 44,
    "diverged": None,
    "wall_seconds": 2.34,
}
DIVERGED: dict[str, object] = {
    **FINISHED,
    "optimizer": "SGD",
    "lr": 1e15,
    "replica": 1,
    "final_train_loss": None,
    "final_val_loss": None,
    "best_val_loss": None,
    "best_epoch": None,
    "diverged": {"epoch": 2, "batch": 5},
    "wall_seconds": 0.04,
}


def test_a_finished_run_line_names_the_run_its_losses_and_its_time() -> None:
    assert format_run_line(3, 75, FINISHED) == (
        "run 3/75 - Adam lr=0.01 replica 0 - best_val_loss: 0.008584 (epoch 44) - "
        "final_val_loss: 0.010564 - 2.3s"
    )


def test_a_diverged_run_line_says_where_it_stopped() -> None:
    assert format_run_line(1, 2, DIVERGED) == (
        "run 1/2 - SGD lr=1000000000000000.0 replica 1 - diverged at epoch 2, batch 5 - 0.0s"
    )


def test_a_line_leaves_out_what_the_outcome_does_not_hold() -> None:
    partial = {"optimizer": "SGD", "lr": 0.5, "replica": 3, "best_val_loss": 0.25}
    assert format_run_line(2, 2, partial) == "run 2/2 - SGD lr=0.5 replica 3"
    no_val = {**FINISHED, "final_val_loss": None, "wall_seconds": 1}
    assert format_run_line(1, 1, no_val) == "run 1/1 - Adam lr=0.01 replica 0"


def test_lines_mode_announces_resumed_runs_then_counts_on_from_them() -> None:
    stream = io.StringIO()
    progress = SweepProgress(5, 2, Verbosity.LINES, stream)
    progress.run_done(FINISHED)
    progress.run_done(DIVERGED)
    progress.close()
    progress.close()
    assert stream.getvalue() == (
        "resuming: 2/5 runs already finished\n"
        f"{format_run_line(3, 5, FINISHED)}\n"
        f"{format_run_line(4, 5, DIVERGED)}\n"
    )
    assert progress.done == 4


def test_a_fresh_sweep_in_lines_mode_starts_with_its_first_run() -> None:
    stream = io.StringIO()
    SweepProgress(3, 0, Verbosity.LINES, stream).run_done(FINISHED)
    assert stream.getvalue() == format_run_line(1, 3, FINISHED) + "\n"


def test_silent_mode_writes_nothing_even_when_resuming() -> None:
    stream = io.StringIO()
    progress = SweepProgress(3, 2, Verbosity.SILENT, stream)
    progress.run_done(FINISHED)
    progress.close()
    assert stream.getvalue() == ""
    assert progress.done == 3


def _frames(text: str) -> list[str]:
    assert text.startswith("\r")
    assert text.endswith("\n")
    return text[1:-1].split("\r")


def test_the_bar_counts_runs_from_those_already_finished() -> None:
    stream = io.StringIO()
    progress = SweepProgress(3, 1, Verbosity.BAR, stream)
    progress.run_done(FINISHED)
    progress.run_done(FINISHED)
    progress.close()
    progress.close()
    frames = _frames(stream.getvalue())
    assert frames[0] == "sweep:  33%|###3      | 1/3 [00:00<?, ?run/s]"
    assert re.fullmatch(
        r"sweep: 100%\|##########\| 3/3 \[\d\d:\d\d<00:00, +[\d.]+run/s, "
        r"last=Adam lr=0\.01, best_val_loss=0\.008584\]",
        frames[-1],
    ), frames[-1]
    # the postfix is drawn with the count it comes with, never ahead of it
    assert not any("1/3" in frame and "last=" in frame for frame in frames)
    assert progress.done == 3


def test_the_bar_postfix_of_a_diverged_run_has_no_loss() -> None:
    stream = io.StringIO()
    progress = SweepProgress(1, 0, Verbosity.BAR, stream)
    progress.run_done(DIVERGED)
    progress.close()
    last = _frames(stream.getvalue())[-1]
    assert last.startswith("sweep: 100%|##########| 1/1 [")
    assert last.endswith(", last=SGD lr=1000000000000000.0]")


def _utf8_stream() -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)


def _text(stream: io.TextIOWrapper) -> str:
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("utf-8")


def test_the_bar_is_ascii_even_where_unicode_could_be_drawn() -> None:
    stream = _utf8_stream()
    progress = SweepProgress(2, 0, Verbosity.BAR, stream)
    progress.run_done(FINISHED)
    progress.run_done(FINISHED)
    progress.close()
    frames = _frames(_text(stream))
    assert frames[0] == "sweep:   0%|          | 0/2 [00:00<?, ?run/s]"
    assert frames[-1].startswith("sweep: 100%|##########| 2/2 [")


def test_the_bar_stays_on_screen_inside_a_callers_own_bar() -> None:
    outer = tqdm(total=2, file=io.StringIO())  # the caller's loop around the sweep
    stream = io.StringIO()
    try:
        progress = SweepProgress(2, 1, Verbosity.BAR, stream)
        progress.run_done(FINISHED)
        progress.close()
    finally:
        outer.close()
    text = stream.getvalue()
    assert text.endswith("]\n")
    assert "sweep: 100%|##########| 2/2 [" in text
