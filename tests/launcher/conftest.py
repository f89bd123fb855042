"""Launcher test fixtures: no trainer a test started outlives it, even when the test fails."""

from __future__ import annotations

import contextlib
import os
import signal

import pytest

from lookbook.run import liveness
from lookbook.run.folder import RunDir


@pytest.fixture(autouse=True)
def no_leftover_trainers(tmp_path):
    """After each test, SIGKILL any trainer still writing a run folder under its tmp_path."""
    yield
    for status in tmp_path.rglob("status.json"):
        rd = RunDir.at(status.parent)
        pids = {int(rd.read_status().get("pid", -1)), int((rd.lock_holder() or {}).get("pid", -1))}
        for pid in pids:
            if pid != os.getpid() and liveness.pid_alive(pid) and liveness.is_trainer(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
