"""Small models following the artifacts conventions, for tests (no training needed)."""

from __future__ import annotations

from pathlib import Path

from lookbook.models.artifacts import CLASSIFIER_FILE, GENERATOR_FILE, save_model

TINY_CNN = ["conv_widths=4,8", "features_dim=8", "convs_per_stage=1", "stem_stride=2", "batch_size=16"]


def save_tiny_generator(folder: Path, image_size_px: int = 32, noise_dim: int = 8, categories: list[str] | None = None) -> Path:
    """An untrained generator (dense + tanh) saved as `folder/generator.keras` with its sidecar."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(0)  # the same weights in every test run

    z = keras.Input((noise_dim,), name="noise")
    inputs, h = [z], z
    if categories:
        label = keras.Input((), dtype="int32", name="label")
        inputs.append(label)
        h = layers.Concatenate()([z, layers.Flatten()(layers.Embedding(len(categories), 4)(label))])
    h = layers.Dense(image_size_px * image_size_px * 3, activation="tanh")(h)
    out = layers.Reshape((image_size_px, image_size_px, 3))(h)
    model = keras.Model(inputs if categories else z, out)
    meta = {"kind": "generator", "image_size_px": image_size_px, "noise_dim": noise_dim, "categories": categories, "config": {}}
    return save_model(model, Path(folder) / GENERATOR_FILE, meta)


def save_tiny_classifier(folder: Path, categories: list[str], image_size_px: int = 32, meta_extra: dict | None = None) -> Path:
    """An untrained `cnn` classifier saved as `folder/classifier.keras` with a label map."""
    import keras

    from lookbook.models.classifier import build_classifier
    from lookbook.models.classifier_config import preset_config

    config = preset_config("cnn").with_overrides(TINY_CNN)
    keras.utils.set_random_seed(0)  # the same weights in every test run: an unlucky draw can make every feature 0
    model = build_classifier(config, image_size_px, len(categories))
    meta = {"kind": "classifier", "image_size_px": image_size_px, "categories": categories, "config": config.to_dict()}
    return save_model(model, Path(folder) / CLASSIFIER_FILE, {**meta, **(meta_extra or {})})
