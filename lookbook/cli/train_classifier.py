"""`python -m lookbook train classifier`: train the garment classifier headless (progress on stderr, results in the run)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from lookbook.cli.options import add_run_options


def register(subparsers: argparse._SubParsersAction) -> None:
    from lookbook.models.classifier_config import DEFAULT_PRESET, PRESETS

    parser = subparsers.add_parser(
        "classifier",
        help="train the garment classifier on a prepared dataset",
        description="Train a classifier over the unified categories (or another label column). Presets: ann: the "
        "CS230 original (dense layers on flattened pixels, Adam 1e-4); cnn: the strong default (small conv net with "
        "augmentation). Any ClassifierConfig field can be overridden with --set key=value.",
    )
    parser.add_argument("--data", type=Path, required=True, help="prepared dataset folder")
    add_run_options(parser, "config, status, metrics, split, model, report", argparse.SUPPRESS)  # run() refuses --resume
    parser.add_argument(
        "--preset", choices=sorted(PRESETS), default=DEFAULT_PRESET, help=f"recipe to start from (default {DEFAULT_PRESET})"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from lookbook.data.dataset import PreparedDataset
    from lookbook.errors import LookbookError
    from lookbook.models.classifier_config import preset_config

    if args.resume:
        raise LookbookError("classifier runs do not resume (a run takes minutes); start it again, or in a new --run folder")
    # settings and dataset are checked before TensorFlow loads, so typos fail in a blink
    config = preset_config(args.preset).with_overrides(args.overrides)
    PreparedDataset.open(args.data, config.image_size_px or None)
    from lookbook.train.classifier_trainer import train_classifier

    summary = train_classifier(
        config, args.data, args.run, progress=stderr_progress("training"), preset=args.preset, verbose=True
    )
    acc = summary["accuracy"]
    print(
        f"{summary['state']}: test accuracy {acc['test']:.4f} (train {acc['train']:.4f}) over {len(summary['categories'])} "
        f"labels after {summary['epochs_run']} epochs ({summary['train_minutes']:.1f} min, best epoch {summary['best_epoch']}); "
        f"model {summary['model']}"
    )
    return 0


def stderr_progress(label: str) -> Callable[[int, int], None]:
    """A `(done, total)` callback drawing one self-updating progress bar line on stderr."""

    def report(done: int, total: int) -> None:
        share = done / total if total else 1.0
        bar = "#" * int(share * 30)
        end = "\n" if done >= total else ""
        print(f"\r{label} [{bar:<30}] {done}/{total}", end=end, file=sys.stderr, flush=True)

    return report
