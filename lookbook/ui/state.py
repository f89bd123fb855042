"""Per-user session state: every key is namespaced ("app.", "home.", "explorer.", "lookbook.", "train.") and set up here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

# app-wide selections (read by every page)
DATASET = "app.dataset"  # resolved path (str) of the active prepared dataset, or None
GENERATOR = "app.generator"  # path (str) of the active generator .keras, or None
CLASSIFIER = "app.classifier"  # path (str) of the active classifier .keras, or None
PENDING_DATASET = "app.pending_dataset"  # set by a page, applied before the sidebar widgets are drawn
DATASET_CHOICE = "app.dataset_choice"  # the sidebar's dataset selectbox
GENERATOR_CHOICE = "app.generator_choice"
CLASSIFIER_CHOICE = "app.classifier_choice"
FLASH = "app.flash"  # one message shown once after a rerun: (kind, text)

# home page
HOME_SOURCES = "home.sources"  # list of {"kind", "path"} the user added
HOME_SOURCE_KIND = "home.source_kind"
HOME_SOURCE_PATH = "home.source_path"
HOME_OPEN_PATH = "home.open_path"

# explorer page
EXPLORER_PAGE = "explorer.page"  # 1-based gallery page
EXPLORER_VIEW = "explorer.view"  # index row shown in the single-image viewer
EXPLORER_FILTER = "explorer.filter."  # prefix: explorer.filter.<column>
EXPLORER_ALL_STYLES = "explorer.all_styles"  # FPID charts over every styles.csv row instead of the dataset's records

# lookbook page
LOOKBOOK_EDITOR = "lookbook.editor"  # the user's lookbook.compose.LookbookEditor (the open lookbook and its models), or None
LOOKBOOK_PAGE = "lookbook.page"  # 0-based index of the page being edited
LOOKBOOK_VARIATIONS = "lookbook.variations"  # (page, slot, row) whose row of variations is open, or None
LOOKBOOK_UPLOADS = "lookbook.uploads"  # bumped after an uploaded manifest is opened, so the uploader starts empty
LOOKBOOK_DRAFT = "lookbook.draft"  # id of the autosaved draft of the open lookbook (also in the page URL), or None
LOOKBOOK_SAVED_AS = "lookbook.saved_as"  # file name stem the open lookbook was last saved under in the workspace, or ""
LOOKBOOK_DELETE = "lookbook.delete"  # (page, history version) a delete waits to be confirmed for, or None
LOOKBOOK_SWITCH = "lookbook.switch"  # (what, action) opening another lookbook waits for: unsaved changes first, or None
LOOKBOOK_EDITOR_DRAWN = "lookbook.editor_drawn"  # history version the editor was last drawn for, or None
LOOKBOOK_EXPORT_DRAWN = "lookbook.export_drawn"  # (page, title, pages) the export section was last drawn for, or None
LOOKBOOK_LAST_REROLL = "lookbook.last_reroll"  # index of the slot last rerolled (its neighbour is drawn ahead first), or None

# training page
TRAIN_TAB = "train.tab"  # the open tab of the training page (stateful st.tabs)
TRAIN_PREFIX = "train."  # prefix of the page's widget keys: train.<gan|classifier>.<name>, train.compare.<name>
TRAIN_PENDING = "train.pending"  # {widget key: value} to set before the widgets are next drawn (after a launch), or None
TRAIN_SEEN = "train.seen"  # {run kind: (run folder, state)} last shown by the live view, to notice a run ending, or None

DEFAULTS: dict[str, Any] = {
    DATASET: None,
    GENERATOR: None,
    CLASSIFIER: None,
    PENDING_DATASET: None,
    FLASH: None,
    HOME_SOURCES: [],
    EXPLORER_PAGE: 1,
    EXPLORER_VIEW: None,
    LOOKBOOK_EDITOR: None,
    LOOKBOOK_PAGE: 0,
    LOOKBOOK_VARIATIONS: None,
    LOOKBOOK_UPLOADS: 0,
    LOOKBOOK_DRAFT: None,
    LOOKBOOK_SAVED_AS: "",
    LOOKBOOK_DELETE: None,
    LOOKBOOK_SWITCH: None,
    LOOKBOOK_LAST_REROLL: None,
    LOOKBOOK_EDITOR_DRAWN: None,
    LOOKBOOK_EXPORT_DRAWN: None,
    TRAIN_PENDING: None,
    TRAIN_SEEN: None,
}


def init() -> None:
    """Give every key its default (copies, so users never share a list) and apply a pending dataset switch."""
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = list(value) if isinstance(value, list) else value
    pending = st.session_state[PENDING_DATASET]
    if pending:
        # widget keys may only be set before their widget is drawn in a run, hence the hand-over
        st.session_state[DATASET] = pending
        st.session_state[DATASET_CHOICE] = pending
        st.session_state[PENDING_DATASET] = None
        reset_explorer()


def switch_dataset(path: str | Path, message: str | None = None) -> None:
    """Make `path` the active dataset from the next run on (call st.rerun() after)."""
    st.session_state[PENDING_DATASET] = str(path)
    if message:
        flash("success", message)


def active_dataset() -> Path | None:
    """The active dataset folder, if any."""
    value = st.session_state.get(DATASET)
    return Path(value) if value else None


def reset_explorer() -> None:
    """Forget gallery filters, page and viewer selection (a different dataset has different values)."""
    for key in list(st.session_state.keys()):
        if str(key).startswith(EXPLORER_FILTER):
            del st.session_state[key]
    st.session_state[EXPLORER_PAGE] = 1
    st.session_state[EXPLORER_VIEW] = None


def flash(kind: str, text: str) -> None:
    """Queue a message ("success", "info", "warning", "error") for the next run."""
    st.session_state[FLASH] = (kind, text)


def pending_flash() -> bool:
    """Whether a message is queued for the next run."""
    return bool(st.session_state.get(FLASH))


def show_flash() -> None:
    """Show and clear the queued message."""
    item = st.session_state.get(FLASH)
    if item:
        kind, text = item
        getattr(st, kind, st.info)(text)
        st.session_state[FLASH] = None
