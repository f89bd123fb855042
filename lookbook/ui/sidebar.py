"""The shared sidebar, drawn once by app.py: active dataset, generator and classifier, and where runs are kept."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from lookbook import paths
from lookbook.data.builtin import builtin_dataset_dir
from lookbook.models import artifacts
from lookbook.ui import cache, state

NO_MODEL = ""  # selectbox option meaning "none"


def draw() -> None:
    """Draw the sidebar (below the page navigation) and settle the app-wide selections in session state."""
    with st.sidebar:
        st.markdown("#### Active")
        _dataset_picker()
        _model_picker("Generator", artifacts.GENERATOR_FILE, state.GENERATOR, state.GENERATOR_CHOICE)
        _model_picker("Classifier", artifacts.CLASSIFIER_FILE, state.CLASSIFIER, state.CLASSIFIER_CHOICE)
        st.divider()
        st.caption(f"Workspace: `{paths.workspace_dir()}`  \nRuns: `{paths.runs_dir()}`")


def dataset_label(path: str) -> str:
    """`builtin/dataset · 5,812 garments · 64 px` for the dataset selectbox."""
    meta = cache.dataset_meta(path)
    name = paths.display_path(path).removeprefix("workspace/")
    parts = [name]
    if isinstance(meta.get("count"), int):
        parts.append(f"{meta['count']:,} garments")
    if meta.get("sizes"):
        parts.append(" / ".join(f"{s}" for s in meta["sizes"]) + " px")
    return " · ".join(parts)


def _dataset_picker() -> None:
    found = [str(p) for p in paths.find_datasets()]
    active = st.session_state[state.DATASET]
    if active and not Path(active).is_dir():
        active = st.session_state[state.DATASET] = None  # deleted since it was chosen
    options = found if (not active or active in found) else [active, *found]
    if not options:
        st.caption("**Dataset:** none yet. Prepare the built-in one or your own on **Home**.")
        return
    if not active:
        builtin = str(builtin_dataset_dir())
        active = st.session_state[state.DATASET] = builtin if builtin in options else options[0]
    if st.session_state.get(state.DATASET_CHOICE) not in options:
        st.session_state[state.DATASET_CHOICE] = active
    choice = st.selectbox(
        "Dataset",
        options,
        key=state.DATASET_CHOICE,
        format_func=dataset_label,
        on_change=state.reset_explorer,
        help="Prepared datasets found in the workspace. Open another by path on Home.",
    )
    st.session_state[state.DATASET] = choice


def _model_picker(label: str, filename: str, key: str, widget_key: str) -> None:
    found = [str(p) for p in paths.find_models(filename)]
    if not found:
        st.session_state[key] = None
        st.caption(f"**{label}:** none yet — train one (Training page or `python -m lookbook train`).")
        return
    options = [*found, NO_MODEL]
    if st.session_state.get(widget_key) not in options:
        current = st.session_state.get(key)
        st.session_state[widget_key] = current if current in options else found[0]
    choice = st.selectbox(label, options, key=widget_key, format_func=_model_label)
    st.session_state[key] = choice or None


def _model_label(path: str) -> str:
    if not path:
        return "none"
    meta = cache.model_meta(path)
    size = f" · {meta['image_size_px']} px" if meta.get("image_size_px") else ""
    return f"{paths.display_path(path)}{size}"
