"""`python -m lookbook sweep`: queue a grid and/or random search of training runs, one after another."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when the command runs: `--help` stays light
    import pandas as pd

    from lookbook.train.sweep import SweepPlan

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `sweep` command."""
    p = subparsers.add_parser(
        "sweep",
        help="run a hyperparameter sweep (grid and/or random), one run after another",
        description=(
            "Queue training runs one after another, each in <root>/<name>-NNN, and keep <root>/<name>-summary.csv/.json "
            "up to date. Rerunning the same command resumes the sweep: finished runs are skipped, stopped or killed ones "
            "resumed, failed ones skipped (delete a run's folder to retry it). Ctrl-C or SIGTERM stops the current run "
            "with a checkpoint. "
            "Without a range, --random uses the original project's: learning rates 1e-5..2 (log), beta 1e-5..2, "
            "epsilon 1e-6..1e-3 (log), batch 10..128, epochs 30..300, noise size 10..150."
        ),
    )
    p.add_argument("--data", required=True, help="prepared dataset folder")
    p.add_argument("--root", required=True, help="runs root: the sweep's run folders and summary go here")
    p.add_argument("--name", default="sweep", help="sweep name: runs are <root>/<name>-001, ... (default: sweep)")
    p.add_argument("--kind", choices=("gan", "classifier"), default="gan", help="what to train (default: gan)")
    p.add_argument("--preset", default=None, help="preset every run starts from (default: the trainer's default)")
    p.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="KEY=V1,V2,...",
        help="try every value (';' separates values holding commas)",
    )
    p.add_argument(
        "--random",
        action="append",
        default=[],
        metavar="KEY[=LO..HI[:log]]",
        help="draw values in a range (':log' = log-uniform)",
    )
    p.add_argument("--trials", type=int, default=None, help="random draws, each crossed with the grid (default: 8 with --random)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random draws (default: 0)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="fixed setting for every run")
    p.add_argument("--dry-run", action="store_true", help="print the runs the sweep would make and exit")
    p.add_argument("--report-every", type=float, default=30.0, metavar="SECONDS", help="progress line interval (default: 30)")
    p.add_argument(
        "--score-with",
        default=None,
        metavar="CLASSIFIER",
        help="score each GAN run with this classifier when it ends (score.json; the summary gains score_* columns)",
    )
    p.add_argument(
        "--queue",
        action="store_true",
        help="wait for the sweeps queued before this one under --root to end first, and record this one's state in "
        "<root>/.sweeps/<name>.json (how the Training page runs sweeps)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Plan (all checks first), then run the sweep; exit 0 when every run finished, 1 otherwise."""
    from lookbook.train import sweep

    plan = sweep.plan_sweep(
        kind=args.kind,
        data=args.data,
        root=args.root,
        name=args.name,
        preset=args.preset,
        grid=args.grid,
        random_ranges=args.random,
        trials=args.trials,
        seed=args.seed,
        sets=args.set,
    )
    trials = plan.trial_values()
    print(f"[sweep] {plan.name}: {len(trials)} {plan.kind} run(s) from preset {plan.preset} in {plan.root}", file=sys.stderr)
    if args.dry_run:
        for i, values in enumerate(trials):
            print(plan.run_dir(i).name, *plan.overrides(values))
        return 0
    with _sigterm_as_interrupt():
        table = _queued(plan, args) if args.queue else _run(plan, args)
    csv_path, _ = sweep.summary_paths(plan.root, plan.name)
    shown = [c for c in table.columns if c not in ("path", "reason") and table[c].notna().any()]
    print(table[shown].to_string(index=False))
    finished = int((table["state"] == "finished").sum())
    print(f"[sweep] {finished}/{len(table)} finished; summary: {csv_path}", file=sys.stderr)
    return 0 if finished == len(table) else 1


def _run(plan: SweepPlan, args: argparse.Namespace) -> pd.DataFrame:
    from lookbook.train import sweep

    return sweep.run_sweep(plan, report_every_s=args.report_every, score_with=args.score_with)


def _queued(plan: SweepPlan, args: argparse.Namespace) -> pd.DataFrame:
    """Run the sweep in its turn in the queue, recording how it ends (a cancel arrives as SIGTERM)."""
    from lookbook.errors import LookbookError
    from lookbook.train import sweep_queue

    state, reason = "failed", None
    try:
        with sweep_queue.turn(plan.root, plan.name):
            table = _run(plan, args)
        state = "finished"
        return table
    except KeyboardInterrupt:
        state, reason = "cancelled", "cancelled by you"
        raise
    except LookbookError as exc:
        reason = str(exc)
        raise
    finally:
        sweep_queue.finish(plan.root, plan.name, state, reason)


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (e.g. `kill`, a job scheduler) stops the sweep like Ctrl-C: the current run checkpoints first."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
