"""Work done on a background thread after a click has been shown: rerolls drawn ahead, drafts written.

A worker runs queued jobs one at a time on one daemon thread, shared by every user. Each owner (a user's open
lookbook, a draft file) has one queue, replaced whole when it asks again, so work for a state that has moved on is
dropped before it starts; and a queue starts `delay_s` after it was asked for, so the work never competes with
showing the click's result.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable, Sequence

log = logging.getLogger(__name__)

Job = tuple[Hashable, Callable[[], object]]  # (key, function); the result is dropped: jobs fill caches or write files


class BackgroundWorker:
    """A daemon thread running queued jobs, the queue due first first."""

    def __init__(self, name: str, delay_s: float):
        self.name, self.delay_s = name, delay_s
        self._queues: dict[Hashable, tuple[float, list[Job]]] = {}
        self._running: tuple[Hashable, Hashable] | None = None  # (owner, key) of the job in progress
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def schedule(self, owner: Hashable, jobs: Sequence[Job]) -> None:
        """Run `jobs` in order, `delay_s` from now, instead of whatever `owner` had queued."""
        with self._cond:
            self._queues[owner] = (time.monotonic() + self.delay_s, list(jobs))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def cancel(self, owner: Hashable) -> None:
        """Drop what `owner` has queued (a job already running finishes)."""
        with self._cond:
            self._queues.pop(owner, None)

    def wait(self, key: Hashable, timeout_s: float = 10.0) -> None:
        """If the job `key` is running, wait until it is done (its result is then cached: doing it again on the
        caller's thread would only share the cores with it)."""
        self._wait_while(lambda: self._running is not None and self._running[1] == key, timeout_s)

    def flush(self, owner: Hashable | None = None, timeout_s: float = 30.0) -> bool:
        """Run what `owner` (or anyone, when None) has queued now, and wait until it is done; False on timeout."""
        with self._cond:
            for who, (_, jobs) in list(self._queues.items()):
                if owner is None or who == owner:
                    self._queues[who] = (0.0, jobs)
            self._cond.notify_all()
        mine = (lambda who: True) if owner is None else (lambda who: who == owner)
        return self._wait_while(
            lambda: any(mine(who) for who in self._queues) or (self._running is not None and mine(self._running[0])),
            timeout_s,
        )

    def _wait_while(self, busy: Callable[[], bool], timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while busy() and time.monotonic() < deadline:
                self._cond.wait(min(0.05, max(0.0, deadline - time.monotonic())))
            return not busy()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queues:
                    self._cond.wait()
                owner, (due, jobs) = min(self._queues.items(), key=lambda item: item[1][0])
                if due > time.monotonic():
                    self._cond.wait(due - time.monotonic())
                    continue
                key, job = jobs.pop(0)
                if not jobs:
                    del self._queues[owner]
                self._running = (owner, key)
            try:
                job()
            except Exception:  # background work must never take the worker down; a click does it again if needed
                log.exception("%s: job %r failed", self.name, key)
            with self._cond:
                self._running = None
                self._cond.notify_all()


# rerolls are drawn ahead this long after the page asks: once its rerun's messages and new image have gone out (about
# 0.1-0.2 s on two busy cores), so the worker's share of the GIL does not slow them; a designer looks longer than that
AFTER_PAINT_S = 0.3
PREFETCH = BackgroundWorker("lookbook-prefetch", AFTER_PAINT_S)
