"""Generation quality against real images, with real-vs-real, noise and blur baselines so a reader knows the scale.

Every set is compared with the same reference: a random half of the real images (at most `n_images` of them).
The other half is the real-vs-real baseline (the best a generator can hope for at this sample size); uniform
noise, Gaussian noise and blurred real images of the same count are the bad end. Features and labels come
from the classifier (`lookbook.metrics.embedding`); the metrics are those of `lookbook.metrics.registry`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from lookbook.errors import LookbookError
from lookbook.metrics import coverage
from lookbook.metrics.diversity import class_diversity
from lookbook.metrics.embedding import Embedding, Progress, check_images, embed
from lookbook.metrics.registry import MetricOptions, SampleSet, compute_metrics
from lookbook.models.artifacts import ClassifierHandle, GeneratorHandle

GENERATE_BATCH = 250  # latents per generator call: bounds the activations' memory
KID_MAX_SUBSET = 1000  # stylegan3's KID subset size; smaller sets use all their images per subset
BASELINES = ("real_vs_real", "noise_vs_real", "gaussian_noise_vs_real", "blurred_vs_real")


def evaluate_generator(
    generator: GeneratorHandle,
    classifier: ClassifierHandle,
    real_images_uint8: np.ndarray,
    n_images: int = 2000,
    seed: int = 0,
    real_labels: list[str] | None = None,
    *,
    kid_subset_size: int | None = None,
    kid_subsets: int = 100,
    confidence_threshold: float = coverage.CONFIDENT,
    baselines: bool | Sequence[str] = True,
    metrics: list[str] | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Quality of `n_images` images of `generator`, judged by `classifier` against real uint8 images (n, S, S, 3).

    A conditional generator is asked for categories in proportion to `real_labels` (uniformly when those are
    unknown or share no category with it), and its conditional accuracy is reported. Latents are a pure function
    of `seed`, so evaluating successive checkpoints with one seed compares like with like.
    Returns {"metrics", "baselines", "category_mix", "settings", "timing_s"} (see `evaluate_images`).
    """
    if generator.image_size_px != classifier.image_size_px:
        raise LookbookError(
            f"the generator makes {generator.image_size_px} px images but the classifier expects {classifier.image_size_px} px"
        )
    _check_inputs(classifier, real_images_uint8, real_labels, n_images, kid_subset_size)
    rng = np.random.default_rng([seed, 1])
    asked, sampling = None, "unconditional"
    if generator.conditional:
        asked, sampling = sample_categories(generator.categories, real_labels, n_images, rng)
    seeds = rng.choice(2**31 - 1, size=n_images, replace=False).tolist()
    ticker = _Ticker(progress, n_images + _embed_count(len(real_images_uint8), n_images, _baseline_names(baselines)))
    start = time.perf_counter()
    images = generate_images(generator, seeds, asked, progress=ticker.stage(0))
    generate_s = time.perf_counter() - start
    result = evaluate_images(
        classifier,
        images,
        real_images_uint8,
        asked=asked,
        real_labels=real_labels,
        seed=seed,
        kid_subset_size=kid_subset_size,
        kid_subsets=kid_subsets,
        confidence_threshold=confidence_threshold,
        baselines=baselines,
        metrics=metrics,
        progress=ticker.stage(n_images),
    )
    result["settings"].update({"generator": str(generator.path), "conditional": generator.conditional, "sampling": sampling})
    result["timing_s"] = {"generate": generate_s, **result["timing_s"], "total": time.perf_counter() - start}
    return result


def evaluate_images(
    classifier: ClassifierHandle,
    images_uint8: np.ndarray,
    real_images_uint8: np.ndarray,
    *,
    asked: Sequence[str] | None = None,
    real_labels: Sequence[str] | None = None,
    seed: int = 0,
    kid_subset_size: int | None = None,
    kid_subsets: int = 100,
    confidence_threshold: float = coverage.CONFIDENT,
    baselines: bool | Sequence[str] = True,
    metrics: list[str] | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Quality metrics of any image set (e.g. generated) against real images, plus the baselines.

    `asked` (one category per image) enables conditional accuracy; `real_labels` (one per real image) gives the
    real-vs-real baseline its conditional accuracy and steers nothing else. Returns:
    - "metrics": {"fcd", "kid", "kid_std", "recognisability", "n_categories", "coverage", "entropy", "mix_tv",
      "within_class_diversity"}
      (+ "conditional_accuracy" with `asked`);
    - "baselines": the same keys for each of BASELINES (`baselines=True`), of the ones named, or of none (False);
    - "category_mix": share of each category the classifier sees in the images and in the reference;
    - "per_category" (with `asked`, see `per_category`), "settings", "timing_s".
    """
    n = len(images_uint8)
    check_images(images_uint8, classifier.image_size_px, "generated images")
    if asked is not None and len(asked) != n:
        raise LookbookError(f"{n} images but {len(asked)} asked-for categories")
    _check_inputs(classifier, real_images_uint8, real_labels, n, kid_subset_size)
    start = time.perf_counter()
    ref_rows, held_rows = reference_split(len(real_images_uint8), n, seed)
    subset = kid_subset_size or min(KID_MAX_SUBSET, len(ref_rows), n, len(held_rows))
    options = MetricOptions(kid_subset_size=subset, kid_subsets=kid_subsets, confidence_threshold=confidence_threshold, seed=seed)
    names = _baseline_names(baselines)
    ticker = _Ticker(progress, _embed_count(len(real_images_uint8), n, names))

    reference = SampleSet(embed(classifier, real_images_uint8, rows=ref_rows, progress=ticker.stage(0)))
    done = len(ref_rows)
    compared = SampleSet(embed(classifier, images_uint8, progress=ticker.stage(done)), list(asked) if asked is not None else None)
    done += n
    sets = _baseline_sets(classifier, real_images_uint8, held_rows, real_labels, asked, seed, ticker, done, names)
    embed_s = time.perf_counter() - start

    start = time.perf_counter()
    result: dict[str, Any] = {
        "metrics": compute_metrics(reference, compared, options, metrics),
        "baselines": {name: compute_metrics(reference, s, options, metrics) for name, s in sets.items()},
        "category_mix": _category_mix(compared.embedding, reference.embedding),
    }
    if asked is not None:
        result["per_category"] = per_category(reference, compared, classifier.categories, seed)
    result["settings"] = {
        "classifier": str(classifier.path),
        "image_size_px": classifier.image_size_px,
        "feature_dim": int(compared.embedding.features.shape[1]),
        "n_generated": n,
        "n_reference": len(ref_rows),
        "n_baseline": len(held_rows),
        "n_real_available": len(real_images_uint8),
        "kid_subset_size": subset,
        "kid_subsets": kid_subsets,
        "confidence_threshold": confidence_threshold,
        "seed": seed,
    }
    result["timing_s"] = {"embed": embed_s, "metrics": time.perf_counter() - start}
    return result


def per_category(reference: SampleSet, compared: SampleSet, known: Sequence[str], seed: int = 0) -> dict[str, dict[str, Any]]:
    """{category asked for: {"images", "asked_for": share labelled as asked, "diversity": within-class spread against
    the real images labelled so (None when the real half has fewer than two)}}: where a conditional generator fails."""
    asked = list(compared.asked or [])
    shares = coverage.conditional_accuracy(asked, compared.embedding.labels, known=known)["per_class"]
    spreads = class_diversity(reference.embedding.features, reference.embedding.labels, compared.embedding.features, asked, seed)
    counts = Counter(asked)
    return {
        c: {"images": counts[c], "asked_for": share, "diversity": spreads[c][0] if c in spreads else None}
        for c, share in shares.items()
    }


def _check_inputs(
    classifier: ClassifierHandle, real: np.ndarray, real_labels: Sequence[str] | None, n_images: int, kid_subset_size: int | None
) -> None:
    check_images(real, classifier.image_size_px, "real images")
    if real_labels is not None and len(real_labels) != len(real):
        raise LookbookError(f"{len(real)} real images but {len(real_labels)} real labels")
    if len(real) < 4:
        raise LookbookError(f"quality metrics need at least 4 real images (two halves of 2), got {len(real)}")
    if n_images < 2:
        raise LookbookError(f"quality metrics need at least 2 generated images, got {n_images}")
    available = min(len(real) // 2, n_images)
    if kid_subset_size is not None and kid_subset_size > available:
        raise LookbookError(
            f"the KID subset size ({kid_subset_size}) is larger than the image sets allow ({available}: min of {n_images} "
            f"generated and half of {len(real)} real images); use more images or a smaller subset size"
        )


def reference_split(n_real: int, n_images: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(reference rows, held-out rows): two disjoint random halves of the real images, each at most `n_images`, sorted."""
    half = min(n_real // 2, n_images)
    order = np.random.default_rng([seed, 0]).permutation(n_real)
    return np.sort(order[:half]), np.sort(order[half : 2 * half])


def sample_categories(
    categories: Sequence[str], real_labels: Sequence[str] | None, n: int, rng: np.random.Generator
) -> tuple[list[str], str]:
    """`n` categories to ask a conditional generator for, and how they were drawn ("proportional" or "uniform")."""
    counts = Counter(label for label in (real_labels or []) if label in set(categories))
    if counts:
        p = np.array([counts.get(c, 0) for c in categories], np.float64)
        mode = "proportional"
    else:
        p = np.ones(len(categories))
        mode = "uniform"
    picks = rng.choice(len(categories), size=n, p=p / p.sum())
    return [categories[i] for i in picks], mode


def generate_images(
    generator: GeneratorHandle, seeds: Sequence[int], categories: Sequence[str] | None = None, progress: Progress | None = None
) -> np.ndarray:
    """uint8 images (n, S, S, 3) for `seeds` (and `categories` when conditional), made GENERATE_BATCH at a time."""
    n = len(seeds)
    out = np.empty((n, generator.image_size_px, generator.image_size_px, 3), np.uint8)
    for start in range(0, n, GENERATE_BATCH):
        stop = min(start + GENERATE_BATCH, n)
        cats = list(categories[start:stop]) if categories is not None else None
        out[start:stop] = generator.sample(list(seeds[start:stop]), cats)
        if progress:
            progress(stop, n)
    return out


def noise_images(n: int, image_size_px: int, kind: str, seed: int = 0) -> np.ndarray:
    """uint8 noise images: "uniform" (every value equally likely) or "gaussian" (mid-grey, sd 64, clipped)."""
    rng = np.random.default_rng([seed, 2 if kind == "uniform" else 3])
    shape = (n, image_size_px, image_size_px, 3)
    if kind == "uniform":
        return rng.integers(0, 256, shape, dtype=np.uint8)
    if kind == "gaussian":
        return np.clip(rng.normal(127.5, 64.0, shape), 0, 255).astype(np.uint8)
    raise ValueError(f"unknown noise kind {kind!r}")


def blurred(images_uint8: np.ndarray, radius_px: int) -> np.ndarray:
    """Images box-blurred twice (close to a Gaussian of sd ~ radius) with `radius_px` on each side; edges repeat."""
    x = np.asarray(images_uint8, np.float32)
    for _ in range(2):
        for axis in (1, 2):
            x = _box(x, radius_px, axis)
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)


def _box(x: np.ndarray, r: int, axis: int) -> np.ndarray:
    pad = [(0, 0)] * x.ndim
    pad[axis] = (r + 1, r)
    c = np.cumsum(np.pad(x, pad, mode="edge"), axis=axis, dtype=np.float64)
    # the first padded value is dropped by the difference: sum over a window of 2r+1 values
    hi = np.take(c, np.arange(2 * r + 1, c.shape[axis]), axis=axis)
    lo = np.take(c, np.arange(0, c.shape[axis] - 2 * r - 1), axis=axis)
    return ((hi - lo) / (2 * r + 1)).astype(np.float32)


def _baseline_sets(
    classifier: ClassifierHandle,
    real: np.ndarray,
    held_rows: np.ndarray,
    real_labels: Sequence[str] | None,
    asked: Sequence[str] | None,
    seed: int,
    ticker: _Ticker,
    done: int,
    names: Sequence[str],
) -> dict[str, SampleSet]:
    s, m = classifier.image_size_px, len(held_rows)
    if not names:
        return {}
    held_images = np.asarray(real[held_rows])
    # what noise "asks for" is a random draw from the same mix: conditional accuracy at chance level
    noise_asked = None
    if asked is not None:
        noise_asked = [asked[i] for i in np.random.default_rng([seed, 4]).integers(0, len(asked), m)]
    real_asked = [str(real_labels[i]) for i in held_rows] if real_labels is not None and asked is not None else None
    sources = {
        "real_vs_real": (lambda: held_images, real_asked),
        "noise_vs_real": (lambda: noise_images(m, s, "uniform", seed), noise_asked),
        "gaussian_noise_vs_real": (lambda: noise_images(m, s, "gaussian", seed), noise_asked),
        "blurred_vs_real": (lambda: blurred(held_images, max(1, s // 32)), real_asked),
    }
    sets = {}
    for name in names:
        make, name_asked = sources[name]
        sets[name] = SampleSet(embed(classifier, make(), progress=ticker.stage(done)), name_asked)
        done += m
    return sets


def _category_mix(generated: Embedding, reference: Embedding) -> dict[str, dict[str, float]]:
    cats = generated.categories
    gen = coverage.label_mix(generated.labels, cats)
    ref = coverage.label_mix(reference.labels, cats)
    keep = [i for i in range(len(cats)) if gen[i] > 0 or ref[i] > 0]
    return {"generated": {cats[i]: float(gen[i]) for i in keep}, "real": {cats[i]: float(ref[i]) for i in keep}}


def _baseline_names(baselines: bool | Sequence[str]) -> tuple[str, ...]:
    """The baselines to compute: all of BASELINES (True), none (False) or the ones named."""
    if isinstance(baselines, bool):
        return BASELINES if baselines else ()
    unknown = sorted(set(baselines) - set(BASELINES))
    if unknown:
        raise LookbookError(f"unknown baseline(s) {', '.join(unknown)} (choose from: {', '.join(BASELINES)})")
    return tuple(baselines)


def _embed_count(n_real: int, n_images: int, names: Sequence[str]) -> int:
    half = min(n_real // 2, n_images)
    return half + n_images + len(names) * half


class _Ticker:
    """Turns per-stage (done, total) callbacks into one overall (done, total) progress."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total = progress, total

    def stage(self, offset: int) -> Progress | None:
        if self.progress is None:
            return None
        return lambda done, _total: self.progress(min(offset + done, self.total), self.total)
