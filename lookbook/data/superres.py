"""Real product photos for super-resolution: listing, the fixed held-out rule, white squares, and degraded patch pairs."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from lookbook.data.images import is_image_name, load_crop
from lookbook.errors import LookbookError

SCALE = 4
HOLDOUT_MODULUS = 10  # a photo whose id is 0 modulo this is held out: never trained on, used by every evaluation
_DOWNSCALERS = (Image.Resampling.LANCZOS, Image.Resampling.BICUBIC, Image.Resampling.BOX)
PATCH_TRIES = 4  # draws per patch before a flat one is accepted


def list_photos(roots: Iterable[str | Path]) -> list[Path]:
    """Image files under each root, sorted: an FPID root's `images/`, else the folder and its subfolders."""
    found: set[Path] = set()
    for root in roots:
        root = Path(root).expanduser()
        if not root.is_dir():
            raise LookbookError(f"{root} is not a folder of photos (give an FPID root or a folder of images)")
        folder = root / "images" if (root / "images").is_dir() else root
        found.update(p.resolve() for p in folder.rglob("*") if p.is_file() and is_image_name(p.name))
    return sorted(found)


def is_held_out(path: str | Path) -> bool:
    """The fixed evaluation rule on a photo's id (its file stem): numeric ids by value, others by CRC32."""
    stem = Path(path).stem
    key = int(stem) if stem.isdigit() else zlib.crc32(stem.encode("utf-8"))
    return key % HOLDOUT_MODULUS == 0


def split_photos(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(training photos, held-out photos) by `is_held_out`."""
    held = [p for p in paths if is_held_out(p)]
    return [p for p in paths if not is_held_out(p)], held


def load_squares(
    paths: list[Path], size_px: int, progress: Callable[[int, int], None] | None = None
) -> tuple[np.ndarray, list[Path]]:
    """(uint8 (n, size_px, size_px, 3) padded white squares, the paths that decoded); unreadable photos are left out."""
    images, kept = [], []
    for i, path in enumerate(paths):
        crop = load_crop(path, None, size_px)
        if crop.image is not None:
            images.append(crop.image)
            kept.append(path)
        if progress and (i % 200 == 0 or i + 1 == len(paths)):
            progress(i + 1, len(paths))
    stacked = np.stack(images) if images else np.zeros((0, size_px, size_px, 3), np.uint8)
    return stacked, kept


def downscale(images: np.ndarray, factor: int = SCALE) -> np.ndarray:
    """uint8 (n, h, w, 3) shrunk `factor` times with Lanczos: how a prepared dataset's garments are made."""
    h, w = images.shape[1] // factor, images.shape[2] // factor
    return np.stack([np.asarray(Image.fromarray(im).resize((w, h), Image.Resampling.LANCZOS)) for im in images])


@dataclass(frozen=True)
class Degradation:
    """How a training patch is made to look like a 64 px garment (the fields of the same names in UpscalerConfig)."""

    min_patch_std: float = 0.0  # patches flatter than this (0-255 std) are redrawn, up to PATCH_TRIES draws
    lanczos_share: float = 1.0  # share shrunk with Lanczos; the rest half bicubic, half box
    blur_prob: float = 0.0  # share blurred before shrinking
    blur_max_sigma_px: float = 0.0  # largest Gaussian blur, high-resolution pixels
    noise_prob: float = 0.0  # share given Gaussian noise after shrinking
    noise_max_std: float = 0.0  # largest noise std, 0-255 units


def patch_pair(
    hr_images: np.ndarray, rng: np.random.Generator, patch_px: int, degradation: Degradation = Degradation()
) -> tuple[np.ndarray, np.ndarray]:
    """One (low-resolution uint8 (p/4, p/4, 3), high-resolution uint8 (p, p, 3)) training pair drawn with `rng`.

    A random, mirrored-or-not crop of a random photo; it is optionally blurred, shrunk with Lanczos (or bicubic /
    box filtering, so the network does not learn one kernel's signature), and optionally given Gaussian noise.
    Every draw comes from `rng`, so a seeded generator makes the pair reproducible.
    """
    n, size = len(hr_images), hr_images.shape[1]
    for _ in range(PATCH_TRIES):
        i = int(rng.integers(n))
        y, x = (int(v) for v in rng.integers(0, size - patch_px + 1, 2))
        hr = hr_images[i, y : y + patch_px, x : x + patch_px]
        if hr.std() >= degradation.min_patch_std:
            break
    if rng.random() < 0.5:
        hr = hr[:, ::-1]
    hr = np.ascontiguousarray(hr)
    image = Image.fromarray(hr)
    d = degradation
    if rng.random() < d.blur_prob:
        image = image.filter(ImageFilter.GaussianBlur(radius=float(rng.uniform(0.0, d.blur_max_sigma_px))))
    shares = (d.lanczos_share, (1 - d.lanczos_share) / 2, (1 - d.lanczos_share) / 2)
    method = _DOWNSCALERS[int(rng.choice(3, p=shares))]
    lr = np.asarray(image.resize((patch_px // SCALE, patch_px // SCALE), method), np.float32)
    if rng.random() < d.noise_prob:
        lr = lr + rng.normal(0.0, float(rng.uniform(0.0, d.noise_max_std)), lr.shape)
    return np.clip(np.rint(lr), 0, 255).astype(np.uint8), hr
