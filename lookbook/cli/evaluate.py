"""`python -m lookbook eval`: a classifier's accuracy report, or a generator's quality metrics, as one JSON object on stdout."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from lookbook.errors import LookbookError

SPLIT_CHOICES = ("auto", "test", "all")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="evaluate a classifier (accuracy report) or a generator (FCD, KID, recognisability, coverage)",
        description="Print one JSON object. Without --generator: the classifier's report on DATASET (its held-out test "
        "split when DATASET holds the records it was trained on). With --generator: quality metrics of generated images "
        "against DATASET's real images, in the classifier's features, with real-vs-real and noise baselines.",
    )
    parser.add_argument("--classifier", type=Path, required=True, help="classifier run folder or .keras file")
    parser.add_argument("--data", type=Path, required=True, help="prepared dataset folder")
    parser.add_argument("--generator", type=Path, help="generator run folder or .keras file")
    parser.add_argument("--images", type=int, default=2000, help="generated images to evaluate (default 2000)")
    parser.add_argument(
        "--split",
        choices=SPLIT_CHOICES,
        default="auto",
        help="classifier report on the training run's held-out test split or on all images (auto: test when the "
        "dataset holds the run's records, else all)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seeds the latents, the real halves and the KID subsets")
    parser.add_argument("--kid-subset-size", type=int, help="images per KID subset (default: min(1000, set sizes))")
    parser.add_argument("--no-baselines", action="store_true", help="skip the real-vs-real, noise and blur baselines")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from lookbook.data.dataset import PreparedDataset
    from lookbook.metrics.classification import check_label_map
    from lookbook.metrics.serialisation import to_jsonable
    from lookbook.models.artifacts import load_classifier

    if args.images < 2:
        raise LookbookError(f"--images must be at least 2, got {args.images}")
    classifier = load_classifier(args.classifier)
    ds = PreparedDataset.open(args.data, classifier.image_size_px)
    if len(ds) == 0:
        raise LookbookError(f"{ds.root} holds no images")
    label_column = classifier.meta.get("label_column", "category")
    check_label_map(classifier, ds, label_column)
    head = {"classifier": str(classifier.path), "dataset": str(ds.root), "label_column": label_column}
    if args.generator is None:
        body = _classifier_report(args, classifier, ds, label_column)
    else:
        body = _generator_report(args, classifier, ds, label_column)
    print(json.dumps(to_jsonable({**head, **body}), indent=1))
    return 0


def _classifier_report(args: argparse.Namespace, classifier: Any, ds: Any, label_column: str) -> dict[str, Any]:
    from lookbook.cli.train_classifier import stderr_progress
    from lookbook.metrics.classification import report_on_dataset

    rows, split, missing = report_rows(args.split, classifier.path, ds)
    report = report_on_dataset(classifier, ds, rows, label_column, progress=stderr_progress("classifying"))
    out = {"split": split, "test_records_missing": missing}
    if split == "test":
        # the training run measured its train and validation accuracy too; show them beside this test report
        out["training_accuracy"] = _training_accuracy(classifier.path)
    return {**out, **report}


def _training_accuracy(classifier_path: Path) -> dict[str, Any] | None:
    from lookbook.run.reader import classifier_report

    return (classifier_report(classifier_path.parent) or {}).get("accuracy")


def report_rows(split: str, classifier_path: Path, ds: Any) -> tuple[np.ndarray | None, str, int]:
    """(dataset rows to report on or None for all, split used, held-out test records not found in the dataset)."""
    from lookbook.train.classifier_trainer import load_split

    if split == "all":
        return None, "all", 0
    saved = load_split(classifier_path)
    test_ids = set(saved.get("test", [])) if saved else set()
    mask = ds.index["record_id"].isin(test_ids).to_numpy() if test_ids else np.zeros(len(ds), bool)
    if mask.any():
        return np.flatnonzero(mask), "test", len(test_ids) - int(mask.sum())
    if split == "test":
        if saved is None:
            raise LookbookError(f"no split.json beside {classifier_path}, so its test split is unknown; use --split all")
        raise LookbookError(f"none of the classifier's held-out test records are in {ds.root}; use --split all")
    # the classifier never saw these records: every image is unseen
    return None, "all", 0


def _generator_report(args: argparse.Namespace, classifier: Any, ds: Any, label_column: str) -> dict[str, Any]:
    from lookbook.cli.train_classifier import stderr_progress
    from lookbook.metrics.classification import dataset_labels
    from lookbook.metrics.quality import evaluate_generator
    from lookbook.models.artifacts import load_generator

    generator = load_generator(args.generator)
    result = evaluate_generator(
        generator,
        classifier,
        ds.images,
        n_images=args.images,
        seed=args.seed,
        real_labels=dataset_labels(ds, label_column).tolist(),
        kid_subset_size=args.kid_subset_size,
        baselines=not args.no_baselines,
        progress=stderr_progress("evaluating"),
    )
    return {"generator": str(generator.path), **result}
