"""Average trained classifiers into one model that labels garments better than any of them.

The members read the same image size into the same label map and share one validation / test split (train them on
the same data with the same `split_seed` and different `seed`s). The ensemble is a classifier run like any other: its
own prior correction and softmax temperature fitted on that validation split, its own report on that test split,
loaded by the same code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from lookbook import atomic
from lookbook.config import check
from lookbook.data.dataset import PreparedDataset
from lookbook.errors import LookbookError
from lookbook.metrics.classification import dataset_labels, report_on_dataset
from lookbook.metrics.serialisation import to_jsonable
from lookbook.models import classifier as nets
from lookbook.models.artifacts import ClassifierHandle, file_hash, load_classifier, resolve_model_path, save_model
from lookbook.run.folder import RunDir
from lookbook.run.layout import CLASSIFIER_FILE, REPORT_FILE, SPLIT_FILE
from lookbook.run.lifecycle import RunLifecycle
from lookbook.train.classifier_trainer import calibrate, load_split, set_calibration

PRESET = "ensemble"


def ensemble_classifiers(
    members: list[str | Path], data: str | Path, run: str | Path, prior_correction: bool = True
) -> dict[str, Any]:
    """Average the classifier runs `members` into the run folder `run`, calibrated (with a prior correction unless
    `prior_correction` is off) and reported on their shared split of the prepared dataset `data`; returns the report."""
    check(len(members) >= 2, f"an ensemble needs two or more member runs, got {len(members)}")
    paths = [resolve_model_path(m, CLASSIFIER_FILE) for m in members]
    check(len(set(paths)) == len(paths), "an ensemble's members must be different classifiers")
    handles = [load_classifier(p) for p in paths]
    first = handles[0]
    for path, h in zip(paths[1:], handles[1:]):
        check(
            h.image_size_px == first.image_size_px,
            f"{path} reads {h.image_size_px} px images, {paths[0]} {first.image_size_px} px",
        )
        check(h.categories == first.categories, f"{path} names other categories than {paths[0]} (members need one label map)")
        check(h.meta.get("label_column") == first.meta.get("label_column"), f"{path} predicts another label column")
    split = _shared_split(paths)
    ds = PreparedDataset.open(data, first.image_size_px)
    rd = RunDir.at(run)
    rd.check_kind("classifier")
    with RunLifecycle(rd, fresh=True):
        return _build(handles, paths, split, ds, rd, prior_correction)


def _shared_split(paths: list[Path]) -> dict[str, Any]:
    """The members' split.json: the same validation and test records for all, or a one-line error."""
    splits = []
    for path in paths:
        split = load_split(path)
        if split is None:
            raise LookbookError(f"{path.parent / SPLIT_FILE} is missing: a member must be a classifier run folder's model")
        splits.append(split)
    for path, split in zip(paths[1:], splits[1:]):
        for part in ("validation", "test"):
            check(
                split.get(part) == splits[0].get(part),
                f"{path.parent} has another {part} split than {paths[0].parent}; train members on the same data with "
                "the same split_seed",
            )
    return splits[0]


def _build(
    handles: list[ClassifierHandle],
    paths: list[Path],
    split: dict[str, Any],
    ds: PreparedDataset,
    rd: RunDir,
    prior_correction: bool,
) -> dict[str, Any]:
    first = handles[0]
    label_column = first.meta.get("label_column", "category")
    rows = _rows(ds, split)
    labels = dataset_labels(ds, label_column)
    lookup = {c: i for i, c in enumerate(first.categories)}
    flip = all(h.test_time_flip for h in handles)
    config = {"members": [str(p) for p in paths], "test_time_flip": flip, "prior_correction": prior_correction}
    rd.path.mkdir(parents=True, exist_ok=True)
    rd.write_config("classifier", {"preset": PRESET, "data": str(ds.root), "config": config})
    atomic.write_json(rd.path / SPLIT_FILE, split)
    rd.write_status("running", preset=PRESET, phase="evaluating")

    path = rd.path / CLASSIFIER_FILE
    model = nets.build_ensemble([h.model for h in handles], first.image_size_px)
    meta: dict[str, Any] = {
        "kind": "classifier",
        "image_size_px": first.image_size_px,
        "categories": list(first.categories),
        "label_column": label_column,
        "config": config,
        "preset": PRESET,
        "precision": "float32",
        "dataset": str(ds.root),
        "split": {"file": SPLIT_FILE, "seed": split.get("seed"), "counts": split.get("counts")},
        "members": [_member(p, h) for p, h in zip(paths, handles)],
    }
    handle = ClassifierHandle(model=model, path=path, image_size_px=first.image_size_px, categories=meta["categories"], meta=meta)
    counts = _train_counts(labels, rows, lookup) if prior_correction else None
    set_calibration(meta, calibrate(handle, ds, rows["validation"], labels, lookup, counts))
    test = report_on_dataset(handle, ds, rows["test"], label_column)
    meta["test_accuracy"] = test["accuracy"]
    report = {
        "label_column": label_column,
        "categories": meta["categories"],
        "accuracy": {"test": test["accuracy"]},
        "n_images": {name: len(r) for name, r in rows.items()},
        "members": meta["members"],
        "test": test,
        "calibration": meta["calibration"],
    }
    save_model(model, path, meta)
    atomic.write_json(rd.path / REPORT_FILE, to_jsonable(report))
    rd.write_status("finished", preset=PRESET, test_accuracy=test["accuracy"])
    return report


def _rows(ds: PreparedDataset, split: dict[str, Any]) -> dict[str, np.ndarray]:
    """Row indices in `ds` of the split's validation and test records; a record the dataset lacks is an error."""
    rows = {}
    for part in ("validation", "test"):
        ids = [str(r) for r in split.get(part) or []]
        rows[part] = np.flatnonzero(ds.index["record_id"].astype("string").isin(ids).to_numpy())
        if len(rows[part]) != len(set(ids)):
            raise LookbookError(
                f"{ds.root} lacks {len(set(ids)) - len(rows[part])} of the members' {part} records: give the data they "
                "were trained on"
            )
    return rows


def _train_counts(labels: np.ndarray, rows: dict[str, np.ndarray], lookup: dict[str, int]) -> np.ndarray:
    """Images per category outside the validation and test splits: the members' training split."""
    held = np.zeros(len(labels), bool)
    for r in rows.values():
        held[r] = True
    ids = [lookup[str(label)] for label in labels[~held] if str(label) in lookup]
    return np.bincount(np.asarray(ids, int), minlength=len(lookup))


def _member(path: Path, handle: ClassifierHandle) -> dict[str, Any]:
    return {
        "model": str(path),
        "sha256_16": file_hash(path),
        "preset": handle.meta.get("preset"),
        "config": handle.meta.get("config"),
        "temperature": handle.temperature,
        "test_accuracy": handle.meta.get("test_accuracy"),
    }
