"""The Training page's Sweeps tab: queue a grid or random search of GAN runs (up to two settings, a time budget per
run) and follow the queued sweeps, their runs ranked by score, the best one a click away from the Lookbook.

Queuing goes through lookbook.train.sweep_queue, which starts `python -m lookbook sweep --queue` in the background;
everything shown is read back from the runs root, so a reload or a second tab sees the same sweeps.
"""

from __future__ import annotations

import shlex
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from lookbook import paths
from lookbook.errors import LookbookError
from lookbook.models.artifacts import GENERATOR_FILE
from lookbook.run import reader
from lookbook.run.scores import best_run, rank_runs, score_columns
from lookbook.train import presets, sweep, sweep_queue
from lookbook.ui import cache, state, training_fields, training_scores
from lookbook.ui.training_launch import dataset_picker
from lookbook.ui.training_live import use_button

KIND = "gan"
PREFIX = "train.sweep."
CLOSE_FORM = f"{PREFIX}close_form"
MAX_SETTINGS = 2
DEFAULT_PRESET = "quick"
DEFAULT_BUDGET_MIN = 3.0
REFRESH_S = 5.0  # how often the sweeps list rereads the runs root while a sweep is queued or running
STATE_BADGES = {
    "queued": ("gray", ":material/schedule:"),
    "running": ("blue", ":material/progress_activity:"),
    "cancelling": ("orange", ":material/pending:"),
    "finished": ("green", ":material/check_circle:"),
    "cancelled": ("orange", ":material/cancel:"),
    "failed": ("red", ":material/error:"),
}


def sweeps_section() -> None:
    """The form (open while there is no sweep yet) and the list of sweeps."""
    root = paths.runs_dir()
    records = sweep_queue.list_sweeps(root)
    form_open = f"{PREFIX}form_open"
    if form_open not in st.session_state or st.session_state.pop(CLOSE_FORM, False):
        st.session_state[form_open] = not records  # a queued sweep closes the form (before the expander exists)
    form = st.expander("New sweep", key=form_open, on_change="rerun", icon=":material/add_circle:")
    if form.open:
        with form:
            sweep_form(root)
    if not records:
        st.info("No sweeps yet: queue one above, or run `python -m lookbook sweep` in a terminal.", icon=":material/info:")
        return
    active = any(r["state"] in sweep_queue.ACTIVE_STATES for r in records)
    if active:
        st.fragment(_sweep_list, run_every=REFRESH_S)(root)
    else:
        _sweep_list(root)


# the form ------------------------------------------------------------------------------------------------
def sweep_form(root: Path) -> None:
    """Dataset, preset, up to two swept settings (values or a range), trials, time budget per run, name, Queue."""
    data = dataset_picker("sweep")
    if data is None:
        return
    names = [DEFAULT_PRESET, *[n for n in presets.preset_names() if n != DEFAULT_PRESET]]
    preset = st.segmented_control("Preset", names, key=f"{PREFIX}preset", default=DEFAULT_PRESET, required=True)
    preset = preset or DEFAULT_PRESET
    base = presets.gan_preset(preset)
    st.caption(f"Every run starts from **{preset}** ({presets.PRESET_NOTES.get(preset, '')}) and changes only what is swept.")
    grid, ranges = [], []
    for i in range(MAX_SETTINGS):
        item = _setting_row(i, base)
        if item is not None:
            (grid if item[0] == "grid" else ranges).append(item[1])
    left, mid, right = st.columns(3)
    trials = mid.number_input(
        "Random draws",
        min_value=1,
        max_value=50,
        value=4,
        key=f"{PREFIX}trials",
        disabled=not ranges,
        help="How many values to draw from the ranges (each crossed with the values).",
    )
    budget = left.number_input(
        "Time budget per run (minutes)",
        min_value=0.5,
        max_value=1440.0,
        value=DEFAULT_BUDGET_MIN,
        step=0.5,
        key=f"{PREFIX}budget",
        help="Each run ends as finished after this much training time (or at the preset's epochs, if sooner): "
        "equal time makes recipes comparable.",
    )
    name_key = f"{PREFIX}name"
    if not st.session_state.get(name_key):
        st.session_state[name_key] = f"sweep-{datetime.now():%Y%m%d-%H%M%S}"
    name = right.text_input("Sweep name", key=name_key, help="Its runs are <runs root>/<name>-001, -002, …")
    request = sweep_queue.SweepRequest(
        name=name.strip(),
        data=str(data),
        kind=KIND,
        preset=preset,
        grid=tuple(grid),
        random=tuple(ranges),
        trials=int(trials) if ranges else None,
        sets=(f"max_minutes={budget:g}", *_size_fallback(data, base.image_size_px, grid + ranges)),
        score_with=training_scores.judge(),
    )
    plan = _check(root, request)
    if plan is not None:
        n = len(plan.trial_values())
        st.caption(
            f"**{n} run(s)**, one after another, about {n * budget:g} minutes of training in all. " + training_scores.judge_note()
        )
        with st.expander("The same sweep from a terminal"):
            st.code(shlex.join(["python", *request.command(paths.command_path(root))]), language="bash", wrap_lines=True)
    if st.button("Queue sweep", key=f"{PREFIX}queue", type="primary", icon=":material/queue:", disabled=plan is None):
        _queue(root, request)


def _size_fallback(data: str, size_px: int, swept: list[str]) -> list[str]:
    """`image_size_px=N` when the dataset has no cache at the preset's size (the nearest it has), with a note."""
    sizes = cache.cache_sizes(data)
    if size_px in sizes or not sizes or any(item.startswith("image_size_px=") for item in swept):
        return []
    nearest = min(sizes, key=lambda s: (abs(s - size_px), -s))
    st.caption(f":material/info: This dataset has no {size_px} px image cache, so every run trains at {nearest} px.")
    return [f"image_size_px={nearest}"]


def _setting_row(i: int, base: Any) -> tuple[str, str] | None:
    """One swept setting: ("grid", "key=v1,v2") or ("random", "key=lo..hi[:log]"), or None when left empty."""
    fields = training_fields.sweepable_fields(KIND)
    options = ([] if i == 0 else [""]) + list(fields)
    widget = f"{PREFIX}setting{i}"
    if st.session_state.get(widget) not in options:
        st.session_state[widget] = ("g_lr", "", "")[i] if i < 2 else ""
    cols = st.columns([2, 1.3, 3], vertical_alignment="bottom")
    name = cols[0].selectbox(
        f"Setting {i + 1}" + (" (optional)" if i else ""),
        options,
        key=widget,
        format_func=lambda n: fields.get(n, "none") + (f" ({n})" if n else ""),
    )
    if not name:
        return None
    numeric = training_fields.is_numeric(KIND, name)
    mode_key = f"{PREFIX}mode{i}.{name}"
    mode = cols[1].segmented_control(
        "Try",
        ["values", "range"] if numeric else ["values"],
        key=mode_key,
        default="values",
        required=True,
        help="values: every value listed (a grid); range: random draws between two bounds.",
    )
    if mode == "range":
        low_col, high_col, log_col = cols[2].columns([1, 1, 0.8], vertical_alignment="bottom")
        suggested = training_fields.suggest_values(KIND, name, base)
        low = low_col.number_input("From", value=float(min(suggested)), key=f"{PREFIX}low{i}.{name}", format="%g")
        high = high_col.number_input("To", value=float(max(suggested)), key=f"{PREFIX}high{i}.{name}", format="%g")
        log = log_col.toggle("Log scale", value=name.endswith("lr") or "epsilon" in name, key=f"{PREFIX}log{i}.{name}")
        return "random", training_fields.random_item(name, low, high, log)
    values_key = f"{PREFIX}values{i}.{name}"
    if values_key not in st.session_state:
        st.session_state[values_key] = ", ".join(
            training_fields.format_value(v) for v in training_fields.suggest_values(KIND, name, base)
        )
    text = cols[2].text_input("Values (comma-separated)", key=values_key, help="e.g. 1e-4, 2e-4 or bce, hinge or on, off")
    values = [_parse_value(v) for v in text.split(",") if v.strip()]
    return ("grid", training_fields.grid_item(name, values)) if values else None


def _parse_value(text: str) -> str:
    """A typed value as the command line takes it ("on"/"off" for switches, as the form shows them)."""
    text = text.strip()
    return {"on": "true", "off": "false"}.get(text.lower(), text)


def _check(root: Path, request: sweep_queue.SweepRequest) -> sweep.SweepPlan | None:
    """The sweep's plan (every run checked), or None with the reason shown."""
    if not request.grid and not request.random:
        st.caption("Choose a setting to sweep.")
        return None
    try:
        sweep_queue.check_new_name(root, request.name)
        return request.plan(root)
    except LookbookError as exc:
        st.error(f"This sweep cannot run: {exc}", icon=":material/error:")
        return None


def _queue(root: Path, request: sweep_queue.SweepRequest) -> None:
    try:
        with st.spinner("Queuing the sweep…"):
            sweep_queue.queue_sweep(root, request)
    except LookbookError as exc:
        st.error(f"Not queued: {exc}", icon=":material/error:")
        return
    st.session_state.pop(f"{PREFIX}name", None)  # a fresh name for the next sweep
    st.session_state[CLOSE_FORM] = True  # the expander's own key cannot change once it is drawn in this run
    state.flash("success", f"Queued sweep **{request.name}**: its runs train one after another in the background.")
    st.rerun()


# the list ------------------------------------------------------------------------------------------------
def _sweep_list(root: Path) -> None:
    records = sweep_queue.list_sweeps(root)
    rank_by = training_scores.sort_picker(f"{PREFIX}rank_by")
    for record in records:
        with st.container(border=True):
            _sweep_card(root, record, rank_by)


def _sweep_card(root: Path, record: dict[str, Any], rank_by: str) -> None:
    name, sweep_state = record["name"], record["state"]
    colour, icon = STATE_BADGES.get(sweep_state, ("gray", ":material/help:"))
    done, total = sweep_queue.progress(root, name)
    head = st.container(horizontal=True, vertical_alignment="center")
    with head:
        st.markdown(f"**{name}**")
        st.badge(sweep_state, icon=icon, color=colour)
        st.caption(f"{done} of {total} runs ended · {_describe(record.get('request') or {})}")
        cancellable = sweep_state in ("queued", "running")
        if cancellable and st.button("Cancel", key=f"{PREFIX}cancel.{name}", icon=":material/cancel:"):
            _cancel(root, name)
    if sweep_state == "failed" and record.get("reason"):
        st.error(str(record["reason"])[:300], icon=":material/error:")
    table = summary_table(root, name)
    if table.empty:
        st.caption("Waiting for the sweeps queued before it." if sweep_state == "queued" else "No run has started yet.")
        return
    table = rank_runs(table, rank_by)
    best = best_run(table, rank_by)
    table.insert(0, "best", table["run_id"].eq(best).map({True: "★", False: ""}))
    swept = [c for c in _swept_keys(record) if c in table]
    scores = [c for c in training_scores.SCORE_HELP if c in table]
    shown = ["best", "run_id", *swept, "state", *scores, "epoch", "wall_time_s"]
    st.dataframe(
        table[[c for c in shown if c in table]],
        hide_index=True,
        placeholder="–",
        column_config={
            "best": st.column_config.TextColumn("", width=30),
            "run_id": st.column_config.TextColumn("run"),
            "wall_time_s": st.column_config.NumberColumn("time (s)", format="%.0f"),
            **training_scores.score_column_config(),
        },
        key=f"{PREFIX}table.{name}",
    )
    if best:
        model = root / best / GENERATOR_FILE
        use_button(KIND, model if model.is_file() else None, key=f"{PREFIX}use.{name}", label=f"Use the best ({best})")
    elif sweep_state == "finished":
        st.caption(training_scores.judge_note() if not record.get("request", {}).get("score_with") else "No run was scored.")


def summary_table(root: Path, name: str) -> pd.DataFrame:
    """A sweep's summary rows (summary.json), with the score columns its runs have now."""
    table = pd.DataFrame(sweep.summary_rows(root, name) or [])
    if table.empty:
        return table
    for i, run_id in enumerate(table["run_id"]):
        for column, value in score_columns(root / str(run_id)).items():
            table.loc[i, column] = value
    live = {r: reader.run_status(root / r).get("state") for r in table["run_id"] if (root / r).is_dir()}
    table["state"] = [live.get(r) or s for r, s in zip(table["run_id"], table["state"])]
    return table


def _cancel(root: Path, name: str) -> None:
    try:
        sweep_queue.cancel_sweep(root, name)
    except LookbookError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    st.toast(f"Cancelling {name}: its current run saves a checkpoint and stops.", icon=":material/cancel:")
    st.rerun()


def _swept_keys(record: dict[str, Any]) -> list[str]:
    request = record.get("request") or {}
    items = [*request.get("grid", []), *request.get("random", [])]
    return [str(item).partition("=")[0] for item in items]


def _describe(request: dict[str, Any]) -> str:
    parts = [*request.get("grid", []), *request.get("random", []), *request.get("sets", [])]
    return f"preset {request.get('preset') or 'default'}: " + " · ".join(f"`{p}`" for p in parts)
