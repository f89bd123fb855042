"""Keras callbacks for the side effects of a training run: NaN guard, metrics log, stop requests, samples, eval,
checkpoints, progress. They serve the GAN and, through a `TrainingState` subclass, the upscaler; the stop watcher
serves the classifier too.

`fit()` runs one Keras epoch per process (steps = what is left of the run), so a resume may start mid-epoch; the
callbacks derive the data epoch from the global step (`TrainingState`), never from Keras's epoch counter.
"""

from __future__ import annotations

import io
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np

from lookbook import atomic
from lookbook.errors import LookbookError
from lookbook.metrics.coverage import WEAK_CATEGORY
from lookbook.models import artifacts
from lookbook.run import checkpoint
from lookbook.run.folder import RunDir
from lookbook.run.layout import EVAL_CATEGORIES_FILE, SNAPSHOTS_DIR, snapshot_name
from lookbook.run.lifecycle import RunLifecycle

LOSS_KEYS = ("d_loss", "g_loss", "d_real", "d_fake", "d_class_acc", "g_spread")  # the last two: AC-GAN / MSGAN runs only


@dataclass
class TrainingState:
    """What the callbacks of one `fit()` share: the model, the run's plan and where training has got to."""

    run: RunDir
    life: RunLifecycle  # the run's lock, stop requests and failure status
    gan: Any  # the model `fit()` trains: lookbook.models.gan.DCGAN, or any model with state_groups() and metric_variables()
    sampler: Any  # a generator model the sampling weights are exported into
    config: Any  # GanConfig
    steps_per_epoch: int
    start_step: int
    final_step: int
    images_per_step: int
    categories: list[str] | None  # label map when conditional
    preview_z: np.ndarray  # fixed latents of the sample grid
    preview_labels: np.ndarray | None
    checkpoint_meta: dict[str, Any] = field(default_factory=dict)  # run facts stored in every checkpoint
    wall_offset_s: float = 0.0  # training time of this run's earlier processes (it was resumed)
    chief: bool = True  # only the chief writes files
    progress: Callable[[int, int], None] | None = None
    writer: Any = None  # tf.summary writer (TensorBoard), or None
    status_fields: dict[str, Any] = field(default_factory=dict)  # constant fields of status.json
    pending_metric_state: list[np.ndarray] | None = None  # tracker sums to restore once fit() has reset them
    step: int = 0
    failure: str | None = None
    last_row: dict[str, Any] = field(default_factory=dict)
    last_checkpoint_step: int = -1
    t_start: float = field(default_factory=time.monotonic)
    loss_keys: tuple[str, ...] = LOSS_KEYS  # the training logs metrics.jsonl records (and the NaN guard watches)
    divergence_hint: str = "lower g_lr/d_lr or try another preset"  # what the NaN guard tells the user to change
    _sampler_step: int = -1

    def epoch_of(self, step: int) -> int:
        """1-based epoch a step belongs to (its last step included)."""
        return -(-step // self.steps_per_epoch)

    def wall_time_s(self) -> float:
        return self.wall_offset_s + time.monotonic() - self.t_start

    def learning_rates(self, model: Any) -> dict[str, float]:
        """The current learning rates by metrics.jsonl column."""
        return {"g_lr": _current_lr(model.g_optimizer), "d_lr": _current_lr(model.d_optimizer)}

    def sampling_generator(self) -> Any:
        """The generator to sample from at the current step (EMA weights with recalibrated batch norm, if on)."""
        if self._sampler_step != self.step:
            self.gan.export_generator(self.sampler)
            self._sampler_step = self.step
        return self.sampler

    def generator_meta(self, **extra: Any) -> dict[str, Any]:
        """The sidecar of the sampling generator saved at the current step."""
        cfg = self.config
        return {
            "kind": "generator",
            "image_size_px": cfg.image_size_px,
            "noise_dim": cfg.noise_dim,
            "categories": self.categories,
            "config": cfg.to_dict(),
            **extra,
            "epoch": self.epoch_of(self.step),
            "step": self.step,
            "ema": cfg.ema_decay > 0,
            "saved": time.time(),
        }

    def generator_handle(self) -> artifacts.GeneratorHandle:
        cfg = self.config
        return artifacts.GeneratorHandle(
            model=self.sampling_generator(),
            path=self.run.path / artifacts.GENERATOR_FILE,
            image_size_px=cfg.image_size_px,
            noise_dim=cfg.noise_dim,
            categories=self.categories,
        )

    def preview_images(self) -> np.ndarray:
        """uint8 images from the fixed preview latents."""
        model = self.sampling_generator()
        inputs = self.preview_z if self.preview_labels is None else [self.preview_z, self.preview_labels]
        return artifacts.to_uint8(np.asarray(model(inputs, training=False)))

    def write_status(self, state: str, **extra: Any) -> None:
        if self.chief:
            self.run.write_status(
                state,
                **self.status_fields,
                epoch=self.epoch_of(self.step),
                step=self.step,
                wall_time_s=round(self.wall_time_s(), 1),
                **extra,
            )

    def save_checkpoint(self) -> bool:
        """Checkpoint the current state; refuses (False, and marks the run failed) if any weight is not finite."""
        groups = checkpoint.capture(self.gan.state_groups())
        groups["metrics"] = checkpoint.capture({"m": self.gan.metric_variables()})["m"]
        groups["preview"] = [self.preview_z, np.zeros(0, np.int32) if self.preview_labels is None else self.preview_labels]
        bad = [name for name, arrays in groups.items() for a in arrays if a.dtype.kind == "f" and not np.isfinite(a).all()]
        if bad:
            self.failure = (
                self.failure
                or f"non-finite weights in {sorted(set(bad))[0]} at step {self.step}; the last good checkpoint is kept"
            )
            return False
        if self.chief:
            meta = {
                **self.checkpoint_meta,
                "step": self.step,
                "epoch": self.step // self.steps_per_epoch,
                "wall_time_s": self.wall_time_s(),
                "saved": time.time(),
            }
            checkpoint.save(self.run.path, groups, meta)
        self.last_checkpoint_step = self.step
        return True

    def end(self, save_model: Callable[[], Any], log: Callable[[str], None], where: str) -> dict[str, Any]:
        """Close the run once `fit()` returns: a failed run as it is; else a last checkpoint, the final model
        (`save_model()` returns its path) and `finished` (every step, or the time budget spent) or `stopped`.
        Writes the final status and logs it (`where`: how far training got); returns {"state", "reason" when failed
        or stopped, "path" of the model, None when failed}."""
        if self.failure:
            self.write_status("failed", reason=self.failure)
            log(f"failed: {self.failure}")
            return {"state": "failed", "reason": self.failure, "path": None}
        if self.last_checkpoint_step != self.step:
            self.save_checkpoint()  # e.g. a resume that had nothing left to train
        state = "finished" if self.step >= self.final_step or self.life.budget_spent else "stopped"
        path = save_model()
        extra = {"reason": self.life.stop_reason} if state == "stopped" else {}
        self.write_status(state, **extra)
        log(f"{state} {where}: {path}")
        return {"state": state, **extra, "path": path}


def resumed_fields(ckpt: checkpoint.Checkpoint | None, model: Any, run: RunDir, chief: bool = True) -> dict[str, Any]:
    """The TrainingState fields that say where training starts: step 0 without `ckpt`; else the checkpoint restored
    into `model` (whose step counter must agree with it), and the chief drops the metrics rows logged after it."""
    if ckpt is None:
        return {"start_step": 0}
    checkpoint.restore(model.state_groups(), ckpt.groups)
    counter = int(model.step_counter.numpy())
    if counter != ckpt.step:
        raise LookbookError(f"checkpoint step counter {counter} != its metadata step {ckpt.step}")
    if chief:
        run.truncate_metrics(lambda row: int(row.get("step", 0)) <= ckpt.step)
    return {
        "start_step": ckpt.step,
        "step": ckpt.step,
        "last_checkpoint_step": ckpt.step,
        "wall_offset_s": float(ckpt.meta.get("wall_time_s", 0.0)),
        "pending_metric_state": ckpt.groups.get("metrics"),
    }


class RunCallback(keras.callbacks.Callback):
    """A callback bound to a TrainingState; `_step(batch)` is the global step just completed."""

    def __init__(self, state: TrainingState) -> None:
        super().__init__()
        self.state = state

    def _step(self, batch: int) -> int:
        self.state.step = self.state.start_step + batch + 1
        return self.state.step

    def _epoch_done(self, step: int) -> bool:
        return step % self.state.steps_per_epoch == 0


class NanGuard(RunCallback):
    """Stops the run when a loss turns NaN/inf; the run ends `failed` and the last good checkpoint stays."""

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        step = self._step(batch)
        s = self.state
        bad = [k for k in s.loss_keys if k in (logs or {}) and not math.isfinite(float(logs[k]))]
        if bad:
            s.failure = (
                f"{' and '.join(bad)} became NaN/inf at step {step} (epoch {s.epoch_of(step)}); training diverged: "
                f"{s.divergence_hint} (the last good checkpoint is kept)"
            )
            self.model.stop_training = True


class MetricsLogger(RunCallback):
    """A metrics.jsonl row (and TensorBoard scalars) every `log_every_steps`, at each epoch end and at the last step.

    Each row holds the means over the steps since the previous row: the trackers are reset after every row.
    """

    def __init__(self, state: TrainingState) -> None:
        super().__init__(state)
        self._last_step = state.start_step
        self._last_time = time.monotonic()

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        state = self.state.pending_metric_state
        if state is not None:  # fit() has just reset the trackers: put back the half-finished window of the checkpoint
            for var, value in zip(self.model.metric_variables(), state):
                var.assign(value)
            self.state.pending_metric_state = None

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        s = self.state
        step = self._step(batch)
        if s.failure or not (step % s.config.log_every_steps == 0 or self._epoch_done(step) or step == s.final_step):
            return
        now = time.monotonic()
        rate = (step - self._last_step) * s.images_per_step / max(now - self._last_time, 1e-9)
        row = {
            "epoch": s.epoch_of(step),
            "step": step,
            **{k: float(logs[k]) for k in s.loss_keys if k in (logs or {})},
            **s.learning_rates(self.model),
            "images_per_s": round(rate, 2),
            "wall_time_s": round(s.wall_time_s(), 3),
        }
        self._last_step, self._last_time = step, now
        s.last_row = row
        self.model.reset_metrics()
        if s.chief:
            s.run.append_metrics(row)
            write_scalars(s.writer, step, {k: v for k, v in row.items() if k not in ("epoch", "step")})


class StopWatcher(keras.callbacks.Callback):
    """Ends training when the STOP file appears, a signal asks for a stop, or the wall-clock budget (`budget_s`
    seconds of `used_s()`) is spent; looks at most every `every_s` seconds (the trainer checkpoints on the way out)."""

    def __init__(self, life: RunLifecycle, used_s: Callable[[], float], budget_s: float, every_s: float = 0.0) -> None:
        super().__init__()
        self.life, self.used_s, self.budget_s, self.every_s = life, used_s, budget_s, every_s
        self._checked = time.monotonic()

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self.every_s:
            now = time.monotonic()
            if now - self._checked < self.every_s:
                return
            self._checked = now
        if self.life.should_stop(self.used_s(), self.budget_s):
            self.model.stop_training = True


class SampleGrid(RunCallback):
    """`samples/epoch_NNNN.png` from the fixed latents at every epoch end (one row per class when conditional)."""

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        step = self._step(batch)
        if self._epoch_done(step) and not self.state.failure:
            self.write(self.state.epoch_of(step))

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        s = self.state
        if not s.failure and s.step > s.start_step and not self._epoch_done(s.step):
            self.write(s.epoch_of(s.step))  # a stop or max_steps mid-epoch still leaves a picture of where it got to

    def write(self, epoch: int) -> None:
        s = self.state
        if not s.chief:
            return
        cols = s.config.sample_grid_size
        grid = make_grid(s.preview_images(), cols)
        atomic.write_bytes(s.run.sample_path(epoch), png_bytes(grid))
        write_image(s.writer, s.step, "samples", grid)


class Evaluator(RunCallback):
    """Quality metrics (lookbook.metrics.quality) every `eval_every_epochs`, appended to metrics.jsonl as `eval_*`."""

    def __init__(
        self,
        state: TrainingState,
        classifier: Any,
        real_images: np.ndarray,
        real_labels: list[str] | None,
        log: Callable[[str], None],
    ) -> None:
        super().__init__(state)
        self.classifier = classifier
        self.real_images = real_images
        self.real_labels = real_labels
        self.log = log
        self._evaluate: Any = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        try:
            from lookbook.metrics.quality import evaluate_generator
        except ImportError as exc:
            self.log(f"note: quality metrics unavailable ({exc}); training without periodic eval")
            return
        self._evaluate = evaluate_generator

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        s = self.state
        step = self._step(batch)
        every = s.config.eval_every_epochs
        if self._evaluate is None or s.failure or not self._epoch_done(step) or (step // s.steps_per_epoch) % every:
            return
        started = time.monotonic()
        try:
            result = self._evaluate(
                s.generator_handle(),
                self.classifier,
                self.real_images,
                n_images=s.config.eval_images,
                seed=s.config.seed,  # the same latents every time: successive evals compare like with like
                real_labels=self.real_labels,
                baselines=False,  # the baselines do not change during a run; `lookbook eval` reports them
            )
        except Exception as exc:  # a metrics problem must not end a long training run
            self.log(f"note: quality eval at step {step} failed: {type(exc).__name__}: {str(exc)[:200]}")
            return
        numbers = {f"eval_{k}": v for k, v in _flat_numbers(result.get("metrics", result)).items()}
        per_category = result.get("per_category")
        if per_category:
            numbers["eval_weak_categories"] = sum(row["asked_for"] < WEAK_CATEGORY for row in per_category.values())
        numbers["eval_time_s"] = round(time.monotonic() - started, 2)
        if s.chief and numbers:
            s.run.append_metrics({"epoch": s.epoch_of(step), "step": step, **numbers})
            write_scalars(s.writer, step, numbers)
        if s.chief and per_category:
            record = {"epoch": s.epoch_of(step), "step": step, "n_images": s.config.eval_images, "per_category": per_category}
            atomic.write_json(s.run.path / EVAL_CATEGORIES_FILE, record)


class Checkpointer(RunCallback):
    """A checkpoint at every epoch end, every `checkpoint_every_minutes`, and when training ends early or late."""

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._last_time = time.monotonic()

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        s = self.state
        step = self._step(batch)
        minutes = s.config.checkpoint_every_minutes
        due = self._epoch_done(step) or (minutes > 0 and time.monotonic() - self._last_time >= minutes * 60)
        if due and not s.failure:
            if not s.save_checkpoint():
                self.model.stop_training = True
            self._last_time = time.monotonic()

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        s = self.state
        if not s.failure and s.last_checkpoint_step != s.step and s.step > s.start_step:
            s.save_checkpoint()


class Snapshotter(RunCallback):
    """A GAN run's `snapshots/step-NNNNNN.keras` every `snapshot_every_steps` (> 0): the generator as it sampled then,
    to choose a step after training (`eval` or `sample` read them like any generator)."""

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        s = self.state
        step = self._step(batch)
        if step % s.config.snapshot_every_steps == 0 and s.chief and not s.failure:
            path = s.run.path / SNAPSHOTS_DIR / snapshot_name(step)
            path.parent.mkdir(exist_ok=True)
            artifacts.save_model(s.sampling_generator(), path, s.generator_meta(preset=s.status_fields.get("preset")))


class ProgressReporter(RunCallback):
    """A progress line on stderr, the optional `progress(done, total)` callback, and `status.json` kept fresh.

    Our own line rather than `keras.utils.Progbar`: it counts the run's steps across resumes and its ETA heeds the
    time budget."""

    def __init__(self, state: TrainingState, stream: Any = None, status_every_s: float = 2.0) -> None:
        super().__init__(state)
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.print_every_s = 0.5 if self.tty else 15.0
        self.status_every_s = status_every_s
        self._printed = self._status = 0.0

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        s = self.state
        step = self._step(batch)
        if s.progress is not None:
            s.progress(step, s.final_step)
        now = time.monotonic()
        boundary = self._epoch_done(step) or step == s.final_step
        if boundary or now - self._printed >= self.print_every_s:
            self._printed = now
            end = "\r" if self.tty and not boundary else "\n"
            print(self.line(step, logs or {}), end=end, file=self.stream, flush=True)
        if boundary or now - self._status >= self.status_every_s:
            self._status = now
            s.write_status("running", images_per_s=s.last_row.get("images_per_s"))

    def line(self, step: int, logs: dict[str, Any]) -> str:
        s = self.state
        rate = s.last_row.get("images_per_s")
        done = (step - s.start_step) / max(s.final_step - s.start_step, 1)
        elapsed = time.monotonic() - s.t_start
        eta = elapsed / done * (1 - done) if done > 0 else float("nan")
        share = step / max(s.final_step, 1)
        budget_s = s.config.max_minutes * 60.0
        if budget_s:  # the time budget may end the run long before its last step
            used = s.wall_time_s()
            eta = min(eta, max(budget_s - used, 0.0)) if math.isfinite(eta) else max(budget_s - used, 0.0)
            share = max(share, used / budget_s)
        losses = " ".join(f"{k} {float(logs[k]):.3f}" for k in s.loss_keys[:2] if k in logs)
        bar = "#" * min(20, int(20 * share))
        return (
            f"[{bar:<20}] epoch {s.epoch_of(step)}/{s.config.epochs} step {step}/{s.final_step} {losses}"
            f"{f' {rate:.0f} img/s' if rate else ''} ETA {format_seconds(eta)}"
        )


def run_callbacks(state: TrainingState, *evaluators: keras.callbacks.Callback) -> list[keras.callbacks.Callback]:
    """The callbacks of a run's `fit()`, `evaluators` among them. Order matters: the NaN guard first (the others skip a
    failed step), the checkpoint after what it saves, progress last (it reports what they did)."""
    stop = StopWatcher(state.life, state.wall_time_s, state.config.max_minutes * 60.0)
    return [
        NanGuard(state),
        MetricsLogger(state),
        stop,
        SampleGrid(state),
        *evaluators,
        Checkpointer(state),
        ProgressReporter(state),
    ]


# helpers ------------------------------------------------------------------------------------------------
def make_grid(images: np.ndarray, cols: int, pad_px: int = 2) -> np.ndarray:
    """Tile uint8 images (n, S, S, 3) into rows of `cols`, on a white background."""
    n, size = len(images), images.shape[1]
    rows = max(1, -(-n // cols))
    cell = size + pad_px
    grid = np.full((rows * cell + pad_px, cols * cell + pad_px, 3), 255, np.uint8)
    for i, img in enumerate(images):
        r, c = divmod(i, cols)
        grid[pad_px + r * cell : pad_px + r * cell + size, pad_px + c * cell : pad_px + c * cell + size] = img
    return grid


def png_bytes(image: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="PNG")
    return buf.getvalue()


# TensorBoard events are written with core TensorFlow's generic `tf.summary.write` plus the plugin metadata
# TensorBoard expects, because `tf.summary.scalar`/`image` live in the tensorboard package, which is not installed.
def write_scalars(writer: Any, step: int, values: dict[str, Any]) -> None:
    """TensorBoard scalars (no-op without a writer)."""
    if writer is None:
        return
    import tensorflow as tf

    with writer.as_default(step=step):
        for key, value in values.items():
            if isinstance(value, (int, float)) and math.isfinite(value):
                tf.summary.write(key, tf.constant(float(value), tf.float32), metadata=_plugin("scalars"))


def write_image(writer: Any, step: int, tag: str, image: np.ndarray) -> None:
    """A TensorBoard image (the image plugin's [width, height, png] string tensor); no-op without a writer."""
    if writer is None:
        return
    import tensorflow as tf

    tensor = tf.constant([str(image.shape[1]).encode(), str(image.shape[0]).encode(), png_bytes(image)])
    with writer.as_default(step=step):
        tf.summary.write(tag, tensor, metadata=_plugin("images"))


def _plugin(name: str) -> Any:
    from tensorflow.core.framework import summary_pb2

    meta = summary_pb2.SummaryMetadata()
    meta.plugin_data.plugin_name = name
    return meta


def format_seconds(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "--"
    seconds = int(seconds)
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s"


def _current_lr(optimizer: Any) -> float:
    return float(f"{float(np.asarray(optimizer.learning_rate)):.6g}")  # float32 noise trimmed: 2e-4, not 0.000199999994


def _flat_numbers(values: dict[str, Any]) -> dict[str, float]:
    """The finite numbers among an eval result's metrics (nested dicts and lists are left to `lookbook eval`)."""
    return {
        key: float(value)
        for key, value in values.items()
        if isinstance(value, (int, float, np.number)) and not isinstance(value, bool) and math.isfinite(float(value))
    }
