"""Label selection, stratified and by-source splits, class weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lookbook.models.classifier_config import ClassifierConfig
from lookbook.train.classifier_trainer import choose_labels, class_weights, split_rows


def _labels(counts: dict[str, int]) -> np.ndarray:
    return np.array([label for label, n in counts.items() for _ in range(n)], dtype=object)


def _ids(labels: np.ndarray) -> np.ndarray:
    return np.array([f"rec:{i}" for i in range(len(labels))])


def test_choose_labels_drops_rare_and_excluded_labels_with_reasons():
    labels = _labels({"tshirt": 30, "jeans": 12, "gloves": 4, "other": 50, "": 3})
    label_map, excluded = choose_labels(labels, ClassifierConfig(min_images_per_class=10))
    assert label_map == ["jeans", "tshirt"]
    assert excluded["gloves"] == {"count": 4, "reason": "fewer than 10 images"}
    assert excluded["other"]["reason"] == "excluded by config" and excluded["(missing)"]["count"] == 3


def test_stratified_split_is_disjoint_seeded_and_proportional():
    labels = _labels({"tshirt": 100, "jeans": 40, "heels": 10, "other": 5})
    cfg = ClassifierConfig(test_fraction=0.2, val_fraction=0.1, seed=3)
    split_col = pd.Series(["all"] * len(labels))
    parts = split_rows(split_col, labels, _ids(labels), ["heels", "jeans", "tshirt"], cfg)
    rows = np.concatenate(list(parts.values()))
    assert len(rows) == len(set(rows)) == 150  # every usable row once; "other" left out
    for label, n in {"tshirt": 100, "jeans": 40, "heels": 10}.items():
        n_test = sum(labels[r] == label for r in parts["test"])
        n_val = sum(labels[r] == label for r in parts["validation"])
        assert n_test == round(0.2 * n) and n_val == round(0.1 * n)
    again = split_rows(split_col, labels, _ids(labels), ["heels", "jeans", "tshirt"], cfg)
    assert all(np.array_equal(parts[k], again[k]) for k in parts)
    other = split_rows(split_col, labels, _ids(labels), ["heels", "jeans", "tshirt"], cfg.replace(seed=4))
    assert not np.array_equal(parts["test"], other["test"])


def test_a_records_part_depends_on_its_id_not_on_row_order_or_other_labels():
    labels = _labels({"tshirt": 60, "jeans": 30})
    ids = _ids(labels)
    cfg = ClassifierConfig(test_fraction=0.2, val_fraction=0.1, seed=0)

    def parts_by_id(labels: np.ndarray, ids: np.ndarray, label_map: list[str]) -> dict[str, set[str]]:
        parts = split_rows(pd.Series(["all"] * len(labels)), labels, ids, label_map, cfg)
        return {name: {str(ids[r]) for r in rows} for name, rows in parts.items()}

    first = parts_by_id(labels, ids, ["jeans", "tshirt"])
    order = np.random.default_rng(1).permutation(len(labels))
    assert parts_by_id(labels[order], ids[order], ["jeans", "tshirt"]) == first
    # a new label (a taxonomy change elsewhere) leaves the others' parts alone
    extra = np.concatenate([np.array(["aaa"] * 10, dtype=object), labels])
    extra_ids = np.concatenate([np.array([f"new:{i}" for i in range(10)]), ids])
    again = parts_by_id(extra, extra_ids, ["aaa", "jeans", "tshirt"])
    assert all(first[name] <= again[name] for name in first)


def test_small_classes_keep_a_training_image():
    labels = _labels({"a": 2, "b": 3})
    parts = split_rows(pd.Series(["all"] * 5), labels, _ids(labels), ["a", "b"], ClassifierConfig(min_images_per_class=2))
    for label in ("a", "b"):
        assert sum(labels[r] == label for r in parts["train"]) >= 1
        assert sum(labels[r] == label for r in parts["test"]) == 1


def test_split_by_source_keeps_the_sources_own_splits():
    labels = _labels({"a": 20, "b": 20})
    source = pd.Series((["train"] * 15 + ["validation"] * 5) * 2)
    cfg = ClassifierConfig(split_by_source=True, val_fraction=0.2)
    parts = split_rows(source, labels, _ids(labels), ["a", "b"], cfg)
    # no test split in the source: its validation split is the test split; validation is carved from train
    assert set(parts["test"]) == set(np.flatnonzero(source == "validation"))
    assert len(parts["validation"]) == 6 and set(parts["validation"]) <= set(np.flatnonzero(source == "train"))
    with_test = pd.Series((["train"] * 12 + ["validation"] * 4 + ["test"] * 4) * 2)
    parts = split_rows(with_test, labels, _ids(labels), ["a", "b"], cfg)
    assert set(parts["test"]) == set(np.flatnonzero(with_test == "test"))
    assert set(parts["validation"]) == set(np.flatnonzero(with_test == "validation"))


def test_class_weights_average_one_per_image():
    ids = np.array([0] * 90 + [1] * 10)
    for mode, ratio in (("balanced", 9.0), ("sqrt", 3.0)):
        w = class_weights(ids, 2, mode)
        assert w[1] / w[0] == pytest.approx(ratio)
        assert (90 * w[0] + 10 * w[1]) / 100 == pytest.approx(1.0)
    assert class_weights(ids, 2, "none") is None
