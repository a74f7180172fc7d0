"""The numbers the workspace README shows are the committed references' numbers.

The README's tables and its backward trace are copied from what the benchmarks wrote; these
tests re-read them from the references (which the benchmarks' ``--check`` ties to the code),
so a README that was not updated after a reference changed fails here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

from _workspace import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BENCHMARKS = ROOT / "benchmarks"


def _json(relative: str) -> dict[str, object]:
    data = json.loads((BENCHMARKS / relative).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _records(value: object) -> list[Mapping[str, object]]:
    assert isinstance(value, list)
    for item in value:
        assert isinstance(item, dict)
    return value


def _table_after(marker: str) -> list[list[str]]:
    """The cells of the first Markdown table after the line holding `marker` (header dropped)."""
    start = README.index(marker)
    rows: list[list[str]] = []
    for line in README[start:].splitlines()[1:]:
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif rows:
            break
    assert len(rows) > 2, f"no table after {marker!r}"
    return rows[2:]


def _number(value: object) -> float:
    assert isinstance(value, (int, float))
    return float(value)


def _mean_std(stats: object) -> str:
    assert isinstance(stats, dict)
    return f"{_number(stats['mean']):.6f} ± {_number(stats['std']):.6f}"


def test_the_optimizer_table_is_the_reference_table() -> None:
    reference = _records(_json("optimizer_table/reference_results.json")["table"])
    rows = _table_after("## The optimizer table")
    assert [row[0] for row in rows] == [entry["optimizer"] for entry in reference]
    for row, entry in zip(rows, reference):
        expected = [
            f"{_number(entry[key]):.6f}"
            for key in ("final_train_loss", "final_val_loss", "best_val_loss")
        ]
        assert row[1:4] == expected, row
        assert row[4] == str(entry["best_epoch"]), row


def _sweep_cells() -> dict[tuple[str, float], Mapping[str, object]]:
    aggregates = _json("sweep/reference_sweep.json")["aggregates"]
    assert isinstance(aggregates, dict)
    cells = _records(aggregates["cells"])
    return {(str(cell["optimizer"]), _number(cell["lr"])): cell for cell in cells}


def _check_sweep_row(row: Sequence[str], cell: Mapping[str, object], *, lr_column: bool) -> None:
    offset = 2 if lr_column else 1
    assert row[offset] == _mean_std(cell["best_val_loss"]), row
    assert row[offset + 1] == _mean_std(cell["final_val_loss"]), row
    assert float(row[offset + 2]) == _number(cell["median_best_epoch"]), row


def test_the_sweep_tables_are_the_reference_sweep() -> None:
    aggregates = _json("sweep/reference_sweep.json")["aggregates"]
    assert isinstance(aggregates, dict)
    shared = _number(aggregates["shared_lr"])
    cells = _sweep_cells()
    wins = next(w for w in _records(aggregates["wins"]) if _number(w["lr"]) == shared)["wins"]
    assert isinstance(wins, dict)
    shared_rows = _table_after(f"At the shared rate, lr = {shared:g}:")
    for row in shared_rows:
        _check_sweep_row(row, cells[(row[0], shared)], lr_column=False)
        replicas = _number(cells[(row[0], shared)]["runs"])
        assert row[4] == f"{wins[row[0]]}/{replicas:g}", row
    best_rows = _table_after("Each optimizer at its own best rate")
    best_rates = {str(b["optimizer"]): _number(b["lr"]) for b in _records(aggregates["best_rates"])}
    assert [row[0] for row in best_rows] == list(best_rates)
    for row in best_rows:
        assert float(row[1]) == best_rates[row[0]], row
        _check_sweep_row(row, cells[(row[0], best_rates[row[0]])], lr_column=True)


def test_the_backward_trace_rows_are_the_committed_trace() -> None:
    trace = (BENCHMARKS / "graph_picture" / "trace.txt").read_text(encoding="utf-8").splitlines()
    block = README[README.index("## See backward work") :]
    shown = re.search(r"```text\n(.*?)```", block, re.DOTALL)
    assert shown is not None
    lines = shown.group(1).splitlines()
    assert len(lines) > 4
    for line in lines:
        assert line in trace, line
