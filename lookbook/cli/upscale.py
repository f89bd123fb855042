"""`python -m lookbook upscale`: enlarge images with the learned upscaler (or Lanczos + unsharp), one PNG per input."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

MAX_INPUT_PX = 1024  # larger inputs would make outputs of tens of megapixels; the model is meant for garment tiles


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "upscale",
        help="enlarge garment images 4x with the learned upscaler",
        description="Write DIR/<stem>.png for every input image (folders: the images directly inside). The default "
        "model is checkpoints/upscaler.keras when it ships, else Lanczos + unsharp.",
    )
    parser.add_argument("inputs", nargs="+", type=Path, metavar="IMAGE_OR_DIR", help="image files or folders of images")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the PNGs to (created if missing)")
    parser.add_argument("--scale", type=float, default=4.0, help="enlargement factor (default 4; others resample the 4x)")
    parser.add_argument("--model", default=None, help="upscaler run folder or .keras file, or 'lanczos' for the baseline")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    from PIL import Image

    from lookbook.data.images import is_image_name
    from lookbook.errors import LookbookError
    from lookbook.models.upscaler import default_upscaler_path, load_upscaler

    if not 1.0 <= args.scale <= 8.0:
        raise LookbookError(f"--scale must be 1..8, got {args.scale}")
    files = _inputs(args.inputs, is_image_name)
    stems = [f.stem for f in files]
    clash = sorted({s for s in stems if stems.count(s) > 1})
    if clash:
        raise LookbookError(f"inputs share the stem {clash[0]!r}; their PNGs would overwrite each other")
    if args.out.exists() and not args.out.is_dir():
        raise LookbookError(f"--out {args.out} is a file, not a folder")
    images = []
    for f in files:
        try:
            with Image.open(f) as im:
                images.append(np.asarray(im.convert("RGB")))
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            raise LookbookError(f"{f} is not a readable image ({type(exc).__name__})") from None
        if max(images[-1].shape[:2]) > MAX_INPUT_PX:
            raise LookbookError(f"{f} is {images[-1].shape[1]}x{images[-1].shape[0]} px; inputs are limited to {MAX_INPUT_PX} px")
    model = args.model if args.model is not None else default_upscaler_path()
    upscaler = load_upscaler(model)
    args.out.mkdir(parents=True, exist_ok=True)
    for i, (f, image) in enumerate(zip(files, images), 1):
        Image.fromarray(upscaler.enlarge(image, args.scale)).save(args.out / f"{f.stem}.png")
        print(f"\rupscaling [{i}/{len(files)}]", end="\n" if i == len(files) else "", file=sys.stderr, flush=True)
    print(f"wrote {len(files)} PNG(s) to {args.out} ({upscaler.method})")
    return 0


def _inputs(paths: list[Path], is_image_name) -> list[Path]:
    from lookbook.errors import LookbookError

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and is_image_name(p.name))
            if not found:
                raise LookbookError(f"{path} holds no images")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise LookbookError(f"{path} does not exist")
    return files
