"""Classification reports: accuracy, per-class precision/recall/F1, confusion matrix and the most confident mistakes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from lookbook.data.dataset import PreparedDataset
from lookbook.errors import LookbookError
from lookbook.metrics.calibration import expected_calibration_error
from lookbook.metrics.embedding import Progress, embed
from lookbook.models.artifacts import ClassifierHandle

N_WORST = 25  # most confident mistakes listed in a report
N_CONFUSIONS = 15  # most frequent (true, predicted) error pairs listed


def classification_report(
    true: Sequence[str],
    predicted: Sequence[str],
    confidences: np.ndarray | None = None,
    categories: Sequence[str] | None = None,
    record_ids: Sequence[str] | None = None,
    indices: Sequence[int] | None = None,
    n_worst: int = N_WORST,
) -> dict[str, Any]:
    """The report of one prediction set, as plain data (JSON-ready; see `per_class_frame`, `confusion_frame`).

    `categories` orders the confusion matrix (labels only seen in `true`/`predicted` are appended); `record_ids`
    and `indices` (dataset rows) identify the examples listed under "worst" (errors, most confident first).
    """
    true, predicted = [str(t) for t in true], [str(p) for p in predicted]
    n = len(true)
    if len(predicted) != n:
        raise ValueError(f"{n} true labels but {len(predicted)} predictions")
    if n == 0:
        raise LookbookError("no images to evaluate")
    labels = list(dict.fromkeys([*(categories or []), *sorted(set(true) | set(predicted))]))
    pos = {c: i for i, c in enumerate(labels)}
    t_idx = np.array([pos[t] for t in true])
    p_idx = np.array([pos[p] for p in predicted])
    matrix = np.zeros((len(labels), len(labels)), np.int64)
    np.add.at(matrix, (t_idx, p_idx), 1)

    support = matrix.sum(axis=1)
    n_predicted = matrix.sum(axis=0)
    hits = np.diag(matrix)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(n_predicted > 0, hits / np.maximum(n_predicted, 1), np.nan)
        recall = np.where(support > 0, hits / np.maximum(support, 1), np.nan)
        f1 = np.where((precision + recall) > 0, 2 * precision * recall / (precision + recall), 0.0)
    f1 = np.where(np.isnan(precision) | np.isnan(recall), np.nan, f1)
    present = support > 0
    per_class = [
        {
            "category": c,
            "precision": _num(precision[i]),
            "recall": _num(recall[i]),
            "f1": _num(f1[i]),
            "support": int(support[i]),
            "n_predicted": int(n_predicted[i]),
        }
        for i, c in enumerate(labels)
        if support[i] > 0 or n_predicted[i] > 0
    ]
    # a class never predicted has precision 0 for the averages (as sklearn's zero_division=0)
    f1_avg = np.nan_to_num(f1[present])
    calibration = {}
    if confidences is not None:
        conf = np.asarray(confidences, float)
        calibration = {
            "mean_confidence": float(conf.mean()),
            "calibration_error": expected_calibration_error(conf, t_idx == p_idx),
        }
    return {
        "n_images": n,
        "accuracy": float(hits.sum() / n),
        **calibration,
        "balanced_accuracy": float(np.mean(recall[present])),
        "macro_f1": float(np.mean(f1_avg)),
        "weighted_f1": float(np.average(f1_avg, weights=support[present])),
        "n_categories": int(present.sum()),
        "per_class": per_class,
        "confusion": {"labels": labels, "matrix": matrix.tolist()},
        "top_confusions": _top_confusions(matrix, labels, support),
        "worst": _worst(true, predicted, confidences, record_ids, indices, n_worst),
    }


def _num(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


def _top_confusions(matrix: np.ndarray, labels: list[str], support: np.ndarray) -> list[dict[str, Any]]:
    off = matrix.copy()
    np.fill_diagonal(off, 0)
    pairs = [(int(off[i, j]), i, j) for i, j in zip(*np.nonzero(off))]
    pairs.sort(key=lambda p: (-p[0], labels[p[1]], labels[p[2]]))
    return [
        {"true": labels[i], "predicted": labels[j], "count": count, "share_of_true": count / int(support[i])}
        for count, i, j in pairs[:N_CONFUSIONS]
    ]


def _worst(
    true: list[str],
    predicted: list[str],
    confidences: np.ndarray | None,
    record_ids: Sequence[str] | None,
    indices: Sequence[int] | None,
    n_worst: int,
) -> list[dict[str, Any]]:
    wrong = [i for i, (t, p) in enumerate(zip(true, predicted)) if t != p]
    if confidences is not None:
        conf = np.asarray(confidences, np.float64)
        wrong.sort(key=lambda i: -conf[i])
    out = []
    for i in wrong[:n_worst]:
        row: dict[str, Any] = {"index": int(indices[i]) if indices is not None else i}
        if record_ids is not None:
            row["record_id"] = str(record_ids[i])
        row.update({"true": true[i], "predicted": predicted[i]})
        if confidences is not None:
            row["confidence"] = float(conf[i])
        out.append(row)
    return out


def per_class_frame(report: dict[str, Any]) -> pd.DataFrame:
    """Per-class precision, recall, F1 and support as a DataFrame (one row per category)."""
    return pd.DataFrame(report["per_class"], columns=["category", "precision", "recall", "f1", "support", "n_predicted"])


def confusion_frame(report: dict[str, Any], normalise: bool = False) -> pd.DataFrame:
    """Confusion matrix (rows true, columns predicted); `normalise` divides each row by its support."""
    labels = report["confusion"]["labels"]
    frame = pd.DataFrame(
        report["confusion"]["matrix"], index=pd.Index(labels, name="true"), columns=pd.Index(labels, name="predicted")
    )
    if normalise:
        frame = frame.div(frame.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0)
    return frame


def worst_frame(report: dict[str, Any]) -> pd.DataFrame:
    """The most confident mistakes as a DataFrame (index, record_id, true, predicted, confidence)."""
    return pd.DataFrame(report["worst"])


def dataset_labels(ds: PreparedDataset, label_column: str = "category") -> np.ndarray:
    """The label of every record (object array of str; "" where missing)."""
    if label_column not in ds.index.columns:
        raise LookbookError(f"{ds.root} has no {label_column!r} column")
    return ds.index[label_column].astype("string").fillna("").to_numpy(dtype=object)


def report_on_dataset(
    classifier: ClassifierHandle,
    ds: PreparedDataset,
    rows: np.ndarray | None = None,
    label_column: str = "category",
    n_worst: int = N_WORST,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The classifier's report on `rows` of a prepared dataset (all rows by default).

    Records whose label the classifier does not know are left out and counted under "excluded"; no overlap at all
    between the dataset's labels and the classifier's label map is an error.
    """
    labels = dataset_labels(ds, label_column)
    rows = np.arange(len(ds)) if rows is None else np.asarray(rows, np.int64)
    known = set(classifier.categories)
    mask = np.array([labels[r] in known for r in rows], bool) if len(rows) else np.zeros(0, bool)
    if not mask.any():
        have = sorted(set(labels[rows])) if len(rows) else []
        raise LookbookError(
            f"the classifier's labels ({_short(classifier.categories)}) do not overlap the dataset's {label_column} labels "
            f"({_short(have)}); it was trained on another taxonomy"
        )
    kept = rows[mask]
    emb = embed(classifier, ds.images, rows=kept, progress=progress)
    ids = ds.index["record_id"].to_numpy(dtype=object)[kept]
    report = classification_report(
        labels[kept], emb.labels, emb.confidences, classifier.categories, record_ids=ids, indices=kept, n_worst=n_worst
    )
    report["excluded"] = dict(Counter(labels[rows[~mask]]).most_common())
    return report


def _short(items: Sequence[str], n: int = 8) -> str:
    items = [i or "(none)" for i in items]
    return ", ".join(items[:n]) + (f", ... {len(items) - n} more" if len(items) > n else "")


def check_label_map(classifier: ClassifierHandle, ds: PreparedDataset, label_column: str = "category") -> None:
    """Raise a one-line error when the classifier's labels cannot be compared with the dataset's.

    A category classifier must use unified categories only (the taxonomy), and at least one of its labels must
    occur in the dataset.
    """
    from lookbook.data.taxonomy import categories

    if label_column == "category":
        unknown = [c for c in classifier.categories if c not in categories()]
        if unknown:
            raise LookbookError(
                f"the classifier's label map has categories the unified taxonomy does not know ({_short(unknown)}); "
                "it was trained on other labels (set label_column in its sidecar) or an older taxonomy"
            )
    present = set(dataset_labels(ds, label_column))
    if not present & set(classifier.categories):
        raise LookbookError(
            f"the classifier's labels ({_short(classifier.categories)}) do not overlap the dataset's {label_column} labels "
            f"({_short(sorted(present))}); it was trained on another taxonomy"
        )
