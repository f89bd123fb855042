"""Garment classifier settings: one frozen, typed config with the `ann` and `cnn` presets."""

from __future__ import annotations

import dataclasses
from typing import Literal

from lookbook.config import Config, check
from lookbook.errors import LookbookError

Architecture = Literal["ann", "cnn"]
LabelColumn = Literal["category", "article_type", "source_label"]
ClassWeighting = Literal["none", "sqrt", "balanced"]
Schedule = Literal["constant", "cosine"]
Monitor = Literal["val_loss", "val_accuracy"]
Precision = Literal["auto", "float32", "mixed_bfloat16"]


@dataclasses.dataclass(frozen=True)
class ClassifierConfig(Config):
    """Everything that defines a classifier run; `config.json` holds exactly `to_dict()` (plus the dataset path)."""

    # --- model -----------------------------------------------------------------------------
    architecture: Architecture = "cnn"  # "ann": flattened pixels + dense layers (the original); "cnn": conv net
    image_size_px: int = 0  # input side in pixels; 0 = the dataset's only image cache
    hidden_units: tuple[int, ...] = (512, 256, 128)  # ann: width of each dense relu layer (last one = "features")
    conv_widths: tuple[int, ...] = (32, 64, 128, 256)  # cnn: channels of each stage; stages after the first halve the size
    convs_per_stage: int = 2  # cnn: 3x3 conv + BatchNorm + ReLU layers per stage
    stem_stride: int = 2  # cnn: stride of the first conv (2 halves the input once more: a 4x cheaper net)
    features_dim: int = 256  # cnn: width of the dense "features" layer after pooling (0 = the pooled conv maps)
    dropout: float = 0.2  # drop rate before the softmax (and between ann layers), 0..1
    # --- augmentation (training only; the saved model has none) -----------------------------
    augment: bool = True  # apply the random transforms below to training batches
    flip: bool = True  # random left-right flips (garments are near-symmetric; up-down never)
    shift_frac: float = 0.1  # random translation, as a fraction of the image side
    zoom_frac: float = 0.2  # random zoom in/out, as a fraction of the image side
    colour_jitter: float = 0.2  # random brightness/contrast/saturation strength, 0 = off
    mixup_alpha: float = 0.0  # mixup: blend image pairs and their labels with Beta(a, a) weights; 0 = off, 0.2-0.4 typical
    outlier_share: float = 0.0  # outlier exposure: noise images added to each batch (share of it) with a uniform target
    test_time_flip: bool = False  # predict by averaging each image with its mirror image (2x inference cost)
    calibrate: bool = True  # fit a softmax temperature on the validation split so confidences match accuracy
    prior_correction: bool = True  # with calibrate: divide out the training category shares (strength fit on validation)
    # --- optimisation ----------------------------------------------------------------------
    learning_rate: float = 2e-3  # Adam(W) peak learning rate
    schedule: Schedule = "cosine"  # learning-rate decay over `epochs` (cosine to ~0) or constant
    warmup_epochs: float = 1.0  # linear warm-up length in epochs (cosine schedule only)
    weight_decay: float = 1e-4  # decoupled weight decay (AdamW); 0 = plain Adam
    label_smoothing: float = 0.1  # share of the target mass spread over the other classes, 0..0.5
    batch_size: int = 64  # images per training step
    epochs: int = 35  # maximum training epochs (early stopping may end sooner)
    patience_epochs: int = 8  # early stopping: epochs without validation improvement before stopping (0 = never stop early)
    monitor: Monitor = "val_loss"  # validation quantity early stopping watches; the best epoch's weights are kept
    max_minutes: float = 0.0  # wall-clock training budget in minutes (0 = none); the best weights so far are kept
    class_weighting: ClassWeighting = "sqrt"  # loss weight per class: none, 1/sqrt(count) or 1/count (normalised to mean 1)
    precision: Precision = "auto"  # compute dtype; auto = mixed_bfloat16 on CPUs with native bf16, else float32; saved as float32
    # --- data ------------------------------------------------------------------------------
    label_column: LabelColumn = "category"  # what to predict: unified category, FPID article type, or the raw source label
    min_images_per_class: int = 10  # labels with fewer usable images are excluded (and reported)
    exclude_labels: tuple[str, ...] = ("other", "unmapped")  # labels never trained on
    test_fraction: float = 0.2  # held-out test share per class (stratified); the reported accuracy is on it
    val_fraction: float = 0.1  # validation share per class, taken from the rest, for early stopping
    split_by_source: bool = False  # use the records' own train/validation/test splits where they have them
    seed: int = 0  # seeds the split, the weights and the shuffles
    split_seed: int = -1  # seeds the split alone when >= 0 (runs that differ only in weights share one split); -1 = seed
    init_from: str = ""  # warm start: a classifier run directory or .keras of the same architecture and label map; "" = random

    @property
    def effective_split_seed(self) -> int:
        """The seed of the train / validation / test split: `split_seed`, or `seed` when that is -1."""
        return self.seed if self.split_seed < 0 else self.split_seed

    def validate(self) -> None:
        check(self.split_seed >= -1, f"split_seed must be -1 (= seed) or >= 0, got {self.split_seed}")
        check(
            self.image_size_px == 0 or self.image_size_px >= 16,
            f"image_size_px must be 0 (auto) or >= 16, got {self.image_size_px}",
        )
        check(
            len(self.hidden_units) > 0 and min(self.hidden_units) > 0,
            "hidden_units needs at least one positive width, e.g. 512,256,128",
        )
        check(
            len(self.conv_widths) > 0 and min(self.conv_widths) > 0,
            "conv_widths needs at least one positive width, e.g. 32,64,128",
        )
        check(1 <= self.convs_per_stage <= 4, f"convs_per_stage must be 1..4, got {self.convs_per_stage}")
        check(self.stem_stride in (1, 2), f"stem_stride must be 1 or 2, got {self.stem_stride}")
        check(self.features_dim >= 0, f"features_dim must be >= 0, got {self.features_dim}")
        check(0.0 <= self.dropout < 1.0, f"dropout must be in [0, 1), got {self.dropout}")
        check(0.0 <= self.shift_frac <= 0.5, f"shift_frac must be in [0, 0.5], got {self.shift_frac}")
        check(0.0 <= self.zoom_frac <= 0.5, f"zoom_frac must be in [0, 0.5], got {self.zoom_frac}")
        check(0.0 <= self.colour_jitter <= 1.0, f"colour_jitter must be in [0, 1], got {self.colour_jitter}")
        check(self.mixup_alpha >= 0, f"mixup_alpha must be >= 0 (0 = off), got {self.mixup_alpha}")
        check(0.0 <= self.outlier_share <= 1.0, f"outlier_share must be in [0, 1], got {self.outlier_share}")
        check(0.0 < self.learning_rate <= 1.0, f"learning_rate must be in (0, 1], got {self.learning_rate}")
        check(self.warmup_epochs >= 0, f"warmup_epochs must be >= 0, got {self.warmup_epochs}")
        check(self.weight_decay >= 0, f"weight_decay must be >= 0, got {self.weight_decay}")
        check(0.0 <= self.label_smoothing <= 0.5, f"label_smoothing must be in [0, 0.5], got {self.label_smoothing}")
        check(self.batch_size >= 1, f"batch_size must be at least 1, got {self.batch_size}")
        check(self.epochs >= 1, f"epochs must be at least 1, got {self.epochs}")
        check(self.patience_epochs >= 0, f"patience_epochs must be >= 0, got {self.patience_epochs}")
        check(self.max_minutes >= 0, f"max_minutes must be >= 0 (0 = no budget), got {self.max_minutes}")
        check(
            self.min_images_per_class >= 2,
            f"min_images_per_class must be at least 2 (one to train, one to test), got {self.min_images_per_class}",
        )
        check(0.0 < self.test_fraction < 1.0, f"test_fraction must be in (0, 1), got {self.test_fraction}")
        check(0.0 <= self.val_fraction < 1.0, f"val_fraction must be in [0, 1), got {self.val_fraction}")
        check(self.test_fraction + self.val_fraction < 0.9, "test_fraction + val_fraction must leave at least 10% to train on")
        check(not (self.monitor == "val_accuracy" and self.val_fraction == 0), "monitor=val_accuracy needs val_fraction > 0")


PRESETS: dict[str, ClassifierConfig] = {
    # The CS230 original: flattened pixels, dense relu layers, softmax, Adam 1e-4; no augmentation, no tricks.
    "ann": ClassifierConfig(
        architecture="ann",
        dropout=0.0,
        augment=False,
        learning_rate=1e-4,
        schedule="constant",
        warmup_epochs=0.0,
        weight_decay=0.0,
        label_smoothing=0.0,
        class_weighting="none",
        precision="float32",
        epochs=30,
    ),
    # The strong default: a small BatchNorm conv net with augmentation, AdamW, cosine decay, label smoothing, predicting
    # from each image and its mirror. Sized for the real catalogue (28k images) on a CPU: a stride-2 stem (4x cheaper
    # than stride 1) and 6 epochs, about 50 minutes on one core; six epochs of 25k images are as many steps as 30 of
    # the 5k images a stride-1 stem took 60 epochs (35 minutes on 2 cores) to fit. Outlier exposure: without it the
    # calibrated net called 90% of noise images a shirt with confidence >= 0.8.
    "cnn": ClassifierConfig(stem_stride=2, epochs=6, patience_epochs=15, test_time_flip=True, outlier_share=0.1),
}


DEFAULT_PRESET = "cnn"


def preset_config(name: str) -> ClassifierConfig:
    """The config of a named preset (`ann` or `cnn`)."""
    if name not in PRESETS:
        raise LookbookError(f"unknown classifier preset {name!r} (choose one of: {', '.join(PRESETS)})")
    return PRESETS[name]
