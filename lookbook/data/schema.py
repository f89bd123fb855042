"""The one record schema every source loader produces (one row per garment)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

SOURCES: tuple[str, ...] = ("deepfashion2", "fpid", "folder")
SPLITS: tuple[str, ...] = ("train", "validation", "test", "all")

# column -> pandas dtype. Boxes are pixel coordinates [x1, y1, x2, y2); NaN means the whole image.
RECORD_COLUMNS: dict[str, str] = {
    "record_id": "string",  # unique: "<source>:<split>:<file stem>[:<item>]"
    "source": "string",  # one of SOURCES
    "source_root": "string",  # the dataset root the record came from (for per-source mixing caps)
    "split": "string",  # one of SPLITS ("all" when the source has no splits)
    "image_path": "string",  # absolute path
    "item": "Int64",  # DeepFashion2 item number within the image (itemN), else NA
    "box_x1": "float64",
    "box_y1": "float64",
    "box_x2": "float64",
    "box_y2": "float64",
    "source_label": "string",  # the label as the source spells it
    "category": "string",  # unified category (taxonomy.csv)
    "slot": "string",  # outfit slot of the category
    # DeepFashion2 attributes
    "df2_source": "string",  # "shop" or "user"
    "pair_id": "Int64",
    "style": "Int64",
    "scale": "Int64",  # 1 small, 2 modest, 3 large
    "occlusion": "Int64",  # 1 slight, 2 medium, 3 heavy
    "zoom_in": "Int64",  # 1 none, 2 medium, 3 large
    "viewpoint": "Int64",  # 1 no wear, 2 frontal, 3 side or back
    "landmarks": "string",  # JSON [x, y, v, ...]; v 2 visible, 1 occluded, 0 unlabelled
    "n_landmarks": "Int64",  # landmarks with v > 0
    "segmentation": "string",  # JSON list of polygons [[x, y, ...], ...]
    # FPID attributes
    "product_id": "Int64",
    "gender": "string",
    "master_category": "string",
    "sub_category": "string",
    "article_type": "string",
    "base_colour": "string",
    "season": "string",
    "year": "Int64",
    "usage": "string",
    "product_name": "string",
}

BOX_COLUMNS = ["box_x1", "box_y1", "box_x2", "box_y2"]


def make_records(rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Build a records DataFrame from dicts; missing columns are NA, extra keys are an error."""
    frame = pd.DataFrame(list(rows))
    extra = set(frame.columns) - set(RECORD_COLUMNS)
    if extra:
        raise ValueError(f"unknown record columns: {sorted(extra)}")
    for col in RECORD_COLUMNS:
        if col not in frame.columns:
            frame[col] = pd.NA
    return conform(frame)


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """Order columns and cast them to the schema's dtypes (index reset)."""
    frame = frame[list(RECORD_COLUMNS)].reset_index(drop=True)
    for col, dtype in RECORD_COLUMNS.items():
        if dtype == "float64":
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
        elif dtype == "Int64":
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("Int64")
        else:
            frame[col] = frame[col].astype("string")
    return frame


def empty_records() -> pd.DataFrame:
    """A zero-row records DataFrame with the full schema."""
    return make_records([])
