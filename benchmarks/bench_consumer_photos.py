"""How a product-photo classifier does on real consumer photos (people wearing clothes, shot anywhere).

Run by hand (about a minute on 2 cores):
    python benchmarks/bench_consumer_photos.py --classifier checkpoints/classifier.keras --data FOLDERS64

DATA is a prepared dataset of class folders, e.g.
`python -m lookbook data prepare --out folders64 --folder ../shared/fixtures/clothing-folders/train --size 64`.
Prints, per folder category, how often the classifier names the garment's category exactly and how often it names a
category of the same outfit slot (a `longsleeve` top called a sweater, `shoes` of unknown type called sneakers); then
both over all photos, and the exact figure over the photos whose category the classifier knows, as a ratio of the
slot-level figure.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lookbook.data.dataset import PreparedDataset
from lookbook.data.taxonomy import slot_for
from lookbook.models.artifacts import load_classifier


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classifier", required=True)
    parser.add_argument("--data", required=True)
    args = parser.parse_args()
    classifier = load_classifier(args.classifier)
    ds = PreparedDataset.open(args.data)
    truth = ds.index["category"].fillna("unmapped").astype(str).to_numpy()
    predicted, _ = classifier.predict(np.asarray(ds.images))
    predicted = np.asarray(predicted)
    frame = pd.DataFrame(
        {
            "category": truth,
            "known": np.isin(truth, classifier.categories),
            "exact": truth == predicted,
            "same_slot": [slot_for(t) == slot_for(p) for t, p in zip(truth, predicted)],
        }
    )
    table = frame.groupby("category").agg(images=("exact", "size"), exact=("exact", "mean"), same_slot=("same_slot", "mean"))
    print(table.sort_values("images", ascending=False).to_string(float_format=lambda v: f"{v:.1%}"))
    known = frame[frame["known"]]
    summary = {
        "images": len(frame),
        "exact_on_known_categories": round(float(known["exact"].mean()), 4),
        "known_images": len(known),
        "same_slot_all": round(float(frame["same_slot"].mean()), 4),
    }
    summary["ratio_exact_to_slot"] = round(summary["exact_on_known_categories"] / max(summary["same_slot_all"], 1e-9), 3)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
