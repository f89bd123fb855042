"""`data split`: disjoint, stratified train/test datasets whose rows still match their images."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from lookbook.data.dataset import PreparedDataset


def test_split_is_disjoint_stratified_and_row_aligned(tiny_dataset, tmp_path):
    cmd = [sys.executable, "-m", "lookbook", "data", "split", str(tiny_dataset.root), "--train-out", str(tmp_path / "tr")]
    done = subprocess.run([*cmd, "--test-out", str(tmp_path / "te"), "--test-share", "0.25"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    train, test = PreparedDataset.open(tmp_path / "tr"), PreparedDataset.open(tmp_path / "te")
    assert len(train) + len(test) == len(tiny_dataset) and len(test) == 12
    assert set(train.index["record_id"]).isdisjoint(test.index["record_id"])
    assert test.index["category"].value_counts().to_dict() == {"tshirt": 4, "jeans": 4, "sports_shoes": 4}
    source_rows = {rid: i for i, rid in enumerate(tiny_dataset.index["record_id"])}
    for part in (train, test):
        for i, rid in enumerate(part.index["record_id"]):
            np.testing.assert_array_equal(part.images[i], tiny_dataset.images[source_rows[rid]])


def test_split_rejects_bad_share(tiny_dataset, tmp_path):
    cmd = [sys.executable, "-m", "lookbook", "data", "split", str(tiny_dataset.root), "--train-out", str(tmp_path / "a")]
    done = subprocess.run([*cmd, "--test-out", str(tmp_path / "b"), "--test-share", "1.5"], capture_output=True, text=True)
    assert done.returncode == 2 and "between 0 and 1" in done.stderr


def test_merge_concatenates_row_aligned_and_keeps_every_report(tiny_dataset, tmp_path):
    from lookbook.data.split import split_dataset

    train, test = split_dataset(tiny_dataset.root, tmp_path / "tr", tmp_path / "te", 0.25, 0)
    cmd = [sys.executable, "-m", "lookbook", "data", "merge", str(test.root), str(train.root), "--out", str(tmp_path / "m")]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    merged = PreparedDataset.open(tmp_path / "m")
    assert list(merged.index["record_id"]) == [*test.index["record_id"], *train.index["record_id"]]
    np.testing.assert_array_equal(merged.images[: len(test)], test.images)
    np.testing.assert_array_equal(merged.images[len(test) :], train.images)
    assert set(merged.report["merged_reports"]) == {str(test.root.resolve()), str(train.root.resolve())}


def test_merge_refuses_one_dataset_mixed_sizes_and_overwriting_a_source(tiny_dataset, tmp_path):
    from lookbook.data.dataset import write_prepared

    other = write_prepared(tmp_path / "s16", tiny_dataset.index, np.zeros((len(tiny_dataset), 16, 16, 3), np.uint8))
    base = [sys.executable, "-m", "lookbook", "data", "merge"]
    for args, message in (
        ([str(tiny_dataset.root), "--out", str(tmp_path / "m")], "at least two"),
        ([str(tiny_dataset.root), str(other.root), "--out", str(tmp_path / "m")], "different image sizes"),
        ([str(tiny_dataset.root), str(tiny_dataset.root), "--out", str(tiny_dataset.root)], "one of the datasets"),
    ):
        done = subprocess.run([*base, *args], capture_output=True, text=True)
        assert done.returncode == 2 and message in done.stderr, done.stderr
