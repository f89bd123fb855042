"""The Training page's run scores: a GAN run's score card, the Score buttons, and the judge (the sidebar's classifier).

Scores are computed by a background process (lookbook.train.scoring) and read back from each run's score.json.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from lookbook import paths
from lookbook.errors import LookbookError
from lookbook.run import scores
from lookbook.run.layout import GENERATOR_FILE
from lookbook.train import scoring
from lookbook.ui import cache, state

SCORE_HELP = {m.column: m.help for m in scores.METRICS}


def judge() -> str | None:
    """The classifier that scores runs: the app's active one (sidebar), if any."""
    return st.session_state.get(state.CLASSIFIER) or None


def judge_note() -> str:
    """`judged by checkpoints/classifier.keras (64 px)` or why runs cannot be scored."""
    current = judge()
    if current is None:
        return "Pick a classifier in the sidebar to score runs."
    size = cache.model_meta(current).get("image_size_px")
    return f"Runs are scored by the active classifier `{paths.display_path(current)}`" + (f" ({size} px)." if size else ".")


def start(runs: list[str], key: str, label: str = "Score", help_text: str | None = None) -> None:
    """A button that scores `runs` (one background process) with the active classifier."""
    current = judge()
    clicked = st.button(
        label,
        key=key,
        icon=":material/grading:",
        disabled=current is None or not runs,
        help=help_text or ("Pick a classifier in the sidebar first." if current is None else judge_note()),
    )
    if clicked and current is not None:
        try:
            scoring.start_scoring(runs, current)
        except LookbookError as exc:
            st.error(f"Not scored: {exc}", icon=":material/error:")
            return
        st.toast(f"Scoring {len(runs)} run(s) in the background.", icon=":material/grading:")
        st.rerun()


def score_panel(run: str, run_state: str) -> None:
    """A GAN run's score: the four figures, who judged, and Score / Score again."""
    info = scores.score_state(run)
    has_generator = (Path(run) / GENERATOR_FILE).is_file()
    st.markdown("**Score** (its garments judged by a classifier against the dataset's real images)")
    score = info["score"] if info["state"] in ("scored", "outdated", "scoring") else None
    if score and not score.get("error"):
        values = score.get("metrics") or {}
        for metric, col in zip(scores.METRICS, st.columns(len(scores.METRICS))):
            value = values.get(metric.key)
            shown = "–" if value is None else (f"{value:.1%}" if metric.key != "fcd" else f"{value:.2f}")
            real = scores.against_real(metric, score)
            col.metric(metric.label, shown, real, delta_color="off", delta_arrow="off", help=metric.help, border=True)
        st.caption(describe(score))
    live = run_state in ("starting", "running")
    if info["state"] == "scoring":
        st.caption(":material/hourglass_top: Scoring in the background…" if not live else "Scored when the run ends.")
        return
    if info["state"] == "failed":
        st.warning(f"Not scored: {info['reason']}", icon=":material/warning:")
    if info["state"] == "outdated":
        st.caption(":material/update: The run trained further since this score.")
    if live or not has_generator:
        if info["state"] == "none":
            st.caption("Scored once the run ends and saves its generator.")
        return
    again = info["state"] in ("scored", "outdated", "failed")
    start([run], key=f"train.gan.score.{Path(run).name}", label="Score again" if again else "Score this run")


def describe(score: dict[str, Any]) -> str:
    """`Judged by classifier.keras at 64 px (images scaled up from 32 px) on 1,000 garments, in 12 s.` (+ what the
    figures' real-image readings are, when the score has them)."""
    judge_path = paths.display_path(score.get("classifier", "?"))
    native = (score.get("generator") or {}).get("image_size_px")
    scaled = f" (images scaled from {native} px)" if native and native != score.get("judge_px") else ""
    real = " Under each figure, the same judge's reading of the dataset's own held-out real images." if score.get("real") else ""
    return (
        f"Judged by `{judge_path}` at {score.get('judge_px')} px{scaled} on {score.get('n_images', 0):,} garments, "
        f"in {score.get('duration_s', 0):.0f} s.{real}"
    )


def unscored(table: pd.DataFrame) -> list[str]:
    """Run folders of ended GAN runs with a generator and no score yet."""
    if table.empty:
        return []
    ended = table[(table["kind"] == "gan") & table["state"].isin(["finished", "stopped"])]
    return [
        p
        for p in ended["path"]
        if (Path(p) / GENERATOR_FILE).is_file() and scores.score_state(p)["state"] in ("none", "outdated")
    ]


def score_column_config() -> dict[str, Any]:
    """Column formats of the score columns: shares as percentages, FCD as a number."""
    config: dict[str, Any] = {
        m.column: st.column_config.NumberColumn(
            m.label, help=m.help, format="%.2f" if m.key == "fcd" else "percent", width="small"
        )
        for m in scores.METRICS
    }
    config["score_judge"] = st.column_config.TextColumn("judge", help="The classifier that scored the run.")
    return config


def sort_picker(key: str, conditional: bool = True) -> str:
    """Which score ranks runs (best first)."""
    options = [m.column for m in scores.METRICS]
    if st.session_state.get(key) not in options:
        st.session_state[key] = scores.default_sort_column(conditional)
    labels = {m.column: m.label for m in scores.METRICS}
    return st.selectbox("Rank by", options, key=key, format_func=labels.get, help="Runs are sorted best first by this score.")
