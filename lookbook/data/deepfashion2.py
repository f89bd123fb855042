"""DeepFashion2 loaders: the raw layout (one JSON per image) and the COCO form, both to one record per garment item."""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from lookbook.config import Config, check
from lookbook.data.images import image_files
from lookbook.data.loader import SKIP_NO_IMAGE, Progress, categorize, require_dir, split_of, throttled
from lookbook.data.report import IngestReport
from lookbook.data.schema import make_records
from lookbook.data.taxonomy import DF2_CATEGORY_NAMES, categories
from lookbook.errors import LookbookError
from lookbook.jsonfile import JsonError, parse, preview

SOURCE = "deepfashion2"
# Landmarks per category id, in id order: the COCO form packs them into one 294-point array in this order.
LANDMARK_COUNTS: dict[int, int] = {1: 25, 2: 33, 3: 31, 4: 39, 5: 15, 6: 15, 7: 10, 8: 14, 9: 8, 10: 29, 11: 37, 12: 19, 13: 19}
LANDMARK_OFFSETS: dict[int, int] = {cat: sum(n for c, n in LANDMARK_COUNTS.items() if c < cat) for cat in LANDMARK_COUNTS}
COCO_KEYPOINTS = sum(LANDMARK_COUNTS.values())  # 294
_ATTRIBUTES = ("style", "scale", "occlusion", "zoom_in", "viewpoint")

SKIP_BAD_JSON = "unreadable annotation JSON"
SKIP_NO_ITEMS = "annotation without items"
SKIP_MISSING_KEYS = "annotation item missing keys"
SKIP_BAD_ITEM = "malformed annotation item"
SKIP_BAD_BOX = "malformed bounding box"
SKIP_UNKNOWN_IMAGE = "annotation for an unknown image"
REPAIR_LANDMARKS = "malformed landmarks dropped"
REPAIR_SEGMENTATION = "malformed segmentation dropped"
FILTERED = "filtered: "  # prefix of the reasons an item was left out by a Df2Filter
_JSON = json.JSONEncoder(separators=(",", ":"), allow_nan=False)  # built once: json.dumps builds one per call
MAX_ANNOTATION_BYTES = 16 << 20  # one image's annotation is a few kB; anything this large is not one
MAX_ANNOTATION_DEPTH = 8  # a raw annotation nests 4 levels (file, item, segmentation, polygon)
MAX_COORDINATE = 1e9  # px; larger box values are corrupt, and beyond 2**1024 not even a float
MAX_INT = 2**53  # attribute and id values beyond this are corrupt (and would overflow the Int64 columns)


@dataclass(frozen=True)
class Df2Filter(Config):
    """Which DeepFashion2 items to keep (items left out are counted in the report as `filtered: ...`)."""

    splits: tuple[str, ...] = ()  # keep only these splits (train, validation, test); empty keeps all
    categories: tuple[str, ...] = ()  # keep only these: DeepFashion2 ids or names, or unified categories; empty keeps all
    max_occlusion: int = 3  # 1 slight, 2 medium, 3 heavy: drop items more occluded than this
    max_zoom_in: int = 3  # 1 none, 2 medium, 3 large: drop items zoomed in more than this
    viewpoints: tuple[int, ...] = ()  # keep only these (1 no wear, 2 frontal, 3 side or back); empty keeps all
    min_box_px: int = 0  # drop items whose bounding box is narrower or shorter than this, in source pixels

    def validate(self) -> None:
        for split in self.splits:
            check(split_of(split) is not None, f"unknown DeepFashion2 split {split!r} (use train, validation or test)")
        known = {str(i) for i in DF2_CATEGORY_NAMES} | {_norm(n) for n in DF2_CATEGORY_NAMES.values()} | set(categories())
        for cat in self.categories:
            check(_norm(cat) in known, f"unknown category {cat!r} (use a DeepFashion2 id 1-13, its name, or a unified category)")
        check(1 <= self.max_occlusion <= 3, f"max_occlusion must be 1, 2 or 3, got {self.max_occlusion}")
        check(1 <= self.max_zoom_in <= 3, f"max_zoom_in must be 1, 2 or 3, got {self.max_zoom_in}")
        for v in self.viewpoints:
            check(v in (1, 2, 3), f"viewpoints must be 1, 2 or 3, got {v}")
        check(self.min_box_px >= 0, f"min_box_px must be 0 or more, got {self.min_box_px}")

    def keeps_split(self, split: str) -> bool:
        """Whether items of `split` pass."""
        return not self.splits or split in {split_of(s) for s in self.splits}

    def exclusion(self, row: dict[str, Any]) -> str | None:
        """Why a record (dict) is left out, or None to keep it. Missing attributes never exclude."""
        if self.categories:
            wanted = {_norm(c) for c in self.categories}
            labels = {_norm(row["source_label"]), row["category"], str(row.get("_category_id"))}
            if not wanted & labels:
                return FILTERED + "category"
        for key, limit in (("occlusion", self.max_occlusion), ("zoom_in", self.max_zoom_in)):
            value = row.get(key)
            if value is not None and value > limit:
                return FILTERED + key
        if self.viewpoints and row.get("viewpoint") is not None and row["viewpoint"] not in self.viewpoints:
            return FILTERED + "viewpoint"
        if self.min_box_px and min(row["box_x2"] - row["box_x1"], row["box_y2"] - row["box_y1"]) < self.min_box_px:
            return FILTERED + "min_box_px"
        return None


def _norm(label: object) -> str:
    return re.sub(r"[\s_\-]+", " ", str(label).strip().lower()).replace("sleeved", "sleeve")


def load_deepfashion2(
    root: str | os.PathLike, df2_filter: Df2Filter | None = None, progress: Progress | None = None
) -> tuple[pd.DataFrame, IngestReport]:
    """Records from the raw layout `<root>/<split>/{image,annos}` (or `root` itself being one split folder)."""
    flt = df2_filter or Df2Filter()
    root = require_dir(root, "a DeepFashion2 folder: <root>/<split>/image and <root>/<split>/annos")
    splits = [(split, folder) for split, folder in _raw_splits(root) if flt.keeps_split(split)]
    if not splits:
        raise LookbookError(
            f"{root} has no DeepFashion2 annotations{' for the chosen splits' if flt.splits else ''} "
            "(expected <root>/<split>/annos/*.json beside <root>/<split>/image/)"
        )
    jobs = []
    for split, folder in splits:
        images = image_files(require_dir(folder / "image", f"the images of {folder / 'annos'}"))
        names = sorted(n for n in os.listdir(folder / "annos") if n.endswith(".json") and not n.startswith("."))
        jobs.append((split, os.fspath(folder / "annos"), names, images))
    report = IngestReport()
    rows: list[dict[str, Any]] = []
    tick = throttled(progress, sum(len(names) for _, _, names, _ in jobs))
    done = 0
    for split, annos, names, images in jobs:
        for name in names:
            path = os.path.join(annos, name)
            _raw_file_rows(path, name[:-5], split, images, os.fspath(root), flt, report, rows)
            done += 1
            tick(done)
    return make_records(rows), report


def _raw_splits(root: Path) -> list[tuple[str, Path]]:
    if (root / "annos").is_dir():
        return [(split_of(root.name) or "all", root)]
    return [(split_of(child.name) or "all", child) for child in sorted(root.iterdir()) if (child / "annos").is_dir()]


def _raw_file_rows(path, stem, split, images, root, flt, report, rows) -> None:
    try:
        with open(path, "rb") as f:
            data = parse(f.read(MAX_ANNOTATION_BYTES + 1), MAX_ANNOTATION_DEPTH, MAX_ANNOTATION_BYTES)
    except OSError as exc:
        report.skip(SKIP_BAD_JSON, f"{path}: {exc.strerror or exc}")
        return
    except JsonError as exc:
        report.skip(SKIP_BAD_JSON, f"{path}: {exc}")
        return
    if not isinstance(data, dict):
        report.skip(SKIP_BAD_JSON, f"{path}: a JSON {type(data).__name__}, not an object")
        return
    items = sorted((int(k[4:]), v) for k, v in data.items() if _item_key(k))
    if not items:
        report.skip(SKIP_NO_ITEMS, path)
        return
    image_path = images.get(stem)
    shared = {"df2_source": _text(data.get("source")), "pair_id": _int(data.get("pair_id"))}
    for n, item in items:
        where = f"{path} item{n}"
        if image_path is None:
            report.skip(SKIP_NO_IMAGE, where)
            continue
        row = _item_row(item, where, split, stem, n, image_path, root, report)
        if row is not None:
            row.update(shared)
            _keep(row, flt, report, rows)


def _item_key(key: str) -> bool:
    # ASCII digits only, and few of them: int() refuses "item²" and numbers of thousands of digits
    number = key[4:]
    return key.startswith("item") and 0 < len(number) <= 9 and number.isascii() and number.isdigit()


def _item_row(item, where, split, stem, n, image_path, root, report) -> dict[str, Any] | None:
    """One record from a raw-form item dict (the COCO loader converts to this form first)."""
    if not isinstance(item, dict):
        report.skip(SKIP_BAD_ITEM, f"{where}: {preview(item)}")
        return None
    missing = [k for k in ("category_id", "bounding_box") if k not in item]
    if missing:
        report.skip(SKIP_MISSING_KEYS, f"{where}: {', '.join(missing)}")
        return None
    box = item["bounding_box"]
    if not (isinstance(box, list) and len(box) == 4 and all(_coordinate(v) for v in box)):
        report.skip(SKIP_BAD_BOX, f"{where}: {preview(box)}")
        return None
    category_id = _int(item["category_id"])
    name = _text(item.get("category_name")) or _text(item["category_id"])
    if category_id is None and not name:
        report.skip(SKIP_BAD_ITEM, f"{where}: category_id {preview(item['category_id'])}")
        return None
    label = DF2_CATEGORY_NAMES.get(category_id) or name or str(category_id)
    category, slot = categorize(SOURCE, category_id if category_id in DF2_CATEGORY_NAMES else label, report)
    row: dict[str, Any] = {
        "record_id": f"{SOURCE}:{split}:{stem}:{n}",
        "source": SOURCE,
        "source_root": root,
        "split": split,
        "image_path": image_path,
        "item": n,
        "box_x1": float(box[0]),
        "box_y1": float(box[1]),
        "box_x2": float(box[2]),
        "box_y2": float(box[3]),
        "source_label": label,
        "category": category,
        "slot": slot,
        "_category_id": category_id,
    }
    for key in _ATTRIBUTES:
        row[key] = _int(item.get(key))
    landmarks = item.get("landmarks")
    if landmarks is not None:
        try:
            if not isinstance(landmarks, list) or len(landmarks) % 3 or not all(_coordinate(v) for v in landmarks):
                raise ValueError
            values = [float(v) for v in landmarks]
        except ValueError:
            report.repair(REPAIR_LANDMARKS, where)
        else:
            row["landmarks"] = _JSON.encode(values)
            row["n_landmarks"] = len([v for v in values[2::3] if v > 0])
    segmentation = item.get("segmentation")
    if segmentation is not None:
        if _polygons(segmentation):
            row["segmentation"] = _JSON.encode(segmentation)
        else:
            report.repair(REPAIR_SEGMENTATION, where)
    return row


def _keep(row: dict[str, Any], flt: Df2Filter, report: IngestReport, rows: list[dict[str, Any]]) -> None:
    reason = flt.exclusion(row)
    if reason is None:
        del row["_category_id"]
        rows.append(row)
    else:
        report.skip(reason, row["record_id"])


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str):
        digits = value.strip().removeprefix("-")
        value = int(value) if 0 < len(digits) <= 16 and digits.isascii() and digits.isdigit() else None
    return value if isinstance(value, int) and abs(value) <= MAX_INT else None


def _text(value: Any) -> str | None:
    """A string field as given, numbers as text; anything else (lists, objects) counts as missing."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and abs(value) <= MAX_INT:
        return str(value)
    return None


def _coordinate(value: Any) -> bool:
    """A pixel coordinate: a finite number of sane size (NaN, Infinity and 1e400 all parse from JSON)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and abs(value) <= MAX_COORDINATE


def _polygons(segmentation: Any) -> bool:
    """DeepFashion2's segmentation form: a list of polygons, each a flat list of coordinates."""
    return isinstance(segmentation, list) and all(
        isinstance(polygon, list) and all(_coordinate(v) for v in polygon) for polygon in segmentation
    )


def load_deepfashion2_coco(
    json_path: str | os.PathLike,
    image_dir: str | os.PathLike | None = None,
    df2_filter: Df2Filter | None = None,
    progress: Progress | None = None,
) -> tuple[pd.DataFrame, IngestReport]:
    """Records from a COCO file written by DeepFashion2's `deepfashion2_to_coco.py` (images in `image_dir`)."""
    flt = df2_filter or Df2Filter()
    path = Path(json_path).expanduser()
    if not path.is_file():
        raise LookbookError(
            f"{path} {'is not a file' if path.exists() else 'does not exist'} (expected a DeepFashion2 COCO JSON)"
        )
    try:
        data = parse(path.read_bytes())
    except OSError as exc:
        raise LookbookError(f"cannot read {path}: {exc.strerror or exc}") from None
    except JsonError as exc:
        raise LookbookError(f"{path} is unusable: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("images"), list) or not isinstance(data.get("annotations"), list):
        raise LookbookError(f"{path} is not a COCO file (it needs 'images' and 'annotations' lists)")
    path = path.resolve()
    folder = require_dir(image_dir or path.parent.parent / "image", f"the images of {path.name} (pass their folder explicitly)")
    split = _coco_split(path, folder)
    report = IngestReport()
    if split != "all" and not flt.keeps_split(split):  # a file of unknown split is never dropped by a split filter
        report.skipped[FILTERED + "split"] += len(data["annotations"])
        return make_records([]), report
    files = image_files(folder)
    images = {}
    for entry in data["images"]:
        if isinstance(entry, dict) and _key(entry.get("id")) is not None and isinstance(entry.get("file_name"), str):
            images[entry["id"]] = Path(entry["file_name"]).stem
        else:
            report.skip(SKIP_BAD_ITEM, f"{path}: image entry {preview(entry)}")
    listed = data.get("categories")
    names = {
        c["id"]: c.get("name")
        for c in (listed if isinstance(listed, list) else [])
        if isinstance(c, dict) and _key(c.get("id")) is not None
    }
    items_seen: Counter = Counter()
    rows: list[dict[str, Any]] = []
    annotations = data["annotations"]
    tick = throttled(progress, len(annotations))
    for i, ann in enumerate(annotations, 1):
        tick(i)
        if not isinstance(ann, dict):
            report.skip(SKIP_BAD_ITEM, f"{path}: annotation {i}")
            continue
        stem = images.get(_key(ann.get("image_id")))
        if stem is None:
            report.skip(SKIP_UNKNOWN_IMAGE, f"{path}: annotation id {preview(ann.get('id'))}")
            continue
        items_seen[stem] += 1  # deepfashion2_to_coco writes items in itemN order, so the count is N
        n = items_seen[stem]
        where = f"{path}: {stem} item{n}"
        if stem not in files:
            report.skip(SKIP_NO_IMAGE, where)
            continue
        row = _item_row(_raw_item(ann, names, where, report), where, split, stem, n, files[stem], os.fspath(path), report)
        if row is not None:
            row.update({"df2_source": _text(ann.get("source")), "pair_id": _int(ann.get("pair_id"))})
            _keep(row, flt, report, rows)
    return make_records(rows), report


def _raw_item(ann: dict[str, Any], names: dict, where: str, report: IngestReport) -> dict[str, Any]:
    """A COCO annotation in raw item form: bbox [x, y, w, h] -> [x1, y1, x2, y2], keypoints sliced to its category."""
    item = {k: ann[k] for k in (*_ATTRIBUTES, "segmentation", "category_id") if k in ann}
    if _key(ann.get("category_id")) in names:
        item["category_name"] = names[ann["category_id"]]
    bbox = ann.get("bbox")
    if bbox is not None:
        ok = isinstance(bbox, list) and len(bbox) == 4 and all(_coordinate(v) for v in bbox)
        item["bounding_box"] = [bbox[0], bbox[1], bbox[0] + bbox[2], bbox[1] + bbox[3]] if ok else bbox
    keypoints = ann.get("keypoints")
    if keypoints is not None:
        cat = _int(ann.get("category_id"))
        count = LANDMARK_COUNTS.get(cat or 0)
        if count and isinstance(keypoints, list) and len(keypoints) == 3 * COCO_KEYPOINTS:
            start = 3 * LANDMARK_OFFSETS[cat]
            item["landmarks"] = keypoints[start : start + 3 * count]
        elif count and isinstance(keypoints, list) and len(keypoints) == 3 * count:
            item["landmarks"] = keypoints  # already per category
        else:
            report.repair(REPAIR_LANDMARKS, where)
    return item


def _key(value: Any) -> int | str | None:
    """A COCO id usable as a dict key (ids in hand-edited files can be lists or objects, which are unhashable)."""
    return value if isinstance(value, int | str) and not isinstance(value, bool) else None


def _coco_split(path: Path, image_dir: Path) -> str:
    for token in re.split(r"[^a-z]+", path.stem.lower()):
        if split_of(token):
            return split_of(token)
    return split_of(image_dir.parent.name) or "all"
