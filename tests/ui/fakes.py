"""Fake but realistic records and prepared datasets of any size, for stats and UI tests."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd

from lookbook import atomic
from lookbook.data.dataset import INDEX_FILE, META_FILE, REPORT_FILE, images_file
from lookbook.data.schema import RECORD_COLUMNS, conform
from lookbook.data.taxonomy import DF2_CATEGORY_NAMES, category_for, slot_for

_TAXONOMY = Path(__file__).resolve().parents[2] / "lookbook" / "data" / "taxonomy.csv"


def _fpid_article_types() -> list[str]:
    with open(_TAXONOMY, newline="", encoding="utf-8") as f:
        return [r["label"] for r in csv.DictReader(f) if r["source"] == "fpid"]


def fake_records(n: int, seed: int = 0, image_px: int = 400) -> pd.DataFrame:
    """`n` records: ~half DeepFashion2 (two garments per image, boxes, landmarks, polygons), ~40% FPID (long-tailed
    article types), the rest class folders. Columns and dtypes are exactly the record schema."""
    rng = np.random.default_rng(seed)
    n_df2 = n // 2
    n_fpid = (n * 2) // 5
    n_folder = n - n_df2 - n_fpid

    # DeepFashion2: image k holds items 1 and 2
    k = np.arange(n_df2)
    image_no = k // 2
    split = np.where(rng.random(n_df2 // 2 + 1) < 0.8, "train", "validation")[image_no]  # items of an image share its split
    cat_id = rng.choice(np.arange(1, 14), size=n_df2, p=_zipf(13, 0.9, rng))
    x1 = rng.uniform(0, image_px * 0.4, n_df2)
    y1 = rng.uniform(0, image_px * 0.4, n_df2)
    x2 = x1 + rng.uniform(image_px * 0.2, image_px * 0.55, n_df2)
    y2 = y1 + rng.uniform(image_px * 0.2, image_px * 0.55, n_df2)
    n_marks = rng.integers(6, 25, n_df2)
    # landmark points inside each box, 3 in 4 visible; drawn for all rows at once (a Python loop per point is slow)
    u = rng.random((n_df2, 24, 2))
    xs = np.round(x1[:, None] + u[..., 0] * (x2 - x1)[:, None], 1)
    ys = np.round(y1[:, None] + u[..., 1] * (y2 - y1)[:, None], 1)
    vs = rng.choice([1, 2, 2, 2], size=(n_df2, 24)).astype(float)
    marks = np.stack([xs, ys, vs], axis=2).reshape(n_df2, -1)
    landmarks = [json.dumps(marks[i, : 3 * n_marks[i]].tolist()) for i in range(n_df2)]
    tri = np.round(np.stack([x1, y1, x2, y1, (x1 + x2) / 2, y2], axis=1), 1)
    segmentation = [json.dumps([row]) for row in tri.tolist()]
    df2 = pd.DataFrame(
        {
            "record_id": [f"deepfashion2:{s}:{i:06d}:{it}" for s, i, it in zip(split, image_no, k % 2 + 1)],
            "source": "deepfashion2",
            "source_root": "/data/deepfashion2",
            "split": split,
            "image_path": [f"/data/deepfashion2/{s}/image/{i:06d}.jpg" for s, i in zip(split, image_no)],
            "item": k % 2 + 1,
            "box_x1": x1,
            "box_y1": y1,
            "box_x2": x2,
            "box_y2": y2,
            "source_label": [DF2_CATEGORY_NAMES[c] for c in cat_id],
            "df2_source": np.where(rng.random(n_df2) < 0.35, "shop", "user"),
            "pair_id": image_no // 3,
            "style": rng.integers(0, 3, n_df2),
            "scale": rng.choice([1, 2, 3], n_df2, p=[0.2, 0.5, 0.3]),
            "occlusion": rng.choice([1, 2, 3], n_df2, p=[0.6, 0.3, 0.1]),
            "zoom_in": rng.choice([1, 2, 3], n_df2, p=[0.7, 0.2, 0.1]),
            "viewpoint": rng.choice([1, 2, 3], n_df2, p=[0.3, 0.5, 0.2]),
            "landmarks": landmarks,
            "n_landmarks": n_marks,
            "segmentation": segmentation,
        }
    )
    df2["category"] = df2["source_label"].map(lambda lab: category_for("deepfashion2", lab))

    types = _fpid_article_types()
    art = rng.choice(types, size=n_fpid, p=_zipf(len(types), 1.2, rng))
    ids = np.arange(10000, 10000 + n_fpid)
    fpid = pd.DataFrame(
        {
            "record_id": [f"fpid:all:{i}" for i in ids],
            "source": "fpid",
            "source_root": "/data/fpid",
            "split": "all",
            "image_path": [f"/data/fpid/images/{i}.jpg" for i in ids],
            "source_label": art,
            "product_id": ids,
            "gender": rng.choice(["Men", "Women", "Unisex", "Boys", "Girls"], n_fpid, p=[0.5, 0.38, 0.05, 0.04, 0.03]),
            "master_category": "Apparel",
            "article_type": art,
            "base_colour": rng.choice(["Black", "White", "Blue", "Navy Blue", "Red", "Grey", "Beige", "Mustard"], n_fpid),
            "season": rng.choice(["Summer", "Fall", "Winter", "Spring", None], n_fpid, p=[0.45, 0.25, 0.18, 0.1, 0.02]),
            "year": rng.integers(2010, 2018, n_fpid),
            "usage": rng.choice(["Casual", "Sports", "Ethnic", "Formal"], n_fpid, p=[0.75, 0.1, 0.1, 0.05]),
        }
    )
    fpid["category"] = fpid["source_label"].map(lambda lab: category_for("fpid", lab))

    folder_labels = rng.choice(["t-shirt", "dress", "shoes", "pants", "hat", "outwear"], n_folder)
    folder = pd.DataFrame(
        {
            "record_id": [f"folder:train:{lab}{i}" for i, lab in enumerate(folder_labels)],
            "source": "folder",
            "source_root": "/data/clothes",
            "split": "train",
            "image_path": [f"/data/clothes/train/{lab}/{i}.jpg" for i, lab in enumerate(folder_labels)],
            "source_label": folder_labels,
        }
    )
    folder["category"] = folder["source_label"].map(lambda lab: category_for("folder", lab))

    records = pd.concat([df2, fpid, folder], ignore_index=True)
    records["slot"] = records["category"].map(slot_for)
    for col in RECORD_COLUMNS:
        if col not in records.columns:
            records[col] = pd.NA
    return conform(records)


def _zipf(k: int, a: float, rng: np.random.Generator) -> np.ndarray:
    weights = 1.0 / np.arange(1, k + 1) ** a
    weights = weights[rng.permutation(k)]
    return weights / weights.sum()


FAKE_REPORT = {
    "skipped_total": 5,
    "repaired_total": 3,
    "skipped": {"corrupt image": 3, "image file not found": 2},
    "repaired": {"CMYK converted to RGB": 2, "box clipped to image": 1},
    "unmapped_labels": {"folder:mystery": 4},
    "examples": {
        "skipped: corrupt image": ["/data/fpid/images/1.jpg"],
        "repaired: CMYK converted to RGB": ["/data/fpid/images/2.jpg"],
    },
}


def fake_dataset(root: Path, n: int, image_size_px: int = 32, seed: int = 0, sparse: bool = False) -> Path:
    """A prepared dataset folder of `n` fake records. With `sparse`, the image cache is a sparse file with only
    a few real rows (a 100k-record cache costs no disk or write time); otherwise every image is a coloured tile."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    records = fake_records(n, seed)
    shape = (n, image_size_px, image_size_px, 3)
    with atomic.atomic_path(root / images_file(image_size_px)) as tmp:
        arr = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.uint8, shape=shape)
        rng = np.random.default_rng(seed)
        rows = range(min(n, 256)) if sparse else range(n)
        for i in rows:
            arr[i] = rng.integers(40, 230, 3, dtype=np.uint8)
            arr[i, image_size_px // 4 : -image_size_px // 4, image_size_px // 4 : -image_size_px // 4] = 255
        arr.flush()
        del arr
    with atomic.atomic_path(root / INDEX_FILE) as tmp:
        records.to_parquet(tmp, index=False)
    atomic.write_json(root / REPORT_FILE, FAKE_REPORT)
    atomic.write_json(root / META_FILE, {"image_size_px": image_size_px, "count": n})
    return root
