"""`python -m lookbook score`: judge finished GAN runs with a classifier and keep each score in the run's score.json."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from lookbook.errors import LookbookError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `score` command."""
    parser = subparsers.add_parser(
        "score",
        help="score GAN runs (FCD, recognisable share, asked-for class, within-class diversity) into their score.json",
        description="Judge each run's generator.keras with CLASSIFIER against the real images of the dataset the run "
        "trained on, print the score as JSON and write it to RUN/score.json, where the Training page reads it.",
    )
    parser.add_argument("runs", nargs="+", type=Path, metavar="RUN", help="GAN run folder")
    parser.add_argument("--classifier", type=Path, required=True, help="classifier run folder or .keras file (the judge)")
    parser.add_argument("--images", type=int, default=None, help="generated images per score (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="seeds the latents and the real images drawn (default 0)")
    parser.add_argument("--wait", action="store_true", help="wait for each run to stop training first")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Score every run; a run that cannot be scored gets score.json saying why, and the exit code is 1."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from lookbook.cli.train_classifier import stderr_progress
    from lookbook.train import scoring

    n_images = scoring.DEFAULT_IMAGES if args.images is None else args.images
    if n_images < 2:
        raise LookbookError(f"--images must be at least 2, got {n_images}")
    failed = 0
    for run_dir in args.runs:
        if not run_dir.is_dir():
            raise LookbookError(f"{run_dir} is not a run folder")
        scoring.mark_scoring(run_dir, os.getpid(), args.classifier)
        try:
            if args.wait:
                status = scoring.wait_for_end(run_dir)
                if status.get("state") == "failed":
                    raise LookbookError(f"the run failed ({status.get('reason')}); nothing to score")
            score = scoring.score_run(run_dir, args.classifier, n_images, args.seed, progress=stderr_progress("scoring"))
        except LookbookError as exc:
            scoring.record_failure(run_dir, args.classifier, str(exc))
            print(f"error: {run_dir}: {exc}", file=sys.stderr)
            failed += 1
            continue
        finally:
            scoring.clear_scoring(run_dir, os.getpid())
        print(json.dumps({"run": str(run_dir), **score}, indent=1))
    return 1 if failed else 0
