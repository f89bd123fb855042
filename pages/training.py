"""Training page: layout only; launching, watching, stopping and comparing runs are calls into lookbook (via lookbook.ui)."""

import streamlit as st

from lookbook.ui import router, state, training

router.require_router(__file__)
training.apply_pending()  # values queued by the last run (e.g. select the run just launched), before any widget
state.show_flash()
training.header()
gan, classifier, sweeps, runs = st.tabs(training.TABS, key=state.TRAIN_TAB, on_change="rerun")
if gan.open:
    with gan:
        training.run_section("gan")
if classifier.open:
    with classifier:
        training.run_section("classifier")
if sweeps.open:
    with sweeps:
        training.sweeps_section()
if runs.open:
    with runs:
        training.compare_section()
