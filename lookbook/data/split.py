"""Split a prepared dataset into category-stratified train and test datasets, and merge prepared datasets into one."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from lookbook import atomic
from lookbook.data.dataset import INDEX_FILE, META_FILE, REPORT_FILE, PreparedDataset, images_file
from lookbook.errors import LookbookError

CHUNK_IMAGES = 4096  # images copied per step, so a large cache never sits in memory


def stratified_holdout(categories: np.ndarray, keys: np.ndarray, test_share: float, seed: int) -> np.ndarray:
    """Boolean mask of test rows: `test_share` of every category (at least one when it has two or more rows)."""
    if not 0.0 < test_share < 1.0:
        raise LookbookError(f"--test-share must be between 0 and 1, got {test_share}")
    test = np.zeros(len(categories), bool)
    test[stratified_parts(np.arange(len(categories)), categories, keys, test_share, 0.0, seed)["test"]] = True
    return test


def key_order(keys: np.ndarray, seed: int) -> np.ndarray:
    """A seeded order of `keys` that depends on nothing but each key and the seed (hash rank, ties by key)."""
    digests = [hashlib.blake2b(f"{seed}:{key}".encode(), digest_size=8).hexdigest() + str(key) for key in keys]
    return np.argsort(np.array(digests, dtype=object), kind="stable")


def stratified_parts(
    rows: np.ndarray, labels: np.ndarray, keys: np.ndarray, test_share: float, val_share: float, seed: int
) -> dict[str, np.ndarray]:
    """`rows` dealt into "test", "validation" and "train" parts by label, `test_share` and `val_share` of each label.

    Within a label, rows are ranked by a seeded hash of their key (the record id), so a record's part depends only
    on its own id, the seed and how many records share its label: not on row order, the machine, or other labels.
    Every label keeps at least one training row; with two or more it gives the test part at least one (a share above
    0 asks for it), and with three or more left the validation part too.
    """
    by_label: dict[str, list[int]] = {}
    for r in rows:
        by_label.setdefault(str(labels[r]), []).append(int(r))
    parts: dict[str, list[np.ndarray]] = {"test": [], "validation": [], "train": []}
    for label in sorted(by_label):
        members = np.array(by_label[label])
        members = members[key_order(keys[members], seed)]
        n = len(members)
        n_test = min(n - 1, max(1, round(n * test_share))) if test_share > 0 and n >= 2 else 0
        n_val = min(n - n_test - 1, max(1, round(n * val_share))) if val_share > 0 and n - n_test >= 3 else 0
        parts["test"].append(members[:n_test])
        parts["validation"].append(members[n_test : n_test + n_val])
        parts["train"].append(members[n_test + n_val :])
    return {name: np.concatenate(chunks) if chunks else np.zeros(0, np.int64) for name, chunks in parts.items()}


def write_subset(ds: PreparedDataset, rows: np.ndarray, out: Path, meta: dict) -> PreparedDataset:
    """Write rows `rows` of `ds` as a new prepared dataset at `out` (row order kept)."""
    return _write([(ds, rows)], out, {**ds.meta, **meta}, ds.report)


def merge_datasets(sources: list[str | Path], out: str | Path) -> PreparedDataset:
    """Write the prepared datasets `sources` (one image size) one after another as a single dataset at `out`.

    Their reports are kept side by side under `merged_reports`, so no reason for a skip is lost.
    """
    parts = [PreparedDataset.open(src) for src in sources]
    if len(parts) < 2:
        raise LookbookError("give at least two prepared datasets to merge")
    sizes = sorted({ds.image_size_px for ds in parts})
    if len(sizes) > 1:
        raise LookbookError(f"cannot merge datasets of different image sizes ({', '.join(f'{s} px' for s in sizes)})")
    out = Path(out)
    if out.resolve() in {ds.root.resolve() for ds in parts}:
        raise LookbookError(f"--out {out} is one of the datasets being merged; choose a new folder")
    meta = {"merged_from": [str(ds.root.resolve()) for ds in parts]}
    report = {"merged_reports": {str(ds.root.resolve()): ds.report for ds in parts}}
    return _write([(ds, np.arange(len(ds))) for ds in parts], out, meta, report)


def _write(parts: list[tuple[PreparedDataset, np.ndarray]], out: Path, meta: dict, report: dict) -> PreparedDataset:
    """Write the given rows of each dataset, in order, as one prepared dataset at `out`, copying in chunks."""
    out.mkdir(parents=True, exist_ok=True)
    s = parts[0][0].image_size_px
    total = sum(len(rows) for _, rows in parts)
    with atomic.atomic_path(out / images_file(s)) as tmp:
        dest = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.uint8, shape=(total, s, s, 3))
        at = 0
        for ds, rows in parts:
            for start in range(0, len(rows), CHUNK_IMAGES):
                chunk = ds.images[rows[start : start + CHUNK_IMAGES]]
                dest[at : at + len(chunk)] = chunk
                at += len(chunk)
        dest.flush()
        del dest
    index = pd.concat([ds.index.iloc[rows] for ds, rows in parts], ignore_index=True)
    with atomic.atomic_path(out / INDEX_FILE) as tmp:
        index.to_parquet(tmp, index=False)
    atomic.write_json(out / REPORT_FILE, report)
    counts = index["category"].value_counts().to_dict()
    atomic.write_json(out / META_FILE, {**meta, "image_size_px": s, "count": total, "category_counts": counts})
    return PreparedDataset.open(out, s)


def split_dataset(
    source: str | Path, train_out: str | Path, test_out: str | Path, test_share: float = 0.2, seed: int = 0
) -> tuple[PreparedDataset, PreparedDataset]:
    """Write disjoint, category-stratified train and test datasets from one prepared dataset."""
    ds = PreparedDataset.open(source)
    cats = ds.index["category"].fillna("unmapped").to_numpy(dtype=str)
    test = stratified_holdout(cats, ds.index["record_id"].to_numpy(dtype=str), test_share, seed)
    origin = {"split_of": str(Path(source).resolve()), "test_share": test_share, "split_seed": seed}
    train_ds = write_subset(ds, np.flatnonzero(~test), Path(train_out), {**origin, "split": "train"})
    test_ds = write_subset(ds, np.flatnonzero(test), Path(test_out), {**origin, "split": "test"})
    return train_ds, test_ds
