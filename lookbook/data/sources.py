"""Source dispatch and mixing: a list of source specs -> one records table, capped per source by seeded sampling."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from lookbook.data.report import IngestReport
from lookbook.data.schema import conform, empty_records
from lookbook.data.taxonomy import UNMAPPED, category_for, slot_for
from lookbook.errors import LookbookError

if TYPE_CHECKING:  # the loaders import this module's helpers, so they are imported lazily below
    from lookbook.data.deepfashion2 import Df2Filter

Progress = Callable[[int, int], None]
SourceKind = Literal["deepfashion2", "deepfashion2-coco", "fpid", "folder"]
SOURCE_KINDS: tuple[str, ...] = ("deepfashion2", "deepfashion2-coco", "fpid", "folder")
SKIP_NO_IMAGE = "no image file"
SKIP_DUPLICATE = "duplicate record"
SPLIT_NAMES: dict[str, str] = {
    "train": "train",
    "training": "train",
    "validation": "validation",
    "val": "validation",
    "valid": "validation",
    "test": "test",
}
PROGRESS_STEPS = 200  # progress callbacks per loader at most: a UI bar redraw per file would dominate


@dataclass(frozen=True)
class SourceSpec:
    """One dataset source to load."""

    kind: SourceKind
    path: str  # dataset root (or the COCO JSON file for deepfashion2-coco)
    df2_filter: Df2Filter | None = None  # DeepFashion2 kinds only: split/category/occlusion/... filters
    image_dir: str | None = None  # deepfashion2-coco only: image folder (default <json dir>/../image)

    def describe(self) -> dict[str, object]:
        """Plain-JSON form for `dataset.json`."""
        out: dict[str, object] = {"kind": self.kind, "path": str(Path(self.path).expanduser().resolve())}
        if self.df2_filter is not None:
            out["df2_filter"] = self.df2_filter.to_dict()
        if self.image_dir is not None:
            out["image_dir"] = self.image_dir
        return out


def require_dir(path: str | os.PathLike, what: str) -> Path:
    """`path` as an absolute Path, or a one-line LookbookError saying what was expected there."""
    path = Path(path).expanduser()
    if not path.exists():
        raise LookbookError(f"{path} does not exist (expected {what})")
    if not path.is_dir():
        raise LookbookError(f"{path} is not a folder (expected {what})")
    if not os.access(path, os.R_OK | os.X_OK):
        raise LookbookError(f"{path} is not readable (permission denied)")
    return path.resolve()


def split_of(name: str) -> str | None:
    """Schema split named by a folder or file-name token (`val` -> validation), or None."""
    return SPLIT_NAMES.get(name.strip().lower())


def categorize(source: str, label: object, report: IngestReport) -> tuple[str, str]:
    """(unified category, slot) of a source label; labels no table knows are kept as `unmapped` and counted."""
    text = "" if label is None or label is pd.NA else str(label)
    category = category_for(source, text)
    if category == UNMAPPED:
        report.unmapped(source, text)
    return category, slot_for(category)


def throttled(progress: Progress | None, total: int) -> Callable[[int], None]:
    """A `tick(done)` that forwards to `progress(done, total)` about PROGRESS_STEPS times, always at the end."""
    if progress is None:
        return lambda done: None
    every = max(1, total // PROGRESS_STEPS)

    def tick(done: int) -> None:
        if done % every == 0 or done == total:
            progress(done, total)

    return tick


def load_source(spec: SourceSpec, progress: Progress | None = None) -> tuple[pd.DataFrame, IngestReport]:
    """Load one source with the loader of its kind."""
    from lookbook.data import deepfashion2, folders, fpid

    if spec.kind not in SOURCE_KINDS:
        raise LookbookError(f"unknown source kind {spec.kind!r} (known: {', '.join(SOURCE_KINDS)})")
    if spec.df2_filter is not None and not spec.kind.startswith("deepfashion2"):
        raise LookbookError(f"DeepFashion2 filters do not apply to a {spec.kind} source ({spec.path})")
    if spec.kind == "deepfashion2":
        return deepfashion2.load_deepfashion2(spec.path, spec.df2_filter, progress=progress)
    if spec.kind == "deepfashion2-coco":
        return deepfashion2.load_deepfashion2_coco(spec.path, spec.image_dir, spec.df2_filter, progress=progress)
    if spec.kind == "fpid":
        return fpid.load_fpid(spec.path, progress=progress)
    return folders.load_folder(spec.path, progress=progress)


def load_sources(
    specs: list[SourceSpec], max_per_source: int | None = None, seed: int = 0, progress: Progress | None = None
) -> tuple[pd.DataFrame, IngestReport]:
    """Load and concatenate `specs`; each source is capped at `max_per_source` records (seeded, stratified by category)."""
    if max_per_source is not None and max_per_source < 1:
        raise LookbookError(f"max_per_source must be at least 1, got {max_per_source}")
    if not specs:
        raise LookbookError("no sources given (add at least one of --fpid, --df2, --df2-coco, --folder)")
    report = IngestReport()
    frames = []
    for i, spec in enumerate(specs):
        records, source_report = load_source(spec, progress=progress)
        report.merge(source_report)
        if max_per_source is not None:
            # per-source seeds: adding a source never reshuffles the others
            records = sample_records(records, max_per_source, seed=[seed, i])
        frames.append(records)
    records = pd.concat(frames, ignore_index=True) if frames else empty_records()
    duplicated = records["record_id"].duplicated()
    for record_id in records.loc[duplicated, "record_id"]:
        report.skip(SKIP_DUPLICATE, str(record_id))
    return conform(records[~duplicated]), report


def sample_records(records: pd.DataFrame, n: int, seed: int | list[int] = 0) -> pd.DataFrame:
    """At most `n` rows, each category keeping its share (largest remainders), in the original row order."""
    if len(records) <= n:
        return records
    rng = np.random.default_rng(seed)
    categories = records["category"].fillna(UNMAPPED).to_numpy()
    names, inverse, counts = np.unique(categories, return_inverse=True, return_counts=True)
    quota = counts * n / len(records)
    take = np.floor(quota).astype(int)
    leftover = n - int(take.sum())
    if leftover:
        # ties broken by a seeded shuffle, not by category name
        order = np.lexsort((rng.permutation(len(names)), -(quota - take)))
        take[order[:leftover]] += 1
    chosen = []
    for k in range(len(names)):
        rows = np.flatnonzero(inverse == k)
        chosen.append(rng.choice(rows, size=take[k], replace=False))
    keep = np.sort(np.concatenate(chosen))
    return records.iloc[keep].reset_index(drop=True)
