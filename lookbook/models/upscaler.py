"""4x super-resolution for garments shown large: the learned network, the Lanczos + unsharp baseline, one handle for both.

The network maps float32 images in [-1, 1] of any size (n, h, w, 3) to (n, 4h, 4w, 3): a bicubic enlargement plus a
residual the convolutions learn at the low resolution and paint in with two stride-2 transposed convolutions. Only
stock Keras layers are used, so the `.keras` file loads in safe mode; the sidecar names it `"kind": "upscaler"`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from lookbook.errors import LookbookError
from lookbook.run.layout import UPSCALER_FILE

SCALE = 4  # the network's enlargement; other scales resample its output
LANCZOS = "lanczos"
SHARPEN_PERCENT = 60  # the baseline's unsharp mask strength (what pages used before the learned model)
BATCH_SIZE = 8  # images per network call: bounds memory at 256 px outputs without slowing small pages


def build_upscaler(features: int = 32, residual_blocks: int = 3, name: str = "upscaler") -> Any:
    """The 4x network: `residual_blocks` conv-relu-conv blocks of `features` channels at the input resolution."""
    import keras
    from keras import layers

    inputs = keras.Input((None, None, 3), name="image", dtype="float32")
    base = layers.UpSampling2D(SCALE, interpolation="bicubic", name="bicubic")(inputs)
    head = layers.Conv2D(features, 3, padding="same", name="head")(inputs)
    x = head
    for i in range(residual_blocks):
        r = layers.Conv2D(features, 3, padding="same", activation="relu", name=f"block{i}_conv1")(x)
        r = layers.Conv2D(features, 3, padding="same", name=f"block{i}_conv2")(r)
        x = layers.Add(name=f"block{i}_add")([x, r])
    x = layers.Conv2D(features, 3, padding="same", name="body_out")(x)
    x = layers.Add(name="body_skip")([x, head])
    half = max(8, features // 2)
    # kernel 4 with stride 2 covers every output pixel evenly, which keeps transposed convolutions free of checkerboards
    x = layers.Conv2DTranspose(half, 4, strides=2, padding="same", activation="relu", name="up2")(x)
    x = layers.Conv2D(half, 3, padding="same", activation="relu", name="refine2")(x)
    # zero-initialised: an untrained network is exactly bicubic, so training starts from a sane picture
    residual = layers.Conv2DTranspose(3, 4, strides=2, padding="same", kernel_initializer="zeros", name="up4")(x)
    outputs = layers.Add(name="upscaled")([base, residual])
    return keras.Model(inputs, outputs, name=name)


def to_unit(images_uint8: np.ndarray) -> np.ndarray:
    """uint8 [0, 255] -> float32 [-1, 1], the network's input range."""
    return np.asarray(images_uint8, np.float32) / 127.5 - 1.0


def to_uint8(images: np.ndarray) -> np.ndarray:
    """float [-1, 1] -> uint8, rounded and clipped (the network's residual may overshoot)."""
    return np.clip(np.rint((np.asarray(images, np.float32) + 1.0) * 127.5), 0, 255).astype(np.uint8)


def lanczos_unsharp(
    image: np.ndarray, width_px: int, height_px: int | None = None, sharpen_percent: int = SHARPEN_PERCENT
) -> np.ndarray:
    """One uint8 (h, w, 3) image resampled to (height_px or width_px, width_px) with Lanczos, then a light unsharp mask."""
    image = np.asarray(image, np.uint8)
    height_px = height_px or width_px
    fy, fx = height_px / image.shape[0], width_px / image.shape[1]
    pad = 2  # resample an edge-padded copy and crop it back, so the filters leave no ringing along the border
    big = Image.fromarray(np.pad(image, ((pad, pad), (pad, pad), (0, 0)), mode="edge"))
    big = big.resize((round(big.width * fx), round(big.height * fy)), Image.Resampling.LANCZOS)
    if sharpen_percent:
        radius = max(1.0, max(width_px, height_px) / 320)
        big = big.filter(ImageFilter.UnsharpMask(radius=radius, percent=sharpen_percent, threshold=2))
    x0, y0 = round(pad * fx), round(pad * fy)
    return np.asarray(big.crop((x0, y0, x0 + width_px, y0 + height_px)))


def resample(image: np.ndarray, width_px: int, height_px: int) -> np.ndarray:
    """A uint8 image resampled to (height_px, width_px) with Lanczos (no-op at the same size)."""
    if image.shape[:2] == (height_px, width_px):
        return image
    return np.asarray(Image.fromarray(image).resize((width_px, height_px), Image.Resampling.LANCZOS))


@dataclass
class Upscaler:
    """Enlarges garments: with the learned network when `model` is set, else Lanczos + unsharp (`method` says which)."""

    model: Any = None
    path: Path | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    _call: Any = field(default=None, repr=False, compare=False)

    @property
    def learned(self) -> bool:
        return self.model is not None

    @property
    def method(self) -> str:
        """How garments were enlarged, for the page and the export footer."""
        return f"learned 4x ({self.path.name if self.path else 'upscaler'})" if self.learned else "Lanczos + unsharp"

    def upscale(self, images_uint8: np.ndarray) -> np.ndarray:
        """uint8 (n, h, w, 3) -> uint8 (n, 4h, 4w, 3)."""
        images = _check(images_uint8)
        if not self.learned:
            return np.stack([lanczos_unsharp(im, im.shape[0] * SCALE) for im in images]) if len(images) else _empty(images)
        out = [self._predict(images[i : i + BATCH_SIZE]) for i in range(0, len(images), BATCH_SIZE)]
        return np.concatenate(out) if out else _empty(images)

    def to_size(self, images_uint8: np.ndarray, size_px: int) -> np.ndarray:
        """Square uint8 images (n, s, s, 3) enlarged to (n, size_px, size_px, 3); the network's 4x is resampled to fit."""
        images = _check(images_uint8)
        if not self.learned:
            return np.stack([lanczos_unsharp(im, size_px) for im in images]) if len(images) else _empty(images, size_px)
        return (
            np.stack([resample(im, size_px, size_px) for im in self.upscale(images)]) if len(images) else _empty(images, size_px)
        )

    def enlarge(self, image: np.ndarray, factor: float) -> np.ndarray:
        """One uint8 (h, w, 3) image of any shape enlarged `factor` times (the network's 4x resampled to fit)."""
        h, w = (round(v * factor) for v in _check(np.asarray(image)[None])[0].shape[:2])
        if not self.learned:
            return lanczos_unsharp(image, w, h)
        return resample(self.upscale(np.asarray(image)[None])[0], w, h)

    def _predict(self, batch: np.ndarray) -> np.ndarray:
        if self._call is None:
            import tensorflow as tf

            # a traced graph runs the small convolutions about twice as fast as eager calls on a CPU; it is traced
            # once per input shape (reduce_retracing would hide the width from the bicubic layer, which needs it)
            self._call = tf.function(self.model)
        return to_uint8(np.asarray(self._call(to_unit(batch), training=False)))


def _check(images: np.ndarray) -> np.ndarray:
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[-1] != 3:
        raise LookbookError(f"upscaling expects uint8 images (n, h, w, 3), got {images.dtype} {images.shape}")
    return images


def _empty(images: np.ndarray, size_px: int | None = None) -> np.ndarray:
    h, w = (size_px, size_px) if size_px else (images.shape[1] * SCALE, images.shape[2] * SCALE)
    return np.zeros((0, h, w, 3), np.uint8)


def load_upscaler(path: str | Path | None) -> Upscaler:
    """The learned upscaler at `path` (a run folder or `.keras` file), or the baseline for None / "lanczos"."""
    if path is None or str(path).lower() == LANCZOS:
        return Upscaler()
    from lookbook.models.artifacts import load_model, resolve_model_path

    resolved = resolve_model_path(path, UPSCALER_FILE)
    model, meta = load_model(resolved)
    if meta.get("kind", "upscaler") != "upscaler" or meta.get("scale", SCALE) != SCALE:
        raise LookbookError(f"{resolved} is a {meta.get('kind')!r} model, not a {SCALE}x upscaler")
    return Upscaler(model=model, path=resolved, meta=meta)


def default_upscaler_path() -> Path | None:
    """`checkpoints/upscaler.keras` when it ships, else None (the baseline)."""
    from lookbook.paths import checkpoints_dir

    path = checkpoints_dir() / UPSCALER_FILE
    return path if path.is_file() else None
