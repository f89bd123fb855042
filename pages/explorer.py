"""Dataset Explorer page: layout only; every number, chart and image comes from lookbook (via lookbook.ui)."""

import streamlit as st

from lookbook.ui import explorer, router, state

router.require_router(__file__)
state.show_flash()
root = explorer.require_dataset()
explorer.header(root)
overview, df2, fpid, samples, report, mix = st.tabs(
    ["Overview", "DeepFashion2", "Product images (FPID)", "Samples", "Ingestion report", "Mix & prepare"]
)
with overview:
    explorer.overview_section(root)
with df2:
    explorer.deepfashion2_section(root)
with fpid:
    explorer.fpid_section(root)
with samples:
    explorer.gallery_section(root)
with report:
    explorer.report_section(root)
with mix:
    explorer.mixing_section(root)
