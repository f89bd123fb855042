"""Scores of finished GAN runs: the run's generator judged by a classifier against its dataset's real images, kept in
the run folder as `score.json` so the runs table, comparisons and sweeps can rank runs by what their garments look like.

Scoring runs as its own process (`python -m lookbook score RUN --classifier C`), started when a run ends or on demand;
`scoring.json` marks a score in progress. Nothing here imports TensorFlow until a score is computed.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lookbook import atomic
from lookbook.errors import LookbookError
from lookbook.models.artifacts import GeneratorHandle, resolve_model_path
from lookbook.run import process, reader
from lookbook.run.folder import RunDir, read_json
from lookbook.run.layout import (
    CLASSIFIER_FILE,
    CONFIG_FILE,
    GENERATOR_FILE,
    LIVE_STATES,
    SCORE_FILE,
    SCORE_LOG,
    SCORING_FILE,
)
from lookbook.run.liveness import process_start_ticks
from lookbook.run.scores import score_state

DEFAULT_IMAGES = 1000  # generated images per score: a few seconds at 32-64 px, steady to about a point of accuracy
WAIT_POLL_S = 2.0


REAL_BASELINE = "real_vs_real"  # the dataset's own held-out images, judged the same way: what each figure reads against
METRIC_NAMES = ("fcd", "recognisability", "coverage", "diversity", "conditional_accuracy")  # registry names computed
Progress = Callable[[int, int], None]


# computing ----------------------------------------------------------------------------------------------
def score_run(
    run: str | Path, classifier: str | Path, n_images: int = DEFAULT_IMAGES, seed: int = 0, progress: Progress | None = None
) -> dict[str, Any]:
    """Judge `run`'s generator with `classifier` against the real images of the dataset it trained on; write and
    return score.json, with the same figures for the held-out half of those real images under "real" (what each
    figure reads against). A judge working at another image size sees both image sets resized to its own."""
    from lookbook.data.dataset import PreparedDataset
    from lookbook.metrics.classification import check_label_map, dataset_labels
    from lookbook.metrics.quality import evaluate_generator
    from lookbook.models.artifacts import load_classifier, load_generator

    rd = RunDir.at(run)
    if not (rd.path / GENERATOR_FILE).is_file():
        raise LookbookError(f"{rd.path} has no {GENERATOR_FILE} yet: a run saves it when it ends")
    config = rd.read_config()
    data = config.get("data")
    if not data:
        raise LookbookError(f"{rd.path / CONFIG_FILE} does not say which dataset the run trained on")
    started = time.perf_counter()
    generator = load_generator(rd.path)
    judge = load_classifier(classifier)
    ds = PreparedDataset.open(data, generator.image_size_px)
    label_column = judge.meta.get("label_column", "category")
    check_label_map(judge, ds, label_column)
    rows = np.sort(np.random.default_rng([seed, 7]).permutation(len(ds))[: 2 * n_images])  # enough for both halves
    real = np.asarray(ds.images[rows])
    labels = dataset_labels(ds, label_column)[rows].tolist()
    native_px = generator.image_size_px
    if native_px != judge.image_size_px:
        generator = ResizedGenerator.of(generator, judge.image_size_px)
        real = resize_images(real, judge.image_size_px)
    result = evaluate_generator(
        generator,
        judge,
        real,
        n_images=n_images,
        seed=seed,
        real_labels=labels,
        baselines=[REAL_BASELINE],
        metrics=list(METRIC_NAMES),
        progress=progress,
    )
    score = {
        "metrics": result["metrics"],
        "real": result["baselines"][REAL_BASELINE],
        "per_category": result.get("per_category"),
        "classifier": str(judge.path),
        "judge_px": judge.image_size_px,
        "generator": {"path": str(rd.path / GENERATOR_FILE), "step": generator.meta.get("step"), "image_size_px": native_px},
        "data": str(ds.root),
        "n_images": n_images,
        "seed": seed,
        "scored": time.time(),
        "duration_s": round(time.perf_counter() - started, 1),
    }
    atomic.write_json(rd.path / SCORE_FILE, _plain(score))
    return score


def resize_images(images_uint8: np.ndarray, size_px: int) -> np.ndarray:
    """uint8 images (n, S, S, 3) resampled to (n, size, size, 3) with Lanczos (PIL)."""
    from PIL import Image

    out = np.empty((len(images_uint8), size_px, size_px, 3), np.uint8)
    for i, image in enumerate(images_uint8):
        out[i] = np.asarray(Image.fromarray(image).resize((size_px, size_px), Image.Resampling.LANCZOS))
    return out


@dataclass
class ResizedGenerator(GeneratorHandle):
    """A generator whose images come resized to a judge's size (`image_size_px`); the model's own size is in `meta`."""

    @classmethod
    def of(cls, handle: GeneratorHandle, size_px: int) -> ResizedGenerator:
        return cls(handle.model, handle.path, size_px, handle.noise_dim, handle.categories, handle.meta)

    def generate(self, z: np.ndarray, categories: list[str] | None = None) -> np.ndarray:
        return resize_images(super().generate(z, categories), self.image_size_px)


def record_failure(run: str | Path, classifier: str | Path, reason: str) -> None:
    """score.json saying why the run could not be scored (the page shows it)."""
    atomic.write_json(RunDir.at(run).path / SCORE_FILE, {"error": reason, "classifier": str(classifier), "scored": time.time()})


# background scoring -------------------------------------------------------------------------------------
def score_command(
    runs: list[str | Path], classifier: str | Path, wait: bool = False, n_images: int = DEFAULT_IMAGES
) -> list[str]:
    """`python -m lookbook score RUN... --classifier C [--wait]`."""
    cmd = [sys.executable, "-m", "lookbook", "score", *map(str, runs), "--classifier", str(classifier)]
    cmd += ["--images", str(n_images)]
    return cmd + (["--wait"] if wait else [])


def start_scoring(runs: str | Path | list[str | Path], classifier: str | Path, wait: bool = False) -> int:
    """Score runs one after another in one detached process (each after it ends, with `wait`); returns its pid.

    Its output goes to the first run's `score.log`; each run shows `scoring` until its score is written.
    """
    folders = [RunDir.at(r).path for r in (runs if isinstance(runs, list) else [runs])]
    missing = [str(f) for f in folders if not f.is_dir()]
    if not folders or missing:
        raise LookbookError(f"not run directories: {', '.join(missing) or 'none given'}")
    judge = resolve_model_path(classifier, CLASSIFIER_FILE)
    busy = [f.name for f in folders if score_state(f)["state"] == "scoring"]
    if busy:
        raise LookbookError(f"being scored already: {', '.join(busy)}")
    proc = process.spawn_detached(score_command(folders, judge, wait), folders[0] / SCORE_LOG)
    process.reap_in_background(proc)
    for folder in folders:
        mark_scoring(folder, proc.pid, judge)
    return proc.pid


def mark_scoring(run: str | Path, pid: int, classifier: str | Path) -> None:
    """scoring.json: process `pid` is scoring the run (written by the starter, so the page knows at once)."""
    info = {"pid": pid, "pid_start": process_start_ticks(pid), "classifier": str(classifier), "started": time.time()}
    atomic.write_json(RunDir.at(run).path / SCORING_FILE, info)


def clear_scoring(run: str | Path, pid: int) -> None:
    """Remove scoring.json if it is `pid`'s (a newer scorer's marker stays)."""
    path = RunDir.at(run).path / SCORING_FILE
    if (read_json(path) or {}).get("pid") == pid:
        path.unlink(missing_ok=True)


def wait_for_end(run: str | Path, poll_s: float = WAIT_POLL_S) -> dict[str, Any]:
    """Block until the run is no longer starting or running; return its status."""
    while True:
        status = reader.run_status(run)
        if status.get("state") not in LIVE_STATES:
            return status
        time.sleep(poll_s)


# helpers ------------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """JSON-safe copy: numpy scalars as numbers, NaN as null."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
