"""The home page: what is loaded, what to do next, and the ways to get a dataset (built-in, sources on disk, prepared folder)."""

from __future__ import annotations

import streamlit as st

from lookbook import paths
from lookbook.data.builtin import builtin_dataset_dir, builtin_ready, default_n_images
from lookbook.data.dataset import PreparedDataset
from lookbook.errors import LookbookError
from lookbook.ui import cache, state
from lookbook.ui.prepare import KIND_LABELS, prepare_form, run_builtin, source_label
from lookbook.ui.sidebar import dataset_label
from lookbook.ui.widgets import page_exists, page_link

EXPLORER_PAGE = "pages/explorer.py"
TRAINING_PAGE = "pages/training.py"
LOOKBOOK_PAGE = "pages/lookbook.py"
PLACEHOLDERS: dict[str, str] = {
    "deepfashion2": "/data/DeepFashion2",
    "deepfashion2-coco": "/data/DeepFashion2/train/deepfashion2_train.json",
    "fpid": "/data/fashion-product-images",
    "folder": "/data/clothing-dataset-small/train",
}


def render() -> None:
    """Draw the home page."""
    state.show_flash()
    st.title("Lookbook designer")
    st.markdown(
        "Explore a clothing dataset, train a DCGAN and a garment classifier, and compose generated garments into "
        "outfits and lookbook pages: a reproduction of Stanford CS230's *Deep Learning Fashion Lookbook*."
    )
    _status()
    st.subheader("What to do next")
    _next_steps()
    st.subheader("Get a dataset")
    builtin, disk, opened = st.tabs(["Built-in dataset", "Your data on disk", "Open a prepared dataset"])
    with builtin:
        _builtin_tab()
    with disk:
        _disk_tab()
    with opened:
        _open_tab()


def _status() -> None:
    ds = state.active_dataset()
    gen = st.session_state.get(state.GENERATOR)
    clf = st.session_state.get(state.CLASSIFIER)
    c1, c2, c3 = st.columns(3)
    with c1.container(border=True):
        st.markdown("**:material/dataset: Dataset**")
        st.markdown(dataset_label(str(ds)) if ds else "None yet")
    for col, title, icon, path in ((c2, "Generator", "auto_awesome", gen), (c3, "Classifier", "label", clf)):
        with col.container(border=True):
            st.markdown(f"**:material/{icon}: {title}**")
            if path:
                meta = cache.model_meta(path)
                detail = f" · {meta['image_size_px']} px" if meta.get("image_size_px") else ""
                n_cats = len(meta.get("categories") or [])
                detail += f" · {n_cats} categories" if n_cats else ""
                st.markdown(f"`{paths.display_path(path)}`{detail}")
            else:
                st.markdown("None yet")


def _next_steps() -> None:
    ds = state.active_dataset()
    gen = st.session_state.get(state.GENERATOR)
    clf = st.session_state.get(state.CLASSIFIER)
    if ds is None:
        where = (
            "prepare the built-in one below in one click, "
            "or point at DeepFashion2, Fashion Product Images or a folder of class subfolders on disk."
        )
        if gen and clf:  # the shipped checkpoints compose without any dataset
            st.markdown("1. **Design a lookbook now** with the active generator and classifier: no dataset needed.")
            page_link(LOOKBOOK_PAGE, "Open the Lookbook", ":material/auto_awesome_mosaic:")
            st.markdown(f"2. **Get a dataset** to explore it or train your own models: {where}")
        else:
            st.markdown(f"1. **Get a dataset.** No dataset is prepared yet: {where}")
        return
    st.markdown(f"1. **Explore** `{paths.display_path(ds)}`: splits, categories, attributes, samples and overlays.")
    page_link(EXPLORER_PAGE, "Open the Dataset Explorer", ":material/insights:")
    if not gen or not clf:
        missing = " and ".join(n for n, p in (("a generator", gen), ("a classifier", clf)) if not p)
        st.markdown(f"2. **Train** {missing} on this dataset.")
        if page_exists(TRAINING_PAGE):
            page_link(TRAINING_PAGE, "Open Training", ":material/model_training:")
        else:
            data, runs = paths.command_path(ds), paths.command_path(paths.runs_dir())
            st.code(
                f"python -m lookbook train gan --data {data} --run {runs}/gan-quick --preset quick\n"
                f"python -m lookbook train classifier --data {data} --run {runs}/classifier-cnn --preset cnn",
                language="bash",
            )
    else:
        st.markdown("2. **Design a lookbook** with the active generator and classifier.")
        page_link(LOOKBOOK_PAGE, "Open the Lookbook", ":material/auto_awesome_mosaic:")


def _builtin_tab() -> None:
    st.markdown(
        "A synthetic dataset made on this machine in a few minutes, in the DeepFashion2 and Fashion Product Images "
        "layouts (boxes, landmarks, attributes, article types), so every page works with nothing downloaded."
    )
    if builtin_ready():
        root = builtin_dataset_dir()
        st.success(f"Ready: {dataset_label(str(root))}", icon=":material/check_circle:")
        if state.active_dataset() != root and st.button("Use the built-in dataset", key="home.use_builtin"):
            state.switch_dataset(root)
            st.rerun()
        return
    st.caption(f"{default_n_images():,} images, prepared into `{paths.display_path(builtin_dataset_dir())}`.")
    if st.button("Prepare the built-in dataset", type="primary", icon=":material/bolt:", key="home.builtin"):
        run_builtin()


def _disk_tab() -> None:
    st.markdown("Add one or more sources, then prepare them into one dataset (decoded, cropped and cached once).")
    c1, c2, c3 = st.columns([1.2, 3, 0.8], vertical_alignment="bottom")
    kind = c1.selectbox("Source type", list(KIND_LABELS), format_func=KIND_LABELS.get, key=state.HOME_SOURCE_KIND)
    typed = c2.text_input("Path on this machine", key=state.HOME_SOURCE_PATH, placeholder=PLACEHOLDERS[kind])
    st.caption(f"Expected: {paths.SOURCE_LAYOUTS[kind]}.")
    if c3.button("Add source", icon=":material/add:", key="home.add_source"):
        try:
            path = paths.check_source(kind, typed)
        except LookbookError as exc:
            st.error(str(exc), icon=":material/error:")
        else:
            item = {"kind": kind, "path": str(path)}
            if item not in st.session_state[state.HOME_SOURCES]:
                st.session_state[state.HOME_SOURCES].append(item)
    sources = st.session_state[state.HOME_SOURCES]
    for i, item in enumerate(sources):
        left, right = st.columns([6, 1], vertical_alignment="center")
        left.markdown(f":material/folder_open: {source_label(item)}")
        if right.button("Remove", key=f"home.remove.{i}"):
            sources.pop(i)
            st.rerun()
    if not sources:
        st.caption("No sources added yet.")
    prepare_form(sources, key="home.prepare", default_name="my-dataset")


def _open_tab() -> None:
    st.markdown("Use a dataset prepared earlier, e.g. with `python -m lookbook data prepare --out DATASET ...`.")
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    typed = c1.text_input("Prepared dataset folder", key=state.HOME_OPEN_PATH, placeholder="/data/prepared/df2-64")
    if c2.button("Open", icon=":material/folder_open:", key="home.open"):
        try:
            root = paths.safe_path(typed, kind="folder", what="dataset folder")
            PreparedDataset.open(root, cache.cache_sizes(root)[0] if cache.cache_sizes(root) else None)
        except LookbookError as exc:
            st.error(str(exc), icon=":material/error:")
        else:
            state.switch_dataset(root, f"Opened `{root}`.")
            st.rerun()
