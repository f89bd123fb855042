"""Composer speed on real models: reroll one slot, compose a 4-slot page, export a 10-page PDF.

Run by hand: `python benchmarks/bench_compose.py [--repeats 40] [--generator G --classifier C]`. The models default to
the shipped checkpoints (the conditional generator and the classifier a designer composes with); pass a run directory
or `.keras` file to measure another, e.g. an unconditional generator. Every figure is printed with its ratio to a
baseline measured in the same run: one bare (eager Keras) generator forward pass of a single latent. Targets: reroll
p95 < 100 ms, 4-slot page < 300 ms, 10-page PDF < 5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from benchmarks.timing import CPU_TIMES, timed
from lookbook.compose import GARMENTS, LookbookEditor, Studio
from lookbook.compose.render import TILES


def p95(xs: list[float]) -> float:
    return float(np.percentile(xs, 95))


def report(name: str, seconds: float, baseline: float, target: float | None = None) -> None:
    verdict = "" if target is None else f"  target < {target * 1000:.0f} ms: {'met' if seconds < target else 'MISSED'}"
    cpu = f"cpu p50 {statistics.median(CPU_TIMES[-1]) * 1000:7.1f} ms" if CPU_TIMES else ""
    print(f"{name:<56} {seconds * 1000:8.1f} ms {seconds / baseline:6.1f}x baseline   {cpu}{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--generator", default=None, help="default: checkpoints/generator.keras")
    parser.add_argument("--classifier", default=None, help="default: checkpoints/classifier.keras")
    args = parser.parse_args()
    studio = Studio.open(args.generator, args.classifier)
    kind = "conditional" if studio.conditional else "unconditional"

    def latents(n: int) -> tuple[np.ndarray, list[str] | None]:
        """`n` latents and the categories asked for (the generator's first, when conditional)."""
        z = np.random.default_rng(n).standard_normal((n, studio.noise_dim)).astype(np.float32)
        return z, ([studio.generator.categories[0]] * n if studio.conditional else None)

    def bare(z: np.ndarray) -> np.ndarray:
        """The bare Keras generator's eager forward pass (label 0 when conditional)."""
        inputs = [z, np.zeros(len(z), np.int32)] if studio.conditional else z
        return np.asarray(studio.generator.model(inputs, training=False))

    # baselines: the bare generator forward pass, eager Keras vs the studio's compiled tf.function
    print(f"cpu cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}, repeats: {args.repeats}, {kind} generator")
    z1, asked1 = latents(1)
    baseline = statistics.median(timed(lambda: bare(z1), args.repeats))
    report("baseline: bare generator forward, eager (median)", baseline, baseline)
    report(
        "generator forward via tf.function + uint8 (median)",
        statistics.median(timed(lambda: studio.generate(z1, asked1), args.repeats)),
        baseline,
    )
    z64, asked64 = latents(64)
    report("  batch of 64, eager (median)", statistics.median(timed(lambda: bare(z64), 5)), baseline)
    report("  batch of 64, tf.function (median)", statistics.median(timed(lambda: studio.generate(z64, asked64), 5)), baseline)

    editor = LookbookEditor.new(studio, template="cs230", seed=1)

    def reroll() -> None:
        editor.reroll(0, 1)  # generate + classify (a fresh seed: never cached)
        editor.harmony(0)  # palettes + score
        editor.render(0)  # the whole A4 page at 150 dpi

    times = timed(reroll, args.repeats)
    report(f"reroll one slot + harmony + page render, {kind} (p50)", statistics.median(times), baseline)
    report(f"reroll one slot + harmony + page render, {kind} (p95)", p95(times), baseline, 0.100)

    def compose() -> None:
        editor.add_page("cs230")  # four fresh slots
        editor.render(len(editor.pages) - 1)

    times = timed(compose, max(5, args.repeats // 4))
    report(f"compose a 4-slot page + render, {kind} (p95)", p95(times), baseline, 0.300)

    book = LookbookEditor.new(studio, template="cs230", pages=10, seed=2, title="Benchmark")
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
