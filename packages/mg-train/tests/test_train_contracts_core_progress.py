"""Progress-reporting contracts the mutation run showed were unpinned.

The line format is the module docstring's (Keras's ``loss``/``accuracy``/``val_loss``/
``val_accuracy`` fields); the bar is tqdm's, in ASCII, counting epochs, left on screen.
"""

from __future__ import annotations

import io
import re

import pytest
from mg_train import Verbosity, format_epoch_line
from mg_train.progress import ProgressReporter, resolve_verbosity
from tqdm import tqdm


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


class NoIsatty:
    """A stream with write and flush only."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


class IsattyNotCallable(io.StringIO):
    isatty = True  # type: ignore[assignment]  # a stream whose isatty is no method


def test_the_documented_classification_line() -> None:
    line = format_epoch_line(
        3, 60, 0.312345, 0.323456, 0.01, 0.4, accuracy=0.875, val_accuracy=0.85
    )
    assert line == (
        "epoch 3/60 - loss: 0.312345 - accuracy: 0.8750 - val_loss: 0.323456 - "
        "val_accuracy: 0.8500 - lr: 0.01 - 0.4s"
    )


def test_accuracy_without_validation_and_lr_in_six_significant_digits() -> None:
    line = format_epoch_line(1, 2, 1.5, None, 0.000123456789, 12.34, accuracy=0.5)
    assert line == "epoch 1/2 - loss: 1.500000 - accuracy: 0.5000 - lr: 0.000123457 - 12.3s"
    assert format_epoch_line(2, 2, 0.25, 0.5, 1e-7, 0.0) == (
        "epoch 2/2 - loss: 0.250000 - val_loss: 0.500000 - lr: 1e-07 - 0.0s"
    )


def test_verbose_of_another_type_is_named_with_its_value() -> None:
    problem = "verbose must be a bool or Verbosity, got str: 'loud'"
    with pytest.raises(TypeError, match="^" + re.escape(problem) + "$"):
        resolve_verbosity("loud", io.StringIO())  # type: ignore[arg-type]  # the wrong type is the test


@pytest.mark.parametrize(
    ("verbose", "mode"),
    [(True, Verbosity.BAR), (Verbosity.AUTO, Verbosity.BAR), (False, Verbosity.SILENT)],
)
def test_auto_is_the_bar_on_a_terminal(verbose: Verbosity | bool, mode: Verbosity) -> None:
    assert resolve_verbosity(verbose, FakeTTY()) is mode


def test_auto_is_lines_without_a_callable_isatty() -> None:
    assert resolve_verbosity(True, NoIsatty()) is Verbosity.LINES  # type: ignore[arg-type]
    assert resolve_verbosity(True, IsattyNotCallable()) is Verbosity.LINES
    assert resolve_verbosity(Verbosity.LINES, FakeTTY()) is Verbosity.LINES


def test_the_verbosity_names_are_lowercase_words() -> None:
    assert [mode.value for mode in Verbosity] == ["silent", "lines", "bar", "auto"]


def test_lines_go_to_stderr_by_default_with_the_run_name_in_brackets(
    capsys: pytest.CaptureFixture[str],
) -> None:
    named = ProgressReporter(2, verbose=Verbosity.LINES, desc="adam")
    named.epoch_end(1, 0.5, None, 0.1, 1.0)
    plain = ProgressReporter(2, verbose=Verbosity.LINES)
    plain.epoch_end(2, 0.25, 0.5, 0.1, 2.0, accuracy=1.0, val_accuracy=0.0)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "[adam] epoch 1/2 - loss: 0.500000 - lr: 0.1 - 1.0s\n"
        "epoch 2/2 - loss: 0.250000 - accuracy: 1.0000 - val_loss: 0.500000 - "
        "val_accuracy: 0.0000 - lr: 0.1 - 2.0s\n"
    )


def test_silent_writes_nothing_even_on_a_terminal() -> None:
    stream = FakeTTY()
    reporter = ProgressReporter(2, verbose=False, stream=stream)
    reporter.epoch_end(1, 0.5, None, 0.1, 1.0)
    reporter.close()
    assert stream.getvalue() == ""


def _bar_text(initial: int, desc: str) -> str:
    stream = FakeTTY()
    reporter = ProgressReporter(3, verbose=Verbosity.BAR, stream=stream, initial=initial, desc=desc)
    reporter.epoch_end(3, 0.5, 0.25, 0.01, 1.0, accuracy=0.75, val_accuracy=0.5)
    reporter.close()
    reporter.close()  # closing twice is harmless
    return stream.getvalue()


def test_the_bar_counts_epochs_from_initial_in_ascii_and_stays_on_screen() -> None:
    text = _bar_text(initial=2, desc="adam")
    frames = text.split("\r")[1:]
    assert frames[0].startswith("adam:  67%|######6   | 2/3 [")
    assert frames[-1].startswith("adam: 100%|##########| 3/3 [")
    assert "epoch/s" in frames[-1] or "s/epoch" in frames[-1]  # the rate, per epoch
    assert frames[-1].endswith(
        ", loss=0.500000, accuracy=0.7500, val_loss=0.250000, val_accuracy=0.5000, lr=0.01]\n"
    )
    assert text.isascii()


def test_a_bar_without_a_name_has_no_prefix() -> None:
    frames = _bar_text(initial=0, desc="").split("\r")[1:]
    assert frames[0].startswith("  0%|          | 0/3 [")
    assert frames[-1].startswith(" 33%|###3      | 1/3 [")


def test_by_default_a_reporter_reports_from_epoch_zero() -> None:
    lines = io.StringIO()  # verbose defaults to True: AUTO, lines on a non-terminal
    ProgressReporter(2, stream=lines).epoch_end(1, 0.5, None, 0.1, 1.0)
    assert lines.getvalue() == "epoch 1/2 - loss: 0.500000 - lr: 0.1 - 1.0s\n"
    bar = FakeTTY()
    ProgressReporter(4, stream=bar).close()
    assert bar.getvalue().split("\r")[1].startswith("  0%|          | 0/4 [")


def test_the_bar_never_shows_an_epochs_loss_beside_the_previous_count() -> None:
    """The postfix is drawn with the update that counts its epoch, not one frame before."""
    stream = FakeTTY()
    reporter = ProgressReporter(3, verbose=Verbosity.BAR, stream=stream)
    for epoch in (1, 2):
        reporter.epoch_end(epoch, 0.5 / epoch, None, 0.01, 1.0)
    reporter.close()
    frames = stream.getvalue().split("\r")[1:]
    assert "loss=" not in frames[0]
    for frame in frames[1:]:
        if "loss=0.500000" in frame:
            assert " 1/3 [" in frame
        if "loss=0.250000" in frame:
            assert " 2/3 [" in frame
    assert "loss=0.250000" in frames[-1]


def test_the_bar_is_ascii_even_where_unicode_could_be_drawn() -> None:
    """tqdm's own default (ascii=None) draws Unicode blocks on a UTF-8 stream; mg's bar stays
    ASCII everywhere, so a log or a Windows console shows the same characters."""
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    reporter = ProgressReporter(3, verbose=Verbosity.BAR, stream=stream, initial=1)
    reporter.epoch_end(2, 0.5, None, 0.01, 1.0)
    reporter.close()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    text = buffer.getvalue().decode("utf-8")
    frames = text.split("\r")[1:]
    assert frames[0].startswith(" 33%|###3      | 1/3 [")
    assert frames[-1].startswith(" 67%|######6   | 2/3 [")
    assert text.isascii()


def test_the_bar_stays_on_screen_inside_a_callers_own_bar() -> None:
    """Inside another bar (tqdm position 1), tqdm's leave=None would erase the finished bar;
    mg's stays, like the top-level one."""
    outer = tqdm(total=2, file=io.StringIO())  # the caller's loop around fit
    stream = FakeTTY()
    try:
        reporter = ProgressReporter(2, verbose=Verbosity.BAR, stream=stream, desc="sgd")
        reporter.epoch_end(1, 0.5, None, 0.1, 1.0)
        reporter.epoch_end(2, 0.25, None, 0.1, 1.0)
        reporter.close()
    finally:
        outer.close()
    text = stream.getvalue()
    assert text.endswith(", loss=0.250000, lr=0.1]\n")
    assert "sgd: 100%|##########| 2/2 [" in text.split("\r")[-1]
