"""Named GAN recipes: cs230 (the original project), plain (keras-io baseline), modern (small-data tricks), quick (demo)."""

from __future__ import annotations

from lookbook.errors import LookbookError
from lookbook.train.gan_config import GanConfig

# The Stanford CS230 "Deep Learning Fashion Lookbook" final recipe, hyperparameter for hyperparameter: Adam with
# G and D learning rate 1e-4, beta1 0.3, batch 64, noise size 90, init std 0.02, BCE, 400 epochs, 64 px, built like
# the TF DCGAN tutorial it started from (5x5 kernels, LeakyReLU + dropout 0.3 in D, simultaneous G/D updates from
# one forward pass, Keras batch-norm momentum 0.99). The report's "epsilon 8e-5" sits among the network's
# hyperparameters, not the optimiser's; we read it as the batch-norm epsilon (bn_epsilon) and leave Adam's epsilon
# at the Keras default. Widths as in the DCGAN paper: 512-256-128-64 in G, 64-128-256-512 in D.
CS230 = GanConfig(
    image_size_px=64,
    noise_dim=90,
    g_base_width=64,
    d_base_width=64,
    kernel_size_px=5,
    init_std=0.02,
    bn_epsilon=8e-5,
    bn_momentum=0.99,
    d_dropout=0.3,
    loss="bce",
    optimizer="adam",
    g_lr=1e-4,
    d_lr=1e-4,
    beta1=0.3,
    update="simultaneous",
    batch_size=64,
    epochs=400,
    log_every_steps=50,
)

# keras-io / DCGAN-paper defaults: Adam 2e-4, beta1 0.5, BCE, batch norm in G, 4x4 kernels, alternating D then G
# steps with fresh noise (keras-io `dcgan_overriding_train_step`). The baseline every trick must beat.
PLAIN = GanConfig(
    image_size_px=64,
    noise_dim=128,
    g_base_width=64,
    d_base_width=64,
    kernel_size_px=4,
    loss="bce",
    g_lr=2e-4,
    d_lr=2e-4,
    beta1=0.5,
    update="alternating",
    batch_size=64,
    epochs=100,
    log_every_steps=50,
)

# Small data (a few thousand images) on a CPU. Each trick stays switchable; the final choice is by FCD.
# - conditional with a projection D: the labels are free here, and class information is the strongest help a small
#   GAN gets (and lets a lookbook slot ask for a category);
# - spectral norm in D + hinge loss: a Lipschitz-bounded D, the usual stable pair (SNGAN); no batch norm in D;
# - Adam 2e-4 for both, beta1 0.5: in a 32 px, 936-step check on the built-in data, the SAGAN-style TTUR
#   (G 1e-4, D 4e-4, beta1 0, beta2 0.9) with translation + cutout gave the same grey blob for every class and
#   seed, while these rates with translation only kept per-class sizes and colour variety (TTUR stays a
#   `--set d_lr=4e-4` away for long GPU runs);
# - DiffAugment translation only: guards D against memorising a few thousand images without the colour jitter a
#   fashion generator must not learn to ignore; cutout erased too much of 32-64 px garments early on;
# - generator EMA 0.999 (warmed up, so a short run averages over fewer steps) for samples and the saved model, with
#   the batch-norm statistics recomputed for the EMA weights: sampling EMA weights with the live generator's
#   statistics is a likely reason an earlier SN + hinge + DiffAugment + EMA attempt looked worse than plain;
# - widths 32 (256-128-64-32 in G): a quarter of cs230's compute, what a CPU can afford per epoch.
# Measured so far (sample grids, not FCD): at equal steps `quick`'s batch-norm D + BCE learns silhouettes sooner.
MODERN = GanConfig(
    image_size_px=64,
    noise_dim=128,
    g_base_width=32,
    d_base_width=32,
    kernel_size_px=4,
    spectral_norm=True,
    conditional=True,
    d_conditioning="projection",
    loss="hinge",
    g_lr=2e-4,
    d_lr=2e-4,
    beta1=0.5,
    beta2=0.999,
    update="alternating",
    batch_size=64,
    epochs=200,
    diffaugment=("translation",),
    ema_decay=0.999,
    log_every_steps=50,
)

# A recognisable result on the built-in dataset in a few minutes on 2 cores (tuned by looking at sample grids of
# `data synth` + `data prepare --size 32`): 32 px; conditional, because one row per category makes the garment
# types appear far sooner than an unconditional model finds them; batch norm in D (the DCGAN paper's D), which gave
# cleaner single-garment silhouettes than keras-io's plain D; widths 64 (sharper than 32 at the same wall time);
# EMA 0.995 (with recomputed batch-norm statistics) removes the step-to-step checkerboard jitter of a young G;
# one forward pass per step.
QUICK = GanConfig(
    image_size_px=32,
    noise_dim=64,
    g_base_width=64,
    d_base_width=64,
    kernel_size_px=4,
    d_batch_norm=True,
    conditional=True,
    loss="bce",
    g_lr=2e-4,
    d_lr=2e-4,
    beta1=0.5,
    update="simultaneous",
    batch_size=64,
    epochs=10,
    ema_decay=0.995,
    log_every_steps=20,
    checkpoint_every_minutes=2.0,
)

PRESETS: dict[str, GanConfig] = {"cs230": CS230, "plain": PLAIN, "modern": MODERN, "quick": QUICK}
PRESET_NOTES: dict[str, str] = {
    "cs230": "the original CS230 project's final recipe (64 px, 400 epochs)",
    "plain": "keras-io DCGAN defaults: the baseline",
    "modern": "small-data recipe: conditional, spectral norm + hinge, DiffAugment, generator EMA",
    "quick": "32 px conditional demo in a few minutes on a CPU",
}
DEFAULT_PRESET = "modern"


def gan_preset(name: str) -> GanConfig:
    """The GanConfig of a named preset; an unknown name is a one-line error listing the known ones."""
    try:
        return PRESETS[name]
    except KeyError:
        raise LookbookError(f"unknown GAN preset {name!r} (choose from {', '.join(PRESETS)})") from None


def preset_names() -> list[str]:
    return list(PRESETS)
