"""Atomic writes: durable renames (the folder is fsynced) and files others may read as the umask says."""

from __future__ import annotations

import os
import stat

import pytest

from lookbook import atomic
from lookbook.errors import LookbookError
from lookbook.run.folder import RunDir


@pytest.fixture()
def umask():
    def use(mask: int) -> None:
        os.umask(mask)

    old = os.umask(0o022)
    yield use
    os.umask(old)


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_written_files_follow_the_umask(tmp_path, umask, mask, mode):
    umask(mask)
    atomic.write_json(tmp_path / "a.json", {"x": 1})
    RunDir.at(tmp_path / "run").write_status("running")
    for path in (tmp_path / "a.json", tmp_path / "run" / "status.json"):
        assert stat.S_IMODE(path.stat().st_mode) == mode, path


def test_the_folder_is_fsynced_after_the_rename(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(stat.S_ISDIR(os.fstat(fd).st_mode))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    atomic.write_text(tmp_path / "a.txt", "hello")
    assert synced == [False, True]  # the file's data, then the folder holding its new name


@pytest.mark.parametrize("target", ["/proc/lookbook-test.json", "/sys/lookbook-test.json"])
def test_an_unwritable_place_is_a_one_line_error(target):
    with pytest.raises(LookbookError, match=f"cannot write {target}") as err:
        atomic.write_json(target, {})
    assert "\n" not in str(err.value)
