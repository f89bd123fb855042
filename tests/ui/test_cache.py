"""The Streamlit cache layer: models and datasets are loaded once and again only when their file changes (path, mtime)."""

from __future__ import annotations

import os

import pytest

from lookbook.ui import cache
from tests.ui.fakes import fake_dataset


def _bump_mtime(path) -> None:
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_dataset_is_cached_until_it_is_prepared_again(tmp_path):
    root = fake_dataset(tmp_path / "ds", 80)
    first = cache.dataset(root)
    assert cache.dataset(root) is first
    tables = cache.dataset_stats(root)
    assert tables["summary"]["records"] == 80
    assert cache.dataset_figures(root)["splits"] is cache.dataset_figures(root)["splits"]
    _bump_mtime(root / "index.parquet")
    assert cache.dataset(root) is not first
    assert cache.cache_sizes(root) == [32]
    assert cache.dataset_meta(root)["count"] == 80


@pytest.mark.slow
def test_models_are_loaded_once_per_file_version(tmp_path):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    from lookbook.models import artifacts

    model = keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(4 * 4 * 3), keras.layers.Reshape((4, 4, 3)), keras.layers.Activation("tanh")]
    )
    path = artifacts.save_model(model, tmp_path / "generator.keras", {"kind": "generator", "image_size_px": 4, "noise_dim": 8})
    first = cache.generator(path)
    assert cache.generator(tmp_path) is first  # a run directory resolves to the same file and cache entry
    assert first.sample([1, 2]).shape == (2, 4, 4, 3)
    assert cache.model_meta(path)["noise_dim"] == 8
    _bump_mtime(path)
    assert cache.generator(path) is not first
