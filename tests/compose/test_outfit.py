"""Filling slots: conditional asks, unconditional candidate search, memoisation, variations, compatibility."""

from __future__ import annotations

import numpy as np
import pytest

from lookbook.compose import GARMENTS, FillConfig, LatentSpec, Studio, get_template
from lookbook.compose.book import derive_seed, new_slot
from lookbook.compose.outfit import fill_slot, generate_garments, search_garment, slot_variations, variation_specs
from lookbook.errors import LookbookError
from lookbook.models.artifacts import latent


def slot_of(template: str, index: int, seed: int = 11, category: str | None = None):
    slot = new_slot(get_template(template).slots[index], seed)
    slot.category = category
    return slot


def test_conditional_slot_asks_for_its_category(cond_studio):
    for index, category in enumerate(["shirt", "jeans", "sports_shoes", "wallet"]):
        g = fill_slot(cond_studio, slot_of("cs230", index), FillConfig())
        assert g.asked == category and g.latent == LatentSpec(11) and g.tried == 1
        # the tiny classifier reads the category's colour cast back from the image
        assert g.label == category and g.ok and g.message == ""
        assert g.image.shape == (32, 32, 3) and g.image.dtype == np.uint8 and not g.image.flags.writeable
    # the same seed with another category keeps the latent but changes the garment
    a = fill_slot(cond_studio, slot_of("casual", 0, category="tshirt"), FillConfig())
    b = fill_slot(cond_studio, slot_of("casual", 0, category="shirt"), FillConfig())
    assert a.latent == b.latent and a.label == "tshirt" and b.label == "shirt"
    assert not np.array_equal(a.image, b.image)


def test_unconditional_slot_searches_candidates_of_its_seed(uncond_studio):
    config = FillConfig(candidate_batches=(8, 8, 16))
    for index, category in enumerate(["shirt", "jeans", "sports_shoes", "wallet"]):
        g = search_garment(uncond_studio, 100 + index, (category,), config)
        assert g.label == category and g.ok and g.asked is None
        # the latent used is one of the seed's candidates, recorded exactly
        candidates = [derive_seed(100 + index, k) for k in range(32)]
        assert g.latent.seed in candidates and g.latent.variations == ()
        assert 8 <= g.tried <= 32
        # regenerating the recorded latent gives the same image and label
        again = uncond_studio.generate(latent(g.latent.seed, uncond_studio.noise_dim)[None])
        np.testing.assert_array_equal(again[0], g.image)
    # accepting any of several categories takes the most confident match of the first batch that has one
    any_of = search_garment(uncond_studio, 7, ("tshirt", "shirt", "jeans"), FillConfig(candidate_batches=(16,)))
    z = np.stack([latent(derive_seed(7, k), uncond_studio.noise_dim) for k in range(16)])
    probs = uncond_studio.probabilities(uncond_studio.generate(z))
    cols = uncond_studio.category_index(("tshirt", "shirt", "jeans"))
    matches = np.isin(probs.argmax(1), cols)
    assert any_of.confidence == pytest.approx(probs.max(1)[matches].max(), abs=1e-6)


def test_search_stops_early_when_confident_and_reports_failure(uncond_studio):
    early = search_garment(uncond_studio, 5, ("shirt",), FillConfig(candidate_batches=(32, 32, 32), accept_confidence=0.0))
    assert early.tried == 32
    # one candidate per attempt: a seed whose candidates never show a wallet
    config = FillConfig(candidate_batches=(1, 1))
    seed = next(s for s in range(200) if not search_garment(uncond_studio, s, ("wallet",), config).ok)
    g = search_garment(uncond_studio, seed, ("wallet",), config)
    assert g.status == "mismatch" and g.tried == 2
    assert g.message.startswith("none of 2 candidates looks like a wallet to the classifier; the closest is shown (")


def test_generation_is_memoised_on_checkpoint_seed_and_category(cond_studio, monkeypatch):
    GARMENTS.clear()
    calls = []
    real = Studio.generate
    monkeypatch.setattr(Studio, "generate", lambda self, z, c=None: calls.append(len(z)) or real(self, z, c))
    slot = slot_of("cs230", 1, seed=4242)
    first = fill_slot(cond_studio, slot, FillConfig())
    second = fill_slot(cond_studio, slot, FillConfig())
    assert second is first and calls == [1] and GARMENTS.hits >= 1
    slot.category = None
    other = generate_garments(cond_studio, [LatentSpec(4242)], "wallet", ("wallet",))[0]
    assert other is not first and calls == [1, 1]


def test_variations_are_deterministic_and_nearby(studio):
    slot = slot_of("cs230", 1, seed=77)
    config = FillConfig(n_variations=5, variation_strength=0.3)
    row = slot_variations(studio, slot, config)
    again = slot_variations(studio, slot, config)
    assert [g.latent for g in row] == [g.latent for g in again] and len(row) == 5
    for a, b in zip(row, again):
        np.testing.assert_array_equal(a.image, b.image)
    other_row = slot_variations(studio, slot, config, row=1)
    assert {g.latent for g in other_row}.isdisjoint({g.latent for g in row})
    assert len({g.image.tobytes() for g in row}) == 5  # all different images
    base = fill_slot(studio, slot, config).latent
    z0 = base.vector(studio.noise_dim)
    for g in row:
        z = g.latent.vector(studio.noise_dim)
        assert np.linalg.norm(z) == pytest.approx(np.linalg.norm(z0), rel=1e-5)  # renormalised to the base radius
        assert 0 < np.linalg.norm(z - z0) < 0.5 * np.linalg.norm(z0)  # close to the base


def test_variation_specs_chain_and_strength():
    base = LatentSpec(3)
    a = variation_specs(base, 3, 0.2)
    assert all(s.seed == 3 and len(s.variations) == 1 and s.variations[0][1] == 0.2 for s in a)
    chained = variation_specs(a[0], 2, 0.2)
    assert chained[0].variations[0] == a[0].variations[0] and len(chained[0].variations) == 2
    near, far = (np.linalg.norm(variation_specs(base, 1, w)[0].vector(64) - base.vector(64)) for w in (0.1, 1.0))
    assert near < far


def test_incompatible_models_are_one_line_errors(cond_paths, tmp_path):
    from lookbook.models.artifacts import save_model
    from tests.compose.models import build_classifier

    big = save_model(
        build_classifier(("shirt", "jeans"), image_size_px=64), tmp_path / "c.keras", {"categories": ["shirt", "jeans"]}
    )
    resized = Studio.open(cond_paths[0], big)  # another image size: garments are resized to be labelled
    assert "makes 32 px garments and the classifier reads 64 px" in resized.resize_note
    assert resized.probabilities(resized.generate(np.zeros((2, resized.noise_dim)), ["shirt", "jeans"])).shape == (2, 2)
    with pytest.raises(LookbookError, match="no model at"):
        Studio.open(tmp_path / "nope.keras", cond_paths[1])
    # a conditional generator is not enough: the classifier must recognise what it makes
    few = ("shirt", "jeans", "sports_shoes")
    small = save_model(build_classifier(few, image_size_px=32), tmp_path / "few.keras", {"categories": list(few)})
    studio = Studio.open(cond_paths[0], small)
    with pytest.raises(LookbookError, match=r"slot 'Wallet': the classifier cannot recognise any of wallet \(it knows shirt"):
        studio.check_template(get_template("cs230"))
    assert studio.ask_category(None, "tshirt", ("tshirt", "shirt")) == "shirt"  # the first both models know


def test_templates_the_models_cannot_fill_are_refused(cond_studio, uncond_studio):
    assert cond_studio.compatible({"cs230": get_template("cs230"), "evening": get_template("evening")}) == ["cs230"]
    with pytest.raises(LookbookError, match=r"template 'evening', slot 'Dress': the generator cannot make any of dress"):
        cond_studio.check_template(get_template("evening"))
    with pytest.raises(LookbookError, match="classifier cannot recognise any of dress"):
        uncond_studio.check_template(get_template("evening"))


def test_fill_config_validates():
    with pytest.raises(LookbookError, match="candidate_batches"):
        FillConfig().with_overrides(["candidate_batches=0,4"])
    with pytest.raises(LookbookError, match="accept_confidence"):
        FillConfig(accept_confidence=2).validate()
    assert FillConfig().with_overrides(["candidate_batches=4,8"]).candidate_batches == (4, 8)


def test_compiled_forward_falls_back_to_eager_for_untraceable_models():
    from lookbook.compose.studio import _Compiled

    class NumpyModel:  # numpy inside: cannot be traced into a graph
        def __call__(self, x, training=False):
            return np.asarray(x) * 2.0

    forward = _Compiled(NumpyModel(), (3,))
    np.testing.assert_allclose(forward(np.ones((2, 3), np.float32)), 2.0)
    np.testing.assert_allclose(forward(np.ones((1, 3), np.float32)), 2.0)  # stays eager


def test_a_conditional_slot_keeps_a_candidate_the_classifier_labels_as_asked(cond_studio, monkeypatch):
    from lookbook.compose import outfit

    assert outfit.growing_batches(outfit.CANDIDATES) == (1, 3, 8) and outfit.growing_batches(1) == (1,)
    GARMENTS.clear()
    slot = slot_of("cs230", 0, seed=99)
    first = fill_slot(cond_studio, slot, FillConfig())
    assert first.ok and first.tried == 1 and first.latent == LatentSpec(99)  # a good first draw costs one pass
    # a classifier that sees the asked category only in the fifth candidate: the search goes on to find it
    GARMENTS.clear()
    real = Studio.probabilities
    shirt, wallet = cond_studio.category_index(("shirt", "wallet"))

    def picky(self, images):
        probs = real(self, images).copy()
        probs[:, shirt] = 0.0
        probs[:, wallet] = 1.0
        calls.append(len(images))
        if sum(calls) >= 5 and len(images) == 8:
            probs[0] = 0.0
            probs[0, shirt] = 0.9
        return probs

    calls: list[int] = []
    monkeypatch.setattr(Studio, "probabilities", picky)
    found = fill_slot(cond_studio, slot_of("cs230", 0, seed=7), FillConfig())
    assert calls == [1, 3, 8] and found.ok and found.tried == 12 and found.label == "shirt"
    # none passes: the closest is shown, and its message says so
    GARMENTS.clear()
    calls.clear()
    monkeypatch.setattr(
        Studio, "probabilities", lambda self, im: np.eye(len(cond_studio.classifier.categories))[[wallet] * len(im)]
    )
    none = fill_slot(cond_studio, slot_of("cs230", 0, seed=8), FillConfig(candidates=4))
    assert not none.ok and none.tried == 4 and "none of 4 candidates looks like a shirt" in none.message


def test_a_faint_match_does_not_stop_the_search(cond_studio, monkeypatch):
    """A first draw labelled as asked but unsurely (a washed-out garment) is not kept when a later candidate is surer;
    when none reaches accept_confidence, the surest match of all is."""
    GARMENTS.clear()
    shirt, wallet = cond_studio.category_index(("shirt", "wallet"))
    sure = {1: 0.55, 4: 0.95}  # candidate index -> the classifier's confidence that it is a shirt
    calls: list[int] = []

    def graded(self, images):
        probs = np.zeros((len(images), len(cond_studio.classifier.categories)), np.float32)
        start = sum(calls)
        calls.append(len(images))
        for row in range(len(images)):
            p = sure.get(start + row, 0.6 if start + row == 0 else 0.0)
            probs[row, shirt], probs[row, wallet] = (p, 1 - p) if p else (0.0, 1.0)
        return probs

    monkeypatch.setattr(Studio, "probabilities", graded)
    found = fill_slot(cond_studio, slot_of("cs230", 0, seed=7), FillConfig())
    assert calls == [1, 3, 8] and found.ok and found.confidence == pytest.approx(0.95) and found.tried == 12
    GARMENTS.clear()
    calls.clear()
    sure.pop(4)
    surest = fill_slot(cond_studio, slot_of("cs230", 0, seed=7), FillConfig())
    assert surest.ok and surest.confidence == pytest.approx(0.6) and surest.latent == LatentSpec(7)


def test_an_open_slot_prefers_the_category_it_asks_for(cond_studio, monkeypatch):
    """A slot that accepts several categories asks for its default: a sure garment of another accepted category does
    not stop the search, and is kept only when no candidate is labelled as asked."""
    GARMENTS.clear()
    tshirt, shirt, wallet = cond_studio.category_index(("tshirt", "shirt", "wallet"))
    labels = {0: (shirt, 0.95), 5: (tshirt, 0.8)}  # candidate index -> (label, confidence)
    calls: list[int] = []

    def labelled(self, images):
        seen = [labels.get(sum(calls) + row, (wallet, 1.0)) for row in range(len(images))]
        calls.append(len(images))
        top = np.eye(len(cond_studio.classifier.categories), dtype=np.float32)[[column for column, _ in seen]]
        sure = np.array([[p] for _, p in seen], np.float32)
        return top * sure + (1 - sure) * np.eye(top.shape[1], dtype=np.float32)[wallet]

    monkeypatch.setattr(Studio, "probabilities", labelled)
    slot = slot_of("casual", 0, seed=7)  # Top: t-shirt, shirt, top or sweater; asks for a t-shirt
    found = fill_slot(cond_studio, slot, FillConfig())
    assert found.asked == "tshirt" and found.label == "tshirt" and found.tried == 12 and calls == [1, 3, 8]
    GARMENTS.clear()
    calls.clear()
    labels.pop(5)
    other = fill_slot(cond_studio, slot_of("casual", 0, seed=7), FillConfig())
    assert other.ok and other.label == "shirt" and other.confidence == pytest.approx(0.95) and other.tried == 12


def test_variations_stay_in_the_category_asked_for(cond_studio):
    slot = slot_of("cs230", 1, seed=31)
    fill_slot(cond_studio, slot, FillConfig())
    row = slot_variations(cond_studio, slot, FillConfig(n_variations=4), strength=2.0)
    assert len(row) == 4 and all(g.ok for g in row)
