"""Command line: `python -m lookbook data|train|eval|compose|sweep ...` (names are a contract, see DESIGN.md)."""

from __future__ import annotations

import argparse
import importlib
import sys

from lookbook.errors import LookbookError

# (command group, subcommand module). Each module has `register(subparsers)`, which adds its parsers
# and sets `func` on them; a group is a command with sub-commands of its own.
_GROUPS: dict[str, list[str]] = {
    "data": ["lookbook.cli.data"],
    "train": [
        "lookbook.cli.train_gan",
        "lookbook.cli.train_classifier",
        "lookbook.cli.train_ensemble",
        "lookbook.cli.train_upscaler",
    ],
}
_COMMANDS: list[str] = [
    "lookbook.cli.evaluate",
    "lookbook.cli.score",
    "lookbook.cli.compose",
    "lookbook.cli.sample",
    "lookbook.cli.sweep",
    "lookbook.cli.upscale",
]


def build_parser() -> argparse.ArgumentParser:
    """The full parser; modules not written yet are simply absent."""
    parser = argparse.ArgumentParser(prog="python -m lookbook", description="Lookbook designer command line.")
    top = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group, modules in _GROUPS.items():
        sub = top.add_parser(group, help=f"{group} commands").add_subparsers(
            dest="subcommand", required=True, metavar="SUBCOMMAND"
        )
        for name in modules:
            _register(name, sub)
    for name in _COMMANDS:
        _register(name, top)
    return parser


def _register(module_name: str, subparsers: argparse._SubParsersAction) -> None:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return
        raise
    module.register(subparsers)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; user errors print one line and return 2."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except LookbookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
