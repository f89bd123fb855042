"""Streamlit caches at the library boundary, keyed by (path, mtime) so a re-prepared dataset or a retrained model is picked up.

Models, datasets (memory-mapped) and figures are shared read-only `st.cache_resource`; derived tables are
`st.cache_data`. The public helpers take a path, stat it, and call the cached function with the key. The mtime argument
is never `_`-prefixed, because Streamlit leaves such arguments out of the key.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lookbook import paths
from lookbook.data import stats
from lookbook.data.dataset import INDEX_FILE, META_FILE, REPORT_FILE, PreparedDataset
from lookbook.models import artifacts
from lookbook.viz import charts, gallery


def mtime_ns(path: str | os.PathLike) -> int:
    """Modification time of `path` in ns (0 when missing), the cache key's freshness part."""
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return 0


def dataset_key(root: str | os.PathLike) -> tuple[str, int]:
    """(folder, freshness) of a prepared dataset: its index and report are rewritten whenever it is prepared again."""
    root = Path(root)
    return str(root), max(mtime_ns(root / INDEX_FILE), mtime_ns(root / REPORT_FILE))


def cache_sizes(root: str | os.PathLike) -> list[int]:
    """Image sizes (px) cached in a prepared dataset, smallest first."""
    return sorted(int(p.stem.split("_")[1]) for p in Path(root).glob("images_*.npy") if p.stem.split("_")[1].isdigit())


# datasets -------------------------------------------------------------------------------------------
@st.cache_resource(max_entries=4, show_spinner="Opening the dataset…")
def _dataset(root: str, mtime_ns: int, image_size_px: int) -> PreparedDataset:
    ds = PreparedDataset.open(root, image_size_px)
    ds.index  # noqa: B018 - read the index once here, inside the cache, not on the first rerun that needs it
    return ds


def dataset(root: str | os.PathLike) -> PreparedDataset:
    """The prepared dataset at `root`, opened once per process (thumbnails come from its smallest image cache)."""
    sizes = cache_sizes(root)
    if not sizes:
        PreparedDataset.open(root)  # raises the precise LookbookError (not a folder / no index / no cache)
    key, mtime = dataset_key(root)
    return _dataset(key, mtime, sizes[0])


@st.cache_data(max_entries=8, show_spinner="Computing statistics…")
def _stats(root: str, mtime_ns: int) -> dict[str, Any]:
    rec = _dataset(root, mtime_ns, cache_sizes(root)[0]).index
    return {
        "summary": stats.summary(rec),
        "splits": stats.split_table(rec),
        "sources": stats.source_counts(rec),
        "df2_categories": stats.df2_category_counts(rec),
        "categories": stats.category_counts(rec),
        "category_sources": stats.category_source_counts(rec),
        "image_sizes": stats.image_size_table(rec),
        "slots": stats.slot_counts(rec),
        "attributes": stats.attribute_counts(rec),
        "article_types": stats.article_type_counts(rec),
        "fpid": {c: stats.fpid_breakdown(rec, c) for c in ("gender", "season", "base_colour")},
        "options": gallery.filter_options(rec),
    }


def dataset_stats(root: str | os.PathLike) -> dict[str, Any]:
    """All statistics tables of a dataset plus the gallery's filter options (see lookbook.data.stats)."""
    dataset(root)
    return _stats(*dataset_key(root))


# a resource, not data: unpickling a copy of every figure on each rerun cost ~0.1 s; pages only read them
@st.cache_resource(max_entries=8, show_spinner=False)
def _figures(root: str, mtime_ns: int) -> dict[str, go.Figure | None]:
    tables = _stats(root, mtime_ns)
    fpid = {k: v for k, v in tables["fpid"].items() if not v.empty}

    def build(table: pd.DataFrame, builder) -> go.Figure | None:
        return None if table.empty else builder(table)

    return {
        "splits": build(tables["splits"], charts.split_figure),
        "df2_categories": build(tables["df2_categories"], charts.df2_category_figure),
        "categories": build(tables["categories"], charts.category_figure),
        "category_sources": build(tables["category_sources"], charts.category_source_figure),
        "slots": build(tables["slots"], charts.slot_figure),
        "attributes": build(tables["attributes"], charts.attribute_figure),
        "article_types": build(tables["article_types"], charts.article_type_figure),
        "fpid": charts.breakdown_figure(fpid) if fpid else None,
    }


def dataset_figures(root: str | os.PathLike) -> dict[str, go.Figure | None]:
    """The explorer's Plotly figures by name; None where the chart does not apply (e.g. no DeepFashion2 records)."""
    dataset_stats(root)
    return _figures(*dataset_key(root))


@st.cache_data(max_entries=4, show_spinner="Reading styles.csv…")
def _styles_tables(files: tuple[tuple[str, int], ...]) -> dict[str, Any]:
    from lookbook.data.fpid import read_styles

    styles = pd.concat([read_styles(path)[0] for path, _ in files], ignore_index=True)
    return {
        "rows": len(styles),
        "article_types": stats.article_type_counts(styles),
        "fpid": {c: stats.fpid_breakdown(styles, c) for c in ("gender", "season", "base_colour")},
    }


@st.cache_resource(max_entries=4, show_spinner=False)
def _styles_figures(files: tuple[tuple[str, int], ...]) -> dict[str, Any]:
    tables = _styles_tables(files)
    fpid = {k: v for k, v in tables["fpid"].items() if not v.empty}
    arts = tables["article_types"]
    return {
        "rows": tables["rows"],
        "article_types": None if arts.empty else charts.article_type_figure(arts),
        "fpid": charts.breakdown_figure(fpid) if fpid else None,
    }


def styles_figures(fpid_roots: list[str]) -> dict[str, Any]:
    """FPID figures over every row of the sources' `styles.csv` (products without an image too), and the row count.

    Raises LookbookError when a styles.csv is missing or outside the allowed folders.
    """
    files = [paths.safe_path(Path(r) / "styles.csv", kind="file", what="FPID styles.csv") for r in fpid_roots]
    return _styles_figures(tuple((str(f), mtime_ns(f)) for f in files))


@st.cache_data(max_entries=8, show_spinner=False)
def _report(root: str, mtime_ns: int) -> dict[str, Any]:
    path = Path(root) / REPORT_FILE
    try:
        return json.loads(path.read_text()) if path.is_file() else {}
    except (OSError, json.JSONDecodeError):
        return {}


def dataset_report(root: str | os.PathLike) -> dict[str, Any]:
    """The dataset's ingestion report (`report.json`), {} when absent or unreadable."""
    return _report(*dataset_key(root))


@st.cache_data(max_entries=32, show_spinner=False)
def _meta(root: str, mtime_ns: int) -> dict[str, Any]:
    path = Path(root) / META_FILE
    try:
        meta = json.loads(path.read_text()) if path.is_file() else {}
    except (OSError, json.JSONDecodeError):
        meta = {}
    return {**meta, "sizes": cache_sizes(root)}


def dataset_meta(root: str | os.PathLike) -> dict[str, Any]:
    """`dataset.json` plus the cached image sizes, without reading the index (cheap enough for the sidebar)."""
    return _meta(str(root), mtime_ns(Path(root) / META_FILE))


# models ---------------------------------------------------------------------------------------------
@st.cache_resource(max_entries=3, show_spinner="Loading the generator…")
def _generator(path: str, mtime_ns: int) -> artifacts.GeneratorHandle:
    return artifacts.load_generator(path)


@st.cache_resource(max_entries=3, show_spinner="Loading the classifier…")
def _classifier(path: str, mtime_ns: int) -> artifacts.ClassifierHandle:
    return artifacts.load_classifier(path)


def _model_version(path: str | os.PathLike, file_name: str) -> tuple[str, int]:
    """The model file that `path` (run directory or .keras file) names, and its mtime: the key that reloads an edit."""
    p = artifacts.resolve_model_path(path, file_name)
    return str(p), mtime_ns(p)


def generator(path: str | os.PathLike) -> artifacts.GeneratorHandle:
    """A generator (run directory or .keras file), loaded once per process and again when the file changes."""
    return _generator(*_model_version(path, artifacts.GENERATOR_FILE))


def classifier(path: str | os.PathLike) -> artifacts.ClassifierHandle:
    """A classifier (run directory or .keras file), loaded once per process and again when the file changes."""
    return _classifier(*_model_version(path, artifacts.CLASSIFIER_FILE))


@st.cache_data(max_entries=64, show_spinner=False)
def _model_meta(path: str, mtime_ns: int) -> dict[str, Any]:
    meta = artifacts.read_sidecar(Path(path))
    return {**meta, "size_bytes": os.stat(path).st_size if mtime_ns else 0, "mtime_ns": mtime_ns}


def model_meta(path: str | os.PathLike) -> dict[str, Any]:
    """A saved model's sidecar (kind, image size, categories) plus file size and mtime, without loading TensorFlow."""
    return _model_meta(str(path), mtime_ns(path))
