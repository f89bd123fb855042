"""The upscaler network, its handle and the Lanczos baseline: shapes, ranges, saving in safe mode."""

from __future__ import annotations

import numpy as np
import pytest

from lookbook.errors import LookbookError
from lookbook.models import upscaler as up
from lookbook.models.artifacts import save_model


def garments(n: int = 3, size: int = 16) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, (n, size, size, 3), dtype=np.uint8)


def test_untrained_network_is_bicubic_and_fully_convolutional():
    import tensorflow as tf

    net = up.build_upscaler(features=8, residual_blocks=1)
    x = up.to_unit(np.random.default_rng(1).integers(0, 256, (2, 12, 20, 3), dtype=np.uint8))
    out = np.asarray(net(x))
    assert out.shape == (2, 48, 80, 3)
    bicubic = tf.image.resize(x, (48, 80), method="bicubic").numpy()
    np.testing.assert_allclose(out, bicubic, atol=1e-5)  # the residual starts at zero


def test_baseline_upscales_with_lanczos_and_names_itself():
    handle = up.load_upscaler("lanczos")
    assert not handle.learned and handle.method == "Lanczos + unsharp"
    out = handle.upscale(garments())
    assert out.shape == (3, 64, 64, 3) and out.dtype == np.uint8
    assert handle.to_size(garments(), 100).shape == (3, 100, 100, 3)
    assert handle.enlarge(np.zeros((10, 20, 3), np.uint8), 2.5).shape == (25, 50, 3)
    assert handle.upscale(np.zeros((0, 16, 16, 3), np.uint8)).shape == (0, 64, 64, 3)


def test_learned_handle_shapes_and_range():
    handle = up.Upscaler(model=up.build_upscaler(features=8, residual_blocks=1))
    assert handle.learned and handle.method.startswith("learned 4x")
    images = garments(n=up.BATCH_SIZE + 2)  # more than one network call
    out = handle.upscale(images)
    assert out.shape == (len(images), 64, 64, 3) and out.dtype == np.uint8
    assert handle.to_size(images[:2], 50).shape == (2, 50, 50, 3)
    assert handle.enlarge(images[0, :, :12], 4).shape == (64, 48, 3)


def test_rejects_images_that_are_not_uint8_rgb():
    with pytest.raises(LookbookError, match="uint8 images"):
        up.Upscaler().upscale(np.zeros((1, 8, 8, 3), np.float32))


def test_saved_model_loads_in_safe_mode_and_is_small(tmp_path):
    net = up.build_upscaler()  # the shipped size
    path = save_model(net, tmp_path / up.UPSCALER_FILE, {"kind": "upscaler", "scale": 4})
    assert path.stat().st_size < 10 * 2**20
    handle = up.load_upscaler(tmp_path)  # a run folder works too
    assert handle.learned and handle.path == path and handle.method == "learned 4x (upscaler.keras)"
    np.testing.assert_array_equal(handle.upscale(garments(1)), up.Upscaler(model=net).upscale(garments(1)))


def test_refuses_another_kind_of_model(tmp_path):
    save_model(up.build_upscaler(features=4, residual_blocks=0), tmp_path / "x.keras", {"kind": "generator"})
    with pytest.raises(LookbookError, match="not a 4x upscaler"):
        up.load_upscaler(tmp_path / "x.keras")
