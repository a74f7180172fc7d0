from __future__ import annotations

import io
import re

import pytest
from mg_nn import MLP
from mg_optim import SGD
from mg_train import Dataset, Verbosity, fit, format_epoch_line

LINE = re.compile(
    r"^epoch (\d+)/3 - loss: \d+\.\d{6} - val_loss: \d+\.\d{6} - lr: 0\.05 - \d+\.\ds$"
)


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run(split: tuple[Dataset, Dataset], verbose: Verbosity | bool, stream: io.StringIO) -> None:
    model = MLP(2, [3, 1], rng=0)
    fit(
        model,
        "mse",
        SGD(model.parameters(), 0.05),
        split[0],
        split[1],
        epochs=3,
        batch_size=8,
        verbose=verbose,
        stream=stream,
    )


def test_the_documented_example_line() -> None:
    assert (
        format_epoch_line(3, 60, 0.012345, 0.023456, 0.01, 0.4)
        == "epoch 3/60 - loss: 0.012345 - val_loss: 0.023456 - lr: 0.01 - 0.4s"
    )
    assert (
        format_epoch_line(1, 2, 1.5, None, 0.001, 12.0)
        == "epoch 1/2 - loss: 1.500000 - lr: 0.001 - 12.0s"
    )


@pytest.mark.parametrize("verbose", [Verbosity.LINES, Verbosity.AUTO, True])
def test_a_plain_stream_gets_one_keras_line_per_epoch(
    verbose: Verbosity | bool, tiny_split: tuple[Dataset, Dataset]
) -> None:
    stream = io.StringIO()
    _run(tiny_split, verbose, stream)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3
    matches = [LINE.match(line) for line in lines]
    assert [int(m.group(1)) if m else 0 for m in matches] == [1, 2, 3]
    assert "\r" not in stream.getvalue()


def test_a_terminal_gets_a_tqdm_bar(tiny_split: tuple[Dataset, Dataset]) -> None:
    stream = FakeTTY()
    _run(tiny_split, Verbosity.AUTO, stream)
    text = stream.getvalue()
    assert "\r" in text
    assert "3/3" in text
    assert "100%" in text
    assert "val_loss=" in text
    assert not any(LINE.match(line) for line in text.splitlines())


@pytest.mark.parametrize("verbose", [Verbosity.SILENT, False])
def test_silent_means_no_output(
    verbose: Verbosity | bool, tiny_split: tuple[Dataset, Dataset]
) -> None:
    for stream in (io.StringIO(), FakeTTY()):
        _run(tiny_split, verbose, stream)
        assert stream.getvalue() == ""


def test_verbose_must_be_a_bool_or_verbosity(tiny_split: tuple[Dataset, Dataset]) -> None:
    with pytest.raises(TypeError, match="verbose"):
        _run(tiny_split, "loud", io.StringIO())  # type: ignore[arg-type]  # the wrong type is the test
