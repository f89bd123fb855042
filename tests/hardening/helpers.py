"""Hardening test helpers: the real CLI in a memory-capped subprocess, and the one-line error every bad input must get."""

from __future__ import annotations

import resource
import subprocess
import sys

from tests.conftest import ROOT
from tests.gan.conftest import cli_env

MEMORY_CAP_MB = 1536  # far above what the commands need on these inputs; a regression that pads to a huge square dies here


def run_capped(*args: object, memory_mb: int = MEMORY_CAP_MB, timeout_s: float = 120) -> subprocess.CompletedProcess:
    """`python -m lookbook ARGS` with its address space capped, so a runaway allocation fails the test, not the machine."""

    def cap() -> None:
        limit = memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    command = [sys.executable, "-m", "lookbook", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, cwd=ROOT, env=cli_env(), preexec_fn=cap)


def assert_one_line_error(stderr: str, *fragments: str) -> None:
    """stderr holds one `error: ...` line (progress lines aside) containing every fragment, and no traceback."""
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, stderr
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
