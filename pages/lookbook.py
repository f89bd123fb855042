"""Lookbook page: layout only; garments, pages and exports come from lookbook.compose (via lookbook.ui)."""

import streamlit as st

from lookbook.ui import lookbook, lookbook_session, router, state

router.require_router(__file__)
lookbook.header()
state.show_flash()
session = lookbook_session.current() or lookbook.first_lookbook()
if session is None:
    lookbook.start_section()
else:
    lookbook.models_notice(session)
    page = lookbook.editor(session)
    st.divider()
    lookbook.export_section(session, page)
    with st.expander("New lookbook or open another", icon=":material/library_add:"):
        lookbook.start_section()
