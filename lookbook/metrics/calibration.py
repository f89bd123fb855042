"""Confidence calibration: the softmax temperature that makes a classifier's confidences honest, and how far off they are.

A classifier trained with label smoothing is under-confident (its top probability sits below its accuracy), which
would make "recognisable" (confidence >= 0.8) undercount. One temperature T, fitted on held-out images by
minimising the negative log-likelihood, fixes the scale without changing any prediction (Guo et al. 2017).

Before it, an optional prior correction (logit adjustment, Menon et al. 2021): the catalogue has 2.6 heels for every
flat, so a network trained on it calls an ambiguous low shoe "heels". The lookbook asks for every category equally
often, so the judge divides out the training split's category shares, p / share^a (renormalised), with the strength
a in [0, 1] fitted on the same held-out images. a = 1 would treat the categories as equally likely; near-duplicate
pairs then flip the other way. So a minimises the mean of two log-likelihoods, over images and per category (a prior
halfway between the catalogue's and a uniform one): smooth in a, so a few hundred images pin it down, where counting
right answers per category would jump with every image.
"""

from __future__ import annotations

import numpy as np

from lookbook.models.artifacts import apply_prior_correction, apply_temperature

ECE_BINS = 15
T_RANGE = (0.05, 20.0)  # search interval of the temperature
PRIOR_STRENGTHS = tuple(i / 20 for i in range(21))  # candidate strengths a of the prior correction, 0..1


def negative_log_likelihood(probabilities: np.ndarray, true_ids: np.ndarray) -> float:
    """Mean -log p(true class)."""
    return float(_nll(probabilities, true_ids).mean())


def _nll(probabilities: np.ndarray, true_ids: np.ndarray) -> np.ndarray:
    """-log p(true class) of each image."""
    return -np.log(np.clip(probabilities[np.arange(len(true_ids)), true_ids], 1e-12, 1.0))


def fit_temperature(probabilities: np.ndarray, true_ids: np.ndarray, iterations: int = 60) -> float:
    """The temperature minimising the NLL of `probabilities` (n, k) for the true class ids (n,): golden-section on log T."""
    if len(true_ids) == 0:
        return 1.0
    lo, hi = np.log(T_RANGE[0]), np.log(T_RANGE[1])
    # Our own golden section: scipy.optimize.minimize_scalar would do, but scipy is not a dependency for one search.
    ratio = (np.sqrt(5.0) - 1.0) / 2.0

    def loss(log_t: float) -> float:
        return negative_log_likelihood(apply_temperature(probabilities, float(np.exp(log_t))), true_ids)

    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = loss(a), loss(b)
    for _ in range(iterations):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = loss(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = loss(b)
    return float(np.exp((lo + hi) / 2.0))


def expected_calibration_error(confidences: np.ndarray, correct: np.ndarray, bins: int = ECE_BINS) -> float:
    """Mean |accuracy - confidence| over equal-width confidence bins, weighted by the share of images in each."""
    confidences, correct = np.asarray(confidences, float), np.asarray(correct, float)
    if len(confidences) == 0:
        return 0.0
    which = np.minimum((confidences * bins).astype(int), bins - 1)
    total = 0.0
    for b in np.unique(which):
        inside = which == b
        total += inside.sum() * abs(correct[inside].mean() - confidences[inside].mean())
    return float(total / len(confidences))


def prior_log_bias(train_counts: np.ndarray, strength: float) -> np.ndarray:
    """Per-category log-probability offsets -a * log(share) of a prior correction (counts + 1, so no share is 0)."""
    counts = np.asarray(train_counts, float) + 1.0
    return (-strength * np.log(counts / counts.sum())).astype(np.float32)


def fit_prior_strength(probabilities: np.ndarray, true_ids: np.ndarray, train_counts: np.ndarray) -> float:
    """The strength a of the prior correction for held-out `probabilities` (n, k) with true class ids (n,): the one
    minimising the mean of the NLL and the per-category mean NLL, each a with its own temperature; ties go to the
    weaker correction, so 0 when nothing is gained."""
    if len(true_ids) == 0:
        return 0.0
    classes = np.unique(true_ids)
    best, best_loss = 0.0, np.inf
    for a in PRIOR_STRENGTHS:
        adjusted = apply_prior_correction(probabilities, prior_log_bias(train_counts, a))
        scaled = apply_temperature(adjusted, fit_temperature(adjusted, true_ids))
        nll = _nll(scaled, true_ids)
        loss = (nll.mean() + np.mean([nll[true_ids == c].mean() for c in classes])) / 2.0
        if loss < best_loss - 1e-9:
            best, best_loss = a, loss
    return float(best)
