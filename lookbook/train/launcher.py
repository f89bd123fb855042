"""Launch training runs as detached processes and read their run directories: the app's training backend."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import math
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

import lookbook
from lookbook import atomic
from lookbook.config import Config
from lookbook.errors import LookbookError
from lookbook.runs import METRICS_FILE, RunDir, pid_alive
from lookbook.train import scoring

KINDS = ("gan", "classifier")
LOG_FILE = "log.txt"
LAUNCH_FILE = "launch.json"
STARTING = "starting"  # shown from launch until the trainer writes its own status
LIVE_STATES = (STARTING, "running")
STARTUP_GRACE_S = 10.0  # how long stop_run waits for a trainer killed while still importing TensorFlow

# The code the children run is the code this process imported (a source checkout need not be installed).
_SOURCE_ROOT = Path(lookbook.__file__).resolve().parents[1]

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
BEST_METRICS = (("eval_fcd", "min"), ("eval_kid", "min"), ("val_accuracy", "max"), ("val_loss", "min"))
# metrics.jsonl columns read_metrics() always returns, by run kind.
METRIC_COLUMNS = {
    "gan": ("epoch", "step", "d_loss", "g_loss", "d_real", "d_fake", "g_lr", "d_lr", "images_per_s", "wall_time_s"),
    "classifier": ("epoch", "step", "loss", "accuracy", "val_loss", "val_accuracy", "lr", "images_per_s", "wall_time_s"),
}
_LOSS_RE = re.compile(r"loss|accuracy")
# How a trainer words a stop (lookbook.train.gan_trainer / callbacks): the app's Stop writes STOP and sends SIGTERM.
_ASKED_STOPS = ("stop requested", "stopped before training began")
_OUTSIDE_STOPS = {"SIGTERM": "stopped from outside the app (SIGTERM)", "SIGINT": "stopped with Ctrl-C"}
_SAMPLE_RE = re.compile(r"^epoch_(\d+)\.png$")


# configs ------------------------------------------------------------------
def check_kind(kind: str) -> None:
    """Raise unless `kind` is a run kind."""
    if kind not in KINDS:
        raise LookbookError(f"unknown run kind {kind!r} (choose {' or '.join(KINDS)})")


def preset_config(kind: str, preset: str | None = None) -> tuple[str, Config]:
    """(preset name, its config) for `kind`; `preset=None` is the trainer's default preset."""
    check_kind(kind)
    if kind == "gan":
        from lookbook.train import presets

        name = preset or presets.DEFAULT_PRESET
        return name, presets.gan_preset(name)
    from lookbook.models import classifier_config

    name = preset or getattr(classifier_config, "DEFAULT_PRESET", "cnn")
    return name, classifier_config.preset_config(name)


def build_config(kind: str, preset: str | None, overrides: Mapping[str, Any] | Sequence[str] = ()) -> Config:
    """The validated config a new run would train with: the preset plus overrides (a dict, or `key=value` strings)."""
    _, base = preset_config(kind, preset)
    return base.with_overrides(override_strings(overrides))


def override_strings(overrides: Mapping[str, Any] | Sequence[str]) -> list[str]:
    """Overrides as `key=value` strings (a dict's values formatted so they parse back to themselves)."""
    if isinstance(overrides, Mapping):
        return [f"{key}={format_value(value)}" for key, value in overrides.items()]
    return [overrides] if isinstance(overrides, str) else list(overrides)


def resolve_config(
    kind: str, run: str | Path, preset: str | None, overrides: Mapping[str, Any] | Sequence[str] = (), resume: bool = False
) -> tuple[str | None, Config, list[str]]:
    """(preset name, config, `--set` strings) exactly as the trainer will resolve them; errors are LookbookErrors.

    A resumed run keeps its own config and preset (the trainer checks what may change); the returned preset is
    then None, since the command line must not name one.
    """
    check_kind(kind)
    if resume:
        if kind != "gan":
            raise LookbookError(f"{kind} runs cannot be resumed; start a new run folder")
        from lookbook.train import gan_trainer

        sets = override_strings(overrides)
        config, _ = gan_trainer.config_for_run(run, preset, sets, resume=True)
        return None, config, sets
    name, base = preset_config(kind, preset)
    config = build_config(kind, name, overrides)
    return name, config, set_args(base, config)


def check_inputs(kind: str, config: Config, data: Path, opened: dict[int | None, Any] | None = None) -> None:
    """The trainer's start-up checks that need the dataset (a cache at the image size, batch vs. dataset size).

    `opened` memoises datasets by image size across calls (a sweep checks many configs).
    """
    from lookbook.data.dataset import PreparedDataset

    opened = {} if opened is None else opened
    size = getattr(config, "image_size_px", 0) or None
    if size not in opened:
        opened[size] = PreparedDataset.open(data, size)
    if kind == "gan":
        from lookbook.train import gan_trainer

        _, rows = gan_trainer.training_rows(opened[size], config)
        per_step = config.batch_size * config.d_steps
        if len(rows) < per_step:
            raise LookbookError(
                f"batch_size {config.batch_size} x d_steps {config.d_steps} is larger than the dataset "
                f"({len(rows)} training images); lower batch_size"
            )
        if config.eval_every_epochs:
            from lookbook.models.artifacts import CLASSIFIER_FILE, resolve_model_path

            resolve_model_path(config.eval_classifier, CLASSIFIER_FILE)


def format_value(value: Any) -> str:
    """A config value as a `--set` string that parses back to the same value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, (list, tuple)):
        return ",".join(format_value(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def set_args(base: Config, config: Config) -> list[str]:
    """`key=value` strings turning `base` into `config` (only the fields that differ)."""
    sets = [f"{key}={format_value(value)}" for key, (value, _) in config.diff(base).items()]
    if base.with_overrides(sets) != config:
        raise LookbookError(f"these settings do not survive the command line: {' '.join(sets)}")
    return sets


# launching ----------------------------------------------------------------
def train_command(
    kind: str,
    data: Path,
    run: Path,
    preset: str | None,
    sets: Sequence[str],
    resume: bool = False,
    extra_args: Sequence[str] = (),
) -> list[str]:
    """The `python -m lookbook train KIND ...` command line (`preset` None: the run's own, on resume)."""
    cmd = [sys.executable, "-m", "lookbook", "train", kind, "--data", str(data), "--run", str(run)]
    if preset is not None:
        cmd += ["--preset", preset]
    for item in sets:
        cmd += ["--set", item]
    if resume:
        cmd.append("--resume")
    return cmd + [str(a) for a in extra_args]


def spawn_run(
    kind: str,
    data: str | Path,
    run: str | Path,
    preset: str | None = None,
    overrides: Mapping[str, Any] | Sequence[str] = (),
    resume: bool = False,
    extra_args: Sequence[str] = (),
) -> subprocess.Popen:
    """Like start_run, but return the process handle; the caller must wait on it (the sweep does)."""
    check_kind(kind)
    rd = RunDir.at(run)
    data_path = Path(data).expanduser().resolve()
    rd.check_kind(kind)
    _refuse_live(rd)  # first: "it is running" says more than anything about its files (checked again below)
    preset_name, config, sets = resolve_config(kind, rd.path, preset, overrides, resume)
    check_inputs(kind, config, data_path)
    if not resume and has_training_output(rd):
        raise LookbookError(
            f"{rd.path} already holds a {kind} run (state {run_status(rd.path)['state']}); "
            + ("resume it or choose a new run folder" if kind == "gan" else "choose a new run folder")
        )
    rd.path.mkdir(parents=True, exist_ok=True)
    with _launch_guard(rd):
        _refuse_live(rd)
        rd.clear_stop()  # a STOP left by an earlier stop would end the new process at once
        cmd = train_command(kind, data_path, rd.path, preset_name, sets, resume, extra_args)
        proc = spawn_detached(cmd, rd.path / LOG_FILE)
        shown_preset = preset_name or (read_json(rd.path / "config.json") or {}).get("preset")
        launch = {
            "kind": kind,
            "preset": shown_preset,
            "data": str(data_path),
            "overrides": sets,
            "resume": resume,
            "config": config.to_dict(),
            "command": cmd,
            "pid": proc.pid,
            "host": socket.gethostname(),
            "launched": time.time(),
        }
        atomic.write_json(rd.path / LAUNCH_FILE, launch)
        _write_starting_status(rd, proc.pid, kind, shown_preset, config)
    return proc


def start_run(
    kind: str,
    data: str | Path,
    run: str | Path,
    preset: str | None = None,
    overrides: Mapping[str, Any] | Sequence[str] = (),
    resume: bool = False,
    extra_args: Sequence[str] = (),
    score_with: str | Path | None = None,
) -> int:
    """Validate, then start `python -m lookbook train KIND` detached from this process; return its pid.

    Refuses (LookbookError) while a live process writes `run` or when the preset + overrides are invalid.
    The process outlives the caller; its output goes to `run/log.txt`, its state to `run/status.json`.
    `score_with` (a classifier; GAN runs): when the run ends, a second detached process scores its generator.
    """
    proc = spawn_run(kind, data, run, preset, overrides, resume, extra_args)
    reap_in_background(proc)
    if score_with and kind == "gan":
        scoring.start_scoring(run, score_with, wait=True)  # scores the generator once the run ends, page open or not
    return proc.pid


def reap_in_background(proc: subprocess.Popen) -> None:
    """Wait for a detached child on a thread: unreaped, it lingers as a zombie that still looks alive to a pid check."""
    threading.Thread(target=proc.wait, name=f"lookbook-reap-{proc.pid}", daemon=True).start()


def stop_run(run: str | Path, wait_s: float = 0.0) -> None:
    """Ask a run to stop: the STOP file, plus SIGTERM to its live process; the trainer checkpoints and says `stopped`.

    With `wait_s`, wait up to that long for the process to exit.
    """
    rd = RunDir.at(run)
    if not rd.path.is_dir():
        raise LookbookError(f"{rd.path} is not a run directory")
    rd.request_stop()
    status = rd.read_status()
    pids = _live_pids(rd, status)
    starting = status.get("phase") == STARTING and status.get("state") == "running"
    for pid in pids:
        # SIGTERM only a trainer that handles it (checkpoint, `stopped`) or one still starting up (nothing to lose);
        # otherwise it would die mid-epoch, and the STOP file already asks it to stop cleanly.
        if starting or _catches(pid, signal.SIGTERM) is not False:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
    # A trainer still importing TensorFlow dies of SIGTERM without a word; wait for it so its status can say stopped.
    deadline = time.monotonic() + max(wait_s, STARTUP_GRACE_S if starting and pids else 0.0)
    while any(_running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    if starting and not _running(int(status.get("pid", -1))):
        now = rd.read_status()
        if now.get("phase") == STARTING:
            fields = {k: v for k, v in now.items() if k not in ("state", "host", "updated", "phase", "stale", "reason")}
            rd.write_status("stopped", **fields, reason="stopped before training began")


def wait_run(run: str | Path, timeout_s: float | None = None, poll_s: float = 0.5) -> dict[str, Any]:
    """Poll until the run is no longer starting/running (or `timeout_s` passes); return its status."""
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    while True:
        status = run_status(run)
        if status["state"] not in LIVE_STATES or (deadline is not None and time.monotonic() >= deadline):
            return status
        time.sleep(poll_s)


def has_training_output(rd: RunDir) -> bool:
    """Whether a folder already holds (part of) a trained run, which a fresh start would mix with its own."""
    from lookbook.train import gan_trainer

    return gan_trainer.has_training_output(rd) or (rd.path / "classifier.keras").exists()


@contextlib.contextmanager
def _launch_guard(rd: RunDir) -> Iterator[None]:
    """Serialise launches into one folder (two clicks, two tabs): an flock on the folder itself."""
    fd = os.open(rd.path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _refuse_live(rd: RunDir) -> None:
    if rd.is_locked():
        holder = rd.lock_holder() or {}
        raise LookbookError(
            f"{rd.path} is being written by process {holder.get('pid')} on {holder.get('host')}; stop it or wait for it to end"
        )
    status = rd.read_status()  # a run launched a moment ago has a status before its trainer takes the lock
    pid = int(status.get("pid", -1))
    if status.get("state") == "running" and status.get("host") == socket.gethostname() and _running(pid) and _is_trainer(pid):
        raise LookbookError(f"{rd.path} is already running (process {pid}); stop it or wait for it to end")


def spawn_detached(cmd: list[str], log_path: Path) -> subprocess.Popen:
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"  # log.txt fills as it happens
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(_SOURCE_ROOT)]
    env["PYTHONPATH"] = os.pathsep.join([str(_SOURCE_ROOT), *paths])
    with open(log_path, "ab") as log:
        log.write(f"\n=== {datetime.now():%Y-%m-%d %H:%M:%S} {shlex.join(cmd)}\n".encode())
        log.flush()
        try:
            # New session: no signal aimed at the caller's terminal or process group (Ctrl-C, app restart) reaches it.
            return subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
                cwd=_SOURCE_ROOT,
                env=env,
            )
        except OSError as exc:
            raise LookbookError(f"could not start the trainer ({exc})") from None


def _write_starting_status(rd: RunDir, pid: int, kind: str, preset: str | None, config: Config) -> None:
    previous = rd.read_status()
    if previous.get("pid") == pid:
        return  # the trainer was quicker and already wrote its own status
    # Keep a resumed run's epoch/step so the UI does not jump back to zero while it starts.
    kept = {k: v for k, v in previous.items() if k in ("epoch", "step")}
    epochs = getattr(config, "epochs", None)
    rd.write_status("running", **kept, pid=pid, phase=STARTING, kind=kind, preset=preset, epochs=epochs)


def _running(pid: int) -> bool:
    """Alive and not a zombie (an exited child nobody has reaped yet)."""
    if not pid_alive(pid):
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (macOS) or gone since: trust pid_alive
    return stat.rsplit(")", 1)[-1].split()[:1] != ["Z"]


def _catches(pid: int, signum: int) -> bool | None:
    """Whether process `pid` has a handler for `signum` (from /proc SigCgt); None when it cannot be told."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (signum - 1) & 1)
    return None


def _is_trainer(pid: int) -> bool:
    """Whether `pid` runs lookbook, so a recycled pid never gets our SIGTERM."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return not Path("/proc/self").exists()  # without /proc we cannot tell: trust the run's own records
    return b"lookbook" in cmdline


def _live_pids(rd: RunDir, status: dict[str, Any]) -> list[int]:
    host = socket.gethostname()
    candidates = []
    if status.get("state") == "running" and status.get("host") == host:
        candidates.append(int(status.get("pid", -1)))
    holder = rd.lock_holder()
    if holder and holder.get("host") == host:
        candidates.append(int(holder.get("pid", -1)))
    return [pid for pid in dict.fromkeys(candidates) if pid != os.getpid() and _running(pid) and _is_trainer(pid)]


# reading runs ---------------------------------------------------------------
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


def last_error(run: str | Path) -> str | None:
    """The last `error: ...` line (or the last line of a traceback) in `run/log.txt`, if any."""
    lines = [ln for ln in log_tail(run, 200).splitlines() if ln.strip()]
    for line in reversed(lines):
        if line.startswith("error: "):
            return line[len("error: ") :]
    if any(ln.startswith("Traceback") for ln in lines):
        return lines[-1]
    return None


def run_summary(run: str | Path) -> dict[str, Any]:
    """One row of list_runs(): identity, state, key hyperparameters, last losses, eval metrics, best metric."""
    rd = RunDir.at(run)
    launch = read_json(rd.path / LAUNCH_FILE) or {}
    if (rd.path / "config.json").is_file():
        config = rd.read_config()
    elif launch.get("config") is not None:
        config = {"kind": launch.get("kind"), **launch["config"]}  # just launched: the trainer has not written config.json yet
    else:
        raise LookbookError(f"{rd.path} is not a run directory (no config.json)")
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
    row.update(scoring.score_columns(rd.path))
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


def read_metrics(run: str | Path) -> pd.DataFrame:
    """metrics.jsonl as a DataFrame (one row per logged step); the kind's usual columns are always present."""
    rd = RunDir.at(run)
    columns = METRIC_COLUMNS[_kind_of(rd)]
    rows = rd.read_metrics()
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    df = pd.DataFrame(rows)
    for column in columns:
        if column not in df:
            df[column] = math.nan
    return df[[*columns, *[c for c in df.columns if c not in columns]]]


def smooth(series: pd.Series, window: int) -> pd.Series:
    """Trailing rolling mean over `window` logged values; gaps (NaN) stay gaps and are not averaged in."""
    series = pd.to_numeric(series, errors="coerce").astype("float64")
    window = int(window)
    if window <= 1:
        return series.copy()
    values = series.dropna()
    return values.rolling(window, min_periods=1).mean().reindex(series.index)


def metrics_digest(run: str | Path) -> dict[str, Any]:
    """{"last": last logged value per key, "best": (metric, value, epoch) or None, "rows": count}; cached per file version."""
    path = RunDir.at(run).path / METRICS_FILE
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


# helpers --------------------------------------------------------------------
def _kind_of(rd: RunDir) -> str:
    for source in (rd.path / "config.json", rd.path / LAUNCH_FILE):
        data = read_json(source)
        if data and data.get("kind") in KINDS:
            return data["kind"]
    return "gan"


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from a file, or None when it is missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _first(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def _timestamp(unix_s: Any) -> datetime | None:
    return datetime.fromtimestamp(unix_s) if _is_number(unix_s) else None
