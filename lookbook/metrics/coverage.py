"""Label-based quality: recognisability, class coverage and mix (the mode-collapse alarm), conditional accuracy."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

CONFIDENT = 0.8  # a label counts as recognised at this softmax probability or above
WEAK_CATEGORY = 0.5  # a category a conditional generator fails: under half its garments labelled as asked


def recognisability(confidences: np.ndarray, threshold: float = CONFIDENT) -> float:
    """Share of images whose top label has probability >= `threshold` (NaN for no images)."""
    conf = np.asarray(confidences, np.float64)
    return float(np.mean(conf >= threshold)) if len(conf) else float("nan")


def label_mix(labels: Sequence[str], categories: Sequence[str]) -> np.ndarray:
    """Share of all images carrying each of `categories`, in that order."""
    counts = Counter(labels)
    total = max(len(labels), 1)
    return np.array([counts.get(c, 0) / total for c in categories], np.float64)


def normalised_entropy(shares: np.ndarray) -> float:
    """Entropy of a distribution divided by log(its length): 1 = uniform mix, 0 = one category only."""
    p = np.asarray(shares, np.float64)
    if len(p) < 2 or p.sum() <= 0:
        return 0.0
    p = p / p.sum()
    nz = p[p > 0]
    return float(-(nz * np.log(nz)).sum() / np.log(len(p)))


def class_coverage(
    labels: Sequence[str],
    confidences: np.ndarray,
    categories: Sequence[str],
    reference_labels: Sequence[str] | None = None,
    threshold: float = CONFIDENT,
) -> dict[str, float]:
    """How many categories the images show, and how their mix compares with a reference set's.

    - n_categories: categories at least one image is labelled as with confidence >= `threshold`;
    - coverage: that count over the categories the reference shows (or all `categories` without a reference);
    - entropy: normalised entropy of the label mix over all `categories` (0 = every image one category);
    - mix_tv: total-variation distance between the label mix and the reference's (0 = same mix, 1 = disjoint).
    """
    conf = np.asarray(confidences, np.float64)
    confident = {lab for lab, c in zip(labels, conf) if c >= threshold}
    expected = set(reference_labels) & set(categories) if reference_labels is not None else set(categories)
    mix = label_mix(labels, categories)
    out = {
        "n_categories": len(confident),
        "coverage": float(len(confident & expected) / len(expected)) if expected else float("nan"),
        "entropy": normalised_entropy(mix),
    }
    if reference_labels is not None:
        out["mix_tv"] = float(0.5 * np.abs(mix - label_mix(reference_labels, categories)).sum())
    return out


def conditional_accuracy(asked: Sequence[str], predicted: Sequence[str], known: Sequence[str] | None = None) -> dict[str, Any]:
    """Share of images classified as the category asked for; asks outside `known` (the classifier's labels) are left out.

    Returns {"conditional_accuracy", "n_asked", "per_class": {category: share}}.
    """
    known_set = set(known) if known is not None else None
    keep = [(a, p) for a, p in zip(asked, predicted) if known_set is None or a in known_set]
    if not keep:
        return {"conditional_accuracy": float("nan"), "n_asked": 0, "per_class": {}}
    hits = np.array([a == p for a, p in keep])
    asked_kept = np.array([a for a, _ in keep])
    per_class = {c: float(hits[asked_kept == c].mean()) for c in sorted(set(asked_kept))}
    return {"conditional_accuracy": float(hits.mean()), "n_asked": len(keep), "per_class": per_class}
