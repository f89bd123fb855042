"""Garment classifier networks: the original dense `ann`, the small conv `cnn`, and their training-only wrappers.

Every network takes float32 images in [-1, 1], ends in a softmax layer named "probabilities", and has a layer
named "features" right before it (the space FCD and KID are measured in). Only built-in Keras layers are used,
so the saved `.keras` loads in safe mode without custom objects.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import keras
import numpy as np
from keras import layers

from lookbook.models.classifier_config import ClassifierConfig

FEATURES_LAYER = "features"
OUTPUT_LAYER = "probabilities"
MEMBER_PREFIX = "member_"  # an ensemble's nested classifiers are named member_0, member_1...


def build_classifier(config: ClassifierConfig, image_size_px: int, n_classes: int, dtype: str = "float32") -> keras.Model:
    """The network `config.architecture` describes, for square RGB images of `image_size_px` and `n_classes` labels.

    `dtype` is the layers' dtype policy ("float32", or "mixed_bfloat16" for training; see `resolve_precision`).
    """
    inputs = keras.Input((image_size_px, image_size_px, 3), name="image", dtype="float32")
    if config.architecture == "ann":
        x = _dense_trunk(inputs, config, dtype)
    else:
        x = _conv_trunk(inputs, config, dtype)
    if config.dropout > 0:
        x = layers.Dropout(config.dropout, dtype=dtype, name="head_dropout")(x)
    # the softmax stays float32 so probabilities sum to 1 exactly, whatever the compute dtype
    outputs = layers.Dense(n_classes, activation="softmax", dtype="float32", name=OUTPUT_LAYER)(x)
    return keras.Model(inputs, outputs, name=f"{config.architecture}_classifier")


def _dense_trunk(x: Any, config: ClassifierConfig, dtype: Any) -> Any:
    x = layers.Flatten(dtype=dtype, name="flatten")(x)
    last = len(config.hidden_units) - 1
    for i, units in enumerate(config.hidden_units):
        x = layers.Dense(units, activation="relu", dtype=dtype, name=FEATURES_LAYER if i == last else f"dense_{i}")(x)
        if config.dropout > 0 and i < last:
            x = layers.Dropout(config.dropout, dtype=dtype, name=f"dropout_{i}")(x)
    return x


def _conv_bn_relu(x: Any, width: int, strides: int, dtype: Any, name: str) -> Any:
    x = layers.Conv2D(width, 3, strides=strides, padding="same", use_bias=False, dtype=dtype, name=f"{name}_conv")(x)
    # momentum 0.9 (not Keras' 0.99): the running statistics settle within an epoch even on small datasets
    x = layers.BatchNormalization(momentum=0.9, dtype=dtype, name=f"{name}_bn")(x)
    return layers.ReLU(dtype=dtype, name=f"{name}_relu")(x)


def _conv_trunk(x: Any, config: ClassifierConfig, dtype: Any) -> Any:
    widths = config.conv_widths
    x = _conv_bn_relu(x, widths[0], config.stem_stride, dtype, "stem")
    for stage, width in enumerate(widths):
        if stage > 0:
            x = layers.MaxPooling2D(dtype=dtype, name=f"stage{stage}_pool")(x)
        # the stem already counts as the first conv of stage 0
        for j in range(config.convs_per_stage - (1 if stage == 0 else 0)):
            x = _conv_bn_relu(x, width, 1, dtype, f"stage{stage}_{j}")
    if config.features_dim == 0:
        return layers.GlobalAveragePooling2D(dtype=dtype, name=FEATURES_LAYER)(x)
    x = layers.GlobalAveragePooling2D(dtype=dtype, name="pool")(x)
    return layers.Dense(config.features_dim, activation="relu", dtype=dtype, name=FEATURES_LAYER)(x)


def build_augmenter(config: ClassifierConfig, seed: int = 0) -> keras.Sequential | None:
    """Random flips, shifts, zooms and colour changes for training batches in [-1, 1]; None when augmentation is off."""
    if not config.augment:
        return None
    steps: list[layers.Layer] = []
    if config.flip:
        steps.append(layers.RandomFlip("horizontal", seed=seed))
    # "nearest" fill extends the border, which is the plain background in product shots
    if config.shift_frac > 0:
        steps.append(layers.RandomTranslation(config.shift_frac, config.shift_frac, fill_mode="nearest", seed=seed + 1))
    if config.zoom_frac > 0:
        steps.append(layers.RandomZoom(config.zoom_frac, config.zoom_frac, fill_mode="nearest", seed=seed + 2))
    if config.colour_jitter > 0:
        j = config.colour_jitter
        steps.append(
            layers.RandomColorJitter(
                value_range=(-1.0, 1.0),
                brightness_factor=j,
                contrast_factor=j,
                saturation_factor=(0.5 - j / 2, 0.5 + j / 2),
                seed=seed + 3,
            )
        )
    return keras.Sequential(steps, name="augment") if steps else None


OUTLIER_LOSS_WEIGHT = 0.5  # weight of the outlier-exposure term (Hendrycks et al. 2019 use 0.5)


def outlier_images(n: int, size: int, seed: Any) -> Any:
    """`n` images in [-1, 1] that are no garment: half smooth random colour fields, half pixel noise of random strength."""
    ops = keras.ops
    smooth = 0.0
    for cells in (2, 4, 8, 16):  # sum of upsampled random grids: blobs and gradients at several scales
        grid = keras.random.normal((n, cells, cells, 3), seed=seed)
        smooth = smooth + ops.image.resize(grid, (size, size), interpolation="bilinear") / cells**0.5
    smooth = ops.tanh(smooth * keras.random.uniform((n, 1, 1, 1), 0.3, 1.5, seed=seed))
    level = keras.random.uniform((n, 1, 1, 1), -0.5, 0.5, seed=seed)
    strength = keras.random.uniform((n, 1, 1, 1), 0.2, 1.0, seed=seed)
    pixels = ops.clip(level + strength * keras.random.normal((n, size, size, 3), seed=seed), -1.0, 1.0)
    half = n // 2
    return ops.concatenate([smooth[:half], pixels[half:]], axis=0)


class TrainingModel(keras.Model):
    """What `fit` trains: augmentation and mixup in front of the classifier, integer labels made one-hot.

    Training only, never saved: `classifier` inside shares its weights and is what gets saved, so the `.keras`
    file holds built-in layers only. One-hot targets let the built-in loss smooth labels and let mixup blend them.
    With `n_outliers` > 0, each training batch also carries that many `outlier_images`, whose loss (KL divergence
    from the uniform distribution) teaches the network to spread its confidence on what is not a garment; they stay
    out of the predictions that the labels, the loss and the accuracy see.
    """

    def __init__(
        self,
        classifier: keras.Model,
        augmenter: keras.Sequential | None,
        n_classes: int,
        mixup_alpha: float = 0.0,
        seed: int = 0,
        n_outliers: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=f"{classifier.name}_training", **kwargs)
        self.classifier, self.augmenter = classifier, augmenter
        self.n_classes, self.mixup_alpha, self.n_outliers = n_classes, mixup_alpha, n_outliers
        self.mix_seed = keras.random.SeedGenerator(seed)
        self.outlier_seed = keras.random.SeedGenerator(seed + 11)

    def call(self, x: Any, training: bool = False) -> Any:
        if self.augmenter is not None and training:
            x = self.augmenter(x, training=True)
        if not (training and self.n_outliers):
            return self.classifier(x, training=training)
        ops = keras.ops
        outliers = outlier_images(self.n_outliers, self.classifier.input_shape[1], self.outlier_seed)
        # one batch through the network, so batch norm sees garments and outliers together (as in the paper)
        probs = self.classifier(ops.concatenate([x, ops.cast(outliers, x.dtype)], axis=0), training=True)
        n = ops.shape(x)[0]
        # KL(uniform || p): cross-entropy to the uniform distribution minus its floor log(k), so 0 when fully spread
        log_p = ops.log(ops.clip(ops.cast(probs[n:], "float32"), 1e-7, 1.0))
        spread = -ops.mean(log_p, axis=-1) - float(np.log(self.n_classes))
        self.add_loss(OUTLIER_LOSS_WEIGHT * ops.mean(spread))
        return probs[:n]

    def train_step(self, data: Any) -> Any:
        x, y, weight = keras.utils.unpack_x_y_sample_weight(data)
        y = self._one_hot(y)
        if self.mixup_alpha > 0:
            x, y, weight = self._mix(x, y, weight)
        return super().train_step((x, y) if weight is None else (x, y, weight))

    def test_step(self, data: Any) -> Any:
        x, y, weight = keras.utils.unpack_x_y_sample_weight(data)
        y = self._one_hot(y)
        return super().test_step((x, y) if weight is None else (x, y, weight))

    def _one_hot(self, y: Any) -> Any:
        return keras.ops.one_hot(keras.ops.cast(keras.ops.reshape(y, (-1,)), "int32"), self.n_classes)

    def _mix(self, x: Any, y: Any, weight: Any) -> tuple[Any, Any, Any]:
        ops = keras.ops
        lam = keras.random.beta((ops.shape(x)[0],), self.mixup_alpha, self.mixup_alpha, seed=self.mix_seed)
        lam = ops.maximum(lam, 1.0 - lam)  # each image stays the larger part of its blend
        # the batch is already shuffled, so its reverse is a random partner for every image
        x = lam[:, None, None, None] * x + (1.0 - lam[:, None, None, None]) * ops.flip(x, axis=0)
        y = lam[:, None] * y + (1.0 - lam[:, None]) * ops.flip(y, axis=0)
        if weight is not None:
            weight = lam * weight + (1.0 - lam) * ops.flip(weight, axis=0)
        return x, y, weight


def build_ensemble(members: list[keras.Model], image_size_px: int) -> keras.Model:
    """One model whose softmax is the mean of several classifiers' (same input size, same label map).

    Each member stays a nested model that also outputs its "features", which `embedding_model` concatenates.
    """
    if len(members) < 2:
        raise ValueError("an ensemble needs two or more members")
    image = keras.Input((image_size_px, image_size_px, 3), name="image", dtype="float32")
    probabilities = [_with_features(m, name=f"{MEMBER_PREFIX}{i}")(image)[1] for i, m in enumerate(members)]
    return keras.Model(image, layers.Average(name=OUTPUT_LAYER)(probabilities), name="ensemble_classifier")


def ensemble_members(model: keras.Model) -> list[Any]:
    """The nested member models of an ensemble, [] for a single classifier."""
    return [layer for layer in model.layers if layer.name.startswith(MEMBER_PREFIX)]


def embedding_model(model: keras.Model) -> keras.Model:
    """Images -> [features, probabilities]: the "features" layer FCD and KID are measured in (an ensemble's members'
    features side by side) and the softmax."""
    members = ensemble_members(model)
    if not members:
        return _with_features(model)
    image = keras.Input(model.inputs[0].shape[1:], name="image", dtype="float32")
    outputs = [m(image) for m in members]
    features = layers.Concatenate(name=FEATURES_LAYER)([f for f, _ in outputs])
    return keras.Model(image, [features, layers.Average(name=OUTPUT_LAYER)([p for _, p in outputs])])


def _with_features(model: keras.Model, name: str | None = None) -> keras.Model:
    """A single classifier's graph with two outputs: its "features" layer and its softmax."""
    return keras.Model(model.inputs, [model.get_layer(FEATURES_LAYER).output, model.outputs[0]], name=name)


def float32_copy(model: keras.Model, config: ClassifierConfig, image_size_px: int, n_classes: int) -> keras.Model:
    """A float32 twin of a mixed-precision model with the same weights (what inference and metrics use)."""
    twin = build_classifier(config, image_size_px, n_classes, dtype="float32")
    twin.set_weights(model.get_weights())
    return twin


def resolve_precision(precision: str) -> str:
    """The dtype policy for `precision`: "auto" is mixed_bfloat16 where the CPU computes bfloat16 natively, else float32.

    bfloat16 roughly halves a training step on CPUs with AVX512-BF16 or AMX, but is emulated (slow) elsewhere; GPU
    machines stay float32 here because not every GPU has fast bfloat16.
    """
    if precision != "auto":
        return precision
    import tensorflow as tf

    return "mixed_bfloat16" if _cpu_has_bf16() and not tf.config.list_physical_devices("GPU") else "float32"


@cache
def _cpu_has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:  # not Linux: no cheap way to tell, so stay safe
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags
