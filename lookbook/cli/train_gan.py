"""`python -m lookbook train gan`: train or resume a DCGAN run headless (progress on stderr, state in the run folder)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from lookbook.cli.options import add_run_options
from lookbook.errors import LookbookError


def register(subparsers: argparse._SubParsersAction) -> None:
    from lookbook.train.presets import DEFAULT_PRESET, PRESET_NOTES

    parser = subparsers.add_parser(
        "gan",
        help="train a DCGAN on a prepared dataset",
        description="Train (or --resume) a DCGAN. Presets: "
        + "; ".join(f"{name}: {note}" for name, note in PRESET_NOTES.items())
        + ". Any GanConfig field can be overridden with --set key=value.",
    )
    parser.add_argument("--data", type=Path, help="prepared dataset folder (on --resume, defaults to the run's own)")
    add_run_options(parser, "config, status, metrics, samples, model", "continue the run in --run from its last checkpoint")
    parser.add_argument("--preset", help=f"recipe to start from: {', '.join(PRESET_NOTES)} (default {DEFAULT_PRESET})")
    parser.add_argument("--devices", default="1", help="1 (default), N mirrored devices (GPUs or CPU split), or multiworker")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from lookbook.run.folder import RunDir
    from lookbook.run.layout import CONFIG_FILE
    from lookbook.train.gan_trainer import config_for_run, train_gan

    config, preset = config_for_run(args.run, args.preset, args.overrides, resume=args.resume, devices=args.devices)
    data = args.data
    if data is None:
        if not args.resume:
            raise LookbookError("--data is required (a prepared dataset folder)")
        data = RunDir.at(args.run).read_config().get("data")
        if not data:
            raise LookbookError(f"{args.run}/{CONFIG_FILE} does not say which dataset it used; pass --data")
    result = train_gan(config, Path(data), args.run, resume=args.resume, devices=args.devices, preset=preset)
    return 1 if result["state"] == "failed" else 0
