"""Kernel distance (KID): unbiased squared MMD with a cubic polynomial kernel, averaged over random subsets."""

from __future__ import annotations

import numpy as np

from lookbook.errors import LookbookError


def polynomial_mmd(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased squared MMD of two equal-size sets (m, d) under k(a, b) = (a.b / d + 1)^3."""
    m, d = x.shape
    k_xx = (x @ x.T / d + 1.0) ** 3
    k_yy = (y @ y.T / d + 1.0) ** 3
    k_xy = (x @ y.T / d + 1.0) ** 3
    # the unbiased estimator leaves out each point's kernel with itself
    within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return float(within - 2.0 * k_xy.sum() / (m * m))


def kernel_distance(
    features_a: np.ndarray, features_b: np.ndarray, subset_size: int = 1000, n_subsets: int = 100, seed: int = 0
) -> tuple[float, float]:
    """(mean, std) of the unbiased polynomial MMD^2 over `n_subsets` random subsets of `subset_size` from each set.

    Same estimator as stylegan3's `metrics/kernel_inception_distance.py`; about 0 (and possibly negative) when
    both sets come from one distribution.
    """
    a, b = np.asarray(features_a, np.float64), np.asarray(features_b, np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise LookbookError(f"KID needs two feature sets of one dimension, got {a.shape} and {b.shape}")
    if subset_size < 2:
        raise LookbookError(f"the KID subset size must be at least 2, got {subset_size}")
    if subset_size > min(len(a), len(b)):
        raise LookbookError(
            f"the KID subset size ({subset_size}) is larger than the image sets ({len(a)} and {len(b)} images); "
            "use more images or a smaller subset size"
        )
    if n_subsets < 1:
        raise LookbookError(f"KID needs at least one subset, got {n_subsets}")
    rng = np.random.default_rng(seed)
    values = [
        polynomial_mmd(a[rng.choice(len(a), subset_size, replace=False)], b[rng.choice(len(b), subset_size, replace=False)])
        for _ in range(n_subsets)
    ]
    return float(np.mean(values)), float(np.std(values))
