"""Contact sheets of generated garments: one labelled row per category (conditional) or a seed grid (unconditional)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

from lookbook.compose.fonts import FREETYPE_LOCK, font
from lookbook.compose.render import upscale
from lookbook.errors import LookbookError
from lookbook.models.artifacts import ClassifierHandle, GeneratorHandle

PAPER = (250, 248, 244)
INK = (34, 31, 28)
MUTED = (120, 114, 106)
GAP_PX = 6


def category_sheet(
    generator: GeneratorHandle,
    categories: Sequence[str] | None = None,
    per_row: int = 8,
    seed: int = 0,
    tile_px: int = 128,
    classifier: ClassifierHandle | None = None,
    title: str = "",
    rows_per_category: int = 1,
) -> Image.Image:
    """A sheet of generated garments, upscaled to `tile_px` (Lanczos + light sharpening, said in the header).

    Conditional: `rows_per_category` rows per category, seeds `seed, seed+1, ...` in the same places in every
    category, so a column shows what the label alone changes; with a classifier each category says how many of its
    images are classified as asked. Unconditional: `per_row` rows of `per_row` seeds; with a classifier each tile is
    captioned with its label.
    """
    if per_row < 1 or rows_per_category < 1:
        raise LookbookError(f"per_row and rows_per_category must be at least 1, got {per_row} and {rows_per_category}")
    if generator.conditional:
        cats = list(categories) if categories else list(generator.categories or [])
        n = per_row * rows_per_category
        blocks = [(cat, generator.sample(list(range(seed, seed + n)), [cat] * n)) for cat in cats]
    else:
        if categories:
            raise LookbookError("categories need a conditional generator (this one is unconditional)")
        blocks = [("", generator.sample(list(range(seed, seed + per_row * per_row))))]
    return _draw(blocks, per_row, generator, tile_px, classifier, title)


def _draw(
    blocks: list[tuple[str, np.ndarray]],
    per_row: int,
    generator: GeneratorHandle,
    tile_px: int,
    classifier: ClassifierHandle | None,
    title: str,
) -> Image.Image:
    """Lay out each (category, images) block as rows of `per_row` tiles, the category's name and hits on its left."""
    conditional = generator.conditional
    label_w = 190 if conditional else 0
    caption_h = 16 if classifier is not None and not conditional else 0
    header_h = 64
    row_h = tile_px + caption_h + GAP_PX
    n_rows = sum(-(-len(images) // per_row) for _, images in blocks)
    sheet = Image.new("RGB", (label_w + per_row * (tile_px + GAP_PX) + GAP_PX, header_h + n_rows * row_h + GAP_PX), PAPER)
    draw = ImageDraw.Draw(sheet)
    size = generator.image_size_px
    note = f"{size} px, shown at {tile_px} px (upscaled: Lanczos + light sharpening)" if tile_px != size else f"{size} px"
    with FREETYPE_LOCK:
        draw.text((GAP_PX + 4, 10), title or generator.path.name, fill=INK, font=font("sans-bold", 18))
        draw.text((GAP_PX + 4, 36), note, fill=MUTED, font=font("sans", 13))
    top = header_h
    for cat, images in blocks:
        labels, conf = classifier.predict(images) if classifier is not None else ([], np.zeros(0))
        for i, image in enumerate(images):
            x = label_w + GAP_PX + (i % per_row) * (tile_px + GAP_PX)
            y = top + (i // per_row) * row_h
            sheet.paste(upscale(image, tile_px) if tile_px != size else Image.fromarray(image), (x, y))
            if caption_h:
                with FREETYPE_LOCK:
                    draw.text((x, y + tile_px + 1), f"{labels[i]} {conf[i]:.2f}", fill=MUTED, font=font("sans", 11))
        if conditional:
            with FREETYPE_LOCK:
                draw.text((GAP_PX + 4, top + tile_px // 2 - 16), cat.replace("_", " "), fill=INK, font=font("sans-bold", 15))
                if classifier is not None:
                    hits = sum(label == cat for label in labels)
                    hit_text = f"classified as asked {hits}/{len(labels)}"
                    draw.text((GAP_PX + 4, top + tile_px // 2 + 4), hit_text, fill=MUTED, font=font("sans", 12))
        top += -(-len(images) // per_row) * row_h
    return sheet
