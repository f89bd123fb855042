"""Within-class diversity: do images of one category differ from each other as much as real ones do?

Class coverage catches a generator that makes too few categories; it cannot see one that makes a single image per
category (every reroll of a lookbook slot the same garment). This metric can: in the classifier's feature space,
the mean distance between two images of one category, generated against real, averaged over categories.
About 1 for real-vs-real, 0 for a generator that repeats itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MAX_PER_CLASS = 200  # images per category the pairwise distances are taken over (bounds the cost)


def mean_pairwise_distance(features: np.ndarray) -> float:
    """Mean Euclidean distance over all pairs of rows (NaN for fewer than two)."""
    x = np.asarray(features, np.float64)
    n = len(x)
    if n < 2:
        return float("nan")
    sq = (x * x).sum(axis=1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2.0 * x @ x.T, 0.0)
    return float(np.sqrt(d2)[np.triu_indices(n, k=1)].mean())


def class_spreads(
    features: np.ndarray, groups: Sequence[str], max_per_class: int = MAX_PER_CLASS, seed: int = 0
) -> dict[str, tuple[float, int]]:
    """{category: (mean pairwise feature distance, images)} for every category with at least two images."""
    groups = np.asarray(groups, dtype=object)
    rng = np.random.default_rng([seed, 11])
    out: dict[str, tuple[float, int]] = {}
    for category in sorted(set(groups.tolist())):
        rows = np.flatnonzero(groups == category)
        count = len(rows)
        if count < 2:
            continue
        if count > max_per_class:
            rows = np.sort(rng.choice(rows, max_per_class, replace=False))
        out[str(category)] = (mean_pairwise_distance(features[rows]), count)
    return out


def class_diversity(
    reference_features: np.ndarray,
    reference_groups: Sequence[str],
    features: np.ndarray,
    groups: Sequence[str],
    seed: int = 0,
) -> dict[str, tuple[float, int]]:
    """{category: (spread of the compared images / spread of the real ones, compared images)} for every category
    both sets have at least twice (and the real images vary in)."""
    real = class_spreads(reference_features, reference_groups, seed=seed)
    compared = class_spreads(features, groups, seed=seed)
    return {c: (spread / real[c][0], n) for c, (spread, n) in compared.items() if c in real and real[c][0] > 0}


def within_class_diversity(
    reference_features: np.ndarray,
    reference_groups: Sequence[str],
    features: np.ndarray,
    groups: Sequence[str],
    seed: int = 0,
) -> dict[str, float]:
    """{"within_class_diversity": `class_diversity` averaged over categories with weights = compared images per
    category}; NaN when no category is shared."""
    per_class = class_diversity(reference_features, reference_groups, features, groups, seed=seed)
    if not per_class:
        return {"within_class_diversity": float("nan")}
    ratios = np.array([ratio for ratio, _ in per_class.values()])
    weights = np.array([n for _, n in per_class.values()], np.float64)
    return {"within_class_diversity": float((ratios * weights).sum() / weights.sum())}
