"""Unit tests of the GAN models: shapes, conditioning, safe-mode reload, spectral norm, losses, DiffAugment, train step, EMA."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from lookbook.errors import LookbookError
from lookbook.models import artifacts, gan
from lookbook.models.augment import diff_augment
from lookbook.models.gan_config import GanConfig
from lookbook.train.presets import CS230


def tiny(**changes) -> GanConfig:
    return GanConfig(image_size_px=32, noise_dim=16, g_base_width=8, d_base_width=8, **changes)


def noise(n: int, dim: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


@pytest.mark.parametrize("size", [32, 64, 128])
def test_generator_and_discriminator_shapes(size):
    cfg = GanConfig(image_size_px=size, noise_dim=16, g_base_width=4, d_base_width=4)
    g, d = gan.build_generator(cfg), gan.build_discriminator(cfg)
    images = np.asarray(g(noise(3, 16), training=False))
    assert images.shape == (3, size, size, 3)
    assert images.min() >= -1.0 and images.max() <= 1.0
    assert d(images, training=False).shape == (3, 1)
    assert g.input_shape == (None, 16) and d.input_shape == (None, size, size, 3)


def test_cs230_architecture_widths():
    assert gan.generator_widths(CS230) == [512, 256, 128, 64]
    assert gan.discriminator_widths(CS230) == [64, 128, 256, 512]
    g = gan.build_generator(CS230)
    assert g.get_layer("project").output.shape[-1] == 4 * 4 * 512
    assert g.get_layer("to_rgb").kernel.shape == (5, 5, 3, 64)  # Conv2DTranspose kernel: (k, k, out, in)
    assert g.get_layer("up1_bn").epsilon == pytest.approx(8e-5)


def test_max_width_caps_128px_models():
    cfg = GanConfig(image_size_px=128, max_width=256)
    assert max(gan.generator_widths(cfg)) == 256 and max(gan.discriminator_widths(cfg)) == 256


@pytest.mark.parametrize(
    "conditioning, g_conditioning", [("projection", "input"), ("input", "input"), ("projection", "batchnorm")]
)
def test_conditional_shapes_and_labels_matter(conditioning, g_conditioning):
    keras.utils.set_random_seed(0)
    cfg = tiny(conditional=True, d_conditioning=conditioning, g_conditioning=g_conditioning)
    g, d = gan.build_generator(cfg, n_classes=3), gan.build_discriminator(cfg, n_classes=3)
    z = np.repeat(noise(1, 16), 3, axis=0)
    labels = np.array([0, 1, 2], np.int32)
    images = np.asarray(g([z, labels], training=False))
    assert images.shape == (3, 32, 32, 3)
    assert not np.allclose(images[0], images[1])  # same noise, different class -> different image
    same = np.repeat(images[:1], 3, axis=0)
    logits = np.asarray(d([same, labels], training=False))
    assert logits.shape == (3, 1)
    assert not np.allclose(logits[0], logits[1], rtol=1e-3, atol=0)  # a fresh D scores ~1e-7: compare relatively


@pytest.mark.parametrize("n_classes, g_conditioning", [(0, "input"), (3, "input"), (3, "batchnorm")])
def test_generator_reloads_in_safe_mode_with_identical_outputs(tmp_path, n_classes, g_conditioning):
    cfg = tiny(conditional=bool(n_classes), g_conditioning=g_conditioning)
    g = gan.build_generator(cfg, n_classes)
    categories = ["jeans", "sports_shoes", "tshirt"] if n_classes else None
    meta = {"kind": "generator", "image_size_px": 32, "noise_dim": 16, "categories": categories, "config": cfg.to_dict()}
    path = artifacts.save_model(g, tmp_path / artifacts.GENERATOR_FILE, meta)
    loaded = keras.saving.load_model(path, safe_mode=True)  # no custom objects
    z = noise(4, 16)
    inputs = [z, np.array([0, 1, 2, 0], np.int32)] if n_classes else z
    np.testing.assert_array_equal(np.asarray(g(inputs, training=False)), np.asarray(loaded(inputs, training=False)))
    handle = artifacts.load_generator(tmp_path)
    assert handle.noise_dim == 16 and handle.image_size_px == 32 and handle.categories == categories
    sampled = handle.sample([0, 1], ["jeans", "tshirt"] if n_classes else None)
    assert sampled.shape == (2, 32, 32, 3) and sampled.dtype == np.uint8
    assert json.loads((tmp_path / "generator.json").read_text())["kind"] == "generator"


def test_spectral_dense_converges_to_unit_spectral_norm():
    layer = gan.SpectralDense(6, kernel_initializer=keras.initializers.RandomNormal(stddev=3.0, seed=1))
    x = np.ones((2, 10), np.float32)
    layer(x)
    for _ in range(30):  # one power iteration per training call
        layer(x, training=True)
    normalised = np.asarray(gan._spectral_normalize(layer.kernel, layer.sn_u, False))
    assert np.linalg.svd(normalised, compute_uv=False)[0] == pytest.approx(1.0, abs=1e-3)
    assert np.linalg.svd(np.asarray(layer.kernel), compute_uv=False)[0] > 5  # the raw kernel is untouched


def test_spectral_conv_output_uses_normalised_kernel():
    layer = gan.SpectralConv2D(4, 3, padding="same", use_bias=False)
    x = np.random.default_rng(0).standard_normal((1, 8, 8, 2)).astype(np.float32)
    out = np.asarray(layer(x, training=False))
    sigma_scaled = np.asarray(keras.ops.conv(x, gan._spectral_normalize(layer.kernel, layer.sn_u, False), padding="same"))
    np.testing.assert_allclose(out, sigma_scaled, rtol=1e-5, atol=1e-6)


def test_losses_match_hand_values():
    zero = tf.zeros(2)
    np.testing.assert_allclose(gan.d_loss_per_example(zero, zero, "bce"), [2 * np.log(2)] * 2, rtol=1e-6)
    np.testing.assert_allclose(gan.g_loss_per_example(zero, "bce"), [np.log(2)] * 2, rtol=1e-6)
    real, fake = tf.constant([2.0, 0.5]), tf.constant([-2.0, 0.0])
    np.testing.assert_allclose(gan.d_loss_per_example(real, fake, "hinge"), [0.0, 0.5 + 1.0])
    np.testing.assert_allclose(gan.g_loss_per_example(fake, "hinge"), [2.0, 0.0])
    # one-sided label smoothing: BCE against a 0.9 target for the real logit only
    logit = 1.3
    expected = -(0.9 * np.log(1 / (1 + np.exp(-logit))) + 0.1 * np.log(1 - 1 / (1 + np.exp(-logit)))) + np.log(2)
    got = gan.d_loss_per_example(tf.constant([logit]), tf.constant([0.0]), "bce", label_smoothing=0.1)
    np.testing.assert_allclose(got, [expected], rtol=1e-5)


class TestDiffAugment:
    x = np.random.default_rng(0).uniform(-1, 1, (4, 16, 16, 3)).astype(np.float32)
    seed = tf.constant([3, 4], tf.int64)
    policy = ("color", "translation", "cutout")

    def test_deterministic_per_seed(self):
        a = diff_augment(self.x, self.policy, self.seed)
        b = diff_augment(self.x, self.policy, self.seed)
        c = diff_augment(self.x, self.policy, tf.constant([3, 5], tf.int64))
        np.testing.assert_array_equal(a, b)
        assert not np.allclose(a, c)
        assert diff_augment(self.x, (), self.seed) is self.x

    def test_replica_slice_matches_global_batch(self):
        whole = diff_augment(self.x, self.policy, self.seed)
        part = diff_augment(self.x[2:], self.policy, self.seed, row_start=2, global_batch=4)
        np.testing.assert_allclose(whole[2:], part, rtol=1e-6, atol=1e-6)

    def test_translation_moves_a_pixel_within_the_ratio(self):
        x = np.zeros((8, 16, 16, 3), np.float32)
        x[:, 8, 8, :] = 1.0
        out = np.asarray(diff_augment(x, ("translation",), self.seed))
        for img in out:
            ys, xs = np.nonzero(img[..., 0])
            assert len(ys) == 1 and abs(ys[0] - 8) <= 2 and abs(xs[0] - 8) <= 2  # 16 px * 0.125 = 2
        assert any(np.nonzero(img[..., 0])[0][0] != 8 or np.nonzero(img[..., 0])[1][0] != 8 for img in out)

    def test_cutout_erases_a_square_and_colour_changes_values(self):
        ones = np.ones((4, 16, 16, 3), np.float32)
        erased = np.asarray(diff_augment(ones, ("cutout",), self.seed))
        zero_share = (erased[..., 0] == 0).mean(axis=(1, 2))
        assert np.all(zero_share > 0.05) and np.all(zero_share <= 0.25 + 1e-6)  # at most an 8x8 square of 16x16
        coloured = np.asarray(diff_augment(self.x, ("color",), self.seed))
        assert coloured.shape == self.x.shape and not np.allclose(coloured, self.x)

    def test_is_differentiable(self):
        x = tf.Variable(self.x)
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(diff_augment(x, self.policy, self.seed))
        grad = tape.gradient(y, x)
        assert grad is not None and float(tf.reduce_sum(tf.abs(grad))) > 0


def _dcgan(cfg: GanConfig, n_classes: int = 0) -> gan.DCGAN:
    model = gan.DCGAN(
        gan.build_generator(cfg, n_classes),
        gan.build_discriminator(cfg, n_classes),
        cfg,
        n_classes=n_classes,
        instance_noise_steps=10,
    )
    opt = lambda lr: gan.build_optimizer(cfg.optimizer, lr, cfg.beta1, cfg.beta2, cfg.adam_epsilon)  # noqa: E731
    model.compile(d_optimizer=opt(cfg.d_lr), g_optimizer=opt(cfg.g_lr))
    return model


def _batches(cfg: GanConfig, n_classes: int, steps: int) -> tf.data.Dataset:
    n = 8 * cfg.d_steps * steps
    x = np.random.default_rng(1).uniform(-1, 1, (n, 32, 32, 3)).astype(np.float32)
    data = (x, np.arange(n, dtype=np.int32) % n_classes) if n_classes else x
    return tf.data.Dataset.from_tensor_slices(data).batch(8 * cfg.d_steps)


@pytest.mark.parametrize(
    "changes, n_classes",
    [
        ({}, 0),
        ({"update": "simultaneous", "optimizer": "rmsprop"}, 0),
        ({"optimizer": "sgd", "label_smoothing": 0.1, "instance_noise_std": 0.1, "d_dropout": 0.2}, 0),
        (
            {
                "spectral_norm": True,
                "loss": "hinge",
                "diffaugment": ("translation", "cutout"),
                "d_steps": 2,
                "d_batch_norm": True,
            },
            3,
        ),
        ({"aux_class_weight": 1.0, "d_batch_norm": True}, 3),
        ({"aux_class_weight": 0.5, "update": "simultaneous", "spectral_norm": True}, 3),
        ({"g_conditioning": "batchnorm", "minibatch_std": True, "d_batch_norm": True, "ema_decay": 0.9}, 3),
        ({"minibatch_std": True, "update": "simultaneous", "d_steps": 1}, 0),
        ({"mode_seeking_weight": 1.0, "aux_class_weight": 0.3, "g_conditioning": "batchnorm"}, 3),
        ({"mode_seeking_weight": 1.0}, 0),
        ({"aux_class_weight": 0.3, "aux_margin": 0.36, "g_conditioning": "batchnorm"}, 3),
    ],
)
def test_train_step_runs_and_counts_steps(changes, n_classes):
    cfg = tiny(conditional=bool(n_classes), **changes)
    model = _dcgan(cfg, n_classes)
    d_before = [np.array(v) for v in model.discriminator.trainable_variables]
    g_before = [np.array(v) for v in model.generator.trainable_variables]
    history = model.fit(_batches(cfg, n_classes, 2), epochs=1, verbose=0, shuffle=False)
    assert model.global_step == 2
    assert model.d_optimizer.iterations.numpy() == 2 * cfg.d_steps and model.g_optimizer.iterations.numpy() == 2
    for key in ("d_loss", "g_loss", "d_real", "d_fake") + (("d_class_acc",) if cfg.aux_class_weight else ()):
        assert np.isfinite(history.history[key][-1])
    assert ("d_class_acc" in history.history) == bool(cfg.aux_class_weight)
    assert ("g_spread" in history.history) == bool(cfg.mode_seeking_weight)
    assert any(not np.allclose(a, b) for a, b in zip(d_before, model.discriminator.trainable_variables))
    assert any(not np.allclose(a, b) for a, b in zip(g_before, model.generator.trainable_variables))


def test_ac_gan_head_learns_the_categories_of_real_images():
    """D's category head reaches clearly-above-chance accuracy on three easily told apart kinds of image."""
    cfg = tiny(conditional=True, aux_class_weight=1.0, d_batch_norm=True)
    model = _dcgan(cfg, n_classes=3)
    assert [o.shape[-1] for o in model.discriminator.outputs] == [1, 3]
    rng = np.random.default_rng(0)
    labels = np.arange(240, dtype=np.int32) % 3
    x = np.stack([np.full((32, 32, 3), (-0.8, 0.0, 0.8)[k], np.float32) for k in labels])
    x += rng.normal(0, 0.1, x.shape).astype(np.float32)
    data = tf.data.Dataset.from_tensor_slices((x, labels)).batch(8)
    history = model.fit(data, epochs=3, verbose=0, shuffle=False)
    assert history.history["d_class_acc"][-1] > 0.8


def test_mode_seeking_term_pairs_rows_and_pays_for_alike_images():
    """Row i and row i + half ask for one category; each pair pays 1 / (image distance / noise distance), an odd
    row pays nothing, and the tracker records the mean spread."""
    np.testing.assert_array_equal(gan._paired(tf.constant([4, 7, 1, 2, 9])).numpy(), [4, 7, 4, 7, 9])
    model = _dcgan(tiny(conditional=True, mode_seeking_weight=1.0), n_classes=3)
    z = noise(5, 16)
    fake = np.random.default_rng(2).uniform(-1, 1, (5, 32, 32, 3)).astype(np.float32)
    fake[3] = fake[1] + 0.01  # the second pair is nearly one image: it pays far more
    term = model._mode_seeking(tf.constant(z), tf.constant(fake)).numpy()
    spread = np.abs(fake[:2] - fake[2:4]).mean(axis=(1, 2, 3)) / np.abs(z[:2] - z[2:4]).mean(axis=1)
    np.testing.assert_allclose(term, [*(1 / (spread + 1e-5)), *(1 / (spread + 1e-5)), 0.0], rtol=1e-5)
    assert term[1] > 20 * term[0]
    assert model.g_spread_tracker.result().numpy() == pytest.approx(spread.mean(), rel=1e-5)


def test_mode_seeking_needs_alternating_updates():
    with pytest.raises(LookbookError, match="mode_seeking_weight needs update=alternating"):
        tiny(mode_seeking_weight=1.0, update="simultaneous").validate()


def test_aux_margin_stops_pushing_fakes_d_already_names():
    """With a margin G's class term is a hinge on D's cross-entropy: zero for a fake D names surely enough, the plain
    term less the margin for one it does not; without a margin it never stops."""
    labels = tf.constant([0, 1])
    classes = tf.constant([[6.0, 0.0, 0.0], [0.0, 0.0, 2.0]])  # fake 0 named surely, fake 1 named as category 2
    logits = tf.zeros([2])
    ce = gan._class_loss(labels, classes).numpy()
    plain = _dcgan(tiny(conditional=True, aux_class_weight=0.5), n_classes=3)
    hinged = _dcgan(tiny(conditional=True, aux_class_weight=0.5, aux_margin=0.36), n_classes=3)
    base = gan.g_loss_per_example(logits, "bce").numpy()
    np.testing.assert_allclose(plain._g_loss(logits, classes, labels).numpy(), base + 0.5 * ce, rtol=1e-6)
    hinge = np.array([0.0, ce[1] - 0.36])
    np.testing.assert_allclose(hinged._g_loss(logits, classes, labels).numpy(), base + 0.5 * hinge, rtol=1e-6)
    assert ce[0] < 0.36 < ce[1]


def test_aux_margin_needs_the_ac_gan_head():
    with pytest.raises(LookbookError, match="aux_margin needs aux_class_weight"):
        tiny(conditional=True, aux_margin=0.36).validate()


def test_ac_gan_needs_a_conditional_model():
    with pytest.raises(LookbookError, match="aux_class_weight needs conditional"):
        tiny(aux_class_weight=1.0).validate()


def test_class_batch_norm_starts_as_plain_batch_norm_and_needs_a_class():
    """Per-class scales start at 1 and shifts at 0; each BN layer has its own pair of class tables."""
    cfg = tiny(conditional=True, g_conditioning="batchnorm")
    g = gan.build_generator(cfg, n_classes=3)
    scales = [layer for layer in g.layers if layer.name.endswith("_class_scale")]
    shifts = [layer for layer in g.layers if layer.name.endswith("_class_shift")]
    assert len(scales) == len(shifts) == len(gan.generator_widths(cfg))
    assert all(np.all(np.asarray(s.embeddings) == 1) for s in scales)
    assert all(np.all(np.asarray(s.embeddings) == 0) for s in shifts)
    assert not g.get_layer("project_bn").center and not g.get_layer("project_bn").scale
    with pytest.raises(LookbookError, match="g_conditioning=batchnorm needs conditional"):
        tiny(g_conditioning="batchnorm").validate()


def test_minibatch_std_feature_measures_the_spread_of_each_group():
    layer = gan.MinibatchStdDev(group_size=4)
    same = np.repeat(np.random.default_rng(0).standard_normal((1, 4, 4, 3)), 8, axis=0).astype(np.float32)
    assert np.asarray(layer(same))[..., -1].max() < 1e-3  # eight identical images: no spread
    varied = np.random.default_rng(1).standard_normal((8, 4, 4, 3)).astype(np.float32)
    out = np.asarray(layer(varied))
    assert out.shape == (8, 4, 4, 4)
    np.testing.assert_array_equal(out[..., :3], varied)  # the features pass through
    spread = out[:, 0, 0, 3]
    assert spread.min() > 0.3
    # groups interleave (rows m, m + 2, m + 4, m + 6 form group member m): one figure per member, constant per map
    np.testing.assert_allclose(spread[0::2], spread[0])
    np.testing.assert_allclose(spread[1::2], spread[1])
    assert np.ptp(out[..., 3], axis=(1, 2)).max() == 0
    odd = np.asarray(layer(varied[:5]))  # 5 does not divide by 4: one group, the whole batch
    np.testing.assert_allclose(odd[:, 0, 0, 3], odd[0, 0, 0, 3])


def test_minibatch_std_sits_before_the_last_discriminator_conv():
    cfg = tiny(minibatch_std=True)
    d = gan.build_discriminator(cfg)
    last = f"down{len(gan.discriminator_widths(cfg))}"
    assert d.get_layer(last).kernel.shape[2] == gan.discriminator_widths(cfg)[-2] + 1
    assert d(np.zeros((2, 32, 32, 3), np.float32)).shape == (2, 1)


def test_mixed_precision_trains_in_bfloat16_and_exports_float32():
    cfg = tiny(conditional=True, spectral_norm=True, loss="hinge", ema_decay=0.9, mixed_precision=True)
    with gan.compute_dtype(True):
        model = _dcgan(cfg, n_classes=3)
    assert model.generator.get_layer("up1").compute_dtype == "bfloat16"
    assert model.generator.output.dtype == "float32" and model.discriminator.output.dtype == "float32"
    assert all(v.dtype == "float32" for v in model.generator.trainable_variables)
    history = model.fit(_batches(cfg, 3, 2), epochs=1, verbose=0, shuffle=False)
    assert all(np.isfinite(history.history[k][-1]) for k in ("d_loss", "g_loss"))
    sampler = model.export_generator(gan.build_generator(cfg, 3, name="sampler"), recalibrate_batches=2, batch_size=16)
    assert sampler.get_layer("up1").compute_dtype == "float32"
    out = np.asarray(sampler([noise(2, 16), np.array([0, 2], np.int32)]))
    assert out.dtype == np.float32 and np.abs(out).max() <= 1


def test_ema_follows_weights_and_export_recalibrates_batch_norm():
    cfg = tiny(ema_decay=0.9)
    model = _dcgan(cfg)
    model.fit(_batches(cfg, 0, 3), epochs=1, verbose=0, shuffle=False)
    live = model.generator.trainable_variables
    ema = model.ema_weights
    assert len(ema) == len(live)
    assert any(not np.allclose(e, w) for e, w in zip(ema, live))  # lags the weights...
    assert all(np.abs(np.asarray(e) - np.asarray(w)).max() < 0.05 for e, w in zip(ema, live))  # ...but not by much
    sampler = gan.build_generator(cfg, name="sampler")
    model.export_generator(sampler, recalibrate_batches=4, batch_size=64)
    for dst, src in zip(sampler.trainable_variables, ema):
        np.testing.assert_array_equal(dst, src)
    # The first batch norm's moving mean is now the mean of its input over the recalibration noise.
    project = keras.Model(sampler.input, sampler.get_layer("to_4x4").output)
    rng = np.random.default_rng([cfg.seed, 7])
    zs = np.concatenate([rng.standard_normal((64, 16)).astype(np.float32) for _ in range(4)])
    expected = np.asarray(project(zs)).mean(axis=(0, 1, 2))
    np.testing.assert_allclose(sampler.get_layer("project_bn").moving_mean, expected, rtol=1e-3, atol=1e-5)


def test_export_without_ema_copies_the_live_generator_exactly():
    cfg = tiny()
    model = _dcgan(cfg)
    model.fit(_batches(cfg, 0, 1), epochs=1, verbose=0, shuffle=False)
    sampler = model.export_generator(gan.build_generator(cfg, name="sampler"))
    for dst, src in zip(sampler.variables, model.generator.variables):
        np.testing.assert_array_equal(dst, src)
