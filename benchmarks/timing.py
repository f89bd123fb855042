"""Timing for the benchmarks: wall and process CPU time of repeated calls after untimed warm-ups."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

CPU_TIMES: list[list[float]] = []  # process CPU seconds of the latest timed() calls, for a shared, loaded machine


def timed(fn: Callable[[], object], repeats: int, warmup: int = 3) -> list[float]:
    """Wall times (s) of `repeats` calls after `warmup` untimed ones; CPU times go to CPU_TIMES[-1]."""
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    CPU_TIMES.append(cpu)
    return wall


def median_times(fn: Callable[[], object], repeats: int, warmup: int = 1) -> tuple[float, float]:
    """(median wall s, median process CPU s) of `repeats` calls after `warmup` untimed ones."""
    wall = timed(fn, repeats, warmup)
    return statistics.median(wall), statistics.median(CPU_TIMES[-1])
