"""How noisy are the FPID category labels a classifier is scored on? A floor, measured from the catalogue itself.

Run by hand on a prepared FPID dataset (the model card's held-out test split by default):

    python benchmarks/bench_label_noise.py [--classifier checkpoints/classifier.keras] [--data DATASET]

An FPID product name ends with its kind ("Catwalk Women Casual Beige Flats"). When that final noun is an article type
of a different unified category than the product's own `articleType` (name says flats, articleType says Heels), the
catalogue contradicts itself and at most one of the two can be right: the label cannot be trusted. Prints how many
test images are such contradictions, by pair, and the classifier's accuracy on all images against its accuracy on
the images whose name agrees with (or is silent about) their label: the ratio says how much of the error is the
catalogue's. It is a floor: visual ambiguity the names do not record (women's T-shirts listed as tops, trainers as
casual shoes) is not counted.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections import Counter
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lookbook.data import taxonomy  # noqa: E402


def name_patterns() -> list[tuple[re.Pattern[str], str]]:
    """(name-ending pattern, category) for every FPID article type of the taxonomy, longest names first."""
    import csv

    with open(Path(taxonomy.__file__).with_name("taxonomy.csv"), newline="") as f:
        rows = [(r["label"], r["category"]) for r in csv.DictReader(f) if r["source"] == "fpid"]
    out = []
    for label, category in sorted(rows, key=lambda r: -len(r[0])):
        stem = re.escape(label.lower().rstrip("s")).replace(r"\ ", r"[\s-]?")
        out.append((re.compile(rf"\b{stem}(e?s)?$"), category))
    return out


def named_category(name: str, patterns: list[tuple[re.Pattern[str], str]]) -> str | None:
    """The unified category the product name's final noun names, or None when it names no known article type."""
    text = re.sub(r"\s+", " ", str(name).lower()).strip()
    text = re.sub(r"\bt[\s-]?shirt", "tshirt", text)  # the catalogue spells it T-Shirts, T-shirt, Tshirts
    return next((category for pattern, category in patterns if pattern.search(text)), None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classifier", type=Path, default=ROOT / "checkpoints" / "classifier.keras")
    parser.add_argument("--data", type=Path, default=ROOT / "workspace" / "model-card" / "fpid64-test")
    parser.add_argument("--examples", type=int, default=10, help="contradicted products to list")
    args = parser.parse_args()

    import numpy as np

    from lookbook.data.dataset import PreparedDataset
    from lookbook.models.artifacts import load_classifier

    classifier = load_classifier(args.classifier)
    ds = PreparedDataset.open(args.data, classifier.image_size_px)
    index = ds.index
    if "product_name" not in index:
        print(f"error: {args.data} has no product names (prepare it from FPID)", file=sys.stderr)
        return 1
    keep = np.flatnonzero(index["category"].isin(classifier.categories).to_numpy())
    labels = index["category"].to_numpy()[keep]
    patterns = name_patterns()
    named = np.array([named_category(n, patterns) for n in index["product_name"].to_numpy()[keep]], dtype=object)
    contradicted = np.array([n is not None and n != lab for n, lab in zip(named, labels)])
    predicted, _ = classifier.predict(np.asarray(ds.images)[keep])
    predicted = np.asarray(predicted, dtype=object)
    correct = predicted == labels

    n, k = len(keep), int(contradicted.sum())
    print(f"{n} images of {args.data} in the classifier's {len(classifier.categories)} categories")
    print(f"name names another category than the label: {k} ({k / n:.1%})")
    for (label, name), count in Counter(zip(labels[contradicted], named[contradicted])).most_common(8):
        print(f"  labelled {label}, named {name}: {count}")
    agrees_name = int((predicted[contradicted] == named[contradicted]).sum())
    print(
        f"classifier on those {k}: says the label {int(correct[contradicted].sum())}, says the name {agrees_name}, "
        f"neither {k - int(correct[contradicted].sum()) - agrees_name}"
    )
    acc_all, acc_clean = correct.mean(), correct[~contradicted].mean()
    print(f"accuracy, all images:                     {acc_all:.2%}")
    print(f"accuracy, name does not contradict label: {acc_clean:.2%}  (x{acc_clean / acc_all:.3f} the baseline above)")
    print(f"errors on contradicted images: {int((~correct[contradicted]).sum())} of {int((~correct).sum())} errors")
    for row in np.flatnonzero(contradicted)[: args.examples]:
        print(f"  {index['product_name'].to_numpy()[keep][row]!r}: label {labels[row]}, classifier {predicted[row]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
