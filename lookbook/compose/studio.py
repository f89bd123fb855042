"""The composer's models: a generator and a classifier checked for compatibility, with fast forward passes."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lookbook import paths
from lookbook.compose.templates import Template
from lookbook.data.taxonomy import display_name, outfit_categories
from lookbook.errors import LookbookError
from lookbook.models.artifacts import (
    CLASSIFIER_FILE,
    GENERATOR_FILE,
    ClassifierHandle,
    GeneratorHandle,
    file_hash,
    load_classifier,
    load_generator,
    resolve_model_path,
)


def default_generator_path() -> Path:
    """The shipped generator, `checkpoints/generator.keras` (or under `$LOOKBOOK_CHECKPOINTS`); may not exist."""
    return paths.checkpoints_dir() / GENERATOR_FILE


def default_classifier_path() -> Path:
    """The shipped classifier, `checkpoints/classifier.keras` (or under `$LOOKBOOK_CHECKPOINTS`); may not exist."""
    return paths.checkpoints_dir() / CLASSIFIER_FILE


def resolve_checkpoint(path: str | Path | None, kind: str) -> Path:
    """A run directory or .keras file, or the shipped default when `path` is None; missing is a one-line error."""
    filename = GENERATOR_FILE if kind == "generator" else CLASSIFIER_FILE
    if path is None:
        default = default_generator_path() if kind == "generator" else default_classifier_path()
        if not default.is_file():
            raise LookbookError(f"no {kind} given and no default checkpoint at {default} (pass --{kind} RUN_DIR_OR_KERAS)")
        return default
    return resolve_model_path(path, filename)


class _Compiled:
    """A model called through one traced tf.function: much less per-call overhead than eager Keras at batch 1.

    If the model cannot be traced (an exotic custom layer), the first call falls back to eager calls for good.
    """

    def __init__(self, model: Any, input_shape: tuple[int, ...], conditional: bool = False):
        import tensorflow as tf

        spec = [tf.TensorSpec((None, *input_shape), tf.float32)]
        if conditional:
            spec.append(tf.TensorSpec((None,), tf.int32))
        self._model, self._conditional, self._traced = model, conditional, None
        self._fn = tf.function(lambda *x: model(list(x) if conditional else x[0], training=False), input_signature=spec)

    def __call__(self, x: Any, training: bool = False) -> Any:
        if self._traced is False:
            return self._model(x, training=False)
        try:
            out = self._fn(*x) if self._conditional else self._fn(x)
        except Exception:
            if self._traced:
                raise
            self._traced = False
            return self._model(x, training=False)
        self._traced = True
        return out


@dataclass
class Studio:
    """A generator and a classifier that work together; the handles follow lookbook.models.artifacts."""

    generator: GeneratorHandle
    classifier: ClassifierHandle
    generator_hash: str
    classifier_hash: str

    def __post_init__(self) -> None:
        c = self.classifier.image_size_px
        # same handles, same pre/post-processing, but forward passes through a compiled graph
        self._fast_generator = dataclasses.replace(
            self.generator,
            model=_Compiled(self.generator.model, (self.generator.noise_dim,), conditional=self.generator.conditional),
        )
        self._fast_classifier = dataclasses.replace(self.classifier, model=_Compiled(self.classifier.model, (c, c, 3)))

    @classmethod
    def open(cls, generator: str | Path | None = None, classifier: str | Path | None = None) -> Studio:
        """Load both models (run directories or .keras files; None = the default checkpoints)."""
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        g_path, c_path = resolve_checkpoint(generator, "generator"), resolve_checkpoint(classifier, "classifier")
        return cls.from_handles(load_generator(g_path), load_classifier(c_path))

    @classmethod
    def from_handles(cls, generator: GeneratorHandle, classifier: ClassifierHandle) -> Studio:
        """Wrap already-loaded handles (e.g. from the app's model cache)."""
        return cls(generator, classifier, file_hash(generator.path), file_hash(classifier.path))

    @property
    def conditional(self) -> bool:
        return self.generator.conditional

    @property
    def image_size_px(self) -> int:
        return self.generator.image_size_px

    @property
    def noise_dim(self) -> int:
        return self.generator.noise_dim

    @property
    def resize_note(self) -> str | None:
        """Said on the page when the generator's image size is not the classifier's (its images are resized to be
        labelled; garments are shown and printed from the generator's own pixels); None when they match."""
        g, c = self.generator.image_size_px, self.classifier.image_size_px
        if g == c:
            return None
        return f"the generator makes {g} px garments and the classifier reads {c} px: they are resized to {c} px to be labelled"

    @property
    def key(self) -> tuple[str, str]:
        """Identifies what these models generate and label; the garment cache is keyed by it."""
        return (self.generator_hash, self.classifier_hash)

    # --- compatibility -----------------------------------------------------------------------------------

    def usable(self, allowed: tuple[str, ...]) -> list[str]:
        """Those of a slot's `allowed` categories these models can deliver: the classifier recognises them and,
        when conditional, the generator can make them."""
        known = set(self.classifier.categories)
        if self.conditional:
            known &= set(self.generator.categories)
        return [c for c in allowed if c in known]

    def check_template(self, template: Template) -> None:
        """Raise a one-line error if some slot of `template` has no category these models can deliver."""
        for slot in template.slots:
            if self.usable(slot.allowed):
                continue
            where = f"template {template.name!r}, slot {slot.name!r}"
            if self.conditional and not set(slot.allowed) & set(self.generator.categories):
                who, verb, known = "generator", "make", self.generator.categories
            elif not set(slot.allowed) & set(self.classifier.categories):
                who, verb, known = "classifier", "recognise", self.classifier.categories
            else:
                raise LookbookError(f"{where}: the generator and the classifier share none of {', '.join(slot.allowed)}")
            raise LookbookError(
                f"{where}: the {who} cannot {verb} any of {', '.join(slot.allowed)} (it knows {', '.join(known)})"
            )

    def compatible(self, templates: dict[str, Template]) -> list[str]:
        """Names of the templates every slot of which these models can fill."""
        return [name for name, t in templates.items() if all(self.usable(s.allowed) for s in t.slots)]

    def deliverable(self) -> list[str]:
        """Every outfit category these models can deliver, in taxonomy order (any may be asked of any slot)."""
        return self.usable(tuple(outfit_categories()))

    def ask_category(self, category: str | None, default: str, allowed: tuple[str, ...]) -> str | None:
        """What to ask a conditional generator for: the chosen category, else the default, else the first usable."""
        if not self.conditional:
            return None
        for c in (category, default, *allowed):
            if c and self.usable((c,)):
                return c
        raise LookbookError(f"these models cannot deliver any of {', '.join(allowed)}")

    # --- forward passes ----------------------------------------------------------------------------------

    def generate(self, z: np.ndarray, categories: list[str] | None = None) -> np.ndarray:
        """uint8 images (n, S, S, 3) from latents (n, noise_dim) [and one category each when conditional]."""
        return self._fast_generator.generate(z, categories)

    def probabilities(self, images_uint8: np.ndarray) -> np.ndarray:
        """Classifier probabilities (n, n_categories), for images of the generator's size."""
        return self._fast_classifier.probabilities(self._to_classifier_size(images_uint8))

    def warm_up(self) -> None:
        """Trace the forward passes now (one garment, generated and labelled) rather than on a designer's first click."""
        z = np.zeros((1, self.noise_dim), np.float32)
        self.probabilities(self.generate(z, self.generator.categories[:1] if self.conditional else None))

    def _to_classifier_size(self, images_uint8: np.ndarray) -> np.ndarray:
        size = self.classifier.image_size_px
        if images_uint8.shape[1:3] == (size, size):
            return images_uint8
        import tensorflow as tf

        # antialiased, so a 128 px garment shrinks without aliasing and a 32 px one is not blocky
        resized = tf.image.resize(tf.convert_to_tensor(images_uint8, tf.float32), (size, size), antialias=True)
        return np.clip(np.round(resized.numpy()), 0, 255).astype(np.uint8)

    def category_index(self, categories: tuple[str, ...]) -> list[int]:
        """Columns of `probabilities` for `categories` the classifier knows."""
        return [self.classifier.categories.index(c) for c in categories if c in self.classifier.categories]

    def describe(self) -> dict[str, dict[str, Any]]:
        """What a manifest records about the models."""
        return {
            "generator": {
                "path": str(self.generator.path),
                "hash": self.generator_hash,
                "conditional": self.conditional,
                "image_size_px": self.image_size_px,
                "noise_dim": self.noise_dim,
            },
            "classifier": {
                "path": str(self.classifier.path),
                "hash": self.classifier_hash,
                "categories": list(self.classifier.categories),
            },
        }

    def summary(self) -> str:
        """One line for footers and logs."""
        kind = "conditional" if self.conditional else "unconditional"
        return (
            f"{kind} generator {_short(self.generator.path)} #{self.generator_hash[:8]} · "
            f"classifier {_short(self.classifier.path)} #{self.classifier_hash[:8]} "
            f"({len(self.classifier.categories)} categories: {', '.join(display_name(c) for c in self.classifier.categories[:3])}"
            f"{'…' if len(self.classifier.categories) > 3 else ''})"
        )


def _short(path: Path) -> str:
    """`run_name/generator.keras` rather than a long absolute path."""
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name
