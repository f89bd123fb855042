"""Dataset Explorer widgets: headline numbers, statistics charts, the filterable sample gallery with an overlay viewer,
the ingestion report and the mixing form. Every computation is a call into lookbook.data / lookbook.viz."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from lookbook import paths
from lookbook.data import stats
from lookbook.errors import LookbookError
from lookbook.ui import cache, state
from lookbook.ui.prepare import prepare_form, source_label
from lookbook.ui.widgets import chart, safe_call
from lookbook.viz import charts, gallery, overlay

GRID_THUMB_PX = 112  # thumbnails are shown at this width whatever the cache size
VIEWER_PX = 460
ATTRIBUTE_FILTERS = ("df2_source", "scale", "occlusion", "zoom_in", "viewpoint", "gender", "season", "base_colour")


def require_dataset() -> str:
    """The active dataset folder (as a string), or stop the page with a hint when there is none or it is broken."""
    root = state.active_dataset()
    if root is None:
        st.title("Dataset Explorer")
        st.info(
            "No dataset is active yet. Prepare the built-in dataset (one click) or your own on **Home**.", icon=":material/info:"
        )
        st.stop()
    if safe_call(cache.dataset, root) is None:
        st.stop()
    return str(root)


def header(root: str) -> None:
    """Title, path and headline numbers."""
    tables = cache.dataset_stats(root)
    head = tables["summary"]
    st.title("Dataset Explorer")
    st.caption(f"`{paths.display_path(root)}`")
    cols = st.columns(5)
    cols[0].metric("Garments", f"{head['records']:,}", border=True)
    cols[1].metric("Images", f"{head['images']:,}", border=True)
    cols[2].metric("Sources", len(head["sources"]), border=True, help=", ".join(head["sources"]) or "none")
    cols[3].metric("Categories", head["categories"], border=True)
    sizes = cache.cache_sizes(root)
    cols[4].metric("Image cache", " / ".join(f"{s}" for s in sizes) + " px", border=True)


_SPLIT_COLUMNS = {c: st.column_config.NumberColumn(c, format="localized") for c in ("images", "garments", "boxes", "landmarks")}
_SIZE_COLUMNS = {
    "source_name": st.column_config.TextColumn("source"),
    "images": st.column_config.NumberColumn("images", format="localized"),
    "sampled": st.column_config.NumberColumn("headers read", format="localized"),
    "common_sizes": st.column_config.TextColumn("most common sizes (w x h)"),
    "min_side_px": st.column_config.NumberColumn("longer side: min px"),
    "median_side_px": st.column_config.NumberColumn("median px"),
    "max_side_px": st.column_config.NumberColumn("max px"),
}


def overview_section(root: str) -> None:
    """Splits (table and chart), unified categories and slots, and each source's image sizes and categories."""
    tables, figs = cache.dataset_stats(root), cache.dataset_figures(root)
    st.subheader("Splits")
    st.dataframe(tables["splits"], hide_index=True, width="stretch", column_config=_SPLIT_COLUMNS)
    st.caption(
        "Distinct image files, garments (records), garments with a bounding box and labelled landmarks per source and split."
    )
    chart(
        figs["splits"],
        "Unique images, garment boxes and labelled landmarks per split, coloured by source (the original's Figure 1).",
        "No records to count.",
        key="explorer.chart.splits",
    )
    st.subheader("Categories and outfit slots")
    left, right = st.columns([3, 2])
    with left:
        chart(
            figs["categories"],
            "Garments per unified category (all sources' labels mapped to one taxonomy), coloured by the outfit slot they fill.",
            "No categories to count.",
            key="explorer.chart.categories",
        )
    with right:
        chart(
            figs["slots"],
            "Share of garments per outfit slot; `none` holds items never used in outfits (e.g. perfume, umbrellas).",
            "No slots to count.",
            key="explorer.chart.slots",
        )
    st.subheader("Sources")
    st.dataframe(tables["image_sizes"], hide_index=True, width="stretch", column_config=_SIZE_COLUMNS)
    st.caption(
        "Original image sizes per source folder, read from the headers of a sample of its files. Every image is cropped "
        "square (padded) and resized to the cache size once: small thumbnails are upsampled, large photos downsampled."
    )
    chart(
        figs["category_sources"],
        "Garments per unified category, stacked by the source folder they came from.",
        "No categories to count.",
        key="explorer.chart.category_sources",
    )


def deepfashion2_section(root: str) -> None:
    """The 13 DeepFashion2 categories by split and the attribute distributions."""
    figs = cache.dataset_figures(root)
    none = "This dataset has no DeepFashion2 records, so there is nothing to show here."
    st.subheader("DeepFashion2 categories")
    chart(
        figs["df2_categories"],
        "Garments in each of DeepFashion2's 13 categories, stacked by split (the original project's Figure 2).",
        none,
        key="explorer.chart.df2_categories",
    )
    st.subheader("DeepFashion2 attributes")
    chart(
        figs["attributes"],
        "Scale, occlusion, zoom-in and viewpoint of each garment, and whether its photo is a shop or a user image (Figure 3).",
        none,
        key="explorer.chart.attributes",
    )


def fpid_section(root: str) -> None:
    """FPID article types (log axis, long tail) and gender / season / colour breakdowns, over the dataset or all of styles.csv."""
    figs = cache.dataset_figures(root)
    none = "This dataset has no Fashion Product Images records, so there is nothing to show here."
    over = "in this dataset"
    fpid_roots = [s["path"] for s in _dataset_sources(root) if s["kind"] == "fpid"]
    if fpid_roots and figs["article_types"] is not None:
        everything = st.toggle(
            "Count every product in styles.csv, with or without an image",
            key=state.EXPLORER_ALL_STYLES,
            help="The original project's Figure 4 counts the whole catalogue; a partial download has images for only some rows.",
        )
        if everything:
            styles = safe_call(cache.styles_figures, fpid_roots)
            if styles is not None:
                figs = {**figs, **styles}
                over = f"in styles.csv ({styles['rows']:,} products)"
    st.subheader("Article types")
    chart(
        figs["article_types"],
        f"Products per FPID articleType {over}, most frequent first, on a log axis so the long tail stays visible "
        "(Figure 4); bars are coloured by the outfit slot of the unified category each type maps to.",
        none,
        key="explorer.chart.article_types",
    )
    st.subheader("Gender, season and colour")
    chart(
        figs["fpid"],
        f"FPID products {over} by gender, season and base colour (colours drawn as swatches; the 15 most frequent of each).",
        none,
        key="explorer.chart.fpid",
    )


# gallery --------------------------------------------------------------------------------------------
def _filter_key(column: str) -> str:
    return f"{state.EXPLORER_FILTER}{column}"


def _first_page() -> None:
    st.session_state[state.EXPLORER_PAGE] = 1


def _step_page(delta: int, n_pages: int) -> None:
    page = int(st.session_state.get(state.EXPLORER_PAGE) or 1) + delta
    st.session_state[state.EXPLORER_PAGE] = min(max(1, page), n_pages)


def _filters(options: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Draw the gallery filters (only for columns with more than one value) and return column -> chosen values."""
    chosen: dict[str, list[Any]] = {}

    def pills(column: str, container) -> None:
        if len(options.get(column, [])) > 1:
            chosen[column] = container.pills(
                gallery.FILTERS[column],
                options[column],
                selection_mode="multi",
                format_func=lambda v, c=column: gallery.option_label(c, v),
                key=_filter_key(column),
                on_change=_first_page,
            )

    def multiselect(column: str, container) -> None:
        if len(options.get(column, [])) > 1:
            chosen[column] = container.multiselect(
                gallery.FILTERS[column],
                options[column],
                format_func=lambda v, c=column: gallery.option_label(c, v),
                key=_filter_key(column),
                on_change=_first_page,
                placeholder="any",
            )

    c1, c2, c3 = st.columns([1.2, 1, 2])
    pills("source", c1)
    pills("split", c2)
    multiselect("category", c3)
    present = [c for c in ATTRIBUTE_FILTERS if len(options.get(c, [])) > 1]
    if present:
        with st.expander("More filters: attributes", icon=":material/tune:"):
            cols = st.columns(4)
            for i, column in enumerate(present):
                multiselect(column, cols[i % 4])
    return {k: v for k, v in chosen.items() if v}


@st.fragment
def gallery_section(root: str) -> None:
    """Filterable, paged thumbnails from the prepared cache and a single-garment viewer (a fragment: paging reruns only this)."""
    ds = cache.dataset(root)
    index = ds.index
    filters = _filters(cache.dataset_stats(root)["options"])
    rows = gallery.filter_rows(index, filters)
    n_pages = gallery.page_count(len(rows))
    if int(st.session_state.get(state.EXPLORER_PAGE) or 1) > n_pages:
        st.session_state[state.EXPLORER_PAGE] = n_pages
    page = int(st.session_state.get(state.EXPLORER_PAGE) or 1)

    left, mid, right = st.columns([3, 1, 1], vertical_alignment="center")
    left.markdown(f"**{len(rows):,}** of {len(index):,} garments match · page **{page}** of {n_pages:,}")
    mid.button(
        "Previous",
        icon=":material/chevron_left:",
        key="explorer.prev",
        disabled=page <= 1,
        on_click=_step_page,
        args=(-1, n_pages),
        width="stretch",
    )
    right.button(
        "Next",
        icon=":material/chevron_right:",
        key="explorer.next",
        disabled=page >= n_pages,
        on_click=_step_page,
        args=(1, n_pages),
        width="stretch",
    )
    if len(rows) == 0:
        st.info("No garment matches these filters.", icon=":material/filter_alt_off:")
        return
    shown = gallery.page_rows(rows, page)
    thumbs = gallery.thumbnails(ds.images, shown)
    records = index.iloc[shown]
    captions = [f"#{r} {gallery.caption(rec)}" for r, rec in zip(shown, records.to_dict("records"))]
    st.image(list(thumbs), caption=captions, width=GRID_THUMB_PX)
    st.caption(f"Thumbnails come straight from the {ds.image_size_px} px cache; only this page's {len(shown)} images are read.")

    st.markdown("##### Inspect a garment")
    options = [int(r) for r in shown]
    if st.session_state.get(state.EXPLORER_VIEW) not in options:
        st.session_state[state.EXPLORER_VIEW] = options[0]
    labels = dict(zip(options, captions))
    row = st.selectbox("Garment on this page", options, format_func=labels.get, key=state.EXPLORER_VIEW)
    viewer(root, int(row))


def viewer(root: str, row: int) -> None:
    """One garment: annotations on the original image (or the cached crop when the original is unavailable), and its record."""
    ds = cache.dataset(root)
    record = ds.index.iloc[row].to_dict()
    left, right = st.columns([3, 2])
    with left:
        try:
            image_path = paths.safe_path(str(record.get("image_path") or ""), kind="file", what="original image")
            picture = overlay.overlay_record({**record, "image_path": str(image_path)}, max_side_px=900)
        except LookbookError as exc:
            st.warning(f"{exc}. Showing the prepared {ds.image_size_px} px crop instead.", icon=":material/image_not_supported:")
            st.image(np.asarray(ds.images[row]), width=VIEWER_PX // 2)
        else:
            st.image(picture, width=VIEWER_PX)
            st.caption(":red[■] box · :green[●] visible landmark · :orange[⊗] occluded landmark · :blue[▰] segmentation")
    with right:
        table = pd.DataFrame(gallery.record_fields(record), columns=["field", "value"])
        st.dataframe(table, hide_index=True, width="stretch", height=35 * (len(table) + 1) + 3)


# report and mixing ----------------------------------------------------------------------------------
def report_section(root: str) -> None:
    """What was skipped or repaired while preparing, by reason, with examples; labels that map to no category."""
    report = cache.dataset_report(root)
    table = stats.report_table(report)
    unmapped = stats.unmapped_table(report)
    st.subheader("Ingestion report")
    if table.empty:
        st.success("Nothing was skipped or repaired while preparing this dataset.", icon=":material/check_circle:")
    else:
        c1, c2 = st.columns(2)
        c1.metric("Skipped", f"{int(table.loc[table['outcome'] == 'skipped', 'count'].sum()):,}", border=True)
        c2.metric("Repaired", f"{int(table.loc[table['outcome'] == 'repaired', 'count'].sum()):,}", border=True)
        chart(
            charts.report_figure(table),
            "Items skipped (not in the dataset) or repaired (kept after a fix) while preparing, by reason.",
            "",
            key="explorer.chart.report",
        )
        for item in table.itertuples():
            if item.examples:
                with st.expander(f"{item.outcome}: {item.reason} ({item.count:,})"):
                    st.code("\n".join(item.examples), language=None)
    if not unmapped.empty:
        st.markdown("**Labels with no unified category** (kept as `unmapped`, excluded from outfits)")
        st.dataframe(unmapped, hide_index=True, width="stretch")


def _dataset_sources(root: str) -> list[dict[str, Any]]:
    """The sources a dataset was prepared from: `dataset.json`'s list, else inferred from the index's source roots."""
    listed = cache.dataset_meta(root).get("sources")
    if isinstance(listed, list) and all(isinstance(s, dict) and "kind" in s and "path" in s for s in listed):
        return listed
    table = cache.dataset_stats(root)["sources"]
    out = []
    for item in table.itertuples():
        if not item.source_root:
            continue
        kind = "deepfashion2-coco" if item.source == "deepfashion2" and item.source_root.endswith(".json") else item.source
        out.append({"kind": kind, "path": item.source_root})
    return out


def _dataset_name(root: str) -> str:
    """`builtin` for `<workspace>/builtin/dataset`, else the folder name."""
    path = Path(root)
    return path.parent.name if path.name == "dataset" else path.name


def mixing_section(root: str) -> None:
    """Choose sources, a per-source cap and an image size, and prepare a training dataset from them."""
    st.subheader("Mix and prepare a training dataset")
    st.markdown(
        "Re-prepare this dataset's sources into a new training dataset: keep some sources, cap each one, pick the image size."
    )
    sources = _dataset_sources(root)
    if not sources:
        st.info(
            "This dataset does not record the sources it was prepared from, so it cannot be re-mixed.", icon=":material/info:"
        )
        return
    counts = cache.dataset_stats(root)["sources"]
    per_root = dict(zip(counts["source_root"], counts["records"]))

    def label(i: int) -> str:
        n = per_root.get(sources[i]["path"])
        return source_label(sources[i]) + (f" ({n:,} garments)" if n else "")

    picked = st.multiselect(
        "Sources", list(range(len(sources))), default=list(range(len(sources))), format_func=label, key="explorer.mix.sources"
    )
    prepare_form(
        [sources[i] for i in picked],
        key="explorer.mix",
        default_name=f"{_dataset_name(root)}-mix",
        submit_label="Prepare training dataset",
    )
