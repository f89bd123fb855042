"""Checkpoint files: round trip, the previous one kept, corrupt-file fallback, and restore into variables."""

from __future__ import annotations

import numpy as np
import pytest

from lookbook.errors import LookbookError
from lookbook.run import checkpoint, layout


def groups(value: float) -> dict[str, list[np.ndarray]]:
    return {"generator": [np.full((2, 3), value, np.float32), np.arange(4)], "gan": [np.array(int(value), np.int64)]}


def test_round_trip_and_previous_kept(tmp_path):
    checkpoint.save(tmp_path, groups(1.0), {"step": 10})
    checkpoint.save(tmp_path, groups(2.0), {"step": 20})
    latest = checkpoint.load(tmp_path)
    assert latest.step == 20 and latest.meta["groups"] == {"generator": 2, "gan": 1}
    np.testing.assert_array_equal(latest.groups["generator"][0], np.full((2, 3), 2.0))
    np.testing.assert_array_equal(latest.groups["generator"][1], np.arange(4))
    previous = checkpoint.read(tmp_path / layout.PREVIOUS_CHECKPOINT_FILE)
    assert previous.step == 10
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        layout.CHECKPOINT_FILE,
        layout.PREVIOUS_CHECKPOINT_FILE,
    ]  # no temp files


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_corrupt_latest_falls_back_to_previous_with_warning(tmp_path, damage):
    checkpoint.save(tmp_path, groups(1.0), {"step": 10})
    checkpoint.save(tmp_path, groups(2.0), {"step": 20})
    latest = tmp_path / layout.CHECKPOINT_FILE
    data = latest.read_bytes()
    latest.write_bytes({"truncate": data[: len(data) // 2], "garbage": b"not a zip" * 100, "empty": b""}[damage])
    warnings = []
    ckpt = checkpoint.load(tmp_path, warn=warnings.append)
    assert ckpt.step == 10
    assert len(warnings) == 1 and "checkpoint.npz is unreadable" in warnings[0] and "step 10" in warnings[0]


def test_no_usable_checkpoint_is_a_one_line_error(tmp_path):
    with pytest.raises(LookbookError, match="no checkpoint to resume"):
        checkpoint.load(tmp_path)
    (tmp_path / layout.CHECKPOINT_FILE).write_bytes(b"junk")
    with pytest.raises(LookbookError, match="no usable checkpoint"):
        checkpoint.load(tmp_path)


def test_restore_checks_every_shape_before_assigning():
    import keras

    a = keras.Variable(np.zeros((2, 3), np.float32))
    b = keras.Variable(np.zeros(4, np.int64))
    arrays = {"generator": [np.ones((2, 3), np.float32), np.arange(4)]}
    checkpoint.restore({"generator": [a, b]}, arrays)
    np.testing.assert_array_equal(a.numpy(), np.ones((2, 3)))
    with pytest.raises(LookbookError, match="does not fit this model"):
        checkpoint.restore({"generator": [a, b]}, {"generator": [np.full((2, 3), 5.0), np.arange(5)]})
    np.testing.assert_array_equal(a.numpy(), np.ones((2, 3)))  # untouched: the mismatch was found first
    with pytest.raises(LookbookError, match="has 2 variables, checkpoint 1"):
        checkpoint.restore({"generator": [a, b]}, {"generator": [np.ones((2, 3))]})
