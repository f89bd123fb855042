"""Recognisability, class coverage and mix, and conditional accuracy on hand-made labels."""

from __future__ import annotations

import numpy as np
import pytest

from lookbook.metrics.coverage import class_coverage, conditional_accuracy, normalised_entropy, recognisability

CATS = ["tshirt", "jeans", "heels", "handbag"]


def test_recognisability_counts_confident_labels():
    assert recognisability(np.array([0.9, 0.8, 0.79, 0.2])) == pytest.approx(0.5)
    assert recognisability(np.array([0.9, 0.5]), threshold=0.4) == 1.0


def test_normalised_entropy_bounds():
    assert normalised_entropy(np.array([0.25] * 4)) == pytest.approx(1.0)
    assert normalised_entropy(np.array([1.0, 0, 0, 0])) == 0.0
    assert 0 < normalised_entropy(np.array([0.7, 0.1, 0.1, 0.1])) < 1


def test_class_coverage_flags_mode_collapse():
    reference = ["tshirt", "jeans", "heels", "handbag"] * 5
    collapsed = class_coverage(["jeans"] * 20, np.full(20, 0.95), CATS, reference_labels=reference)
    assert collapsed == {"n_categories": 1.0, "coverage": 0.25, "entropy": 0.0, "mix_tv": pytest.approx(0.75)}
    varied = class_coverage(reference, np.full(20, 0.95), CATS, reference_labels=reference)
    assert varied["n_categories"] == 4 and varied["coverage"] == 1.0 and varied["mix_tv"] == 0.0
    assert varied["entropy"] == pytest.approx(1.0)


def test_class_coverage_counts_only_confident_categories():
    labels = ["tshirt", "jeans", "heels"]
    out = class_coverage(labels, np.array([0.9, 0.85, 0.3]), CATS)
    assert out["n_categories"] == 2 and out["coverage"] == 0.5 and "mix_tv" not in out


def test_conditional_accuracy_skips_categories_the_classifier_does_not_know():
    asked = ["tshirt", "tshirt", "jeans", "boots"]
    seen = ["tshirt", "jeans", "jeans", "boots"]
    out = conditional_accuracy(asked, seen, known=CATS)
    assert out["conditional_accuracy"] == pytest.approx(2 / 3)
    assert out["n_asked"] == 3
    assert out["per_class"] == {"jeans": 1.0, "tshirt": 0.5}
