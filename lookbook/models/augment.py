"""DiffAugment (Zhao et al. 2020): differentiable colour, translation and cutout, applied alike to real and fake images.

Every random draw is stateless, keyed by a seed tensor, and made for the whole global batch before this replica
takes its rows: a run on N devices augments each image exactly as a single-device run would, and a resumed run
replays the same draws. TensorFlow is imported inside the functions so that configs can import `POLICIES` cheaply.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

POLICIES: tuple[str, ...] = ("color", "translation", "cutout")
TRANSLATION_RATIO = 0.125  # largest shift, as a fraction of the image side (DiffAugment default)
CUTOUT_RATIO = 0.5  # side of the erased square, as a fraction of the image side (DiffAugment default)


def diff_augment(images: Any, policy: Sequence[str], seed: Any, row_start: Any = 0, global_batch: Any = None) -> Any:
    """Augment float32 images (b, S, S, 3) in [-1, 1] with `policy` (names from POLICIES).

    `seed` is a stateless seed (int tensor of shape [2]); `row_start` and `global_batch` say which rows of the
    global batch these `b` images are (a replica's slice), so draws do not depend on how the batch is split.
    """
    import tensorflow as tf

    if not policy:
        return images
    b = tf.shape(images)[0]
    total = b if global_batch is None else global_batch

    def draw(purpose: int, tail: tuple[int, ...] = (1, 1, 1)) -> tf.Tensor:
        s = tf.random.experimental.stateless_fold_in(seed, purpose)
        u = tf.random.stateless_uniform(tf.concat([[total], tail], 0), seed=s)
        return u[row_start : row_start + b]

    x = images
    if "color" in policy:
        x = x + (draw(1) - 0.5)  # brightness
        mean = tf.reduce_mean(x, axis=3, keepdims=True)
        x = (x - mean) * (draw(2) * 2.0) + mean  # saturation
        mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
        x = (x - mean) * (draw(3) + 0.5) + mean  # contrast
    if "translation" in policy:
        x = _translate(x, draw(4, (2,)), TRANSLATION_RATIO)
    if "cutout" in policy:
        x = _cutout(x, draw(5, (2,)), CUTOUT_RATIO)
    return x


def _translate(x: Any, u: Any, ratio: float) -> Any:
    """Shift each image by up to `ratio` of its side (zero fill); `u` (b, 2) uniform in [0, 1)."""
    import tensorflow as tf

    size = x.shape[1]
    limit = int(size * ratio + 0.5)
    shift = tf.cast(tf.floor(u * (2 * limit + 1)), tf.int32) - limit  # (b, 2) integers in [-limit, limit]
    pos = tf.range(size, dtype=tf.int32)
    # Shift matrices: row i of T picks source pixel i - shift; an index off the image is an all-zero one-hot row.
    t_y = tf.one_hot(pos[None, :] - shift[:, :1], size, dtype=x.dtype)  # (b, S, S)
    t_x = tf.one_hot(pos[None, :] - shift[:, 1:], size, dtype=x.dtype)
    x = tf.einsum("bik,bkjc->bijc", t_y, x)
    return tf.einsum("bjk,bikc->bijc", t_x, x)


def _cutout(x: Any, u: Any, ratio: float) -> Any:
    """Zero a square of side `ratio` * S at a random centre of each image; `u` (b, 2) uniform in [0, 1)."""
    import tensorflow as tf

    size = x.shape[1]
    half = size * ratio / 2.0
    centre = tf.floor(u * size)  # (b, 2)
    pos = tf.range(size, dtype=x.dtype)
    inside_y = tf.abs(pos[None, :] - centre[:, :1]) < half  # (b, S)
    inside_x = tf.abs(pos[None, :] - centre[:, 1:]) < half
    hole = tf.logical_and(inside_y[:, :, None], inside_x[:, None, :])  # (b, S, S)
    return x * (1.0 - tf.cast(hole, x.dtype))[..., None]
