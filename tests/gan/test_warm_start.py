"""`init_from`: a GAN run starts from another run's checkpoint, layer by layer, and says what it copied."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lookbook.errors import LookbookError
from lookbook.models.gan_config import GanConfig
from lookbook.run import checkpoint
from lookbook.train import presets
from lookbook.train.gan_trainer import build_dcgan
from lookbook.train.gan_warm_start import plan_warm_start, warm_start
from tests.gan.conftest import TINY_MODEL, TINY_QUICK, run_cli

CATEGORIES = ["jeans", "sports_shoes", "tshirt"]


@pytest.fixture(scope="module")
def source(tiny_data, tmp_path_factory) -> Path:
    """A finished 2-step tiny modern run (no AC-GAN head) to start from."""
    run = tmp_path_factory.mktemp("warm") / "source"
    proc = run_cli(
        "train", "gan", "--data", tiny_data, "--run", run, "--preset", "modern",
        "--set", "image_size_px=32", *TINY_MODEL, "--set", "batch_size=24", "--set", "epochs=1",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    return run


def tiny_modern(**changes) -> GanConfig:
    base = presets.MODERN.replace(image_size_px=32, g_base_width=8, d_base_width=8, noise_dim=16, batch_size=24)
    return base.replace(**changes)


def test_same_recipe_copies_every_layer_and_resets_the_ema(source):
    config = tiny_modern(init_from=str(source))
    import tensorflow as tf

    model = build_dcgan(config, 3, 10, tf.distribute.get_strategy())
    lines: list[str] = []
    warm_start(model, plan_warm_start(config.init_from, config, CATEGORIES), 3, lines.append)
    saved = checkpoint.load(source).groups
    for name, variables in (("generator", model.generator.variables), ("discriminator", model.discriminator.variables)):
        for array, variable in zip(saved[name], variables, strict=True):
            np.testing.assert_array_equal(array, variable.numpy())
    for ema, variable in zip(model.ema_weights, model.generator.trainable_variables, strict=True):
        np.testing.assert_array_equal(ema.numpy(), variable.numpy())
    assert len(lines) == 1 and "warm start from source (step 2)" in lines[0] and "fresh" not in lines[0]


def test_a_new_aux_head_starts_fresh_and_the_run_trains(source, tiny_data, tmp_path):
    run = tmp_path / "tuned"
    proc = run_cli(
        "train", "gan", "--data", tiny_data, "--run", run, "--preset", "modern",
        "--set", "image_size_px=32", *TINY_MODEL, "--set", "batch_size=24", "--set", "epochs=1",
        "--set", "aux_class_weight=0.5", "--set", f"init_from={source}",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = next(x for x in proc.stderr.splitlines() if x.startswith("warm start from source (step 2)"))
    g_part, d_part = line.split("; ")
    assert "fresh" not in g_part  # the generator is the same architecture
    assert "fresh: " in d_part  # the AC-GAN head is new
    copied, total = d_part.split()[1].split("/")
    assert 0 < int(copied) < int(total)


def test_per_class_batch_norm_starts_every_class_as_the_shared_norm(source):
    config = tiny_modern(init_from=str(source), g_conditioning="batchnorm")
    import tensorflow as tf

    plan = plan_warm_start(config.init_from, config, CATEGORIES)
    model = build_dcgan(config, 3, 10, tf.distribute.get_strategy())
    lines: list[str] = []
    warm_start(model, plan, 3, lines.append)
    assert "generator" in lines[0] and "fresh" not in lines[0].split("; ")[0]
    shared = build_dcgan(plan.config, 3, 10, tf.distribute.get_strategy()).generator
    checkpoint.restore({"generator": shared.variables}, {"generator": plan.ckpt.groups["generator"]})
    noise = np.random.default_rng(0).normal(size=(6, config.noise_dim)).astype("float32")
    labels = np.array([0, 1, 2, 0, 1, 2], dtype="int32")
    np.testing.assert_allclose(
        model.generator([noise, labels], training=False), shared([noise, labels], training=False), atol=1e-5
    )


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"image_size_px": 64}, "init_from makes 32 px images, this run 64 px"),
        ({"include_categories": ("jeans", "tshirt")}, "init_from was trained on other categories (3 vs 2)"),
    ],
)
def test_a_source_that_cannot_fit_is_a_one_line_error(source, changes, message):
    config = tiny_modern(init_from=str(source), **changes)
    categories = list(changes.get("include_categories", CATEGORIES))
    with pytest.raises(LookbookError, match=message.replace("(", r"\(").replace(")", r"\)")):
        plan_warm_start(config.init_from, config, categories)


def test_a_folder_without_a_checkpoint_is_refused_before_training(tiny_data, tmp_path):
    proc = run_cli(
        "train", "gan", "--data", tiny_data, "--run", tmp_path / "run", *TINY_QUICK,
        "--set", f"init_from={tmp_path / 'nothing'}",
    )  # fmt: skip
    assert proc.returncode != 0
    assert f"init_from: {tmp_path / 'nothing'} holds no GAN checkpoint to start from" in proc.stderr
    assert not (tmp_path / "run" / "status.json").exists()
