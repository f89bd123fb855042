"""The upscaler's photo stream on the real FPID sample data (skipped when ../shared/fixtures is absent)."""

from __future__ import annotations

import numpy as np

from lookbook.data import superres
from lookbook.models.upscaler_config import UpscalerConfig


def test_real_photos_split_by_id_into_train_and_held_out(fixtures_dir):
    photos = superres.list_photos([fixtures_dir / "fpid", fixtures_dir / "fpid-medium", fixtures_dir / "fpid-fullsize"])
    train, held = superres.split_photos(photos)
    assert len(photos) >= 6923 + 2764 + 8
    assert 0.08 < len(held) / len(photos) < 0.12 and not {p.stem for p in train} & {p.stem for p in held}
    assert all(int(p.stem) % 10 == 0 for p in held)


def test_real_patches_carry_garment_detail(fixtures_dir):
    paths = superres.list_photos([fixtures_dir / "fpid-medium"])[:12]
    squares, kept = superres.load_squares(paths, 256)
    assert squares.shape == (12, 256, 256, 3) and len(kept) == 12
    config = UpscalerConfig()
    rng = np.random.default_rng(0)
    pairs = [superres.patch_pair(squares, rng, config.patch_px, config.degradation()) for _ in range(16)]
    # flat background patches are redrawn, so most patches show some of the garment
    assert np.mean([hr.std() >= config.min_patch_std for _, hr in pairs]) >= 0.9
    assert all(lr.shape == (24, 24, 3) for lr, _ in pairs)
