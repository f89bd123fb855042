"""Sharpness and garment size of a prepared dataset's images, per source folder: are small thumbnails blurrier?

Run by hand (seconds):
    python benchmarks/bench_source_sharpness.py DATASET [--per-source 1500]

For a seeded sample of each source folder's cached images: the median standard deviation of the Laplacian (edge
energy; a blurred copy scores lower) and the median share of non-white pixels (how much of the square the garment
fills). Prints one row per source and each source's sharpness as a ratio of the sharpest one's.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lookbook.data.dataset import PreparedDataset


def laplacian_std(gray: np.ndarray) -> np.ndarray:
    """Per-image standard deviation of the 4-neighbour Laplacian of float grayscale images (n, h, w)."""
    centre = gray[:, 1:-1, 1:-1]
    lap = 4 * centre - gray[:, :-2, 1:-1] - gray[:, 2:, 1:-1] - gray[:, 1:-1, :-2] - gray[:, 1:-1, 2:]
    return lap.reshape(len(gray), -1).std(axis=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset")
    parser.add_argument("--per-source", type=int, default=1500)
    args = parser.parse_args()
    ds = PreparedDataset.open(args.dataset)
    roots = ds.index["source_root"].fillna("").astype(str).map(lambda r: Path(r).name or "?").to_numpy()
    rng = np.random.default_rng(0)
    rows = {}
    for root in sorted(set(roots)):
        members = np.flatnonzero(roots == root)
        picked = np.sort(rng.choice(members, min(args.per_source, len(members)), replace=False))
        gray = ds.images[picked].astype(np.float32).mean(axis=-1)
        rows[root] = (len(picked), float(np.median(laplacian_std(gray))), float(np.median((gray < 235).mean(axis=(1, 2)))))
    sharpest = max(sharp for _, sharp, _ in rows.values())
    print(f"{'source':<16}{'images':>8}{'sharpness':>11}{'ratio':>7}{'garment area':>14}")
    for root, (n, sharp, area) in rows.items():
        print(f"{root:<16}{n:>8}{sharp:>11.1f}{sharp / sharpest:>7.2f}{area:>14.2f}")


if __name__ == "__main__":
    main()
