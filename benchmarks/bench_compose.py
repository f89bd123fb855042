"""Composer speed at realistic model size: reroll one slot, compose a 4-slot page, export a 10-page PDF.

Run by hand: `python benchmarks/bench_compose.py [--repeats 40]`. Models are cs230-shaped (64 px DCGAN generator,
noise 90 -> Dense 4x4x512 -> Conv2DTranspose 256, 128, 64 -> 3; a small CNN classifier), untrained: speed only.
Every figure is printed with its ratio to a baseline measured in the same run: one bare (eager Keras) generator
forward pass of a single latent. Targets: reroll p95 < 100 ms, 4-slot page < 300 ms, 10-page PDF < 5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from benchmarks._compose_models import save_pair
from lookbook.compose import GARMENTS, Session, Studio
from lookbook.compose.render import TILES

CATEGORIES = ("shirt", "tshirt", "jeans", "trousers", "sports_shoes", "casual_shoes", "wallet", "backpack", "handbag", "watch")


def timed(fn, repeats: int, warmup: int = 3) -> list[float]:
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


CPU_TIMES: list[list[float]] = []  # process CPU seconds of the latest timed() calls, for a shared, loaded machine


def p95(xs: list[float]) -> float:
    return float(np.percentile(xs, 95))


def report(name: str, seconds: float, baseline: float, target: float | None = None) -> None:
    verdict = "" if target is None else f"  target < {target * 1000:.0f} ms: {'met' if seconds < target else 'MISSED'}"
    cpu = f"cpu p50 {statistics.median(CPU_TIMES[-1]) * 1000:7.1f} ms" if CPU_TIMES else ""
    print(f"{name:<56} {seconds * 1000:8.1f} ms {seconds / baseline:6.1f}x baseline   {cpu}{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=40)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench_compose_"))
    studios = {}
    for kind, conditional in (("conditional", True), ("unconditional", False)):
        g, c = save_pair(folder / kind, CATEGORIES, conditional=conditional, size="cs230")
        studios[kind] = Studio.open(g, c)
    cond = studios["conditional"]
    z = np.random.default_rng(0).standard_normal((1, cond.noise_dim)).astype(np.float32)
    label = np.zeros(1, np.int32)

    # baselines: the bare generator forward pass, eager Keras vs the studio's compiled tf.function
    print(f"cpu cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}, repeats: {args.repeats}")
    baseline = statistics.median(timed(lambda: np.asarray(cond.generator.model([z, label], training=False)), args.repeats))
    report("baseline: bare generator forward, eager (median)", baseline, baseline)
    compiled = timed(lambda: cond.generate(z, ["shirt"]), args.repeats)
    report("generator forward via tf.function + uint8 (median)", statistics.median(compiled), baseline)
    z64 = np.random.default_rng(1).standard_normal((64, cond.noise_dim)).astype(np.float32)
    labels64 = np.zeros(64, np.int32)
    report(
        "  batch of 64, eager (median)",
        statistics.median(timed(lambda: cond.generator.model([z64, labels64], training=False), 5)),
        baseline,
    )
    report(
        "  batch of 64, tf.function (median)", statistics.median(timed(lambda: cond.generate(z64, ["shirt"] * 64), 5)), baseline
    )

    for kind, studio in studios.items():
        session = Session.new(studio, template="cs230", seed=1)

        def reroll(session=session):
            session.reroll(0, 1)  # generate + classify (a fresh seed: never cached)
            session.harmony(0)  # palettes + score
            session.render(0)  # the whole A4 page at 150 dpi

        times = timed(reroll, args.repeats)
        report(f"reroll one slot + harmony + page render, {kind} (p50)", statistics.median(times), baseline)
        report(f"reroll one slot + harmony + page render, {kind} (p95)", p95(times), baseline, 0.100)

        def compose(session=session):
            session.add_page("cs230")  # four fresh slots
            session.render(len(session.pages) - 1)

        times = timed(compose, max(5, args.repeats // 4))
        report(f"compose a 4-slot page + render, {kind} (p95)", p95(times), baseline, 0.300)

    book = Session.new(cond, template="cs230", pages=10, seed=2, title="Benchmark")
    book.pdf()  # warm fonts and code paths
    GARMENTS.clear()
    TILES.clear()
    t, c = time.perf_counter(), time.process_time()
    data = book.pdf()
    pdf_s = time.perf_counter() - t
    CPU_TIMES.append([time.process_time() - c])
    report(f"PDF export of 10 pages, cold caches ({len(data) / 1e6:.1f} MB)", pdf_s, baseline, 5.0)


if __name__ == "__main__":
    main()
