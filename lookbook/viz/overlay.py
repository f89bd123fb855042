"""Draw a record's annotations (box, landmarks visible/occluded, segmentation) on its original image with PIL."""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from PIL import Image, ImageDraw, ImageOps, UnidentifiedImageError

from lookbook.data.images import MAX_IMAGE_PIXELS, to_rgb
from lookbook.errors import LookbookError

BOX_RGB = (209, 73, 91)  # rose
VISIBLE_RGB = (0, 196, 140)  # green dot: landmark visible
OCCLUDED_RGB = (255, 159, 28)  # orange ring with a cross: landmark occluded
SEGMENT_RGBA = (47, 109, 181, 72)  # translucent blue fill
SEGMENT_LINE_RGB = (47, 109, 181)
LEGEND: dict[str, str] = {
    "box": "#d1495b",
    "visible landmark": "#00c48c",
    "occluded landmark": "#ff9f1c",
    "segmentation": "#2f6db5",
}


def open_original(path: str | os.PathLike) -> Image.Image:
    """The original image as RGB in its displayed orientation (annotations use that frame). LookbookError if unusable."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(path)
            if im.size[0] * im.size[1] > MAX_IMAGE_PIXELS:
                raise LookbookError(f"{path} is too large to show ({im.size[0]}x{im.size[1]} px)")
            im.load()
    except FileNotFoundError:
        raise LookbookError(f"original image not found: {path}") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise LookbookError(f"cannot read {path}: {str(exc).splitlines()[0][:160]}") from None
    return to_rgb(ImageOps.exif_transpose(im), [])


def parse_landmarks(value: Any) -> np.ndarray:
    """Landmarks as float (k, 3) rows [x, y, v] from the record's JSON (v 2 visible, 1 occluded, 0 unlabelled)."""
    flat = _json(value)
    if not flat:
        return np.zeros((0, 3))
    arr = np.asarray(flat, dtype=float).ravel()
    return arr[: len(arr) - len(arr) % 3].reshape(-1, 3)


def parse_segmentation(value: Any) -> list[np.ndarray]:
    """Segmentation polygons as float (m, 2) arrays from the record's JSON [[x, y, ...], ...]."""
    polys = _json(value)
    if not polys:
        return []
    if all(isinstance(v, (int, float)) for v in polys):  # a single flat polygon
        polys = [polys]
    out = []
    for poly in polys:
        arr = np.asarray(poly, dtype=float).ravel()
        if len(arr) >= 6:
            out.append(arr[: len(arr) - len(arr) % 2].reshape(-1, 2))
    return out


def _json(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        try:
            return json.loads(value) if value.strip() else None
        except json.JSONDecodeError:  # a damaged annotation hides the overlay, never the image
            return None
    return value


def record_box(record: Mapping[str, Any]) -> tuple[float, float, float, float] | None:
    """The record's box [x1, y1, x2, y2) in px, or None when it covers the whole image."""
    try:
        box = tuple(float(record[k]) for k in ("box_x1", "box_y1", "box_x2", "box_y2"))
    except (KeyError, TypeError, ValueError):
        return None
    return None if any(math.isnan(v) for v in box) else box


def draw_overlay(
    image: Image.Image,
    box: tuple[float, float, float, float] | None = None,
    landmarks: np.ndarray | None = None,
    segmentation: list[np.ndarray] | None = None,
    max_side_px: int | None = 900,
) -> Image.Image:
    """A copy of `image` (downscaled to `max_side_px`) with the segmentation, box and landmarks drawn on it.

    Coordinates are in `image`'s pixels. Visible landmarks are filled green dots, occluded ones orange
    rings with a cross, so the two read apart without colour too; unlabelled (v = 0) are not drawn.
    """
    image = image.convert("RGB")
    scale = 1.0
    if max_side_px and max(image.size) > max_side_px:
        scale = max_side_px / max(image.size)
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.Resampling.LANCZOS)
    width_px = max(2, round(max(image.size) / 220))
    radius = max(3, round(max(image.size) / 110))
    if segmentation:
        layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
        pen = ImageDraw.Draw(layer)
        for poly in segmentation:
            points = [tuple(p) for p in (poly * scale).tolist()]
            pen.polygon(points, fill=SEGMENT_RGBA)
            pen.line([*points, points[0]], fill=(*SEGMENT_LINE_RGB, 220), width=max(1, width_px // 2))
        image = Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")
    draw = ImageDraw.Draw(image)
    if box is not None:
        x1, y1, x2, y2 = (v * scale for v in box)
        draw.rectangle([x1, y1, x2, y2], outline=BOX_RGB, width=width_px)
    if landmarks is not None and len(landmarks):
        for x, y, v in landmarks:
            x, y = x * scale, y * scale
            if v >= 2:
                draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=VISIBLE_RGB, outline=(255, 255, 255), width=1)
            elif v >= 1:
                draw.ellipse([x - radius, y - radius, x + radius, y + radius], outline=OCCLUDED_RGB, width=max(2, width_px))
                r = radius * 0.6
                draw.line([x - r, y - r, x + r, y + r], fill=OCCLUDED_RGB, width=max(1, width_px // 2))
                draw.line([x - r, y + r, x + r, y - r], fill=OCCLUDED_RGB, width=max(1, width_px // 2))
    return image


def overlay_record(record: Mapping[str, Any], image: Image.Image | None = None, max_side_px: int | None = 900) -> Image.Image:
    """The record's original image (read from `image_path` unless given) with its annotations drawn."""
    if image is None:
        image = open_original(str(record["image_path"]))
    return draw_overlay(
        image,
        box=record_box(record),
        landmarks=parse_landmarks(record.get("landmarks")),
        segmentation=parse_segmentation(record.get("segmentation")),
        max_side_px=max_side_px,
    )


def landmark_counts(record: Mapping[str, Any]) -> dict[str, int]:
    """Visible and occluded landmark counts of a record."""
    marks = parse_landmarks(record.get("landmarks"))
    v = marks[:, 2] if len(marks) else np.zeros(0)
    return {"visible": int((v >= 2).sum()), "occluded": int(((v >= 1) & (v < 2)).sum())}
