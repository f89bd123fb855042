"""The Training page's settings form as data (no Streamlit): which widget edits each config field, within which limits,
and how the form's values become the same validated config the CLI builds (`preset.replace(**values)`).

Every field of GanConfig / ClassifierConfig gets a widget: the ones listed here with hand-picked limits (the
original project's tuning ranges where it had them), any other by its type, so a field added to a config shows up.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re
import shlex
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from lookbook import paths
from lookbook.config import Config
from lookbook.errors import LookbookError
from lookbook.models.augment import POLICIES
from lookbook.train import launcher

Widget = typing.Literal["steps", "slider", "number", "toggle", "choice", "multi", "list", "select", "text"]

# Value ladders for the log-scale select sliders (the preset's own value is added when it is not on the ladder).
LR_STEPS = (1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 3e-4, 4e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 0.1, 0.2, 0.5, 1.0, 2.0)
EPSILON_STEPS = (1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 8e-5, 1e-4, 2e-4, 5e-4, 1e-3)
ADAM_EPSILON_STEPS = (1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3)
INIT_STD_STEPS = (0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2)
EMA_STEPS = (0.0, 0.99, 0.995, 0.999, 0.9995, 0.9999)
WIDTH_STEPS = (8, 16, 24, 32, 48, 64, 96, 128, 256)
WEIGHT_DECAY_STEPS = (0.0, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 1e-2)
_RUN_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
MORE_SETTINGS = "More settings"


@dataclass(frozen=True)
class Field:
    """One config field's widget: kind, limits (extended to take in the preset's value) and optional help."""

    name: str
    label: str
    widget: Widget
    options: tuple[Any, ...] = ()  # steps / choice / multi / select / list
    low: float | None = None  # slider / number
    high: float | None = None
    step: float | None = None
    fmt: str | None = None  # printf format of a number widget
    help: str = ""  # shown before the field's own comment in the config class
    off_label: str | None = None  # how a 0 on a value ladder is shown ("off", "auto")


@dataclass(frozen=True)
class Group:
    """Fields shown together; `main` groups are side by side, the others in a collapsed expander each."""

    title: str
    fields: tuple[Field, ...]
    main: bool = True


# Fields whose options come from the chosen dataset or the models on disk (filled in by the page).
DYNAMIC_OPTIONS = ("image_size_px", "include_categories", "eval_classifier")

GAN_GROUPS: tuple[Group, ...] = (
    Group(
        "Model",
        (
            Field("image_size_px", "Image size (px)", "select", help="Sizes this dataset has a cache for."),
            Field("noise_dim", "Noise size", "slider", low=10, high=150, step=1, help="Original tuning range 10–150."),
            Field("kernel_size_px", "Kernel size (px)", "slider", low=2, high=7, step=1),
            Field("init_std", "Init std", "steps", options=INIT_STD_STEPS),
            Field(
                "bn_epsilon",
                "Batch-norm epsilon",
                "steps",
                options=EPSILON_STEPS,
                help='The report\'s "epsilon 8e-5"; original tuning range 1e-6–1e-3.',
            ),
            Field("g_base_width", "G width", "steps", options=WIDTH_STEPS),
            Field("d_base_width", "D width", "steps", options=WIDTH_STEPS),
            Field("conditional", "Class-conditional", "toggle"),
            Field(
                "g_conditioning",
                "G class conditioning",
                "choice",
                help="Class-conditional runs only. input: the class joins the noise; batchnorm: every batch norm also "
                "gets the class's own scale and shift.",
            ),
        ),
    ),
    Group(
        "Optimisation",
        (
            Field("optimizer", "Optimizer", "choice"),
            Field("loss", "Loss", "choice"),
            Field("g_lr", "G learning rate", "steps", options=LR_STEPS, help="Original tuning range 1e-5–2."),
            Field("d_lr", "D learning rate", "steps", options=LR_STEPS, help="Original tuning range 1e-5–2."),
            Field(
                "adam_epsilon",
                "Adam epsilon",
                "steps",
                options=ADAM_EPSILON_STEPS,
                help="The optimiser's numerical floor, one of the original's tuned knobs.",
            ),
            Field(
                "beta1",
                "Beta1",
                "slider",
                low=0.0,
                high=0.99,
                step=0.01,
                help="The original tuned 1e-5–2; Adam needs a value below 1.",
            ),
            Field("batch_size", "Batch size", "slider", low=10, high=128, step=1, help="Original tuning range 10–128."),
            Field(
                "epochs",
                "Epochs",
                "number",
                low=1,
                high=1000,
                step=1,
                help="The original tuned 30–300; a few epochs make a quick demo.",
            ),
            Field(
                "max_minutes",
                "Time budget (minutes)",
                "number",
                low=0.0,
                high=10000.0,
                step=5.0,
                help="Ends the run as finished after this much training time (0 = no budget): compare recipes fairly.",
            ),
            Field("lr_schedule", "Learning-rate schedule", "choice"),
        ),
    ),
    Group(
        "Small-data tricks",
        (
            Field("diffaugment", "Augmentation (DiffAugment)", "multi", options=POLICIES),
            Field("ema_decay", "Generator EMA", "steps", options=EMA_STEPS, off_label="off"),
            Field("spectral_norm", "Spectral norm in D", "toggle"),
            Field("label_smoothing", "Label smoothing", "slider", low=0.0, high=0.45, step=0.05),
            Field("instance_noise_std", "Instance noise std", "slider", low=0.0, high=1.0, step=0.05),
            Field("minibatch_std", "Minibatch std in D", "toggle"),
            Field(
                "aux_class_weight",
                "AC-GAN class loss",
                "slider",
                low=0.0,
                high=2.0,
                step=0.1,
                help="Class-conditional runs only: D learns to name the category, G to make it nameable. "
                "It can collapse each category to one image: evaluate within-class diversity during training.",
            ),
            Field(
                "aux_margin",
                "AC-GAN margin",
                "slider",
                low=0.0,
                high=2.0,
                step=0.05,
                help="With the AC-GAN class loss on: G stops being pushed once D names a garment's category with "
                "probability exp(-margin) (0.36: 0.7). It spares categories the head already gets right; it also "
                "slackens the push on hard ones (checkpoints/README.md). 0 = the plain AC-GAN term.",
            ),
            Field(
                "mode_seeking_weight",
                "Mode seeking",
                "slider",
                low=0.0,
                high=2.0,
                step=0.1,
                help="G pays when two noises of one category give alike images (MSGAN): against the collapse "
                "the AC-GAN class loss can cause. Keep it small: on product photos 0.3 and more buy variety with "
                "noise and grey backgrounds, not with other garments (checkpoints/README.md).",
            ),
        ),
    ),
    Group(
        "Quality metrics during training",
        (
            Field("eval_every_epochs", "Evaluate every (epochs)", "number", low=0, high=1000, step=1),
            Field("eval_classifier", "Judge with classifier", "select"),
            Field("eval_images", "Generated images per evaluation", "number", low=2, high=20000, step=100),
        ),
        main=False,
    ),
    Group(
        MORE_SETTINGS,
        (
            Field("include_categories", "Train on these categories only", "list", help="Empty: every garment category."),
            Field("beta2", "Beta2", "number", low=0.0, high=0.9999, step=0.001, fmt="%.4f"),
            Field("d_steps", "D steps per G step", "slider", low=1, high=10, step=1),
            Field("d_dropout", "D dropout", "slider", low=0.0, high=0.9, step=0.05),
            Field("bn_momentum", "Batch-norm momentum", "number", low=0.0, high=0.999, step=0.01, fmt="%.3f"),
            Field("max_width", "Max width", "steps", options=(64, 128, 256, 512, 1024, 2048)),
            Field("sample_grid_size", "Sample grid columns", "slider", low=1, high=16, step=1),
            Field("checkpoint_every_minutes", "Checkpoint every (minutes)", "number", low=0.0, high=600.0, step=1.0),
        ),
        main=False,
    ),
)

CLASSIFIER_GROUPS: tuple[Group, ...] = (
    Group(
        "Model",
        (
            Field("architecture", "Architecture", "choice"),
            Field("image_size_px", "Image size (px)", "select", off_label="auto"),
            Field("dropout", "Dropout", "slider", low=0.0, high=0.9, step=0.05),
            Field("hidden_units", "Dense widths (ann)", "text"),
            Field("conv_widths", "Conv widths (cnn)", "text"),
        ),
    ),
    Group(
        "Optimisation",
        (
            Field("learning_rate", "Learning rate", "steps", options=tuple(v for v in LR_STEPS if v <= 1.0)),
            Field("batch_size", "Batch size", "slider", low=10, high=128, step=1),
            Field("epochs", "Epochs", "number", low=1, high=1000, step=1),
            Field("patience_epochs", "Early-stopping patience (epochs)", "number", low=0, high=100, step=1),
            Field("schedule", "Schedule", "choice"),
            Field("weight_decay", "Weight decay", "steps", options=WEIGHT_DECAY_STEPS, off_label="0"),
        ),
    ),
    Group(
        "Data",
        (
            Field("label_column", "Predict", "select"),
            Field("class_weighting", "Class weighting", "choice"),
            Field("augment", "Augment training images", "toggle"),
            Field("max_minutes", "Time budget (minutes, 0 = none)", "number", low=0.0, high=10000.0, step=1.0),
        ),
    ),
    Group(MORE_SETTINGS, (), main=False),
)

GROUPS: dict[str, tuple[Group, ...]] = {"gan": GAN_GROUPS, "classifier": CLASSIFIER_GROUPS}


# the form -------------------------------------------------------------------------------------------
def config_class(kind: str) -> type[Config]:
    """GanConfig or ClassifierConfig."""
    return type(launcher.preset_config(kind)[1])


def preset_names(kind: str) -> list[str]:
    """The presets of a run kind, the trainer's default first."""
    if kind == "gan":
        from lookbook.train import presets

        names = presets.preset_names()
    else:
        from lookbook.models import classifier_config

        names = list(classifier_config.PRESETS)
    default = launcher.preset_config(kind)[0]
    return [default, *[n for n in names if n != default]]


def preset_note(kind: str, name: str) -> str:
    """One line on what a preset is."""
    if kind == "gan":
        from lookbook.train.presets import PRESET_NOTES

        return PRESET_NOTES.get(name, "")
    return {
        "ann": "the CS230 original: dense layers on flattened pixels, Adam 1e-4",
        "cnn": "the strong default: a small conv net with augmentation",
    }.get(name, "")


@functools.cache
def form_groups(kind: str) -> tuple[Group, ...]:
    """The groups of `kind`'s form; every config field not placed by hand joins "More settings" with a widget by type."""
    cls = config_class(kind)
    groups = list(GROUPS[kind])
    placed = {f.name for g in groups for f in g.fields}
    hints = typing.get_type_hints(cls)
    extra = tuple(generic_field(f.name, hints[f.name]) for f in dataclasses.fields(cls) if f.name not in placed)
    return tuple(dataclasses.replace(g, fields=g.fields + extra) if g.title == MORE_SETTINGS else g for g in groups)


def generic_field(name: str, hint: Any) -> Field:
    """A widget chosen from a field's type: toggle, choice (Literal), text (tuples), or a number box."""
    label = name.replace("_", " ").capitalize()
    origin = typing.get_origin(hint)
    if hint is bool:
        return Field(name, label, "toggle")
    if origin is typing.Literal:
        return Field(name, label, "choice")
    if origin in (tuple, list):
        args = typing.get_args(hint)
        inner = args[0] if args else str
        return Field(name, label, "multi") if typing.get_origin(inner) is typing.Literal else Field(name, label, "text")
    if hint is int:
        return Field(name, label, "number", low=0, step=1)
    if hint is float:
        return Field(name, label, "number", low=0.0, fmt="%g")
    return Field(name, label, "text")


@functools.cache
def field_docs(cls: type) -> dict[str, str]:
    """Each field's trailing `# comment` in the config class source: its unit and meaning, shown as widget help."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        try:
            source = inspect.getsource(klass)
        except (OSError, TypeError):
            continue
        for match in re.finditer(r"^\s+(\w+)\s*:[^=\n]+=[^#\n]*#\s*(.+)$", source, re.MULTILINE):
            docs[match.group(1)] = match.group(2).strip()
    return docs


def choices(kind: str, field: Field, base_value: Any, dynamic: Mapping[str, Sequence[Any]] | None = None) -> list[Any]:
    """The options of a choice-like field: its ladder plus the preset's value, its Literal values, or the page's list."""
    if field.name in (dynamic or {}):
        return list(dynamic[field.name])  # the dataset or the disk decides; the page picks a fallback when needed
    if field.options:
        options = list(field.options)
    else:
        hint = typing.get_type_hints(config_class(kind))[field.name]
        if typing.get_origin(hint) in (tuple, list):
            hint = typing.get_args(hint)[0]
        options = list(typing.get_args(hint)) if typing.get_origin(hint) is typing.Literal else []
    wanted = list(base_value) if isinstance(base_value, (list, tuple)) else [base_value]
    missing = [v for v in wanted if v not in options and v is not None]
    if missing:
        options += missing
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in options):
            options.sort()
    return options


def bounds(field: Field, value: Any) -> tuple[Any, Any]:
    """(low, high) of a slider or number box, widened to take in `value` (a preset may sit outside the usual range)."""
    low, high = field.low, field.high
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        low = value if low is not None and value < low else low
        high = value if high is not None and value > high else high
    return low, high


def widget_value(field: Field, value: Any) -> Any:
    """A config value as its widget holds it (tuples as lists, or as `a,b,c` text)."""
    if field.widget == "text" and isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if field.widget in ("multi", "list"):
        return list(value or ())
    return value


def build_config(base: Config, values: Mapping[str, Any]) -> Config:
    """The validated config the form describes: the preset with the form's values (what `--set` would make)."""
    return base.replace(**dict(values))


def changes(config: Config, base: Config) -> pd.DataFrame:
    """What differs from the preset: setting, preset value, chosen value (one row per changed field)."""
    rows = [
        {"setting": key, "preset": format_value(before), "yours": format_value(after)}
        for key, (after, before) in config.diff(base).items()
    ]
    return pd.DataFrame(rows, columns=["setting", "preset", "yours"])


def format_value(value: Any) -> str:
    """A config value for people: 1e-4 rather than 0.0001, lists joined by commas."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v) for v in value) or "none"
    if value == "":
        return "none"
    return str(value)


def format_number(value: float) -> str:
    """`8e-5`, `0.02`, `0.999`, `2`: short, and scientific below 1e-3."""
    if value != 0 and abs(value) < 1e-3:
        mantissa, exponent = f"{value:.2e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
    return f"{value:.6g}"


# runs ----------------------------------------------------------------------------------------------
def suggest_run_name(kind: str, preset: str, now: datetime | None = None) -> str:
    """`gan-quick-20240131-142501`: unique enough, sortable, and says what it is."""
    return f"{kind}-{preset}-{(now or datetime.now()):%Y%m%d-%H%M%S}"


def run_folder(name: str) -> Path:
    """`<runs root>/<name>` for a run started from the app; `name` must be a plain folder name."""
    name = name.strip()
    if not _RUN_NAME_RE.match(name):
        raise LookbookError(
            f"run name {name!r} must be a plain folder name: letters, digits, '.', '-' and '_', starting with a letter or digit"
        )
    return paths.writable_path(paths.runs_dir() / name)


def command_line(kind: str, data: str | Path, run: str | Path, preset: str | None, sets: Sequence[str]) -> str:
    """The shell command that starts the same run from a terminal in the repo folder."""
    cmd = launcher.train_command(kind, Path(paths.command_path(data)), Path(paths.command_path(run)), preset, sets)
    return shlex.join(["python", *cmd[1:]])


# sweeps --------------------------------------------------------------------------------------------------
def sweepable_fields(kind: str) -> dict[str, str]:
    """Settings a sweep can vary, by name, with their form labels: numbers, choices and switches (not paths or lists)."""
    hints = typing.get_type_hints(config_class(kind))
    out = {}
    for group in form_groups(kind):
        for field in group.fields:
            hint = hints.get(field.name)
            if field.name not in DYNAMIC_OPTIONS and (hint in (int, float, bool) or typing.get_origin(hint) is typing.Literal):
                out[field.name] = field.label
    return out


def is_numeric(kind: str, name: str) -> bool:
    """Whether a setting takes numbers (so a sweep can draw it from a range)."""
    return typing.get_type_hints(config_class(kind)).get(name) in (int, float)


def suggest_values(kind: str, name: str, base: Config) -> list[Any]:
    """Two or three values worth trying for a setting: the preset's and its neighbours on the form's ladder or choices."""
    value = getattr(base, name)
    field = next((f for g in form_groups(kind) for f in g.fields if f.name == name), None)
    options = choices(kind, field, value) if field is not None and field.widget in ("steps", "choice") else []
    if isinstance(value, bool):
        return [False, True]
    if options and value in options:
        i = options.index(value)
        return options[max(0, i - 1) : i + 2] if i + 1 < len(options) else options[-3:]
    if isinstance(value, (int, float)):
        return [value, value * 2] if value else [0, 1]
    return [value]


def grid_item(name: str, values: Sequence[Any]) -> str:
    """`key=v1,v2` for `python -m lookbook sweep --grid` (values written so they parse back to themselves)."""
    return f"{name}={','.join(launcher.format_value(v) for v in values)}"


def random_item(name: str, low: float, high: float, log: bool) -> str:
    """`key=lo..hi[:log]` for `python -m lookbook sweep --random`."""
    return f"{name}={low:g}..{high:g}{':log' if log else ''}"
