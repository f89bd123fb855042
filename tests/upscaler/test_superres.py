"""Photo listing, the held-out rule, degraded patch pairs and the fidelity metrics."""

from __future__ import annotations

import numpy as np
import pytest

from lookbook.config import Config
from lookbook.data import superres
from lookbook.errors import LookbookError
from lookbook.metrics import fidelity
from lookbook.models.upscaler_config import UpscalerConfig
from lookbook.train.upscaler_trainer import batch


def test_held_out_rule_is_fixed_by_id():
    assert superres.is_held_out("a/b/10.jpg") and superres.is_held_out("2530.png")
    assert not superres.is_held_out("11.jpg")
    # non-numeric ids are held out by a hash of the name, the same on every machine
    assert superres.is_held_out("dress_a.jpg") == superres.is_held_out("other/dress_a.png")


def test_lists_fpid_roots_and_plain_folders(photos, tmp_path):
    found = superres.list_photos([photos])
    assert len(found) == 24 and all(p.suffix == ".jpg" for p in found)
    train, held = superres.split_photos(found)
    assert sorted(int(p.stem) for p in held) == [10, 20] and len(train) == 22
    assert superres.list_photos([photos / "images", photos]) == found  # no duplicates
    with pytest.raises(LookbookError, match="not a folder"):
        superres.list_photos([tmp_path / "missing"])


def test_squares_are_white_padded(photos):
    squares, kept = superres.load_squares(superres.list_photos([photos])[:3], 64)
    assert squares.shape == (3, 64, 64, 3) and len(kept) == 3
    assert (squares[:, :, :4] >= 250).all()  # 60x80 photos are padded left and right


def test_patch_pairs_are_reproducible_and_shrunk_4x():
    hr = np.random.default_rng(0).integers(0, 256, (5, 64, 64, 3), dtype=np.uint8)
    degradation = UpscalerConfig(blur_prob=0.5, noise_prob=0.5, lanczos_share=0.5).degradation()
    assert degradation.blur_max_sigma_px == 1.2 and degradation.min_patch_std == 4.0
    lr, patch = superres.patch_pair(hr, np.random.default_rng(3), 32, degradation)
    assert lr.shape == (8, 8, 3) and patch.shape == (32, 32, 3) and lr.dtype == patch.dtype == np.uint8
    again = superres.patch_pair(hr, np.random.default_rng(3), 32, degradation)
    np.testing.assert_array_equal(lr, again[0])
    np.testing.assert_array_equal(patch, again[1])


def test_batch_of_a_step_depends_on_seed_and_step_only():
    hr = np.random.default_rng(0).integers(0, 256, (4, 64, 64, 3), dtype=np.uint8)
    config = UpscalerConfig(hr_size_px=64, patch_px=32, batch_size=3)
    a, b = batch(hr, config, 7), batch(hr, config, 7)
    assert a[0].shape == (3, 8, 8, 3) and a[1].shape == (3, 32, 32, 3)
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], batch(hr, config, 8)[1])


def test_downscale_is_lanczos_4x():
    assert superres.downscale(np.zeros((2, 64, 48, 3), np.uint8)).shape == (2, 16, 12, 3)


def test_psnr_and_ssim():
    a = np.full((2, 32, 32, 3), 100, np.uint8)
    b = a.copy()
    b[1] += 10  # mse 100 -> 10 log10(255^2 / 100)
    values = fidelity.psnr(b, a)
    assert values[0] == np.inf and values[1] == pytest.approx(28.1308, abs=1e-3)
    assert fidelity.ssim(a, a) == pytest.approx([1.0, 1.0])
    assert fidelity.summarise(b, a)["psnr_db"] == pytest.approx(28.1308, abs=1e-3)


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("patch_px", "30", "multiple of 4"),
        ("patch_px", "512", "larger than hr_size_px"),
        ("blur_prob", "1.5", "blur_prob must be 0..1"),
        ("learning_rate", "0", "learning_rate"),
        ("max_steps", "-1", "max_steps"),
    ],
)
def test_config_errors_are_one_line(key, value, message):
    with pytest.raises(LookbookError, match=message) as err:
        UpscalerConfig().with_overrides([f"{key}={value}"])
    assert "\n" not in str(err.value)


def test_config_round_trips():
    config = UpscalerConfig().with_overrides(["features=16", "max_minutes=30"])
    assert isinstance(config, Config) and UpscalerConfig.from_dict(config.to_dict()) == config
    assert "sample_grid_size" not in config.to_dict() and config.final_step == config.total_steps == 4000
