"""Training the garment classifier from a prepared dataset into a run directory.

The run folder gets `config.json`, `status.json`, `metrics.jsonl` (one row per epoch), `split.json` (the
held-out record ids), `classifier.keras` + sidecar and `report.json` (the classification report on the
held-out test split). Labels come from one record column (the unified category by default); rare and
excluded labels are left out and listed in the report.
"""

from __future__ import annotations

import math
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pandas as pd

from lookbook import atomic
from lookbook.config import check
from lookbook.data.dataset import PreparedDataset
from lookbook.data.pipeline import make_dataset, steps_per_epoch
from lookbook.data.split import stratified_parts
from lookbook.errors import LookbookError
from lookbook.metrics.calibration import fit_prior_strength, fit_temperature, negative_log_likelihood, prior_log_bias
from lookbook.metrics.classification import dataset_labels, report_on_dataset
from lookbook.metrics.embedding import embed
from lookbook.metrics.serialisation import to_jsonable
from lookbook.models import classifier as nets
from lookbook.models.artifacts import (
    ClassifierHandle,
    apply_prior_correction,
    apply_temperature,
    resolve_model_path,
    save_model,
)
from lookbook.models.classifier_config import ClassifierConfig
from lookbook.run import reader
from lookbook.run.folder import RunDir
from lookbook.run.layout import CLASSIFIER_FILE, REPORT_FILE, SPLIT_FILE
from lookbook.run.lifecycle import RunLifecycle
from lookbook.train.callbacks import StopWatcher

Progress = Callable[[int, int], None]
SPLITS = ("train", "validation", "test")
MAX_REPORT_IMAGES = 10_000  # train/validation accuracy in the report is measured on at most this many images
STOP_CHECK_S = 1.0  # how often the trainer looks for a STOP file or an exhausted time budget


def choose_labels(labels: np.ndarray, config: ClassifierConfig) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """(label map, excluded): labels with at least `min_images_per_class` images, sorted; the rest with a reason."""
    counts = Counter(str(v) for v in labels)
    label_map, excluded = [], {}
    for label, n in sorted(counts.items()):
        if label in ("", *config.exclude_labels):
            excluded[label or "(missing)"] = {"count": n, "reason": "excluded by config" if label else "no label"}
        elif n < config.min_images_per_class:
            excluded[label] = {"count": n, "reason": f"fewer than {config.min_images_per_class} images"}
        else:
            label_map.append(label)
    return label_map, excluded


def split_rows(
    split_column: pd.Series, labels: np.ndarray, keys: np.ndarray, label_map: list[str], config: ClassifierConfig
) -> dict[str, np.ndarray]:
    """Row indices of the train, validation and test splits, stratified by label and seeded by each row's key.

    With `split_by_source`, records keep their source's split: "test" is the test split ("validation" is, when a
    source has no test split, as DeepFashion2), and "all" records are split like any other.
    """
    known = {c: i for i, c in enumerate(label_map)}
    usable = np.array([str(v) in known for v in labels], bool)
    source_split = split_column.astype("string").fillna("all").to_numpy(dtype=object)
    parts: dict[str, list[np.ndarray]] = {name: [] for name in SPLITS}
    free = usable.copy()  # rows the stratified split distributes
    if config.split_by_source:
        has_test = bool(np.any(usable & (source_split == "test")))
        test = usable & ((source_split == "test") | ((source_split == "validation") & (not has_test)))
        val = usable & (source_split == "validation") & has_test
        fixed_train = usable & (source_split == "train")
        parts["test"].append(np.flatnonzero(test))
        parts["validation"].append(np.flatnonzero(val))
        # a source with its own splits gives its train rows to training; validation is carved from them only if it has none
        carve = fixed_train & (not val.any())
        parts["train"].append(np.flatnonzero(fixed_train & ~carve))
        _deal(parts, stratified_parts(np.flatnonzero(carve), labels, keys, 0.0, config.val_fraction, config.effective_split_seed))
        free = usable & ~test & ~val & ~fixed_train
    _deal(
        parts,
        stratified_parts(
            np.flatnonzero(free), labels, keys, config.test_fraction, config.val_fraction, config.effective_split_seed
        ),
    )
    return {
        name: np.sort(np.concatenate(rows)).astype(np.int64) if rows else np.zeros(0, np.int64) for name, rows in parts.items()
    }


def _deal(parts: dict[str, list[np.ndarray]], dealt: dict[str, np.ndarray]) -> None:
    for name, rows in dealt.items():
        parts[name].append(rows)


def class_weights(train_ids: np.ndarray, n_classes: int, mode: str) -> dict[int, float] | None:
    """Loss weight per class id: 1/count ("balanced") or 1/sqrt(count) ("sqrt"), scaled to average 1 per image."""
    if mode == "none":
        return None
    counts = np.bincount(train_ids, minlength=n_classes).astype(np.float64)
    power = 1.0 if mode == "balanced" else 0.5
    raw = np.where(counts > 0, 1.0 / np.maximum(counts, 1) ** power, 0.0)
    scale = counts.sum() / max((raw * counts).sum(), 1e-12)
    return {i: float(raw[i] * scale) for i in range(n_classes)}


def train_classifier(
    config: ClassifierConfig,
    data: str | Path,
    run: str | Path,
    progress: Progress | None = None,
    *,
    preset: str | None = None,
    verbose: bool = False,
) -> dict[str, Any]:
    """Train a classifier on the prepared dataset `data` into the run folder `run`; returns the summary.

    The summary holds the test accuracy, train accuracy, label map, epochs run and paths. `progress(done, total)`
    counts training steps; `verbose` prints one line per epoch on stderr. A STOP file in the run folder (or the
    `max_minutes` budget) ends training early; the best weights so far are saved either way.
    """
    config.validate()
    ds = PreparedDataset.open(data, config.image_size_px or None)
    rd = RunDir.at(run)
    rd.check_kind("classifier")
    with RunLifecycle(rd) as life:
        return _train(config, ds, life, progress, preset, verbose)


def _train(
    config: ClassifierConfig,
    ds: PreparedDataset,
    life: RunLifecycle,
    progress: Progress | None,
    preset: str | None,
    verbose: bool,
) -> dict[str, Any]:
    rd = life.rd
    if len(ds) == 0:
        raise LookbookError(f"{ds.root} holds no images")
    labels = dataset_labels(ds, config.label_column)
    label_map, excluded = choose_labels(labels, config)
    if len(label_map) < 2:
        kept = ", ".join(label_map) or "none"
        raise LookbookError(
            f"{ds.root} has {len(label_map)} {config.label_column} label(s) with at least {config.min_images_per_class} images "
            f"({kept}); a classifier needs two or more (add data, or lower min_images_per_class)"
        )
    splits = split_rows(ds.index["split"], labels, ds.index["record_id"].to_numpy(dtype=str), label_map, config)
    if len(splits["test"]) == 0:
        raise LookbookError("the test split is empty (with split_by_source, the sources need test or validation records)")
    lookup = {c: i for i, c in enumerate(label_map)}
    train_ids = np.array([lookup[str(labels[r])] for r in splits["train"]], np.int32)

    rd.path.mkdir(parents=True, exist_ok=True)
    rd.write_config("classifier", {"preset": preset, "data": str(ds.root), "config": config.to_dict()})
    _write_split(rd, ds, splits, config, label_map)
    rd.truncate_metrics(lambda row: False)  # a classifier run starts afresh

    keras.utils.set_random_seed(config.seed)
    s = ds.image_size_px
    dtype = nets.resolve_precision(config.precision)
    model = nets.build_classifier(config, s, len(label_map), dtype=dtype)
    if config.init_from:
        _warm_start(model, config.init_from, label_map, s)
    augmenter = nets.build_augmenter(config, seed=config.seed)
    batch_size = min(config.batch_size, len(splits["train"]))
    n_outliers = math.ceil(batch_size * config.outlier_share)
    trainer = nets.TrainingModel(model, augmenter, len(label_map), config.mixup_alpha, seed=config.seed, n_outliers=n_outliers)
    steps = steps_per_epoch(len(splits["train"]), batch_size)
    trainer.compile(
        optimizer=_optimizer(config, steps),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=config.label_smoothing),
        metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
    )
    # the pipeline reads labels from the "category" column; a view swaps in the configured label column
    view = _relabelled(ds, labels) if config.label_column != "category" else ds
    # one spare epoch: Keras reads ahead at the very end and would warn that the data ran out
    train_data = make_dataset(
        view, batch_size, indices=splits["train"], label_map=label_map, epochs=range(config.epochs + 1), seed=config.seed
    )
    val_data, val_steps = None, None
    if len(splits["validation"]):
        # Keras keeps one iterator over the validation data across epochs: give it one pass per epoch, in order
        val_batch = min(256, len(splits["validation"]))
        val_steps = steps_per_epoch(len(splits["validation"]), val_batch, drop_remainder=False)
        val_data = make_dataset(
            view,
            val_batch,
            indices=splits["validation"],
            label_map=label_map,
            epochs=range(config.epochs + 1),
            shuffle=False,
            drop_remainder=False,
        )
    monitor = config.monitor if val_data is not None else "loss"
    # patience 0: no early stopping, but still the best epoch's weights at the end
    best = _FiniteEarlyStopping(monitor=monitor, patience=config.patience_epochs or config.epochs + 1, restore_best_weights=True)
    logger = _RunLogger(rd, life, config, steps, batch_size, progress, verbose, preset)
    stop = StopWatcher(life, lambda: logger.elapsed_s, config.max_minutes * 60.0, every_s=STOP_CHECK_S)
    rd.write_status("running", epoch=0, epochs=config.epochs, step=0, preset=preset, phase="training")
    trainer.fit(
        train_data,
        epochs=config.epochs,
        steps_per_epoch=steps,
        validation_data=val_data,
        validation_steps=val_steps,
        class_weight=class_weights(train_ids, len(label_map), config.class_weighting),
        callbacks=[best, stop, logger],
        shuffle=False,  # make_dataset shuffles, per epoch and seeded
        verbose=0,
    )
    final = nets.float32_copy(model, config, s, len(label_map)) if dtype != "float32" else model

    rd.write_status("running", epoch=logger.epoch, epochs=config.epochs, step=logger.step, preset=preset, phase="evaluating")
    path = rd.path / CLASSIFIER_FILE
    meta = {
        "kind": "classifier",
        "image_size_px": s,
        "categories": label_map,
        "label_column": config.label_column,
        "config": config.to_dict(),
        "preset": preset,
        "precision": dtype,
        "dataset": str(ds.root),
        "split": {
            "file": SPLIT_FILE,
            "seed": config.effective_split_seed,
            "test_fraction": config.test_fraction,
            "val_fraction": config.val_fraction,
            "by_source": config.split_by_source,
            "counts": {name: len(rows) for name, rows in splits.items()},
        },
    }
    handle = ClassifierHandle(model=final, path=path, image_size_px=s, categories=label_map, meta=meta)
    # the handle reads its prior offsets and temperature from `meta`: fitted on raw validation probabilities, then used
    # by the report
    train_counts = np.bincount(train_ids, minlength=len(label_map)) if config.prior_correction else None
    set_calibration(
        meta,
        calibrate(handle, ds, splits["validation"], labels, lookup, train_counts)
        if config.calibrate
        else {"temperature": 1.0, "fitted_on": None},
    )
    best_epoch = best.best_epoch + 1 if best.best is not None else 0  # Keras counts epochs from 0
    report = _report(handle, ds, splits, config, label_map, excluded, best_epoch, logger)
    report["calibration"] = meta["calibration"]
    meta["test_accuracy"] = report["accuracy"]["test"]
    save_model(final, path, meta)
    atomic.write_json(rd.path / REPORT_FILE, to_jsonable(report))
    state = "stopped" if logger.stopped_by == "stop requested" else "finished"
    summary = {
        "run": str(rd.path),
        "model": str(path),
        "state": state,
        "categories": label_map,
        "accuracy": report["accuracy"],
        "best_epoch": best_epoch,
        "epochs_run": logger.epoch,
        "stopped_by": logger.stopped_by,
        "train_minutes": logger.elapsed_s / 60,
    }
    rd.write_status(
        state,
        epoch=logger.epoch,
        epochs=config.epochs,
        step=logger.step,
        preset=preset,
        test_accuracy=report["accuracy"]["test"],
        best_epoch=best_epoch,
        stopped_by=logger.stopped_by,
    )
    return summary


def calibrate(
    handle: ClassifierHandle,
    ds: PreparedDataset,
    rows: np.ndarray,
    labels: np.ndarray,
    lookup: dict[str, int],
    train_counts: np.ndarray | None = None,
) -> dict[str, Any]:
    """The softmax temperature fitted on `rows` (the validation split), with the NLL before and after (T = 1 without
    rows); with the training split's images per category, first the strength of the prior correction and its
    per-category offsets (see metrics.calibration)."""
    if len(rows) == 0:
        return {"temperature": 1.0, "fitted_on": None}
    raw = embed(handle, ds.images, rows=rows).probabilities
    ids = np.array([lookup[str(labels[r])] for r in rows])
    probs, prior = raw, {}
    if train_counts is not None:
        strength = fit_prior_strength(raw, ids, train_counts)
        bias = prior_log_bias(train_counts, strength)
        probs = apply_prior_correction(raw, bias)
        prior = {
            "prior_strength": strength,
            "class_log_bias": bias.tolist(),
            "accuracy_before": float((raw.argmax(1) == ids).mean()),
            "accuracy_after": float((probs.argmax(1) == ids).mean()),
        }
    t = fit_temperature(probs, ids)
    return {
        "temperature": t,
        "fitted_on": "validation",
        "n_images": len(rows),
        "nll_before": negative_log_likelihood(raw, ids),
        "nll_after": negative_log_likelihood(apply_temperature(probs, t), ids),
        **prior,
    }


def set_calibration(meta: dict[str, Any], calibration: dict[str, Any]) -> None:
    """Record `calibration` in a classifier's sidecar `meta`, with the temperature and prior offsets its handle applies."""
    meta["calibration"] = calibration
    meta["temperature"] = calibration["temperature"]
    if "class_log_bias" in calibration:
        meta["class_log_bias"] = calibration["class_log_bias"]


def _report(
    handle: ClassifierHandle,
    ds: PreparedDataset,
    splits: dict[str, np.ndarray],
    config: ClassifierConfig,
    label_map: list[str],
    excluded: dict[str, dict[str, Any]],
    best_epoch: int,
    logger: _RunLogger,
) -> dict[str, Any]:
    rng = np.random.default_rng([config.seed, 7])
    accuracy, sizes = {}, {}
    for name in ("train", "validation"):
        rows = splits[name]
        if len(rows) > MAX_REPORT_IMAGES:
            rows = np.sort(rng.choice(rows, MAX_REPORT_IMAGES, replace=False))
        accuracy[name] = report_on_dataset(handle, ds, rows, config.label_column)["accuracy"] if len(rows) else None
        sizes[name] = len(splits[name])
    test = report_on_dataset(handle, ds, splits["test"], config.label_column)
    accuracy["test"], sizes["test"] = test["accuracy"], len(splits["test"])
    return {
        "label_column": config.label_column,
        "categories": label_map,
        "accuracy": accuracy,
        "n_images": sizes,
        "excluded_labels": excluded,
        "best_epoch": best_epoch,
        "epochs_run": logger.epoch,
        "stopped_by": logger.stopped_by,
        "train_minutes": logger.elapsed_s / 60,
        "test": test,
    }


def _write_split(
    rd: RunDir, ds: PreparedDataset, splits: dict[str, np.ndarray], config: ClassifierConfig, label_map: list[str]
) -> None:
    ids = ds.index["record_id"].astype("string").to_numpy(dtype=object)
    atomic.write_json(
        rd.path / SPLIT_FILE,
        {
            "dataset": str(ds.root),
            "label_column": config.label_column,
            "categories": label_map,
            "seed": config.effective_split_seed,
            "by_source": config.split_by_source,
            "counts": {name: len(rows) for name, rows in splits.items()},
            # the training rows are every other record with a label in `categories`; they are not listed
            "validation": [str(ids[r]) for r in splits["validation"]],
            "test": [str(ids[r]) for r in splits["test"]],
        },
    )


def load_split(classifier_path: str | Path) -> dict[str, Any] | None:
    """The `split.json` saved beside a classifier (run folder or .keras file), or None when there is none."""
    return reader.classifier_split(resolve_model_path(classifier_path, CLASSIFIER_FILE).parent)


def _relabelled(ds: PreparedDataset, labels: np.ndarray) -> PreparedDataset:
    view = PreparedDataset(root=ds.root, image_size_px=ds.image_size_px, meta=ds.meta)
    index = ds.index.copy()
    index["category"] = pd.array(labels, dtype="string")
    # both are cached properties: fill the view's caches instead of reading the files again
    view.__dict__["index"] = index
    view.__dict__["images"] = ds.images
    return view


def _warm_start(model: Any, source: str, label_map: list[str], image_size_px: int) -> None:
    """Start from a saved classifier's weights: it must read the same image size, name the same categories in the
    same order and have the same layer shapes (the same architecture settings); anything else is a one-line error."""
    from lookbook.models.artifacts import load_classifier

    start = load_classifier(resolve_model_path(source, CLASSIFIER_FILE))
    check(start.image_size_px == image_size_px, f"init_from reads {start.image_size_px} px images, this run {image_size_px} px")
    check(
        start.categories == label_map,
        f"init_from names other categories than this run ({len(start.categories)} vs {len(label_map)}); "
        "warm starts need the same data's label map",
    )
    weights = start.model.get_weights()
    shapes = [w.shape for w in model.get_weights()]
    check(
        [w.shape for w in weights] == shapes,
        "init_from has other layer shapes than this run's architecture settings (widths, stem, features)",
    )
    model.set_weights(weights)


def _optimizer(config: ClassifierConfig, steps: int) -> Any:
    lr: Any = config.learning_rate
    if config.schedule == "cosine":
        total = max(1, config.epochs * steps)
        warmup = min(int(config.warmup_epochs * steps), total - 1)
        lr = keras.optimizers.schedules.CosineDecay(
            initial_learning_rate=config.learning_rate if warmup == 0 else config.learning_rate / 100,
            decay_steps=total - warmup,
            alpha=0.01,
            warmup_target=config.learning_rate if warmup else None,
            warmup_steps=warmup,
        )
    if config.weight_decay > 0:
        return keras.optimizers.AdamW(learning_rate=lr, weight_decay=config.weight_decay)
    return keras.optimizers.Adam(learning_rate=lr)


class _FiniteEarlyStopping(keras.callbacks.EarlyStopping):
    """Keras early stopping that passes over an epoch whose monitored value is NaN/inf, as if it were not logged."""

    def get_monitor_value(self, logs: dict[str, Any] | None) -> Any:
        value = super().get_monitor_value(logs)
        return value if value is not None and math.isfinite(float(value)) else None


class _RunLogger(keras.callbacks.Callback):
    """Per-epoch metrics rows and status, progress callbacks, and why training stopped early."""

    def __init__(
        self,
        rd: RunDir,
        life: RunLifecycle,
        config: ClassifierConfig,
        steps: int,
        batch_size: int,
        progress: Progress | None,
        verbose: bool,
        preset: str | None,
    ) -> None:
        super().__init__()
        self.rd, self.life, self.config, self.steps, self.batch_size = rd, life, config, steps, batch_size
        self.progress, self.verbose, self.preset = progress, verbose, preset
        self.total = config.epochs * steps
        self.epoch = self.step = 0
        self.stopped_by: str | None = None
        self.start = self.last_check = self.epoch_start = time.perf_counter()

    @property
    def elapsed_s(self) -> float:
        return time.perf_counter() - self.start

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.start = self.last_check = self.epoch_start = time.perf_counter()

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.epoch_start = time.perf_counter()

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.step += 1
        now = time.perf_counter()
        if now - self.last_check < STOP_CHECK_S:
            return
        self.last_check = now
        if self.progress:
            self.progress(self.step, self.total)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        self.epoch = epoch + 1
        seconds = time.perf_counter() - self.epoch_start
        row = {
            "epoch": self.epoch,
            "step": self.step,
            **{k: float(logs[k]) for k in ("loss", "accuracy", "val_loss", "val_accuracy") if k in logs},
            "lr": float(self._learning_rate()),
            "images_per_s": self.steps * self.batch_size / max(seconds, 1e-9),
            "wall_time_s": self.elapsed_s,
            "time": time.time(),
        }
        self.rd.append_metrics(row)
        self.rd.write_status("running", epoch=self.epoch, epochs=self.config.epochs, step=self.step, preset=self.preset)
        if self.model.stop_training and self.stopped_by is None:
            asked = self.life.stop_reason is not None
            self.stopped_by = "stop requested" if asked else "time budget" if self.life.budget_spent else "early stopping"
        if self.verbose:
            val = f"  val loss {row['val_loss']:.3f} acc {row['val_accuracy']:.3f}" if "val_loss" in row else ""
            print(
                f"\repoch {self.epoch}/{self.config.epochs}  loss {row['loss']:.3f} acc {row['accuracy']:.3f}{val}"
                f"  {row['images_per_s']:.0f} img/s  {self.elapsed_s / 60:.1f} min",
                file=sys.stderr,
                flush=True,
            )

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self.progress:
            self.progress(self.total, self.total)

    def _learning_rate(self) -> float:
        opt = self.model.optimizer
        lr = opt.learning_rate
        return float(lr(opt.iterations) if callable(lr) else lr)
