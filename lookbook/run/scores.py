"""Reading a GAN run's score (`score.json`, and `scoring.json` while one is computed): its state, its runs-table
columns, and ranking runs by it. Computing a score is lookbook.train.scoring's job."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lookbook.run.folder import RunDir, read_json
from lookbook.run.layout import GENERATOR_FILE, SCORE_FILE, SCORING_FILE
from lookbook.run.liveness import pid_alive


@dataclass(frozen=True)
class ScoreMetric:
    """One figure of a score: its key in score.json, runs-table column, label, and which way is better."""

    key: str
    column: str
    label: str
    better: str  # "min" or "max"
    help: str
    real: str = "ratio"  # read against the dataset's real images: "ratio" (x real), "floor" (real vs real), "" (relative)


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
        real="floor",
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
        real="",
    ),
)
BY_COLUMN = {m.column: m for m in METRICS}


def against_real(metric: ScoreMetric, score: dict[str, Any]) -> str | None:
    """How a figure compares with the dataset's own held-out real images judged the same way (`0.93x real (71%)`,
    `real vs real 0.42`), or None when the score has no real figure (older scores) or the figure is already relative.
    A judge trained on other garments scores real images low too: the ratio is what says whether a run learned."""
    value, real = (score.get("metrics") or {}).get(metric.key), (score.get("real") or {}).get(metric.key)
    if not metric.real or not _finite(value) or not _finite(real):
        return None
    if metric.real == "floor":
        return f"real vs real {real:.2f}"
    return f"{value / real:.2f}x real ({real:.0%})" if real > 0 else f"real {real:.0%}"


def read_score(run: str | Path) -> dict[str, Any] | None:
    """score.json of a run (a score, or {"error": ...} when scoring failed), or None when it has none."""
    return read_json(RunDir.at(run).path / SCORE_FILE)


def generator_step(run: str | Path) -> int | None:
    """The training step the run's saved generator was written at (its JSON sidecar), or None without one."""
    # the sidecar of a saved model is its `.json` twin (lookbook.models.artifacts.sidecar_path)
    meta = read_json((RunDir.at(run).path / GENERATOR_FILE).with_suffix(".json")) or {}
    step = meta.get("step")
    return int(step) if isinstance(step, (int, float)) else None


def score_state(run: str | Path) -> dict[str, Any]:
    """{"state": none | scoring | scored | outdated | failed, "score": score.json or None, "reason": str or None}.

    `outdated`: the generator was trained further after it was scored (a resumed run).
    """
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


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
