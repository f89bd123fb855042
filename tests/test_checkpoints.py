"""The shipped default checkpoints: they load in safe mode, fit together, fill every template, and match their model card."""

from __future__ import annotations

import re

import numpy as np
import pytest

from lookbook.compose import LookbookEditor, Studio, default_classifier_path, default_generator_path
from lookbook.compose.templates import templates
from lookbook.data.taxonomy import outfit_categories
from lookbook.models.artifacts import file_hash, load_classifier, load_generator

MAX_TOTAL_MB = 40
# what checkpoints/reproduce.sh sets on top of the preset: data subset, time budget, bookkeeping
RUN_SETTINGS = {"include_categories", "epochs", "max_minutes", "checkpoint_every_minutes"}

pytestmark = pytest.mark.skipif(
    not (default_generator_path().is_file() and default_classifier_path().is_file()),
    reason=f"no default checkpoints under {default_generator_path().parent}",
)


def test_both_load_in_safe_mode_and_share_one_label_map():
    generator, classifier = load_generator(default_generator_path()), load_classifier(default_classifier_path())
    assert generator.conditional and generator.image_size_px == classifier.image_size_px == 64
    # the judge knows every category the generator makes, and a few more (innerwear, consumer photos' unknown shoes)
    assert set(generator.categories) <= set(classifier.categories)
    assert set(generator.categories) <= set(outfit_categories())
    images = generator.sample([0, 1], ["tshirt", "jeans"])
    assert images.shape == (2, 64, 64, 3) and images.dtype == np.uint8 and images.std() > 10
    total_mb = sum(p.stat().st_size for p in default_generator_path().parent.glob("*.keras")) / 2**20
    assert total_mb <= MAX_TOTAL_MB


def test_the_default_generator_is_the_modern_preset_with_run_settings_only():
    from lookbook.models.gan_config import stored_config
    from lookbook.train.presets import gan_preset

    shipped = stored_config(load_generator(default_generator_path()).meta["config"])
    # reproduce.sh ships a fine-tune: a warm start from the modern run's checkpoint with an AC-GAN head in D, per-class
    # batch norm in G, equal category shares and a discriminator learning four times as fast as the generator
    fine_tune = {"init_from", "aux_class_weight", "max_steps", "g_conditioning", "class_balance", "g_lr", "d_lr"}
    assert set(gan_preset("modern").diff(shipped)) <= RUN_SETTINGS | fine_tune
    assert shipped.d_lr == 4 * shipped.g_lr


def test_the_default_classifier_averages_cnn_runs_that_share_one_split():
    from lookbook.models.classifier_config import ClassifierConfig, preset_config

    classifier = load_classifier(default_classifier_path())
    assert classifier.meta["preset"] == "ensemble" and len(classifier.meta["members"]) >= 2
    members = [ClassifierConfig.from_dict(m["config"]) for m in classifier.meta["members"]]
    # reproduce.sh trains each member on 90% of the train parts (5% validation, 5% its own test) within a time budget:
    # the preset with a stride-1 stem, more epochs and lighter augmentation; members differ in weight seed, width, or
    # continue another run with other class weights and learning rate
    run_settings = {"test_fraction", "val_fraction", "max_minutes", "epochs", "patience_epochs", "split_seed", "seed"}
    full_resolution_stem = {"stem_stride"}
    lighter_augmentation = {"shift_frac", "zoom_frac", "colour_jitter"}
    member_choices = {"conv_widths", "init_from", "class_weighting", "learning_rate"}
    for shipped in members:
        allowed = run_settings | full_resolution_stem | lighter_augmentation | member_choices
        assert set(preset_config("cnn").diff(shipped)) <= allowed
        assert shipped.stem_stride == 1 and shipped.effective_split_seed == 0
    assert len(set(members)) == len(members)  # no two members alike
    assert classifier.test_time_flip and 0.3 < classifier.temperature < 3.0
    # the catalogue's category shares are divided out at a strength fitted on the members' validation split
    assert 0.0 < classifier.meta["calibration"]["prior_strength"] <= 1.0
    assert classifier.log_bias is not None and len(classifier.log_bias) == len(classifier.categories)


def test_the_default_classifier_is_not_confident_about_noise():
    classifier = load_classifier(default_classifier_path())
    rng = np.random.default_rng(0)
    uniform = rng.integers(0, 256, (64, 64, 64, 3), dtype=np.uint8)
    gaussian = np.clip(rng.normal(127.5, 60, (64, 64, 64, 3)), 0, 255).astype(np.uint8)
    for noise in (uniform, gaussian):
        _, confidence = classifier.predict(noise)
        assert np.mean(confidence >= 0.8) < 0.05, confidence


def test_a_fresh_clone_composes_every_template_it_can_fill():
    studio = Studio.open()  # the defaults
    fillable = studio.compatible(templates())
    assert {"cs230", "casual", "office", "summer", "date night", "day out", "kurta set", "saree"} <= set(fillable), fillable
    session = LookbookEditor.new(studio, template="cs230", pages=2, seed=0)
    page = session.render(0)
    assert page.size[0] > 1000 and len(session.lookbook.pages) == 2


def test_model_card_names_the_shipped_files_by_hash():
    card_path = default_generator_path().parent / "README.md"
    card = card_path.read_text()
    for path in (default_generator_path(), default_classifier_path()):
        assert file_hash(path) in card, f"{card_path} does not name {path.name} by its hash {file_hash(path)}"
    assert re.search(r"python -m lookbook eval --classifier \S+ --data \S+ --generator", card)
