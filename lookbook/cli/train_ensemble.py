"""`python -m lookbook train ensemble`: average trained classifier runs into one calibrated classifier run."""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ensemble",
        help="average trained classifiers into one",
        description="Average the softmax of two or more classifier runs trained on the same data and split (same "
        "split_seed, different seed). The result is a classifier run: one .keras file, its own confidence temperature "
        "fitted on the shared validation split, its own report on the shared test split.",
    )
    parser.add_argument("--members", type=Path, nargs="+", required=True, metavar="RUN", help="classifier run folders")
    parser.add_argument("--data", type=Path, required=True, help="the prepared dataset the members were trained on")
    parser.add_argument("--run", type=Path, required=True, help="run folder to write (config, split, model, report)")
    parser.add_argument(
        "--no-prior-correction",
        dest="prior_correction",
        action="store_false",
        help="keep the training split's category shares in the predictions (by default they are divided out with a "
        "strength fitted on the validation split)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from lookbook.run.layout import CLASSIFIER_FILE
    from lookbook.train.classifier_ensemble import ensemble_classifiers

    report = ensemble_classifiers(args.members, args.data, args.run, args.prior_correction)
    members = ", ".join(f"{m['test_accuracy']:.4f}" for m in report["members"] if m.get("test_accuracy") is not None)
    print(
        f"finished: test accuracy {report['accuracy']['test']:.4f} (members {members}), temperature "
        f"{report['calibration']['temperature']:.3f}, prior strength {report['calibration'].get('prior_strength', 0):.2f}; "
        f"model {args.run / CLASSIFIER_FILE}"
    )
    return 0
