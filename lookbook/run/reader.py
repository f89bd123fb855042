"""Reading run directories for everyone (app, CLI, launcher, sweeps): status, metrics, samples, log, checkpoint step,
reports and the runs table. Nothing here imports TensorFlow or writes a file."""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from lookbook.errors import LookbookError
from lookbook.run import checkpoint, scores
from lookbook.run.folder import RunDir, read_json
from lookbook.run.layout import (
    CONFIG_FILE,
    EVAL_CATEGORIES_FILE,
    KINDS,
    LAUNCH_FILE,
    LIVE_STATES,
    LOG_FILE,
    METRICS_FILE,
    REPORT_FILE,
    SPLIT_FILE,
    STARTING,
)

# Columns of list_runs() that are always there; hyperparameters, losses and eval metrics are added when present.
RUN_COLUMNS = (
    "id",
    "kind",
    "preset",
    "state",
    "epoch",
    "epochs",
    "step",
    "total_steps",
    "best_metric",
    "best_value",
    "updated",
    "reason",
    "path",
)
# Config fields worth a column when comparing runs (only those a run's config has are shown): field -> column.
# The GAN's `loss` (bce/hinge) is shown as `loss_fn`, since a classifier logs a metric named `loss`.
HYPER_COLUMNS = {
    "image_size_px": "image_size_px",
    "batch_size": "batch_size",
    "g_lr": "g_lr",
    "d_lr": "d_lr",
    "learning_rate": "learning_rate",
    "beta1": "beta1",
    "optimizer": "optimizer",
    "loss": "loss_fn",
    "conditional": "conditional",
    "noise_dim": "noise_dim",
    "spectral_norm": "spectral_norm",
    "ema_decay": "ema_decay",
    "diffaugment": "diffaugment",
    "architecture": "architecture",
    "label_column": "label_column",
}
# Metrics a run is ranked by, first one logged wins: (key, "min" | "max").
BEST_METRICS = (
    ("eval_fcd", "min"),
    ("eval_kid", "min"),
    ("val_accuracy", "max"),
    ("val_loss", "min"),
    ("eval_psnr_db", "max"),
)
# metrics.jsonl columns read_metrics() always returns, by run kind.
METRIC_COLUMNS = {
    "gan": ("epoch", "step", "d_loss", "g_loss", "d_real", "d_fake", "g_lr", "d_lr", "images_per_s", "wall_time_s"),
    "classifier": ("epoch", "step", "loss", "accuracy", "val_loss", "val_accuracy", "lr", "images_per_s", "wall_time_s"),
    "upscaler": ("epoch", "step", "loss", "lr", "eval_psnr_db", "eval_lanczos_psnr_db", "images_per_s", "wall_time_s"),
}
_LOSS_RE = re.compile(r"loss|accuracy")
# How a trainer words a stop (lookbook.run.lifecycle): the app's Stop writes STOP and sends SIGTERM.
_ASKED_STOPS = ("stop requested", "stopped before training began")
_OUTSIDE_STOPS = {"SIGTERM": "stopped from outside the app (SIGTERM)", "SIGINT": "stopped with Ctrl-C"}
_SAMPLE_RE = re.compile(r"^epoch_(\d+)\.png$")


# one run ----------------------------------------------------------------------------------------------
def run_status(run: str | Path) -> dict[str, Any]:
    """status.json with stale detection; `state` is "starting" until the trainer takes over."""
    rd = RunDir.at(run)
    status = rd.read_status()
    if status.get("phase") != STARTING:
        return status
    if status.get("state") == "running":
        return {**status, "state": STARTING}
    if status.get("stale"):
        # The trainer died before writing a status of its own (bad input found at start-up): its reason is in the log.
        error = last_error(rd.path)
        if error:
            return {**status, "reason": f"the trainer exited during start-up: {error}"}
    return status


def describe_reason(run: str | Path, status: Mapping[str, Any]) -> str | None:
    """Why a run is not live, for people: a stop asked for from the app or the STOP file is "stopped by you"."""
    reason = status.get("reason")
    if status.get("state") != "stopped" or not isinstance(reason, str):
        return reason
    if RunDir.at(run).stop_requested() or reason.startswith(_ASKED_STOPS):
        return "stopped by you; resume it to carry on from its last checkpoint"
    signal_name = reason.removeprefix("stopped by ")
    if signal_name in _OUTSIDE_STOPS:
        return f"{_OUTSIDE_STOPS[signal_name]}; resume it to carry on from its last checkpoint"
    return reason


def run_facts(run: str | Path) -> dict[str, Any]:
    """config.json (or, just after launch, what launch.json says it will be); {} when neither is readable."""
    rd = RunDir.at(run)
    for path in (rd.path / CONFIG_FILE, rd.path / LAUNCH_FILE):
        data = read_json(path)
        if data is not None:
            return data
    return {}


def run_settings(run: str | Path) -> dict[str, Any]:
    """A run's hyperparameters as a flat dict (classifier and upscaler config.json nest them under "config")."""
    facts = run_facts(run)
    nested = facts.get("config")
    return dict(nested) if isinstance(nested, dict) else facts


def launch_record(run: str | Path) -> dict[str, Any] | None:
    """launch.json: what the app launched into the folder (kind, preset, command, pid), or None."""
    return read_json(RunDir.at(run).path / LAUNCH_FILE)


def kind_of(run: str | Path) -> str:
    """The run's kind from config.json or launch.json ("gan" when neither says)."""
    rd = RunDir.at(run)
    for source in (rd.path / CONFIG_FILE, rd.path / LAUNCH_FILE):
        data = read_json(source)
        if data and data.get("kind") in KINDS:
            return data["kind"]
    return "gan"


def resumable(run: str | Path) -> bool:
    """Whether a trainer can `--resume` the folder: it holds a config and a checkpoint."""
    rd = RunDir.at(run)
    return (rd.path / CONFIG_FILE).is_file() and checkpoint.has_checkpoint(rd.path)


def checkpoint_step(run: str | Path) -> int | None:
    """The step of a run's newest readable checkpoint (its metadata only), or None when it has none."""
    return checkpoint.newest_step(RunDir.at(run).path)


def classifier_report(folder: str | Path) -> dict[str, Any] | None:
    """The report.json of a classifier run folder (accuracy per split, confusion matrix, per-class scores), or None."""
    return read_json(Path(folder) / REPORT_FILE)


def classifier_split(folder: str | Path) -> dict[str, Any] | None:
    """The split.json of a classifier run folder (its held-out record ids), or None when it has none.

    Raises a one-line error when the file is there but unreadable (its held-out records would be unknown).
    """
    path = Path(folder) / SPLIT_FILE
    if not path.is_file():
        return None
    split = read_json(path)
    if split is None:
        raise LookbookError(f"{path} is not valid JSON")
    return split


def category_figures(run: str | Path) -> dict[str, Any] | None:
    """How a conditional GAN run does per category asked for, from the newer of its live eval and its score:
    {"per_category": {category: {"images", "asked_for", "diversity"}}, "step", "source": "eval" | "score",
    "n_images"}; None when it has neither."""
    path = RunDir.at(run).path
    found = []
    live = read_json(path / EVAL_CATEGORIES_FILE)
    if live and live.get("per_category"):
        found.append({**live, "source": "eval"})
    score = scores.read_score(path)
    if score and score.get("per_category"):
        step = (score.get("generator") or {}).get("step")
        found.append({"per_category": score["per_category"], "step": step, "source": "score", "n_images": score.get("n_images")})
    if not found:
        return None
    return max(found, key=lambda f: (f.get("step") or -1, f["source"] == "score"))


# metrics ----------------------------------------------------------------------------------------------
def metrics_file(run: str | Path) -> Path:
    """The run's metrics.jsonl (which may not exist yet), for callers that cache by its size and mtime."""
    return RunDir.at(run).path / METRICS_FILE


def read_metrics(run: str | Path) -> pd.DataFrame:
    """metrics.jsonl as a DataFrame (one row per logged step); the kind's usual columns are always present."""
    rd = RunDir.at(run)
    columns = METRIC_COLUMNS[kind_of(rd.path)]
    rows = rd.read_metrics()
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    df = pd.DataFrame(rows)
    for column in columns:
        if column not in df:
            df[column] = math.nan
    return df[[*columns, *[c for c in df.columns if c not in columns]]]


def metrics_digest(run: str | Path) -> dict[str, Any]:
    """{"last": last logged value per key, "best": (metric, value, epoch) or None, "rows": count}; cached per file version."""
    path = metrics_file(run)
    try:
        st = path.stat()
    except OSError:
        return {"last": {}, "best": None, "rows": 0}
    return _digest(str(path), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=512)
def _digest(path: str, size: int, mtime_ns: int) -> dict[str, Any]:
    rows = RunDir(Path(path).parent).read_metrics()
    last: dict[str, Any] = {}
    for row in rows:
        last.update({k: v for k, v in row.items() if _is_number(v)})
    best = None
    for key, mode in BEST_METRICS:
        logged = [(row[key], row.get("epoch")) for row in rows if _is_number(row.get(key)) and math.isfinite(row[key])]
        if logged:
            value, epoch = (min if mode == "min" else max)(logged, key=lambda item: item[0])
            best = (key, value, epoch)
            break
    return {"last": last, "best": best, "rows": len(rows)}


def eta_seconds(run: str | Path) -> float | None:
    """Seconds left for a live run: from its recent step rate and the steps it still has to do, or from what is left
    of its time budget (`max_minutes`) when that ends it sooner; None when unknown."""
    status = run_status(run)
    if status.get("state") not in LIVE_STATES:
        return None
    rows = [r for r in RunDir.at(run).read_metrics() if _is_number(r.get("step")) and _is_number(r.get("wall_time_s"))]
    budget = time_budget(run, rows)
    by_budget = None if budget is None else max(0.0, budget[1] - budget[0])
    total = _total_steps(status, rows)
    if total is None or len(rows) < 2:
        return by_budget
    recent = rows[-20:]
    steps = recent[-1]["step"] - recent[0]["step"]
    seconds = recent[-1]["wall_time_s"] - recent[0]["wall_time_s"]
    if steps <= 0 or seconds <= 0:
        return by_budget
    by_steps = max(0.0, (total - recent[-1]["step"]) * seconds / steps)
    return by_steps if by_budget is None else min(by_steps, by_budget)


def time_budget(run: str | Path, rows: list[dict[str, Any]] | None = None) -> tuple[float, float] | None:
    """(training seconds used, seconds allowed) of a run with a `max_minutes` budget; None without one."""
    rd = RunDir.at(run)
    try:
        minutes = rd.read_config().get("max_minutes")
    except LookbookError:
        return None
    if not _is_number(minutes) or minutes <= 0:
        return None
    rows = rd.read_metrics() if rows is None else rows
    logged = [float(r["wall_time_s"]) for r in rows if _is_number(r.get("wall_time_s"))]
    status = run_status(run).get("wall_time_s")  # exact at a checkpoint or the end; rows are logged every few steps
    used = max([*logged, float(status) if _is_number(status) else 0.0])
    return used, float(minutes) * 60.0


def _total_steps(status: dict[str, Any], rows: list[dict[str, Any]]) -> float | None:
    """Steps the run will have done when it ends: from its status, else epochs x steps per epoch seen in the log."""
    if _is_number(status.get("total_steps")):
        return float(status["total_steps"])
    epochs = _first(status.get("epochs"), status.get("total_epochs"))
    if not _is_number(epochs):
        return None
    if _is_number(status.get("steps_per_epoch")):
        return float(epochs) * status["steps_per_epoch"]
    # Last step logged in each epoch (epochs count from 1, steps from 0); the current epoch is still incomplete.
    ends = {int(row["epoch"]): row["step"] for row in rows if _is_number(row.get("epoch"))}
    done = [e for e in ends if 0 < e < max(ends, default=0)]
    if not done:
        return None
    return float(epochs) * ends[max(done)] / max(done)


# samples and log --------------------------------------------------------------------------------------
def sample_epochs(run: str | Path) -> dict[int, Path]:
    """Epochs that have a sample grid (`samples/epoch_NNNN.png`), oldest first, mapped to the PNG."""
    folder = RunDir.at(run).samples_dir
    if not folder.is_dir():
        return {}
    found = {int(m.group(1)): p for p in folder.iterdir() if (m := _SAMPLE_RE.match(p.name))}
    return dict(sorted(found.items()))


def latest_sample(run: str | Path) -> Path | None:
    """The newest sample grid, or None before the first epoch ends."""
    samples = sample_epochs(run)
    return samples[max(samples)] if samples else None


def log_tail(run: str | Path, n_lines: int = 40) -> str:
    """The last `n_lines` lines of `run/log.txt` as a terminal would show them (progress bars redraw with \\r)."""
    path = RunDir.at(run).path / LOG_FILE
    try:
        with open(path, "rb") as f:
            size = f.seek(0, os.SEEK_END)
            start = max(0, size - min(4 << 20, max(64 << 10, n_lines * 1024)))
            f.seek(start)
            data = f.read()
    except OSError:
        return ""
    lines = data.decode("utf-8", "replace").split("\n")
    if start > 0 and len(lines) > 1:
        lines = lines[1:]  # the first line was cut in half
    shown = [line.rstrip("\r").rsplit("\r", 1)[-1] for line in lines]
    while shown and not shown[-1].strip():
        shown.pop()
    return "\n".join(shown[-n_lines:]) if n_lines > 0 else ""


def last_error(run: str | Path) -> str | None:
    """The last `error: ...` line (or the last line of a traceback) in `run/log.txt`, if any."""
    lines = [ln for ln in log_tail(run, 200).splitlines() if ln.strip()]
    for line in reversed(lines):
        if line.startswith("error: "):
            return line[len("error: ") :]
    if any(ln.startswith("Traceback") for ln in lines):
        return lines[-1]
    return None


# the runs table ---------------------------------------------------------------------------------------
def run_summary(run: str | Path) -> dict[str, Any]:
    """One row of list_runs(): identity, state, key hyperparameters, last losses, eval metrics, best metric."""
    rd = RunDir.at(run)
    launch = launch_record(rd.path) or {}
    if (rd.path / CONFIG_FILE).is_file():
        config = rd.read_config()
    elif launch.get("config") is not None:
        config = {"kind": launch.get("kind"), **launch["config"]}  # just launched: the trainer has not written config.json yet
    else:
        raise LookbookError(f"{rd.path} is not a run directory (no {CONFIG_FILE})")
    kind = config.get("kind")
    if kind not in KINDS:
        raise LookbookError(f"{rd.path} holds an unknown kind of run ({kind!r})")
    params = config["config"] if isinstance(config.get("config"), dict) else config
    status = run_status(rd.path)
    digest = metrics_digest(rd.path)
    last = digest["last"]
    row: dict[str, Any] = {
        "id": rd.id,
        "kind": kind,
        "preset": config.get("preset") or params.get("preset") or launch.get("preset"),
        "state": status.get("state"),
        "epoch": _first(status.get("epoch"), last.get("epoch")),
        "epochs": _first(status.get("epochs"), status.get("total_epochs"), params.get("epochs")),
        "step": _first(status.get("step"), last.get("step")),
        "total_steps": status.get("total_steps"),  # a GAN run's planned steps (its progress); None for a classifier
    }
    row.update({column: params[key] for key, column in HYPER_COLUMNS.items() if key in params})
    row.update({key: value for key, value in last.items() if _LOSS_RE.search(key) or key.startswith("eval_")})
    row.update(scores.score_columns(rd.path))
    if _is_number(status.get("test_accuracy")):
        row["test_accuracy"] = status["test_accuracy"]  # the classifier's held-out score, known once it ends
    best = digest["best"]
    row.update(
        {
            "best_metric": best and best[0],
            "best_value": best and best[1],
            "updated": _timestamp(status.get("updated")),
            "reason": status.get("reason"),
            "path": str(rd.path),
        }
    )
    return row


def list_runs(root: str | Path) -> pd.DataFrame:
    """Every run folder directly under `root`, newest first; other folders are skipped and counted.

    `df.attrs["skipped"]` is the number of folders skipped, `df.attrs["skipped_reasons"]` says why.
    """
    root = Path(root).expanduser()
    rows, skipped = [], []
    if root.is_dir():
        for child in sorted(root.iterdir()):
            if not child.is_dir() or child.name.startswith("."):
                continue
            try:
                rows.append(run_summary(child))
            except (LookbookError, OSError, ValueError, TypeError, AttributeError, KeyError) as exc:
                skipped.append({"folder": child.name, "reason": str(exc)})
    columns = list(RUN_COLUMNS)
    extra = list(dict.fromkeys(k for row in rows for k in row if k not in columns))
    hyper = [c for c in HYPER_COLUMNS.values() if c in extra]
    ordered = columns[:7] + hyper + [k for k in extra if k not in hyper] + columns[7:]
    df = pd.DataFrame(rows, columns=ordered)
    if len(df):
        df = df.sort_values("updated", ascending=False, na_position="last", kind="stable").reset_index(drop=True)
    df.attrs["skipped"] = len(skipped)
    df.attrs["skipped_reasons"] = skipped
    return df


# helpers ----------------------------------------------------------------------------------------------
def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _first(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def _timestamp(unix_s: Any) -> datetime | None:
    return datetime.fromtimestamp(unix_s) if _is_number(unix_s) else None
