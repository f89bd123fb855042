"""Class-folder loader: `<root>[/<split>]/<class>/**/*.jpg` -> one whole-image record per file, labelled by folder."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from lookbook.data.images import is_image_name
from lookbook.data.loader import Progress, categorize, require_dir, split_of, throttled
from lookbook.data.report import IngestReport
from lookbook.data.schema import make_records
from lookbook.errors import LookbookError

SOURCE = "folder"
SKIP_NOT_IMAGE = "not an image file"
SKIP_OUTSIDE_CLASS = "image outside a class folder"


def load_folder(root: str | os.PathLike, progress: Progress | None = None) -> tuple[pd.DataFrame, IngestReport]:
    """Records for every image under `<root>/<class>/` (or `<root>/{train,val,validation,test}/<class>/`)."""
    root = require_dir(root, "a folder of class subfolders: <root>/<class>/*.jpg")
    report = IngestReport()
    files: list[tuple[str, str, str, str]] = []  # (split, class, path, path relative to the class folder)
    n_classes = 0
    for split, split_dir in _split_dirs(root):
        with os.scandir(split_dir) as entries:
            children = sorted(entries, key=lambda e: e.name)
        for entry in children:
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                if split_dir == root and split_of(entry.name):
                    continue  # a split folder, listed by _split_dirs
                n_classes += 1
                files.extend((split, entry.name, path, rel) for path, rel in _walk(entry.path, report))
            elif is_image_name(entry.name):
                report.skip(SKIP_OUTSIDE_CLASS, entry.path)
    if n_classes == 0:
        raise LookbookError(f"{root} has no class folders (expected <root>/<class>/*.jpg, optionally under train/ val/ test/)")
    tick = throttled(progress, len(files))
    rows = []
    for i, (split, label, path, rel) in enumerate(files, start=1):
        tick(i)
        category, slot = categorize(SOURCE, label, report)
        rows.append(
            {
                "record_id": f"{SOURCE}:{split}:{label}/{os.path.splitext(rel)[0]}",
                "source": SOURCE,
                "source_root": os.fspath(root),
                "split": split,
                "image_path": path,
                "source_label": label,
                "category": category,
                "slot": slot,
            }
        )
    return make_records(rows), report


def _split_dirs(root: Path) -> list[tuple[str, Path]]:
    """(split, folder) pairs; class folders directly under `root` form the split `all`."""
    splits = [(split_of(p.name), p) for p in sorted(root.iterdir()) if p.is_dir() and split_of(p.name)]
    return [("all", root), *splits]


def _walk(folder: str, report: IngestReport) -> list[tuple[str, str]]:
    """Image files anywhere under one class folder as (absolute path, path relative to it), sorted."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = os.path.join(dirpath, name)
            if is_image_name(name):
                found.append((os.path.abspath(path), os.path.relpath(path, folder)))
            else:
                report.skip(SKIP_NOT_IMAGE, path)
    return found
