"""Benchmark: `prepare_dataset` at 64 px on 2 workers vs a plain one-process Pillow loop, and its peak memory.

Targets: >= 300 images/s from 1080-2400 px JPEGs (fixtures/fpid-fullsize, repeated), >= 1,000 images/s from
224 px JPEGs (fixtures/fpid/images), peak RSS (this process + workers) < 1.5 GB for 100k records.
Run by hand (sizes are flags; the memory stage runs in a fresh process so earlier stages do not count):

    python benchmarks/bench_prepare.py [--fullsize-records 1500] [--small-records 6000] [--memory-records 100000]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# Heavy imports live inside the functions: spawned workers re-import this script, and the real entry
# points (the CLI, the app) are just as light.

DEFAULT_FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
SIZE_PX = 64
TARGETS = {"fullsize": 300, "small": 1000}
MEMORY_TARGET_MB = 1500


def repeated_records(folder: Path, n: int):
    """n records cycling over the FPID images in `folder`, each with its own record id."""
    import pandas as pd

    from lookbook.data.fpid import load_fpid

    base, _ = load_fpid(folder)
    reps = -(-n // len(base))
    records = pd.concat([base] * reps, ignore_index=True).iloc[:n].copy()
    records["record_id"] = [f"{rid}#{i}" for i, rid in enumerate(records["record_id"])]
    return records


def naive_rate(paths: list[str]) -> float:
    """Baseline images/s: open, convert to RGB, resize, in one process."""
    from PIL import Image

    t0 = time.perf_counter()
    for path in paths:
        with Image.open(path) as im:
            im.convert("RGB").resize((SIZE_PX, SIZE_PX))
    return len(paths) / (time.perf_counter() - t0)


def cpu_seconds() -> float:
    """CPU time of this process and its finished children."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def speed_stage(name: str, folder: Path, n: int, n_baseline: int, workers: int) -> None:
    from lookbook.data.prepare import prepare_dataset
    from lookbook.data.report import IngestReport

    records = repeated_records(folder, n)
    with tempfile.TemporaryDirectory(prefix=f"bench_prepare_{name}_") as tmp:
        c0, t0 = cpu_seconds(), time.perf_counter()
        ds = prepare_dataset(Path(tmp) / "ds", records, IngestReport(), image_size_px=SIZE_PX, workers=workers)
        wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
        assert len(ds) == n, f"{n - len(ds)} records failed: {ds.report['skipped']}"
    ours = n / wall
    base = naive_rate(records["image_path"].tolist()[:n_baseline])
    verdict = "met" if ours >= TARGETS[name] else "NOT met"
    print(f"[{name}] prepare_dataset: {n} images in {wall:.1f} s = {ours:,.0f} images/s on {workers} workers")
    print(f"[{name}] plain one-process loop: {base:,.0f} images/s over {min(n, n_baseline)} images")
    print(f"[{name}] ratio (ours / plain): {ours / base:.2f}; target >= {TARGETS[name]:,} images/s wall-clock: {verdict}")
    print(f"[{name}] per CPU-second (self + workers): {n / cpu:,.0f} images/s  (load average {os.getloadavg()[0]:.1f})")


def tree_rss_mb(pid: int) -> float:
    """Resident memory of `pid` and all its descendants, MB (sampled from /proc)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack.extend(int(c) for c in f.read().split())
        except (OSError, StopIteration, ValueError):
            continue  # a worker that just exited
    return total / 1024


def memory_stage(folder: Path, n: int, workers: int) -> None:
    """Run in a fresh process: prepare n records while sampling the RSS of this process tree."""
    from lookbook.data.prepare import prepare_dataset
    from lookbook.data.report import IngestReport

    records = repeated_records(folder, n)
    peak = [tree_rss_mb(os.getpid())]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.05):
            peak[0] = max(peak[0], tree_rss_mb(os.getpid()))

    sampler = threading.Thread(target=sample, daemon=True)
    with tempfile.TemporaryDirectory(prefix="bench_prepare_memory_") as tmp:
        sampler.start()
        t0 = time.perf_counter()
        ds = prepare_dataset(Path(tmp) / "ds", records, IngestReport(), image_size_px=SIZE_PX, workers=workers)
        wall = time.perf_counter() - t0
        stop.set()
        sampler.join()
        cache_mb = ds.images.nbytes / 2**20
    own_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kid_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    verdict = "met" if peak[0] < MEMORY_TARGET_MB else "NOT met"
    print(f"[memory] {n} records in {wall:.0f} s ({n / wall:,.0f} images/s); image cache {cache_mb:,.0f} MB on disk")
    print(f"[memory] peak RSS of the process tree (sampled): {peak[0]:,.0f} MB; target < {MEMORY_TARGET_MB:,} MB: {verdict}")
    bound = own_mb + workers * kid_mb  # sampling can miss a short peak; this cannot be exceeded
    print(f"[memory] ru_maxrss: main {own_mb:,.0f} MB, largest worker {kid_mb:,.0f} MB; upper bound {bound:,.0f} MB")
    print(f"[memory] ratio vs holding the cache in memory: {peak[0] / cache_mb:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fullsize-records", type=int, default=1500, help="records over the full-size JPEGs (0 skips)")
    parser.add_argument("--small-records", type=int, default=6000, help="records over the 224 px JPEGs (0 skips)")
    parser.add_argument("--memory-records", type=int, default=100_000, help="records for the peak-memory stage (0 skips)")
    parser.add_argument("--baseline-records", type=int, default=300, help="images timed in the plain loop")
    parser.add_argument("--memory-only", action="store_true", help=argparse.SUPPRESS)  # the fresh-process stage
    args = parser.parse_args()
    small, fullsize = args.fixtures / "fpid", args.fixtures / "fpid-fullsize"
    if args.memory_only:
        memory_stage(small, args.memory_records, args.workers)
        return
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    if args.fullsize_records:
        speed_stage("fullsize", fullsize, args.fullsize_records, args.baseline_records, args.workers)
    if args.small_records:
        speed_stage("small", small, args.small_records, args.baseline_records * 4, args.workers)
    if args.memory_records:
        cmd = [sys.executable, __file__, "--memory-only", "--memory-records", str(args.memory_records)]
        cmd += ["--workers", str(args.workers), "--fixtures", str(args.fixtures)]
        subprocess.run(cmd, check=True)


if __name__ == "__main__":
    main()
