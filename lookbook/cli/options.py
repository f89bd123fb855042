"""Options the `train` commands take alike: the run folder to write, config overrides, resuming."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_run_options(parser: argparse.ArgumentParser, writes: str, resume_help: str) -> None:
    """Add --run (the folder to write, which will hold `writes`), repeatable --set KEY=VALUE overrides and --resume."""
    parser.add_argument("--run", type=Path, required=True, help=f"run folder to write ({writes})")
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help="override a config field"
    )
    parser.add_argument("--resume", action="store_true", help=resume_help)
