"""The only place that builds `tf.data`: batches from a prepared dataset's memory map, scaled to [-1, 1]."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import tensorflow as tf

from lookbook.data.dataset import PreparedDataset
from lookbook.errors import LookbookError


def epoch_order(n: int, seed: int, epoch: int, weights: np.ndarray | None = None) -> np.ndarray:
    """The shuffled order of epoch `epoch`: a pure function of (seed, epoch), so a resumed run sees the same data.

    With `weights` (one per row, summing to 1) an epoch is `n` draws with replacement in those proportions.
    """
    rng = np.random.default_rng([seed, epoch])
    return rng.permutation(n) if weights is None else rng.choice(n, size=n, replace=True, p=weights)


def balance_weights(categories: Sequence[str], balance: float) -> np.ndarray | None:
    """Sampling weight per row so a category's share of an epoch goes as count**(1 - balance).

    0 keeps the data's own proportions (None: a plain shuffle), 1 shows every category equally often,
    0.5 takes the square root of the imbalance.
    """
    if balance <= 0:
        return None
    _, inverse, counts = np.unique(np.asarray(categories, dtype=str), return_inverse=True, return_counts=True)
    weights = counts[inverse].astype(np.float64) ** -balance
    return weights / weights.sum()


def label_ids(ds: PreparedDataset, label_map: Sequence[str]) -> np.ndarray:
    """Integer label of every record under `label_map` (category names); -1 for categories not in it."""
    lookup = {c: i for i, c in enumerate(label_map)}
    return np.array([lookup.get(c, -1) for c in ds.index["category"].fillna("")], dtype=np.int32)


def to_unit_range(images_uint8: tf.Tensor) -> tf.Tensor:
    """uint8 [0, 255] -> float32 [-1, 1]."""
    return tf.cast(images_uint8, tf.float32) / 127.5 - 1.0


def make_dataset(
    ds: PreparedDataset,
    batch_size: int,
    *,
    indices: np.ndarray | None = None,
    label_map: Sequence[str] | None = None,
    epochs: Iterable[int] = (0,),
    shuffle: bool = True,
    seed: int = 0,
    drop_remainder: bool = True,
    balance: float = 0.0,
) -> tf.data.Dataset:
    """Batches of float32 images in [-1, 1] (and int32 labels when `label_map` is given).

    `indices` restricts to a subset of rows (a split); `epochs` lists the epoch numbers to emit, each
    with its own deterministic shuffle, so `range(start, end)` resumes a run exactly where it stopped.
    `balance` > 0 draws each epoch with replacement to even out the categories (see `balance_weights`).
    """
    images = ds.images
    s = ds.image_size_px
    if images.dtype != np.uint8 or images.shape[1:] != (s, s, 3):
        raise LookbookError(f"image cache must be uint8 (N, {s}, {s}, 3), got {images.dtype} {images.shape}")
    rows = np.arange(len(ds)) if indices is None else np.asarray(indices, dtype=np.int64)
    if batch_size < 1:
        raise LookbookError(f"batch size must be at least 1, got {batch_size}")
    if len(rows) < batch_size and drop_remainder:
        raise LookbookError(f"batch size {batch_size} is larger than the dataset ({len(rows)} images)")
    labels = label_ids(ds, label_map) if label_map is not None else None
    epoch_list = list(epochs)
    weights = balance_weights(ds.index["category"].fillna("").to_numpy()[rows], balance) if shuffle else None

    def batches():
        for epoch in epoch_list:
            order = rows[epoch_order(len(rows), seed, epoch, weights)] if shuffle else rows
            stop = len(order) - (len(order) % batch_size if drop_remainder else 0)
            for start in range(0, stop, batch_size):
                # sorted reads are sequential on the memory map; the batch order is still random
                batch = np.sort(order[start : start + batch_size])
                if labels is None:
                    yield images[batch]
                else:
                    yield images[batch], labels[batch]

    image_spec = tf.TensorSpec((None, s, s, 3), tf.uint8)
    if labels is None:
        data = tf.data.Dataset.from_generator(batches, output_signature=image_spec)
        data = data.map(to_unit_range, num_parallel_calls=tf.data.AUTOTUNE)
    else:
        data = tf.data.Dataset.from_generator(batches, output_signature=(image_spec, tf.TensorSpec((None,), tf.int32)))
        data = data.map(lambda x, y: (to_unit_range(x), y), num_parallel_calls=tf.data.AUTOTUNE)
    return data.prefetch(tf.data.AUTOTUNE)


def steps_per_epoch(n_images: int, batch_size: int, drop_remainder: bool = True) -> int:
    """Number of batches one epoch yields."""
    return n_images // batch_size if drop_remainder else -(-n_images // batch_size)
