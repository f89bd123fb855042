"""The built-in dataset: synthetic DeepFashion2- and FPID-style sources, prepared once into the workspace and reused."""

from __future__ import annotations

import os
from pathlib import Path

from lookbook import paths
from lookbook.data.dataset import INDEX_FILE, PreparedDataset, images_file
from lookbook.data.loader import Progress
from lookbook.errors import LookbookError

BUILTIN_DIR = "builtin"
N_IMAGES_ENV = "LOOKBOOK_BUILTIN_IMAGES"  # lets tests and demos ask for a smaller built-in dataset
DEFAULT_N_IMAGES = 3000


def default_n_images() -> int:
    """Images in the built-in dataset: `$LOOKBOOK_BUILTIN_IMAGES` or DEFAULT_N_IMAGES."""
    value = os.environ.get(N_IMAGES_ENV, "").strip()
    if not value:
        return DEFAULT_N_IMAGES
    try:
        n = int(value)
    except ValueError:
        raise LookbookError(f"{N_IMAGES_ENV} must be a whole number of images, got {value!r}") from None
    if n < 20:
        raise LookbookError(f"{N_IMAGES_ENV} must be at least 20, got {n}")
    return n


def builtin_root(workspace: Path | None = None) -> Path:
    """`<workspace>/builtin`: holds `raw/` (the synthetic sources) and `dataset/` (the prepared dataset)."""
    return Path(workspace or paths.workspace_dir()) / BUILTIN_DIR


def builtin_dataset_dir(workspace: Path | None = None) -> Path:
    """Where the prepared built-in dataset lives."""
    return builtin_root(workspace) / "dataset"


def builtin_ready(workspace: Path | None = None, image_size_px: int = 64) -> bool:
    """True when the built-in dataset is prepared at `image_size_px`."""
    root = builtin_dataset_dir(workspace)
    return (root / INDEX_FILE).is_file() and (root / images_file(image_size_px)).is_file()


def ensure_builtin(
    workspace: Path | None = None,
    n_images: int | None = None,
    image_size_px: int = 64,
    seed: int = 0,
    progress: Progress | None = None,
) -> PreparedDataset:
    """The built-in dataset, made if missing: synthetic sources into `raw/`, then prepared into `dataset/`.

    Idempotent: a prepared dataset is reused as is; generating and preparing both resume or skip finished work.
    `progress(done, total)` is passed to each step in turn (generate, load, decode), so its count restarts per step.
    """
    from lookbook.data import prepare, sources, synth

    root = builtin_root(workspace)
    raw, out = root / "raw", builtin_dataset_dir(workspace)
    if builtin_ready(workspace, image_size_px):
        return PreparedDataset.open(out, image_size_px)
    # synth.generate keeps its own marker and returns at once when `raw` already holds these images
    synth.generate(raw, n_images=n_images or default_n_images(), seed=seed, progress=progress)
    specs = [sources.SourceSpec("deepfashion2", str(raw / "deepfashion2")), sources.SourceSpec("fpid", str(raw / "fpid"))]
    return prepare.build_dataset(out, specs, image_size_px=image_size_px, seed=seed, progress=progress)
