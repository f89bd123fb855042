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
