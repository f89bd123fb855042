"""Framing: a small piece (earrings, a ring, cufflinks) zoomed to fill its tile, as a product shot would be framed."""

from __future__ import annotations

import numpy as np

TOLERANCE = 28  # a pixel is garment, not background, when a channel differs from the background by more than this (0-255)
FILL = 0.75  # share of the framed tile the garment's longer side spans
MIN_ZOOM = 1.5  # a garment that would grow less than this is left as generated: zooming costs sharpness
MAX_ZOOM = 2.0  # at most this enlargement: a 20 px ring is not blown up into a blur
TRIM = 0.005  # share of garment pixels ignored at each edge of the box: a stray speck does not stretch it


def background(image: np.ndarray) -> np.ndarray:
    """The background colour: the median of the border pixels (product shots sit on white or grey)."""
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    return np.median(border, axis=0)


def content_box(image: np.ndarray, tolerance: int = TOLERANCE) -> tuple[int, int, int, int] | None:
    """(top, left, bottom, right), bottom and right exclusive, of what differs from the background; None if nothing
    (or only a few specks) does."""
    image = np.asarray(image)
    mask = np.abs(image.astype(np.int16) - background(image)).max(axis=2) > tolerance
    rows, cols = np.nonzero(mask)
    if len(rows) < 8:
        return None
    top, bottom = np.quantile(rows, [TRIM, 1 - TRIM])
    left, right = np.quantile(cols, [TRIM, 1 - TRIM])
    return int(top), int(left), int(bottom) + 1, int(right) + 1


def frame(image: np.ndarray) -> np.ndarray:
    """The square crop of `image` in which its garment spans FILL of the longer side, zoomed at most MAX_ZOOM; the
    image itself when that zoom is under MIN_ZOOM (garments that already fill their image: clothes, shoes, most bags)
    or nothing stands out from the background."""
    crop = crop_square(image)
    if crop is None:
        return image
    y, x, side = crop
    return image[y : y + side, x : x + side]


def zoom(image: np.ndarray) -> float:
    """How much `frame` enlarges `image`'s garment (1.0: not at all)."""
    crop = crop_square(image)
    return 1.0 if crop is None else min(image.shape[:2]) / crop[2]


def crop_square(image: np.ndarray) -> tuple[int, int, int] | None:
    """(top, left, side) of `frame`'s crop, or None when the image is kept whole."""
    size = min(image.shape[:2])
    box = content_box(image)
    if box is None:
        return None
    top, left, bottom, right = box
    side = max(round(max(bottom - top, right - left) / FILL), round(size / MAX_ZOOM))
    if side * MIN_ZOOM > size:
        return None
    y = min(max(0, (top + bottom - side) // 2), image.shape[0] - side)
    x = min(max(0, (left + right - side) // 2), image.shape[1] - side)
    return y, x, side
