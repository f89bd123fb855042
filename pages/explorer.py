"""Dataset Explorer page: layout only; every number, chart and image comes from lookbook (via lookbook.ui)."""

import streamlit as st

from lookbook.ui import explorer, router, state

SECTIONS = {  # tab label -> what it draws, in tab order
    "Overview": explorer.overview_section,
    "DeepFashion2": explorer.deepfashion2_section,
    "Product images (FPID)": explorer.fpid_section,
    "Samples": explorer.gallery_section,
    "Ingestion report": explorer.report_section,
    "Mix & prepare": explorer.mixing_section,
}

router.require_router(__file__)
state.show_flash()
root = explorer.require_dataset()
explorer.header(root)
for tab, draw in zip(st.tabs(list(SECTIONS)), SECTIONS.values()):
    with tab:
        draw(root)
