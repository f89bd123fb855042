"""Training speed of a GAN recipe change: the `modern` preset with `--set key=value` changes vs the preset as it is.

Run by hand (about 2 minutes on 2 cores; the machine should be otherwise idle):
    python benchmarks/bench_gan_options.py --set minibatch_std=false [--set ...] [--batches 30] [--rounds 3]

Both models (built by the trainer's own `build_dcgan`) train by `DCGAN.fit` (conditional, 32 categories, 64 px,
batch 64) on the same synthetic images, in interleaved rounds; the best round of each is kept. Prints images/s of
each and the ratio changed / preset.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import tensorflow as tf

from lookbook.models.gan_config import GanConfig
from lookbook.train.gan_trainer import build_dcgan
from lookbook.train.presets import MODERN

N_CLASSES = 32


def build(cfg: GanConfig, g_steps: int) -> object:
    """The compiled DCGAN the trainer itself would build for `cfg`."""
    return build_dcgan(cfg, N_CLASSES, g_steps, tf.distribute.get_strategy())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="overrides", action="append", default=[], help="key=value on top of modern")
    parser.add_argument("--batches", type=int, default=30, help="batches of 64 per timed round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    changed = MODERN.with_overrides(args.overrides)
    n = MODERN.batch_size * args.batches
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (n, MODERN.image_size_px, MODERN.image_size_px, 3)).astype(np.float32)
    labels = (np.arange(n) % N_CLASSES).astype(np.int32)
    data = tf.data.Dataset.from_tensor_slices((images, labels)).batch(MODERN.batch_size).cache()
    models = {"modern": build(MODERN, n), "changed": build(changed, n)}
    for model in models.values():
        model.fit(data.take(3), verbose=0)  # trace and warm up
    best = dict.fromkeys(models, float("inf"))
    for _ in range(args.rounds):
        for name, model in models.items():
            start = time.perf_counter()
            model.fit(data, verbose=0)
            best[name] = min(best[name], time.perf_counter() - start)
    print(f"modern:                      {n / best['modern']:.0f} images/s")
    print(f"modern + {' '.join(args.overrides) or '(nothing)'}: {n / best['changed']:.0f} images/s")
    print(f"ratio changed / modern: {best['modern'] / best['changed']:.3f}")


if __name__ == "__main__":
    main()
