"""Lookbook page: layout only; garments, pages and exports come from lookbook.compose (via lookbook.ui)."""

import streamlit as st

from lookbook.ui import lookbook, lookbook_actions, router, state

router.require_router(__file__)
lookbook.header()
editor = lookbook_actions.current() or lookbook.first_lookbook()
state.show_flash()
if editor is None:
    lookbook.start_section()
else:
    lookbook.workspace()
    with st.expander("New lookbook or open another", icon=":material/library_add:", key="lookbook.start_open"):
        lookbook.start_section()
