"""Running a plan: render its images in worker processes, write them, show progress and summarise the run."""

from __future__ import annotations

import itertools
import multiprocessing
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

from lookbook.data.synth.catalogue import render_fpid_product
from lookbook.data.synth.plan import Task, plan
from lookbook.data.synth.scenes import render_df2_scene
from lookbook.data.synth.writer import (
    SYNTH_VERSION,
    mark_finished,
    prepare_out,
    write_df2_image,
    write_fpid_image,
    write_styles,
)
from lookbook.data.taxonomy import DF2_CATEGORY_NAMES, category_for
from lookbook.errors import LookbookError

CHUNK_IMAGES = 16  # images per worker task: small enough for a smooth progress bar
Progress = Callable[[int, int], None]


def generate(
    out_dir: Path | str,
    n_images: int = 5000,
    seed: int = 0,
    progress: Progress | None = None,
    *,
    workers: int = 2,
    show_progress: bool | None = None,
) -> dict:
    """Draw `n_images` garment images into `out_dir/deepfashion2/` (official raw layout) and `out_dir/fpid/` (styles.csv +
    images/); the same seed gives byte-identical files. Returns a summary (counts per tree and category, elapsed seconds).

    `progress(done, total)` is called as images finish; without it (or with `show_progress=True`) a progress line goes
    to stderr. Rerunning with the same arguments on a finished folder reuses it. `workers` processes draw in parallel.
    """
    _check_args(n_images, seed, workers)
    n_images, seed = int(n_images), int(seed)
    out = Path(out_dir)
    reused = prepare_out(out, n_images, seed)
    if reused is not None:
        if progress:
            progress(n_images, n_images)
        return {**reused, "reused": True}
    start = time.perf_counter()
    tasks = plan(n_images, seed)
    # interleave the two trees so both workers get a similar mix of (slower) scenes and (quicker) product shots
    df2 = [t for t in tasks if t.tree == "deepfashion2"]
    fpid = [t for t in tasks if t.tree == "fpid"]
    chunks = [c for pair in itertools.zip_longest(_chunks(df2), _chunks(fpid)) for c in pair if c]
    jobs = [(str(out), seed, c) for c in chunks]
    show = progress is None if show_progress is None else show_progress
    df2_cats: Counter = Counter()
    rows: list[dict[str, str]] = []
    try:
        _run_jobs(jobs, workers, progress, _ProgressLine(n_images, "synth", show), df2_cats, rows)
        rows.sort(key=lambda r: int(r["id"]))
        write_styles(out, rows)
        summary = _summary(n_images, seed, workers, df2, df2_cats, rows, time.perf_counter() - start)
        mark_finished(out, n_images, seed, summary)
    except OSError as exc:  # disk full, folder removed underneath us...
        raise LookbookError(f"cannot write to {out}: {exc.strerror or exc}") from exc
    return summary


def _check_args(n_images: int, seed: int, workers: int) -> None:
    if not isinstance(n_images, int | np.integer) or n_images < 1:
        raise LookbookError(f"--images must be a positive whole number, got {n_images!r}")
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise LookbookError(f"--seed must be a whole number >= 0, got {seed!r}")
    if workers < 1:
        raise LookbookError(f"workers must be at least 1, got {workers!r}")


def _render_chunk(job: tuple[str, int, list[Task]]) -> list[tuple[Task, list[int] | dict[str, str]]]:
    """Render and write a chunk of images (runs in a worker); returns per image its DF2 category ids or FPID row."""
    out, seed, tasks = job
    root = Path(out)
    results: list[tuple[Task, list[int] | dict[str, str]]] = []
    split_ids = {"train": 0, "validation": 1}
    for t in tasks:
        if t.tree == "deepfashion2":
            data, anno = render_df2_scene(seed, split_ids[t.split], t.index, t.pair_index, t.source, t.pair_id)
            write_df2_image(root, t.split, t.index, data, anno)
            results.append((t, [anno[k]["category_id"] for k in anno if k.startswith("item")]))
        else:
            data, row = render_fpid_product(seed, t.index, t.category, t.product_id)
            write_fpid_image(root, t.product_id, data)
            results.append((t, row))
    return results


def _run_jobs(jobs, workers: int, progress: Progress | None, line: _ProgressLine, df2_cats: Counter, rows: list) -> None:
    """Render every chunk (in worker processes when workers > 1), collecting DF2 category counts and FPID rows."""
    total = sum(len(job[2]) for job in jobs)
    done = 0
    with _pool(workers) as pool:
        for chunk in pool.imap_unordered(_render_chunk, jobs) if pool else map(_render_chunk, jobs):
            for task, result in chunk:
                if task.tree == "deepfashion2":
                    df2_cats.update(result)
                else:
                    rows.append(result)
            done += len(chunk)
            line.update(done)
            if progress:
                progress(done, total)


def _chunks(tasks: list[Task]) -> list[list[Task]]:
    return [tasks[i : i + CHUNK_IMAGES] for i in range(0, len(tasks), CHUNK_IMAGES)]


class _pool:
    """A spawn-context worker pool (safe even when the caller has TensorFlow threads running), or None for one worker."""

    def __init__(self, workers: int):
        self.workers = workers
        self.pool = None

    def __enter__(self):
        if self.workers > 1:
            self.pool = multiprocessing.get_context("spawn").Pool(self.workers)
        return self.pool

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            if exc[0] is None:
                self.pool.close()
            else:
                self.pool.terminate()
            self.pool.join()


class _ProgressLine:
    """A one-line progress display on stderr (rewritten in place on a terminal, every 10% otherwise)."""

    def __init__(self, total: int, label: str, enabled: bool):
        self.total, self.label, self.enabled = total, label, enabled
        self.start = time.perf_counter()
        self.tty = enabled and sys.stderr.isatty()
        self.next_pct = 10

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        rate = done / max(time.perf_counter() - self.start, 1e-9)
        line = f"{self.label}: {done}/{self.total} images ({rate:.0f}/s)"
        if self.tty:
            print("\r" + line, end="\n" if done >= self.total else "", file=sys.stderr, flush=True)
        elif done * 100 >= self.next_pct * self.total or done >= self.total:
            print(line, file=sys.stderr, flush=True)
            self.next_pct = done * 100 // max(self.total, 1) // 10 * 10 + 10


def _summary(
    n_images: int, seed: int, workers: int, df2_tasks: list[Task], df2_cats: Counter, rows: list, elapsed: float
) -> dict:
    """The run's summary (returned by `generate` and kept in the marker): counts per tree, split and category."""
    fpid_cats = Counter(category_for("fpid", r["articleType"]) for r in rows)
    unified: Counter = Counter()
    for c, k in df2_cats.items():
        unified[category_for("deepfashion2", c)] += k
    splits = Counter(t.split for t in df2_tasks)
    return {
        "version": SYNTH_VERSION,
        "n_images": n_images,
        "seed": seed,
        "workers": workers,
        "deepfashion2": {
            "images": len(df2_tasks),
            "train": splits.get("train", 0),
            "validation": splits.get("validation", 0),
            "items": sum(df2_cats.values()),
            "categories": {DF2_CATEGORY_NAMES[c]: df2_cats[c] for c in sorted(df2_cats)},
            "unified": dict(sorted(unified.items())),
        },
        "fpid": {
            "images": len(rows),
            "categories": dict(sorted(fpid_cats.items())),
            "article_types": dict(sorted(Counter(r["articleType"] for r in rows).items())),
        },
        "categories": dict(sorted((unified + fpid_cats).items())),
        "elapsed_s": round(elapsed, 3),
        "images_per_s": round(n_images / max(elapsed, 1e-9), 1),
    }
