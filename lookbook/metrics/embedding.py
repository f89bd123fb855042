"""Classifier forward passes for metrics: penultimate features and probabilities of uint8 images, in one pass."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from lookbook.errors import LookbookError
from lookbook.models.artifacts import ClassifierHandle

Progress = Callable[[int, int], None]

# compiled two-output models per loaded classifier and test-time-flip setting (keyed weakly: unloading a model frees them)
_EMBEDDERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass
class Embedding:
    """What the classifier makes of a set of images."""

    features: np.ndarray  # float32 (n, d): the "features" layer
    probabilities: np.ndarray  # float32 (n, k): softmax over the classifier's categories
    categories: list[str]  # the classifier's label map (column order of `probabilities`)

    def __len__(self) -> int:
        return len(self.features)

    @property
    def labels(self) -> list[str]:
        """Top category of each image."""
        return [self.categories[i] for i in self.probabilities.argmax(axis=1)] if len(self) else []

    @property
    def confidences(self) -> np.ndarray:
        """Probability of each image's top category."""
        return self.probabilities.max(axis=1) if len(self) else np.zeros(0, np.float32)

    def subset(self, rows: np.ndarray) -> Embedding:
        return Embedding(self.features[rows], self.probabilities[rows], self.categories)


def check_images(images_uint8: np.ndarray, image_size_px: int, what: str = "images") -> None:
    """Raise a one-line error unless `images_uint8` is uint8 (n, S, S, 3) with S = `image_size_px`."""
    s = image_size_px
    if not isinstance(images_uint8, np.ndarray) or images_uint8.dtype != np.uint8:
        dtype = getattr(images_uint8, "dtype", type(images_uint8).__name__)
        raise LookbookError(f"{what} must be uint8 in [0, 255] (got {dtype}); convert floats with artifacts.to_uint8")
    if images_uint8.ndim != 4 or images_uint8.shape[1:] != (s, s, 3):
        raise LookbookError(f"{what} have shape {images_uint8.shape}, but the classifier expects (n, {s}, {s}, 3)")


def _embedder(classifier: ClassifierHandle) -> Any:
    import tensorflow as tf

    from lookbook.models.classifier import embedding_model

    model, flip = classifier.model, classifier.test_time_flip
    fn = _EMBEDDERS.setdefault(model, {}).get(flip)
    if fn is None:
        both = embedding_model(model)

        # a traced function runs the batch as one graph: several times faster than eager layer calls
        @tf.function(reduce_retracing=True)
        def fn(x_uint8):
            x = tf.cast(x_uint8, tf.float32) / 127.5 - 1.0
            features, probs = both(x, training=False)
            # the features (FCD/KID space) are the image's own; only the probabilities see the mirror image
            mirrored = tf.cast(model(tf.reverse(x, axis=[2]), training=False), tf.float32) if flip else None
            return tf.cast(features, tf.float32), tf.cast(probs, tf.float32), mirrored

        _EMBEDDERS[model][flip] = fn
    return fn


def _pad(batch: np.ndarray, size: int) -> np.ndarray:
    # one batch shape per call site: the traced function is built once instead of again for the last, short batch
    if len(batch) == size:
        return batch
    return np.concatenate([batch, np.zeros((size - len(batch), *batch.shape[1:]), batch.dtype)])


def embed(
    classifier: ClassifierHandle,
    images_uint8: np.ndarray,
    rows: np.ndarray | None = None,
    batch_size: int = 256,
    progress: Progress | None = None,
) -> Embedding:
    """Features and probabilities of uint8 images (n, S, S, 3), or of `rows` of them, in that order.

    Memory-mapped input is read one batch at a time, so a large dataset never has to fit in memory.
    """
    check_images(images_uint8, classifier.image_size_px)
    fn = _embedder(classifier)
    n = len(images_uint8) if rows is None else len(rows)
    feats, probs = [], []
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        batch = images_uint8[start:stop] if rows is None else images_uint8[np.asarray(rows[start:stop], np.int64)]
        f, p, m = fn(_pad(np.ascontiguousarray(batch), batch_size))
        feats.append(f.numpy()[: stop - start])
        probs.append(classifier.finish(p.numpy()[: stop - start], None if m is None else m.numpy()[: stop - start]))
        if progress:
            progress(stop, n)
    if not feats:
        from lookbook.models.classifier import embedding_model

        dim = int(embedding_model(classifier.model).outputs[0].shape[-1])
        return Embedding(
            np.zeros((0, dim), np.float32), np.zeros((0, len(classifier.categories)), np.float32), classifier.categories
        )
    return Embedding(np.concatenate(feats), np.concatenate(probs), list(classifier.categories))
