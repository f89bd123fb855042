"""Routing helpers for app.py's st.navigation: pages built from files that exist, and safe handling of the `pages/` folder.

Until some session has run `st.navigation`, Streamlit serves `pages/*.py` by file name in its older multipage mode
(AppTest does so on every run). Two measures keep every page behind app.py's shared state and sidebar:
- each page's URL path differs from its file name, so a request for it is never served by the old mode; it reaches
  app.py, whose st.navigation then runs the page;
- a page file run on its own anyway (e.g. `/explorer` typed in after a server start) sends the browser to
  app.py with `?next=<file stem>`, and app.py forwards it to the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import streamlit as st

NEXT_PARAM = "next"
ROUTED = "app.routed"  # set by app.py while it runs the chosen page


def build_pages(root: Path, home: Callable[[], None], files: Sequence[tuple[str, str, str, str]]) -> list:
    """The home page plus one st.Page per (file, title, icon, url path) whose file exists under `root`."""
    pages = [st.Page(home, title="Home", icon=":material/home:", url_path="home", default=True)]
    for file, title, icon, url_path in files:
        if url_path == Path(file).stem:
            raise ValueError(f"{file}: its url path must differ from the file name (see lookbook.ui.router)")
        if (root / file).is_file():
            pages.append(st.Page(file, title=title, icon=icon, url_path=url_path))
    return pages


def follow_deep_link(pages: list, files: Sequence[tuple[str, str, str, str]]) -> None:
    """If the router was entered with `?next=<file stem>`, switch to that page (app.py calls this after st.navigation)."""
    target = st.query_params.get(NEXT_PARAM)
    if not target:
        return
    del st.query_params[NEXT_PARAM]
    url_paths = {Path(file).stem: url_path for file, _, _, url_path in files}
    for page in pages:
        if page.url_path == url_paths.get(target):
            st.switch_page(page)


def run(page) -> None:
    """Run the page chosen by st.navigation, marked as routed by app.py while it runs."""
    st.session_state[ROUTED] = True
    try:
        page.run()
    finally:  # also on st.stop / st.rerun, so a later run of a page on its own is never taken as routed
        st.session_state.pop(ROUTED, None)


def require_router(page_file: str) -> None:
    """Call first in a page file: when it runs without app.py (see module doc), go through the router instead."""
    if not st.session_state.get(ROUTED):
        st.switch_page("app.py", query_params={NEXT_PARAM: Path(page_file).stem})
