"""Shared test fixtures: the real sample data (skipped when absent) and tiny prepared datasets."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(os.environ.get("LOOKBOOK_FIXTURES", ROOT.parent / "shared" / "fixtures"))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """The real sample data folder; tests using it skip with a reason when it is absent."""
    if not FIXTURES.is_dir():
        pytest.skip(f"real sample data not found at {FIXTURES} (set LOOKBOOK_FIXTURES to run these tests)")
    return FIXTURES


def make_tiny_dataset(root: Path, n_per_class: int = 16, size: int = 32, categories=("tshirt", "jeans", "sports_shoes")):
    """A prepared dataset of simple coloured shapes, one shape per category: learnable in seconds."""
    from lookbook.data.dataset import write_prepared
    from lookbook.data.schema import make_records
    from lookbook.data.taxonomy import slot_for

    rng = np.random.default_rng(0)
    images, rows = [], []
    for c_idx, cat in enumerate(categories):
        for i in range(n_per_class):
            img = np.full((size, size, 3), 255, np.uint8)
            colour = rng.integers(0, 200, 3)
            q = size // 4
            if c_idx % 3 == 0:
                img[q : 3 * q, q // 2 : size - q // 2] = colour  # wide block
            elif c_idx % 3 == 1:
                img[q // 2 : size - q // 2, q + q // 2 : 3 * q - q // 2] = colour  # tall block
            else:
                img[2 * q : 3 * q, q // 2 : size - q // 2] = colour  # low flat block
            images.append(img)
            rows.append(
                {
                    "record_id": f"fpid:all:{cat}{i}",
                    "source": "fpid",
                    "split": "all",
                    "image_path": f"/nonexistent/{cat}{i}.jpg",
                    "source_label": cat,
                    "category": cat,
                    "slot": slot_for(cat),
                }
            )
    return write_prepared(root, make_records(rows), np.stack(images))


@pytest.fixture()
def tiny_dataset(tmp_path):
    """A 48-image, 32 px prepared dataset with three categories."""
    return make_tiny_dataset(tmp_path / "tiny")
