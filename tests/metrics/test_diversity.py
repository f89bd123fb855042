"""Within-class diversity: about 1 for two samples of one distribution, 0 for a generator that repeats itself."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lookbook.metrics import diversity
from lookbook.metrics.embedding import Embedding
from lookbook.metrics.registry import MetricOptions, SampleSet, compute_metrics


def _clusters(n_per_class: int, seed: int, spread: float = 1.0) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    centres = {"shirt": np.zeros(8), "jeans": np.full(8, 10.0)}
    feats = [centres[c] + spread * rng.standard_normal(8) for c in centres for _ in range(n_per_class)]
    return np.array(feats), [c for c in centres for _ in range(n_per_class)]


def test_mean_pairwise_distance_of_known_points():
    assert diversity.mean_pairwise_distance(np.array([[0.0, 0.0], [3.0, 4.0]])) == pytest.approx(5.0)
    assert math.isnan(diversity.mean_pairwise_distance(np.zeros((1, 2))))


def _score(ref: np.ndarray, ref_groups: list[str], feats: np.ndarray, groups: list[str]) -> float:
    return diversity.within_class_diversity(ref, ref_groups, feats, groups)["within_class_diversity"]


def test_same_distribution_scores_about_one_and_repeats_score_zero():
    ref, ref_groups = _clusters(150, seed=0)
    same, groups = _clusters(150, seed=1)
    assert _score(ref, ref_groups, same, groups) == pytest.approx(1.0, abs=0.05)
    narrow, _ = _clusters(150, seed=1, spread=0.25)
    assert _score(ref, ref_groups, narrow, groups) == pytest.approx(0.25, abs=0.03)
    repeated = np.repeat(same[[0, 150]], 150, axis=0)  # one image per category, over and over
    assert _score(ref, ref_groups, repeated, groups) == 0.0


def test_categories_seen_once_or_only_on_one_side_are_left_out():
    ref, ref_groups = _clusters(10, seed=0)
    assert math.isnan(_score(ref, ref_groups, ref[:1], ["shirt"]))
    # the reference knows shirts only; the compared "shirts" span both clusters, its "hats" have no reference
    assert _score(ref[:10], ref_groups[:10], ref, ["shirt"] * 18 + ["hat"] * 2) > 1.5


def test_registered_metric_groups_a_conditional_set_by_what_was_asked():
    feats, groups = _clusters(20, seed=0)
    probs = np.zeros((40, 2), np.float32)
    probs[:, 0] = 1.0  # the classifier calls everything a shirt
    emb = Embedding(feats.astype(np.float32), probs, ["shirt", "jeans"])
    by_label = compute_metrics(SampleSet(emb), SampleSet(emb), MetricOptions(), ["diversity"])
    by_asked = compute_metrics(SampleSet(emb, groups), SampleSet(emb, groups), MetricOptions(), ["diversity"])
    assert by_asked["within_class_diversity"] == pytest.approx(1.0)
    assert by_label["within_class_diversity"] == pytest.approx(1.0)  # one group on both sides, the same images
