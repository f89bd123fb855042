"""Every file of a run directory, named once, and the kinds and states a run can have."""

from __future__ import annotations

from typing import Literal

RunKind = Literal["gan", "classifier", "upscaler"]
RunState = Literal["created", "running", "finished", "stopped", "failed"]
KINDS: tuple[RunKind, ...] = ("gan", "classifier", "upscaler")
STARTING = "starting"  # shown from launch until the trainer writes its own status
LIVE_STATES = (STARTING, "running")
ENDED_STATES = ("finished", "stopped", "failed")

CONFIG_FILE = "config.json"  # {"kind": ..., config and run facts}
STATUS_FILE = "status.json"  # state, pid, epoch, step, updated
METRICS_FILE = "metrics.jsonl"  # one JSON object per logged step
LOCK_FILE = "run.lock"  # held by the process writing the run
STOP_FILE = "STOP"  # asks the trainer to stop after a checkpoint
SAMPLES_DIR = "samples"  # samples/epoch_NNNN.png
SNAPSHOTS_DIR = "snapshots"  # a GAN run's snapshots/step-NNNNNN.keras (+ .json), with snapshot_every_steps
LOG_FILE = "log.txt"  # the detached trainer's output
LAUNCH_FILE = "launch.json"  # what the app launched, until the trainer writes config.json
CHECKPOINT_FILE = "checkpoint.npz"  # the latest exact-resume checkpoint
PREVIOUS_CHECKPOINT_FILE = "checkpoint.prev.npz"  # the one before, kept in case the latest is damaged
TB_DIR = "tb"  # TensorBoard events
SPLIT_FILE = "split.json"  # a classifier run's held-out record ids
REPORT_FILE = "report.json"  # a classifier run's classification report on its test split
SCORE_FILE = "score.json"  # a GAN run's score
EVAL_CATEGORIES_FILE = "eval_categories.json"  # a conditional GAN run's newest live eval, per category asked for
SCORING_FILE = "scoring.json"  # present while a scoring process works on the run
SCORE_LOG = "score.log"  # the scoring process's output
GENERATOR_FILE = "generator.keras"
CLASSIFIER_FILE = "classifier.keras"
UPSCALER_FILE = "upscaler.keras"
MODEL_FILES: dict[str, str] = {"gan": GENERATOR_FILE, "classifier": CLASSIFIER_FILE, "upscaler": UPSCALER_FILE}


def snapshot_name(step: int) -> str:
    """`step-NNNNNN.keras`: the sampling generator at `step`."""
    return f"step-{step:06d}.keras"


def sample_name(epoch: int, suffix: str = "") -> str:
    """`epoch_NNNN.png` (with `suffix`, e.g. `_tshirt`, for per-class grids)."""
    return f"epoch_{epoch:04d}{suffix}.png"
