"""Train a GAN run end to end: check inputs, build the DCGAN under a device strategy, resume exactly, fit, save."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import lookbook
from lookbook.config import check
from lookbook.data.dataset import PreparedDataset
from lookbook.errors import LookbookError
from lookbook.models.gan_config import RESUME_LOCKED, GanConfig, stored_config
from lookbook.run import checkpoint
from lookbook.run.folder import RunDir
from lookbook.run.layout import CLASSIFIER_FILE, GENERATOR_FILE, TB_DIR
from lookbook.run.lifecycle import RunLifecycle
from lookbook.train import distribute, presets
from lookbook.train.gan_warm_start import WarmStart, plan_warm_start, warm_start

EVAL_REAL_IMAGES = 2000  # real images kept in memory for the periodic quality eval


def config_for_run(
    run: str | Path, preset: str | None = None, overrides: Sequence[str] = (), resume: bool = False, devices: int | str = 1
) -> tuple[GanConfig, str]:
    """(config, preset name) a run trains with: the preset plus `key=value` overrides, or, on resume, the run's own
    config plus overrides that leave the model and the data stream alone."""
    rd = RunDir.at(run)
    if not resume:
        name = preset or presets.DEFAULT_PRESET
        return presets.gan_preset(name).with_overrides(list(overrides)), name
    if distribute.is_chief(devices):  # a multi-worker run's other workers read the folder its chief holds
        rd.refuse_if_locked()
    if not checkpoint.has_checkpoint(rd.path):
        raise LookbookError(f"--resume: {rd.path} has no checkpoint to resume from (start it without --resume)")
    rd.check_kind("gan")
    stored = rd.read_config()
    base = stored_config(stored)
    stored_preset = stored.get("preset")
    if preset and stored_preset and preset != stored_preset:
        raise LookbookError(f"{rd.path} was started with preset {stored_preset!r}; a resumed run keeps it (drop --preset)")
    config = base.with_overrides(list(overrides))
    check_resumable(base, config)
    return config, stored_preset or preset or "custom"


def check_resumable(before: GanConfig, after: GanConfig) -> None:
    changed = [k for k in RESUME_LOCKED if getattr(before, k) != getattr(after, k)]
    check(
        not changed,
        f"cannot change {', '.join(changed)} when resuming (they fix the model or the data and noise streams); start a new run",
    )


def training_rows(ds: PreparedDataset, config: GanConfig) -> tuple[list[str], np.ndarray]:
    """(label map, dataset rows to train on): every category but other/unmapped, or `include_categories`."""
    present = ds.categories()
    if config.include_categories:
        missing = sorted(set(config.include_categories) - set(present))
        check(not missing, f"include_categories: {', '.join(missing)} not in the dataset (it has {', '.join(present) or 'none'})")
        present = [c for c in present if c in config.include_categories]
    rows = np.flatnonzero(ds.index["category"].isin(present).to_numpy())
    check(len(rows) > 0, f"{ds.root} has no images of a garment category to train on")
    return present, rows


def check_batch_fits(config: GanConfig, n_rows: int) -> None:
    """A one-line error when one step takes more images than the dataset holds."""
    check(
        n_rows >= config.batch_size * config.d_steps,
        f"batch_size {config.batch_size} x d_steps {config.d_steps} is larger than the dataset ({n_rows} training images); "
        "lower batch_size",
    )


def check_eval_classifier(config: GanConfig) -> None:
    """A one-line error when the periodic eval's classifier is missing (checked without loading it: no TensorFlow)."""
    if config.eval_every_epochs:
        from lookbook.models.artifacts import resolve_model_path

        resolve_model_path(config.eval_classifier, CLASSIFIER_FILE)


def train_gan(
    config: GanConfig,
    data: str | Path,
    run: str | Path,
    resume: bool = False,
    devices: int | str = 1,
    progress: Callable[[int, int], None] | None = None,
    preset: str | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Train (or resume) a GAN run in `run` on the prepared dataset `data`; returns a summary dict with `state`.

    Bad input is a LookbookError before anything is written. SIGTERM/SIGINT or the STOP file end the run after a
    checkpoint (`stopped`); a NaN loss ends it `failed`, keeping the last good checkpoint.
    """
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    plan = _plan(config, data, run, resume, devices, log)
    chief = plan.chief
    strategy = distribute.make_strategy(plan.devices)
    replicas = distribute.replica_count(strategy)
    _check_batch_split(config, replicas)
    classifier = _eval_classifier(config)
    rd = plan.run
    with RunLifecycle(rd, fresh=not resume, writer=chief) as life:
        facts = {
            "preset": preset,
            "data": str(plan.ds.root),
            "categories": plan.label_map,
            "n_train_images": len(plan.rows),
            # what metrics.jsonl's d_real / d_fake are: mean D(x), D(G(z)) as probabilities (bce) or raw scores (hinge)
            "d_output": "probability" if config.loss == "bce" else "score",
            "steps_per_epoch": plan.steps_per_epoch,
            "devices": str(devices),
            "replicas": replicas,
            "lookbook_version": lookbook.__version__,
        }
        if chief:
            rd.write_config("gan", {**config.to_dict(), **facts})
        state = _training_state(config, plan, strategy, life, progress, facts, log)
        state.status_fields = {
            "kind": "gan",
            "preset": preset,
            "epochs": config.epochs,
            "total_steps": plan.final_step,
            "steps_per_epoch": plan.steps_per_epoch,
        }
        life.status = state.write_status
        state.write_status("running")
        if state.start_step < plan.final_step:
            log(
                f"{'resuming' if resume else 'training'} {rd.path.name}: {len(plan.rows)} images, "
                f"{len(plan.label_map)} categories, {plan.steps_per_epoch} steps/epoch, "
                f"step {state.start_step} -> {plan.final_step} on {replicas} device(s)"
            )
            dataset = _dataset(plan, config, state.start_step)
            callbacks = _callbacks(state, classifier, plan, log)
            with life.stop_signals():
                state.gan.fit(
                    dataset,
                    epochs=1,  # one Keras epoch per process: a resume may start mid-epoch (callbacks count real epochs)
                    steps_per_epoch=plan.final_step - state.start_step,
                    shuffle=False,
                    verbose=0,
                    callbacks=callbacks,
                )
        return _finish(state, preset, log)


@dataclasses.dataclass
class _Plan:
    """A checked training job: what to train on, for how long, from which checkpoint."""

    run: RunDir
    ds: PreparedDataset
    label_map: list[str]
    rows: np.ndarray
    steps_per_epoch: int
    final_step: int
    devices: int | str
    chief: bool  # this process writes the run folder (only the chief of a multi-worker run does)
    ckpt: checkpoint.Checkpoint | None
    warm: WarmStart | None  # a fresh run's warm start (init_from)


def _plan(
    config: GanConfig, data: str | Path, run: str | Path, resume: bool, devices: int | str, log: Callable[[str], None]
) -> _Plan:
    """Every input check, before TensorFlow starts: bad input fails fast, and the CPU can still be split."""
    requested = distribute.parse_devices(devices)
    chief = distribute.is_chief(requested)
    config.validate()
    rd = RunDir.at(run)
    rd.check_kind("gan")
    if chief:
        rd.refuse_if_locked()
    ds = PreparedDataset.open(Path(data).expanduser().resolve(), config.image_size_px)
    label_map, rows = training_rows(ds, config)
    if isinstance(requested, int):
        _check_batch_split(config, requested)
    check_batch_fits(config, len(rows))
    steps_per_epoch = len(rows) // (config.batch_size * config.d_steps)
    final_step = config.epochs * steps_per_epoch
    if config.max_steps:
        final_step = min(final_step, config.max_steps)
    check_eval_classifier(config)
    ckpt = warm = None
    if resume:
        ckpt = checkpoint.load(rd.path, warn=lambda msg: log(f"warning: {msg}"))
        _check_checkpoint(ckpt, config, label_map, len(rows))
    elif chief and rd.holds_training_output():
        raise LookbookError(
            f"{rd.path} already holds a GAN run (state {rd.read_status().get('state')}); "
            "use --resume to continue it or choose a new --run folder"
        )
    if config.init_from and not resume:
        warm = plan_warm_start(config.init_from, config, label_map)
    return _Plan(rd, ds, label_map, rows, steps_per_epoch, final_step, requested, chief, ckpt, warm)


def _check_batch_split(config: GanConfig, replicas: int) -> None:
    check(
        config.batch_size % replicas == 0,
        f"batch_size {config.batch_size} must be a multiple of the {replicas} devices it is split across",
    )


def _eval_classifier(config: GanConfig) -> Any:
    if not config.eval_every_epochs:
        return None
    from lookbook.models import artifacts

    classifier = artifacts.load_classifier(config.eval_classifier)
    check(
        classifier.image_size_px == config.image_size_px,
        f"eval_classifier works on {classifier.image_size_px} px images but this GAN makes {config.image_size_px} px",
    )
    return classifier


def _check_checkpoint(ckpt: checkpoint.Checkpoint, config: GanConfig, label_map: list[str], n_rows: int) -> None:
    saved = ckpt.meta
    check(
        saved.get("categories") == label_map and saved.get("n_train_images") == n_rows,
        f"the dataset changed since the checkpoint ({saved.get('n_train_images')} images of {len(saved.get('categories') or [])} "
        f"categories then, {n_rows} of {len(label_map)} now); resume on the same dataset",
    )
    if isinstance(saved.get("config"), dict):
        check_resumable(stored_config(saved["config"]), config)


def _training_state(
    config: GanConfig,
    plan: _Plan,
    strategy: Any,
    life: RunLifecycle,
    progress: Callable[[int, int], None] | None,
    facts: dict[str, Any],
    log: Callable[[str], None],
) -> Any:
    """Models, optimisers and the callbacks' shared state, restored from `ckpt` when resuming."""
    import tensorflow as tf

    from lookbook.models import gan
    from lookbook.train.callbacks import TrainingState, resumed_fields

    rd, ckpt, label_map, steps_per_epoch, chief = plan.run, plan.ckpt, plan.label_map, plan.steps_per_epoch, plan.chief
    configure_tensorflow(config)
    n_classes = len(label_map) if config.conditional else 0
    model = build_dcgan(config, n_classes, config.epochs * steps_per_epoch, strategy)
    # The sampler is built outside the strategy and in float32: plain variables to save, exact inference.
    with gan.compute_dtype(False):
        sampler = gan.build_generator(config, n_classes, name="sampler")
    if plan.warm is not None:
        warm_start(model, plan.warm, n_classes, log)
    resumed = resumed_fields(ckpt, model, rd, chief)
    if ckpt is not None:
        _apply_learning_rates(model, config, log)
        preview_z, preview_labels = ckpt.groups["preview"]
        preview_labels = preview_labels if n_classes else None
    else:
        preview_z, preview_labels = preview_latents(config, n_classes)
    writer = tf.summary.create_file_writer(str(rd.path / TB_DIR)) if chief else None
    return TrainingState(
        run=rd,
        life=life,
        gan=model,
        sampler=sampler,
        config=config,
        steps_per_epoch=steps_per_epoch,
        final_step=plan.final_step,
        images_per_step=config.batch_size * config.d_steps,
        categories=label_map if n_classes else None,
        preview_z=preview_z,
        preview_labels=preview_labels,
        checkpoint_meta={**facts, "config": config.to_dict()},
        chief=chief,
        progress=progress,
        writer=writer,
        **resumed,
    )


def configure_tensorflow(config: GanConfig) -> None:
    """Process-wide settings a run needs before its models are built: seeds, determinism, graph rewrites."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(config.seed)  # weight init
    if config.deterministic:
        tf.config.experimental.enable_op_determinism()
    # Grappler's remapper trips over Conv2D + BiasAdd + LeakyReLU under a GradientTape (it logs "remapper failed"
    # and skips the pass); switching it off silences that, at no measured speed cost (benchmarks/bench_gan.py).
    tf.config.optimizer.set_experimental_options({"remapping": False})


def build_dcgan(config: GanConfig, n_classes: int, total_g_steps: int, strategy: Any) -> Any:
    """The compiled DCGAN of `config`, its variables placed by `strategy`."""
    from lookbook.models import gan

    def optimizer(lr: float, steps: int) -> Any:
        return gan.build_optimizer(
            config.optimizer, _lr(lr, config.lr_schedule, steps), config.beta1, config.beta2, config.adam_epsilon
        )

    replicas = distribute.replica_count(strategy)
    synchronized = replicas > 1  # batch norm over the global batch, so N devices train exactly as one would
    with strategy.scope(), gan.compute_dtype(config.mixed_precision):
        model = gan.DCGAN(
            gan.build_generator(config, n_classes, synchronized=synchronized),
            gan.build_discriminator(config, n_classes, synchronized=synchronized),
            config,
            n_classes=n_classes,
            instance_noise_steps=total_g_steps,
        )
        model.compile(
            d_optimizer=optimizer(config.d_lr, total_g_steps * config.d_steps),
            g_optimizer=optimizer(config.g_lr, total_g_steps),
            jit_compile=bool(config.jit_compile and replicas == 1),  # XLA cannot hold the cross-device reduction
        )
    return model


def preview_latents(config: GanConfig, n_classes: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Fixed latents of the sample grid: seeds 0..n-1 (so grid cell i is `GeneratorHandle.sample([i])`),
    one row per class when conditional."""
    from lookbook.models import artifacts

    cols = config.sample_grid_size
    if not n_classes:
        return artifacts.latents(list(range(cols * cols)), config.noise_dim), None
    z = np.tile(artifacts.latents(list(range(cols)), config.noise_dim), (n_classes, 1))
    return z, np.repeat(np.arange(n_classes, dtype=np.int32), cols)


def _apply_learning_rates(model: Any, config: GanConfig, log: Callable[[str], None]) -> None:
    """A resumed run trains at its config's rates: restoring the optimisers also restored their constant learning
    rates (optimiser variables), which would silently undo a resume that lowers g_lr or d_lr. Schedules follow the
    restored iteration count and need nothing."""
    if config.lr_schedule != "constant":
        return
    import keras

    for name, optimizer, rate in (("g_lr", model.g_optimizer, config.g_lr), ("d_lr", model.d_optimizer, config.d_lr)):
        before = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
        if not np.isclose(before, rate, rtol=1e-6, atol=0.0):
            optimizer.learning_rate = rate
            log(f"{name} {before:g} -> {rate:g} from here on")


def _lr(base: float, schedule: str, steps: int) -> Any:
    """A learning rate or a schedule over the optimizer's own iteration count (so a resume carries it on)."""
    import keras

    if schedule == "linear":
        return keras.optimizers.schedules.PolynomialDecay(base, max(steps, 1), end_learning_rate=0.0, power=1.0)
    if schedule == "cosine":
        return keras.optimizers.schedules.CosineDecay(base, max(steps, 1))
    return base


def _dataset(plan: _Plan, config: GanConfig, start_step: int) -> Any:
    """Batches from `start_step` on: each epoch in its seeded order, the part of an epoch already trained skipped."""
    import tensorflow as tf

    from lookbook.data import pipeline

    start_epoch, skip = divmod(start_step, plan.steps_per_epoch)
    last_epoch = -(-plan.final_step // plan.steps_per_epoch)
    data = pipeline.make_dataset(
        plan.ds,
        config.batch_size * config.d_steps,
        indices=plan.rows,
        label_map=plan.label_map if config.conditional else None,
        epochs=range(start_epoch, last_epoch),
        seed=config.seed,
        balance=config.class_balance,
    )
    if skip:
        data = data.skip(skip)
    options = tf.data.Options()
    # the stream is one generator, not files: multi-worker runs shard it by element
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return data.with_options(options)


def _callbacks(state: Any, classifier: Any, plan: _Plan, log: Callable[[str], None]) -> list[Any]:
    from lookbook.train import callbacks as cb

    extra = [cb.Snapshotter(state)] if state.config.snapshot_every_steps else []
    if classifier is not None:
        pick = np.sort(np.random.default_rng(state.config.seed).permutation(plan.rows)[:EVAL_REAL_IMAGES])
        labels = plan.ds.index["category"].to_numpy()[pick].tolist()
        extra.insert(0, cb.Evaluator(state, classifier, np.asarray(plan.ds.images[pick]), labels, log))
    return cb.run_callbacks(state, *extra)


def _finish(state: Any, preset: str | None, log: Callable[[str], None]) -> dict[str, Any]:
    """Write the final status (and generator.keras unless the run failed); return the summary."""
    from lookbook.models import artifacts

    def save() -> Path:
        path = state.run.path / GENERATOR_FILE
        if state.chief:
            artifacts.save_model(state.sampling_generator(), path, state.generator_meta(preset=preset))
        return path

    if state.writer is not None:
        state.writer.flush()
    summary = {
        "run": str(state.run.path),
        "step": state.step,
        "epoch": state.epoch_of(state.step),
        "final_step": state.final_step,
        "metrics": state.last_row,
        "wall_time_s": round(state.wall_time_s(), 1),
    }
    end = state.end(save, log, f"at epoch {state.epoch_of(state.step)} step {state.step}")
    path = end.pop("path")
    return {**summary, **end, "generator": path and str(path)}
