"""GanConfig: every model and training hyperparameter of a DCGAN run, as one flat frozen dataclass."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, Literal

from lookbook.config import Config, check
from lookbook.data.dataset import IMAGE_SIZES_PX
from lookbook.models.augment import POLICIES

# Fields that fix variable shapes, the data stream or the noise stream: a resumed run must keep them.
RESUME_LOCKED: tuple[str, ...] = (
    "image_size_px",
    "noise_dim",
    "g_base_width",
    "d_base_width",
    "max_width",
    "kernel_size_px",
    "d_batch_norm",
    "spectral_norm",
    "conditional",
    "label_embed_dim",
    "d_conditioning",
    "g_conditioning",
    "minibatch_std",
    "aux_class_weight",
    "aux_margin",
    "mode_seeking_weight",
    "include_categories",
    "class_balance",
    "optimizer",
    "update",
    "batch_size",
    "d_steps",
    "ema_decay",
    "seed",
)


@dataclass(frozen=True)
class GanConfig(Config):
    """A DCGAN run: architecture, losses, optimisers, tricks and bookkeeping. `config.json` holds `to_dict()`."""

    # --- architecture -------------------------------------------------------------------------------
    image_size_px: int = 64  # side of the square images generated and trained on (32, 64 or 128); must match a dataset cache
    noise_dim: int = 100  # length of the generator's input noise vector z
    g_base_width: int = 64  # channels of the generator's last hidden layer; doubles per level towards the 4x4 start
    d_base_width: int = 64  # channels of the discriminator's first conv layer; doubles per level down to 4x4
    max_width: int = 512  # cap on any layer's channels (keeps 128 px models affordable)
    kernel_size_px: int = 4  # side of every conv / transposed-conv kernel
    init_std: float = 0.02  # standard deviation of the normal weight initialiser (DCGAN paper: 0.02)
    bn_epsilon: float = 1e-3  # BatchNormalization epsilon (added to the variance before dividing)
    bn_momentum: float = 0.9  # BatchNormalization moving-statistics momentum (inference-time stats); Keras default 0.99
    d_batch_norm: bool = False  # BatchNorm in the discriminator (every conv but the first, as in the DCGAN paper)
    d_dropout: float = 0.0  # dropout rate after each discriminator conv block (0 = none); the TF tutorial uses 0.3
    spectral_norm: bool = False  # spectral normalisation of every discriminator weight (Miyato et al. 2018)
    conditional: bool = False  # class-conditional: G gets a label embedding, D conditions via d_conditioning
    label_embed_dim: int = 32  # length of the generator's label embedding (conditional only)
    d_conditioning: Literal["projection", "input"] = "projection"  # D: projection head, or a label map as a 4th input channel
    g_conditioning: Literal["input", "batchnorm"] = "input"  # G: label joins the noise; batchnorm: also per-class BN scale/shift
    minibatch_std: bool = False  # D sees each batch's feature spread before its last conv (ProGAN): against collapse
    aux_class_weight: float = 0.0  # AC-GAN head in D (0 = off); it can collapse a category to one image (checkpoints/README.md)
    aux_margin: float = 0.0  # G's AC-GAN term stops once D names a fake's category with p >= exp(-this) (0 = never stops)
    mode_seeking_weight: float = 0.0  # MSGAN term: G pays when two noises of one category give alike images (0 = off)
    include_categories: tuple[str, ...] = ()  # train only on these categories (empty = every category but other/unmapped)
    class_balance: float = 0.0  # a category's share of an epoch goes as count**(1 - this): 0 = as in the data, 1 = equal

    # --- objective and optimisation -----------------------------------------------------------------
    loss: Literal["bce", "hinge"] = "bce"  # bce = non-saturating cross-entropy GAN; hinge = SNGAN/BigGAN hinge loss
    optimizer: Literal["adam", "rmsprop", "sgd"] = "adam"  # same kind for G and D
    g_lr: float = 2e-4  # generator learning rate (per step)
    d_lr: float = 2e-4  # discriminator learning rate (per step); > g_lr gives two time-scale updates (TTUR)
    lr_schedule: Literal["constant", "linear", "cosine"] = "constant"  # decay both rates to 0 over the whole run, or not
    beta1: float = 0.5  # Adam beta_1; momentum for SGD; unused by RMSprop (Keras defaults: rho 0.9, no momentum)
    beta2: float = 0.999  # Adam beta_2; unused by RMSprop and SGD
    adam_epsilon: float = 1e-7  # Adam / RMSprop epsilon (numerical floor of the denominator); Keras default 1e-7
    update: Literal["alternating", "simultaneous"] = "alternating"  # D then G, fresh noise (keras-io); or one pass (TF tutorial)
    d_steps: int = 1  # discriminator updates per generator update, each on its own real batch (alternating only)
    batch_size: int = 64  # real images per discriminator update, summed over all devices (global batch)
    epochs: int = 100  # passes over the training images
    max_steps: int = 0  # stop (finished) after this many generator steps in total; 0 = run all epochs
    max_minutes: float = 0.0  # stop (finished) after this much training wall time in total, across resumes; 0 = none

    # --- small-data tricks (all off = plain DCGAN) --------------------------------------------------------
    diffaugment: tuple[str, ...] = ()  # DiffAugment policy applied to real and fake images: any of color, translation, cutout
    ema_decay: float = 0.0  # generator weight EMA used for samples and the saved model (e.g. 0.999); 0 = off
    label_smoothing: float = 0.0  # one-sided: real targets become 1 - this (BCE only); 0.1 is common
    instance_noise_std: float = 0.0  # std of Gaussian noise added to D's inputs (in [-1, 1] units), annealed linearly to 0

    # --- reproducibility and speed ------------------------------------------------------------------------
    seed: int = 0  # seeds weight init, data order and every noise draw; same seed + data = same run
    jit_compile: bool = False  # compile the train step with XLA (single device only; far slower than oneDNN on CPUs)
    mixed_precision: bool = False  # bfloat16 compute, float32 weights: ~2x on CPUs with AVX512-BF16/AMX, slow without
    deterministic: bool = False  # TF op determinism (bit-identical reruns and resumes; somewhat slower)

    # --- bookkeeping --------------------------------------------------------------------------------------
    log_every_steps: int = 20  # write a metrics.jsonl row (and TensorBoard scalars) every this many generator steps
    checkpoint_every_minutes: float = 10.0  # also checkpoint mid-epoch after this many wall-clock minutes; 0 = epoch ends only
    snapshot_every_steps: int = 0  # also save the sampling generator as snapshots/step-NNNNNN.keras every N steps; 0 = off
    sample_grid_size: int = 8  # the preview grid is this many columns (and rows when unconditional) of fixed latents
    eval_every_epochs: int = 0  # run the quality metrics every this many epochs (needs eval_classifier); 0 = never
    eval_classifier: str = ""  # classifier run directory or .keras file for the quality metrics
    eval_images: int = 500  # generated images per quality evaluation
    init_from: str = ""  # warm start: a GAN run whose checkpoint's matching layers G and D start from; "" = random

    def validate(self) -> None:
        check(self.image_size_px in IMAGE_SIZES_PX, f"image_size_px must be one of {IMAGE_SIZES_PX}, got {self.image_size_px}")
        check(1 <= self.noise_dim <= 4096, f"noise_dim must be between 1 and 4096, got {self.noise_dim}")
        for name in ("g_base_width", "d_base_width"):
            value = getattr(self, name)
            check(1 <= value <= self.max_width, f"{name} must be between 1 and max_width ({self.max_width}), got {value}")
        check(self.max_width <= 4096, f"max_width must be at most 4096, got {self.max_width}")
        check(1 <= self.kernel_size_px <= 11, f"kernel_size_px must be between 1 and 11, got {self.kernel_size_px}")
        check(0 < self.init_std <= 1, f"init_std must be in (0, 1], got {self.init_std}")
        check(0 < self.bn_epsilon < 1, f"bn_epsilon must be in (0, 1), got {self.bn_epsilon}")
        check(0 <= self.bn_momentum < 1, f"bn_momentum must be in [0, 1), got {self.bn_momentum}")
        check(0 <= self.d_dropout < 1, f"d_dropout must be in [0, 1), got {self.d_dropout}")
        check(
            math.isfinite(self.aux_class_weight) and 0 <= self.aux_class_weight <= 10,
            f"aux_class_weight must be in [0, 10] (0 = off; 1 is AC-GAN's), got {self.aux_class_weight}",
        )
        check(
            self.aux_class_weight == 0 or self.conditional,
            "aux_class_weight needs conditional=true (the AC-GAN head learns the categories G is asked for)",
        )
        check(
            math.isfinite(self.aux_margin) and 0 <= self.aux_margin <= 5,
            f"aux_margin must be in [0, 5] (a cross-entropy in nats; 0.36 stops at p 0.7), got {self.aux_margin}",
        )
        check(self.aux_margin == 0 or self.aux_class_weight > 0, "aux_margin needs aux_class_weight > 0 (it shapes that term)")
        check(
            math.isfinite(self.mode_seeking_weight) and 0 <= self.mode_seeking_weight <= 10,
            f"mode_seeking_weight must be in [0, 10] (0 = off; 1 is MSGAN's), got {self.mode_seeking_weight}",
        )
        check(
            self.mode_seeking_weight == 0 or self.update == "alternating",
            "mode_seeking_weight needs update=alternating (G's paired draws get their own labels)",
        )
        check(
            self.g_conditioning == "input" or self.conditional,
            "g_conditioning=batchnorm needs conditional=true (per-class batch norm needs a class)",
        )
        check(
            0 <= self.class_balance <= 1,
            f"class_balance must be in [0, 1] (0 = as in the data, 1 = equal), got {self.class_balance}",
        )
        check(1 <= self.label_embed_dim <= 1024, f"label_embed_dim must be between 1 and 1024, got {self.label_embed_dim}")
        for name in ("g_lr", "d_lr"):
            value = getattr(self, name)
            check(math.isfinite(value) and value > 0, f"{name} must be a positive learning rate, got {value}")
        check(0 <= self.beta1 < 1, f"beta1 must be in [0, 1), got {self.beta1}")
        check(0 <= self.beta2 < 1, f"beta2 must be in [0, 1), got {self.beta2}")
        check(0 < self.adam_epsilon < 1, f"adam_epsilon must be in (0, 1), got {self.adam_epsilon}")
        check(1 <= self.d_steps <= 10, f"d_steps must be between 1 and 10, got {self.d_steps}")
        check(
            self.d_steps == 1 or self.update == "alternating",
            "d_steps > 1 needs update=alternating (simultaneous updates take one D step per G step)",
        )
        check(self.batch_size >= 2, f"batch_size must be at least 2 (batch norm needs a batch), got {self.batch_size}")
        check(self.epochs >= 1, f"epochs must be at least 1, got {self.epochs}")
        check(self.max_steps >= 0, f"max_steps must be 0 (no limit) or positive, got {self.max_steps}")
        check(
            math.isfinite(self.max_minutes) and self.max_minutes >= 0,
            f"max_minutes must be 0 (no budget) or positive, got {self.max_minutes}",
        )
        unknown = sorted(set(self.diffaugment) - set(POLICIES))
        check(not unknown, f"diffaugment: unknown policy {', '.join(unknown)} (choose from {', '.join(POLICIES)})")
        check(0 <= self.ema_decay < 1, f"ema_decay must be in [0, 1) (0 = off; 0.999 is typical), got {self.ema_decay}")
        check(0 <= self.label_smoothing < 0.5, f"label_smoothing must be in [0, 0.5), got {self.label_smoothing}")
        check(
            self.label_smoothing == 0 or self.loss == "bce",
            "label_smoothing applies to the bce loss only; set label_smoothing=0 with loss=hinge",
        )
        check(0 <= self.instance_noise_std <= 2, f"instance_noise_std must be in [0, 2], got {self.instance_noise_std}")
        check(0 <= self.seed < 2**31, f"seed must be in [0, 2^31), got {self.seed}")
        check(self.log_every_steps >= 1, f"log_every_steps must be at least 1, got {self.log_every_steps}")
        check(
            math.isfinite(self.checkpoint_every_minutes) and self.checkpoint_every_minutes >= 0,
            f"checkpoint_every_minutes must be 0 (epoch ends only) or positive, got {self.checkpoint_every_minutes}",
        )
        check(
            self.snapshot_every_steps >= 0, f"snapshot_every_steps must be 0 (off) or positive, got {self.snapshot_every_steps}"
        )
        check(1 <= self.sample_grid_size <= 16, f"sample_grid_size must be between 1 and 16, got {self.sample_grid_size}")
        check(self.eval_every_epochs >= 0, f"eval_every_epochs must be 0 (off) or positive, got {self.eval_every_epochs}")
        check(
            self.eval_every_epochs == 0 or bool(self.eval_classifier),
            "eval_every_epochs needs eval_classifier (a classifier run directory or .keras file)",
        )
        check(self.eval_images >= 2, f"eval_images must be at least 2, got {self.eval_images}")

    @property
    def level_count(self) -> int:
        """Number of 2x resolution steps between the 4x4 start and the output."""
        return int(math.log2(self.image_size_px // 4))


def stored_config(stored: dict[str, Any]) -> GanConfig:
    """The GanConfig inside a run's config.json or a checkpoint's metadata (which also hold run facts: data, preset,
    categories...)."""
    names = {f.name for f in fields(GanConfig)}
    return GanConfig.from_dict({k: v for k, v in stored.items() if k in names})
