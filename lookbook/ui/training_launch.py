"""The Training page's new-run form: dataset, preset, a widget per setting, what changed, the command line, Launch.

The widgets build the same config object the CLI builds (the preset with the changed fields), and Launch hands it to
`lookbook.train.launcher.start_run`, which starts the trainer as a separate process and returns at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from lookbook import paths
from lookbook.config import Config
from lookbook.data.dataset import IMAGE_SIZES_PX
from lookbook.errors import LookbookError
from lookbook.models.artifacts import CLASSIFIER_FILE
from lookbook.train import launcher
from lookbook.ui import cache, state, training_fields, training_scores
from lookbook.ui.sidebar import dataset_label

KIND_NAMES = {"gan": "GAN", "classifier": "classifier"}
DEFAULT_SIZE_PX = 64  # a classifier's size when a dataset has several caches: the presets' GAN size, so it can judge them


def key(kind: str, name: str) -> str:
    """A widget key of this page: `train.<kind>.<name>`."""
    return f"{state.TRAIN_PREFIX}{kind}.{name}"


def field_key(kind: str, field: str) -> str:
    return key(kind, f"field.{field}")


def set_pending(widget_key: str, value: Any) -> None:
    """Give a widget a value from the next run on (a drawn widget's value cannot be set in the same run)."""
    if st.session_state.get(state.TRAIN_PENDING) is None:
        st.session_state[state.TRAIN_PENDING] = {}
    st.session_state[state.TRAIN_PENDING][widget_key] = value


def apply_pending() -> None:
    """Set the widget values queued by set_pending (call before any widget of the page is drawn)."""
    pending = st.session_state.get(state.TRAIN_PENDING) or {}
    for widget_key, value in pending.items():
        st.session_state[widget_key] = value
    st.session_state[state.TRAIN_PENDING] = None


def launch_form(kind: str) -> None:
    """The whole form for a new `kind` run (gan or classifier)."""
    data = dataset_picker(kind)
    if data is None:
        return
    preset, base = _preset_picker(kind)
    values, fallbacks = _settings(kind, base, data)
    for note in fallbacks:
        st.caption(f":material/info: {note}")
    try:
        config = training_fields.build_config(base, values)
        sets = launcher.set_args(base, config)
    except LookbookError as exc:
        st.error(f"These settings cannot run: {exc}", icon=":material/error:")
        config, sets = None, []
    if config is not None:
        _check_judge(config)
        _summary(config, base)
    _launch_row(kind, data, preset, config, sets)


# dataset and preset ----------------------------------------------------------------------------------
def dataset_picker(kind: str) -> str | None:
    """The dataset to train on: a prepared one, the sidebar's active dataset by default (and when it changes)."""
    active = state.active_dataset()
    options = [str(p) for p in paths.find_datasets()]
    if active is not None and str(active) not in options:
        options.insert(0, str(active))
    if not options:
        st.info("No prepared dataset yet: prepare the built-in one (one click) or your own on **Home**.", icon=":material/info:")
        return None
    widget, follow = key(kind, "dataset"), key(kind, "dataset_follows")
    if st.session_state.get(widget) not in options or st.session_state.get(follow) != str(active):
        st.session_state[widget] = str(active) if active is not None else options[0]
        st.session_state[follow] = str(active)  # a new sidebar choice is followed; a choice made here is kept until then
    return st.selectbox(
        "Dataset",
        options,
        key=widget,
        format_func=dataset_label,
        help="Prepared datasets in the workspace; the active one (sidebar) is picked for you.",
    )


def _preset_picker(kind: str) -> tuple[str, Config]:
    names = training_fields.preset_names(kind)
    widget = key(kind, "preset")
    if st.session_state.get(widget) not in names:
        st.session_state[widget] = names[0]
    preset = st.segmented_control(
        "Preset",
        names,
        key=widget,
        required=True,
        on_change=_forget_settings,
        args=(kind,),
        help="A named recipe; every setting below starts at its value. Changing the preset resets them.",
        persist_state="session",
    )
    preset = preset or names[0]
    st.caption(f"**{preset}**: {training_fields.preset_note(kind, preset)}.")
    return preset, launcher.preset_config(kind, preset)[1]


def _forget_settings(kind: str) -> None:
    """Preset changed: the settings start again from the new preset's values (and an unedited run name follows)."""
    prefix = field_key(kind, "")
    for widget in [k for k in st.session_state if str(k).startswith(prefix)]:
        del st.session_state[widget]
    name = key(kind, "run_name")
    if st.session_state.get(name) == st.session_state.get(key(kind, "run_name_suggested")):
        st.session_state.pop(name, None)


# settings --------------------------------------------------------------------------------------------
def _dynamic_options(kind: str, data: str) -> dict[str, list[Any]]:
    """Options that depend on the dataset (image caches, categories) and on the models on disk."""
    sizes = cache.cache_sizes(data)
    if kind == "gan":
        found = [str(p) for p in paths.find_models(CLASSIFIER_FILE)]
        return {
            "image_size_px": [s for s in sizes if s in IMAGE_SIZES_PX],
            "include_categories": cache.dataset(data).categories(),
            "eval_classifier": ["", *found],
        }
    return {"image_size_px": [0, *sizes] if len(sizes) == 1 else sizes}


def _settings(kind: str, base: Config, data: str) -> tuple[dict[str, Any], list[str]]:
    """Draw a widget per config field, grouped; returns ({field: value}, notes on preset values this dataset lacks)."""
    dynamic = _dynamic_options(kind, data)
    docs = training_fields.field_docs(type(base))
    values: dict[str, Any] = {}
    notes: list[str] = []
    groups = training_fields.form_groups(kind)
    main = [g for g in groups if g.main]
    for group, column in zip(main, st.columns(len(main), gap="medium")):
        with column:
            st.markdown(f"**{group.title}**")
            for field in group.fields:
                values[field.name] = _field_widget(kind, field, base, dynamic, docs, notes)
    for group in [g for g in groups if not g.main]:
        with st.expander(group.title):
            cols = st.columns(3, gap="medium")
            for i, field in enumerate(group.fields):
                with cols[i % 3]:
                    values[field.name] = _field_widget(kind, field, base, dynamic, docs, notes)
    return values, notes


def _field_widget(
    kind: str, field: training_fields.Field, base: Config, dynamic: dict[str, list[Any]], docs: dict[str, str], notes: list[str]
) -> Any:
    preset_value = getattr(base, field.name)
    widget = field_key(kind, field.name)
    helptext = " ".join(t for t in (field.help, _sentence(docs.get(field.name, ""))) if t) or None
    common = {"key": widget, "help": helptext, "persist_state": "session"}
    kind_of = field.widget
    if kind_of in ("steps", "choice", "multi", "list", "select"):
        options = training_fields.choices(kind, field, preset_value, dynamic)
        start = _start_value(field, preset_value, options, notes)
        _initialise(widget, training_fields.widget_value(field, start), options, many=kind_of in ("multi", "list"))
        fmt = _formatter(field)
        if kind_of == "steps":
            return st.select_slider(field.label, options=options, format_func=fmt, **common)
        if kind_of == "choice":
            value = st.segmented_control(field.label, options, format_func=fmt, required=True, **common)
            return preset_value if value is None else value
        if kind_of == "multi":
            return st.pills(field.label, options, selection_mode="multi", format_func=fmt, **common)
        if kind_of == "list":
            return st.multiselect(field.label, options, format_func=fmt, **common)
        return st.selectbox(field.label, options, format_func=fmt, **common)
    _initialise(widget, training_fields.widget_value(field, preset_value))
    if kind_of == "toggle":
        return st.toggle(field.label, **common)
    if kind_of == "text":
        return st.text_input(field.label, **common)
    low, high = training_fields.bounds(field, st.session_state[widget])
    if kind_of == "slider":
        value = st.slider(field.label, min_value=low, max_value=high, step=field.step, **common)
    else:
        value = st.number_input(field.label, min_value=low, max_value=high, step=field.step, format=field.fmt, **common)
    # sliders step in binary floats (0.1 + 0.2): keep what a person would type
    return float(f"{value:.6g}") if isinstance(value, float) else value


def _start_value(field: training_fields.Field, preset_value: Any, options: list[Any], notes: list[str]) -> Any:
    """The preset's value, or the nearest the dataset offers (with a note saying so)."""
    if field.name != "image_size_px" or preset_value in options or not options:
        return preset_value
    if preset_value == 0:  # a classifier's "the dataset's only cache", and this dataset has several
        chosen = DEFAULT_SIZE_PX if DEFAULT_SIZE_PX in options else options[0]
        notes.append(f"This dataset has {' / '.join(map(str, options))} px image caches; the classifier trains at {chosen} px.")
        return chosen
    nearest = min(options, key=lambda s: (abs(s - preset_value), -s))
    notes.append(
        f"This dataset has no {preset_value} px image cache, so the preset's image size becomes {nearest} px "
        f"(prepare the dataset at {preset_value} px to train at the preset's size)."
    )
    return nearest


def _initialise(widget: str, value: Any, options: list[Any] | None = None, many: bool = False) -> None:
    """Give a widget its starting value unless it has one that is still valid (a dataset switch can void it)."""
    current = st.session_state.get(widget)
    if widget in st.session_state and options is None:
        return
    if widget in st.session_state and options is not None:
        valid = all(v in options for v in current) if many and isinstance(current, list) else current in options
        if valid:
            return
    st.session_state[widget] = value


def _formatter(field: training_fields.Field):
    def fmt(value: Any) -> str:
        if field.off_label is not None and value == 0:
            return field.off_label
        if field.name == "eval_classifier":
            return paths.display_path(value) if value else "none"
        return training_fields.format_value(value)

    return fmt


def _sentence(text: str) -> str:
    text = text.strip()
    return f"{text[0].upper()}{text[1:]}." if text and not text.endswith(".") else text


# summary and launch ---------------------------------------------------------------------------------
def _check_judge(config: Config) -> None:
    """Warn before launch when the quality metrics' classifier works at another image size than the GAN."""
    judge = getattr(config, "eval_classifier", "")
    if not getattr(config, "eval_every_epochs", 0) or not judge:
        return
    size = cache.model_meta(judge).get("image_size_px")
    if size and size != config.image_size_px:
        st.warning(
            f"The classifier {paths.display_path(judge)} works on {size} px images but this GAN makes "
            f"{config.image_size_px} px ones; the run would stop at start-up. Pick another classifier or image size.",
            icon=":material/warning:",
        )


def _summary(config: Config, base: Config) -> None:
    table = training_fields.changes(config, base)
    st.markdown("**What changes from the preset**")
    if table.empty:
        st.caption("Nothing: the run uses the preset exactly.")
    else:
        st.dataframe(table, hide_index=True, width="content")


def _launch_row(kind: str, data: str, preset: str, config: Config | None, sets: list[str]) -> None:
    name_key, suggested_key = key(kind, "run_name"), key(kind, "run_name_suggested")
    if not st.session_state.get(name_key):
        st.session_state[name_key] = st.session_state[suggested_key] = training_fields.suggest_run_name(kind, preset)
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    name = left.text_input(
        "Run name",
        key=name_key,
        help=f"The run's folder under {paths.runs_dir()}. A folder holding a run is never overwritten.",
    )
    clicked = right.button(
        "Launch",
        key=key(kind, "launch"),
        type="primary",
        icon=":material/rocket_launch:",
        disabled=config is None,
        width="stretch",
    )
    run = None
    try:
        run = training_fields.run_folder(name)
    except LookbookError as exc:
        st.error(str(exc), icon=":material/error:")
    if run is not None and config is not None:
        with st.expander("The same run from a terminal"):
            st.code(training_fields.command_line(kind, data, run, preset, sets), language="bash", wrap_lines=True)
    if clicked and run is not None and config is not None:
        _launch(kind, data, run, preset, sets)


def _launch(kind: str, data: str, run: Path, preset: str, sets: list[str]) -> None:
    try:
        with st.spinner("Starting the trainer…"):
            pid = launcher.start_run(kind, data, run, preset, sets, score_with=training_scores.judge()).pid
    except LookbookError as exc:
        st.error(f"Not started: {exc}", icon=":material/error:")
        return
    set_pending(key(kind, "run"), str(run))  # watch the new run
    set_pending(key(kind, "form_open"), False)
    st.session_state.pop(key(kind, "run_name"), None)  # a fresh name for the next run (widget keys may be deleted)
    state.flash(
        "success", f"Started {KIND_NAMES[kind]} run **{run.name}** (process {pid}). It keeps going if you close the page."
    )
    st.rerun()
