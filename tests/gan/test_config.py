"""GanConfig and presets: the cs230 recipe exactly, every preset valid, overrides, bad values, resume rules."""

from __future__ import annotations

import dataclasses
import inspect
import json

import pytest

from lookbook.errors import LookbookError
from lookbook.models.gan_config import RESUME_LOCKED, GanConfig, stored_config
from lookbook.train import presets
from lookbook.train.gan_trainer import config_for_run


def test_cs230_is_the_original_recipe():
    cfg = presets.gan_preset("cs230")
    assert (cfg.optimizer, cfg.g_lr, cfg.d_lr, cfg.beta1) == ("adam", 1e-4, 1e-4, 0.3)
    assert (cfg.batch_size, cfg.noise_dim, cfg.init_std, cfg.loss, cfg.epochs) == (64, 90, 0.02, "bce", 400)
    assert cfg.bn_epsilon == 8e-5  # the report's "epsilon"
    assert cfg.image_size_px == 64 and (cfg.g_base_width, cfg.d_base_width) == (64, 64)
    assert not (cfg.spectral_norm or cfg.conditional or cfg.diffaugment or cfg.ema_decay or cfg.label_smoothing)


def test_plain_is_the_keras_io_baseline():
    cfg = presets.gan_preset("plain")
    assert (cfg.optimizer, cfg.g_lr, cfg.d_lr, cfg.beta1, cfg.loss) == ("adam", 2e-4, 2e-4, 0.5, "bce")
    assert not (cfg.spectral_norm or cfg.diffaugment or cfg.ema_decay)


@pytest.mark.parametrize("name", presets.preset_names())
def test_every_preset_is_valid_and_round_trips(name):
    cfg = presets.gan_preset(name)
    cfg.validate()
    assert GanConfig.from_dict(json.loads(json.dumps(cfg.to_dict()))) == cfg
    assert presets.PRESET_NOTES[name]


def test_modern_is_the_measured_small_data_recipe():
    cfg = presets.gan_preset("modern")
    assert cfg.conditional and cfg.d_batch_norm and cfg.loss == "bce" and cfg.ema_decay > 0
    assert (cfg.g_base_width, cfg.d_base_width, cfg.image_size_px) == (32, 32, 64)
    assert presets.gan_preset("quick").image_size_px == 32
    assert presets.DEFAULT_PRESET in presets.PRESETS


def test_unknown_preset_is_one_line_error():
    with pytest.raises(LookbookError, match=r"unknown GAN preset 'fancy'.*cs230"):
        presets.gan_preset("fancy")


def test_every_field_has_a_comment():
    source = inspect.getsource(GanConfig)
    for f in dataclasses.fields(GanConfig):
        line = next(x for x in source.splitlines() if x.strip().startswith(f"{f.name}:"))
        assert "#" in line, f"{f.name} has no comment"


def test_overrides_parse_by_type():
    cfg = presets.gan_preset("cs230").with_overrides(
        ["g_lr=3e-4", "conditional=true", "diffaugment=color,cutout", "epochs=5", "include_categories=jeans,tshirt"]
    )
    assert cfg.g_lr == 3e-4 and cfg.conditional is True and cfg.epochs == 5
    assert cfg.diffaugment == ("color", "cutout") and cfg.include_categories == ("jeans", "tshirt")
    assert cfg.with_overrides(["diffaugment="]).diffaugment == ()


@pytest.mark.parametrize(
    "assignment, message",
    [
        ("g_lr=-1e-4", "g_lr must be a positive"),
        ("d_lr=0", "d_lr must be a positive"),
        ("image_size_px=48", "image_size_px must be one of"),
        ("batch_size=1", "batch_size must be at least 2"),
        ("beta1=1.5", "beta1 must be in"),
        ("loss=wasserstein", "loss must be one of"),
        ("optimizer=adagrad", "optimizer must be one of"),
        ("diffaugment=color,blur", "unknown policy blur"),
        ("ema_decay=1", "ema_decay must be in"),
        ("epochs=0", "epochs must be at least 1"),
        ("epochs=two", "epochs must be int"),
        ("d_steps=2", "d_steps > 1 needs update=alternating"),
        ("label_smoothing=0.1", None),  # fine with bce
        ("eval_every_epochs=5", "needs eval_classifier"),
        ("no_such_key=1", "unknown setting 'no_such_key'"),
        ("g_lr", "expects key=value"),
    ],
)
def test_bad_values_are_one_line_errors(assignment, message):
    base = presets.gan_preset("cs230")  # simultaneous updates, bce
    if message is None:
        base.with_overrides([assignment])
        return
    with pytest.raises(LookbookError, match=message) as info:
        base.with_overrides([assignment])
    assert "\n" not in str(info.value)


def test_label_smoothing_rejected_with_hinge():
    with pytest.raises(LookbookError, match="bce loss only"):
        presets.gan_preset("modern").with_overrides(["loss=hinge", "label_smoothing=0.1"])


def _stored_run(tmp_path, cfg: GanConfig, preset: str = "quick"):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(
        json.dumps({"kind": "gan", **cfg.to_dict(), "preset": preset, "data": "/x", "categories": []})
    )
    (run / "checkpoint.npz").write_bytes(b"placeholder")
    return run


def test_config_for_run_uses_preset_or_default(tmp_path):
    cfg, name = config_for_run(tmp_path / "new", "cs230", ["epochs=3"])
    assert name == "cs230" and cfg == presets.CS230.replace(epochs=3)
    assert config_for_run(tmp_path / "new")[1] == presets.DEFAULT_PRESET


def test_resume_keeps_stored_config_and_allows_safe_changes(tmp_path):
    stored = presets.QUICK.replace(g_lr=3e-4)
    run = _stored_run(tmp_path, stored)
    cfg, name = config_for_run(run, None, ["epochs=50", "log_every_steps=5"], resume=True)
    assert name == "quick" and cfg == stored.replace(epochs=50, log_every_steps=5)
    assert config_for_run(run, "quick", [], resume=True)[0] == stored  # the launcher passes the preset again


@pytest.mark.parametrize("assignment", ["noise_dim=32", "batch_size=48", "conditional=false", "seed=3"])
def test_resume_refuses_changes_to_model_or_streams(tmp_path, assignment):
    # without the options that need a class (so conditional=false is a valid config, refused only for the resume)
    run = _stored_run(tmp_path, presets.QUICK.replace(aux_class_weight=0.0, g_conditioning="input"))
    assert assignment.split("=")[0] in RESUME_LOCKED
    with pytest.raises(LookbookError, match=r"cannot change .* when resuming"):
        config_for_run(run, None, [assignment], resume=True)


def test_resume_refuses_another_preset_and_missing_checkpoint(tmp_path):
    run = _stored_run(tmp_path, presets.QUICK)
    with pytest.raises(LookbookError, match="was started with preset 'quick'"):
        config_for_run(run, "cs230", [], resume=True)
    with pytest.raises(LookbookError, match="no checkpoint"):
        config_for_run(tmp_path / "empty", None, [], resume=True)


def test_stored_config_ignores_run_facts():
    cfg = stored_config({"kind": "gan", **presets.CS230.to_dict(), "data": "/d", "categories": ["jeans"], "n_train_images": 3})
    assert cfg == presets.CS230


def test_progress_line_counts_down_the_time_budget_not_the_epochs():
    """A run of 1,000 epochs with a 10-minute budget: the ETA and the bar follow the budget."""
    import io
    import time
    from types import SimpleNamespace

    from lookbook.train.callbacks import ProgressReporter

    session = SimpleNamespace(
        last_row={"images_per_s": 200.0},
        start_step=0,
        final_step=83_000,
        t_start=time.monotonic() - 300.0,
        config=GanConfig(epochs=1000, max_minutes=10.0),
        wall_time_s=lambda: 300.0,
        epoch_of=lambda step: 1 + step // 83,
        loss_keys=("d_loss", "g_loss"),
    )
    line = ProgressReporter(session, stream=io.StringIO()).line(1_000, {"d_loss": 0.5, "g_loss": 2.0})
    assert line.endswith("ETA 5m00s"), line
    assert line.startswith("[##########          ]")
