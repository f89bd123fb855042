"""Routing helpers for app.py's st.navigation: pages built from files that exist, and safe handling of the `pages/` folder.

Until some session has run `st.navigation`, Streamlit serves `pages/*.py` by file name in its older multipage mode
(the first run after a server start; AppTest does so on every run), and shows "Page not found" for any other URL
path. So each page's URL path is its file name: a deep link (`/lookbook?lookbook=<id>`) is found by both modes. A page
file the old mode runs on its own runs app.py (router, shared state, sidebar, then the page) from inside that same
run, and stops. An older link `?next=<file stem>` to app.py is still forwarded to the page.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path

import streamlit as st

NEXT_PARAM = "next"
ROUTED = "app.routed"  # set by app.py while it runs the chosen page


def build_pages(root: Path, home: Callable[[], None], files: Sequence[tuple[str, str, str, str]]) -> list:
    """The home page plus one st.Page per (file, title, icon, url path) whose file exists under `root`."""
    pages = [st.Page(home, title="Home", icon=":material/home:", url_path="home", default=True)]
    for file, title, icon, url_path in files:
        if url_path != Path(file).stem:
            raise ValueError(f"{file}: its url path must be its file name, {Path(file).stem!r} (see lookbook.ui.router)")
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
            st.switch_page(page, query_params=st.query_params.to_dict())


def run(page) -> None:
    """Run the page chosen by st.navigation, marked as routed by app.py while it runs."""
    st.session_state[ROUTED] = True
    try:
        page.run()
    finally:  # also on st.stop / st.rerun, so a later run of a page on its own is never taken as routed
        st.session_state.pop(ROUTED, None)


def require_router(page_file: str) -> None:
    """Call first in a page file: when the old mode runs it without app.py (see module doc), run app.py from here,
    in this same run (so the click or key press that started it is not lost), then stop."""
    if st.session_state.get(ROUTED):
        return
    spec = importlib.util.spec_from_file_location("_lookbook_app", Path(page_file).resolve().parents[1] / "app.py")
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    app.main()
    st.stop()
