"""Helpers for the launcher tests: hand-made run folders, a pid that is certainly gone, waiting on a live run."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lookbook.run.folder import RunDir


def dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def make_run(
    root: Path,
    name: str,
    kind: str = "gan",
    state: str = "finished",
    metrics: tuple[dict[str, Any], ...] = (),
    config: dict[str, Any] | None = None,
    **status: Any,
) -> RunDir:
    """A run folder as a trainer leaves it: config.json, metrics.jsonl, status.json."""
    rd = RunDir.at(root / name)
    rd.write_config(kind, {"preset": "quick", **(config or {"g_lr": 2e-4, "batch_size": 8, "epochs": 3})})
    for row in metrics:
        rd.append_metrics(row)
    rd.write_status(state, **status)
    return rd


def wait_until(predicate: Callable[[], Any], what: str, timeout_s: float, poll_s: float = 0.2) -> Any:
    """The first true value of `predicate()`, polled every `poll_s`; fails naming `what` after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(poll_s)
    raise AssertionError(f"timed out waiting for {what}")
