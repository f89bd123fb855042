"""FCD and KID maths against closed forms and brute force."""

from __future__ import annotations

import numpy as np
import pytest

from lookbook.errors import LookbookError
from lookbook.metrics.frechet import feature_statistics, frechet_distance, frechet_feature_distance
from lookbook.metrics.kernel import kernel_distance, polynomial_mmd


def test_frechet_of_identical_sets_is_zero():
    x = np.random.default_rng(0).normal(size=(500, 16))
    assert frechet_feature_distance(x, x) == pytest.approx(0.0, abs=1e-8)


def test_frechet_closed_form_for_shifted_and_scaled_gaussians():
    d = 6
    mu_a, mu_b = np.zeros(d), np.arange(d, dtype=float)
    var_a, var_b = np.linspace(0.5, 2.0, d), np.linspace(3.0, 1.0, d)
    # diagonal covariances: ||mu_a - mu_b||^2 + sum (sqrt(var_a) - sqrt(var_b))^2
    expected = float((mu_b**2).sum() + ((np.sqrt(var_a) - np.sqrt(var_b)) ** 2).sum())
    assert frechet_distance(mu_a, np.diag(var_a), mu_b, np.diag(var_b)) == pytest.approx(expected, rel=1e-9)


def test_frechet_is_rotation_invariant_for_full_covariances():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(5, 5))
    sigma_a, sigma_b = a @ a.T + np.eye(5), np.diag(rng.uniform(0.5, 2, 5))
    q, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    mu = rng.normal(size=5)
    plain = frechet_distance(mu, sigma_a, np.zeros(5), sigma_b)
    rotated = frechet_distance(q @ mu, q @ sigma_a @ q.T, np.zeros(5), q @ sigma_b @ q.T)
    assert plain == pytest.approx(rotated, rel=1e-8)
    # commuting case check: equal covariances leave only the mean term
    assert frechet_distance(mu, sigma_a, np.zeros(5), sigma_a) == pytest.approx(float(mu @ mu), rel=1e-6)


def test_frechet_of_samples_approaches_the_closed_form():
    rng = np.random.default_rng(2)
    shift = np.array([1.0, -2.0, 0.5])
    a = rng.normal(size=(20000, 3))
    b = rng.normal(size=(20000, 3)) * 2.0 + shift
    expected = float(shift @ shift + 3 * (1.0 - 2.0) ** 2)  # 5.25 + 3
    assert frechet_feature_distance(a, b) == pytest.approx(expected, rel=0.03)


def test_feature_statistics_need_two_vectors():
    with pytest.raises(LookbookError, match="at least 2"):
        feature_statistics(np.zeros((1, 4)))


def test_polynomial_mmd_matches_a_brute_force_sum():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(7, 4)), rng.normal(loc=0.3, size=(7, 4))
    m, d = x.shape

    def k(a, b):
        return (a @ b / d + 1.0) ** 3

    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m)) / (m * m)
    assert polynomial_mmd(x, y) == pytest.approx(xx + yy - 2 * xy, rel=1e-10)


def test_kid_is_about_zero_for_one_distribution_and_positive_for_two():
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(600, 8)), rng.normal(size=(600, 8))
    same, same_std = kernel_distance(a, b, subset_size=200, n_subsets=50)
    shifted, _ = kernel_distance(a, b + 0.5, subset_size=200, n_subsets=50)
    assert abs(same) < 3 * same_std + 1e-3
    assert shifted > 10 * max(abs(same), same_std)


def test_kid_rejects_a_subset_larger_than_the_sets():
    a = np.zeros((10, 3))
    with pytest.raises(LookbookError, match=r"subset size \(20\) is larger"):
        kernel_distance(a, a, subset_size=20)


def test_kid_block_sums_match_per_subset_kernels(monkeypatch):
    from lookbook.metrics import kernel

    rng = np.random.default_rng(5)
    a, b = rng.normal(size=(120, 6)), rng.normal(loc=0.2, size=(90, 6))
    fast = kernel_distance(a, b, subset_size=50, n_subsets=7, seed=2)
    monkeypatch.setattr(kernel, "FULL_KERNEL_MAX", 0)
    assert kernel_distance(a, b, subset_size=50, n_subsets=7, seed=2) == pytest.approx(fast, rel=1e-9)
