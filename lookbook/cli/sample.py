"""`python -m lookbook sample`: a contact sheet of generated garments (one labelled row per category) as a PNG."""

from __future__ import annotations

import argparse
import io
import os
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the top-level `sample` command."""
    p = subparsers.add_parser(
        "sample",
        help="write a sheet of generated garments, one row per category",
        description=(
            "Sample a generator into a PNG contact sheet: one labelled row per category for a conditional generator "
            "(the same seeds in every row), a seed grid for an unconditional one. With a classifier, each row says how "
            "many of its images are classified as asked (each tile is captioned when unconditional). G and C default "
            "to checkpoints/generator.keras and checkpoints/classifier.keras."
        ),
    )
    p.add_argument("--generator", metavar="G", help="generator run directory or .keras file")
    p.add_argument("--classifier", metavar="C", help="classifier run directory or .keras file (optional)")
    p.add_argument("--categories", metavar="A,B", help="comma-separated categories (default: all the generator knows)")
    p.add_argument("--per-row", type=int, default=8, metavar="N", help="images per row (default 8)")
    p.add_argument("--rows", type=int, default=1, metavar="R", help="rows per category (conditional; default 1)")
    p.add_argument("--seed", type=int, default=0, help="first seed of every row (default 0)")
    p.add_argument("--tile-px", type=int, default=128, metavar="PX", help="shown size of each image (default 128)")
    p.add_argument("--title", default="", help="header text (default: the generator's file name)")
    p.add_argument("--out", required=True, metavar="FILE.png", help="where to write the sheet")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from lookbook import atomic
    from lookbook.compose.studio import resolve_checkpoint
    from lookbook.errors import LookbookError
    from lookbook.models.artifacts import load_classifier, load_generator
    from lookbook.viz.sheet import category_sheet

    out = Path(args.out)
    if out.suffix.lower() != ".png":
        raise LookbookError(f"--out must be a .png file, got {out.name}")
    if not 16 <= args.tile_px <= 1024:
        raise LookbookError(f"--tile-px must be between 16 and 1024, got {args.tile_px}")
    generator = load_generator(resolve_checkpoint(args.generator, "generator"))
    classifier = load_classifier(resolve_checkpoint(args.classifier, "classifier")) if args.classifier else None
    categories = [c.strip() for c in args.categories.split(",") if c.strip()] if args.categories else None
    sheet = category_sheet(generator, categories, args.per_row, args.seed, args.tile_px, classifier, args.title, args.rows)
    buf = io.BytesIO()
    sheet.save(buf, format="PNG", optimize=True)
    atomic.write_bytes(out, buf.getvalue())
    print(f"wrote {out} ({sheet.width}x{sheet.height})")
    return 0
