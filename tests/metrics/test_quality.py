"""Generation-quality evaluation with tiny in-memory models: invariants, baselines, conditional sampling, errors."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from lookbook.errors import LookbookError
from lookbook.metrics import quality
from lookbook.models.artifacts import ClassifierHandle, GeneratorHandle

CATS = ["jeans", "sports_shoes", "tshirt"]
SIZE = 16


@pytest.fixture(scope="module")
def classifier():
    import keras

    from lookbook.models.classifier import build_classifier
    from lookbook.models.classifier_config import preset_config

    keras.utils.set_random_seed(0)
    model = build_classifier(preset_config("cnn").with_overrides(["conv_widths=8,16", "features_dim=16"]), SIZE, len(CATS))
    return ClassifierHandle(model=model, path=Path("memory"), image_size_px=SIZE, categories=CATS)


def _generator(categories=None):
    import keras
    from keras import layers

    keras.utils.set_random_seed(1)
    z = keras.Input((4,))
    inputs, h = [z], z
    if categories:
        label = keras.Input((), dtype="int32")
        inputs.append(label)
        h = layers.Concatenate()([z, layers.Embedding(len(categories), 2)(label)])
    out = layers.Reshape((SIZE, SIZE, 3))(layers.Dense(SIZE * SIZE * 3, activation="tanh")(h))
    model = keras.Model(inputs if categories else z, out)
    return GeneratorHandle(model=model, path=Path("memory"), image_size_px=SIZE, noise_dim=4, categories=categories)


@pytest.fixture(scope="module")
def real():
    """Smooth structured images: a coloured block on white, per category a different place."""
    rng = np.random.default_rng(0)
    images, labels = [], []
    for i in range(60):
        img = np.full((SIZE, SIZE, 3), 255, np.uint8)
        c = i % 3
        img[2 + 4 * c : 6 + 4 * c, 2:14] = rng.integers(0, 200, 3)
        images.append(img)
        labels.append(CATS[c])
    return np.stack(images), labels


def test_a_set_equal_to_the_held_half_scores_like_the_real_baseline(classifier, real):
    images, labels = real
    _, held = quality.reference_split(len(images), 30, seed=5)
    out = quality.evaluate_images(classifier, images[held], images, seed=5, real_labels=labels)
    assert out["metrics"] == out["baselines"]["real_vs_real"]
    assert out["settings"]["n_reference"] == out["settings"]["n_baseline"] == 30 and out["settings"]["kid_subset_size"] == 30


def test_noise_is_far_from_real_images(classifier, real):
    images, _ = real
    out = quality.evaluate_images(classifier, quality.noise_images(30, SIZE, "uniform"), images)
    base = out["baselines"]
    assert out["metrics"] == base["noise_vs_real"]  # same seed, same noise
    assert base["noise_vs_real"]["fcd"] > 5 * base["real_vs_real"]["fcd"]
    assert base["noise_vs_real"]["kid"] > base["real_vs_real"]["kid"]
    assert set(out["category_mix"]["generated"]) <= set(CATS)
    assert sum(out["category_mix"]["real"].values()) == pytest.approx(1.0)


def test_evaluate_generator_is_deterministic_and_complete(classifier, real):
    images, labels = real
    gen = _generator()
    a = quality.evaluate_generator(gen, classifier, images, n_images=20, seed=3, real_labels=labels)
    b = quality.evaluate_generator(gen, classifier, images, n_images=20, seed=3, real_labels=labels)
    assert a["metrics"] == b["metrics"] and a["baselines"] == b["baselines"]
    assert set(a["metrics"]) == {
        *("fcd", "kid", "kid_std", "recognisability", "n_categories", "coverage", "entropy", "mix_tv"),
        "within_class_diversity",
    }
    assert a["settings"]["conditional"] is False and a["settings"]["sampling"] == "unconditional"
    assert set(a["timing_s"]) == {"generate", "embed", "metrics", "total"}
    c = quality.evaluate_generator(gen, classifier, images, n_images=20, seed=4, real_labels=labels, baselines=False)
    assert c["baselines"] == {} and c["metrics"]["fcd"] != a["metrics"]["fcd"]
    d = quality.evaluate_generator(gen, classifier, images, n_images=20, seed=3, real_labels=labels, baselines=["real_vs_real"])
    assert d["baselines"] == {"real_vs_real": a["baselines"]["real_vs_real"]} and d["metrics"] == a["metrics"]
    with pytest.raises(LookbookError, match="unknown baseline"):
        quality.evaluate_generator(gen, classifier, images, n_images=20, real_labels=labels, baselines=["real_vs_fake"])


def test_conditional_generator_gets_conditional_accuracy(classifier, real):
    images, labels = real
    calls = []
    out = quality.evaluate_generator(
        _generator(CATS), classifier, images, n_images=24, real_labels=labels, progress=lambda d, t: calls.append((d, t))
    )
    assert out["settings"]["sampling"] == "proportional"
    for block in [out["metrics"], out["baselines"]["real_vs_real"], out["baselines"]["noise_vs_real"]]:
        assert 0 <= block["conditional_accuracy"] <= 1
    rows = out["per_category"]
    assert set(rows) <= set(CATS) and sum(r["images"] for r in rows.values()) == 24
    assert all(0 <= r["asked_for"] <= 1 and (r["diversity"] is None or r["diversity"] >= 0) for r in rows.values())
    assert calls[-1] == (calls[-1][1], calls[-1][1]) and all(a <= b for (a, _), (b, _) in itertools.pairwise(calls))


def test_sample_categories_follow_the_real_mix():
    rng = np.random.default_rng(0)
    asked, mode = quality.sample_categories(CATS, ["tshirt"] * 90 + ["jeans"] * 10 + ["boots"] * 50, 2000, rng)
    assert mode == "proportional" and "sports_shoes" not in asked and "boots" not in asked
    assert asked.count("tshirt") / len(asked) == pytest.approx(0.9, abs=0.03)
    asked, mode = quality.sample_categories(CATS, ["boots"] * 5, 300, rng)
    assert mode == "uniform" and set(asked) == set(CATS)


def test_generate_images_in_batches_matches_one_call(monkeypatch):
    gen = _generator()
    whole = gen.sample(list(range(7)))
    monkeypatch.setattr(quality, "GENERATE_BATCH", 3)
    assert np.array_equal(quality.generate_images(gen, list(range(7))), whole)


def test_baseline_images():
    noise = quality.noise_images(50, 8, "gaussian", seed=1)
    assert noise.dtype == np.uint8 and noise.shape == (50, 8, 8, 3) and abs(noise.mean() - 127.5) < 3
    flat = np.full((2, 8, 8, 3), 77, np.uint8)
    assert np.array_equal(quality.blurred(flat, 2), flat)
    sharp = np.zeros((1, 8, 8, 3), np.uint8)
    sharp[:, :, 4:] = 255
    soft = quality.blurred(sharp, 1)
    assert soft.std() < sharp.std() and 0 < soft[0, 0, 4, 0] < 255 and soft[0, 0, 0, 0] == 0


@pytest.mark.parametrize(
    "change, message",
    [
        ({"real": "float"}, "must be uint8"),
        ({"real": "small"}, r"shape \(60, 8, 8, 3\)"),
        ({"kid_subset_size": 50}, r"KID subset size \(50\) is larger"),
        ({"real_labels": ["tshirt"]}, "60 real images but 1 real labels"),
        ({"n_images": 1}, "at least 2 generated images"),
    ],
)
def test_bad_inputs_are_one_line_errors(classifier, real, change, message):
    change = dict(change)
    images, labels = real
    kind = change.pop("real", None)
    if kind == "float":
        images = images.astype(np.float32)
    elif kind == "small":
        images = np.ascontiguousarray(images[:, :8, :8])
    kwargs = {"n_images": 20, "real_labels": labels, **change}
    with pytest.raises(LookbookError, match=message):
        quality.evaluate_generator(_generator(), classifier, images, **kwargs)


def _embedding(features, labels):
    from lookbook.metrics.embedding import Embedding

    probs = np.eye(len(CATS), dtype=np.float32)[[CATS.index(label) for label in labels]]
    return Embedding(features=np.asarray(features, np.float32), probabilities=probs, categories=CATS)


def test_per_category_names_the_collapsed_and_the_mislabelled_category():
    from lookbook.metrics.registry import SampleSet

    rng = np.random.default_rng(0)
    real = SampleSet(_embedding(rng.normal(size=(40, 8)), ["jeans", "tshirt"] * 20))
    # jeans: one image repeated, labelled right; tshirt: as varied as real, labelled jeans half the time
    feats = np.concatenate([np.ones((10, 8)), rng.normal(size=(10, 8))])
    said = ["jeans"] * 10 + ["tshirt", "jeans"] * 5
    compared = SampleSet(_embedding(feats, said), ["jeans"] * 10 + ["tshirt"] * 10)
    rows = quality.per_category(real, compared, CATS)
    assert rows["jeans"] == {"images": 10, "asked_for": 1.0, "diversity": 0.0}
    assert rows["tshirt"]["asked_for"] == 0.5 and 0.7 < rows["tshirt"]["diversity"] < 1.3
