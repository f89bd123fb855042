"""Training page sections: the header, a GAN and a classifier tab (new-run form + live view of a run), and the runs
table with curves of several runs overlaid. Launching goes through lookbook.train.launcher, stopping and reading runs
through the run package (lookbook.run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from lookbook import paths
from lookbook.run import reader, scores
from lookbook.run.layout import GENERATOR_FILE, LIVE_STATES
from lookbook.ui import training_scores
from lookbook.ui.training_launch import KIND_NAMES, apply_pending, key, launch_form
from lookbook.ui.training_live import live_view, run_metrics, run_picker, runs_of, use_button
from lookbook.ui.training_sweeps import sweeps_section
from lookbook.ui.widgets import chart
from lookbook.viz import training as charts

TABS = ("GAN", "Classifier", "Sweeps", "Runs & comparison")
COMPARE_RUNS = "train.compare.runs"
COMPARE_METRICS = "train.compare.metrics"
COMPARE_X = "train.compare.x"
COMPARE_WINDOW = "train.compare.window"
RANK_BY = "train.runs.rank_by"
DEFAULT_METRICS = {
    "gan": ("g_loss", "d_loss", "eval_fcd", "eval_recognisability"),
    "classifier": ("val_accuracy", "val_loss", "accuracy", "loss"),
    "upscaler": ("loss", "eval_psnr_db", "eval_psnr_gain_db", "eval_ssim"),
}
# run-table columns shown first, in this order (the rest follow as list_runs gives them)
TABLE_FIRST = ["id", "kind", "preset", "state", "progress", "epoch", "epochs", "step"]
TABLE_HIDDEN = {"path", "reason", "total_steps"}

__all__ = ["TABS", "apply_pending", "compare_section", "header", "run_section", "sweeps_section"]


def header() -> None:
    """Title, where runs live, and which runs are training right now."""
    st.title("Training")
    runs = reader.list_runs(paths.runs_dir())
    live = runs[runs["state"].isin(LIVE_STATES)] if len(runs) else runs
    where = f"Runs live in `{paths.runs_dir()}`"
    now = f"; training now: {', '.join(f'**{i}**' for i in live['id'])}" if len(live) else ""
    st.caption(
        f"{where}{now}. A run is a separate process: it keeps going when you close the page or restart the app, "
        "and every tab watching it sees the same run."
    )


def run_section(kind: str) -> None:
    """A kind's tab: the new-run form (open while there is no run yet) and the live view of a chosen run."""
    runs = runs_of(kind)
    form_open = key(kind, "form_open")
    if form_open not in st.session_state:
        st.session_state[form_open] = runs.empty
    form = st.expander(f"New {KIND_NAMES[kind]} run", key=form_open, on_change="rerun", icon=":material/add_circle:")
    if form.open:
        with form:
            launch_form(kind)
    if runs.empty:
        st.info(f"No {KIND_NAMES[kind]} runs yet: start one above.", icon=":material/info:")
        return
    run = run_picker(kind, runs)
    live_view(kind, run)


# runs table and comparison --------------------------------------------------------------------------
def compare_section() -> None:
    """Every run with its settings, state and best metric; curves of the chosen runs overlaid."""
    runs = reader.list_runs(paths.runs_dir())
    if runs.empty:
        st.info(
            "No runs yet. Start one on the GAN or Classifier tab, or with `python -m lookbook train`.", icon=":material/info:"
        )
        _skipped(runs)
        return
    st.subheader("Runs")
    rank_by = _runs_table(runs)
    _skipped(runs)
    st.subheader("Compare")
    ids = runs["id"].tolist()
    if COMPARE_RUNS not in st.session_state or not set(st.session_state[COMPARE_RUNS]) <= set(ids):
        newest_kind = runs["kind"].iloc[0]
        st.session_state[COMPARE_RUNS] = runs[runs["kind"] == newest_kind]["id"].head(2).tolist()
    chosen = st.multiselect(
        "Runs to overlay",
        ids,
        key=COMPARE_RUNS,
        help="Pick runs to draw on the same axes.",
        persist_state="session",
    )
    if not chosen:
        st.caption("Pick one or more runs to compare their curves.")
        return
    paths_by_id = dict(zip(runs["id"], runs["path"]))
    kinds = dict(zip(runs["id"], runs["kind"]))
    metrics = {run_id: run_metrics(paths_by_id[run_id]) for run_id in chosen}
    available = list(dict.fromkeys(k for m in metrics.values() for k in charts.metric_columns(m)))
    if not available:
        st.info("The chosen runs have not logged any metrics yet.", icon=":material/hourglass_top:")
        return
    current = [k for k in st.session_state.get(COMPARE_METRICS) or [] if k in available]
    if not current:
        wanted = [k for kind in dict.fromkeys(kinds[i] for i in chosen) for k in DEFAULT_METRICS[kind]]
        current = [k for k in dict.fromkeys(wanted) if k in available][:4] or available[:2]
    st.session_state[COMPARE_METRICS] = current
    left, mid, right = st.columns([3, 1.3, 1.2], vertical_alignment="bottom")
    keys = left.multiselect("Metrics", available, key=COMPARE_METRICS, format_func=charts.metric_title)
    x = mid.segmented_control(
        "X axis",
        ["epoch_progress", "step", "wall_time_s"],
        default="epoch_progress",
        format_func=charts.x_label,
        key=COMPARE_X,
        required=True,
        persist_state="session",
    )
    window = right.slider("Rolling mean", 1, 100, 10, key=COMPARE_WINDOW, persist_state="session")
    if keys:
        chart(
            charts.compare_figure(metrics, keys, x or "epoch_progress", window),
            "One colour per run; curves are smoothed with the rolling mean, quality metrics (eval) are drawn as logged.",
            "",
            key="train.compare.chart",
        )
    _score_comparison(runs[runs["id"].isin(chosen)], rank_by)
    _settings_diff(chosen, paths_by_id)


def _progress(table: pd.DataFrame) -> pd.Series:
    """Share of a run done: steps over planned steps where the run says (the epoch counter is the epoch in progress, so
    epoch / epochs reads 100% during the last one), else epochs; a finished run is done (a time budget ends it early)."""
    number = lambda column: pd.to_numeric(table.get(column, pd.Series(index=table.index)), errors="coerce")  # noqa: E731
    total = number("total_steps")
    done = (number("step") / total).where(total > 0, number("epoch") / number("epochs"))
    return done.mask(table["state"] == "finished", 1.0).clip(0, 1)


def _runs_table(runs: pd.DataFrame) -> str:
    """The runs, ranked by a chosen score (best GAN run marked); returns the score column ranked by."""
    table = runs.copy()
    for column in table.columns:
        values = table[column].dropna()
        if (
            len(values)
            and column != "updated"
            and values.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).all()
        ):
            table[column] = pd.to_numeric(table[column], errors="coerce")  # None -> NaN: an empty cell, not "None"
    table["progress"] = _progress(table)
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    with left:
        conditional = "conditional" in table and table["conditional"].fillna(False).astype(bool).any()
        rank_by = training_scores.sort_picker(RANK_BY, conditional=bool(conditional))
    with right:
        missing = training_scores.unscored(table)
        bar = st.container(horizontal=True, vertical_alignment="bottom")
        with bar:
            training_scores.start(missing, key="train.runs.score_all", label=f"Score {len(missing)} unscored run(s)")
            _use_best_button(table, rank_by, key="train.runs.use_best")
    st.caption(training_scores.judge_note())
    table = scores.rank_runs(table, rank_by)
    best = scores.best_run(table[table["kind"] == "gan"], rank_by)
    table.insert(0, "best", table["id"].eq(best).map({True: "★", False: ""}))
    shown = [c for c in training_scores.SCORE_HELP if c in table] + (["score_judge"] if "score_judge" in table else [])
    first = ["best", *TABLE_FIRST[:4], *shown, *TABLE_FIRST[4:]]
    order = [c for c in first if c in table] + [c for c in table if c not in first and c not in TABLE_HIDDEN]
    config: dict[str, Any] = {
        "best": st.column_config.TextColumn("", help=f"The best-scored GAN run by {scores.BY_COLUMN[rank_by].label}", width=30),
        "progress": st.column_config.ProgressColumn("progress", format="percent", min_value=0, max_value=1),
        "updated": st.column_config.DatetimeColumn("updated", format="distance"),
        "best_value": st.column_config.NumberColumn("best value", format="%.4g"),
        **training_scores.score_column_config(),
    }
    for column in table.columns:
        if column.endswith(("loss", "accuracy", "_lr", "d_real", "d_fake", "_acc")) or column.startswith("eval_"):
            config.setdefault(column, st.column_config.NumberColumn(column, format="%.4g"))
    st.dataframe(table[order], hide_index=True, column_config=config, key="train.runs_table", placeholder="–")
    failed = runs[(runs["state"] == "failed") & runs["reason"].notna()]
    for _, row in failed.head(5).iterrows():
        st.caption(f":material/error: **{row['id']}** failed: {str(row['reason'])[:300]}")
    return rank_by


def _use_best_button(table: pd.DataFrame, rank_by: str, key: str) -> None:
    """Make the best-scored GAN run's generator the Lookbook's, in one click."""
    best = scores.best_run(table[table["kind"] == "gan"], rank_by)
    path = table.loc[table["id"] == best, "path"].iloc[0] if best else None
    model = Path(path) / GENERATOR_FILE if path else None
    use_button("gan", model if model is not None and model.is_file() else None, key=key, label=f"Use the best ({best})")


def _score_comparison(chosen: pd.DataFrame, rank_by: str) -> None:
    """The chosen runs' scores side by side, best first."""
    columns = [c for c in training_scores.SCORE_HELP if c in chosen and chosen[c].notna().any()]
    if not columns or len(chosen) < 2:
        return
    st.markdown(f"**Scores**, best first by {scores.BY_COLUMN[rank_by].label}")
    ranked = scores.rank_runs(chosen, rank_by)
    st.dataframe(
        ranked[["id", *columns]],
        hide_index=True,
        column_config=training_scores.score_column_config(),
        width="content",
        key="train.compare.scores",
    )


def _skipped(runs: pd.DataFrame) -> None:
    skipped = runs.attrs.get("skipped_reasons") or []
    if skipped:
        st.caption(
            f"{len(skipped)} folder(s) under the runs root are not runs and were skipped: "
            + "; ".join(f"`{s['folder']}` ({s['reason']})" for s in skipped[:5])
        )


def _settings_diff(chosen: list[str], paths_by_id: dict[str, str]) -> None:
    """The settings that differ between the chosen runs, one column per run."""
    if len(chosen) < 2:
        return
    settings = {run_id: reader.run_settings(paths_by_id[run_id]) for run_id in chosen}
    names = list(dict.fromkeys(k for s in settings.values() for k in s))
    skip = {"kind", "data", "categories", "lookbook_version", "devices", "replicas"}
    rows = {}
    for name in names:
        if name in skip:
            continue
        values = [settings[r].get(name) for r in chosen]
        if len({repr(v) for v in values}) > 1:
            rows[name] = ["–" if v is None else _short(v) for v in values]
    st.markdown("**Settings that differ**")
    if rows:
        st.dataframe(pd.DataFrame.from_dict(rows, orient="index", columns=chosen), width="content")
    else:
        st.caption("None: the chosen runs share every setting.")
    twins = same_settings_and_seed(settings, skip)
    if twins:
        st.info(
            f"{' and '.join(f'**{r}**' for r in twins[0])} share every setting and the seed "
            f"({settings[twins[0][0]].get('seed', 0)}): the seed fixes the starting weights, the order of the images and "
            "every noise draw, so on the same data they train alike and draw the same curves. Change `seed` to see how "
            "much a run varies by chance.",
            icon=":material/content_copy:",
        )


def same_settings_and_seed(settings: dict[str, dict[str, Any]], skip: set[str]) -> list[tuple[str, ...]]:
    """Groups of runs whose settings (seed and dataset included) are all equal."""
    groups: dict[str, list[str]] = {}
    for run_id, values in settings.items():
        shown = {k: v for k, v in values.items() if k not in skip - {"data"}}
        groups.setdefault(repr(sorted(shown.items(), key=lambda kv: kv[0])), []).append(run_id)
    return [tuple(ids) for ids in groups.values() if len(ids) > 1]


def _short(value: Any) -> str:
    from lookbook.ui.training_fields import format_value

    return format_value(value)
