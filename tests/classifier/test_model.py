"""Classifier networks: conventions (features layer, softmax), augmentation kept out of the saved model, safe-mode loading."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from lookbook.models.artifacts import load_classifier, save_model
from lookbook.models.classifier import FEATURES_LAYER, TrainingModel, build_augmenter, build_classifier, float32_copy
from lookbook.models.classifier_config import preset_config


@pytest.mark.parametrize("preset", ["ann", "cnn"])
def test_network_conventions(preset):
    cfg = preset_config(preset).with_overrides(["hidden_units=16,8", "conv_widths=4,8", "features_dim=8"])
    model = build_classifier(cfg, 32, 5)
    assert model.input_shape == (None, 32, 32, 3) and model.output_shape == (None, 5)
    # "features" feeds the softmax (through dropout at most)
    names = [layer.name for layer in model.layers]
    assert names.index(FEATURES_LAYER) >= len(names) - 3
    assert model.get_layer(FEATURES_LAYER).output.shape[-1] == 8
    probs = np.asarray(model(np.random.default_rng(0).uniform(-1, 1, (4, 32, 32, 3)).astype("float32")))
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5) and (probs >= 0).all()


def test_augmenter_changes_training_batches_only():
    cfg = preset_config("cnn")
    aug = build_augmenter(cfg, seed=1)
    x = np.random.default_rng(0).uniform(-1, 1, (8, 32, 32, 3)).astype("float32")
    out = np.asarray(aug(x, training=True))
    assert out.shape == x.shape and not np.allclose(out, x)
    assert out.min() >= -1.0001 and out.max() <= 1.0001
    assert np.allclose(np.asarray(aug(x, training=False)), x)
    assert build_augmenter(cfg.replace(augment=False)) is None


def test_saved_model_loads_in_safe_mode_without_augmentation(tmp_path):
    import keras

    cfg = preset_config("cnn").with_overrides(["conv_widths=4,8", "features_dim=8"])
    model = build_classifier(cfg, 32, 3)
    before = [w.copy() for w in model.get_weights()]
    trainer = TrainingModel(model, build_augmenter(cfg), 3, mixup_alpha=0.4)
    trainer.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1))
    rng = np.random.default_rng(0)
    trainer.fit(rng.uniform(-1, 1, (16, 32, 32, 3)).astype("float32"), rng.integers(0, 3, 16), batch_size=8, verbose=0)
    # the training wrapper shares the classifier's weights: training it trained the model that gets saved
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))
    path = save_model(model, tmp_path / "classifier.keras", {"kind": "classifier", "categories": ["a", "b", "c"], "config": {}})
    handle = load_classifier(tmp_path)
    assert handle.path == path and handle.categories == ["a", "b", "c"] and handle.image_size_px == 32
    assert not any("random" in layer.name for layer in handle.model.layers)
    images = np.random.default_rng(0).integers(0, 256, (5, 32, 32, 3), dtype=np.uint8)
    expected = np.asarray(model(images.astype("float32") / 127.5 - 1.0, training=False))
    np.testing.assert_allclose(handle.probabilities(images), expected, atol=1e-5)
    labels, conf = handle.predict(images)
    assert labels == [["a", "b", "c"][i] for i in expected.argmax(1)] and np.allclose(conf, expected.max(1), atol=1e-5)
    assert handle.features(images).shape == (5, 8)


def test_precision_resolves_to_a_dtype_policy():
    from lookbook.models.classifier import resolve_precision

    assert resolve_precision("float32") == "float32" and resolve_precision("mixed_bfloat16") == "mixed_bfloat16"
    assert resolve_precision("auto") in ("float32", "mixed_bfloat16")


def test_mixed_precision_model_gets_a_float32_twin():
    cfg = preset_config("cnn").with_overrides(["conv_widths=4,8", "features_dim=8"])
    mixed = build_classifier(cfg, 32, 3, dtype="mixed_bfloat16")
    twin = float32_copy(mixed, cfg, 32, 3)
    assert all(w.dtype == "float32" for w in twin.weights)
    x = np.random.default_rng(0).uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(twin(x)), np.asarray(mixed(x)), atol=0.05)


def test_mixup_blends_images_and_labels_with_the_larger_share_kept():
    cfg = preset_config("cnn").with_overrides(["conv_widths=4,8", "features_dim=8"])
    trainer = TrainingModel(build_classifier(cfg, 8, 3), None, 3, mixup_alpha=0.4, seed=1)
    x = np.stack([np.full((8, 8, 3), v, np.float32) for v in (-1.0, 0.0, 1.0, 0.5)])
    y = trainer._one_hot(np.array([0, 1, 2, 0]))
    mx, my, mw = (np.asarray(t) for t in trainer._mix(x, y, np.ones(4, np.float32)))
    assert np.allclose(my.sum(axis=1), 1.0) and (my.max(axis=1) >= 0.5).all()
    # image 1 (class 1) is blended with its partner in the reversed batch, image 2 (class 2), by the same share
    share = my[1, 1]
    assert share >= 0.5 and np.isclose(my[1, 2], 1 - share)
    assert np.allclose(mx[1], share * x[1] + (1 - share) * x[2]) and np.allclose(mw, 1.0)


def test_test_time_flip_averages_an_image_with_its_mirror():
    from pathlib import Path

    from lookbook.models.artifacts import ClassifierHandle

    # 32 feature units and a fixed seed: with 8 relu units, random weights can leave every unit dead on these near-identical
    # noise images (about 1 in 256 draws), and a model whose output is constant cannot tell an image from its mirror
    cfg = preset_config("cnn").with_overrides(["conv_widths=4,8", "features_dim=32", "test_time_flip=true"])
    keras.utils.set_random_seed(0)
    model = build_classifier(cfg, 16, 3)
    meta = {"config": cfg.to_dict()}
    handle = ClassifierHandle(model=model, path=Path("memory"), image_size_px=16, categories=["a", "b", "c"], meta=meta)
    images = np.random.default_rng(0).integers(0, 256, (4, 16, 16, 3), dtype=np.uint8)
    x = images.astype("float32") / 127.5 - 1.0
    plain, mirrored = np.asarray(model(x, training=False)), np.asarray(model(x[:, :, ::-1], training=False))
    assert handle.test_time_flip and not np.allclose(plain, mirrored)
    np.testing.assert_allclose(handle.probabilities(images), (plain + mirrored) / 2, atol=1e-5)
    # a mirrored image gets the same prediction as the original
    np.testing.assert_allclose(handle.probabilities(images[:, :, ::-1].copy()), handle.probabilities(images), atol=1e-5)
    # runs saved before the setting existed predict from the image alone
    handle.meta = {"config": {}}
    np.testing.assert_allclose(handle.probabilities(images), plain, atol=1e-5)


def test_outlier_exposure_adds_noise_images_to_the_loss_only():
    import keras

    from lookbook.models.classifier import outlier_images

    a = np.asarray(outlier_images(6, 64, keras.random.SeedGenerator(0)))
    b = np.asarray(outlier_images(6, 64, keras.random.SeedGenerator(0)))
    assert a.shape == (6, 64, 64, 3) and a.min() >= -1 and a.max() <= 1 and np.array_equal(a, b)
    # the first half is smooth (neighbouring pixels alike), the second half is pixel noise
    step = lambda x: np.abs(np.diff(x, axis=2)).mean()  # noqa: E731
    assert step(a[:3]) * 3 < step(a[3:])

    cfg = preset_config("cnn").with_overrides(["conv_widths=4,8", "features_dim=8", "stem_stride=2"])
    model = build_classifier(cfg, 16, 3)
    x = np.random.default_rng(0).uniform(-1, 1, (8, 16, 16, 3)).astype("float32")
    exposed = TrainingModel(model, None, 3, n_outliers=4)
    assert exposed(x, training=True).shape == (8, 3)  # the outliers' predictions are not returned
    assert len(exposed.losses) == 1 and float(exposed.losses[0]) > 0
    # the term is a divergence from the uniform distribution: zero for a network that spreads its confidence evenly
    flat = build_classifier(cfg, 16, 3)
    flat.get_layer("probabilities").kernel.assign(np.zeros(flat.get_layer("probabilities").kernel.shape))
    spread = TrainingModel(flat, None, 3, n_outliers=4)
    spread(x, training=True)
    assert abs(float(spread.losses[0])) < 1e-5
    plain = TrainingModel(model, None, 3)
    plain(x, training=True)
    assert not plain.losses
