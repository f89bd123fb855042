"""Temperature scaling and calibration error on synthetic predictions with a known answer."""

from __future__ import annotations

import numpy as np
import pytest

from lookbook.metrics.calibration import (
    expected_calibration_error,
    fit_prior_strength,
    fit_temperature,
    negative_log_likelihood,
    prior_log_bias,
)
from lookbook.models.artifacts import apply_prior_correction, apply_temperature


def _softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _honest_predictions(n=4000, k=6, seed=0):
    """Logits and true labels drawn from softmax(logits): probabilities that are calibrated at T = 1."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 2.0, (n, k))
    p = _softmax(logits)
    true = np.array([rng.choice(k, p=row) for row in p])
    return logits, true


@pytest.mark.parametrize("true_t", [0.5, 1.0, 2.5])
def test_fit_temperature_recovers_the_distortion(true_t):
    logits, true = _honest_predictions()
    distorted = _softmax(logits / (1.0 / true_t))  # sharpened (t > 1) or flattened (t < 1) by a known factor
    t = fit_temperature(distorted, true)
    assert t == pytest.approx(true_t, rel=0.1)
    fixed = apply_temperature(distorted, t)
    assert negative_log_likelihood(fixed, true) <= negative_log_likelihood(distorted, true) + 1e-9
    assert expected_calibration_error(fixed.max(1), fixed.argmax(1) == true) < 0.03


def test_apply_temperature_keeps_predictions_and_sums():
    logits, _ = _honest_predictions(n=50)
    p = _softmax(logits).astype(np.float32)
    assert apply_temperature(p, 1.0) is p
    for t in (0.3, 2.0):
        q = apply_temperature(p, t)
        assert np.allclose(q.sum(1), 1.0, atol=1e-5) and (q.argmax(1) == p.argmax(1)).all()
    # T < 1 sharpens, T > 1 flattens
    assert (apply_temperature(p, 0.5).max(1) >= p.max(1) - 1e-6).all()
    assert (apply_temperature(p, 2.0).max(1) <= p.max(1) + 1e-6).all()
    np.testing.assert_allclose(apply_temperature(p, 2.0), _softmax(logits / 2.0), atol=1e-5)


def test_calibration_error_scale():
    conf = np.full(1000, 0.9)
    assert expected_calibration_error(conf, np.arange(1000) < 900) == pytest.approx(0.0, abs=1e-9)
    assert expected_calibration_error(conf, np.zeros(1000, bool)) == pytest.approx(0.9)
    assert expected_calibration_error(np.zeros(0), np.zeros(0, bool)) == 0.0
    assert fit_temperature(np.zeros((0, 3)), np.zeros(0, int)) == 1.0


def test_the_prior_correction_undoes_a_catalogue_bias_on_balanced_images():
    # A network that learnt on 8:1 imbalanced data adds log(share) to honest logits; the held-out images are balanced.
    rng = np.random.default_rng(1)
    counts = np.array([800, 100, 400, 100])
    true = np.repeat(np.arange(4), 300)
    logits = rng.normal(0, 1.0, (len(true), 4))
    logits[np.arange(len(true)), true] += 1.5
    biased = _softmax(logits + np.log(counts / counts.sum()))
    a = fit_prior_strength(biased, true, counts)
    assert 0.5 <= a <= 1.0
    fixed = apply_prior_correction(biased, prior_log_bias(counts, a))
    recall = lambda p: [(p.argmax(1)[true == c] == c).mean() for c in range(4)]  # noqa: E731
    assert min(recall(fixed)) > min(recall(biased)) + 0.2 and np.mean(recall(fixed)) > np.mean(recall(biased))
    assert np.allclose(fixed.sum(1), 1.0, atol=1e-5)


def test_no_prior_correction_without_a_prior_to_undo():
    logits, true = _honest_predictions(n=600, k=4)
    p = _softmax(logits).astype(np.float32)
    # equal shares: every strength predicts alike, and ties go to none
    assert fit_prior_strength(p, true, np.full(4, 50)) == 0.0
    assert not prior_log_bias(np.array([5, 50, 500]), 0.0).any()
    assert apply_prior_correction(p, None) is p
    np.testing.assert_allclose(apply_prior_correction(p, np.zeros(4, np.float32)), p, atol=1e-6)
    assert fit_prior_strength(np.zeros((0, 4)), np.zeros(0, int), np.full(4, 50)) == 0.0
