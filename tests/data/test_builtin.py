"""The built-in dataset: made once into the workspace (synthetic sources, then prepared), reused afterwards."""

from __future__ import annotations

import time

import pytest

from lookbook.data import builtin, stats
from lookbook.errors import LookbookError
from tests.ui.conftest import needs_synth


@needs_synth
@pytest.mark.slow
def test_ensure_builtin_makes_then_reuses(tmp_path):
    calls = []
    ds = builtin.ensure_builtin(tmp_path, n_images=24, image_size_px=32, progress=lambda done, total: calls.append((done, total)))
    root = builtin.builtin_dataset_dir(tmp_path)
    assert ds.root == root and ds.image_size_px == 32
    assert builtin.builtin_ready(tmp_path, 32) and not builtin.builtin_ready(tmp_path, 64)
    assert (tmp_path / "builtin" / "raw" / "deepfashion2").is_dir() and (tmp_path / "builtin" / "raw" / "fpid").is_dir()
    assert set(ds.index["source"]) == {"deepfashion2", "fpid"}
    assert ds.images.shape[1:] == (32, 32, 3) and len(ds.images) == len(ds.index)
    assert calls and all(0 <= d <= t for d, t in calls) and calls[-1][0] == calls[-1][1]
    index_mtime = (root / "index.parquet").stat().st_mtime_ns

    start = time.perf_counter()
    again = builtin.ensure_builtin(tmp_path, n_images=24, image_size_px=32)
    assert time.perf_counter() - start < 5  # reused, not regenerated (generous: the machine is shared)
    assert (root / "index.parquet").stat().st_mtime_ns == index_mtime
    assert len(again) == len(ds)
    # the explorer's statistics work on it: both sources, DeepFashion2 attributes, FPID article types
    assert not stats.attribute_counts(again).empty and not stats.article_type_counts(again).empty


def test_n_images_from_the_environment(monkeypatch):
    monkeypatch.delenv(builtin.N_IMAGES_ENV, raising=False)
    assert builtin.default_n_images() == builtin.DEFAULT_N_IMAGES
    monkeypatch.setenv(builtin.N_IMAGES_ENV, "200")
    assert builtin.default_n_images() == 200
    for bad, message in (("many", "whole number"), ("5", "at least 20")):
        monkeypatch.setenv(builtin.N_IMAGES_ENV, bad)
        with pytest.raises(LookbookError, match=message):
            builtin.default_n_images()


def test_builtin_lives_in_the_workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("LOOKBOOK_WORKSPACE", str(tmp_path / "ws"))
    assert builtin.builtin_dataset_dir() == (tmp_path / "ws").resolve() / "builtin" / "dataset"
    assert builtin.builtin_dataset_dir(tmp_path) == tmp_path / "builtin" / "dataset"
    assert not builtin.builtin_ready(tmp_path)
