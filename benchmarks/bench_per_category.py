"""Per-category quality of a conditional generator beside the real photos of the same categories.

Run by hand (about a minute on 2 cores):
    python benchmarks/bench_per_category.py --generator G --classifier C --data TEST_DATASET [--per-category 100]

For every category the generator makes: N generated images (seeds 0..N-1) and the held-out real images of that
category, each judged by the classifier: the share classified as the category (conditional accuracy for generated
images, recall for real ones), their ratio, and the within-class diversity (mean pairwise feature distance of the
generated images over the real ones'). Prints a Markdown table, then one JSON line with the totals: categories under
50%, mean generated / real accuracy and their ratio.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lookbook.data.dataset import PreparedDataset
from lookbook.data.taxonomy import display_name
from lookbook.metrics.diversity import mean_pairwise_distance
from lookbook.models.artifacts import load_classifier, load_generator, resolve_model_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generator", required=True)
    parser.add_argument("--classifier", required=True)
    parser.add_argument("--data", required=True, help="held-out real images (a prepared dataset)")
    parser.add_argument("--per-category", type=int, default=100)
    args = parser.parse_args()
    generator = load_generator(resolve_model_path(args.generator, "generator.keras"))
    classifier = load_classifier(resolve_model_path(args.classifier, "classifier.keras"))
    ds = PreparedDataset.open(args.data)
    truth = ds.index["category"].fillna("").astype(str).to_numpy()
    rows = []
    for category in generator.categories or []:
        fake = generator.sample(list(range(args.per_category)), [category] * args.per_category)
        fake_labels, _ = classifier.predict(fake)
        real_rows = np.flatnonzero(truth == category)
        real = np.asarray(ds.images[real_rows]) if len(real_rows) else fake[:0]
        real_labels = classifier.predict(real)[0] if len(real) else []
        fake_acc = float(np.mean(np.asarray(fake_labels) == category))
        real_acc = float(np.mean(np.asarray(real_labels) == category)) if len(real) else float("nan")
        spread_real = mean_pairwise_distance(classifier.features(real)) if len(real) > 1 else float("nan")
        diversity = mean_pairwise_distance(classifier.features(fake)) / spread_real if spread_real > 0 else float("nan")
        rows.append((category, len(real_rows), fake_acc, real_acc, diversity))
    print("| category | real test images | generated as asked | real photos as labelled | ratio | diversity |")
    print("|---|---|---|---|---|---|")
    for category, n_real, fake_acc, real_acc, diversity in sorted(rows, key=lambda r: r[2]):
        ratio = fake_acc / real_acc if real_acc > 0 else float("nan")
        print(f"| {display_name(category)} | {n_real} | {fake_acc:.0%} | {real_acc:.0%} | {ratio:.2f} | {diversity:.2f} |")
    fake_mean = float(np.mean([r[2] for r in rows]))
    real_mean = float(np.nanmean([r[3] for r in rows]))
    summary = {
        "categories": len(rows),
        "under_50": sorted(r[0] for r in rows if r[2] < 0.5),
        "generated_mean": round(fake_mean, 4),
        "real_mean": round(real_mean, 4),
        "ratio": round(fake_mean / real_mean, 3),
        "diversity_mean": round(float(np.nanmean([r[4] for r in rows])), 3),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
