"""Lookbook designer app: `streamlit run app.py`. The router: page navigation, the shared sidebar, and the home page."""

from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent
# (page file, title, icon, url path): adding a page is one line; pages whose file does not exist yet are not shown.
# A url path is the file name, so Streamlit finds a deep link before and after st.navigation (see lookbook.ui.router).
PAGES = [
    ("pages/explorer.py", "Dataset Explorer", ":material/insights:", "explorer"),
    ("pages/training.py", "Training", ":material/model_training:", "training"),
    ("pages/lookbook.py", "Lookbook", ":material/auto_awesome_mosaic:", "lookbook"),
]


def main() -> None:
    # imported here, not at the top: worker processes that re-import this file (see below) then skip the UI modules
    from lookbook.ui import home, router, sidebar, state

    st.set_page_config(page_title="Lookbook designer", page_icon="👗", layout="wide")  # an emoji icon needs no download
    state.init()
    pages = router.build_pages(ROOT, home.render, PAGES)
    page = st.navigation(pages)
    router.follow_deep_link(pages, PAGES)
    sidebar.draw()
    router.run(page)


# Streamlit runs this file as __main__; worker processes started with "spawn" (preparing a dataset, generating the
# built-in one) import it as __mp_main__ and must not run the app.
if __name__ == "__main__":
    main()
