"""Tiny Keras models following lookbook.models.artifacts conventions, for the composer's tests.

32 px, a few thousand weights, and readable behaviour: the classifier labels an image by its mean colour (hand-set
weights), and the conditional generator tints each category differently, so assertions can check what a slot was
filled with.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

TINY_CATEGORIES = ("shirt", "jeans", "sports_shoes", "wallet", "tshirt", "casual_shoes", "backpack")


def build_generator(categories: tuple[str, ...] | None, noise_dim: int = 16, seed: int = 0):
    """A DCGAN-style generator; conditional (second input: int32 label) when `categories` is given."""
    import keras

    keras.utils.set_random_seed(seed)
    layers = keras.layers
    base, widths, kernel = 16, (16, 8), 3
    noise = keras.Input((noise_dim,), name="noise")
    inputs = [noise]
    x = noise
    if categories:
        label = keras.Input((), dtype="int32", name="label")
        inputs.append(label)
        # multiplicative label embedding, as in keras-io's conditional GAN variants
        x = layers.Multiply()([x, layers.Embedding(len(categories), noise_dim)(label)])
    h = layers.Dense(4 * 4 * base, use_bias=False)(x)
    h = layers.BatchNormalization()(h)
    h = layers.ReLU()(h)
    h = layers.Reshape((4, 4, base))(h)
    for width in widths:
        h = layers.Conv2DTranspose(width, kernel, strides=2, padding="same", use_bias=False)(h)
        h = layers.BatchNormalization()(h)
        h = layers.ReLU()(h)
    h = layers.Conv2DTranspose(3, kernel, strides=2, padding="same")(h)
    size_px = 4 * 2 ** (len(widths) + 1)
    # untrained BatchNorm nets make near-grey images; a direct noise -> colour path makes each latent a
    # visibly different colour, so candidates get different labels from the colour-reading classifier
    colour = layers.Dense(3, kernel_initializer=keras.initializers.RandomNormal(stddev=0.35), name="colour")(x)
    x = layers.Add()([h, layers.UpSampling2D(size_px)(layers.Reshape((1, 1, 3))(colour))])
    if categories:
        # a per-category colour cast, so a category asked for is visible (and classifiable) in the image
        tint_layer = layers.Embedding(len(categories), 3, name="tint")
        tint = layers.UpSampling2D(size_px)(layers.Reshape((1, 1, 3))(tint_layer(label)))
        x = layers.Add()([x, tint])
    out = layers.Activation("tanh")(x)
    model = keras.Model(inputs if categories else noise, out, name="generator")
    if categories:
        tint_layer.set_weights([_prototypes(len(categories)) * 1.5])
    return model


def build_classifier(categories: tuple[str, ...], image_size_px: int = 32, seed: int = 0):
    """A classifier with a "features" penultimate layer; the tiny one labels images by mean colour."""
    import keras

    keras.utils.set_random_seed(seed)
    layers = keras.layers
    image = keras.Input((image_size_px, image_size_px, 3), name="image")
    mean_colour = layers.GlobalAveragePooling2D()(image)  # in [-1, 1]
    by_colour = layers.Dense(len(categories), name="colour_logits")  # hand-set: hue sector -> category
    x = layers.Dense(3, name="features", kernel_initializer="identity", bias_initializer="zeros")(mean_colour)
    logits = by_colour(x)
    model = keras.Model(image, layers.Activation("softmax")(logits), name="classifier")
    by_colour.set_weights([_prototypes(len(categories)).T * 12.0, np.zeros(len(categories), np.float32)])
    return model


def save_pair(folder: Path, categories: tuple[str, ...] = TINY_CATEGORIES, conditional: bool = True) -> tuple[Path, Path]:
    """Save a generator and a classifier (with sidecars) into `folder`; returns their paths."""
    from lookbook.models.artifacts import CLASSIFIER_FILE, GENERATOR_FILE, save_model

    folder = Path(folder)
    gen = build_generator(tuple(categories) if conditional else None)
    image_size_px = int(gen.output_shape[1])
    clf = build_classifier(tuple(categories), image_size_px=image_size_px)
    noise_dim = int(gen.inputs[0].shape[-1])
    g_path = save_model(
        gen,
        folder / GENERATOR_FILE,
        {
            "kind": "generator",
            "image_size_px": image_size_px,
            "noise_dim": noise_dim,
            "categories": list(categories) if conditional else None,
            "config": {"size": "tiny"},
        },
    )
    c_path = save_model(
        clf,
        folder / CLASSIFIER_FILE,
        {"kind": "classifier", "image_size_px": image_size_px, "categories": list(categories), "config": {"size": "tiny"}},
    )
    return g_path, c_path


def _prototypes(n: int) -> np.ndarray:
    """n unit colour directions spread around the hue circle, (n, 3)."""
    angles = np.arange(n) * 2 * np.pi / n
    # an orthonormal basis of the plane perpendicular to grey (1, 1, 1)
    u = np.array([1.0, -1.0, 0.0]) / np.sqrt(2)
    v = np.array([1.0, 1.0, -2.0]) / np.sqrt(6)
    return (np.cos(angles)[:, None] * u + np.sin(angles)[:, None] * v).astype(np.float32)
