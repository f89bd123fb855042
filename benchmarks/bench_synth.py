"""Benchmark `data synth`: images/s over 2 worker processes vs a one-process baseline measured in the same run.

Run by hand: `python benchmarks/bench_synth.py [--images 5000] [--baseline-images 5000] [--workers 2]`.
Target: 5,000 images in under 60 s on 2 cores. The machine may be shared; the CPU time per image is printed too,
since it does not depend on how busy the other cores are.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lookbook.data import synth


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children (the workers)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure(n_images: int, workers: int, seed: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds) to generate n_images into a fresh folder."""
    with tempfile.TemporaryDirectory(prefix="bench_synth_") as tmp:
        cpu, start = _cpu_s(), time.perf_counter()
        synth.generate(Path(tmp) / "out", n_images, seed=seed, workers=workers, show_progress=False)
        return time.perf_counter() - start, _cpu_s() - cpu


def _autogroup() -> bool:
    try:
        return Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    """Print images/s for the parallel run, the one-process baseline, and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=5000, help="images for the parallel run (default 5000)")
    parser.add_argument("--baseline-images", type=int, default=5000, help="images for the one-process baseline")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(f"cores: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.1f}")
    wall, cpu = measure(args.images, args.workers, args.seed)
    rate = args.images / wall
    print(
        f"synth, {args.workers} workers: {args.images} images in {wall:.1f} s = {rate:.1f} images/s "
        f"({1000 * cpu / args.images:.1f} ms CPU per image, {cpu / wall:.2f} cores used)"
    )
    base_wall, base_cpu = measure(args.baseline_images, 1, args.seed)
    base_rate = args.baseline_images / base_wall
    print(
        f"baseline, 1 process: {args.baseline_images} images in {base_wall:.1f} s = {base_rate:.1f} images/s "
        f"({1000 * base_cpu / args.baseline_images:.1f} ms CPU per image, {base_cpu / base_wall:.2f} cores used)"
    )
    print(f"ratio parallel / baseline: {rate / base_rate:.2f}x")
    print(
        f"5,000 images would take {5000 / rate:.1f} s at this rate (target < 60 s); "
        f"on {args.workers} otherwise idle cores about {5000 * cpu / args.images / args.workers:.1f} s"
    )
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    if _autogroup():
        print("note: kernel autogroup scheduling is on: on a busy machine this session gets one fair share of CPU however")
        print("      many workers it runs, so 'cores used' and the ratio understate the speedup on idle cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
