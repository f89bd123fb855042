"""Saved models: `<name>.keras` (safe-mode loadable) plus a `<name>.json` sidecar, and handles to use them.

Conventions every model follows:
- a generator maps noise float32 (n, noise_dim) [and, when conditional, int32 labels (n,)] to images in [-1, 1];
- a classifier maps images in [-1, 1] to softmax probabilities and has a layer named "features" (penultimate);
- the sidecar holds {"kind", "image_size_px", "noise_dim"?, "categories"?, "config"}: categories is the label map.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lookbook import atomic
from lookbook.errors import LookbookError
from lookbook.run.layout import CLASSIFIER_FILE, GENERATOR_FILE

KERAS_MEMBERS = ("config.json", "model.weights.h5")  # what every `.keras` zip holds (Keras 3 format)


def latent(seed: int, noise_dim: int) -> np.ndarray:
    """The latent vector of a seed: the same on every machine, so a lookbook page regenerates exactly."""
    return np.random.default_rng(int(seed)).standard_normal(noise_dim).astype(np.float32)


def latents(seeds: list[int], noise_dim: int) -> np.ndarray:
    """Stacked latents of several seeds, float32 (n, noise_dim)."""
    return np.stack([latent(s, noise_dim) for s in seeds]) if seeds else np.zeros((0, noise_dim), np.float32)


def sidecar_path(model_path: Path) -> Path:
    return model_path.with_suffix(".json")


def read_sidecar(model_path: Path) -> dict[str, Any]:
    """A saved model's sidecar (kind, image size, categories...), {} when it is missing or unreadable."""
    try:
        meta = json.loads(sidecar_path(model_path).read_text())
    except (OSError, ValueError, RecursionError):
        return {}
    return meta if isinstance(meta, dict) else {}


def save_model(model: Any, path: str | Path, meta: dict[str, Any]) -> Path:
    """Save a Keras model atomically with its JSON sidecar."""
    path = Path(path)
    with atomic.atomic_path(path) as tmp:
        model.save(tmp)
    atomic.write_json(sidecar_path(path), meta)
    return path


def resolve_model_path(path: str | Path, filename: str) -> Path:
    """Accept a run directory (containing `filename`) or a `.keras` file."""
    path = Path(path).expanduser()
    if path.is_dir():
        path = path / filename
    if not path.is_file():
        raise LookbookError(f"no model at {path} (give a run directory holding {filename}, or a .keras file)")
    if path.suffix != ".keras":
        raise LookbookError(f"{path} is not a .keras file")
    return path


def file_hash(path: str | Path, length: int = 16) -> str:
    """Short SHA-256 of a file, recorded in lookbook manifests."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:length]


def load_model(path: Path, custom_objects: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
    """Load a `.keras` file in safe mode with its sidecar; a broken file is a one-line error."""
    meta_path = sidecar_path(path)
    try:
        meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    except (OSError, ValueError, RecursionError):
        raise LookbookError(f"{meta_path} is not valid JSON") from None
    if not isinstance(meta, dict):
        raise LookbookError(f"{meta_path} is not a JSON object")
    check_keras_file(path)
    import keras  # after the checks: a file refused above costs no TensorFlow start-up

    try:
        model = keras.saving.load_model(path, custom_objects=custom_objects, compile=False, safe_mode=True)
    except Exception as exc:  # Keras raises many types for truncated or foreign files
        raise LookbookError(f"cannot load {path}: {str(exc).splitlines()[0][:200]}") from None
    return model, meta


def check_keras_file(path: Path) -> None:
    """Refuse a file that is not a Keras 3 `.keras` archive with a reason of its own: Keras's message for random
    bytes or an HDF5 file ("File not found") points the user the wrong way."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        reason = "it is empty" if path.is_file() and path.stat().st_size == 0 else "not a zip archive"
        raise LookbookError(f"{path} is not a .keras model file ({reason}; truncated, or saved in another format?)") from None
    missing = [m for m in KERAS_MEMBERS if m not in names]
    if missing:
        raise LookbookError(f"{path} is not a .keras model file (the archive has no {', '.join(missing)})")


@dataclass
class GeneratorHandle:
    """A loaded generator: sample images by seed (and category when conditional)."""

    model: Any
    path: Path
    image_size_px: int
    noise_dim: int
    categories: list[str] | None = None  # label map of a conditional generator; None if unconditional
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def conditional(self) -> bool:
        return self.categories is not None

    def generate(self, z: np.ndarray, categories: list[str] | None = None) -> np.ndarray:
        """uint8 images (n, S, S, 3) from latents `z` (n, noise_dim)."""
        z = np.asarray(z, np.float32).reshape(-1, self.noise_dim)
        if self.conditional:
            if categories is None or len(categories) != len(z):
                raise LookbookError("a conditional generator needs one category per latent")
            unknown = sorted(set(categories) - set(self.categories))
            if unknown:
                raise LookbookError(f"this generator cannot make {', '.join(unknown)} (it knows {', '.join(self.categories)})")
            labels = np.array([self.categories.index(c) for c in categories], np.int32)
            out = self.model([z, labels], training=False)
        else:
            out = self.model(z, training=False)
        return to_uint8(np.asarray(out))

    def sample(self, seeds: list[int], categories: list[str] | None = None) -> np.ndarray:
        """uint8 images (n, S, S, 3), one per seed."""
        return self.generate(latents(seeds, self.noise_dim), categories)


@dataclass
class ClassifierHandle:
    """A loaded classifier: labels, confidences and penultimate features of images."""

    model: Any
    path: Path
    image_size_px: int
    categories: list[str]
    meta: dict[str, Any] = field(default_factory=dict)
    _features: Any = None

    @property
    def test_time_flip(self) -> bool:
        """Whether predictions average each image with its mirror image (the run's `test_time_flip` setting)."""
        return bool(self.meta.get("config", {}).get("test_time_flip", False))

    @property
    def temperature(self) -> float:
        """Softmax temperature fitted on validation images at training time (1 = none; see metrics.calibration)."""
        return float(self.meta.get("temperature", 1.0))

    @property
    def log_bias(self) -> np.ndarray | None:
        """Per-category log-probability offsets of the prior correction fitted at training time (None = none; see
        metrics.calibration)."""
        bias = self.meta.get("class_log_bias")
        return None if bias is None else np.asarray(bias, np.float32)

    def probabilities(self, images_uint8: np.ndarray, batch_size: int = 256) -> np.ndarray:
        """Softmax probabilities (n, n_categories) for uint8 images (n, S, S, 3)."""
        x = self._check(images_uint8)
        return np.concatenate(
            [self._probabilities(x[i : i + batch_size]) for i in range(0, len(x), batch_size)]
            or [np.zeros((0, len(self.categories)), np.float32)]
        )

    def finish(self, probs: np.ndarray, mirrored: np.ndarray | None = None) -> np.ndarray:
        """The network's softmax made final: averaged with the mirror image's (test-time flip), prior-corrected, then
        temperature-scaled."""
        if mirrored is not None:
            probs = (probs + mirrored) / 2.0
        return apply_temperature(apply_prior_correction(probs, self.log_bias), self.temperature)

    def _probabilities(self, x: np.ndarray) -> np.ndarray:
        probs = np.asarray(self.model(x, training=False))
        mirrored = np.asarray(self.model(np.ascontiguousarray(x[:, :, ::-1]), training=False)) if self.test_time_flip else None
        return self.finish(probs, mirrored)

    def predict(self, images_uint8: np.ndarray) -> tuple[list[str], np.ndarray]:
        """(labels, confidences): the most likely category of each image and its probability."""
        probs = self.probabilities(images_uint8)
        top = probs.argmax(axis=1) if len(probs) else np.zeros(0, int)
        return [self.categories[i] for i in top], probs[np.arange(len(probs)), top] if len(probs) else np.zeros(0)

    def features(self, images_uint8: np.ndarray, batch_size: int = 256) -> np.ndarray:
        """Penultimate-layer features (n, d): the space FCD and KID are measured in."""
        import keras

        from lookbook.models.classifier import embedding_model

        if self._features is None:
            both = embedding_model(self.model)
            self._features = keras.Model(both.inputs[0], both.outputs[0])
        x = self._check(images_uint8)
        return np.concatenate(
            [np.asarray(self._features(x[i : i + batch_size], training=False)) for i in range(0, len(x), batch_size)]
        )

    def _check(self, images_uint8: np.ndarray) -> np.ndarray:
        s = self.image_size_px
        if images_uint8.dtype != np.uint8 or images_uint8.ndim != 4 or images_uint8.shape[1:] != (s, s, 3):
            raise LookbookError(
                f"classifier expects uint8 images (n, {s}, {s}, 3), got {images_uint8.dtype} {images_uint8.shape}"
            )
        return images_uint8.astype(np.float32) / 127.5 - 1.0


def apply_temperature(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(logits / T) from softmax(logits): p^(1/T), renormalised; T = 1 returns the input unchanged."""
    if temperature == 1.0 or len(probabilities) == 0:
        return probabilities
    return _softmax(_log(probabilities) / temperature)


def apply_prior_correction(probabilities: np.ndarray, log_bias: np.ndarray | None) -> np.ndarray:
    """p * exp(bias) per category, renormalised; None returns the input unchanged."""
    if log_bias is None or len(probabilities) == 0:
        return probabilities
    return _softmax(_log(probabilities) + log_bias)


def _log(probabilities: np.ndarray) -> np.ndarray:
    return np.log(np.clip(probabilities, 1e-12, 1.0))


def _softmax(logits: np.ndarray) -> np.ndarray:
    q = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (q / q.sum(axis=1, keepdims=True)).astype(np.float32)


def to_uint8(images: np.ndarray) -> np.ndarray:
    """[-1, 1] floats -> uint8 [0, 255]."""
    return np.clip(np.rint((np.asarray(images) + 1.0) * 127.5), 0, 255).astype(np.uint8)


def load_generator(path: str | Path) -> GeneratorHandle:
    """Open a generator from a run directory or a `.keras` file."""
    p = resolve_model_path(path, GENERATOR_FILE)
    model, meta = load_model(p)
    shape = model.output_shape
    noise_dim = int(
        meta.get("noise_dim") or (model.input_shape[0] if isinstance(model.input_shape, list) else model.input_shape)[-1]
    )
    return GeneratorHandle(
        model=model, path=p, image_size_px=int(shape[1]), noise_dim=noise_dim, categories=meta.get("categories"), meta=meta
    )


def load_classifier(path: str | Path) -> ClassifierHandle:
    """Open a classifier from a run directory or a `.keras` file; its sidecar must hold the label map."""
    p = resolve_model_path(path, CLASSIFIER_FILE)
    model, meta = load_model(p)
    cats = meta.get("categories")
    if not cats:
        raise LookbookError(f"{sidecar_path(p)} is missing the classifier's label map ('categories')")
    n_out = int(model.output_shape[-1])
    if n_out != len(cats):
        raise LookbookError(f"{p} has {n_out} outputs but its label map lists {len(cats)} categories")
    return ClassifierHandle(model=model, path=p, image_size_px=int(model.input_shape[1]), categories=list(cats), meta=meta)
