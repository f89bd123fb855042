"""Exact-resume checkpoints: every variable by group plus counters in one `.npz`, written atomically, previous one kept.

Layout of `checkpoint.npz`: `<group>/<NNNN>` arrays (one per variable, in the model's variable order) and `meta`
(UTF-8 JSON: step, epoch, wall time, config, ...). Writing goes to a temp file that replaces `checkpoint.npz`
only once complete; the file it replaces becomes `checkpoint.prev.npz`, the fallback when the latest is corrupt.
"""

from __future__ import annotations

import json
import os
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lookbook import atomic
from lookbook.errors import LookbookError
from lookbook.run.layout import CHECKPOINT_FILE, PREVIOUS_CHECKPOINT_FILE

FORMAT_VERSION = 1
_META_KEY = "meta"


@dataclass
class Checkpoint:
    """Arrays by group and the metadata of one saved training state."""

    groups: dict[str, list[np.ndarray]]
    meta: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @property
    def step(self) -> int:
        return int(self.meta["step"])


def checkpoint_paths(run_path: Path) -> tuple[Path, Path]:
    """(latest, previous) checkpoint files of a run folder."""
    return run_path / CHECKPOINT_FILE, run_path / PREVIOUS_CHECKPOINT_FILE


def has_checkpoint(run_path: Path) -> bool:
    return any(p.is_file() for p in checkpoint_paths(run_path))


def capture(groups: dict[str, Sequence[Any]]) -> dict[str, list[np.ndarray]]:
    """Copy variables (Keras or tf.Variables, also distributed ones) to numpy arrays."""
    return {name: [np.array(v.numpy()) for v in variables] for name, variables in groups.items()}


def restore(groups: dict[str, Sequence[Any]], arrays: dict[str, list[np.ndarray]]) -> None:
    """Assign saved arrays to variables; any mismatch in count or shape is a one-line error before anything is changed."""
    for name, variables in groups.items():
        saved = arrays.get(name)
        if saved is None or len(saved) != len(variables):
            n = "no" if saved is None else len(saved)
            raise LookbookError(f"the checkpoint does not fit this model: {name} has {len(variables)} variables, checkpoint {n}")
        for v, a in zip(variables, saved):
            if tuple(v.shape) != a.shape:
                raise LookbookError(
                    f"the checkpoint does not fit this model: {name} variable {getattr(v, 'path', v.name)} "
                    f"is {tuple(v.shape)}, checkpoint {a.shape}"
                )
    for name, variables in groups.items():
        for v, a in zip(variables, arrays[name]):
            v.assign(a)


def save(run_path: Path, groups: dict[str, list[np.ndarray]], meta: dict[str, Any]) -> Path:
    """Write `checkpoint.npz` atomically; the one it replaces becomes `checkpoint.prev.npz`."""
    latest, previous = checkpoint_paths(run_path)
    arrays = {f"{name}/{i:04d}": a for name, items in groups.items() for i, a in enumerate(items)}
    meta = {"format": FORMAT_VERSION, "groups": {name: len(items) for name, items in groups.items()}, **meta}
    arrays[_META_KEY] = np.frombuffer(json.dumps(meta, default=atomic._json_default).encode("utf-8"), dtype=np.uint8)
    with atomic.atomic_path(latest) as tmp:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)
        if latest.exists():
            os.replace(latest, previous)  # a crash from here to the rename leaves only prev: load() falls back to it
    return latest


def newest_step(run_path: Path) -> int | None:
    """The step of the newest readable checkpoint, from its metadata alone (cheap enough to poll), or None."""
    for path in checkpoint_paths(run_path):
        try:
            with np.load(path, allow_pickle=False) as data:  # an .npz is read lazily: only the meta member here
                return int(json.loads(bytes(data[_META_KEY]).decode("utf-8"))["step"])
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):  # half-written or damaged: try the previous
            continue
    return None


def read(path: Path) -> Checkpoint:
    """Read one checkpoint file completely; raises ValueError if it is truncated or malformed."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data[_META_KEY]).decode("utf-8"))
            groups: dict[str, list[np.ndarray]] = {}
            for name, count in meta["groups"].items():
                groups[name] = [np.array(data[f"{name}/{i:04d}"]) for i in range(int(count))]
    # a damaged or hand-made file fails in many ways (meta not an object, counts not numbers, absurd nesting)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, EOFError, RecursionError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{path.name} is unreadable ({type(exc).__name__}: {str(exc)[:120]})") from None
    if meta.get("format") != FORMAT_VERSION or "step" not in meta:
        raise ValueError(f"{path.name} has an unknown layout (format {meta.get('format')})")
    return Checkpoint(groups=groups, meta=meta, path=path)


def load(run_path: Path, warn: Any = None) -> Checkpoint:
    """The latest readable checkpoint of a run; a corrupt latest one falls back to the previous with a warning."""
    warn = warn or (lambda msg: print(f"warning: {msg}", file=sys.stderr))
    problems = []
    for path in checkpoint_paths(run_path):
        if not path.is_file():
            continue
        try:
            ckpt = read(path)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if problems:
            warn(f"{'; '.join(problems)}; resuming from {path.name} (step {ckpt.step}) instead")
        return ckpt
    if problems:
        raise LookbookError(f"no usable checkpoint in {run_path}: {'; '.join(problems)}")
    raise LookbookError(f"{run_path} has no checkpoint to resume from (start without --resume)")
