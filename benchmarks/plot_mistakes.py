"""The classifier's most confident mistakes as one picture: each product's photo, its catalogue label, what was said.

Run by hand on an `eval` report (its "worst" list names the records) and the dataset it was made on:

    python -m lookbook eval --classifier checkpoints/classifier.keras --data DATASET > report.json
    python benchmarks/plot_mistakes.py --report report.json --data DATASET --out docs/classifier-mistakes.png

Photos are read from each record's original file (the prepared 64 px image when the file is gone), fitted to a square
tile on white. Prints how many tiles were drawn and from which image.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lookbook.atomic import atomic_path
from lookbook.compose.fonts import font
from lookbook.data.dataset import PreparedDataset
from lookbook.viz.overlay import open_original

LABEL_PX = 34  # two caption lines under each tile
TRUE_INK, SAID_INK = (40, 40, 40), (170, 20, 20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, required=True, help="JSON printed by `lookbook eval --classifier`")
    parser.add_argument("--data", type=Path, required=True, help="the prepared dataset the report was made on")
    parser.add_argument("--out", type=Path, required=True, help="PNG to write")
    parser.add_argument("--count", type=int, default=18, help="mistakes to show, most confident first")
    parser.add_argument("--per-row", type=int, default=6)
    parser.add_argument("--tile-px", type=int, default=150)
    args = parser.parse_args()

    worst = json.loads(args.report.read_text())["worst"][: args.count]
    ds = PreparedDataset.open(args.data, 64)
    records = ds.index.set_index("record_id")
    tile, rows = args.tile_px, -(-len(worst) // args.per_row)
    sheet = Image.new("RGB", (args.per_row * tile, rows * (tile + LABEL_PX)), "white")
    draw, small = ImageDraw.Draw(sheet), font("sans", 11)
    originals = 0
    for k, mistake in enumerate(worst):
        photo = _photo(records, mistake)
        originals += photo is not None
        image = photo or Image.fromarray(ds.images[int(mistake["index"])])
        image = ImageOps.contain(image, (tile - 8, tile - 8), Image.Resampling.LANCZOS)  # thumbnails enlarged too
        x, y = (k % args.per_row) * tile, (k // args.per_row) * (tile + LABEL_PX)
        sheet.paste(image, (x + (tile - image.width) // 2, y + (tile - image.height) // 2))
        draw.text((x + 3, y + tile + 2), f"label: {_short(mistake['true'])}", fill=TRUE_INK, font=small)
        said = f"said: {_short(mistake['predicted'])} {mistake['confidence']:.2f}"
        draw.text((x + 3, y + tile + 17), said, fill=SAID_INK, font=small)
    with atomic_path(args.out) as tmp:
        sheet.save(tmp, format="PNG")
    cached = len(worst) - originals
    print(f"{len(worst)} mistakes drawn to {args.out} ({originals} from original photos, {cached} from the 64 px cache)")


def _short(category: str) -> str:
    """A category as short words (the display names run wider than a tile)."""
    return category.replace("_", " ")


def _photo(records, mistake: dict) -> Image.Image | None:
    """The record's original photo, or None when its file cannot be read."""
    try:
        path = records.loc[mistake["record_id"], "image_path"]
        return open_original(path).convert("RGB")
    except (KeyError, OSError, ValueError):
        return None


if __name__ == "__main__":
    main()
