"""Registry of generation-quality metrics (after stylegan3's `metrics/metric_main.py`): name -> function of two sample sets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lookbook.errors import LookbookError
from lookbook.metrics import coverage
from lookbook.metrics.diversity import within_class_diversity
from lookbook.metrics.embedding import Embedding
from lookbook.metrics.frechet import frechet_feature_distance
from lookbook.metrics.kernel import kernel_distance


@dataclass(frozen=True)
class MetricOptions:
    """Settings shared by every metric."""

    kid_subset_size: int = 1000  # images per KID subset (from each set)
    kid_subsets: int = 100  # random subsets KID averages over
    confidence_threshold: float = coverage.CONFIDENT  # softmax probability at which a label counts as recognised
    seed: int = 0  # seeds the KID subsets


@dataclass
class SampleSet:
    """A set of images as the classifier sees them, plus what each image should be (when known)."""

    embedding: Embedding
    asked: list[str] | None = None  # category asked of a conditional generator, or the true label of a real image


Metric = Callable[[SampleSet, SampleSet, MetricOptions], dict[str, float]]
_METRICS: dict[str, Metric] = {}


def register_metric(name: str) -> Callable[[Metric], Metric]:
    """Decorator: make `fn(reference, compared, options) -> {key: value}` available as metric `name`."""

    def add(fn: Metric) -> Metric:
        _METRICS[name] = fn
        return fn

    return add


def list_metrics() -> list[str]:
    """Names of the registered metrics, in registration order."""
    return list(_METRICS)


def compute_metrics(
    reference: SampleSet, compared: SampleSet, options: MetricOptions = MetricOptions(), names: list[str] | None = None
) -> dict[str, float]:
    """All (or the `names`d) metrics of `compared` against `reference`, merged into one flat dict."""
    unknown = sorted(set(names or []) - set(_METRICS))
    if unknown:
        raise LookbookError(f"unknown metric(s) {', '.join(unknown)} (known: {', '.join(_METRICS)})")
    out: dict[str, float] = {}
    for name in names or list(_METRICS):
        out.update(_METRICS[name](reference, compared, options))
    return out


@register_metric("fcd")
def _fcd(reference: SampleSet, compared: SampleSet, options: MetricOptions) -> dict[str, float]:
    """Frechet classifier distance: lower is closer to the real images."""
    return {"fcd": frechet_feature_distance(reference.embedding.features, compared.embedding.features)}


@register_metric("kid")
def _kid(reference: SampleSet, compared: SampleSet, options: MetricOptions) -> dict[str, float]:
    """Kernel distance in the classifier's features (unbiased; about 0 for one distribution)."""
    mean, std = kernel_distance(
        reference.embedding.features, compared.embedding.features, options.kid_subset_size, options.kid_subsets, options.seed
    )
    return {"kid": mean, "kid_std": std}


@register_metric("recognisability")
def _recognisability(reference: SampleSet, compared: SampleSet, options: MetricOptions) -> dict[str, float]:
    """Share of images the classifier labels with confidence >= the threshold."""
    return {"recognisability": coverage.recognisability(compared.embedding.confidences, options.confidence_threshold)}


@register_metric("coverage")
def _coverage(reference: SampleSet, compared: SampleSet, options: MetricOptions) -> dict[str, float]:
    """Categories shown, entropy of their mix, and distance to the real mix (the mode-collapse alarm)."""
    emb = compared.embedding
    return coverage.class_coverage(
        emb.labels,
        emb.confidences,
        emb.categories,
        reference_labels=reference.embedding.labels,
        threshold=options.confidence_threshold,
    )


@register_metric("diversity")
def _diversity(reference: SampleSet, compared: SampleSet, options: MetricOptions) -> dict[str, float]:
    """Within-class spread against the real images' (1 = as varied as real, 0 = one image per category).

    Images are grouped by the category asked for (a conditional generator) or else by their label."""
    return within_class_diversity(
        reference.embedding.features,
        reference.asked if reference.asked is not None else reference.embedding.labels,
        compared.embedding.features,
        compared.asked if compared.asked is not None else compared.embedding.labels,
        seed=options.seed,
    )


@register_metric("conditional_accuracy")
def _conditional_accuracy(reference: SampleSet, compared: SampleSet, options: MetricOptions) -> dict[str, Any]:
    """Share classified as the category asked for (only when the compared set says what each image should be)."""
    if compared.asked is None:
        return {}
    result = coverage.conditional_accuracy(compared.asked, compared.embedding.labels, known=compared.embedding.categories)
    return {"conditional_accuracy": result["conditional_accuracy"]}
