"""Run directories (the contract the app reads): config, status, metrics log, samples, lock."""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from lookbook import atomic
from lookbook.errors import LookbookError

RunKind = Literal["gan", "classifier"]
RunState = Literal["created", "running", "finished", "stopped", "failed"]

CONFIG_FILE = "config.json"
STATUS_FILE = "status.json"
METRICS_FILE = "metrics.jsonl"
LOCK_FILE = "run.lock"
STOP_FILE = "STOP"
SAMPLES_DIR = "samples"


def process_start_ticks(pid: int) -> int | None:
    """Start time of `pid` in clock ticks since boot (Linux /proc), to tell a live process from a recycled pid."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[19]) if len(fields) > 19 else None


def pid_alive(pid: int, start_ticks: int | None = None) -> bool:
    """True if `pid` is a live (not zombie) process on this host and, when given, started at `start_ticks`."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
        if state[state.rindex(")") + 2 :].startswith("Z"):
            return False  # exited but not yet reaped by its parent
    except OSError:
        pass
    if start_ticks is not None:
        now = process_start_ticks(pid)
        if now is not None and now != start_ticks:
            return False  # the pid was recycled by another process
    return True


def _holder_alive(info: dict[str, Any]) -> bool:
    return pid_alive(int(info.get("pid", -1)), info.get("pid_start"))


@dataclass(frozen=True)
class RunDir:
    """One run's folder. Only the trainer writes; the app and CLI only read."""

    path: Path

    @classmethod
    def at(cls, path: str | Path) -> RunDir:
        return cls(Path(path).expanduser().resolve())

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def samples_dir(self) -> Path:
        return self.path / SAMPLES_DIR

    def sample_path(self, epoch: int, suffix: str = "") -> Path:
        """`samples/epoch_NNNN.png` (with `suffix`, e.g. `_tshirt`, for per-class grids)."""
        return self.samples_dir / f"epoch_{epoch:04d}{suffix}.png"

    # config -------------------------------------------------------------
    def read_config(self) -> dict[str, Any]:
        path = self.path / CONFIG_FILE
        if not path.is_file():
            raise LookbookError(f"{self.path} is not a run directory (no {CONFIG_FILE})")
        try:
            return json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise LookbookError(f"{path} is not valid JSON ({exc.msg}, line {exc.lineno})") from None

    def write_config(self, kind: RunKind, config: dict[str, Any]) -> None:
        """Write `config.json` = {"kind": ..., **config}; refuses a folder that holds another kind of run."""
        self.check_kind(kind)
        atomic.write_json(self.path / CONFIG_FILE, {"kind": kind, **config})

    def check_kind(self, kind: RunKind) -> None:
        """Raise if this folder already holds a run of another kind."""
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
        try:
            status = json.loads(path.read_text())
        except json.JSONDecodeError:
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
        rows = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return rows

    def truncate_metrics(self, keep: Any) -> None:
        """Keep only rows for which `keep(row)` is true (used on resume to drop rows past the checkpoint)."""
        rows = [r for r in self.read_metrics() if keep(r)]
        atomic.write_text(self.path / METRICS_FILE, "".join(json.dumps(r) + "\n" for r in rows))

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
        """Claim the run for this process; a lock held by a live process is an error, a stale one is cleared."""
        self.path.mkdir(parents=True, exist_ok=True)
        lock = self.path / LOCK_FILE
        for _ in range(2):
            try:
                fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                holder = self.lock_holder()
                if holder and holder.get("host") == socket.gethostname() and _holder_alive(holder):
                    raise LookbookError(
                        f"{self.path} is already being written by process {holder['pid']}; stop it first"
                    ) from None
                if holder and holder.get("host") not in (None, socket.gethostname()):
                    raise LookbookError(
                        f"{self.path} is locked by host {holder['host']}; delete {lock} if that run is dead"
                    ) from None
                lock.unlink(missing_ok=True)  # stale: its process is gone
                continue
            with os.fdopen(fd, "w") as f:
                json.dump(
                    {
                        "pid": os.getpid(),
                        "pid_start": process_start_ticks(os.getpid()),
                        "host": socket.gethostname(),
                        "since": time.time(),
                    },
                    f,
                )
            return
        raise LookbookError(f"could not lock {self.path}")

    def lock_holder(self) -> dict[str, Any] | None:
        try:
            return json.loads((self.path / LOCK_FILE).read_text())
        except (OSError, json.JSONDecodeError):
            return None

    def is_locked(self) -> bool:
        """True while a live process holds the lock."""
        holder = self.lock_holder()
        return bool(holder) and (holder.get("host") != socket.gethostname() or _holder_alive(holder))

    def release_lock(self) -> None:
        holder = self.lock_holder()
        if holder and holder.get("pid") == os.getpid():
            (self.path / LOCK_FILE).unlink(missing_ok=True)
