"""`python -m lookbook train upscaler`: train the 4x garment upscaler on folders of real product photos."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from lookbook.cli.options import add_run_options


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "upscaler",
        help="train the 4x super-resolution model on real product photos",
        description="Train the 64 -> 256 px upscaler on random patches of real photos (FPID roots or folders of images), "
        "each shrunk 4x with a generator-like degradation. Photos whose id is 0 modulo 10 are held out for evaluation. "
        "Any UpscalerConfig field can be overridden with --set key=value.",
    )
    parser.add_argument("--data", type=Path, action="append", required=True, help="folder of photos (repeatable)")
    add_run_options(parser, "config, status, metrics, samples, model", "continue the run in --run from its checkpoint")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from lookbook.data.superres import list_photos
    from lookbook.train.upscaler_trainer import config_for_run

    # settings and folders are checked before TensorFlow loads, so typos fail in a blink
    config = config_for_run(args.run, args.overrides, args.resume)
    list_photos(args.data)
    from lookbook.train.upscaler_trainer import train_upscaler

    summary = train_upscaler(config, args.data, args.run, resume=args.resume)  # progress lines come from the run's callbacks
    print(f"{summary['state']}: step {summary['step']} in {summary['wall_time_s'] / 60:.1f} min; model {summary['model']}")
    return 0 if summary["state"] != "failed" else 1
