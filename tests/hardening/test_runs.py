"""Run folders under races and kills: one lock holder, no dead end before the first checkpoint, no leftover temps."""

from __future__ import annotations

import json
import multiprocessing
import os
import socket
import subprocess
import sys
import time

import pytest

from lookbook import atomic
from lookbook.cli import main
from lookbook.errors import LookbookError
from lookbook.models.gan_config import stored_config
from lookbook.run import checkpoint
from lookbook.run.folder import RunDir
from lookbook.run.layout import LOCK_FILE, METRICS_FILE
from lookbook.run.lifecycle import RunLifecycle
from tests.conftest import make_tiny_dataset
from tests.gan.conftest import TINY_QUICK
from tests.hardening.helpers import assert_one_line_error, run_capped

CONTENDERS = 6
TRIALS = 15


def _dead_pid() -> int:
    return int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout)


def _contend(path, start, attempted, holders) -> None:
    start.wait()
    try:
        RunDir(path).acquire_lock()
        with holders.get_lock():
            holders.value += 1
    except LookbookError:
        pass
    attempted.wait()  # the holder keeps its lock until every contender has tried


@pytest.mark.parametrize("stale", [False, True], ids=["fresh-folder", "stale-lock"])
def test_six_processes_racing_for_a_run_lock_get_one_holder(tmp_path, stale):
    ctx = multiprocessing.get_context("fork")  # the contenders only make system calls, so forking this process is safe
    dead = _dead_pid()
    for trial in range(TRIALS):
        path = tmp_path / f"run{trial}"
        if stale:
            path.mkdir()
            (path / LOCK_FILE).write_text(json.dumps({"pid": dead, "host": socket.gethostname()}))
        start, attempted, holders = ctx.Barrier(CONTENDERS), ctx.Barrier(CONTENDERS), ctx.Value("i", 0)
        procs = [ctx.Process(target=_contend, args=(path, start, attempted, holders)) for _ in range(CONTENDERS)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(30)
        assert holders.value == 1, f"trial {trial}: {holders.value} holders"
        assert not RunDir(path).is_locked()  # the holder is gone, and with it its claim


def test_a_lock_of_a_killed_holder_is_taken_over_and_released(tmp_path):
    run = RunDir.at(tmp_path / "run")
    holder = subprocess.Popen(
        [sys.executable, "-c", f"from lookbook.run.folder import RunDir; RunDir.at({str(run.path)!r}).acquire_lock(); input()"],
        stdin=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while not run.is_locked() and time.monotonic() < deadline:
        time.sleep(0.05)
    with pytest.raises(LookbookError, match=f"already being written by process {holder.pid}"):
        run.acquire_lock()
    holder.kill()
    holder.wait()
    run.acquire_lock()
    assert run.lock_holder()["pid"] == os.getpid()
    run.release_lock()
    assert not (run.path / LOCK_FILE).exists()


def test_temp_files_of_killed_writers_are_removed_at_the_next_start(tmp_path):
    run = RunDir.at(tmp_path / "run")
    run.samples_dir.mkdir(parents=True)
    dead = _dead_pid()
    stale = [
        run.path / f".checkpoint.npz.{dead}.a1b2c3d4.npz",
        run.path / f".generator.keras.{dead}.zz_9yx8w.keras",
        run.samples_dir / f".epoch_0003.png.{dead}.q7r8s9t0.png",
        run.path / ".checkpoint.npz.k2j3h4g5.npz",  # named before the pid was in the name; an hour old
    ]
    live = run.path / f".status.json.{os.getpid()}.m1n2b3v4.json"  # a live writer's (this process)
    kept = [live, run.path / "checkpoint.npz", run.path / ".hidden-notes"]
    for path in [*stale, *kept]:
        path.write_bytes(b"x")
    os.utime(stale[-1], (time.time() - 2 * atomic.LEGACY_TEMP_AGE_S,) * 2)
    run.acquire_lock()
    try:
        assert [p for p in stale if p.exists()] == [] and all(p.exists() for p in kept)
    finally:
        run.release_lock()


def _killed_before_first_checkpoint(run_path, dead_pid: int) -> None:
    """The folder a `kill -9` leaves after the first logged step: config, a `running` status and the lock of a process
    that is gone, a metrics row, a half-written checkpoint temp; no checkpoint."""
    run = RunDir.at(run_path)
    run.write_config("gan", {**stored_config({}).to_dict(), "preset": "quick"})
    run.write_status("running", pid=dead_pid, epoch=1, step=1)
    run.append_metrics({"epoch": 1, "step": 1, "d_loss": 1.3, "g_loss": 0.7})
    (run.path / LOCK_FILE).write_text(json.dumps({"pid": dead_pid, "host": socket.gethostname()}))
    (run.path / f".checkpoint.npz.{dead_pid}.p0o9i8u7.npz").write_bytes(b"PK\x03\x04half")


def test_a_run_killed_before_its_first_checkpoint_is_not_a_dead_end(tmp_path, capsys):
    run_path = tmp_path / "run"
    _killed_before_first_checkpoint(run_path, _dead_pid())
    run = RunDir.at(run_path)
    assert run.read_status()["state"] == "failed" and not checkpoint.has_checkpoint(run.path)
    assert not run.holds_training_output()  # a plain start is allowed ...
    data = make_tiny_dataset(tmp_path / "data", n_per_class=16, size=32).root
    assert main(["train", "gan", "--data", str(data), "--run", str(run_path), "--resume", *TINY_QUICK[2:]]) == 2
    assert_one_line_error(capsys.readouterr().err, "no checkpoint to resume from", "start it without --resume")  # ... and named


@pytest.mark.slow
def test_a_run_killed_before_its_first_checkpoint_restarts_and_finishes(tmp_path):
    run_path = tmp_path / "run"
    _killed_before_first_checkpoint(run_path, _dead_pid())
    data = make_tiny_dataset(tmp_path / "data", n_per_class=16, size=32).root
    sets = ["--set", "epochs=1", "--set", "max_steps=2", "--set", "log_every_steps=1"]
    result = run_capped("train", "gan", "--data", data, "--run", run_path, *TINY_QUICK, *sets, memory_mb=8192, timeout_s=300)
    assert result.returncode == 0, result.stderr
    run = RunDir.at(run_path)
    assert run.read_status()["state"] == "finished" and checkpoint.has_checkpoint(run.path)
    assert [r["step"] for r in run.read_metrics()] == [1, 2]  # the dead attempt's row is gone, not doubled
    assert not [p.name for p in run.path.iterdir() if p.name.startswith(".")] and not (run.path / LOCK_FILE).exists()
    assert (run.path / METRICS_FILE).is_file()


def test_damaged_run_files_never_raise_a_traceback(tmp_path):
    run = RunDir.at(tmp_path / "run")
    run.path.mkdir()
    (run.path / "config.json").write_text("[" * 100_000)
    with pytest.raises(LookbookError, match=r"config\.json is unreadable"):
        run.check_kind("gan")
    (run.path / "status.json").write_text("[1, 2]")
    assert run.read_status()["state"] == "failed"
    (run.path / METRICS_FILE).write_bytes(b'{"step": 1}\n5\n[1]\n\xff\xfe\n' + b"[" * 100_000 + b'\n{"step": 2}\n')
    assert [r["step"] for r in run.read_metrics()] == [1, 2]
    (run.path / LOCK_FILE).write_text('{"pid": "me", "host": 7}')
    run.acquire_lock()  # a holder nobody can be is no holder
    run.release_lock()


def test_a_checkpoint_with_damaged_metadata_falls_back_or_says_so(tmp_path):
    import numpy as np

    latest, _ = checkpoint.checkpoint_paths(tmp_path)
    for meta in (b"[1]", b'{"groups": [1], "step": 1, "format": 1}', b"[" * 100_000, b'{"groups": {"g": "x"}}'):
        np.savez(latest, meta=np.frombuffer(meta, np.uint8))
        with pytest.raises(LookbookError, match="no usable checkpoint") as err:
            checkpoint.load(tmp_path)
        assert "\n" not in str(err.value)


def test_lifecycle_locks_starts_afresh_and_marks_a_raising_run_failed(tmp_path):
    run = RunDir.at(tmp_path / "run")
    run.request_stop()
    run.append_metrics({"step": 1})
    with pytest.raises(ValueError), RunLifecycle(run, fresh=True):
        assert run.is_locked() and not run.stop_requested() and run.read_metrics() == []
        raise ValueError("bad input\nmore detail")
    assert run.read_status()["state"] == "failed" and run.read_status()["reason"] == "ValueError: bad input"
    assert not run.is_locked()


def test_lifecycle_stops_for_the_stop_file_or_a_spent_budget(tmp_path):
    run = RunDir.at(tmp_path / "run")
    life = RunLifecycle(run)
    assert not life.should_stop(59.0, 60.0)
    assert life.should_stop(60.0, 60.0) and life.budget_spent and life.stop_reason is None
    run.request_stop()
    asked = RunLifecycle(run)
    assert asked.should_stop(1.0, 0.0) and asked.stop_reason == "stop requested (STOP file)" and not asked.budget_spent
