"""Classification reports on a hand-made prediction set."""

from __future__ import annotations

import numpy as np
import pytest

from lookbook.metrics.classification import classification_report, confusion_frame, per_class_frame, worst_frame

TRUE = ["a", "a", "a", "a", "b", "b", "c", "c"]
PRED = ["a", "a", "b", "c", "b", "a", "c", "c"]
CONF = np.array([0.9, 0.8, 0.95, 0.4, 0.7, 0.6, 0.9, 0.99])


@pytest.fixture()
def report():
    return classification_report(TRUE, PRED, CONF, categories=["a", "b", "c", "d"], record_ids=[f"r{i}" for i in range(8)])


def test_confusion_matrix_and_accuracy(report):
    assert report["accuracy"] == pytest.approx(5 / 8)
    frame = confusion_frame(report)
    assert frame.loc["a"].tolist() == [2, 1, 1, 0]
    assert frame.loc["b"].tolist() == [1, 1, 0, 0]
    assert frame.loc["c"].tolist() == [0, 0, 2, 0]
    assert int(frame.to_numpy().sum()) == 8
    assert confusion_frame(report, normalise=True).loc["a", "a"] == pytest.approx(0.5)


def test_per_class_precision_recall_f1(report):
    rows = per_class_frame(report).set_index("category")
    # a: predicted 3 times, 2 right; 4 true
    assert rows.loc["a", "precision"] == pytest.approx(2 / 3)
    assert rows.loc["a", "recall"] == pytest.approx(0.5)
    assert rows.loc["a", "f1"] == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    assert rows.loc["c", "precision"] == pytest.approx(2 / 3) and rows.loc["c", "recall"] == 1.0
    assert rows["support"].to_dict() == {"a": 4, "b": 2, "c": 2}
    assert "d" not in rows.index  # neither true nor predicted
    assert report["balanced_accuracy"] == pytest.approx((0.5 + 0.5 + 1.0) / 3)


def test_worst_lists_confident_mistakes_first(report):
    worst = worst_frame(report)
    assert worst["record_id"].tolist() == ["r2", "r5", "r3"]
    assert worst.iloc[0][["true", "predicted"]].tolist() == ["a", "b"]
    assert worst["confidence"].is_monotonic_decreasing
    top = report["top_confusions"]
    assert {(c["true"], c["predicted"]) for c in top} == {("a", "b"), ("a", "c"), ("b", "a")}


def test_a_class_never_predicted_has_no_precision():
    rep = classification_report(["a", "b"], ["a", "a"])
    rows = per_class_frame(rep).set_index("category")
    assert rows.loc["b", "precision"] is None or np.isnan(rows.loc["b", "precision"])
    assert rep["macro_f1"] == pytest.approx((2 / 3 + 0) / 2)
