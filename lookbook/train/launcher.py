"""Resolving the config a training run starts with (preset, overrides, resume) and launching it as a detached
process; the run package (lookbook.run) starts, stops and reads the process and its folder."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lookbook.config import Config
from lookbook.errors import LookbookError
from lookbook.run import process, reader
from lookbook.run.folder import RunDir
from lookbook.train import scoring

LAUNCH_KINDS = ("gan", "classifier")  # the kinds the app starts (an upscaler run starts from the command line)


# configs ------------------------------------------------------------------
def check_kind(kind: str) -> None:
    """Raise unless `kind` is a kind of run the launcher starts."""
    if kind not in LAUNCH_KINDS:
        raise LookbookError(f"unknown run kind {kind!r} (choose {' or '.join(LAUNCH_KINDS)})")


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
        gan_trainer.check_batch_fits(config, len(rows))
        gan_trainer.check_eval_classifier(config)


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


def start_run(
    kind: str,
    data: str | Path,
    run: str | Path,
    preset: str | None = None,
    overrides: Mapping[str, Any] | Sequence[str] = (),
    resume: bool = False,
    extra_args: Sequence[str] = (),
    score_with: str | Path | None = None,
) -> subprocess.Popen:
    """Validate, then start `python -m lookbook train KIND` detached from this process; return its process handle.

    Refuses (LookbookError) while a live process writes `run` or when the preset + overrides are invalid.
    The process outlives the caller and is reaped on a thread (`poll()` says when it ended, as the sweep asks);
    its output goes to `run/log.txt`, its state to `run/status.json`.
    `score_with` (a classifier; GAN runs): when the run ends, a second detached process scores its generator.
    """
    check_kind(kind)
    rd = RunDir.at(run)
    data_path = Path(data).expanduser().resolve()
    rd.check_kind(kind)
    process.refuse_live(rd)  # first: "it is running" says more than anything about its files (checked again on launch)
    preset_name, config, sets = resolve_config(kind, rd.path, preset, overrides, resume)
    check_inputs(kind, config, data_path)
    if not resume and rd.holds_training_output():
        raise LookbookError(
            f"{rd.path} already holds a {kind} run (state {reader.run_status(rd.path)['state']}); "
            + ("resume it or choose a new run folder" if kind == "gan" else "choose a new run folder")
        )
    cmd = train_command(kind, data_path, rd.path, preset_name, sets, resume, extra_args)
    shown_preset = preset_name or rd.read_config().get("preset")  # a resumed run keeps the preset it was started with
    record = {
        "kind": kind,
        "preset": shown_preset,
        "data": str(data_path),
        "overrides": sets,
        "resume": resume,
        "config": config.to_dict(),
    }
    proc = process.launch(rd, cmd, record, getattr(config, "epochs", None))
    process.reap_in_background(proc)
    if score_with and kind == "gan":
        scoring.start_scoring(run, score_with, wait=True)  # scores the generator once the run ends, page open or not
    return proc
