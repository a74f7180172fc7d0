"""Atomic-write contracts (mg_train._atomic) the mutation run showed were unpinned.

The recipe is the POSIX one the module documents: write a temporary sibling, flush and fsync
it (so its bytes are on disk before the rename), ``os.replace`` it over the target, then fsync
the directory where the platform allows opening one. The tests watch ``os.fsync``, ``os.open``
and ``os.close`` to see each step happen, and happen in order.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from mg_train._atomic import atomic_write_bytes, atomic_write_text, temp_path_for


def _directories_open_here(directory: Path) -> bool:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return False
    os.close(fd)
    return True


def test_the_temporary_file_is_a_hidden_sibling() -> None:
    assert temp_path_for(Path("out") / "results.json") == Path("out") / ".results.json.tmp"


def test_text_is_written_as_utf8_with_newlines_untranslated(tmp_path: Path) -> None:
    target = tmp_path / "t.txt"
    atomic_write_text(target, "\u00e9t\u00e9\nline\r\n")
    assert target.read_bytes() == b"\xc3\xa9t\xc3\xa9\nline\r\n"
    assert [p.name for p in tmp_path.iterdir()] == ["t.txt"]


def test_the_file_is_flushed_and_synced_before_the_rename_then_the_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "data.bin"
    events: list[tuple[str, object]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        info = os.fstat(fd)
        kind = "directory" if stat.S_ISDIR(info.st_mode) else "file"
        events.append(("fsync " + kind, info.st_size if kind == "file" else info.st_ino))
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        events.append(("replace", (Path(src).name, Path(dst).name)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    atomic_write_bytes(target, b"12345")
    expected: list[tuple[str, object]] = [
        ("fsync file", 5),  # all five bytes reached the file before the sync
        ("replace", (".data.bin.tmp", "data.bin")),
    ]
    if _directories_open_here(tmp_path):
        expected.append(("fsync directory", tmp_path.stat().st_ino))
    assert events == expected
    assert target.read_bytes() == b"12345"


def test_a_failed_write_removes_its_temporary_file_and_raises_the_original_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "results.json"

    def crash(src: object, dst: object) -> None:
        raise KeyboardInterrupt  # not an Exception: even an interrupt cleans up

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(target, "new\n")
    assert list(tmp_path.iterdir()) == []


def test_a_cleanup_that_fails_does_not_hide_the_original_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(src: object, dst: object) -> None:
        raise OSError("simulated: disk full")

    def unlink(path: object) -> None:
        raise PermissionError("simulated: cannot remove")

    monkeypatch.setattr(os, "replace", crash)
    monkeypatch.setattr(os, "unlink", unlink)
    with pytest.raises(OSError, match=r"^simulated: disk full$"):
        atomic_write_text(tmp_path / "r.json", "new\n")


def test_a_directory_that_cannot_be_opened_is_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on Windows, where os.open refuses directories."""
    real_open = os.open

    def refuse_directories(path: str, flags: int, *args: int) -> int:
        if Path(path).is_dir():
            raise PermissionError("simulated: directories cannot be opened")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refuse_directories)
    atomic_write_text(tmp_path / "a.txt", "x")
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "x"


def test_a_directory_fsync_that_fails_is_not_an_error_and_closes_the_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fsync, real_close = os.fsync, os.close
    directory_fds: list[int] = []
    closed: list[int] = []

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            directory_fds.append(fd)
            raise OSError("simulated: this file system cannot sync directories")
        real_fsync(fd)

    def close(fd: int) -> None:
        closed.append(fd)
        real_close(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "close", close)
    atomic_write_text(tmp_path / "a.txt", "x")
    monkeypatch.undo()
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "x"
    expected_fds = 1 if _directories_open_here(tmp_path) else 0
    assert len(directory_fds) == expected_fds
    assert set(directory_fds) <= set(closed)
