"""Kernel distance (KID): unbiased squared MMD with a cubic polynomial kernel, averaged over random subsets."""

from __future__ import annotations

import numpy as np

from lookbook.errors import LookbookError

# Up to this many vectors per set, the three kernel matrices are computed once (n^2 floats each) and every subset
# sums a block of them; above it, each subset computes its own kernels as stylegan3 does (less memory, more time).
FULL_KERNEL_MAX = 4096


def _kernel(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def polynomial_mmd(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased squared MMD of two equal-size sets (m, d) under k(a, b) = (a.b / d + 1)^3."""
    m = len(x)
    k_xx, k_yy, k_xy = _kernel(x, x), _kernel(y, y), _kernel(x, y)
    # the unbiased estimator leaves out each point's kernel with itself
    within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return float(within - 2.0 * k_xy.sum() / (m * m))


def kernel_distance(
    features_a: np.ndarray, features_b: np.ndarray, subset_size: int = 1000, n_subsets: int = 100, seed: int = 0
) -> tuple[float, float]:
    """(mean, std) of the unbiased polynomial MMD^2 over `n_subsets` random subsets of `subset_size` from each set.

    The estimator of stylegan3's `metrics/kernel_inception_distance.py`; about 0 (and possibly negative) when
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
    picks = [
        (rng.choice(len(a), subset_size, replace=False), rng.choice(len(b), subset_size, replace=False)) for _ in range(n_subsets)
    ]
    if max(len(a), len(b)) <= FULL_KERNEL_MAX:
        values = _subset_mmds(a, b, picks)
    else:
        values = np.array([polynomial_mmd(a[ia], b[ib]) for ia, ib in picks])
    return float(np.mean(values)), float(np.std(values))


def _subset_mmds(a: np.ndarray, b: np.ndarray, picks: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Every subset's MMD^2 from the full kernel matrices: block sums as w^T K w with 0/1 subset indicators w."""
    m = len(picks[0][0])
    w_a = np.zeros((len(a), len(picks)))
    w_b = np.zeros((len(b), len(picks)))
    for s, (ia, ib) in enumerate(picks):
        w_a[ia, s] = 1.0
        w_b[ib, s] = 1.0
    k_aa, k_bb, k_ab = _kernel(a, a), _kernel(b, b), _kernel(a, b)
    within_a = (w_a * (k_aa @ w_a)).sum(axis=0) - np.diag(k_aa) @ w_a
    within_b = (w_b * (k_bb @ w_b)).sum(axis=0) - np.diag(k_bb) @ w_b
    across = (w_a * (k_ab @ w_b)).sum(axis=0)
    return (within_a + within_b) / (m * (m - 1)) - 2.0 * across / (m * m)
