"""The plan of a run: every image's task fixed up front, so each image is reproducible on its own."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lookbook.data.synth.catalogue import fpid_categories

VALIDATION_SHARE = 0.1  # DeepFashion2 images in validation/ (the rest in train/)
FPID_FIRST_ID = 10001


@dataclass(frozen=True)
class Task:
    """One image to render: which tree, its position and everything that fixes its content."""

    tree: str  # "deepfashion2" or "fpid"
    split: str  # train / validation (FPID: "")
    index: int  # 0-based within the split (FPID: within the tree)
    pair_index: int = 0  # DeepFashion2: shop/user pairs share a garment
    pair_id: int = 0
    source: str = ""  # DeepFashion2: shop / user
    category: str = ""  # FPID: unified category to draw
    product_id: int = 0  # FPID id (file name and styles.csv id)


def plan(n_images: int, seed: int) -> list[Task]:
    """Every image of a run, about half in each tree; DeepFashion2 split 90/10, FPID categories balanced."""
    n_df2 = n_images // 2
    n_val = 0 if n_df2 < 2 else max(1, round(n_df2 * VALIDATION_SHARE))
    tasks: list[Task] = []
    pair_base = 0
    for split, count in (("train", n_df2 - n_val), ("validation", n_val)):
        for k in range(count):
            tasks.append(Task("deepfashion2", split, k, k // 2, pair_base + k // 2 + 1, "shop" if k % 2 == 0 else "user"))
        pair_base += (count + 1) // 2
    order = fpid_categories()
    perm = np.random.default_rng([seed, 5]).permutation(len(order))
    for i in range(n_images - n_df2):
        tasks.append(Task("fpid", "", i, category=order[int(perm[i % len(order)])], product_id=FPID_FIRST_ID + i))
    return tasks
