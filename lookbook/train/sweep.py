"""Hyperparameter sweeps: a grid and/or random ranges run one after another, with a summary table kept up to date."""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import itertools
import json
import math
import os
import random
import re
import subprocess
import sys
import time
import typing
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from lookbook import atomic
from lookbook.config import Config
from lookbook.errors import LookbookError
from lookbook.run import process, reader, scores
from lookbook.run.layout import LIVE_STATES, SCORE_LOG
from lookbook.train import launcher

DEFAULT_NAME = "sweep"
DEFAULT_TRIALS = 8  # random draws when --random is given without --trials
STOP_TIMEOUT_S = 300.0  # how long an interrupted sweep waits for its current run to checkpoint and stop
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# Columns of a run's summary that the sweep table leaves out (they are the same for every run, or shown elsewhere).
_DROPPED = {"id", "kind", "preset", "updated", *reader.HYPER_COLUMNS.values()}


@dataclasses.dataclass(frozen=True)
class RandomRange:
    """One `--random key=lo..hi[:log]`: values drawn uniformly (or log-uniformly) in [low, high]."""

    key: str
    low: float
    high: float
    log: bool = False  # draw uniformly in log space (learning rates, epsilons)
    integer: bool = False  # round to an integer (batch size, epochs, noise size)

    def draw(self, rng: random.Random) -> int | float:
        """One value; whole numbers are equally likely, floats keep 3 significant digits so tables stay readable."""
        if self.integer:
            low, high = math.ceil(self.low), math.floor(self.high)
            if not self.log:
                return rng.randint(low, high)
            return min(high, math.floor(math.exp(rng.uniform(math.log(low), math.log(high + 1)))))
        if self.log:
            value = math.exp(rng.uniform(math.log(self.low), math.log(self.high)))
        else:
            value = rng.uniform(self.low, self.high)
        rounded = float(f"{value:.3g}")
        return rounded if self.low <= rounded <= self.high else value

    def describe(self) -> str:
        return f"{self.key}={self.low:g}..{self.high:g}{':log' if self.log else ''}"


# The original project's hand-tuning ranges (CS230 report), used when `--random key` gives no range.
def default_range(key: str) -> tuple[float, float, bool] | None:
    """(low, high, log) the original searched for a setting named `key`, or None."""
    k = key.lower()
    if k.endswith("lr") or "learning_rate" in k:
        return (1e-5, 2.0, True)
    if "epsilon" in k or k.endswith("_eps"):
        return (1e-6, 1e-3, True)
    if k.startswith("beta"):
        return (1e-5, 2.0, False)
    if "batch" in k:
        return (10, 128, False)
    if k == "epochs":
        return (30, 300, False)
    if k in ("noise_dim", "noise_size"):
        return (10, 150, False)
    return None


@dataclasses.dataclass(frozen=True)
class SweepPlan:
    """Everything a sweep will run; trials are numbered `<name>-001`, `<name>-002`, ... under `root`."""

    kind: str
    data: Path
    root: Path
    name: str
    preset: str
    sets: tuple[str, ...]  # fixed `key=value` overrides for every run
    grid: tuple[tuple[str, tuple[Any, ...]], ...]  # (key, values): every combination is run
    random: tuple[RandomRange, ...]  # drawn `trials` times, each draw crossed with the grid
    trials: int
    seed: int  # seeds the random draws, so a resumed sweep draws the same values

    @property
    def keys(self) -> list[str]:
        """The swept settings, in command-line order."""
        return [k for k, _ in self.grid] + [r.key for r in self.random]

    def trial_values(self) -> list[dict[str, Any]]:
        """The swept values of every run, in run order (random draw outer, grid inner)."""
        rng = random.Random(self.seed)
        draws = [{r.key: r.draw(rng) for r in self.random} for _ in range(self.trials if self.random else 1)]
        combos = list(itertools.product(*[values for _, values in self.grid]))
        keys = [k for k, _ in self.grid]
        return [{**dict(zip(keys, combo)), **draw} for draw in draws for combo in combos]

    def run_dir(self, index: int) -> Path:
        """Folder of run number `index` (0-based)."""
        return self.root / f"{self.name}-{index + 1:03d}"

    def overrides(self, values: dict[str, Any]) -> list[str]:
        """`key=value` overrides of one run: the fixed ones plus its swept values."""
        return [*self.sets, *(f"{k}={launcher.format_value(v)}" for k, v in values.items())]

    def to_dict(self) -> dict[str, Any]:
        """JSON form, stored in the summary so a resumed sweep can check it is the same sweep."""
        return {
            "kind": self.kind,
            "data": str(self.data),
            "name": self.name,
            "preset": self.preset,
            "sets": list(self.sets),
            "grid": {k: list(v) for k, v in self.grid},
            "random": [dataclasses.asdict(r) for r in self.random],
            "trials": self.trials,
            "seed": self.seed,
            "runs": self.trial_values(),
        }


def summary_paths(root: str | Path, name: str) -> tuple[Path, Path]:
    """(`<root>/<name>-summary.csv`, `<root>/<name>-summary.json`)."""
    root = Path(root)
    return root / f"{name}-summary.csv", root / f"{name}-summary.json"


def summary_rows(root: str | Path, name: str) -> list[dict[str, Any]] | None:
    """The per-run rows of a sweep's summary JSON, or None while it has no readable summary."""
    _, json_path = summary_paths(root, name)
    try:
        rows = json.loads(json_path.read_text()).get("runs", [])
    except (OSError, ValueError, AttributeError):
        return None
    return rows if isinstance(rows, list) else None


def plan_sweep(
    kind: str,
    data: str | Path,
    root: str | Path,
    name: str = DEFAULT_NAME,
    preset: str | None = None,
    grid: Sequence[str] = (),
    random_ranges: Sequence[str] = (),
    trials: int | None = None,
    seed: int = 0,
    sets: Sequence[str] = (),
) -> SweepPlan:
    """Parse and check a sweep: unknown keys, bad values and invalid configs are one-line errors before anything runs."""
    from lookbook.data.dataset import INDEX_FILE

    launcher.check_kind(kind)
    if not _NAME_RE.match(name):
        raise LookbookError(f"sweep name {name!r} must be letters, digits, '.', '_' or '-' (it names folders)")
    data = Path(data).expanduser().resolve()
    if not (data / INDEX_FILE).is_file():
        raise LookbookError(f"{data} is not a prepared dataset (no {INDEX_FILE}); run `python -m lookbook data prepare` first")
    preset_name, base = launcher.preset_config(kind, preset)
    fixed = launcher.build_config(kind, preset_name, sets)  # bad --set values fail here
    fields = {f.name: f for f in dataclasses.fields(base)}
    hints = typing.get_type_hints(type(base))
    opened: dict[int | None, Any] = {}  # datasets by image size, opened once

    def trainable(key: str, value: Any, with_data: bool = True) -> bool:
        """Whether the trainer would start with `key=value`: the config's checks, and the dataset's if `with_data`."""
        try:
            config = fixed.replace(**{key: value})
            if with_data:
                launcher.check_inputs(kind, config, data, opened)
        except LookbookError:
            return False
        return True

    grid_items = [_parse_grid(item, fixed, fields) for item in grid]
    ranges = [_parse_random(item, fields, hints, trainable) for item in random_ranges]
    keys = [k for k, _ in grid_items] + [r.key for r in ranges]
    set_keys = [s.partition("=")[0].strip() for s in sets]
    repeated = sorted({k for k in keys + set_keys if (keys + set_keys).count(k) > 1})
    if repeated:
        raise LookbookError(f"setting(s) {', '.join(repeated)} given more than once across --grid, --random and --set")
    if not keys:
        raise LookbookError("nothing to sweep: give at least one --grid key=v1,v2 or --random key=lo..hi")
    if trials is not None and trials < 1:
        raise LookbookError(f"--trials must be at least 1, got {trials}")
    if trials is not None and not ranges and trials != 1:
        raise LookbookError("--trials counts random draws; add a --random range (a grid runs every combination once)")
    plan = SweepPlan(
        kind=kind,
        data=data,
        root=Path(root).expanduser().resolve(),
        name=name,
        preset=preset_name,
        sets=tuple(sets),
        grid=tuple(grid_items),
        random=tuple(ranges),
        trials=(trials or DEFAULT_TRIALS) if ranges else 1,
        seed=seed,
    )
    for i, values in enumerate(plan.trial_values()):
        try:
            config = launcher.build_config(kind, preset_name, plan.overrides(values))
            launcher.check_inputs(kind, config, plan.data, opened)
        except LookbookError as exc:
            raise LookbookError(f"run {plan.run_dir(i).name} ({_describe(values)}) is invalid: {exc}") from None
    return plan


def _parse_grid(item: str, fixed: Config, fields: dict[str, Any]) -> tuple[str, tuple[Any, ...]]:
    key, sep, raw = item.partition("=")
    key = key.strip()
    if not sep or not key or not raw.strip():
        raise LookbookError(f"--grid expects key=v1,v2,..., got {item!r}")
    _check_key(key, fields, "--grid", type(fixed).__name__)
    # ';' separates values that hold commas themselves (tuple settings such as widths).
    parts = [p.strip() for p in raw.split(";" if ";" in raw else ",") if p.strip()]
    values = []
    for part in parts:
        try:
            values.append(getattr(fixed.with_overrides([f"{key}={part}"]), key))
        except LookbookError as exc:
            raise LookbookError(f"--grid {key}={part}: {exc}") from None
    if len(set(map(repr, values))) != len(values):
        raise LookbookError(f"--grid {key} repeats a value: {raw}")
    return key, tuple(values)


def _parse_random(item: str, fields: dict[str, Any], hints: dict[str, Any], trainable: Callable[..., bool]) -> RandomRange:
    key, sep, spec = item.partition("=")
    key = key.strip()
    _check_key(key, fields, "--random", "the config")
    tp = hints.get(key)
    if tp not in (int, float):
        kind = "a choice" if typing.get_origin(tp) is typing.Literal else getattr(tp, "__name__", str(tp))
        raise LookbookError(f"--random needs a numeric setting; {key} is {kind} (use --grid {key}=A,B,...)")
    spec = spec.strip()
    if not sep or not spec:
        found = default_range(key)
        if found is None:
            raise LookbookError(f"--random {key} has no default range; give one: --random {key}=LOW..HIGH[:log]")
        low, high, log = found
        low, high = _fit_to_valid(key, low, high, log, hints[key] is int, trainable)
    else:
        body, _, flag = spec.partition(":")
        if flag not in ("", "log"):
            raise LookbookError(f"--random {item!r}: the only option after ':' is 'log'")
        low_s, dots, high_s = body.partition("..")
        try:
            low, high = float(low_s), float(high_s)
        except ValueError:
            low = high = math.nan
        if not dots or not (math.isfinite(low) and math.isfinite(high)):
            raise LookbookError(f"--random expects key=LOW..HIGH[:log], got {item!r}")
        log = flag == "log"
    if low > high:
        raise LookbookError(f"--random {key}: low {low:g} is above high {high:g}")
    if log and low <= 0:
        raise LookbookError(f"--random {key}: a log range needs low > 0, got {low:g}")
    integer = tp is int
    if integer and math.ceil(low) > math.floor(high):
        raise LookbookError(f"--random {key}: no whole number between {low:g} and {high:g}")
    return RandomRange(key=key, low=low, high=high, log=log, integer=integer)


def _fit_to_valid(
    key: str, low: float, high: float, log: bool, integer: bool, trainable: Callable[..., bool]
) -> tuple[float, float]:
    """Shrink a default range to the part the trainer accepts (the original searched beta up to 2, but Adam needs
    beta < 1; it tried batches up to 128, more than a small dataset holds)."""
    if integer:
        low, high = math.ceil(low), math.floor(high)
    with_data = True

    def valid(value: float) -> bool:
        return trainable(key, int(value) if integer else value, with_data)

    low_ok, high_ok = valid(low), valid(high)
    if not low_ok and not high_ok:
        # The dataset check fails whatever this key is (another setting's fault, e.g. a batch swept separately):
        # fit to the config's own limits and leave the dataset to the per-run checks.
        with_data = False
        low_ok, high_ok = valid(low), valid(high)
    if low_ok and high_ok:
        return low, high
    if not low_ok and not high_ok:
        raise LookbookError(f"--random {key}: no value in the default range {low:g}..{high:g} is valid; give a range")
    good, bad = (low, high) if low_ok else (high, low)
    # Bisect the boundary of the valid values (assumed one interval, as range checks make it).
    for _ in range(60):
        if integer and abs(bad - good) <= 1:
            break
        mid = math.sqrt(good * bad) if log else (good + bad) / 2
        mid = round(mid) if integer else mid
        good, bad = (mid, bad) if valid(mid) else (good, mid)
    return (low, good) if low_ok else (good, high)


def _check_key(key: str, fields: dict[str, Any], option: str, owner: str) -> None:
    if key not in fields:
        raise LookbookError(f"{option}: unknown setting {key!r} for {owner} (known: {', '.join(sorted(fields))})")


def _describe(values: dict[str, Any]) -> str:
    return " ".join(f"{k}={launcher.format_value(v)}" for k, v in values.items())


# running ----------------------------------------------------------------------
def run_sweep(
    plan: SweepPlan,
    progress: Callable[[int, int], None] | None = None,
    report_every_s: float = 30.0,
    poll_s: float = 1.0,
    log: TextIO | None = None,
    score_with: str | Path | None = None,
) -> pd.DataFrame:
    """Run every trial in turn and return the summary table. Rerunning a sweep skips finished runs, resumes stopped
    or killed ones, and skips ones the trainer failed (they would fail again; delete the folder to retry).
    With `score_with` (a classifier), each GAN run that ends is scored before the next starts (scoring.py), so the
    summary can rank the runs by their garments.

    The summary CSV/JSON is rewritten atomically before the first run and after each one. On KeyboardInterrupt the
    current run is asked to stop (it checkpoints), the summary is written, and the interrupt propagates.
    """
    log = log or sys.stderr
    plan.root.mkdir(parents=True, exist_ok=True)
    trials = plan.trial_values()
    with _sweep_lock(plan):
        previous = _previous_rows(plan)
        rows = [
            _row(plan, i, values, previous.get(plan.run_dir(i).name, {}).get("wall_time_s")) for i, values in enumerate(trials)
        ]
        write_summary(plan, rows)
        total = len(trials)
        for i, values in enumerate(trials):
            run = plan.run_dir(i)
            label = f"[sweep] {i + 1}/{total} {run.name}"
            status = reader.run_status(run) if run.is_dir() else {"state": "created"}
            earlier_s = rows[i].get("wall_time_s") or 0.0
            if status["state"] == "finished":
                _say(log, f"{label}: already finished, skipped")
                if _score(plan, run, score_with, label, log):
                    rows[i] = _row(plan, i, values, earlier_s or None)
            elif status["state"] == "failed" and not status.get("stale"):
                # The trainer itself gave up (e.g. a NaN loss): running it again would fail again.
                _say(log, f"{label}: failed earlier ({status.get('reason')}), skipped; delete {run} to retry it")
            else:
                started = time.monotonic()
                try:
                    _run_one(plan, values, run, status, label, report_every_s, poll_s, log)
                except LookbookError as exc:  # could not start: recorded, and the sweep goes on
                    _say(log, f"{label}: cannot start: {exc}")
                    rows[i] = {**_row(plan, i, values, earlier_s or None), "reason": str(exc)}
                except KeyboardInterrupt:
                    _stop_current(run, log)
                    rows[i] = _row(plan, i, values, earlier_s + time.monotonic() - started)
                    write_summary(plan, rows)
                    raise
                else:
                    wall_time_s = earlier_s + time.monotonic() - started
                    rows[i] = _row(plan, i, values, wall_time_s)
                    _say(log, f"{label}: {rows[i]['state']} in {rows[i]['wall_time_s']:.1f} s{_reason(rows[i])}")
                    if _score(plan, run, score_with, label, log):
                        rows[i] = _row(plan, i, values, wall_time_s)
                write_summary(plan, rows)
            if progress:
                progress(i + 1, total)
    return summary_frame(plan, rows)


def _run_one(
    plan: SweepPlan,
    values: dict[str, Any],
    run: Path,
    status: dict[str, Any],
    label: str,
    report_every_s: float,
    poll_s: float,
    log: TextIO,
) -> None:
    """Start (or resume, or adopt) one run and wait for it to end."""
    if status["state"] in LIVE_STATES:
        # Left running by a sweep that was killed: adopt it instead of starting a rival.
        _say(log, f"{label}: still running from before, waiting for it")
        _watch(None, run, label, report_every_s, poll_s, log)
        return
    # Stopped, or killed (stale): continue from its checkpoint when it has one.
    resume = status["state"] in ("stopped", "failed") and _resumable(run)
    proc = launcher.start_run(plan.kind, plan.data, run, plan.preset, plan.overrides(values), resume=resume)
    _say(log, f"{label}: {'resumed' if resume else 'started'} (pid {proc.pid}) {_describe(values)}")
    _watch(proc, run, label, report_every_s, poll_s, log)


def _score(plan: SweepPlan, run: Path, classifier: str | Path | None, label: str, log: TextIO) -> bool:
    """Score a GAN run that ended with a generator and has no current score; whether a score was written."""
    from lookbook.train import scoring

    if classifier is None or plan.kind != "gan" or scores.score_state(run)["state"] in ("scored", "scoring"):
        return False
    if reader.run_status(run)["state"] == "failed" or scores.generator_step(run) is None:
        return False
    _say(log, f"{label}: scoring with {Path(classifier).name}")
    proc = process.spawn_detached(scoring.score_command([run], classifier), run / SCORE_LOG)
    try:
        proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        raise
    state = scores.score_state(run)
    if state["state"] != "scored":
        _say(log, f"{label}: not scored ({state['reason']})")
        return False
    return True


def _watch(proc: subprocess.Popen | None, run: Path, label: str, report_every_s: float, poll_s: float, log: TextIO) -> None:
    """Wait for one run to end, with a progress line every `report_every_s`."""
    next_report = time.monotonic() + report_every_s
    while True:
        if proc is not None:
            if proc.poll() is not None:
                return
        elif reader.run_status(run)["state"] not in LIVE_STATES:
            return
        if time.monotonic() >= next_report:
            _say(log, f"{label}: {_progress_text(run)}")
            next_report = time.monotonic() + report_every_s
        time.sleep(poll_s)


def _progress_text(run: Path) -> str:
    status = reader.run_status(run)
    last = reader.metrics_digest(run)["last"]
    parts = [status["state"]]
    if status.get("epoch") is not None:
        epochs = status.get("epochs")
        parts.append(f"epoch {status['epoch']}" + (f"/{epochs}" if epochs else ""))
    if status.get("step") is not None:
        parts.append(f"step {status['step']}")
    parts += [f"{k}={v:.4g}" for k, v in last.items() if "loss" in k]
    eta = reader.eta_seconds(run)
    if eta is not None:
        parts.append(f"eta {eta / 60:.1f} min")
    return " ".join(parts)


def _stop_current(run: Path, log: TextIO) -> None:
    """Interrupted: stop the current run so it checkpoints (a later sweep resumes it), waiting a while for it."""
    _say(log, f"[sweep] interrupted: stopping {run.name} (it saves a checkpoint; Ctrl-C again to stop waiting)")
    try:
        process.stop_run(run)
        status = process.wait_run(run, timeout_s=STOP_TIMEOUT_S, poll_s=0.2)
        if status["state"] in LIVE_STATES:
            _say(log, f"[sweep] {run.name} is still stopping; it ends on its own")
    except KeyboardInterrupt:
        _say(log, f"[sweep] not waiting; {run.name} ends on its own")


def _resumable(run: Path) -> bool:
    """Whether the trainer can `--resume` this folder (only GAN runs can, from a checkpoint)."""
    return reader.resumable(run)


@contextlib.contextmanager
def _sweep_lock(plan: SweepPlan) -> Iterator[None]:
    """One process per sweep: an flock on `<root>/.<name>.lock`, released even if the process is killed."""
    path = plan.root / f".{plan.name}.lock"
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LookbookError(f"sweep {plan.name!r} in {plan.root} is already running in another process") from None
        yield
    finally:
        os.close(fd)


# summary ----------------------------------------------------------------------
def _previous_rows(plan: SweepPlan) -> dict[str, dict[str, Any]]:
    """Rows of an earlier run of this sweep, by run id; a different sweep under the same name is an error."""
    _, json_path = summary_paths(plan.root, plan.name)
    if not json_path.is_file():
        return {}
    try:
        stored = json.loads(json_path.read_text())
    except (OSError, ValueError):
        return {}  # unreadable: it is rewritten from the run folders
    mine = json.loads(json.dumps(plan.to_dict()))
    theirs = stored.get("sweep", {})
    if theirs != mine:
        changed = sorted(k for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k))
        raise LookbookError(
            f"sweep {plan.name!r} in {plan.root} was started with other settings ({', '.join(changed)} differ); "
            f"rerun it with the same arguments or choose another --name"
        )
    return {row.get("run_id"): row for row in stored.get("runs", []) if isinstance(row, dict)}


def _row(plan: SweepPlan, index: int, values: dict[str, Any], wall_time_s: float | None) -> dict[str, Any]:
    run = plan.run_dir(index)
    row: dict[str, Any] = {"run_id": run.name, **values}
    try:
        summary = reader.run_summary(run)
    except (LookbookError, OSError, ValueError):
        summary = {"state": "pending", "path": str(run)}
    row.update({k: v for k, v in summary.items() if k not in _DROPPED and k not in values})
    row["wall_time_s"] = None if wall_time_s is None else round(float(wall_time_s), 2)
    return row


def summary_frame(plan: SweepPlan, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The summary rows as a table: run id, swept values, state, losses and metrics, wall time, reason, path."""
    first = ["run_id", *plan.keys, "state", "epoch", "step"]
    last = ["best_metric", "best_value", "wall_time_s", "reason", "path"]
    middle = list(dict.fromkeys(k for row in rows for k in row if k not in first and k not in last))
    return pd.DataFrame(rows, columns=first + middle + last)


def write_summary(plan: SweepPlan, rows: list[dict[str, Any]]) -> tuple[Path, Path]:
    """Write `<name>-summary.csv` and `.json` atomically; return their paths."""
    csv_path, json_path = summary_paths(plan.root, plan.name)
    frame = summary_frame(plan, rows)
    with atomic.atomic_path(csv_path) as tmp:
        frame.to_csv(tmp, index=False)
    clean = [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
    atomic.write_json(json_path, {"sweep": plan.to_dict(), "runs": clean})
    return csv_path, json_path


def read_summary(root: str | Path, name: str = DEFAULT_NAME) -> pd.DataFrame:
    """A sweep's summary table (empty when the sweep has not started)."""
    csv_path, _ = summary_paths(root, name)
    return pd.read_csv(csv_path) if csv_path.is_file() else pd.DataFrame()


def _plain(value: Any) -> Any:
    """JSON-safe: NaN becomes null, numpy scalars plain numbers."""
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _reason(row: dict[str, Any]) -> str:
    reason = row.get("reason")
    return f" ({reason})" if isinstance(reason, str) and reason and row.get("state") != "finished" else ""


def _say(log: TextIO, line: str) -> None:
    print(line, file=log, flush=True)
