"""Named GAN recipes: cs230 (the original project), plain (keras-io baseline), modern (small-data tricks), quick (demo)."""

from __future__ import annotations

from lookbook.errors import LookbookError
from lookbook.models.gan_config import GanConfig

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

# The real catalogue on a CPU. Measured on the 5,314 real FPID training images of the first default checkpoints,
# 64 px, 25 minutes each on 2 cores, judged on a held-out test split (FCD / conditional accuracy / within-class
# diversity; checkpoints/README.md has the full table):
#   conditional, batch-norm D + minibatch std, BCE, EMA, widths 32                 8.4 / 74% / 0.89
#   the same without minibatch std                                                11.9 / 75% / 0.63
#   the same with per-class batch norm in G instead of minibatch std               9.8 / 75% / 0.89
#   the same at widths 64                                                         13.9 / 58% / 0.99
#   plain (keras-io defaults, unconditional)                                      28.0 /  -  / 1.13
#   cs230 (the original recipe)                                                   73.7 /  -  / 0.70
#   (real-vs-real 1.6 / 86.5% / 1.04; blurred real images 26.2; noise 68.7)
# What each choice does here:
# - conditional (label embedding into G, projection D): the labels are free, class information is the strongest help
#   a small GAN gets, and a lookbook slot can ask for a category directly;
# - class-balanced epochs (class_balance=0.5): the catalogue runs from 4,147 t-shirts to 56 salwars, so at the data's
#   own proportions a skirt is 0.3% of G's updates and its label is ignored (the first generator drew the same eight
#   images for dress and skirt); drawing each category as the square root of its count gives a skirt 1.0% of the
#   updates (t-shirts 7.4% instead of 17.8%), and the large categories still get the most;
# - batch norm in D with BCE (the DCGAN paper's D), not spectral norm + hinge: in a 32 px check at equal steps the BN
#   D learnt garment silhouettes sooner than an SN + hinge + DiffAugment recipe, which a 12-CPU-minute calibration
#   also found worse than plain defaults;
# - minibatch standard deviation before D's last conv (ProGAN): without it a seed mostly changed a garment's colour
#   (eight t-shirts, one man in one pose); with it the same budget gives varied garments and a lower FCD, for the
#   same conditional accuracy. Per-class batch norm in G (g_conditioning=batchnorm) did nearly as well (FCD 9.8), and
#   both together (fewer steps in the budget) did worse than either;
# - no DiffAugment: D does not get to memorise the catalogue in a CPU budget's epochs, so its protection buys nothing;
# - no AC-GAN head (aux_class_weight): at weight 1 it raised conditional accuracy at 50 minutes (80% vs 75%) by
#   collapsing each category to one image (within-class diversity 0.19 vs 0.63), and by 80 minutes it fell to 51%;
# - generator EMA 0.999 (warmed up) for samples and the saved model, with the batch-norm statistics recomputed for
#   the EMA weights (EMA weights with the live generator's statistics do not match each other);
# - widths 32 (256-128-64-32 in G): 2.5x the images per second of widths 64, so three times the epochs in the same
#   time, which at this budget beats the wider model on every figure but diversity; a 5 MB checkpoint that samples
#   fast.
# Written as plain plus these choices, so the two differ only where a choice says why.
MODERN = PLAIN.replace(
    g_base_width=32,
    d_base_width=32,
    d_batch_norm=True,
    minibatch_std=True,
    conditional=True,
    class_balance=0.5,
    epochs=200,
    ema_decay=0.999,
)

# A first run that teaches: category-distinct garments on the built-in dataset (benchmarks/bench_quick.py measures it:
# 32 px `data synth` + `data prepare --size 32`, 80/20 split, judged by a `cnn` classifier trained on the same data,
# 70.9% on the held-out real images). On 2 idle cores of a slow x86-64 machine it trains at about 175 images/s:
# 4 minutes reach step 1,326 (12 epochs), where 74.3% of its garments are classified as asked, 1.05x the real images'
# figure (FCD 6.6, within-class diversity 0.68); its 30 epochs take about 10 minutes at that pace (13.4 on one busy
# core) and end at 1.08x (FCD 5.1, diversity 0.67). At equal images (37k, what 4 minutes reached at batch 64), one
# core each, seeds 0 / 1:
#   this recipe (batch 32, 1,156 steps)                0.93x / 0.96x; FCD 7.3 / 6.5; diversity 0.72 / 0.71
#   batch 64 (before, 578 steps)                       0.90x / 0.76x; FCD 10.8;      diversity 0.47 / 0.60
#   batch 64, AC-GAN weight 1.0                        0.86x / 0.96x; FCD 12.8 / 10.9; diversity 0.44 / 0.57
#   batch 64, 12 epochs with learning rates decayed linearly to 0: 0.80x (0.68x at AC-GAN weight 1.0), FCD 17.7
#   batch 64, learning rates 2e-4, AC-GAN weight 0.3   0.50x (0.62x in an earlier run); diversity 0.85
# At batch 32 the grids have no repeated-garment rows through epoch 30; at batch 64 and 60 epochs every row was one
# garment repeated by epoch 43 (the AC-GAN head's collapse), hence 30 epochs. The v1 quick recipe (input conditioning
# only, 30 epochs, 98 s) drew one blob in nearly every row: 27% classified as asked against 84% of real images
# (0.32x). What this recipe changes, and why:
# - per-class batch norm in G (g_conditioning=batchnorm): every layer, not only the input, is told the category, the
#   strongest conditioning signal a small G can get; the modern preset's measurements found it as recognisable as
#   input conditioning with more varied garments;
# - a stronger AC-GAN head (aux_class_weight=0.6): D also names the category of real images and G is rewarded when its
#   garments are named as asked, which is what "category-distinct" means; it costs within-class variety (a row's
#   garments differ in colour and detail more than in shape), and at weight 1 in long runs it collapses a category to
#   one image (see modern above), so it stays below 1 and the within-class diversity is scored;
# - learning rates 5e-4 for G and D (modern: 2e-4): a small 32 px GAN takes the larger steps without diverging, and
#   the garments come out sharper sooner (FCD 10.8 against 23.3 at batch 64 and equal steps);
# - batch 32: the same images per second as batch 64 on a CPU, so twice the updates in the same minutes; a young G
#   learns more from more, smaller steps (FCD and diversity above);
# - class_balance=0.5: the built-in data is 7 DeepFashion2 categories of hundreds of garments and 30 small FPID ones of
#   about 30; a category's share of an epoch goes as count**0.5, so the rows of small categories learn too;
# - 30 epochs (3,330 steps at batch 32 on 3,570 images): long enough for sharp rows, short of the collapse above.
# Kept: 32 px, widths 32 (2.5x the images/s of widths 64), batch-norm D with a projection head, one forward pass per
# step, EMA 0.995 (with recomputed batch-norm statistics) against a young G's step-to-step jitter.
# Written as modern plus these changes (and without its minibatch std), so the two differ only where this says why.
QUICK = MODERN.replace(
    image_size_px=32,
    noise_dim=64,
    minibatch_std=False,
    g_conditioning="batchnorm",
    aux_class_weight=0.6,
    g_lr=5e-4,
    d_lr=5e-4,
    update="simultaneous",
    batch_size=32,
    epochs=30,
    ema_decay=0.995,
    log_every_steps=20,
    checkpoint_every_minutes=2.0,
)

PRESETS: dict[str, GanConfig] = {"cs230": CS230, "plain": PLAIN, "modern": MODERN, "quick": QUICK}
PRESET_NOTES: dict[str, str] = {
    "cs230": "the original CS230 project's final recipe (64 px, 400 epochs)",
    "plain": "keras-io DCGAN defaults: the baseline",
    "modern": "the shipped recipe: conditional, class-balanced, BN + minibatch-std D, generator EMA, widths 32",
    "quick": "a first run that teaches: 32 px, one row per category, rows distinct after about 4 minutes on 2 cores "
    "(all 30 epochs: about 10)",
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
