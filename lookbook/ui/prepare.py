"""The one "prepare a dataset" form (home page and explorer mixing): cap, image size, name, then a build with a progress bar."""

from __future__ import annotations

from typing import Any

import streamlit as st

from lookbook import paths
from lookbook.data.builtin import ensure_builtin
from lookbook.data.dataset import IMAGE_SIZES_PX
from lookbook.errors import LookbookError
from lookbook.train.presets import QUICK
from lookbook.ui import state
from lookbook.ui.widgets import StageProgress

KIND_LABELS: dict[str, str] = {
    "deepfashion2": "DeepFashion2 tree",
    "deepfashion2-coco": "DeepFashion2 COCO JSON",
    "fpid": "Fashion Product Images folder",
    "folder": "Class-folder tree",
}


def spec_from_dict(item: dict[str, Any]):
    """A SourceSpec from its `describe()` form (as stored in `dataset.json`) or a {"kind", "path"} dict."""
    from lookbook.data.sources import SourceSpec

    flt = item.get("df2_filter")
    if flt:
        from lookbook.data.deepfashion2 import Df2Filter

        flt = Df2Filter.from_dict(flt)
    return SourceSpec(item["kind"], str(item["path"]), df2_filter=flt or None, image_dir=item.get("image_dir"))


def source_label(item: dict[str, Any]) -> str:
    """`FPID folder · /data/fpid` for lists and selectboxes."""
    return f"{KIND_LABELS.get(item['kind'], item['kind'])} · {paths.display_path(item['path'])}"


def prepare_form(sources: list[dict[str, Any]], key: str, default_name: str, submit_label: str = "Prepare dataset") -> None:
    """Cap / size / name inputs and a button that prepares `sources` into `<workspace>/datasets/<name>` and activates it."""
    with st.form(f"{key}.form", border=True):
        c1, c2, c3 = st.columns([2, 1, 1])
        name = c1.text_input("Dataset name", value=default_name, key=f"{key}.name", help="Folder under the workspace's datasets/")
        size = c2.selectbox("Image size (px)", IMAGE_SIZES_PX, index=IMAGE_SIZES_PX.index(64), key=f"{key}.size")
        cap = c3.number_input(
            "Max per source",
            min_value=0,
            value=0,
            step=500,
            key=f"{key}.cap",
            help="0 keeps every record; a cap samples each source",
        )
        submitted = st.form_submit_button(submit_label, type="primary", disabled=not sources)
    if submitted:
        run_prepare(sources, name, int(size), int(cap) or None)


def run_prepare(sources: list[dict[str, Any]], name: str, image_size_px: int, max_per_source: int | None) -> None:
    """Build the dataset with a progress bar; on success make it active and rerun, on a user error show one line."""
    from lookbook.data.prepare import build_dataset

    try:
        out = paths.dataset_output_dir(name)
        if (out / paths.INDEX_FILE).is_file():
            raise LookbookError(f"a dataset named {name!r} already exists ({out}); choose another name")
        specs = [spec_from_dict(s) for s in sources]
        bar = StageProgress(f"Preparing {name}")
        ds = build_dataset(out, specs, image_size_px=image_size_px, max_per_source=max_per_source, progress=bar)
    except LookbookError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    bar.done(f"Prepared {len(ds):,} garments")
    state.switch_dataset(
        ds.root, f"Prepared **{name}**: {len(ds):,} garments at {image_size_px} px. It is now the active dataset."
    )
    st.rerun()


def run_builtin() -> None:
    """Generate and prepare the built-in dataset with a progress bar, then make it active and rerun."""
    bar = StageProgress("Generating and preparing the built-in dataset")
    try:
        ds = ensure_builtin(paths.workspace_dir(), progress=bar)
        # the `quick` preset's size too, so it trains at its own size (the images are decoded again, ~1 s per 1k)
        ensure_builtin(paths.workspace_dir(), image_size_px=QUICK.image_size_px, progress=bar)
    except LookbookError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    bar.done(f"Built-in dataset ready: {len(ds):,} garments")
    state.switch_dataset(ds.root, f"The built-in dataset is ready: {len(ds):,} garments. It is now the active dataset.")
    st.rerun()
