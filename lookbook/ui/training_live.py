"""The Training page's view of one run, read from its run directory and redrawn every few seconds while it trains:
status, progress, curves, sample grids, quality metrics, the classifier's report, and stop / resume / use-this-model.

Everything shown comes from the run folder (via lookbook.run.reader), so a reload, a second tab or an app restart
shows the same run, still going.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
from PIL import Image

from lookbook import paths
from lookbook.errors import LookbookError
from lookbook.run import process, reader, scores
from lookbook.run.folder import RunDir
from lookbook.run.layout import CONFIG_FILE, LIVE_STATES, MODEL_FILES
from lookbook.train import launcher
from lookbook.ui import cache, state, training_scores
from lookbook.ui.training_fields import format_number
from lookbook.ui.training_launch import key
from lookbook.ui.widgets import chart
from lookbook.viz import training as charts

REFRESH_S = 2.0  # how often the live view rereads a training run's folder
IDLE_REFRESH_S = 10.0  # how often a run that is not training is checked for having been resumed elsewhere
SAMPLES_REFRESH_S = 10.0  # how often a training run's sample grid and log are reread (a new grid comes once an epoch)
GRID_WIDTH_PX = 560  # sample grids are drawn this wide (8 columns of 64 px images are 530 px)
SAMPLE_ROW_PX = 60  # height of a sample-grid row in its table: a 32 px grid row is drawn about twice as large
STATE_BADGES = {
    "starting": ("blue", ":material/hourglass_top:", "starting"),
    "running": ("blue", ":material/progress_activity:", "running"),
    "finished": ("green", ":material/check_circle:", "finished"),
    "stopped": ("orange", ":material/pause_circle:", "stopped"),
    "failed": ("red", ":material/error:", "failed"),
    "created": ("gray", ":material/radio_button_unchecked:", "not started"),
}
MODEL_STATE = {"gan": (state.GENERATOR, state.GENERATOR_CHOICE), "classifier": (state.CLASSIFIER, state.CLASSIFIER_CHOICE)}


# reading a run ---------------------------------------------------------------------------------------
def runs_of(kind: str) -> pd.DataFrame:
    """The runs of one kind under the runs root, newest first (reader.list_runs)."""
    runs = reader.list_runs(paths.runs_dir())
    return runs[runs["kind"] == kind].reset_index(drop=True)


@st.cache_data(max_entries=32, show_spinner=False)
def _metrics(path: str, size: int, mtime_ns: int) -> pd.DataFrame:
    return reader.read_metrics(Path(path).parent)


def run_metrics(run: str | Path) -> pd.DataFrame:
    """metrics.jsonl as a table, reread only when the file changes, with a fractional `epoch_progress` column."""
    file = reader.metrics_file(run)
    try:
        stat = file.stat()
        size, mtime = stat.st_size, stat.st_mtime_ns
    except OSError:
        size, mtime = 0, 0
    metrics = _metrics(str(file), size, mtime)
    return charts.with_epoch_progress(metrics, reader.run_facts(run).get("steps_per_epoch"))


def run_label(row: pd.Series) -> str:
    """`gan-quick-0131 · preset quick` for the run picker (fixed text: a keyed selectbox keeps the labels it first showed)."""
    return f"{row['id']} · preset {row['preset']}" if row.get("preset") else str(row["id"])


# the view ---------------------------------------------------------------------------------------------
def run_picker(kind: str, runs: pd.DataFrame) -> str:
    """Choose the run to watch: by default the newest live run, else the newest; returns its folder."""
    options = runs["path"].tolist()
    labels = {row["path"]: run_label(row) for _, row in runs.iterrows()}
    widget = key(kind, "run")
    if st.session_state.get(widget) not in options:
        live = runs[runs["state"].isin(LIVE_STATES)]
        st.session_state[widget] = (live if len(live) else runs)["path"].iloc[0]
    return st.selectbox("Run to watch", options, key=widget, format_func=lambda p: labels.get(p, p))


def live_view(kind: str, run: str) -> None:
    """The run's view. A busy run's (training, or its score being computed) is a fragment rereading the run folder
    every REFRESH_S seconds; a run at rest is drawn once, and a small fragment checks every IDLE_REFRESH_S seconds
    whether it came back to life (resumed or scored from another tab or the command line)."""
    if _busy(kind, run):
        st.fragment(_view, run_every=REFRESH_S)(kind, run)
        st.fragment(_tail, run_every=SAMPLES_REFRESH_S)(kind, run)
    else:
        _view(kind, run)
        _tail(kind, run)
        st.fragment(_watch, run_every=IDLE_REFRESH_S)(kind, run)


def _busy(kind: str, run: str) -> bool:
    """Whether the run is training or its score is being computed (its view then changes by itself)."""
    if reader.run_status(run)["state"] in LIVE_STATES:
        return True
    return kind == "gan" and scores.score_state(run)["state"] == "scoring"


def _view(kind: str, run: str) -> None:
    status = reader.run_status(run)
    _notice_change(kind, run, _busy(kind, run))
    metrics = run_metrics(run)
    _status_block(kind, run, status, metrics)
    _controls(kind, run, status)
    if kind == "gan":
        training_scores.score_panel(run, status.get("state", "created"))
        _gan_panels(run, metrics)
    else:
        _classifier_panels(run, metrics)


def _tail(kind: str, run: str) -> None:
    """The sample grid and the log: they change once an epoch, so a live run redraws them less often (a table of
    sample rows redrawn every few seconds would flicker)."""
    if kind == "gan":
        _samples(run, reader.run_settings(run))
    status = reader.run_status(run)
    with st.expander("Log", expanded=status["state"] == "failed", icon=":material/terminal:"):
        tail = reader.log_tail(run, 40)
        st.code(tail or "(nothing logged yet)", language=None, wrap_lines=True)


def _watch(kind: str, run: str) -> None:
    _notice_change(kind, run, _busy(kind, run))


def _notice_change(kind: str, run: str, busy: bool) -> None:
    """When the watched run starts or stops being busy, rerun the whole page once (buttons, refresh rate, header)."""
    if st.session_state.get(state.TRAIN_SEEN) is None:
        st.session_state[state.TRAIN_SEEN] = {}
    seen = st.session_state[state.TRAIN_SEEN]
    before = seen.get(kind)
    seen[kind] = (run, busy)
    if before and before[0] == run and before[1] != busy:
        st.rerun()


def _status_block(kind: str, run: str, status: dict[str, Any], metrics: pd.DataFrame) -> None:
    run_state = status.get("state", "created")
    colour, icon, text = STATE_BADGES.get(run_state, ("gray", ":material/help:", run_state))
    rd = RunDir.at(run)
    head = st.container(horizontal=True, vertical_alignment="center")
    with head:
        st.badge(text, icon=icon, color=colour)
        if status.get("stale"):
            st.badge("process gone", icon=":material/link_off:", color="red")
        if run_state in LIVE_STATES and rd.stop_requested():
            st.badge("stop requested", icon=":material/pending:", color="orange")
        st.caption(f"`{paths.display_path(run)}` · {_updated(status.get('updated'))}")
    reason = reader.describe_reason(run, status)
    if reason and run_state not in LIVE_STATES:
        tell = st.error if run_state == "failed" else st.info
        tell(f"{str(reason)[:500]}", icon=":material/info:")
    if run_state == "starting":
        st.caption("Starting the trainer (loading TensorFlow, reading the dataset)…")
    st.progress(*_progress(kind, run, status))
    _metric_cards(kind, status, metrics)


def _progress(kind: str, run: str, status: dict[str, Any]) -> tuple[float, str]:
    """(share done, `epoch 3 of 30 · step 96 of 960 · 2 min 10 s left`)."""
    parts, share = [], 0.0
    if _number(status.get("epochs")):
        epoch, epochs = int(status.get("epoch") or 0), int(status["epochs"])
        parts.append(f"epoch {epoch:,} of {epochs:,}")
        share = epoch / epochs if epochs else 0.0
    if kind == "gan" and _number(status.get("total_steps")) and _number(status.get("step")):
        step, total = int(status["step"]), int(status["total_steps"])
        parts.append(f"step {step:,} of {total:,}")
        share = step / total if total else share
    budget = reader.time_budget(run)
    if budget is not None:
        used, allowed = budget
        parts.append(f"{_duration(used)} of its {allowed / 60:g} min budget")
        share = max(share, used / allowed)  # the budget ends the run before its last epoch
    eta = reader.eta_seconds(run)
    if eta is not None:
        parts.append(f"about {_duration(eta)} left")
    elif status.get("state") == "finished":
        parts.append("done")
    return min(1.0, max(0.0, share)), " · ".join(parts) or "not started"


def _metric_cards(kind: str, status: dict[str, Any], metrics: pd.DataFrame) -> None:
    last = _last_values(metrics)
    cards: list[tuple[str, str, str | None]] = []  # (label, value, help)
    if kind == "gan":
        for name in ("d_loss", "g_loss", "d_real", "d_fake"):
            cards.append((charts.metric_title(name), _fmt(last.get(name)), "Mean over the last logged steps."))
        if _number(last.get("d_class_acc")):
            cards.append(("D class acc.", f"{last['d_class_acc']:.1%}", "AC-GAN head: real images whose category D names."))
    else:
        for name, label in (("loss", "Loss"), ("accuracy", "Accuracy"), ("val_accuracy", "Val. accuracy")):
            cards.append((label, _fmt(last.get(name)), "At the last finished epoch."))
        test = status.get("test_accuracy")
        cards.append(
            ("Test accuracy", f"{test:.1%}" if _number(test) else "–", "On the held-out test split, once training ends.")
        )
    rate = status.get("images_per_s", last.get("images_per_s"))
    cards.append(("Images/s", f"{rate:,.0f}" if _number(rate) else "–", "Training throughput."))
    for (label, value, helptext), col in zip(cards, st.columns(len(cards))):
        col.metric(label, value, help=helptext, border=True)


def _controls(kind: str, run: str, status: dict[str, Any]) -> None:
    run_state = status.get("state")
    rd = RunDir.at(run)
    bar = st.container(horizontal=True, vertical_alignment="bottom")
    with bar:
        if run_state in LIVE_STATES:
            if st.button("Stop", key=key(kind, "stop"), icon=":material/stop_circle:", disabled=rd.stop_requested()):
                _stop(run)
        elif kind == "gan" and reader.checkpoint_step(run) is not None:
            _resume_controls(run, status)
        model = rd.path / MODEL_FILES[kind]
        if model.is_file() and run_state not in LIVE_STATES:
            use_button(kind, model, key=key(kind, "use_model"))


def _stop(run: str) -> None:
    with st.spinner("Asking the run to stop…"):
        process.stop_run(run)
    st.toast("Stop requested: the run saves a checkpoint, then stops.", icon=":material/pause_circle:")
    st.rerun()


def _resume_controls(run: str, status: dict[str, Any]) -> None:
    settings = reader.run_settings(run)
    finished = status.get("state") == "finished"
    field, current, wanted = _resume_target(run, settings, status, finished)
    step = reader.checkpoint_step(run)
    label = "Train longer" if finished else f"Resume from step {step:,}"
    if st.button(label, key=key("gan", "resume"), icon=":material/play_circle:", type="primary"):
        data = settings.get("data")
        overrides = {field: wanted} if wanted != current else {}
        if not data:
            st.error(f"Not resumed: {run}/{CONFIG_FILE} does not say which dataset the run used.", icon=":material/error:")
            return
        try:
            with st.spinner("Starting the trainer…"):
                launcher.start_run("gan", data, run, None, overrides, resume=True, score_with=training_scores.judge())
        except LookbookError as exc:
            st.error(f"Not resumed: {exc}", icon=":material/error:")
            return
        state.flash("success", f"Resumed **{Path(run).name}** from step {step:,}.")
        st.rerun()


def _resume_target(run: str, settings: dict[str, Any], status: dict[str, Any], finished: bool) -> tuple[str, Any, Any]:
    """(config field, its value, the value asked for): the time budget of a run a budget ends, else its epochs."""
    budget = reader.time_budget(run)
    if budget is not None and (not finished or budget[0] >= budget[1]):  # more epochs would not train it
        minutes = budget[1] / 60
        wanted = st.number_input(
            "Train to minutes" if finished else "Minutes in total",
            min_value=1.0,
            max_value=100_000.0,
            value=float(minutes * 2 if finished else minutes),
            step=5.0,
            format="%g",
            key=key("gan", "resume_minutes"),
            help="The run's time budget, across resumes: a resumed run carries on from its last checkpoint.",
            width=170,
        )
        return "max_minutes", minutes, float(wanted)
    epochs = int(settings.get("epochs") or status.get("epochs") or 1)
    wanted = st.number_input(
        "Train to epoch" if finished else "Epochs in total",
        min_value=1,
        max_value=100_000,
        value=epochs * 2 if finished else epochs,
        step=1,
        key=key("gan", "resume_epochs"),
        help="A resumed run carries on from its last checkpoint; more epochs train it longer.",
        width=170,
    )
    return "epochs", epochs, int(wanted)


def use_button(kind: str, model: Path | None, key: str, label: str | None = None) -> None:
    """Make `model` the Lookbook's generator / classifier; says so when it already is (disabled without a model)."""
    active_key = MODEL_STATE[kind][0]
    in_use = model is not None and st.session_state.get(active_key) == str(model)
    what = "generator" if kind == "gan" else "classifier"
    label = f"In use in the lookbook ({what})" if in_use else (label or f"Use this {what} in the lookbook")
    if st.button(
        label,
        key=key,
        icon=":material/check:" if in_use else ":material/auto_awesome_mosaic:",
        disabled=in_use or model is None,
        on_click=use_model,
        args=(kind, str(model)),
    ):
        st.rerun()  # the sidebar is outside this fragment: redraw the page


def use_model(kind: str, model: str) -> None:
    """Make `model` the app's active generator / classifier (the sidebar's choice too)."""
    active_key, widget_key = MODEL_STATE[kind]
    st.session_state[active_key] = model
    st.session_state[widget_key] = model  # a callback runs before the sidebar's selectbox is drawn, so it may be set
    state.flash("success", f"The lookbook now uses `{paths.display_path(model)}`.")


# GAN panels -----------------------------------------------------------------------------------------
def _gan_panels(run: str, metrics: pd.DataFrame) -> None:
    settings = reader.run_settings(run)
    controls = st.container(horizontal=True, vertical_alignment="bottom")
    with controls:
        window = st.slider(
            "Rolling mean over (logged rows)",
            min_value=1,
            max_value=100,
            value=5,
            key=key("gan", "window"),
            help="The bold lines average this many logged rows; the faint ones are the raw values.",
            width=320,
        )
        x = st.segmented_control(
            "X axis",
            ["epoch_progress", "step", "wall_time_s"],
            default="epoch_progress",
            format_func=charts.x_label,
            key=key("gan", "x"),
            required=True,
        )
    x = x or "epoch_progress"
    if metrics["step"].notna().sum() == 0:
        every = settings.get("log_every_steps")
        st.info(
            f"No losses logged yet: the first row comes after {every} steps or at the end of the first epoch."
            if every
            else "No losses logged yet.",
            icon=":material/hourglass_top:",
        )
    else:
        left, right = st.columns(2)
        with left:
            chart(
                charts.loss_figure(metrics, window, x),
                "Discriminator and generator losses; neither should run away to zero or explode.",
                "",
                key=key("gan", "loss_chart"),
            )
        with right:
            chart(
                charts.discriminator_figure(metrics, window, x, settings.get("loss", "bce")),
                "D(x): D's score for real images; D(G(z)): for generated ones. They meet when D can no longer tell.",
                "",
                key=key("gan", "d_chart"),
            )
    _quality(metrics, x)


def _quality(metrics: pd.DataFrame, x: str) -> None:
    keys = charts.eval_columns(metrics)
    if not keys:
        return
    st.markdown("**Quality metrics**")
    last = _last_values(metrics)
    headline = [k for k in keys if k in charts.EVAL_ORDER][:4] or keys[:4]
    for name, col in zip(headline, st.columns(len(headline))):
        col.metric(charts.metric_title(name), _fmt(last.get(name)), border=True)
    chart(
        charts.metrics_figure(metrics, headline, x),
        "FCD: Fréchet distance in the classifier's feature space (lower is better); recognisability: share of images "
        "the classifier labels with confidence ≥ 0.8; coverage: share of categories it sees (mode collapse lowers it).",
        "",
        key=key("gan", "eval_chart"),
    )


def _samples(run: str, settings: dict[str, Any]) -> None:
    grids = reader.sample_epochs(run)
    st.markdown("**Samples** (the same latent vectors every epoch)")
    if not grids:
        st.caption("The first sample grid appears at the end of the first epoch.")
        return
    epoch = _sample_epoch(list(grids))
    categories = settings.get("categories") if settings.get("conditional") else None
    if not categories:
        st.image(str(grids[epoch]), caption=f"epoch {epoch}", width=GRID_WIDTH_PX)
        return
    judged = reader.category_figures(run)
    try:
        table = charts.sample_rows(
            _grid(str(grids[epoch])), categories, _category_counts(settings.get("data")), (judged or {}).get("per_category")
        )
    except (OSError, ValueError) as exc:  # a grid from another run layout, or half-written
        st.caption(f"This sample grid cannot be split into one row per category ({exc}).")
        st.image(str(grids[epoch]), caption=f"epoch {epoch}", width=GRID_WIDTH_PX)
        return
    st.caption(
        f"Epoch {epoch}: one row per category the dataset holds ({len(table)}), one column per fixed latent vector. "
        f"{_judged_note(judged)}Click a row to see it large."
    )
    shown_table = table.assign(
        asked_for=table["asked_for"] * 100,  # a whole percent reads better than the column's two decimals
        diversity=[f"{v:.2f}" if np.isfinite(v) else "–" for v in table["diversity"]],
    )
    picked = st.dataframe(
        shown_table,
        hide_index=True,
        column_order=["garment", "images", *(["asked_for", "diversity"] if judged else []), "samples"],
        column_config={
            "garment": st.column_config.TextColumn("category", width="small"),
            "images": st.column_config.NumberColumn("training images", width="small", help="Real images of it"),
            "asked_for": st.column_config.ProgressColumn(
                "asked for",
                width="small",
                format="%.0f%%",
                min_value=0,
                max_value=100,
                help="Share of its generated garments the judge labels as this category (under 50%: the label is ignored)",
            ),
            "diversity": st.column_config.TextColumn(
                "variety",
                width="small",
                help="Spread of its generated garments against real photos of it: 1 = as varied, near 0 = every draw "
                "alike; – when the judge's reference holds too few real photos of it",
            ),
            "samples": st.column_config.ImageColumn("samples", width="large"),
        },
        row_height=SAMPLE_ROW_PX,
        height=(len(table) + 1) * SAMPLE_ROW_PX + 3,  # every row shown: no scroll box inside the page
        on_select="rerun",
        selection_mode="single-row",
        key=key("gan", "sample_rows"),
    )
    chosen = picked.selection.rows if picked is not None else []
    shown = key("gan", "sample_row_shown")
    if not chosen or chosen[0] >= len(table):
        st.session_state[shown] = None
    elif st.session_state.get(shown) != chosen[0]:  # a new click opens it; the live refresh does not reopen it
        st.session_state[shown] = chosen[0]
        row = table.iloc[chosen[0]]
        _row_dialog(row["samples"], f"{row['garment']} at epoch {epoch} ({row['images']} training images)")


def _judged_note(judged: dict[str, Any] | None) -> str:
    """Where the table's asked-for and variety columns come from, or how to get them."""
    if not judged:
        return "Set 'Evaluate every' and a judge to see, per category, how its garments are labelled and how varied they are. "
    source = "the live evaluation" if judged["source"] == "eval" else "the run's score"
    return f"Asked-for and variety: {source} at step {judged.get('step') or '?'} ({judged.get('n_images') or '?'} garments). "


@st.dialog("Samples of one category", width="large")
def _row_dialog(image: str, caption: str) -> None:
    st.image(image, caption=caption, width="stretch")


def _sample_epoch(epochs: list[int]) -> int:
    """The epoch slider: the newest grid by default, and it follows new epochs unless moved back to an earlier one."""
    widget, newest_seen = key("gan", "sample_epoch"), key("gan", "sample_newest")
    if len(epochs) == 1:
        return epochs[0]
    if st.session_state.get(widget) not in epochs or st.session_state.get(widget) == st.session_state.get(newest_seen):
        st.session_state[widget] = epochs[-1]
    st.session_state[newest_seen] = epochs[-1]
    return st.select_slider(
        "Epoch", options=epochs, key=widget, help="Scrub through the sample grids; at the newest it follows training."
    )


@st.cache_data(max_entries=8, show_spinner=False)
def _grid_at(path: str, mtime_ns: int) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def _grid(path: str) -> np.ndarray:
    return _grid_at(path, Path(path).stat().st_mtime_ns)


def _category_counts(data: str | None) -> dict[str, int] | None:
    """Images per category in the run's dataset, or None when the dataset cannot be opened."""
    if not data:
        return None
    try:
        counts = cache.dataset(data).index["category"].value_counts()
    except (LookbookError, OSError, ValueError, KeyError):
        return None
    return {str(k): int(v) for k, v in counts.items()}


# classifier panels ----------------------------------------------------------------------------------
def _classifier_panels(run: str, metrics: pd.DataFrame) -> None:
    if metrics["epoch"].notna().sum() == 0:
        st.info("No epoch finished yet: the curves start after the first one.", icon=":material/hourglass_top:")
    else:
        chart(
            charts.classifier_figure(metrics),
            "Loss and accuracy per epoch on the training images (augmented) and the validation split.",
            "",
            key=key("classifier", "curves"),
        )
    report = reader.classifier_report(run)
    if report is None:
        return
    _report(report)


def _report(report: dict[str, Any]) -> None:
    from lookbook.metrics.classification import per_class_frame

    accuracy = report.get("accuracy", {})
    st.markdown("**Held-out report**")
    cols = st.columns(4)
    for col, split in zip(cols, ("train", "validation", "test")):
        value = accuracy.get(split)
        n = (report.get("n_images") or {}).get(split)
        col.metric(f"{split.capitalize()} accuracy", f"{value:.1%}" if _number(value) else "–", help=f"{n} images", border=True)
    test = report.get("test") or {}
    if _number(test.get("macro_f1")):
        cols[3].metric("Test macro F1", f"{test['macro_f1']:.3f}", border=True)
    calibration = report.get("calibration") or {}
    if calibration.get("fitted_on") and _number(test.get("mean_confidence")) and _number(test.get("accuracy")):
        st.caption(
            f"Confidences calibrated on {calibration.get('n_images')} validation images (temperature "
            f"{calibration['temperature']:.2f}): on the test split the mean confidence is {test['mean_confidence']:.1%} "
            f"for an accuracy of {test['accuracy']:.1%} (calibration error {test.get('calibration_error', 0):.1%})."
            + _prior_sentence(calibration)
        )
    confusion = test.get("confusion")
    if confusion and confusion.get("labels"):
        normalise = st.toggle("Show shares of each true class", value=True, key=key("classifier", "normalise"))
        left, right = st.columns([3, 2])
        with left:
            chart(
                charts.confusion_figure(confusion["labels"], confusion["matrix"], normalise),
                "Confusion matrix on the held-out test split: rows are the true category, columns the prediction.",
                "",
                key=key("classifier", "confusion"),
            )
        with right:
            table = per_class_frame(test)
            st.dataframe(
                table,
                hide_index=True,
                placeholder="–",  # precision of a class never predicted
                column_config={c: st.column_config.NumberColumn(c, format="%.3f") for c in ("precision", "recall", "f1")},
            )
    excluded = report.get("excluded_labels") or {}
    if excluded:
        st.caption(
            "Not trained on: "
            + ", ".join(f"{label} ({info.get('count')}: {info.get('reason')})" for label, info in excluded.items())
        )


# formatting -------------------------------------------------------------------------------------------
def _last_values(metrics: pd.DataFrame) -> dict[str, Any]:
    """The last logged value of every column (eval rows and loss rows interleave)."""
    out: dict[str, Any] = {}
    for column in metrics.columns:
        values = pd.to_numeric(metrics[column], errors="coerce").dropna()
        if len(values):
            out[str(column)] = float(values.iloc[-1])
    return out


def _fmt(value: Any) -> str:
    if not _number(value) or not math.isfinite(value):
        return "–"
    return format_number(value) if abs(value) < 1e-3 and value != 0 else f"{value:.3f}"


def _number(value: Any) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, bool) and not pd.isna(value)


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def _updated(unix_s: Any) -> str:
    if not _number(unix_s):
        return "no status yet"
    ago = max(0.0, time.time() - float(unix_s))
    return f"updated {_duration(ago)} ago" if ago >= 1 else "updated just now"


def _prior_sentence(calibration: dict[str, Any]) -> str:
    """How strongly the training split's category shares were divided out of the predictions, if at all."""
    strength = calibration.get("prior_strength")
    if not _number(strength) or strength <= 0:
        return ""
    return (
        f" Category shares of the training split are divided out at strength {strength:.2f}, so a garment is not called "
        "the commoner of two close categories for being common."
    )
