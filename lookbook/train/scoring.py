"""Scores of finished GAN runs: the run's generator judged by a classifier against its dataset's real images, kept in
the run folder as `score.json` so the runs table, comparisons and sweeps can rank runs by what their garments look like.

Scoring runs as its own process (`python -m lookbook score RUN --classifier C`), started when a run ends or on demand;
`scoring.json` marks a score in progress. Nothing here imports TensorFlow until a score is computed.
"""

from __future__ import annotations

import json
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
from lookbook.models.artifacts import CLASSIFIER_FILE, GENERATOR_FILE, GeneratorHandle, resolve_model_path, sidecar_path
from lookbook.runs import CONFIG_FILE, RunDir, pid_alive

SCORE_FILE = "score.json"
SCORING_FILE = "scoring.json"  # present while a scoring process works on the run
SCORE_LOG = "score.log"
DEFAULT_IMAGES = 1000  # generated images per score: a few seconds at 32-64 px, steady to about a point of accuracy
LIVE_STATES = ("starting", "running")  # lookbook.train.launcher.LIVE_STATES (that module imports this one)
WAIT_POLL_S = 2.0


@dataclass(frozen=True)
class ScoreMetric:
    """One figure of a score: its key in score.json, runs-table column, label, and which way is better."""

    key: str
    column: str
    label: str
    better: str  # "min" or "max"
    help: str


METRICS: tuple[ScoreMetric, ...] = (
    ScoreMetric(
        "conditional_accuracy",
        "score_asked_class",
        "asked-for class ↑",
        "max",
        "Share of garments the judge classifies as the category asked for (conditional runs).",
    ),
    ScoreMetric(
        "fcd",
        "score_fcd",
        "FCD ↓",
        "min",
        "Fréchet distance to the real images in the judge's feature space: lower is closer to real.",
    ),
    ScoreMetric(
        "recognisability",
        "score_recognisable",
        "recognisable ↑",
        "max",
        "Share of garments the judge labels with confidence ≥ 0.8.",
    ),
    ScoreMetric(
        "within_class_diversity",
        "score_diversity",
        "within-class diversity ↑",
        "max",
        "Spread of garments within a category against the real images' (1 = as varied as real, 0 = one image each).",
    ),
)
METRIC_NAMES = ("fcd", "recognisability", "coverage", "diversity", "conditional_accuracy")  # registry names computed
BY_COLUMN = {m.column: m for m in METRICS}
Progress = Callable[[int, int], None]


# reading ------------------------------------------------------------------------------------------------
def read_score(run: str | Path) -> dict[str, Any] | None:
    """score.json of a run (a score, or {"error": ...} when scoring failed), or None when it has none."""
    from lookbook.train.launcher import read_json

    return read_json(RunDir.at(run).path / SCORE_FILE)


def generator_step(run: str | Path) -> int | None:
    """The training step the run's saved generator was written at (its JSON sidecar), or None without one."""
    try:
        meta = json.loads(sidecar_path(RunDir.at(run).path / GENERATOR_FILE).read_text())
    except (OSError, ValueError):
        return None
    step = meta.get("step") if isinstance(meta, dict) else None
    return int(step) if isinstance(step, (int, float)) else None


def score_state(run: str | Path) -> dict[str, Any]:
    """{"state": none | scoring | scored | outdated | failed, "score": score.json or None, "reason": str or None}.

    `outdated`: the generator was trained further after it was scored (a resumed run).
    """
    from lookbook.train.launcher import read_json

    rd = RunDir.at(run)
    pending = read_json(rd.path / SCORING_FILE)
    if pending and pid_alive(int(pending.get("pid", -1)), pending.get("pid_start")):
        return {"state": "scoring", "score": read_score(rd.path), "reason": None, "judge": pending.get("classifier")}
    score = read_score(rd.path)
    if pending and (score is None or float(score.get("scored", 0)) < float(pending.get("started", 0))):
        return {"state": "failed", "score": score, "reason": "the scoring process ended without a score", "judge": None}
    if score is None:
        return {"state": "none", "score": None, "reason": None, "judge": None}
    if score.get("error"):
        return {"state": "failed", "score": score, "reason": score["error"], "judge": score.get("classifier")}
    scored_step = (score.get("generator") or {}).get("step")
    outdated = scored_step is not None and generator_step(rd.path) not in (None, scored_step)
    return {"state": "outdated" if outdated else "scored", "score": score, "reason": None, "judge": score.get("classifier")}


def score_columns(run: str | Path) -> dict[str, Any]:
    """The runs-table columns of a run's score (empty without a usable one)."""
    score = read_score(run)
    if not score or score.get("error"):
        return {}
    values = score.get("metrics") or {}
    row = {m.column: values.get(m.key) for m in METRICS if _finite(values.get(m.key))}
    if row:
        row["score_judge"] = Path(str(score.get("classifier", ""))).parent.name or None
    return row


def rank_runs(table: Any, column: str) -> Any:
    """`table` (a DataFrame with score columns) sorted best first by `column`; unscored rows last."""
    metric = BY_COLUMN.get(column)
    if metric is None or column not in table:
        return table
    return table.sort_values(column, ascending=metric.better == "min", na_position="last", kind="stable")


def best_run(table: Any, column: str) -> str | None:
    """The `id` (or `run_id`) of the best-scored row by `column`, or None when no row is scored."""
    ranked = rank_runs(table, column)
    if column not in ranked or not ranked[column].notna().any():
        return None
    id_column = "id" if "id" in ranked else "run_id"
    return str(ranked.iloc[0][id_column])


def default_sort_column(conditional: bool) -> str:
    """Which figure ranks runs by default: the asked-for class for conditional runs, else FCD."""
    return "score_asked_class" if conditional else "score_fcd"


# computing ----------------------------------------------------------------------------------------------
def score_run(
    run: str | Path, classifier: str | Path, n_images: int = DEFAULT_IMAGES, seed: int = 0, progress: Progress | None = None
) -> dict[str, Any]:
    """Judge `run`'s generator with `classifier` against the real images of the dataset it trained on; write and
    return score.json. A judge working at another image size sees both real and generated images resized to its own."""
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
        baselines=False,
        metrics=list(METRIC_NAMES),
        progress=progress,
    )
    score = {
        "metrics": result["metrics"],
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
    from lookbook.train import launcher

    folders = [RunDir.at(r).path for r in (runs if isinstance(runs, list) else [runs])]
    missing = [str(f) for f in folders if not f.is_dir()]
    if not folders or missing:
        raise LookbookError(f"not run directories: {', '.join(missing) or 'none given'}")
    judge = resolve_model_path(classifier, CLASSIFIER_FILE)
    busy = [f.name for f in folders if score_state(f)["state"] == "scoring"]
    if busy:
        raise LookbookError(f"being scored already: {', '.join(busy)}")
    proc = launcher.spawn_detached(score_command(folders, judge, wait), folders[0] / SCORE_LOG)
    launcher.reap_in_background(proc)
    for folder in folders:
        mark_scoring(folder, proc.pid, judge)
    return proc.pid


def mark_scoring(run: str | Path, pid: int, classifier: str | Path) -> None:
    """scoring.json: process `pid` is scoring the run (written by the starter, so the page knows at once)."""
    from lookbook.runs import process_start_ticks

    info = {"pid": pid, "pid_start": process_start_ticks(pid), "classifier": str(classifier), "started": time.time()}
    atomic.write_json(RunDir.at(run).path / SCORING_FILE, info)


def clear_scoring(run: str | Path, pid: int) -> None:
    """Remove scoring.json if it is `pid`'s (a newer scorer's marker stays)."""
    from lookbook.train.launcher import read_json

    path = RunDir.at(run).path / SCORING_FILE
    if (read_json(path) or {}).get("pid") == pid:
        path.unlink(missing_ok=True)


def wait_for_end(run: str | Path, poll_s: float = WAIT_POLL_S) -> dict[str, Any]:
    """Block until the run is no longer starting or running; return its status."""
    from lookbook.train import launcher

    while True:
        status = launcher.run_status(run)
        if status.get("state") not in LIVE_STATES:
            return status
        time.sleep(poll_s)


# helpers ------------------------------------------------------------------------------------------------
def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


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
