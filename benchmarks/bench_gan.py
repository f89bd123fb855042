"""GAN training speed and memory: DCGAN.fit vs a plain GradientTape loop, whole-epoch overhead, peak RSS on 40k images.

Run by hand (about 12 minutes on 2 cores; the machine should be otherwise idle for clean numbers):
    python benchmarks/bench_gan.py [--steps 16] [--rss-images 40000] [--xla] [--skip-rss]

Figures, each with a ratio against a baseline measured in the same run:
1. images/s of the cs230 architecture (64 px, batch 64) through `DCGAN.fit` (float32, and bfloat16 mixed precision)
   vs the TF DCGAN tutorial's plain `tf.GradientTape` + `tf.function` step over the same layers and the same input
   pipeline (target: ratio >= 1);
2. a whole epoch of `train_gan` (metrics log, TensorBoard, sample grid, checkpoint, status, progress) vs the pure
   fit step time of as many steps (target: overhead <= 10%);
3. peak RSS of `python -m lookbook train gan --preset cs230` on a 64 px dataset of 40k images (target: < 4 GB), and
   of a narrow model making a full pass over the 40k images (every page of the memory-mapped cache touched).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from lookbook.data.dataset import PreparedDataset, write_prepared  # noqa: E402
from lookbook.data.schema import make_records  # noqa: E402
from lookbook.data.taxonomy import slot_for  # noqa: E402
from lookbook.train.presets import CS230  # noqa: E402

BATCH = CS230.batch_size
CATEGORIES = ("tshirt", "jeans", "sports_shoes", "dress")


def synthetic_dataset(root: Path, n_images: int, size_px: int = 64, seed: int = 0) -> PreparedDataset:
    """A prepared dataset of random images (speed does not depend on content), written in chunks."""
    rng = np.random.default_rng(seed)
    images = np.empty((n_images, size_px, size_px, 3), np.uint8)
    for start in range(0, n_images, 4096):
        stop = min(start + 4096, n_images)
        images[start:stop] = rng.integers(0, 256, (stop - start, size_px, size_px, 3), dtype=np.uint8)
    rows = [
        {
            "record_id": f"bench:{i}",
            "source": "folder",
            "split": "all",
            "image_path": f"/bench/{i}.png",
            "source_label": CATEGORIES[i % len(CATEGORIES)],
            "category": CATEGORIES[i % len(CATEGORIES)],
            "slot": slot_for(CATEGORIES[i % len(CATEGORIES)]),
        }
        for i in range(n_images)
    ]
    return write_prepared(root, make_records(rows), images)


def plain_loop(ds: PreparedDataset) -> Callable[[int], float]:
    """The TF DCGAN tutorial's training step (two tapes, one forward pass) over the same layers and pipeline;
    returns `timed(steps) -> seconds`."""
    import keras
    import tensorflow as tf

    from lookbook.data import pipeline
    from lookbook.models import gan

    keras.utils.set_random_seed(0)
    generator, discriminator = gan.build_generator(CS230), gan.build_discriminator(CS230)
    g_opt = keras.optimizers.Adam(CS230.g_lr, beta_1=CS230.beta1)
    d_opt = keras.optimizers.Adam(CS230.d_lr, beta_1=CS230.beta1)
    bce = keras.losses.BinaryCrossentropy(from_logits=True)

    @tf.function
    def train_step(images):
        noise = tf.random.normal([BATCH, CS230.noise_dim])
        with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
            fake = generator(noise, training=True)
            real_output = discriminator(images, training=True)
            fake_output = discriminator(fake, training=True)
            gen_loss = bce(tf.ones_like(fake_output), fake_output)
            disc_loss = bce(tf.ones_like(real_output), real_output) + bce(tf.zeros_like(fake_output), fake_output)
        g_opt.apply_gradients(zip(gen_tape.gradient(gen_loss, generator.trainable_variables), generator.trainable_variables))
        d_opt.apply_gradients(
            zip(disc_tape.gradient(disc_loss, discriminator.trainable_variables), discriminator.trainable_variables)
        )
        return disc_loss

    data = iter(pipeline.make_dataset(ds, BATCH, epochs=range(1000), seed=0))
    for _ in range(2):  # trace and warm up
        train_step(next(data)).numpy()

    def timed(steps: int) -> float:
        start = time.perf_counter()
        for _ in range(steps):
            loss = train_step(next(data))
        loss.numpy()
        return time.perf_counter() - start

    return timed


def fit_loop(ds: PreparedDataset, jit_compile: bool = False, mixed_precision: bool = False) -> Callable[[int], float]:
    """`DCGAN.fit` with the cs230 config and no callbacks (the engine's pure step rate); returns `timed(steps) -> seconds`."""
    import tensorflow as tf

    from lookbook.data import pipeline
    from lookbook.train.gan_trainer import build_dcgan, configure_tensorflow

    config = CS230.replace(jit_compile=jit_compile, mixed_precision=mixed_precision)
    configure_tensorflow(config)  # as train_gan does
    model = build_dcgan(config, n_classes=0, total_g_steps=10_000, strategy=tf.distribute.get_strategy())
    data = pipeline.make_dataset(ds, BATCH, epochs=range(1000), seed=0)
    model.fit(data, epochs=1, steps_per_epoch=2, verbose=0, shuffle=False)  # trace and warm up

    import keras

    class StepClock(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            self.times.append(time.perf_counter())

    clock = StepClock()

    def timed(steps: int) -> float:
        # One extra step, not timed: each fit() call sets up its iterator and function anew (seconds), a cost
        # train_gan pays once per session, not per step.
        clock.times = []
        model.fit(data, epochs=1, steps_per_epoch=steps + 1, verbose=0, shuffle=False, callbacks=[clock])
        return clock.times[-1] - clock.times[0]

    return timed


def epoch_seconds(ds: PreparedDataset, run: Path) -> tuple[float, int]:  # float32, as the pure fit it is compared to
    """Wall time of the second epoch of a real `train_gan` run (steps + one round of epoch-end side effects)."""
    from lookbook.train.gan_trainer import train_gan

    config = CS230.replace(epochs=2, log_every_steps=5, checkpoint_every_minutes=0)
    train_gan(config, ds.root, run, preset="cs230", log=lambda msg: None)
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    steps_per_epoch = len(ds) // BATCH
    end = {r["step"]: r["wall_time_s"] for r in rows}
    return end[2 * steps_per_epoch] - end[steps_per_epoch], steps_per_epoch


# Measured from a small wrapper process: a child forked straight from this (large) process would report this
# process's peak as its own, because Linux carries the pre-exec high-water mark into ru_maxrss.
_RSS_WRAPPER = """
import os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
print(usage.ru_maxrss, time.perf_counter() - start, os.waitstatus_to_exitcode(status))
"""


def peak_rss_mb(args: list[str]) -> tuple[float, float]:
    """(peak RSS in MB, wall seconds) of `python -m lookbook ARGS` in a fresh process."""
    cmd = [sys.executable, "-c", _RSS_WRAPPER, sys.executable, "-m", "lookbook", *args]
    rss_kb, seconds, code = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=True).stdout.split()
    if code != "0":
        raise RuntimeError(f"lookbook {' '.join(args)} exited {code}")
    return int(rss_kb) / 1024, float(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=16, help="timed steps per speed measurement")
    parser.add_argument("--epoch-steps", type=int, default=64, help="steps per epoch of the whole-epoch measurement")
    parser.add_argument("--rss-images", type=int, default=40_000)
    parser.add_argument("--rss-steps", type=int, default=20, help="cs230 steps in the memory run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved timing rounds; the best of each is kept")
    parser.add_argument("--xla", action="store_true", help="also time fit with jit_compile=True (slow to compile on CPU)")
    parser.add_argument("--skip-rss", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench_gan_") as tmp:
        tmp = Path(tmp)
        ds = synthetic_dataset(tmp / "speed", args.epoch_steps * BATCH)
        print(f"cs230 architecture, 64 px, batch {BATCH}, best of {args.rounds} rounds of {args.steps} steps", flush=True)
        loops = {"plain": plain_loop(ds), "fit": fit_loop(ds), "bf16": fit_loop(ds, mixed_precision=True)}
        if args.xla:
            loops["xla"] = fit_loop(ds, jit_compile=True)
        best = dict.fromkeys(loops, float("inf"))
        for _ in range(args.rounds):  # interleaved, so a busy spell on a shared machine hits every variant alike
            for name, timed in loops.items():
                best[name] = min(best[name], timed(args.steps))
        rate = {name: args.steps * BATCH / seconds for name, seconds in best.items()}
        base = rate["plain"]
        labels = {
            "fit": "DCGAN.fit (float32)",
            "bf16": "DCGAN.fit, mixed_precision=true (bf16)",
            "xla": "DCGAN.fit, jit_compile=true (XLA)",
        }
        print(f"{'plain GradientTape + tf.function loop':40s}: {base:6.1f} images/s (baseline)", flush=True)
        for name, label in labels.items():
            if name in rate:
                print(f"{label:40s}: {rate[name]:6.1f} images/s  ratio {rate[name] / base:.2f}x", flush=True)
        fit = rate["fit"]
        seconds, steps = epoch_seconds(ds, tmp / "run")
        pure = steps * BATCH / fit
        print(
            f"train_gan epoch ({steps} steps, all side effects): {seconds:.1f} s vs {pure:.1f} s of pure fit steps "
            f"-> overhead {100 * (seconds / pure - 1):+.1f}%",
            flush=True,
        )
        if args.skip_rss:
            return
        big = synthetic_dataset(tmp / "big", args.rss_images)
        cache_mb = big.images.nbytes / 2**20
        del big
        common = ["train", "gan", "--data", str(tmp / "big"), "--preset", "cs230", "--set", "checkpoint_every_minutes=0"]
        rss, wall = peak_rss_mb([*common, "--run", str(tmp / "rss_cs230"), "--set", f"max_steps={args.rss_steps}"])
        print(f"peak RSS, cs230 on {args.rss_images} images, {args.rss_steps} steps: {rss:.0f} MB ({rss / 4096:.2f} of 4 GB)")
        narrow = ["--set", "g_base_width=8", "--set", "d_base_width=8", "--set", "epochs=1", "--set", "log_every_steps=100"]
        rss_pass, wall = peak_rss_mb([*common, "--run", str(tmp / "rss_pass"), *narrow])
        print(
            f"peak RSS, narrow model, one full pass over {args.rss_images} images ({cache_mb:.0f} MB cache, {wall:.0f} s): "
            f"{rss_pass:.0f} MB ({rss_pass / 4096:.2f} of 4 GB)"
        )
    print(f"benchmark process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
