"""One run's folder: its config, status, metrics log, stop flag and lock, written by the trainer and read by all."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lookbook import atomic
from lookbook.errors import LookbookError
from lookbook.run.layout import (
    CHECKPOINT_FILE,
    CONFIG_FILE,
    LOCK_FILE,
    METRICS_FILE,
    MODEL_FILES,
    PREVIOUS_CHECKPOINT_FILE,
    SAMPLES_DIR,
    STATUS_FILE,
    STOP_FILE,
    RunKind,
    RunState,
    sample_name,
)
from lookbook.run.liveness import pid_alive, process_start_ticks

LOCK_WAIT_S = 1.0  # how long a contender retries while the lock file changes hands (a holder writing its details)

_held_locks: dict[Path, int] = {}  # run folder -> open lock file this process holds an flock on
_held_guard = threading.Lock()


def _holder_alive(info: dict[str, Any]) -> bool:
    pid, start = info.get("pid"), info.get("pid_start")
    if not isinstance(pid, int) or isinstance(pid, bool):  # a hand-edited or damaged file names nobody
        return False
    return pid_alive(pid, start if isinstance(start, int) else None)


@dataclass(frozen=True)
class RunDir:
    """One run's folder. Only the trainer writes; the app and CLI only read."""

    path: Path

    @classmethod
    def at(cls, path: str | Path) -> RunDir:
        return cls(Path(path).expanduser().resolve())

    def check_folder(self) -> None:
        """Raise a one-line error unless this run can live here: a folder, or nothing yet (it will be created)."""
        if self.path.exists() and not self.path.is_dir():
            raise LookbookError(f"{self.path} is a file, not a run folder; choose another --run folder")
        parent = next((p for p in self.path.parents if p.exists()), None)
        if parent is not None and not parent.is_dir():
            raise LookbookError(f"{parent} is a file, so {self.path} cannot be created; choose another --run folder")

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def samples_dir(self) -> Path:
        return self.path / SAMPLES_DIR

    def sample_path(self, epoch: int, suffix: str = "") -> Path:
        """`samples/epoch_NNNN.png` (with `suffix`, e.g. `_tshirt`, for per-class grids)."""
        return self.samples_dir / sample_name(epoch, suffix)

    # config -------------------------------------------------------------
    def read_config(self) -> dict[str, Any]:
        path = self.path / CONFIG_FILE
        if not path.is_file():
            raise LookbookError(f"{self.path} is not a run directory (no {CONFIG_FILE})")
        config = read_json(path)
        if config is None:
            raise LookbookError(f"{path} is unreadable (not a JSON object); choose another --run folder")
        return config

    def write_config(self, kind: RunKind, config: dict[str, Any]) -> None:
        """Write `config.json` = {"kind": ..., **config}; refuses a folder that holds another kind of run."""
        self.check_kind(kind)
        atomic.write_json(self.path / CONFIG_FILE, {"kind": kind, **config})

    def check_kind(self, kind: RunKind) -> None:
        """Raise if this folder cannot hold a run of `kind`: not a folder, or already holding a run of another kind."""
        self.check_folder()
        path = self.path / CONFIG_FILE
        if path.is_file():
            existing = self.read_config().get("kind")
            if existing != kind:
                raise LookbookError(f"{self.path} holds a {existing!r} run, not a {kind!r} run; choose another --run folder")

    # status -------------------------------------------------------------
    def read_status(self) -> dict[str, Any]:
        """status.json, with `state` downgraded to "failed" (stale) when a running process has vanished."""
        path = self.path / STATUS_FILE
        if not path.is_file():
            return {"state": "created"}
        status = read_json(path)
        if status is None:
            return {"state": "failed", "reason": "status.json is unreadable"}
        if status.get("state") == "running" and status.get("host") == socket.gethostname() and not _holder_alive(status):
            status = {**status, "state": "failed", "stale": True, "reason": "the training process is gone (killed or crashed)"}
        return status

    def write_status(self, state: RunState, **fields: Any) -> None:
        """Replace status.json; `updated` (unix seconds), host, pid (default: this process) and its start time are filled in."""
        pid = int(fields.pop("pid", os.getpid()))
        fields.pop("pid_start", None)
        record = {
            "state": state,
            "pid": pid,
            "pid_start": process_start_ticks(pid),
            "host": socket.gethostname(),
            "updated": time.time(),
        }
        atomic.write_json(self.path / STATUS_FILE, {**record, **fields})

    # metrics ------------------------------------------------------------
    def append_metrics(self, row: dict[str, Any]) -> None:
        """Append one JSON object to metrics.jsonl (a line at a time, flushed)."""
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / METRICS_FILE, "a", encoding="utf-8") as f:
            f.write(json.dumps(row, default=atomic._json_default) + "\n")
            f.flush()

    def read_metrics(self) -> list[dict[str, Any]]:
        """All complete rows of metrics.jsonl (a half-written last line is ignored)."""
        path = self.path / METRICS_FILE
        if not path.is_file():
            return []
        rows = (_parse_object(line) for line in path.read_text(encoding="utf-8", errors="replace").splitlines())
        return [row for row in rows if row is not None]

    def clear_metrics(self) -> None:
        """Remove metrics.jsonl (a fresh start in a folder whose earlier attempt left rows but no checkpoint)."""
        (self.path / METRICS_FILE).unlink(missing_ok=True)

    def truncate_metrics(self, keep: Any) -> None:
        """Keep only rows for which `keep(row)` is true (used on resume to drop rows past the checkpoint)."""
        rows = [r for r in self.read_metrics() if keep(r)]
        atomic.write_text(self.path / METRICS_FILE, "".join(json.dumps(r) + "\n" for r in rows))

    def holds_training_output(self) -> bool:
        """Whether the folder already holds (part of) a trained run, which a fresh start would mix with its own.

        The metrics of a run that failed before its first checkpoint do not count: it left nothing to resume, so a new
        start replaces them instead of reaching a dead end.
        """
        files = (CHECKPOINT_FILE, PREVIOUS_CHECKPOINT_FILE, *MODEL_FILES.values())
        metrics = self.path / METRICS_FILE
        return any((self.path / name).is_file() for name in files) or (
            metrics.is_file() and metrics.stat().st_size > 0 and self.read_status().get("state") != "failed"
        )

    # stop flag ----------------------------------------------------------
    def request_stop(self) -> None:
        """Ask the trainer to stop after its next checkpoint."""
        self.path.mkdir(parents=True, exist_ok=True)
        (self.path / STOP_FILE).touch()

    def stop_requested(self) -> bool:
        return (self.path / STOP_FILE).exists()

    def clear_stop(self) -> None:
        (self.path / STOP_FILE).unlink(missing_ok=True)

    # lock ---------------------------------------------------------------
    def acquire_lock(self) -> None:
        """Claim the run for this process, or raise a one-line error naming the live holder.

        The claim is an flock on `run.lock`: the kernel grants it to one process however many race, and drops it
        when its holder dies, so a killed run never blocks the folder. The file also names the holder (pid, host)
        for readers, and a live holder it names is respected even without the flock (another host, older versions).
        Stale temp files of killed writers are removed once the lock is held.
        """
        self.check_folder()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LookbookError(f"cannot create {self.path}: {exc.strerror or exc}") from None
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            fd = self._try_lock()
            if fd is not None:
                break
            if time.monotonic() >= deadline:
                raise self._busy()
            time.sleep(0.02)
        with _held_guard:
            _held_locks[self.path] = fd
        for folder in (self.path, self.samples_dir):
            atomic.remove_stale_temps(folder, pid_alive)

    def _try_lock(self) -> int | None:
        """The fd of the locked, current `run.lock`, or None to retry; raises while a live holder keeps it."""
        lock = self.path / LOCK_FILE
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, atomic.file_mode())
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                    raise
                holder = self.lock_holder()
                if holder and _holder_alive(holder):
                    raise self._busy() from None
                return None  # the holder is still writing its details, or letting go: look again
            try:
                current = os.stat(lock).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                current = False
            if not current:
                return None  # the previous holder removed this file after we opened it; lock the new one
            holder = _parse_object(os.pread(fd, 4096, 0))
            if holder and holder.get("pid") != os.getpid() and _respected(holder):
                raise self._busy()
            info = {"pid": os.getpid(), "pid_start": process_start_ticks(os.getpid()), "host": socket.gethostname()}
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps({**info, "since": time.time()}).encode(), 0)
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _busy(self) -> LookbookError:
        holder = self.lock_holder() or {}
        if _other_host(holder):
            return LookbookError(
                f"{self.path} is locked by host {holder['host']}; delete {self.path / LOCK_FILE} if that run is dead"
            )
        who = f"process {holder['pid']}" if holder.get("pid") else "another process"
        return LookbookError(f"{self.path} is already being written by {who}; stop it first")

    def lock_holder(self) -> dict[str, Any] | None:
        return read_json(self.path / LOCK_FILE)

    def refuse_if_locked(self) -> None:
        """A one-line error while a live process writes the run (acquire_lock() settles races; this fails fast)."""
        if self.is_locked():
            raise self._busy()

    def is_locked(self) -> bool:
        """True while a live process holds the lock."""
        holder = self.lock_holder()
        return holder is not None and _respected(holder)

    def release_lock(self) -> None:
        """Give up this process's claim; the lock file goes while still locked, so no contender locks a dead file."""
        with _held_guard:
            fd = _held_locks.pop(self.path, None)
        if fd is not None:
            try:
                (self.path / LOCK_FILE).unlink(missing_ok=True)
            finally:
                os.close(fd)
            return
        holder = self.lock_holder()
        if holder and holder.get("pid") == os.getpid():
            (self.path / LOCK_FILE).unlink(missing_ok=True)


def _other_host(holder: dict[str, Any]) -> bool:
    host = holder.get("host")
    return isinstance(host, str) and host != socket.gethostname()


def _respected(holder: dict[str, Any]) -> bool:
    """Whether a lock file's holder counts: alive here, or on another host (which cannot be checked from here, and
    which flock may not reach across a network file system)."""
    return _other_host(holder) or _holder_alive(holder)


def read_json(path: Path) -> dict[str, Any] | None:
    """A run file's JSON object, or None when it is missing, unreadable or something else (a list, a number)."""
    try:
        return _parse_object(path.read_bytes())
    except OSError:
        return None


def _parse_object(data: bytes | str) -> dict[str, Any] | None:
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):  # ValueError: bad JSON or UTF-8; RecursionError: absurd nesting
        return None
    return value if isinstance(value, dict) else None
