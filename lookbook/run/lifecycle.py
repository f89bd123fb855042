"""A trainer's hold on its run folder: the lock, a fresh start, stop requests (STOP file, signals, time budget) and
`failed` with a reason when training raises. Every trainer runs inside one."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

from lookbook.errors import LookbookError
from lookbook.run.folder import RunDir

StatusWriter = Callable[..., None]  # write_status(state, **fields)


def failure_reason(exc: BaseException) -> str:
    """The `reason` of a run that `exc` ended: a LookbookError's own words, else the exception's type and first line."""
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    if isinstance(exc, LookbookError):
        return str(exc)
    first_line = str(exc).splitlines()[0][:300] if str(exc) else ""
    return f"{type(exc).__name__}: {first_line}"


class RunLifecycle:
    """`with RunLifecycle(rd) as life:` holds the run's lock, clears an old STOP (and, with `fresh`, old metrics), and
    marks the run `failed` with a reason if the block raises; the lock goes when the block ends, however it ends.

    Only the `writer` process touches the folder (the chief of a multi-worker run); the others just train.
    `status` writes status.json on failure: the run folder's own writer until the trainer sets a richer one.
    """

    def __init__(self, rd: RunDir, *, fresh: bool = False, writer: bool = True) -> None:
        self.rd, self.fresh, self.writer = rd, fresh, writer
        self.status: StatusWriter = rd.write_status
        self.stop_reason: str | None = None  # why training should stop early, once asked to
        self.budget_spent = False  # the time budget ended training: the run is `finished`, not `stopped`

    def __enter__(self) -> RunLifecycle:
        if self.writer:
            self.rd.acquire_lock()
            try:
                self.rd.clear_stop()  # a STOP left from an earlier stop must not end this run at once
                if self.fresh:
                    self.rd.clear_metrics()  # rows of an attempt that died before its first checkpoint
            except BaseException:
                self.rd.release_lock()
                raise
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        try:
            if exc is not None and self.writer:
                with contextlib.suppress(Exception):  # the original error says more than a failed status write
                    self.status("failed", reason=failure_reason(exc))
        finally:
            if self.writer:
                self.rd.release_lock()

    def should_stop(self, used_s: float, budget_s: float) -> bool:
        """Whether training should end now: the time budget (`budget_s`, 0 for none) spent, a STOP file, or a signal."""
        if budget_s and used_s >= budget_s:
            self.budget_spent = True
        if self.stop_reason is None and self.rd.stop_requested():
            self.stop_reason = "stop requested (STOP file)"
        return self.budget_spent or self.stop_reason is not None

    @contextlib.contextmanager
    def stop_signals(self) -> Iterator[None]:
        """SIGTERM, and a first Ctrl-C, ask for a clean stop (checkpoint, `stopped`); a second Ctrl-C interrupts."""

        def handle(signum: int, frame: Any) -> None:
            if signum == signal.SIGINT and self.stop_reason is not None:
                raise KeyboardInterrupt
            self.stop_reason = f"stopped by {signal.Signals(signum).name}"

        saved = {}
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                saved[sig] = signal.signal(sig, handle)
        try:
            yield
        finally:
            for sig, handler in saved.items():
                signal.signal(sig, handler)
