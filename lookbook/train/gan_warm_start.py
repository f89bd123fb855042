"""Warm-start a GAN from another run's checkpoint: layers whose names and weight shapes agree are copied; per-class
batch norm starts every class from the source's shared scale, shift and statistics; the rest (a new AC-GAN head,
wider layers) keep their fresh initialisation. Optimisers, step counter and
schedules start afresh, so a long run can be fine-tuned with another recipe without paying for its first hours again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lookbook.config import check
from lookbook.models.gan_config import GanConfig, stored_config
from lookbook.run import checkpoint


@dataclass(frozen=True)
class WarmStart:
    """A checked source: its checkpoint and the config its models were built from."""

    path: Path
    ckpt: checkpoint.Checkpoint
    config: GanConfig


def plan_warm_start(source: str, config: GanConfig, label_map: list[str]) -> WarmStart:
    """The checkpoint of GAN run `source`, checked against this run before TensorFlow starts (one-line errors)."""
    path = Path(source).expanduser().resolve()
    check(checkpoint.has_checkpoint(path), f"init_from: {path} holds no GAN checkpoint to start from")
    ckpt = checkpoint.load(path)
    saved = ckpt.meta
    check(isinstance(saved.get("config"), dict), f"init_from: {path}'s checkpoint does not say how its models were built")
    start = stored_config(saved["config"])
    check(
        start.image_size_px == config.image_size_px,
        f"init_from makes {start.image_size_px} px images, this run {config.image_size_px} px",
    )
    if start.conditional and config.conditional:
        check(
            saved.get("categories") == label_map,
            f"init_from was trained on other categories ({len(saved.get('categories') or [])} vs {len(label_map)}); "
            "warm starts need the same label map (same data and include_categories)",
        )
    return WarmStart(path, ckpt, start)


def warm_start(model: Any, source: WarmStart, n_classes: int, log: Callable[[str], None]) -> None:
    """Copy `source`'s generator and discriminator into the DCGAN `model` layer by layer; resets its EMA to the copy."""
    from lookbook.models import gan

    n_source = n_classes if source.config.conditional else 0
    with gan.compute_dtype(False):
        g = gan.build_generator(source.config, n_source)
        d = gan.build_discriminator(source.config, n_source)
    checkpoint.restore(
        {"generator": g.variables, "discriminator": d.variables},
        {name: source.ckpt.groups[name] for name in ("generator", "discriminator")},
    )
    copied = {"generator": copy_layers(g, model.generator), "discriminator": copy_layers(d, model.discriminator)}
    check(any(done for done, _ in copied.values()), f"init_from: {source.path} shares no layer with this run's models")
    model.reset_ema()
    parts = []
    for name, (done, fresh) in copied.items():
        total = len(done) + len(fresh)
        parts.append(f"{name} {len(done)}/{total} layers" + (f" (fresh: {', '.join(fresh)})" if fresh else ""))
    log(f"warm start from {source.path.name} (step {source.ckpt.step}): {'; '.join(parts)}")


def copy_layers(source: Any, target: Any) -> tuple[list[str], list[str]]:
    """Copy weights from `source` into `target` for each weighted layer of the same name and weight shapes, and seed
    per-class batch norm from a shared one. Returns (copied, fresh) layer names of `target`."""
    by_name = {layer.name: layer for layer in source.layers}
    copied, fresh = [], []
    for layer in target.layers:
        weights = layer.get_weights()
        if not weights:
            continue
        match = by_name.get(layer.name)
        theirs = match.get_weights() if match is not None else []
        if [w.shape for w in theirs] != [w.shape for w in weights]:
            theirs = _from_shared_norm(layer.name, weights, by_name)
        if theirs:
            layer.set_weights(theirs)
            copied.append(layer.name)
        else:
            fresh.append(layer.name)
    return copied, fresh


# where a shared BatchNormalization (gamma, beta, moving mean, moving variance) goes in per-class batch norm
_SHARED_NORM_PARTS = {"_class_scale": slice(0, 1), "_class_shift": slice(1, 2), "_bn": slice(2, 4)}


def _from_shared_norm(name: str, weights: list[Any], by_name: dict[str, Any]) -> list[Any]:
    """Weights for a per-class batch-norm layer of the generator (`gan._norm_relu`) taken from the source's shared
    batch norm of the same block: each class's scale and shift row starts as the shared gamma and beta, the
    class-free normalisation keeps the moving statistics. [] when `name` is no such layer or the shapes disagree."""
    for suffix, part in _SHARED_NORM_PARTS.items():
        shared = by_name.get(name.removesuffix(suffix) + "_bn") if name.endswith(suffix) else None
        gamma_beta_mean_var = shared.get_weights() if shared is not None else []
        if len(gamma_beta_mean_var) != 4:
            continue
        theirs = gamma_beta_mean_var[part]
        if len(theirs) != len(weights) or any(t.shape[-1] != w.shape[-1] for t, w in zip(theirs, weights, strict=True)):
            return []
        return [np.broadcast_to(t, w.shape).copy() for t, w in zip(theirs, weights, strict=True)]
    return []
