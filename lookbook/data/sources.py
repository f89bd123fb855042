"""Source dispatch and mixing: a list of source specs -> one records table, capped per source by seeded sampling."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from lookbook.data import deepfashion2, folders, fpid
from lookbook.data.deepfashion2 import Df2Filter
from lookbook.data.loader import Progress
from lookbook.data.report import IngestReport
from lookbook.data.schema import conform, empty_records
from lookbook.data.taxonomy import UNMAPPED
from lookbook.errors import LookbookError

SourceKind = Literal["deepfashion2", "deepfashion2-coco", "fpid", "folder"]
SOURCE_KINDS: tuple[str, ...] = ("deepfashion2", "deepfashion2-coco", "fpid", "folder")
SKIP_DUPLICATE = "duplicate record"


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


def load_source(spec: SourceSpec, progress: Progress | None = None) -> tuple[pd.DataFrame, IngestReport]:
    """Load one source with the loader of its kind."""
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
