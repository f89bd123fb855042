"""What every source loader shares: folder checks, split names, label categorisation and throttled progress."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from lookbook.data.report import IngestReport
from lookbook.data.taxonomy import UNMAPPED, category_for, slot_for
from lookbook.errors import LookbookError

Progress = Callable[[int, int], None]
SKIP_NO_IMAGE = "no image file"
SPLIT_NAMES: dict[str, str] = {
    "train": "train",
    "training": "train",
    "validation": "validation",
    "val": "validation",
    "valid": "validation",
    "test": "test",
}
PROGRESS_STEPS = 200  # progress callbacks per loader at most: a UI bar redraw per file would dominate


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
