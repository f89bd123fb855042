"""Train the 4x upscaler on real product photos into a run directory, resuming exactly, with the GAN's run callbacks.

Each step draws `batch_size` random high-resolution patches and their degraded 4x-smaller versions from a generator
seeded with (seed, step), so a resumed run sees the same batches. Photos whose id is held out
(`lookbook.data.superres.is_held_out`) are never trained on: they give the per-epoch PSNR against Lanczos + unsharp and
the rows of the sample grid (64 px input, Lanczos + unsharp, model, real).
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import lookbook
from lookbook.config import check
from lookbook.data import superres
from lookbook.errors import LookbookError
from lookbook.models.upscaler_config import UpscalerConfig
from lookbook.run import checkpoint
from lookbook.run.folder import RunDir
from lookbook.run.layout import UPSCALER_FILE
from lookbook.run.lifecycle import RunLifecycle

KIND = "upscaler"
# settings a resumed run may change: they touch neither the network nor the batch stream
RESUMABLE = ("epochs", "max_steps", "max_minutes", "log_every_steps", "checkpoint_every_minutes", "eval_images")
LOSS_KEYS = ("loss",)


def config_for_run(run: str | Path, overrides: Sequence[str] = (), resume: bool = False) -> UpscalerConfig:
    """The config a run trains with: defaults plus `key=value` overrides, or on resume the run's own plus allowed ones."""
    if not resume:
        return UpscalerConfig().with_overrides(list(overrides))
    rd = RunDir.at(run)
    rd.refuse_if_locked()
    if not checkpoint.has_checkpoint(rd.path):
        raise LookbookError(f"--resume: {rd.path} has no checkpoint to resume from (start it without --resume)")
    rd.check_kind(KIND)
    base = UpscalerConfig.from_dict(rd.read_config()["config"])
    config = base.with_overrides(list(overrides))
    changed = [k for k, _ in base.diff(config).items() if k not in RESUMABLE]
    check(not changed, f"cannot change {', '.join(changed)} when resuming (they fix the network or the batches); start a new run")
    return config


def train_upscaler(
    config: UpscalerConfig,
    data: Sequence[str | Path],
    run: str | Path,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Train (or resume) an upscaler run in `run` on the photos under the `data` folders; returns a summary with `state`."""
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    config.validate()
    rd = RunDir.at(run)
    rd.check_kind(KIND)
    rd.refuse_if_locked()
    train_paths, held_paths = superres.split_photos(superres.list_photos(data))
    if config.max_images and len(train_paths) > config.max_images:
        pick = np.random.default_rng([config.seed, 1]).choice(len(train_paths), config.max_images, replace=False)
        train_paths = [train_paths[i] for i in np.sort(pick)]
    check(len(train_paths) > 0, f"no training photos under {', '.join(map(str, data))} (every photo found is held out)")
    check(len(held_paths) > 0, f"no held-out photos under {', '.join(map(str, data))} (ids that are 0 modulo 10 are held out)")
    ckpt = checkpoint.load(rd.path, warn=lambda m: log(f"warning: {m}")) if resume else None
    if not resume and rd.holds_training_output():
        raise LookbookError(f"{rd.path} already holds an upscaler run; use --resume to continue it or choose a new --run folder")
    with RunLifecycle(rd, fresh=not resume) as life:
        # reading thousands of photos takes minutes on a busy machine: the app shows the run as running meanwhile
        rd.write_status("running", kind=KIND, phase="reading photos", epochs=config.epochs, total_steps=config.total_steps)
        log(f"reading {len(train_paths)} training and {len(held_paths)} held-out photos at {config.hr_size_px} px")
        hr_train, train_paths = superres.load_squares(train_paths, config.hr_size_px, progress=_reading(log))
        n_held = max(config.eval_images, config.preview_images)
        hr_held, held_paths = superres.load_squares(held_paths[:n_held], config.hr_size_px)
        check(len(hr_train) > 0 and len(hr_held) > 0, "none of the photos could be decoded")
        facts = {
            "data": [str(Path(d).expanduser().resolve()) for d in data],
            "n_train_photos": len(hr_train),
            "held_out_rule": f"photo id % {superres.HOLDOUT_MODULUS} == 0",
            "lookbook_version": lookbook.__version__,
        }
        if ckpt is not None:
            check(
                ckpt.meta.get("n_train_photos") == len(hr_train),
                f"the photos changed since the checkpoint ({ckpt.meta.get('n_train_photos')} then, {len(hr_train)} now); "
                "resume on the same data",
            )
        rd.write_config(KIND, {"config": config.to_dict(), **facts})
        state = _training_state(config, rd, life, ckpt, hr_held, facts, progress)
        life.status = state.write_status
        if state.start_step < state.final_step:
            log(
                f"{'resuming' if resume else 'training'} {rd.path.name}: {len(hr_train)} photos, "
                f"{config.patch_px} px patches x {config.batch_size}, step {state.start_step} -> {state.final_step}"
            )
            state.write_status("running")
            _fit(state, config, hr_train, log)
        return _finish(state, config, facts, log)


def _reading(log: Callable[[str], None]) -> Callable[[int, int], None]:
    """A progress callback that logs a line every 15 s while photos are read."""
    started = last = time.monotonic()

    def report(done: int, total: int) -> None:
        nonlocal last
        if done == total or time.monotonic() - last >= 15:
            last = time.monotonic()
            log(f"read {done}/{total} photos ({last - started:.0f} s)")

    return report


def batch(hr_images: np.ndarray, config: UpscalerConfig, step: int) -> tuple[np.ndarray, np.ndarray]:
    """The (low-resolution, high-resolution) uint8 batch of `step`: a function of (seed, step) only."""
    rng = np.random.default_rng([config.seed, step])
    degradation = config.degradation()
    pairs = [superres.patch_pair(hr_images, rng, config.patch_px, degradation) for _ in range(config.batch_size)]
    return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])


def _dataset(hr_images: np.ndarray, config: UpscalerConfig, start_step: int, final_step: int) -> Any:
    import tensorflow as tf

    lr_px, hr_px = config.patch_px // superres.SCALE, config.patch_px

    def batches() -> Any:
        for step in range(start_step, final_step):
            yield batch(hr_images, config, step)

    signature = (
        tf.TensorSpec((config.batch_size, lr_px, lr_px, 3), tf.uint8),
        tf.TensorSpec((config.batch_size, hr_px, hr_px, 3), tf.uint8),
    )
    # the patches are cut on the Python side while the previous step trains
    return tf.data.Dataset.from_generator(batches, output_signature=signature).prefetch(2)


def build_training_model(config: UpscalerConfig) -> Any:
    """The network wrapped for `fit()`: L1 loss, Adam with cosine decay, a step counter, checkpointable state."""
    import keras
    import tensorflow as tf

    from lookbook.models.upscaler import build_upscaler

    class UpscalerTraining(keras.Model):
        """`fit()` wrapper: pixels in [-1, 1], mean absolute error (sharper than squared error at equal PSNR)."""

        def __init__(self, net: keras.Model) -> None:
            super().__init__(name="upscaler_training")
            self.net = net
            self.step_counter = self.add_weight(shape=(), dtype="int64", initializer="zeros", trainable=False, name="step")
            self.loss_tracker = keras.metrics.Mean(name="loss")

        @property
        def metrics(self) -> list[Any]:
            return [self.loss_tracker]

        def call(self, inputs: Any, training: bool = False) -> Any:
            return self.net(inputs, training=training)

        def train_step(self, data: Any) -> dict[str, Any]:
            lr, hr = data
            x = tf.cast(lr, tf.float32) / 127.5 - 1.0
            y = tf.cast(hr, tf.float32) / 127.5 - 1.0
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.abs(self.net(x, training=True) - y))
            grads = tape.gradient(loss, self.net.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.net.trainable_variables))
            self.step_counter.assign_add(1)
            self.loss_tracker.update_state(loss)
            return {"loss": self.loss_tracker.result()}

        def state_groups(self) -> dict[str, list[Any]]:
            return {"net": list(self.net.variables), "optimizer": list(self.optimizer.variables), "step": [self.step_counter]}

        def metric_variables(self) -> list[Any]:
            return [v for m in self.metrics for v in m.variables]

    keras.utils.set_random_seed(config.seed)
    model = UpscalerTraining(build_upscaler(config.features, config.residual_blocks))
    schedule = keras.optimizers.schedules.CosineDecay(config.learning_rate, max(config.total_steps, 1), alpha=0.01)
    model.compile(optimizer=keras.optimizers.Adam(schedule))
    model.optimizer.build(model.net.trainable_variables)  # slots exist before a checkpoint restores into them
    return model


def _training_state(
    config: UpscalerConfig,
    rd: RunDir,
    life: RunLifecycle,
    ckpt: checkpoint.Checkpoint | None,
    hr_held: np.ndarray,
    facts: dict[str, Any],
    progress: Callable[[int, int], None] | None,
) -> Any:
    from lookbook.train.callbacks import TrainingState, _current_lr, resumed_fields

    @dataclasses.dataclass
    class UpscalerState(TrainingState):
        """The GAN's training state, with the upscaler's learning rate and sample grid."""

        held_out: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, np.uint8))  # eval photos, uint8
        _handle: Any = None

        def learning_rates(self, model: Any) -> dict[str, float]:
            return {"lr": _current_lr(model.optimizer)}

        def preview_images(self) -> np.ndarray:
            return preview_rows(self.upscaler(), self.held_out[: self.config.preview_images])

        def upscaler(self) -> Any:
            """A handle on the live network (one traced graph for the whole run)."""
            if self._handle is None:
                from lookbook.models.upscaler import Upscaler

                self._handle = Upscaler(model=self.gan.net)
            return self._handle

    model = build_training_model(config)
    return UpscalerState(
        run=rd,
        life=life,
        gan=model,
        sampler=None,
        config=config,
        steps_per_epoch=config.steps_per_epoch,
        final_step=config.final_step,
        images_per_step=config.batch_size,
        categories=None,
        preview_z=np.zeros(0, np.float32),
        preview_labels=None,
        checkpoint_meta={**facts, "config": config.to_dict()},
        progress=progress,
        status_fields={"kind": KIND, "epochs": config.epochs, "total_steps": config.total_steps},
        **resumed_fields(ckpt, model, rd),
        loss_keys=LOSS_KEYS,
        divergence_hint="lower learning_rate",
        held_out=hr_held,
    )


def preview_rows(upscaler: Any, hr: np.ndarray) -> np.ndarray:
    """Sample-grid cells, one row per photo: its 4x-smaller version (nearest), Lanczos + unsharp, `upscaler`, the photo."""
    from lookbook.models.upscaler import SCALE, Upscaler

    lr = superres.downscale(hr)
    nearest = np.repeat(np.repeat(lr, SCALE, axis=1), SCALE, axis=2)
    cells = [nearest, Upscaler().upscale(lr), upscaler.upscale(lr), hr]
    return np.stack(cells, axis=1).reshape(-1, *hr.shape[1:])


def evaluate(upscaler: Any, hr: np.ndarray) -> dict[str, float]:
    """PSNR / SSIM of `upscaler` and of Lanczos + unsharp on photos `hr`, each shrunk 4x with Lanczos and enlarged back."""
    from lookbook.metrics import fidelity
    from lookbook.models.upscaler import Upscaler

    lr = superres.downscale(hr)
    model = fidelity.summarise(upscaler.upscale(lr), hr)
    base = fidelity.summarise(Upscaler().upscale(lr), hr)
    return {
        "psnr_db": model["psnr_db"],
        "ssim": model["ssim"],
        "lanczos_psnr_db": base["psnr_db"],
        "lanczos_ssim": base["ssim"],
        "psnr_gain_db": model["psnr_db"] - base["psnr_db"],
        "n_images": len(hr),
    }


def _fit(state: Any, config: UpscalerConfig, hr_train: np.ndarray, log: Callable[[str], None]) -> None:
    from lookbook.train import callbacks as cb

    class HeldOutEval(cb.RunCallback):
        """PSNR / SSIM on the held-out photos at every epoch end, as `eval_*` rows of metrics.jsonl."""

        def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
            s = self.state
            step = self._step(batch)
            if config.eval_images and not s.failure and self._epoch_done(step):
                result = evaluate(s.upscaler(), s.held_out[: config.eval_images])
                s.run.append_metrics({"epoch": s.epoch_of(step), "step": step, **{f"eval_{k}": v for k, v in result.items()}})
                gain = result["psnr_gain_db"]
                log(f"epoch {s.epoch_of(step)}: held-out PSNR {result['psnr_db']:.2f} dB ({gain:+.2f} dB vs Lanczos)")

    with state.life.stop_signals():
        state.gan.fit(
            _dataset(hr_train, config, state.start_step, state.final_step),
            epochs=1,  # one Keras epoch per process: a resume may start mid-epoch (the callbacks count real epochs)
            steps_per_epoch=state.final_step - state.start_step,
            shuffle=False,  # the batches are drawn at random, seeded by step
            verbose=0,
            callbacks=cb.run_callbacks(state, HeldOutEval(state)),
        )


def _finish(state: Any, config: UpscalerConfig, facts: dict[str, Any], log: Callable[[str], None]) -> dict[str, Any]:
    """Final status and, unless the run failed, `upscaler.keras` with its sidecar (including the held-out scores)."""
    from lookbook.models.artifacts import save_model
    from lookbook.models.upscaler import SCALE

    def save() -> Path:
        # the run's eval photos; the benchmark scores every held-out photo
        scores = evaluate(state.upscaler(), state.held_out[: config.eval_images]) if config.eval_images else {}
        path = state.run.path / UPSCALER_FILE
        meta = {
            "kind": KIND,
            "scale": SCALE,
            "input": "float32 images in [-1, 1], any size; output 4x larger, same range (clip it)",
            "config": config.to_dict(),
            **facts,
            "step": state.step,
            "epoch": state.epoch_of(state.step),
            "eval": scores,
            "saved": time.time(),
        }
        save_model(state.gan.net, path, meta)
        return path

    summary = {"run": str(state.run.path), "step": state.step, "wall_time_s": round(state.wall_time_s(), 1)}
    end = state.end(save, log, f"at step {state.step}")
    path = end.pop("path")
    return {**summary, **end, "model": path and str(path)}
