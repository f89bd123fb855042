"""ClassifierConfig: presets, overrides and actionable validation errors."""

from __future__ import annotations

import dataclasses

import pytest

from lookbook.errors import LookbookError
from lookbook.models.classifier_config import PRESETS, ClassifierConfig, preset_config


def test_presets_are_valid_and_distinct():
    ann, cnn = preset_config("ann"), preset_config("cnn")
    for cfg in (ann, cnn):
        cfg.validate()
        assert ClassifierConfig.from_dict(cfg.to_dict()) == cfg
    # the original recipe: dense layers, Adam 1e-4, nothing else
    assert ann.architecture == "ann" and ann.learning_rate == 1e-4 and not ann.augment and ann.weight_decay == 0
    assert ann.label_smoothing == 0 and ann.schedule == "constant"
    assert cnn.architecture == "cnn" and cnn.augment
    assert set(PRESETS) == {"ann", "cnn"}


def test_every_field_is_documented_in_the_source():
    import inspect

    from lookbook.models import classifier_config

    source = inspect.getsource(classifier_config.ClassifierConfig)
    for f in dataclasses.fields(ClassifierConfig):
        line = next(line for line in source.splitlines() if line.strip().startswith(f"{f.name}:"))
        assert "#" in line, f"field {f.name} has no comment"


def test_overrides_parse_by_type():
    cfg = preset_config("cnn").with_overrides(["conv_widths=8,16", "label_column=article_type", "augment=false", "epochs=3"])
    assert cfg.conv_widths == (8, 16) and cfg.label_column == "article_type" and not cfg.augment and cfg.epochs == 3


@pytest.mark.parametrize(
    "item, message",
    [
        ("test_fraction=0", "test_fraction must be in"),
        ("dropout=1.5", "dropout must be in"),
        ("label_column=colour", "label_column must be one of"),
        ("min_images_per_class=1", "min_images_per_class must be at least 2"),
        ("test_fraction=0.85", "must leave at least 10%"),
        ("hidden_units=0", "hidden_units needs"),
        ("stem_stride=3", "stem_stride must be 1 or 2"),
        ("batch_size=0", "batch_size must be at least 1"),
    ],
)
def test_bad_values_are_one_line_errors(item, message):
    with pytest.raises(LookbookError, match=message):
        preset_config("cnn").with_overrides([item])


def test_unknown_preset():
    with pytest.raises(LookbookError, match="unknown classifier preset 'big'"):
        preset_config("big")
