"""Tiny photo folders and upscaler settings that train in seconds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

# a network and patch stream small enough for a smoke test: 2 epochs of 2 steps
TINY = [
    "features=8",
    "residual_blocks=1",
    "hr_size_px=64",
    "patch_px=32",
    "batch_size=2",
    "epochs=2",
    "steps_per_epoch=2",
    "eval_images=2",
    "preview_images=2",
    "log_every_steps=1",
]


def write_photos(folder: Path, n: int = 24, seed: int = 0) -> Path:
    """`folder/images/<id>.jpg` (an FPID root): coloured blocks on white, ids 1..n (so ids 10, 20 are held out)."""
    rng = np.random.default_rng(seed)
    images = folder / "images"
    images.mkdir(parents=True)
    for i in range(1, n + 1):
        img = np.full((80, 60, 3), 255, np.uint8)
        y, x = rng.integers(5, 40), rng.integers(5, 30)
        img[y : y + 30, x : x + 25] = rng.integers(0, 200, 3)
        img[y + 10 : y + 12, :] = rng.integers(0, 255, 3)  # a thin stripe: detail a 4x shrink loses
        Image.fromarray(img).save(images / f"{i}.jpg", quality=95)
    return folder


@pytest.fixture()
def photos(tmp_path) -> Path:
    return write_photos(tmp_path / "photos")
