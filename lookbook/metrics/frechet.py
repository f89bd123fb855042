"""Frechet distance between two feature sets, each modelled as a Gaussian (FCD in the classifier's feature space)."""

from __future__ import annotations

import numpy as np

from lookbook.errors import LookbookError


def feature_statistics(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean (d,) and covariance (d, d) of features (n, d), in float64."""
    x = np.asarray(features, np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise LookbookError(f"the Frechet distance needs at least 2 feature vectors, got shape {x.shape}")
    return x.mean(axis=0), np.cov(x, rowvar=False).reshape(x.shape[1], x.shape[1])


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    # eigh is exact for symmetric matrices; tiny negative eigenvalues are round-off
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def frechet_distance(mu_a: np.ndarray, sigma_a: np.ndarray, mu_b: np.ndarray, sigma_b: np.ndarray) -> float:
    """||mu_a - mu_b||^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2)), the squared 2-Wasserstein distance of two Gaussians.

    tr((S_a S_b)^(1/2)) is computed as tr((A^(1/2) S_b A^(1/2))^(1/2)) with A = S_a: the same eigenvalues, but a
    symmetric matrix, so no complex round-off (the trick scipy.linalg.sqrtm needs guarding against).
    """
    mu_a, mu_b = np.asarray(mu_a, np.float64), np.asarray(mu_b, np.float64)
    sigma_a, sigma_b = np.asarray(sigma_a, np.float64), np.asarray(sigma_b, np.float64)
    if mu_a.shape != mu_b.shape or sigma_a.shape != sigma_b.shape:
        raise LookbookError(f"feature sets differ in dimension: {mu_a.shape} vs {mu_b.shape}")
    root_a = _psd_sqrt(sigma_a)
    middle = root_a @ sigma_b @ root_a
    trace_sqrt = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum()
    diff = mu_a - mu_b
    value = diff @ diff + np.trace(sigma_a) + np.trace(sigma_b) - 2.0 * trace_sqrt
    return float(max(value, 0.0))


def frechet_feature_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """Frechet distance between the Gaussians fitted to two feature sets (n_a, d) and (n_b, d)."""
    return frechet_distance(*feature_statistics(features_a), *feature_statistics(features_b))
