"""Image files: finding them in folders and decoding them safely into square, padded RGB crops (or a skip reason)."""

from __future__ import annotations

import math
import os
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from lookbook.data.report import IngestReport

IMAGE_EXTENSIONS: tuple[str, ...] = (".jpg", ".jpeg", ".png", ".webp", ".bmp")
MAX_IMAGE_PIXELS = 89_478_485  # Pillow's own default: a ~0.25 GB RGB frame; anything larger is treated as a bomb
MAX_SIDE_PX = 20_000  # garment photos are a few thousand px a side; a longer side is a bomb however thin the image
MAX_ASPECT_RATIO = 16.0  # longer side over shorter side; beyond it no square crop holds a recognisable garment
MAX_PAD_PIXELS = 4096 * 4096  # a padded square above this is drawn at the output size instead (bounded memory)
PAD_RGB = (255, 255, 255)  # product photos sit on white, so padding with white adds no edge
BOX_TOLERANCE_PX = 1.0  # annotation tools write x2 == width or width + 1; clipping that much is not a repair
_RESAMPLE = Image.Resampling.LANCZOS

# Skip reasons (stable strings: counted in report.json and asserted by tests).
SKIP_MISSING = "image file not found"
SKIP_EMPTY = "empty image file"
SKIP_UNREADABLE = "unreadable image file"
SKIP_CORRUPT = "corrupt image"
SKIP_TRUNCATED = "truncated image"
SKIP_BOMB = "decompression bomb"
SKIP_ASPECT = "extreme aspect ratio"
SKIP_ZERO_BOX = "box of zero area"
SKIP_OUTSIDE_BOX = "box outside image"
SKIP_DECODER = "image decoder error"
# Repair reasons.
REPAIR_CLIPPED = "box clipped to image"
REPAIR_CMYK = "CMYK converted to RGB"
REPAIR_ALPHA = "transparency composited on white"
REPAIR_PALETTE = "palette converted to RGB"
REPAIR_16BIT = "16-bit scaled to 8-bit"
REPAIR_GRAY = "grayscale converted to RGB"
REPAIR_EXIF = "EXIF orientation applied"

_ORIENTATION_TAG = 0x0112
_SWAPS_AXES = {5, 6, 7, 8}  # EXIF orientations that rotate by 90 degrees


class ImageSkip(Exception):
    """An image that cannot be used; `reason` is the counted skip reason."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Crop:
    """Outcome of decoding one record: a uint8 (S, S, 3) image, or the reason it was skipped; repairs applied."""

    image: np.ndarray | None
    skip: str | None = None
    repairs: tuple[str, ...] = ()
    detail: str = ""  # what made the image unusable (e.g. its size), for the report's examples


def image_files(folder: str | os.PathLike) -> dict[str, str]:
    """Image files directly in `folder`, by stem -> absolute path; one directory listing, no per-file stat."""
    rank = {ext: i for i, ext in enumerate(IMAGE_EXTENSIONS)}
    found: dict[str, tuple[int, str]] = {}
    with os.scandir(folder) as entries:
        for entry in entries:
            stem, ext = os.path.splitext(entry.name)
            r = rank.get(ext.lower())
            if r is not None and not entry.name.startswith(".") and (stem not in found or r < found[stem][0]):
                found[stem] = (r, entry.path)
    return {stem: os.path.abspath(path) for stem, (_, path) in found.items()}


def is_image_name(name: str) -> bool:
    """True for file names with an image extension this project reads."""
    return os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS


def load_crop(path: str | os.PathLike, box: tuple[float, float, float, float] | None, image_size_px: int) -> Crop:
    """Decode `path`, crop a padded square around `box` ([x1, y1, x2, y2) px, None/NaN = whole image), resize.

    Never raises for bad files: the outcome says why an image was skipped and what was repaired.
    """
    repairs: list[str] = []
    try:
        with warnings.catch_warnings():
            # Pillow warns about odd files (bombs below 2x its limit, palette transparency); we count those
            # ourselves, and warnings from worker processes would only clutter the progress line
            warnings.simplefilter("ignore")
            box = _check_box(box)
            with _open(path) as im:
                image = _decode_square(im, box, image_size_px, repairs)
    except ImageSkip as exc:
        return Crop(None, exc.reason, tuple(repairs), exc.detail[:160])
    except Exception:  # an unforeseen decoder failure costs this one image, never the whole run
        return Crop(None, SKIP_DECODER, tuple(repairs))
    return Crop(image, None, tuple(repairs))


def decode_batch(task: tuple[int, list[str], np.ndarray, list[str], int]) -> tuple[int, np.ndarray, list[int], dict[str, Any]]:
    """Decode a batch `(batch id, paths, boxes (n, 4), record ids, size)` -> (batch id, uint8 images with zeros
    where a record failed, failed row offsets, report dict). Runs in worker processes, so it imports little.
    """
    chunk, paths, boxes, record_ids, image_size_px = task
    images = np.zeros((len(paths), image_size_px, image_size_px, 3), np.uint8)
    failed: list[int] = []
    report = IngestReport()
    for i, (path, box, record_id) in enumerate(zip(paths, boxes, record_ids)):
        crop = load_crop(path, tuple(box), image_size_px)
        for reason in crop.repairs:
            report.repair(reason, record_id)
        if crop.image is None:
            failed.append(i)
            report.skip(crop.skip or "unknown", f"{record_id} ({path})" + (f": {crop.detail}" if crop.detail else ""))
        else:
            images[i] = crop.image
    return chunk, images, failed, report.to_dict()


def _check_box(box) -> tuple[float, float, float, float] | None:
    if box is None:
        return None
    values = [_as_float(v) for v in box]
    if all(math.isnan(v) for v in values):
        return None
    if any(math.isnan(v) or math.isinf(v) for v in values):
        raise ImageSkip(SKIP_ZERO_BOX, f"incomplete box {box}")
    x1, y1, x2, y2 = values
    if x2 <= x1 or y2 <= y1:
        raise ImageSkip(SKIP_ZERO_BOX, f"box {box}")
    return x1, y1, x2, y2


def _as_float(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):  # None and pd.NA mean "no coordinate"
        return math.nan


def _open(path: str | os.PathLike) -> Image.Image:
    if not os.fspath(path):
        raise ImageSkip(SKIP_MISSING, "no path")
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ImageSkip(SKIP_MISSING) from None
    except OSError as exc:
        raise ImageSkip(SKIP_UNREADABLE, str(exc)) from None
    if not stat.S_ISREG(info.st_mode):
        raise ImageSkip(SKIP_MISSING, "not a regular file")
    if info.st_size == 0:
        raise ImageSkip(SKIP_EMPTY)
    try:
        im = Image.open(path)  # Pillow itself refuses above 2x its limit; we apply our own limit below
    except Image.DecompressionBombError as exc:
        raise ImageSkip(SKIP_BOMB, str(exc)) from None
    except UnidentifiedImageError:
        raise ImageSkip(SKIP_CORRUPT, "not a recognised image format") from None
    except PermissionError as exc:
        raise ImageSkip(SKIP_UNREADABLE, str(exc)) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageSkip(SKIP_CORRUPT, str(exc)) from None
    # the header's size is all we trust before decoding: nothing is allocated for an image refused here
    width, height = im.size
    reason = None
    if width < 1 or height < 1:
        reason = SKIP_CORRUPT
    elif width * height > MAX_IMAGE_PIXELS:
        reason = SKIP_BOMB
    elif max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        reason = SKIP_ASPECT
    elif max(width, height) > MAX_SIDE_PX:
        reason = SKIP_BOMB
    if reason is not None:
        im.close()
        raise ImageSkip(reason, f"{width}x{height} px")
    return im


def _decode_square(im: Image.Image, box, image_size_px: int, repairs: list[str]) -> np.ndarray:
    orientation = _orientation(im)
    swap = orientation in _SWAPS_AXES
    raw_w, raw_h = im.size
    full_w, full_h = (raw_h, raw_w) if swap else (raw_w, raw_h)  # size in the displayed (oriented) frame
    if box is not None:
        box = _clip_box(box, full_w, full_h, repairs)
    x1, y1, x2, y2 = box if box is not None else (0.0, 0.0, float(full_w), float(full_h))
    side = max(x2 - x1, y2 - y1)
    scale = _draft(im, raw_w, raw_h, side, image_size_px)
    try:
        im.load()
    except OSError as exc:
        reason = SKIP_TRUNCATED if "truncated" in str(exc) or "broken" in str(exc) else SKIP_CORRUPT
        raise ImageSkip(reason, str(exc)) from None
    except (SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise ImageSkip(SKIP_CORRUPT, str(exc)) from None
    if orientation in range(2, 9):
        im = ImageOps.exif_transpose(im)
        repairs.append(REPAIR_EXIF)
    im = to_rgb(im, repairs)
    cx, cy = (x1 + x2) / 2 * scale, (y1 + y2) / 2 * scale
    side_px = max(1, round(side * scale))
    left, top = round(cx - side_px / 2), round(cy - side_px / 2)
    width, height = im.size
    inner = (max(0, left), max(0, top), min(width, left + side_px), min(height, top + side_px))
    if inner == (left, top, left + side_px, top + side_px):
        square = im.crop(inner)
    elif side_px * side_px > MAX_PAD_PIXELS:
        square = _small_padded_square(im, inner, (left, top), side_px, image_size_px)
    else:
        square = Image.new("RGB", (side_px, side_px), PAD_RGB)
        if inner[2] > inner[0] and inner[3] > inner[1]:
            square.paste(im.crop(inner), (inner[0] - left, inner[1] - top))
    if square.size != (image_size_px, image_size_px):
        square = square.resize((image_size_px, image_size_px), _RESAMPLE)
    return np.asarray(square, dtype=np.uint8)


def _small_padded_square(im: Image.Image, inner, origin: tuple[int, int], side_px: int, image_size_px: int) -> Image.Image:
    """The padded square drawn at the output size: the crop is resized before padding, so a huge square is never allocated.

    Only used above MAX_PAD_PIXELS: below it, padding first keeps the Lanczos edge exactly as caches made before.
    """
    ratio = image_size_px / side_px
    square = Image.new("RGB", (image_size_px, image_size_px), PAD_RGB)
    if inner[2] > inner[0] and inner[3] > inner[1]:
        x1, y1, x2, y2 = (round((v - o) * ratio) for v, o in zip(inner, (*origin, *origin)))
        square.paste(im.crop(inner).resize((max(1, x2 - x1), max(1, y2 - y1)), _RESAMPLE), (x1, y1))
    return square


def _orientation(im: Image.Image) -> int:
    try:
        return int(im.getexif().get(_ORIENTATION_TAG, 1) or 1)
    except Exception:  # a broken EXIF block must not cost the image; treat it as upright
        return 1


def _clip_box(box, width: int, height: int, repairs: list[str]) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = box
    cx1, cy1, cx2, cy2 = max(0.0, x1), max(0.0, y1), min(float(width), x2), min(float(height), y2)
    if cx2 - cx1 < 1 or cy2 - cy1 < 1:
        raise ImageSkip(SKIP_OUTSIDE_BOX, f"box {box} on a {width}x{height} image")
    overshoot = max(cx1 - x1, cy1 - y1, x2 - cx2, y2 - cy2)
    if overshoot > BOX_TOLERANCE_PX:
        repairs.append(REPAIR_CLIPPED)
    return cx1, cy1, cx2, cy2


def _draft(im: Image.Image, raw_w: int, raw_h: int, side: float, image_size_px: int) -> float:
    """Ask JPEG for a DCT-scaled decode no smaller than needed; returns the resulting scale (1, 1/2, 1/4, 1/8)."""
    if im.format != "JPEG" or side <= image_size_px:
        return 1.0
    ratio = image_size_px / side  # the crop side must keep at least image_size_px pixels
    request = (max(1, math.ceil(raw_w * ratio)), max(1, math.ceil(raw_h * ratio)))
    try:
        result = im.draft("RGB", request)
    except Exception:  # drafting is an optimisation; a full decode is always correct
        return 1.0
    if not result:
        return 1.0
    return result[1][2] / raw_w


def to_rgb(im: Image.Image, repairs: list[str]) -> Image.Image:
    """Convert any Pillow mode to 8-bit RGB, noting the repair (alpha goes on white, 16-bit is scaled, not clipped)."""
    mode = im.mode
    if mode == "RGB":
        return im
    if mode == "CMYK":
        repairs.append(REPAIR_CMYK)
        return im.convert("RGB")
    if mode == "P":
        if "transparency" in im.info:
            repairs.append(REPAIR_ALPHA)
            return _on_white(im.convert("RGBA"))
        repairs.append(REPAIR_PALETTE)
        return im.convert("RGB")
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        repairs.append(REPAIR_ALPHA)
        return _on_white(im.convert("RGBA"))
    if mode.startswith("I") or mode == "F":
        repairs.append(REPAIR_16BIT)
        return Image.fromarray(_to_8bit(np.asarray(im)), "L").convert("RGB")
    if mode in ("L", "1"):
        if "transparency" in im.info:
            repairs.append(REPAIR_ALPHA)
            return _on_white(im.convert("RGBA"))
        repairs.append(REPAIR_GRAY)
        return im.convert("RGB")
    repairs.append(f"{mode} converted to RGB")
    return im.convert("RGB")


def _on_white(rgba: Image.Image) -> Image.Image:
    background = Image.new("RGBA", rgba.size, (*PAD_RGB, 255))
    return Image.alpha_composite(background, rgba).convert("RGB")


def _to_8bit(values: np.ndarray) -> np.ndarray:
    """16-bit (or 32-bit int / float) samples -> uint8 by range, never by clipping at 255."""
    is_float = values.dtype.kind == "f"
    values = values.astype(np.float64)
    peak = float(values.max()) if values.size else 0.0
    if is_float and peak <= 1.0:
        return np.round(np.clip(values, 0, 1) * 255).astype(np.uint8)
    if is_float and peak <= 255.0:
        return np.round(np.clip(values, 0, 255)).astype(np.uint8)
    # integer modes are 16-bit data (PNG/TIFF); 65535 -> 255, so Pillow's clip-at-255 whitening is avoided
    return np.round(np.clip(values, 0, 65535) / 257.0).astype(np.uint8)
