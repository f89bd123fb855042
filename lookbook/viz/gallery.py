"""Sample gallery of a prepared dataset: filter records by column values, page through them, fetch only that page's thumbnails."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from lookbook.data.stats import ATTRIBUTE_TITLES, DF2_ATTRIBUTES
from lookbook.data.taxonomy import display_name
from lookbook.viz.overlay import landmark_counts, record_box

# filterable columns -> label shown in the UI, in display order
FILTERS: dict[str, str] = {
    "source": "Source",
    "split": "Split",
    "category": "Category",
    "slot": "Slot",
    "df2_source": "Shop / user",
    "scale": "Scale",
    "occlusion": "Occlusion",
    "zoom_in": "Zoom-in",
    "viewpoint": "Viewpoint",
    "gender": "Gender",
    "season": "Season",
    "base_colour": "Colour",
}
PAGE_SIZE = 24


def filter_options(index: pd.DataFrame, columns: Sequence[str] = tuple(FILTERS)) -> dict[str, list[Any]]:
    """Values present in each filterable column (sorted; most frequent first for categories), skipping empty columns."""
    options: dict[str, list[Any]] = {}
    for col in columns:
        if col not in index.columns:
            continue
        values = index[col].dropna()
        if values.empty:
            continue
        if col == "category":
            options[col] = values.astype(str).value_counts().index.tolist()
        elif pd.api.types.is_integer_dtype(values.dtype):
            options[col] = sorted(int(v) for v in values.unique())
        else:
            options[col] = sorted(str(v) for v in values.unique())
    return options


def option_label(column: str, value: Any) -> str:
    """Human label for a filter value: category display names, DeepFashion2 attribute names."""
    if column == "category":
        return display_name(str(value))
    if column in DF2_ATTRIBUTES:
        return DF2_ATTRIBUTES[column].get(int(value), str(value))
    return str(value)


def filter_rows(index: pd.DataFrame, filters: Mapping[str, Sequence[Any]]) -> np.ndarray:
    """Row positions (into the index and the image cache) matching every filter; an empty selection means "any"."""
    mask = np.ones(len(index), dtype=bool)
    for col, allowed in filters.items():
        if not allowed or col not in index.columns:
            continue
        mask &= index[col].isin(list(allowed)).fillna(False).to_numpy(dtype=bool)
    return np.flatnonzero(mask)


def page_count(n_rows: int, page_size: int = PAGE_SIZE) -> int:
    """Number of pages for `n_rows` (at least 1, so an empty result still has a page to show)."""
    return max(1, math.ceil(n_rows / page_size))


def page_rows(rows: np.ndarray, page: int, page_size: int = PAGE_SIZE) -> np.ndarray:
    """Row positions on 1-based `page` (clamped into range)."""
    page = min(max(1, int(page)), page_count(len(rows), page_size))
    return rows[(page - 1) * page_size : page * page_size]


def thumbnails(images: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """uint8 images of `rows` only, read from the (memory-mapped) cache in file order, returned in `rows` order."""
    rows = np.asarray(rows, dtype=np.int64)
    if rows.size == 0:
        return np.zeros((0, *images.shape[1:]), dtype=images.dtype)
    order = np.argsort(rows, kind="stable")
    out = np.empty((len(rows), *images.shape[1:]), dtype=images.dtype)
    out[order] = images[rows[order]]
    return out


def caption(record: Mapping[str, Any]) -> str:
    """Short caption for a thumbnail: the category's display name (FPID's article type when it says more)."""
    text = display_name(str(record.get("category", "")))
    article = record.get("article_type")
    if isinstance(article, str) and article and record.get("category") in ("other", "unmapped"):
        return article
    return text


def record_fields(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A record's informative fields as (field, value) pairs for the viewer, codes spelled out, empty fields left out."""
    rows: list[tuple[str, str]] = []

    def add(name: str, value: Any) -> None:
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) or value == "":
            return
        rows.append((name, str(value)))

    add("record", record.get("record_id"))
    add("category", f"{display_name(str(record.get('category')))} ({record.get('category')}, slot {record.get('slot')})")
    add("source label", record.get("source_label"))
    add("source / split", f"{record.get('source')} / {record.get('split')}")
    box = record_box(record)
    add("box (px)", ", ".join(f"{v:.0f}" for v in box) if box else "whole image")
    marks = landmark_counts(record)
    if marks["visible"] or marks["occluded"]:
        add("landmarks", f"{marks['visible']} visible, {marks['occluded']} occluded")
    for column, labels in DF2_ATTRIBUTES.items():
        value = record.get(column)
        if value is not None and value is not pd.NA:
            add(ATTRIBUTE_TITLES[column].lower(), labels.get(int(value), str(value)))
    add("shop / user", record.get("df2_source"))
    for column in ("article_type", "gender", "base_colour", "season", "usage", "year", "product_name"):
        add(column.replace("_", " "), record.get(column))
    add("image", record.get("image_path"))
    return rows
