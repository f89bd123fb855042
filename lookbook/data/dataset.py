"""Prepared datasets on disk: `index.parquet` row i is image i of the memory-mapped `images_<size>.npy`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lookbook import atomic
from lookbook.data.schema import conform
from lookbook.errors import LookbookError

INDEX_FILE = "index.parquet"
REPORT_FILE = "report.json"
META_FILE = "dataset.json"
IMAGE_SIZES_PX: tuple[int, ...] = (32, 64, 128)


def images_file(image_size_px: int) -> str:
    """File name of the image cache at one resolution."""
    return f"images_{image_size_px}.npy"


def read_index_file(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """An `index.parquet`, read on the calling thread: Arrow's reader threads can abort the process at exit
    ("terminate called without an active exception", apache/arrow#34314), and an index is small."""
    return pd.read_parquet(path, columns=columns, use_threads=False, pre_buffer=False)


@dataclass
class PreparedDataset:
    """A prepared dataset folder, opened read-only; images stay memory-mapped."""

    root: Path
    image_size_px: int
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, root: str | Path, image_size_px: int | None = None) -> PreparedDataset:
        """Open `root`; with several caches, `image_size_px` picks one. Raises LookbookError on anything missing."""
        root = Path(root).expanduser()
        if not root.is_dir():
            raise LookbookError(f"{root} is not a folder (expected a prepared dataset; run `python -m lookbook data prepare`)")
        if not (root / INDEX_FILE).is_file():
            raise LookbookError(
                f"{root} is not a prepared dataset: no {INDEX_FILE} (run `python -m lookbook data prepare --out {root} ...`)"
            )
        sizes = sorted(int(p.stem.split("_")[1]) for p in root.glob("images_*.npy") if p.stem.split("_")[1].isdigit())
        if not sizes:
            raise LookbookError(f"{root} has no image cache (images_<size>.npy); prepare it again")
        if image_size_px is None:
            if len(sizes) > 1:
                raise LookbookError(f"{root} has caches at {sizes} px; choose one with --size / image_size_px")
            image_size_px = sizes[0]
        elif image_size_px not in sizes:
            raise LookbookError(f"{root} has no {image_size_px} px cache (it has {', '.join(map(str, sizes))} px)")
        ds = cls(root=root, image_size_px=image_size_px, meta=_read_meta(root / META_FILE))
        if len(ds.images) != len(ds.index):
            raise LookbookError(
                f"{root} is inconsistent: {len(ds.index)} index rows but {len(ds.images)} images (prepare it again)"
            )
        return ds

    @cached_property
    def index(self) -> pd.DataFrame:
        """The records, one per cached image, in cache order."""
        path = self.root / INDEX_FILE
        try:
            index = read_index_file(path)
        except Exception as exc:  # Arrow raises its own types (ArrowInvalid, ArrowIOError...) for a damaged file
            raise LookbookError(f"{path} is unreadable ({_first_line(exc)}); prepare the dataset again") from None
        missing = [c for c in ("record_id", "category", "image_path") if c not in index.columns]
        if missing:
            raise LookbookError(f"{path} has no {', '.join(missing)} column; prepare the dataset again")
        return index

    @cached_property
    def images(self) -> np.ndarray:
        """uint8 array (N, S, S, 3), memory-mapped read-only."""
        path = self.root / images_file(self.image_size_px)
        try:
            arr = np.load(path, mmap_mode="r")
        except (OSError, ValueError, EOFError) as exc:  # a truncated file fails the memory map with ValueError
            raise LookbookError(f"{path} is unreadable or truncated ({_first_line(exc)}); prepare the dataset again") from None
        s = self.image_size_px
        if arr.dtype != np.uint8 or arr.ndim != 4 or arr.shape[1:] != (s, s, 3):
            raise LookbookError(
                f"{self.root}: image cache has dtype {arr.dtype} shape {arr.shape}, expected uint8 (N, {s}, {s}, 3)"
            )
        return arr

    @property
    def report(self) -> dict[str, Any]:
        """The ingestion report (skipped and repaired items by reason)."""
        path = self.root / REPORT_FILE
        return json.loads(path.read_text()) if path.is_file() else {}

    def __len__(self) -> int:
        return len(self.index)

    def categories(self, include_other: bool = False) -> list[str]:
        """Sorted unified categories present (without `other`/`unmapped` unless asked)."""
        cats = sorted(self.index["category"].dropna().unique())
        return cats if include_other else [c for c in cats if c not in ("other", "unmapped")]


def _read_meta(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:  # ValueError: bad JSON or UTF-8; RecursionError: absurd nesting
        raise LookbookError(f"{path} is unreadable ({_first_line(exc)}); prepare the dataset again") from None
    if not isinstance(meta, dict):
        raise LookbookError(f"{path} is not a JSON object; prepare the dataset again")
    return meta


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:160]


def write_prepared(
    root: str | Path,
    records: pd.DataFrame,
    images: np.ndarray,
    report: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
) -> PreparedDataset:
    """Write a complete prepared dataset in one go (used by tests and small tools; `prepare` streams instead)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[1] != images.shape[2] or images.shape[3] != 3:
        raise ValueError(f"images must be uint8 (N, S, S, 3), got {images.dtype} {images.shape}")
    if len(images) != len(records):
        raise ValueError(f"{len(records)} records but {len(images)} images")
    size = images.shape[1]
    with atomic.atomic_path(root / images_file(size)) as tmp:
        np.save(tmp, images)
    with atomic.atomic_path(root / INDEX_FILE) as tmp:
        conform(records).to_parquet(tmp, index=False)
    atomic.write_json(root / REPORT_FILE, report or {})
    atomic.write_json(root / META_FILE, {"image_size_px": size, "count": len(records), **(meta or {})})
    return PreparedDataset.open(root, size)
