"""Settings of a 4x upscaler run: the network's size, the patch stream and its degradation, optimisation, budget."""

from __future__ import annotations

import dataclasses

from lookbook.config import Config, check
from lookbook.data.superres import Degradation


@dataclasses.dataclass(frozen=True)
class UpscalerConfig(Config):
    """Everything that defines an upscaler run; `config.json` holds `to_dict()` plus the data folders."""

    # --- network (lookbook.models.upscaler.build_upscaler) ----------------------------------
    features: int = 32  # channels of the low-resolution body; cost grows with its square
    residual_blocks: int = 3  # conv-relu-conv blocks in the body
    # --- data ------------------------------------------------------------------------------
    hr_size_px: int = 256  # each photo becomes a padded white square of this side (the print tile's source size)
    patch_px: int = 96  # high-resolution training patch side (a multiple of 4); the network sees patch_px / 4
    min_patch_std: float = 4.0  # patches flatter than this (0-255 pixel std: plain background) are redrawn, up to 4 tries
    max_images: int = 0  # training photos kept in memory (0 = all), chosen by a seeded draw
    # --- degradation: how a 64 px garment differs from a downscaled photo -------------------
    lanczos_share: float = 0.6  # share of patches downscaled with Lanczos (how datasets are prepared); the rest bicubic or box
    blur_prob: float = 0.3  # share of patches blurred before downscaling (generated garments are softer than photos)
    blur_max_sigma_px: float = 1.2  # largest Gaussian blur, in high-resolution pixels
    noise_prob: float = 0.3  # share of low-resolution patches with added Gaussian noise (the generator's colour speckle)
    noise_max_std: float = 3.0  # largest noise standard deviation, in 0-255 pixel units
    # --- optimisation ----------------------------------------------------------------------
    batch_size: int = 16  # patches per step
    learning_rate: float = 2e-3  # Adam peak learning rate, cosine-decayed to 1% over the run's steps
    epochs: int = (
        20  # length of the run in epochs of `steps_per_epoch` (patches are drawn at random, so an epoch is a unit of work)
    )
    steps_per_epoch: int = 200  # steps between sample grids, held-out evaluations and checkpoints
    max_minutes: float = 0.0  # training budget in wall-clock minutes, after the photos are read (0 = none); ends `finished`
    max_steps: int = 0  # stop after this many steps (0 = all of epochs x steps_per_epoch); the schedule still spans all
    seed: int = 0  # weights, photo choice and every patch: the batch of step s is a function of (seed, s)
    # --- bookkeeping -----------------------------------------------------------------------
    log_every_steps: int = 20  # metrics.jsonl row every this many steps (and at each epoch end)
    checkpoint_every_minutes: float = 5.0  # extra checkpoints between epoch ends (0 = only at epoch ends)
    eval_images: int = 32  # held-out photos scored (PSNR against Lanczos + unsharp) at each epoch end; 0 = off
    preview_images: int = 4  # held-out photos in each sample grid (rows of 64 px, Lanczos, model, real)

    # the sample-grid callback lays out this many columns: 64 px input, Lanczos + unsharp, model, real
    sample_grid_size = 4

    def validate(self) -> None:
        check(4 <= self.features <= 256, f"features must be 4..256, got {self.features}")
        check(0 <= self.residual_blocks <= 32, f"residual_blocks must be 0..32, got {self.residual_blocks}")
        check(self.patch_px % 4 == 0 and self.patch_px >= 16, f"patch_px must be a multiple of 4 and >= 16, got {self.patch_px}")
        check(
            64 <= self.hr_size_px <= 1024 and self.hr_size_px % 4 == 0,
            f"hr_size_px must be a multiple of 4 in 64..1024, got {self.hr_size_px}",
        )
        check(self.patch_px <= self.hr_size_px, f"patch_px {self.patch_px} is larger than hr_size_px {self.hr_size_px}")
        check(self.min_patch_std >= 0, f"min_patch_std must be >= 0, got {self.min_patch_std}")
        check(self.max_images >= 0, f"max_images must be >= 0 (0 = all), got {self.max_images}")
        for name in ("lanczos_share", "blur_prob", "noise_prob"):
            value = getattr(self, name)
            check(0.0 <= value <= 1.0, f"{name} must be 0..1, got {value}")
        check(0 <= self.blur_max_sigma_px <= 5, f"blur_max_sigma_px must be 0..5, got {self.blur_max_sigma_px}")
        check(0 <= self.noise_max_std <= 50, f"noise_max_std must be 0..50, got {self.noise_max_std}")
        check(self.batch_size >= 1, f"batch_size must be >= 1, got {self.batch_size}")
        check(0 < self.learning_rate < 1, f"learning_rate must be in (0, 1), got {self.learning_rate}")
        check(self.epochs >= 1, f"epochs must be >= 1, got {self.epochs}")
        check(self.steps_per_epoch >= 1, f"steps_per_epoch must be >= 1, got {self.steps_per_epoch}")
        check(self.max_steps >= 0, f"max_steps must be >= 0 (0 = no limit), got {self.max_steps}")
        check(self.max_minutes >= 0, f"max_minutes must be >= 0 (0 = no budget), got {self.max_minutes}")
        check(self.log_every_steps >= 1, f"log_every_steps must be >= 1, got {self.log_every_steps}")
        check(self.checkpoint_every_minutes >= 0, f"checkpoint_every_minutes must be >= 0, got {self.checkpoint_every_minutes}")
        check(self.eval_images >= 0, f"eval_images must be >= 0, got {self.eval_images}")
        check(1 <= self.preview_images <= 16, f"preview_images must be 1..16, got {self.preview_images}")

    def degradation(self) -> Degradation:
        """The patch degradation these settings describe."""
        return Degradation(**{f.name: getattr(self, f.name) for f in dataclasses.fields(Degradation)})

    @property
    def total_steps(self) -> int:
        """Steps the learning-rate schedule spans."""
        return self.epochs * self.steps_per_epoch

    @property
    def final_step(self) -> int:
        """The step this session of the run stops at."""
        return min(self.total_steps, self.max_steps) if self.max_steps else self.total_steps
