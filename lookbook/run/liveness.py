"""Whether a process is alive, is ours and handles a signal.

Read from Linux /proc: neither the standard library nor an installed dependency tells a zombie or a recycled pid
from a live process, or says which signals a process catches.
"""

from __future__ import annotations

import os
from pathlib import Path


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (state first), or None without them."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2 :].split()


def process_start_ticks(pid: int) -> int | None:
    """Start time of `pid` in clock ticks since boot, to tell a live process from a recycled pid."""
    fields = _stat_fields(pid)
    return int(fields[19]) if fields is not None and len(fields) > 19 else None


def pid_alive(pid: int, start_ticks: int | None = None) -> bool:
    """True if `pid` is a live (not zombie) process on this host and, when given, started at `start_ticks`."""
    if not 0 < pid < 2**31:  # pids are positive C ints; os.kill() overflows beyond
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    fields = _stat_fields(pid)
    if fields and fields[0] == "Z":
        return False  # exited but not yet reaped by its parent
    if start_ticks is not None:
        now = process_start_ticks(pid)
        if now is not None and now != start_ticks:
            return False  # the pid was recycled by another process
    return True


def catches(pid: int, signum: int) -> bool | None:
    """Whether process `pid` has a handler for `signum` (SigCgt); None when it cannot be told."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (signum - 1) & 1)
    return None


def is_trainer(pid: int) -> bool:
    """Whether `pid` runs lookbook, so a recycled pid never gets our SIGTERM."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return not Path("/proc/self").exists()  # without /proc we cannot tell: trust the run's own records
    return b"lookbook" in cmdline
