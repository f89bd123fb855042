"""Split a prepared dataset into train and test datasets, stratified by category (a held-out set for model cards)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lookbook import atomic
from lookbook.data.dataset import INDEX_FILE, META_FILE, REPORT_FILE, PreparedDataset, images_file
from lookbook.errors import LookbookError

CHUNK_IMAGES = 4096  # images copied per step, so a large cache never sits in memory


def stratified_holdout(categories: np.ndarray, test_share: float, seed: int) -> np.ndarray:
    """Boolean mask of test rows: `test_share` of every category (at least one when it has two or more rows)."""
    if not 0.0 < test_share < 1.0:
        raise LookbookError(f"--test-share must be between 0 and 1, got {test_share}")
    rng = np.random.default_rng(seed)
    test = np.zeros(len(categories), bool)
    for cat in sorted(set(categories)):
        rows = np.flatnonzero(categories == cat)
        if len(rows) < 2:
            continue
        n_test = max(1, round(len(rows) * test_share))
        test[rng.choice(rows, n_test, replace=False)] = True
    return test


def write_subset(ds: PreparedDataset, rows: np.ndarray, out: Path, meta: dict) -> PreparedDataset:
    """Write rows `rows` of `ds` as a new prepared dataset at `out` (row order kept)."""
    out.mkdir(parents=True, exist_ok=True)
    s = ds.image_size_px
    with atomic.atomic_path(out / images_file(s)) as tmp:
        dest = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.uint8, shape=(len(rows), s, s, 3))
        for start in range(0, len(rows), CHUNK_IMAGES):
            dest[start : start + CHUNK_IMAGES] = ds.images[rows[start : start + CHUNK_IMAGES]]
        dest.flush()
        del dest
    with atomic.atomic_path(out / INDEX_FILE) as tmp:
        ds.index.iloc[rows].reset_index(drop=True).to_parquet(tmp, index=False)
    atomic.write_json(out / REPORT_FILE, ds.report)
    counts = ds.index["category"].iloc[rows].value_counts().to_dict()
    atomic.write_json(out / META_FILE, {**ds.meta, "image_size_px": s, "count": len(rows), "category_counts": counts, **meta})
    return PreparedDataset.open(out, s)


def split_dataset(
    source: str | Path, train_out: str | Path, test_out: str | Path, test_share: float = 0.2, seed: int = 0
) -> tuple[PreparedDataset, PreparedDataset]:
    """Write disjoint, category-stratified train and test datasets from one prepared dataset."""
    ds = PreparedDataset.open(source)
    cats = ds.index["category"].fillna("unmapped").to_numpy(dtype=str)
    test = stratified_holdout(cats, test_share, seed)
    origin = {"split_of": str(Path(source).resolve()), "test_share": test_share, "split_seed": seed}
    train_ds = write_subset(ds, np.flatnonzero(~test), Path(train_out), {**origin, "split": "train"})
    test_ds = write_subset(ds, np.flatnonzero(test), Path(test_out), {**origin, "split": "test"})
    return train_ds, test_ds
