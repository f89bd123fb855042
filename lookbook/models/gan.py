"""DCGAN: generator and discriminator builders, and `DCGAN(keras.Model)` whose `train_step` drives `fit()`.

The generator uses built-in Keras layers only, so `generator.keras` loads in safe mode without custom objects.
The discriminator may use the spectral-normalised layers below; it is only ever stored in checkpoints.
Every random draw in a step is stateless, keyed by (seed, step counter), and drawn for the global batch before
each replica takes its rows: a resumed or multi-device run sees exactly the noise a single uninterrupted run would.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from lookbook.models.augment import diff_augment
from lookbook.models.gan_config import GanConfig

LEAKY_SLOPE = 0.2  # DCGAN paper
# Offsets that give every random stream of a step its own stateless seed.
_NOISE_D, _NOISE_G, _AUGMENT, _INSTANCE = 0, 100, 1000, 2000


def _init(std: float) -> keras.initializers.Initializer:
    return keras.initializers.RandomNormal(mean=0.0, stddev=std)


@contextlib.contextmanager
def compute_dtype(mixed: bool) -> Iterator[None]:
    """Layers built inside compute in bfloat16 with float32 weights when `mixed` (Keras mixed precision)."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_bfloat16" if mixed else "float32")
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def generator_widths(cfg: GanConfig) -> list[int]:
    """Channels at 4x4, 8x8, ... up to half the output size (the last layer maps to RGB)."""
    n = cfg.level_count
    return [min(cfg.g_base_width * 2 ** (n - 1 - i), cfg.max_width) for i in range(n)]


def discriminator_widths(cfg: GanConfig) -> list[int]:
    """Channels of each stride-2 conv, from half the input size down to 4x4."""
    return [min(cfg.d_base_width * 2**i, cfg.max_width) for i in range(cfg.level_count)]


def build_generator(cfg: GanConfig, n_classes: int = 0, name: str = "generator", synchronized: bool = False) -> keras.Model:
    """Noise float32 (n, noise_dim) [+ int32 labels (n,)] -> tanh images (n, S, S, 3), DCGAN-style (Radford et al.).

    `synchronized` batch norm takes its statistics over the global batch when training on several devices.
    """
    init = _init(cfg.init_std)
    noise = keras.Input((cfg.noise_dim,), name="noise")
    inputs: list[Any] = [noise]
    h = noise
    label = None
    if n_classes:
        label = keras.Input((), dtype="int32", name="label")
        inputs.append(label)
        embedded = layers.Embedding(n_classes, cfg.label_embed_dim, name="label_embedding")(label)
        h = layers.Concatenate(name="noise_and_label")([noise, embedded])
    norm_label = label if n_classes and cfg.g_conditioning == "batchnorm" else None
    widths = generator_widths(cfg)
    h = layers.Dense(4 * 4 * widths[0], use_bias=False, kernel_initializer=init, name="project")(h)
    h = layers.Reshape((4, 4, widths[0]), name="to_4x4")(h)
    h = _norm_relu(h, cfg, "project", synchronized, norm_label, n_classes)
    for i, width in enumerate(widths[1:], start=1):
        h = layers.Conv2DTranspose(
            width, cfg.kernel_size_px, strides=2, padding="same", use_bias=False, kernel_initializer=init, name=f"up{i}"
        )(h)
        h = _norm_relu(h, cfg, f"up{i}", synchronized, norm_label, n_classes)
    out = layers.Conv2DTranspose(
        3,
        cfg.kernel_size_px,
        strides=2,
        padding="same",
        activation="tanh",
        kernel_initializer=init,
        name="to_rgb",
        dtype="float32",
    )(h)  # float32 out (also under mixed precision): images, losses and augmentation stay exact
    return keras.Model(inputs if n_classes else noise, out, name=name)


def _norm_relu(h: Any, cfg: GanConfig, name: str, synchronized: bool, label: Any = None, n_classes: int = 0) -> Any:
    """Batch norm then ReLU; given `label`, the scale and shift are the class's own (conditional batch norm,
    de Vries et al. 2017, as in SNGAN-projection and BigGAN), built from stock layers so safe mode loads it."""
    per_class = label is not None
    h = layers.BatchNormalization(
        momentum=cfg.bn_momentum,
        epsilon=cfg.bn_epsilon,
        synchronized=synchronized,
        center=not per_class,
        scale=not per_class,
        name=f"{name}_bn",
    )(h)
    if per_class:
        width = h.shape[-1]
        scale = layers.Embedding(n_classes, width, embeddings_initializer="ones", name=f"{name}_class_scale")(label)
        shift = layers.Embedding(n_classes, width, embeddings_initializer="zeros", name=f"{name}_class_shift")(label)
        h = layers.Multiply(name=f"{name}_scaled")([h, layers.Reshape((1, 1, width), name=f"{name}_scale_map")(scale)])
        h = layers.Add(name=f"{name}_shifted")([h, layers.Reshape((1, 1, width), name=f"{name}_shift_map")(shift)])
    return layers.ReLU(name=f"{name}_relu")(h)


def build_discriminator(cfg: GanConfig, n_classes: int = 0, synchronized: bool = False) -> keras.Model:
    """Images (n, S, S, 3) in [-1, 1] [+ int32 labels (n,)] -> one logit per image (no sigmoid).

    With `aux_class_weight` (conditional only), a second output: (n, n_classes) category logits."""
    init = _init(cfg.init_std)
    size = cfg.image_size_px
    conv = SpectralConv2D if cfg.spectral_norm else layers.Conv2D
    dense = SpectralDense if cfg.spectral_norm else layers.Dense
    image = keras.Input((size, size, 3), name="image")
    inputs: list[Any] = [image]
    h = image
    if n_classes:
        label = keras.Input((), dtype="int32", name="label")
        inputs.append(label)
        if cfg.d_conditioning == "input":
            # keras-io conditional_gan: the class enters as an extra image channel
            label_map = layers.Embedding(n_classes, size * size, name="label_map")(label)
            h = layers.Concatenate(name="image_and_label")([image, layers.Reshape((size, size, 1))(label_map)])
    widths = discriminator_widths(cfg)
    for i, width in enumerate(widths):
        if cfg.minibatch_std and i == len(widths) - 1:
            h = MinibatchStdDev(name="minibatch_std")(h)  # before the last conv, as in ProGAN
        with_bn = cfg.d_batch_norm and i > 0  # DCGAN: no batch norm on the first layer
        h = conv(
            width,
            cfg.kernel_size_px,
            strides=2,
            padding="same",
            use_bias=not with_bn,
            kernel_initializer=init,
            name=f"down{i + 1}",
        )(h)
        if with_bn:
            h = layers.BatchNormalization(
                momentum=cfg.bn_momentum, epsilon=cfg.bn_epsilon, synchronized=synchronized, name=f"down{i + 1}_bn"
            )(h)
        h = layers.LeakyReLU(LEAKY_SLOPE, name=f"down{i + 1}_lrelu")(h)
        if cfg.d_dropout:
            h = layers.Dropout(cfg.d_dropout, name=f"down{i + 1}_dropout")(h)
    features = layers.Flatten(name="features")(h)
    logit = dense(1, kernel_initializer=init, name="logit", dtype="float32")(features)  # float32 logits for the losses
    if n_classes and cfg.d_conditioning == "projection":
        # projection discriminator (Miyato & Koyama 2018): logit + <embed(y), features>
        embedded = layers.Embedding(n_classes, features.shape[-1], name="label_projection", dtype="float32")(label)
        projection = layers.Dot(axes=1, name="projection", dtype="float32")([embedded, features])
        logit = layers.Add(name="logit_plus_projection", dtype="float32")([logit, projection])
    outputs: Any = logit
    if n_classes and cfg.aux_class_weight:
        # AC-GAN head (Odena et al. 2017): D also names the category of what it sees
        outputs = [logit, dense(n_classes, kernel_initializer=init, name="class_logits", dtype="float32")(features)]
    return keras.Model(inputs if n_classes else image, outputs, name="discriminator")


@keras.saving.register_keras_serializable(package="lookbook")
class MinibatchStdDev(layers.Layer):
    """Appends one feature map: the mean standard deviation of the features across groups of `group_size` images
    (the whole batch when it does not divide), so D can tell a batch of near-identical fakes from varied real images
    (Karras et al. 2018, "Progressive growing of GANs")."""

    def __init__(self, group_size: int = 4, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.group_size = int(group_size)

    def call(self, x: Any) -> Any:
        n = tf.shape(x)[0]
        h, w, c = x.shape[1], x.shape[2], x.shape[3]
        groups = tf.where(n % self.group_size == 0, self.group_size, n)
        y = tf.reshape(tf.cast(x, tf.float32), [groups, -1, h, w, c])  # row i = (i // members, i % members)
        std = tf.sqrt(tf.reduce_mean(tf.square(y - tf.reduce_mean(y, axis=0)), axis=0) + 1e-8)
        per_member = tf.reduce_mean(std, axis=[1, 2, 3])  # one figure per group member
        feature = tf.tile(per_member[:, None, None, None], [groups, h, w, 1])
        return tf.concat([x, tf.cast(feature, x.dtype)], axis=-1)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (*input_shape[:-1], input_shape[-1] + 1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "group_size": self.group_size}


# spectral normalisation ------------------------------------------------------------------------------
# Hand-written: keras.layers.SpectralNormalization overwrites the kernel variable with W / sigma each training call,
# so gradients bypass sigma; here sigma stays in the graph (as in Miyato et al.) and the stored kernel is never rescaled.
def _spectral_normalize(kernel: Any, u_var: Any, training: Any) -> Any:
    """`kernel` divided by its largest singular value, estimated by one power iteration from `u_var`.

    The estimate is made in float32 whatever the compute dtype (bfloat16 power iterations drift)."""
    w = ops.reshape(ops.cast(kernel, "float32"), (-1, kernel.shape[-1]))
    v = _l2_normalize(ops.matmul(u_var, ops.transpose(w)))
    u = _l2_normalize(ops.matmul(v, w))
    u, v = ops.stop_gradient(u), ops.stop_gradient(v)
    sigma = ops.sum(ops.matmul(v, w) * u)
    if training:
        u_var.assign(u)
    return kernel / ops.cast(sigma, kernel.dtype)


def _l2_normalize(x: Any) -> Any:
    return x / ops.sqrt(ops.sum(ops.square(x)) + 1e-12)


def _add_u(layer: layers.Layer, units: int) -> None:
    layer.sn_u = layer.add_weight(
        name="sn_u", shape=(1, units), initializer=keras.initializers.RandomNormal(seed=0), trainable=False, autocast=False
    )


@keras.saving.register_keras_serializable(package="lookbook")
class SpectralConv2D(layers.Conv2D):
    """Conv2D with a spectrally normalised kernel (Miyato et al. 2018); the power-iteration vector updates in training."""

    def build(self, input_shape: Any) -> None:
        super().build(input_shape)
        _add_u(self, self.filters)

    def call(self, inputs: Any, training: Any = None) -> Any:
        outputs = self.convolution_op(inputs, _spectral_normalize(self.kernel, self.sn_u, training))
        if self.use_bias:
            outputs = ops.add(outputs, self.bias)
        return self.activation(outputs)


@keras.saving.register_keras_serializable(package="lookbook")
class SpectralDense(layers.Dense):
    """Dense with a spectrally normalised kernel."""

    def build(self, input_shape: Any) -> None:
        super().build(input_shape)
        _add_u(self, self.units)

    def call(self, inputs: Any, training: Any = None) -> Any:
        x = ops.matmul(inputs, _spectral_normalize(self.kernel, self.sn_u, training))
        if self.bias is not None:
            x = ops.add(x, self.bias)
        return self.activation(x)


# losses ----------------------------------------------------------------------------------------------
def d_loss_per_example(real_logits: Any, fake_logits: Any, loss: str, label_smoothing: float = 0.0) -> Any:
    """Discriminator loss of each pair (real i, fake i)."""
    if loss == "hinge":
        return tf.nn.relu(1.0 - real_logits) + tf.nn.relu(1.0 + fake_logits)
    target = 1.0 - label_smoothing  # one-sided smoothing: only the real targets move
    # BCE(t, l) = softplus(l) - t * l, computed from logits for stability
    return tf.nn.softplus(real_logits) - target * real_logits + tf.nn.softplus(fake_logits)


def g_loss_per_example(fake_logits: Any, loss: str) -> Any:
    """Generator loss of each fake: non-saturating -log D(G(z)) for bce, -D(G(z)) for hinge."""
    return -fake_logits if loss == "hinge" else tf.nn.softplus(-fake_logits)


def build_optimizer(kind: str, learning_rate: Any, beta1: float, beta2: float, epsilon: float) -> keras.optimizers.Optimizer:
    """Adam (beta1, beta2, epsilon), RMSprop (epsilon; Keras rho) or SGD (momentum = beta1)."""
    if kind == "adam":
        return keras.optimizers.Adam(learning_rate, beta_1=beta1, beta_2=beta2, epsilon=epsilon)
    if kind == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate, epsilon=epsilon)
    if kind == "sgd":
        return keras.optimizers.SGD(learning_rate, momentum=beta1)
    raise ValueError(f"unknown optimizer {kind!r}")


# the model -----------------------------------------------------------------------------------------------
class DCGAN(keras.Model):
    """A generator and a discriminator trained by `fit()`; `compile(d_optimizer, g_optimizer)` as in keras-io."""

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        config: GanConfig,
        *,
        n_classes: int = 0,
        instance_noise_steps: int = 1,
        **kwargs: Any,
    ) -> None:
        """`config` gives the objective, update scheme and tricks; `instance_noise_steps` is how many G steps
        the instance noise anneals over (the run's total)."""
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.noise_dim = int(config.noise_dim)
        self.n_classes = int(n_classes)
        self.loss_kind = config.loss
        self.update = config.update
        self.d_steps = int(config.d_steps)
        self.diffaugment = tuple(config.diffaugment)
        self.label_smoothing = float(config.label_smoothing)
        self.instance_noise_std = float(config.instance_noise_std)
        self.instance_noise_steps = max(1, int(instance_noise_steps))
        self.ema_decay = float(config.ema_decay)
        self.aux_class_weight = float(config.aux_class_weight) if n_classes else 0.0
        self.aux_margin = float(config.aux_margin)
        self.mode_seeking_weight = float(config.mode_seeking_weight)
        self.seed = int(config.seed)
        # The step counter keys every noise draw; replicas agree on it, so only the first one's update is kept.
        self.step_counter = self.add_weight(
            shape=(), dtype="int64", initializer="zeros", trainable=False, name="step", aggregation="only_first_replica"
        )
        self.ema_weights = [
            self.add_weight(
                shape=v.shape, initializer="zeros", trainable=False, name=f"ema_{i:03d}", aggregation="only_first_replica"
            )
            for i, v in enumerate(generator.trainable_variables if self.ema_decay else [])
        ]
        self.reset_ema()
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_real_tracker = keras.metrics.Mean(name="d_real")
        self.d_fake_tracker = keras.metrics.Mean(name="d_fake")
        self.d_class_tracker = keras.metrics.Mean(name="d_class_acc") if self.aux_class_weight else None
        self.g_spread_tracker = keras.metrics.Mean(name="g_spread") if self.mode_seeking_weight else None
        self.built = True

    def compile(self, d_optimizer: keras.optimizers.Optimizer, g_optimizer: keras.optimizers.Optimizer, **kwargs: Any) -> None:
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        # Build the slots now: variables cannot be created inside a replica's step, and a checkpoint restores into them.
        d_optimizer.build(self.discriminator.trainable_variables)
        g_optimizer.build(self.generator.trainable_variables)

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        trackers = [self.d_loss_tracker, self.g_loss_tracker, self.d_real_tracker, self.d_fake_tracker]
        optional = (self.d_class_tracker, self.g_spread_tracker)
        return trackers + [t for t in optional if t is not None]

    def call(self, inputs: Any, training: bool = False) -> Any:
        return self.generator(inputs, training=training)

    # training ---------------------------------------------------------------------------------------------
    def train_step(self, data: Any) -> dict[str, Any]:
        real, labels = data if self.n_classes else (data, None)
        ctx = tf.distribute.get_replica_context()
        n_replicas = ctx.num_replicas_in_sync
        replica = ctx.replica_id_in_sync_group
        b = tf.shape(real)[0] // self.d_steps  # this replica's images per D update
        rows = _Rows(start=replica * b, size=b, total=b * n_replicas)
        step = self.step_counter.value
        seed = tf.stack([tf.constant(self.seed, tf.int64), step])

        if self.update == "simultaneous":
            z = self._normal(seed, _NOISE_G, rows)
            with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
                fake = self.generator(self._g_inputs(z, labels), training=True)
                (real_logits, real_classes), (fake_logits, fake_classes) = self._d_pair(real, fake, labels, seed, 0, rows, step)
                d_loss_each = self._d_loss(real_logits, fake_logits, real_classes, labels)
                g_loss_each = self._g_loss(fake_logits, fake_classes, labels)
                d_loss = tf.nn.compute_average_loss(d_loss_each, global_batch_size=rows.total)
                g_loss = tf.nn.compute_average_loss(g_loss_each, global_batch_size=rows.total)
            self._apply(self.d_optimizer, d_tape.gradient(d_loss, self.discriminator.trainable_variables), self.discriminator)
            self._apply(self.g_optimizer, g_tape.gradient(g_loss, self.generator.trainable_variables), self.generator)
            self._track_d(d_loss_each, real_logits, fake_logits, real_classes, labels)
        else:
            for k in range(self.d_steps):
                real_k = real[k * b : (k + 1) * b]
                labels_k = None if labels is None else labels[k * b : (k + 1) * b]
                fake = self.generator(self._g_inputs(self._normal(seed, _NOISE_D + k, rows), labels_k), training=True)
                with tf.GradientTape() as tape:
                    (real_logits, real_classes), (fake_logits, _) = self._d_pair(real_k, fake, labels_k, seed, k, rows, step)
                    d_loss_each = self._d_loss(real_logits, fake_logits, real_classes, labels_k)
                    d_loss = tf.nn.compute_average_loss(d_loss_each, global_batch_size=rows.total)
                self._apply(self.d_optimizer, tape.gradient(d_loss, self.discriminator.trainable_variables), self.discriminator)
                self._track_d(d_loss_each, real_logits, fake_logits, real_classes, labels_k)
            g_labels = None if labels is None else labels[:b]  # fakes follow the real class mix
            if g_labels is not None and self.mode_seeking_weight:
                g_labels = _paired(g_labels)
            z = self._normal(seed, _NOISE_G, rows)
            with tf.GradientTape() as tape:
                fake = self.generator(self._g_inputs(z, g_labels), training=True)
                fake_in = self._d_input(fake, seed, self.d_steps, 1, rows, step)
                fake_logits, fake_classes = self._d_logits(fake_in, g_labels)
                g_loss_each = self._g_loss(fake_logits, fake_classes, g_labels)
                if self.mode_seeking_weight:
                    g_loss_each = g_loss_each + self.mode_seeking_weight * self._mode_seeking(z, fake)
                g_loss = tf.nn.compute_average_loss(g_loss_each, global_batch_size=rows.total)
            self._apply(self.g_optimizer, tape.gradient(g_loss, self.generator.trainable_variables), self.generator)

        self.g_loss_tracker.update_state(tf.reduce_mean(g_loss_each))
        self._update_ema(step)
        self.step_counter.assign_add(1)
        logs = {m.name: m.result() for m in self.metrics}
        if isinstance(tf.distribute.get_strategy(), tf.distribute.MultiWorkerMirroredStrategy):
            # Keras reduces multi-worker logs with reduce(MEAN, axis=0), which needs a batch axis
            logs = {k: tf.reshape(v, [1]) for k, v in logs.items()}
        return logs

    def _apply(self, optimizer: keras.optimizers.Optimizer, grads: list[Any], model: keras.Model) -> None:
        optimizer.apply_gradients(zip(grads, model.trainable_variables))

    def _g_inputs(self, z: Any, labels: Any) -> Any:
        return [z, labels] if self.n_classes else z

    def _d_logits(self, images: Any, labels: Any) -> tuple[Any, Any]:
        """(real/fake logit per image, category logits or None without the AC-GAN head)."""
        out = self.discriminator([images, labels] if self.n_classes else images, training=True)
        logits, classes = out if self.aux_class_weight else (out, None)
        return tf.reshape(logits, [-1]), classes

    def _d_pair(self, real: Any, fake: Any, labels: Any, seed: Any, k: int, rows: _Rows, step: Any) -> tuple[Any, Any]:
        """D's outputs on real and fake, each through its own forward pass (batch norm sees one kind at a time)."""
        real_out = self._d_logits(self._d_input(real, seed, k, 0, rows, step), labels)
        fake_out = self._d_logits(self._d_input(fake, seed, k, 1, rows, step), labels)
        return real_out, fake_out

    def _d_loss(self, real_logits: Any, fake_logits: Any, real_classes: Any, labels: Any) -> Any:
        """D's loss per pair, plus the AC-GAN term: naming the category of the real image (fakes are not graded)."""
        each = d_loss_per_example(real_logits, fake_logits, self.loss_kind, self.label_smoothing)
        if real_classes is None:
            return each
        return each + self.aux_class_weight * _class_loss(labels, real_classes)

    def _g_loss(self, fake_logits: Any, fake_classes: Any, labels: Any) -> Any:
        """G's loss per fake, plus the AC-GAN term: D should name each fake's category as the one asked for. With
        `aux_margin` the term is a hinge: a fake D already names surely enough is not pushed towards the category's most
        nameable image, which is how the head collapses easy categories (watches, sunglasses) to one garment."""
        each = g_loss_per_example(fake_logits, self.loss_kind)
        if fake_classes is None:
            return each
        class_loss = _class_loss(labels, fake_classes)
        if self.aux_margin:
            class_loss = tf.nn.relu(class_loss - self.aux_margin)
        return each + self.aux_class_weight * class_loss

    def _mode_seeking(self, z: Any, fake: Any) -> Any:
        """MSGAN's term per row (Mao et al. 2019): 1 / (image distance / noise distance) of the pair row i,
        row i + half, which share a category; a row without a partner (odd batch) pays nothing."""
        half = tf.shape(z)[0] // 2
        fake = tf.cast(fake, tf.float32)
        d_image = tf.reduce_mean(tf.abs(fake[:half] - fake[half : 2 * half]), axis=[1, 2, 3])
        d_noise = tf.reduce_mean(tf.abs(z[:half] - z[half : 2 * half]), axis=1)
        spread = d_image / d_noise
        self.g_spread_tracker.update_state(tf.reduce_mean(spread))
        term = 1.0 / (spread + 1e-5)
        return tf.concat([term, term, tf.zeros([tf.shape(z)[0] - 2 * half])], 0)

    def _d_input(self, images: Any, seed: Any, k: int, which: int, rows: _Rows, step: Any) -> Any:
        """DiffAugment, then annealed instance noise: what D sees of a real (which=0) or fake (which=1) batch."""
        purpose = 10 * k + which
        if self.diffaugment:
            images = diff_augment(
                images,
                self.diffaugment,
                tf.random.experimental.stateless_fold_in(seed, _AUGMENT + purpose),
                rows.start,
                rows.total,
            )
        if self.instance_noise_std:
            frac = 1.0 - tf.cast(step, tf.float32) / float(self.instance_noise_steps)
            std = self.instance_noise_std * tf.maximum(frac, 0.0)
            images = images + std * self._normal(seed, _INSTANCE + purpose, rows, tuple(images.shape[1:]))
        return images

    def _normal(self, seed: Any, purpose: int, rows: _Rows, tail: tuple[int, ...] | None = None) -> Any:
        """Standard normal draws for this replica's rows of the global batch."""
        tail = (self.noise_dim,) if tail is None else tail
        s = tf.random.experimental.stateless_fold_in(seed, purpose)
        full = tf.random.stateless_normal(tf.concat([[rows.total], list(tail)], 0), seed=s)
        return full[rows.start : rows.start + rows.size]

    def _track_d(self, d_loss_each: Any, real_logits: Any, fake_logits: Any, real_classes: Any, labels: Any) -> None:
        self.d_loss_tracker.update_state(tf.reduce_mean(d_loss_each))
        if self.d_class_tracker is not None:
            hits = tf.equal(tf.argmax(real_classes, axis=-1, output_type=tf.int32), tf.cast(labels, tf.int32))
            self.d_class_tracker.update_state(tf.reduce_mean(tf.cast(hits, tf.float32)))
        # D(x) and D(G(z)) as probabilities for bce, raw scores for hinge
        to_score = tf.identity if self.loss_kind == "hinge" else tf.sigmoid
        self.d_real_tracker.update_state(tf.reduce_mean(to_score(real_logits)))
        self.d_fake_tracker.update_state(tf.reduce_mean(to_score(fake_logits)))

    def reset_ema(self) -> None:
        """Start the weight average at the generator's current weights."""
        for ema, var in zip(self.ema_weights, self.generator.trainable_variables):
            ema.assign(var.value)

    def _update_ema(self, step: Any) -> None:
        if not self.ema_weights:
            return
        t = tf.cast(step, tf.float32)
        decay = tf.minimum(self.ema_decay, (1.0 + t) / (10.0 + t))  # warm-up: early EMA follows the weights closely
        for ema, var in zip(self.ema_weights, self.generator.trainable_variables):
            ema.assign(decay * ema.value + (1.0 - decay) * var.value)

    # state ------------------------------------------------------------------------------------------------
    def state_groups(self) -> dict[str, list[Any]]:
        """Every variable an exact resume needs, by group (the checkpoint's layout)."""
        return {
            "generator": list(self.generator.variables),
            "discriminator": list(self.discriminator.variables),
            "gan": [self.step_counter, *self.ema_weights],
            "g_optimizer": list(self.g_optimizer.variables),
            "d_optimizer": list(self.d_optimizer.variables),
        }

    def metric_variables(self) -> list[Any]:
        """The loss trackers' running sums, checkpointed so a log window split by a resume averages the same."""
        return [v for m in self.metrics for v in m.variables]

    @property
    def global_step(self) -> int:
        return int(self.step_counter.numpy())

    def export_generator(self, target: keras.Model, recalibrate_batches: int = 16, batch_size: int = 256) -> keras.Model:
        """Copy the generator to sample from into `target`: the EMA weights if on (with batch-norm statistics
        recomputed for them), else the live generator as it is."""
        for dst, src in zip(target.variables, self.generator.variables):
            dst.assign(np.asarray(src.numpy()))
        if self.ema_weights:
            for dst, src in zip(target.trainable_variables, self.ema_weights):
                dst.assign(np.asarray(src.numpy()))
            recalibrate_batch_norm(target, self.noise_dim, self.n_classes, recalibrate_batches, batch_size, self.seed)
        return target


def _paired(labels: Any) -> Any:
    """The first half's labels twice (then any odd row's own): row i and row i + half ask for one category."""
    half = tf.shape(labels)[0] // 2
    return tf.concat([labels[:half], labels[:half], labels[2 * half :]], 0)


def _class_loss(labels: Any, class_logits: Any) -> Any:
    return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.cast(labels, tf.int32), logits=class_logits)


class _Rows:
    """Which rows of the global batch one replica holds."""

    def __init__(self, start: Any, size: Any, total: Any) -> None:
        self.start, self.size, self.total = start, size, total


def recalibrate_batch_norm(
    generator: keras.Model, noise_dim: int, n_classes: int, n_batches: int = 16, batch_size: int = 256, seed: int = 0
) -> None:
    """Set every BatchNorm's moving statistics to their average over `n_batches` fixed noise batches.

    EMA weights never produced the moving statistics the live generator collected, so sampling an EMA
    generator in inference mode needs its own ("standing") statistics. Deterministic for a given seed.
    """
    norms = [layer for layer in generator.layers if isinstance(layer, layers.BatchNormalization)]
    if not norms:
        return
    saved = [bn.momentum for bn in norms]
    rng = np.random.default_rng([seed, 7])
    try:
        for k in range(n_batches):
            for bn in norms:
                bn.momentum = k / (k + 1.0)  # moving = running mean of the batch statistics seen so far
            z = rng.standard_normal((batch_size, noise_dim)).astype(np.float32)
            if n_classes:
                labels = (np.arange(batch_size) + k * batch_size) % n_classes
                generator([z, labels.astype(np.int32)], training=True)
            else:
                generator(z, training=True)
    finally:
        for bn, momentum in zip(norms, saved):
            bn.momentum = momentum
