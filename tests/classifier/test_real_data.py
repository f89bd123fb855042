"""Real sample data: a small classifier on real FPID product images, its report, its quality-metric baselines,
and its report on the real consumer photos (a different source sharing some categories)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lookbook.models.artifacts import load_classifier

pytestmark = [pytest.mark.fixtures, pytest.mark.slow]


@pytest.fixture(scope="module")
def fpid_run(fixtures_dir, tmp_path_factory):
    from lookbook.data.prepare import build_dataset
    from lookbook.data.sources import SourceSpec
    from lookbook.models.classifier_config import preset_config
    from lookbook.train.classifier_trainer import train_classifier

    root = tmp_path_factory.mktemp("real")
    ds = build_dataset(root / "fpid", [SourceSpec("fpid", str(fixtures_dir / "fpid"))], 32, max_per_source=900, workers=1)
    # a small, lightly augmented net: a few CPU seconds of training must already show learning
    small = [
        "conv_widths=16,32,64",
        "features_dim=64",
        "stem_stride=2",
        "epochs=8",
        "shift_frac=0.05",
        "zoom_frac=0.05",
        "colour_jitter=0",
    ]
    cfg = preset_config("cnn").with_overrides([*small, "min_images_per_class=25", "precision=mixed_bfloat16"])
    train_classifier(cfg, ds.root, root / "run")
    return ds, root / "run"


def test_classifier_learns_real_product_images(fpid_run):
    ds, run = fpid_run
    report = json.loads((run / "report.json").read_text())
    cats = report["categories"]
    counts = ds.index["category"].value_counts()
    majority = counts[cats].max() / counts[cats].sum()
    assert len(cats) >= 8 and "other" not in cats
    # far above always answering the most common category, after a few CPU seconds of training
    assert report["accuracy"]["test"] > majority + 0.25, (report["accuracy"], majority)
    assert sum(row["support"] for row in report["test"]["per_class"]) == report["n_images"]["test"]
    assert all(c["true"] != c["predicted"] for c in report["test"]["top_confusions"])


def test_quality_baselines_rank_real_above_blur_above_noise(fpid_run):
    from lookbook.metrics.quality import evaluate_images, noise_images

    ds, run = fpid_run
    classifier = load_classifier(run)
    out = evaluate_images(classifier, noise_images(300, 32, "uniform"), ds.images, seed=1)
    base = out["baselines"]
    assert base["real_vs_real"]["fcd"] < base["blurred_vs_real"]["fcd"] < base["noise_vs_real"]["fcd"]
    assert base["real_vs_real"]["kid"] < base["blurred_vs_real"]["kid"] < base["noise_vs_real"]["kid"]
    assert abs(base["real_vs_real"]["kid"]) < 3 * max(out["metrics"]["kid_std"], 1e-3) + 0.02
    assert base["real_vs_real"]["mix_tv"] < 0.15 < base["noise_vs_real"]["mix_tv"]
    # noise collapses onto a few categories; real photos spread over many (entropy is normalised to 0..1)
    assert base["real_vs_real"]["entropy"] > base["noise_vs_real"]["entropy"] + 0.2


def test_report_on_consumer_photos_counts_labels_it_does_not_know(fpid_run, fixtures_dir, tmp_path):
    from lookbook.data.prepare import build_dataset
    from lookbook.data.sources import SourceSpec
    from lookbook.metrics.classification import report_on_dataset

    _, run = fpid_run
    photos = build_dataset(
        tmp_path / "photos", [SourceSpec("folder", str(fixtures_dir / "clothing-folders"))], 32, max_per_source=200, workers=1
    )
    classifier = load_classifier(run)
    report = report_on_dataset(classifier, photos)
    known = set(classifier.categories)
    labels = photos.index["category"].to_numpy()
    assert report["n_images"] == int(np.isin(labels, list(known)).sum()) > 0
    assert set(report["excluded"]) == set(labels) - known and "shoes" in report["excluded"]
    assert 0 <= report["accuracy"] <= 1
