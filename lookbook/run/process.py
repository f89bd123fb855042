"""A run's process: spawning a trainer detached from the app, stopping it, waiting for it, refusing a second one."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shlex
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import lookbook
from lookbook import atomic
from lookbook.errors import LookbookError
from lookbook.run import reader
from lookbook.run.folder import LOCK_WAIT_S, RunDir
from lookbook.run.layout import ENDED_STATES, LAUNCH_FILE, LIVE_STATES, LOG_FILE, STARTING
from lookbook.run.liveness import catches, is_trainer, pid_alive

STARTUP_GRACE_S = 10.0  # how long stop_run waits for a trainer killed while still importing TensorFlow

# The code the children run is the code this process imported (a source checkout need not be installed).
_SOURCE_ROOT = Path(lookbook.__file__).resolve().parents[1]


def launch(rd: RunDir, cmd: list[str], record: dict[str, Any], epochs: int | None) -> subprocess.Popen:
    """Start `cmd` (a `python -m lookbook train ...`) detached, writing into `rd`; returns its process handle.

    `record` (kind, preset, data, config...) goes to launch.json with the command and pid, and status.json says
    `starting` until the trainer writes its own. Refuses while a live process writes the folder.
    """
    rd.path.mkdir(parents=True, exist_ok=True)
    with _launch_guard(rd):
        refuse_live(rd)
        rd.clear_stop()  # a STOP left by an earlier stop would end the new process at once
        proc = spawn_detached(cmd, rd.path / LOG_FILE)
        facts = {"command": cmd, "pid": proc.pid, "host": socket.gethostname(), "launched": time.time()}
        atomic.write_json(rd.path / LAUNCH_FILE, {**record, **facts})
        _write_starting_status(rd, proc.pid, record.get("kind"), record.get("preset"), epochs)
    return proc


def spawn_detached(cmd: list[str], log_path: Path) -> subprocess.Popen:
    """Start `cmd` in its own session (no Ctrl-C or app restart reaches it), its output appended to `log_path`."""
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"  # the log fills as it happens
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(_SOURCE_ROOT)]
    env["PYTHONPATH"] = os.pathsep.join([str(_SOURCE_ROOT), *paths])
    with open(log_path, "ab") as log:
        log.write(f"\n=== {datetime.now():%Y-%m-%d %H:%M:%S} {shlex.join(cmd)}\n".encode())
        log.flush()
        try:
            return subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
                cwd=_SOURCE_ROOT,
                env=env,
            )
        except OSError as exc:
            raise LookbookError(f"could not start the trainer ({exc})") from None


def reap_in_background(proc: subprocess.Popen) -> None:
    """Wait for a detached child on a thread: unreaped, it lingers as a zombie that still looks alive to a pid check."""
    threading.Thread(target=proc.wait, name=f"lookbook-reap-{proc.pid}", daemon=True).start()


def stop_run(run: str | Path, wait_s: float = 0.0) -> None:
    """Ask a run to stop: the STOP file, plus SIGTERM to its live process; the trainer checkpoints and says `stopped`.

    With `wait_s`, wait up to that long for the process to exit.
    """
    rd = RunDir.at(run)
    if not rd.path.is_dir():
        raise LookbookError(f"{rd.path} is not a run directory")
    rd.request_stop()
    status = rd.read_status()
    pids = _live_pids(rd, status)
    starting = status.get("phase") == STARTING and status.get("state") == "running"
    for pid in pids:
        # SIGTERM only a trainer that handles it (checkpoint, `stopped`) or one still starting up (nothing to lose);
        # otherwise it would die mid-epoch, and the STOP file already asks it to stop cleanly.
        if starting or catches(pid, signal.SIGTERM) is not False:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
    # A trainer still importing TensorFlow dies of SIGTERM without a word; wait for it so its status can say stopped.
    deadline = time.monotonic() + max(wait_s, STARTUP_GRACE_S if starting and pids else 0.0)
    while any(pid_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    if starting and not pid_alive(int(status.get("pid", -1))):
        now = rd.read_status()
        if now.get("phase") == STARTING:
            fields = {k: v for k, v in now.items() if k not in ("state", "host", "updated", "phase", "stale", "reason")}
            rd.write_status("stopped", **fields, reason="stopped before training began")


def wait_run(run: str | Path, timeout_s: float | None = None, poll_s: float = 0.5) -> dict[str, Any]:
    """Poll until the run is no longer starting/running (or `timeout_s` passes); return its status."""
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    while True:
        status = reader.run_status(run)
        if status["state"] not in LIVE_STATES or (deadline is not None and time.monotonic() >= deadline):
            return status
        time.sleep(poll_s)


def refuse_live(rd: RunDir) -> None:
    """A one-line error while a live process writes the run, or a trainer launched into it has not locked it yet."""
    deadline = time.monotonic() + LOCK_WAIT_S
    while rd.is_locked() and rd.read_status().get("state") in ENDED_STATES and time.monotonic() < deadline:
        time.sleep(0.02)  # a trainer lets go of the folder a moment after it writes its final status
    rd.refuse_if_locked()
    status = rd.read_status()  # a run launched a moment ago has a status before its trainer takes the lock
    pid = int(status.get("pid", -1))
    if status.get("state") == "running" and status.get("host") == socket.gethostname() and pid_alive(pid) and is_trainer(pid):
        raise LookbookError(f"{rd.path} is already running (process {pid}); stop it or wait for it to end")


@contextlib.contextmanager
def _launch_guard(rd: RunDir) -> Iterator[None]:
    """Serialise launches into one folder (two clicks, two tabs): an flock on the folder itself."""
    fd = os.open(rd.path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _write_starting_status(rd: RunDir, pid: int, kind: str | None, preset: str | None, epochs: int | None) -> None:
    previous = rd.read_status()
    if previous.get("pid") == pid:
        return  # the trainer was quicker and already wrote its own status
    # Keep a resumed run's epoch/step so the UI does not jump back to zero while it starts.
    kept = {k: v for k, v in previous.items() if k in ("epoch", "step")}
    rd.write_status("running", **kept, pid=pid, phase=STARTING, kind=kind, preset=preset, epochs=epochs)


def _live_pids(rd: RunDir, status: dict[str, Any]) -> list[int]:
    host = socket.gethostname()
    candidates = []
    if status.get("state") == "running" and status.get("host") == host:
        candidates.append(int(status.get("pid", -1)))
    holder = rd.lock_holder()
    if holder and holder.get("host") == host:
        candidates.append(int(holder.get("pid", -1)))
    return [pid for pid in dict.fromkeys(candidates) if pid != os.getpid() and pid_alive(pid) and is_trainer(pid)]
