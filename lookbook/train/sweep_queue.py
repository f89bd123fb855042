"""The sweep queue: sweeps started from the app run one after another in the background (one training at a time on a
small machine), each recorded in `<runs root>/.sweeps/<name>.json`, so every tab and every reload sees what is queued,
running, finished or cancelled. The sweep itself is `python -m lookbook sweep ... --queue`, a detached process.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from lookbook import atomic
from lookbook.errors import LookbookError
from lookbook.run import process
from lookbook.run.liveness import pid_alive, process_start_ticks

QUEUE_DIR = ".sweeps"
LOCK_FILE = "queue.lock"
POLL_S = 2.0
ACTIVE_STATES = ("queued", "running", "cancelling")
DONE_STATES = ("finished", "cancelled", "failed")


@dataclass(frozen=True)
class SweepRequest:
    """A sweep as the page asks for it: the `python -m lookbook sweep` options, one field each."""

    name: str  # runs are <runs root>/<name>-001, ...
    data: str  # prepared dataset folder
    kind: str = "gan"
    preset: str | None = None  # None: the trainer's default preset
    grid: tuple[str, ...] = ()  # "key=v1,v2" items: every combination is run
    random: tuple[str, ...] = ()  # "key=lo..hi[:log]" items: drawn `trials` times
    trials: int | None = None  # random draws (None: the sweep's default when a range is given)
    sets: tuple[str, ...] = ()  # fixed "key=value" for every run (e.g. the time budget max_minutes=3)
    seed: int = 0  # seeds the random draws
    score_with: str | None = None  # classifier that scores each run when it ends

    def plan(self, root: str | Path) -> Any:
        """The checked lookbook.train.sweep.SweepPlan (every run's settings and the dataset; LookbookError if not)."""
        from lookbook.train import sweep

        return sweep.plan_sweep(
            self.kind, self.data, root, self.name, self.preset, self.grid, self.random, self.trials, self.seed, self.sets
        )

    def command(self, root: str | Path) -> list[str]:
        """The `python -m lookbook sweep` arguments (without the interpreter) that run this sweep in the queue."""
        args = ["-m", "lookbook", "sweep", "--data", str(self.data), "--root", str(root), "--name", self.name]
        args += ["--kind", self.kind, "--seed", str(self.seed), "--queue"]
        if self.preset:
            args += ["--preset", self.preset]
        for flag, items in (("--grid", self.grid), ("--random", self.random), ("--set", self.sets)):
            for item in items:
                args += [flag, item]
        if self.trials is not None:
            args += ["--trials", str(self.trials)]
        if self.score_with:
            args += ["--score-with", str(self.score_with)]
        return args


def queue_dir(root: str | Path) -> Path:
    return Path(root) / QUEUE_DIR


def record_path(root: str | Path, name: str) -> Path:
    return queue_dir(root) / f"{name}.json"


def log_path(root: str | Path, name: str) -> Path:
    return queue_dir(root) / f"{name}.log"


def queue_sweep(root: str | Path, request: SweepRequest) -> int:
    """Check the sweep (every run's settings, before anything starts), record it and start its process; returns the pid.

    The process waits for the sweeps queued before it, then trains its runs one after another.
    """
    import sys

    root = Path(root).expanduser().resolve()
    check_new_name(root, request.name)
    plan = request.plan(root)
    queue_dir(root).mkdir(parents=True, exist_ok=True)
    write_record(
        root,
        request.name,
        {"request": asdict(request), "state": "queued", "queued": time.time(), "runs": len(plan.trial_values())},
    )
    proc = process.spawn_detached([sys.executable, *request.command(root)], log_path(root, request.name))
    process.reap_in_background(proc)
    update_record(root, request.name, pid=proc.pid, pid_start=process_start_ticks(proc.pid))
    return proc.pid


def check_new_name(root: str | Path, name: str) -> None:
    """Raise unless no sweep of that name was queued or run under `root` (its runs and summary would mix)."""
    from lookbook.train import sweep

    if read_record(root, name) is not None or sweep.summary_paths(root, name)[1].exists():
        raise LookbookError(f"a sweep named {name!r} exists already in {root}; choose another name")


# records --------------------------------------------------------------------------------------------------
def read_record(root: str | Path, name: str) -> dict[str, Any] | None:
    try:
        data = json.loads(record_path(root, name).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_record(root: str | Path, name: str, record: dict[str, Any]) -> None:
    atomic.write_json(record_path(root, name), record)


def update_record(root: str | Path, name: str, **fields: Any) -> dict[str, Any]:
    """Merge `fields` into a sweep's record (a sweep run from a terminal gets one too)."""
    with _record_lock(root):
        record = read_record(root, name) or {"request": {"name": name}, "queued": time.time()}
        record.update(fields)
        write_record(root, name, record)
    return record


def sweep_state(record: dict[str, Any]) -> str:
    """The recorded state, or `failed` when the process behind an active one is gone."""
    state = str(record.get("state", "queued"))
    if state in ACTIVE_STATES and "pid" in record and not pid_alive(int(record["pid"]), record.get("pid_start")):
        return "failed"
    return state


def list_sweeps(root: str | Path) -> list[dict[str, Any]]:
    """Every recorded sweep under `root`, newest first, each with its live `state` and `name`."""
    folder = queue_dir(root)
    records = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        record = read_record(root, path.stem)
        if record is None:
            continue
        records.append({**record, "name": path.stem, "state": sweep_state(record)})
    return sorted(records, key=lambda r: float(r.get("queued") or 0), reverse=True)


def cancel_sweep(root: str | Path, name: str) -> None:
    """Cancel a sweep: a queued one leaves the queue; a running one stops its current run (with a checkpoint)."""
    record = read_record(root, name)
    if record is None:
        raise LookbookError(f"no sweep named {name!r} in {root}")
    if sweep_state(record) not in ACTIVE_STATES:
        return
    update_record(root, name, state="cancelling", cancel_requested=time.time())
    pid = int(record.get("pid", -1))
    if pid_alive(pid, record.get("pid_start")):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)  # the sweep command treats it as Ctrl-C: the current run checkpoints and stops


# the sweep process's side ---------------------------------------------------------------------------------
@contextlib.contextmanager
def turn(root: str | Path, name: str, poll_s: float = POLL_S) -> Iterator[None]:
    """Wait until every sweep queued before this one has ended, then hold the queue while this one runs."""
    root = Path(root)
    queue_dir(root).mkdir(parents=True, exist_ok=True)
    update_record(root, name, pid=os.getpid(), pid_start=process_start_ticks(os.getpid()))
    fd = os.open(queue_dir(root) / LOCK_FILE, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        while True:
            if not _earlier_waiting(root, name):
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    pass
            time.sleep(poll_s)
        update_record(root, name, state="running", started=time.time())
        yield
    finally:
        os.close(fd)


def finish(root: str | Path, name: str, state: str, reason: str | None = None) -> None:
    """Record how the sweep ended: finished, cancelled or failed."""
    update_record(root, name, state=state, ended=time.time(), reason=reason)


def _earlier_waiting(root: Path, name: str) -> bool:
    """Whether a sweep queued before `name` is still waiting for its turn (first come, first served)."""
    mine = read_record(root, name) or {}
    queued = float(mine.get("queued") or time.time())
    return any(
        other["name"] != name and other["state"] == "queued" and float(other.get("queued") or 0) < queued
        for other in list_sweeps(root)
    )


@contextlib.contextmanager
def _record_lock(root: str | Path) -> Iterator[None]:
    """Serialise read-modify-write of records (the page and the sweep process both update them)."""
    queue_dir(root).mkdir(parents=True, exist_ok=True)
    fd = os.open(queue_dir(root) / ".records.lock", os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def progress(root: str | Path, name: str) -> tuple[int, int]:
    """(runs ended, runs planned) of a sweep, from its summary."""
    from lookbook.train import sweep

    rows = sweep.summary_rows(root, name)
    if rows is None:
        record = read_record(root, name) or {}
        return 0, int(record.get("runs") or 0)
    ended = sum(1 for row in rows if row.get("state") in ("finished", "failed", "stopped"))
    return ended, len(rows)
