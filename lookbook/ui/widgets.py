"""Small shared widgets: captioned charts, one-line errors, progress bars fed by library callbacks, links to pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import plotly.graph_objects as go
import streamlit as st

from lookbook.errors import LookbookError
from lookbook.paths import REPO_ROOT

T = TypeVar("T")
PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def chart(fig: go.Figure | None, caption: str, missing: str, key: str | None = None) -> bool:
    """A Plotly chart with its one-line caption, or an info line saying why the chart does not apply."""
    if fig is None:
        st.info(missing, icon=":material/info:")
        return False
    # theme=None keeps the house template (lookbook.viz.charts) instead of Streamlit's restyling
    st.plotly_chart(fig, theme=None, key=key, config=PLOTLY_CONFIG)
    st.caption(caption)
    return True


def safe_call(func: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """Call `func`; a LookbookError becomes a one-line error on the page and None (the page carries on)."""
    try:
        return func(*args, **kwargs)
    except LookbookError as exc:
        st.error(str(exc), icon=":material/error:")
        return None


class StageProgress:
    """A progress bar for `progress(done, total)` callbacks whose count restarts at each step of a longer job."""

    def __init__(self, label: str):
        self.label = label
        self.stage = 1
        self.last = 0.0
        self.bar = st.progress(0.0, text=label)

    def __call__(self, done: int, total: int) -> None:
        fraction = min(1.0, done / total) if total else 1.0
        if fraction < self.last:  # a new step began
            self.stage += 1
        self.last = fraction
        self.bar.progress(fraction, text=f"{self.label} — step {self.stage}: {done:,} / {total:,}")

    def done(self, text: str) -> None:
        self.bar.progress(1.0, text=text)


def page_exists(page_file: str) -> bool:
    """True when an app page file (relative to the repo, e.g. "pages/training.py") exists."""
    return (REPO_ROOT / page_file).is_file()


def page_link(page_file: str, label: str, icon: str | None = None) -> None:
    """A link to an app page, drawn only when that page exists (pages are added by separate work)."""
    if page_exists(page_file):
        st.page_link(page_file, label=label, icon=icon)


def path_hint(path: Path | str) -> str:
    """Markdown-safe inline code for a path."""
    return f"`{str(path).replace('`', '')}`"
