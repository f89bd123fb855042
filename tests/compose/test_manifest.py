"""Manifests: save and reopen regenerates every page pixel for pixel; bad manifests are one-line errors."""

from __future__ import annotations

import copy
import json
import shutil

import numpy as np
import pytest

from lookbook.compose import GARMENTS, LookbookEditor, Studio
from lookbook.compose.manifest import FORMAT_VERSION, from_manifest, read_manifest
from lookbook.errors import LookbookError


@pytest.fixture()
def saved(cond_studio, tmp_path):
    """A two-page lookbook with a reroll, a lock, a category, a variation and notes, saved to disk."""
    editor = LookbookEditor.new(cond_studio, template="cs230", pages=1, seed=12, title="Spring")
    editor.add_page("casual", title="Weekend", notes="camel & navy")
    editor.reroll(0, 1)
    editor.lock(0, 0)
    editor.set_category(1, 0, "shirt")
    editor.pick_variation(1, 2, editor.variations(1, 2)[3])
    path = editor.save(tmp_path / "look.json")
    return editor, path


def test_save_and_reopen_regenerates_every_page_exactly(saved):
    editor, path = saved
    data = json.loads(path.read_text())
    assert data["format_version"] == FORMAT_VERSION and data["lookbook_version"] and data["created"].endswith("Z")
    assert data["checkpoints"]["generator"]["hash"] == editor.studio.generator_hash
    assert data["checkpoints"]["classifier"]["path"].endswith("classifier.keras")
    slot = data["pages"][1]["slots"][2]
    assert slot["latent"]["variations"] and slot["label"] and 0 < slot["confidence"] <= 1
    assert data["pages"][0]["slots"][0]["locked"] is True and data["pages"][1]["slots"][0]["category"] == "shirt"

    GARMENTS.clear()  # regenerate from the models, not from the cache
    reopened = LookbookEditor.open(path)
    assert reopened.warnings == []
    assert reopened.lookbook.title == "Spring" and reopened.pages[1].notes == "camel & navy"
    for p in range(2):
        for a, b in zip(editor.garments(p), reopened.garments(p)):
            np.testing.assert_array_equal(a.image, b.image)
            assert (a.label, a.confidence) == (b.label, pytest.approx(b.confidence))
    # the seed stream continues where it was: the next reroll matches too
    assert editor.reroll(0, 3).latent == reopened.reroll(0, 3).latent
    # rendered pages are identical as well
    assert np.array_equal(np.asarray(editor.render(1)), np.asarray(reopened.render(1)))


def test_unconditional_lookbook_round_trips(uncond_studio, tmp_path):
    editor = LookbookEditor.new(uncond_studio, template="casual", pages=2, seed=3)
    path = editor.save(tmp_path / "u.json")
    GARMENTS.clear()
    reopened = LookbookEditor.open(path.read_bytes(), studio=uncond_studio)  # bytes, as from an upload widget
    for p in range(2):
        assert all(np.array_equal(a.image, b.image) for a, b in zip(editor.garments(p), reopened.garments(p)))


def test_reopening_with_other_or_missing_checkpoints_says_so(saved, uncond_studio, cond_paths, tmp_path):
    _, path = saved
    other = LookbookEditor.open(path, studio=uncond_studio)
    assert len(other.warnings) == 2 and "generator differs from the one this lookbook was made with" in other.warnings[0]
    # the recorded checkpoint moved away
    moved = tmp_path / "moved"
    shutil.copytree(cond_paths[0].parent, moved)
    data = json.loads(path.read_text())
    data["checkpoints"]["generator"]["path"] = str(tmp_path / "gone" / "generator.keras")
    path.write_text(json.dumps(data))
    with pytest.raises(LookbookError, match=r"the generator this lookbook was made with is missing: .*gone"):
        LookbookEditor.open(path)
    # opening with an explicit studio works and is silent when hashes match
    studio = Studio.open(moved / "generator.keras", moved / "classifier.keras")
    assert LookbookEditor.open(path, studio=studio).warnings == []


def _edit(data, path, value):
    """Set (or delete, for value=KeyError) the field at `path` in a copy of data."""
    data = copy.deepcopy(data)
    obj = data
    for key in path[:-1]:
        obj = obj[key]
    if value is KeyError:
        del obj[path[-1]]
    else:
        obj[path[-1]] = value
    return data


@pytest.mark.parametrize(
    "path, value, message",
    [
        (("pages",), KeyError, "manifest is missing 'pages'"),
        (("pages",), {"a": 1}, "'pages' must be list"),
        (("seed",), -3, "'seed' must not be negative"),
        (("seed",), True, "'seed' must be int"),
        (("seed",), 1.5, "'seed' must be int"),
        (("title",), 7, "'title' must be text"),
        (("checkpoints",), KeyError, "missing 'checkpoints'"),
        (("pages", 0, "template"), "gala", "unknown template 'gala'"),
        (("pages", 0, "slots"), [], "page 1 has 0 slots but template 'cs230' has 4"),
        (("pages", 0, "slots", 1, "seed"), -1, "page 1 slot 2 'seed' must not be negative"),
        (("pages", 0, "slots", 1, "seed"), "12", "page 1 slot 2 'seed' must be int"),
        (("pages", 0, "slots", 1, "category"), "ballgown", "category 'ballgown' is not a known category"),
        (("pages", 0, "slots", 1, "label"), "ballgown", "label 'ballgown' is not a known category"),
        (("pages", 0, "slots", 1, "confidence"), 1.7, "confidence must be between 0 and 1"),
        (("pages", 0, "slots", 1, "locked"), "yes", "'locked' must be bool"),
        (("pages", 0, "slots", 1, "latent"), [1, 2], "'latent' must be an object"),
        (("pages", 0, "slots", 1, "latent", "seed"), -5, "latent 'seed' must not be negative"),
        (("pages", 0, "slots", 1, "latent", "variations"), [[1]], "variation 1 must be \\[seed, strength\\]"),
        (("pages", 0, "slots", 1, "latent", "variations"), [[-1, 0.3]], "needs a seed >= 0"),
        (("pages", 0, "slots", 1, "latent", "variations"), [[1, 9.0]], "strength in \\(0, 2\\]"),
        (("pages", 1, "slots", 0), "x", "page 2 slot 1 must be an object"),
        (("fill", "candidate_batches"), [0], "candidate_batches"),
        (("fill", "nonsense"), 1, "unknown FillConfig key"),
    ],
)
def test_hand_edited_manifests_are_one_line_errors(saved, path, value, message):
    _, file = saved
    bad = _edit(json.loads(file.read_text()), path, value)
    with pytest.raises(LookbookError, match=message):
        from_manifest(bad)


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "not valid JSON \\(line 1"),
        ("[1, 2]", "is not a lookbook manifest"),
        ('{"format": "something-else"}', "is not a lookbook manifest"),
        ('{"format": "lookbook-manifest", "format_version": 99}', "format_version 99"),
        ('{"format": "lookbook-manifest"}', "format_version None"),
    ],
)
def test_corrupt_files_are_one_line_errors(tmp_path, text, message):
    path = tmp_path / "m.json"
    path.write_text(text)
    with pytest.raises(LookbookError, match=message):
        read_manifest(path)
    with pytest.raises(LookbookError, match="no manifest at"):
        read_manifest(tmp_path / "absent.json")
    with pytest.raises(LookbookError, match="cannot read"):
        read_manifest(b"\xff\xfe\x00")


def test_nan_confidence_is_rejected(saved):
    _, file = saved
    text = file.read_text().replace('"confidence": ', '"confidence": NaN, "was": ', 1)
    with pytest.raises(LookbookError, match="confidence must be between 0 and 1"):
        from_manifest(json.loads(text))
