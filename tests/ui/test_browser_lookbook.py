"""The Lookbook page in a real headless Chromium, as a new user: compose, reroll, undo, reload and find the same
lookbook, delete a page with a double click and lose one page, export a client PDF; garments above the fold.

The models are "lookalikes" built from the built-in dataset (a generator that returns real garments of the category
asked for, a nearest-neighbour classifier), so the page works as it does with trained checkpoints, fast. Server, browser
and screenshot helpers are in tests/ui/browser.py; the `app_url` fixture in tests/ui/conftest.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from lookbook.compose.templates import get_template
from lookbook.data.builtin import builtin_dataset_dir
from lookbook.data.dataset import PreparedDataset
from lookbook.data.taxonomy import outfit_categories
from lookbook.models.artifacts import CLASSIFIER_FILE, GENERATOR_FILE, save_model
from tests.ui.browser import open_app, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RUN_NAME = "lookalike-demo"
TEMPLATE = "casual"
SCREENSHOT_HEIGHT_PX = 1950
FOLD = {"width": 1440, "height": 900}


def save_lookalike_pair(dataset_root: Path, folder: Path, per_category: int = 4, noise_dim: int = 32, seed: int = 0):
    """Save a conditional generator returning real garments of a dataset (the latent picks which of `per_category`
    images of the asked category, and a colourway) and a nearest-neighbour classifier over the same images;
    returns their paths."""
    import keras

    layers = keras.layers
    ds = PreparedDataset.open(dataset_root, 64)
    labels = ds.index["category"].to_numpy()
    categories = [c for c in outfit_categories() if (labels == c).any()]
    rng = np.random.default_rng(seed)
    wardrobe = np.stack(
        [np.asarray(ds.images[np.sort(rng.choice(np.flatnonzero(labels == c), per_category))]) for c in categories]
    )  # (K, M, S, S, 3) uint8; a category with fewer images repeats some
    k, m, size_px = wardrobe.shape[0], wardrobe.shape[1], wardrobe.shape[2]
    pixels = size_px * size_px * 3
    unit = wardrobe.reshape(k, m, pixels).astype(np.float32) / 127.5 - 1.0  # the generator's output range

    noise = keras.Input((noise_dim,), name="noise")
    label = keras.Input((), dtype="int32", name="label")
    pick = layers.Dense(m, use_bias=False, name="pick")  # which garment of the category; a steep softmax makes it one
    weights = layers.Softmax()(layers.Rescaling(30.0)(pick(noise)))
    table = layers.Embedding(k, m * pixels, name="wardrobe")
    garments = layers.Reshape((m, pixels))(table(label))
    garment = layers.Reshape((size_px, size_px, 3))(layers.Dot(axes=(1, 1))([weights, garments]))
    # and in which colourway: a shift before the tanh moves mid-tones and leaves the saturated white background white
    colourway = layers.Dense(3, use_bias=False, name="colourway")
    shift = layers.UpSampling2D(size_px)(layers.Reshape((1, 1, 3))(colourway(noise)))
    image = layers.Activation("tanh")(layers.Add()([garment, shift]))
    generator = keras.Model([noise, label], image, name="generator")
    pick.set_weights([rng.standard_normal((noise_dim, m)).astype(np.float32) / np.sqrt(noise_dim)])
    colourway.set_weights([0.12 * rng.standard_normal((noise_dim, 3)).astype(np.float32) / np.sqrt(noise_dim)])
    table.set_weights([np.arctanh(np.clip(unit, -0.995, 0.995)).reshape(k, m * pixels)])

    x = keras.Input((size_px, size_px, 3), name="image")
    near = layers.Dense(k * m, name="near")  # 2 x.y - |y|^2: the closest stored garment scores highest
    features = layers.Softmax(name="features")(layers.Rescaling(0.05)(near(layers.Flatten()(x))))
    to_category = layers.Dense(k, use_bias=False, name="to_category")
    classifier = keras.Model(x, to_category(features), name="classifier")
    flat = unit.reshape(k * m, pixels)
    near.set_weights([2.0 * flat.T, -(flat**2).sum(axis=1)])
    to_category.set_weights([np.repeat(np.eye(k, dtype=np.float32), m, axis=0)])

    meta = {"image_size_px": size_px, "categories": categories, "config": {"kind": "lookalike demo"}}
    folder = Path(folder)
    g = save_model(generator, folder / GENERATOR_FILE, {"kind": "generator", "noise_dim": noise_dim, **meta})
    c = save_model(classifier, folder / CLASSIFIER_FILE, {"kind": "classifier", **meta})
    return g, c


@pytest.fixture()
def lookalike_run(builtin_workspace, tmp_path) -> Path:
    """Lookalike models as a run under the runs root the `app_url` server reads (tmp_path/runs)."""
    save_lookalike_pair(builtin_dataset_dir(builtin_workspace), tmp_path / "runs" / RUN_NAME)
    return tmp_path / "runs" / RUN_NAME


def _seeds(page) -> list[str]:
    """The seed line under each garment (what the slot shows, in words)."""
    return [
        t.split("seed ")[-1]
        for t in page.locator('[data-testid="stMarkdownContainer"]').filter(has_text="seed ").all_inner_texts()
    ]


def test_lookbook_in_a_real_browser(lookalike_run, app_url, tmp_path):
    from playwright.sync_api import expect

    n_slots = len(get_template(TEMPLATE).slots)
    with open_app(app_url, accept_downloads=True) as (page, errors):
        page.set_viewport_size(FOLD)
        page.locator('[data-testid="stSidebarNav"]').get_by_text("Lookbook").click()
        expect(page.get_by_role("heading", name="Lookbook", exact=True)).to_be_visible()
        expect(page.get_by_text("No default checkpoints")).to_be_visible()  # none in this test's checkpoints/
        page.get_by_label("Outfit template").click()
        page.get_by_role("option", name=f"{TEMPLATE} ·").click()
        page.get_by_label("Title").fill("Spring capsule")
        page.get_by_role("button", name="Compose lookbook").click()

        rerolls = page.get_by_role("button", name="Reroll", exact=True)
        slots = page.locator('[data-testid="stImage"] img')
        expect(slots.nth(n_slots - 1)).to_be_visible()
        # garments and their Reroll buttons are above the fold of a 1440 x 900 screen
        lowest = max(b["y"] + b["height"] for b in (rerolls.nth(i).bounding_box() for i in range(n_slots)))
        assert lowest <= FOLD["height"], lowest
        page.mouse.move(0, 0)
        page.screenshot(path=str(tmp_path / "lookbook-fold.png"))  # what a 1440 x 900 screen shows
        before = [slots.nth(i).get_attribute("src") for i in range(n_slots)]
        seeds = _seeds(page)
        rerolls.nth(1).click()
        expect(slots.nth(1)).not_to_have_attribute("src", before[1])
        after = [slots.nth(i).get_attribute("src") for i in range(n_slots)]
        assert [a == b for a, b in zip(after, before)] == [i != 1 for i in range(n_slots)]

        page.get_by_role("button", name="Undo").click()  # the reroll is taken back
        expect(slots.nth(1)).to_have_attribute("src", before[1])
        rerolls.nth(2).click()
        expect(slots.nth(2)).not_to_have_attribute("src", before[2])
        edited = _seeds(page)
        assert edited[:2] == seeds[:2] and edited[2] != seeds[2]
        with page.expect_download() as info:  # the export section is not redrawn by a reroll: its files follow anyway
            page.get_by_role("button", name="Manifest (JSON)").click()
        manifest = json.loads(Path(info.value.path()).read_text())
        shown = [re.match(r"\d+", t).group() for t in edited[:n_slots]]
        assert [str(s["latent"]["seed"]) for s in manifest["pages"][0]["slots"]] == shown, edited

        page.reload()  # the same address finds the same lookbook, as it was left
        expect(page.get_by_role("button", name="Reroll unlocked")).to_be_visible()
        assert page.get_by_role("textbox", name="Lookbook title").input_value() == "Spring capsule"
        assert _seeds(page) == edited and "lookbook=" in page.url

        page.get_by_role("button", name="Delete", exact=True).click()
        page.get_by_role("button", name="Delete page").dblclick()  # a double click deletes one page
        expect(page.get_by_role("button", name="Delete page")).to_have_count(0)
        page.wait_for_timeout(1500)
        assert page.get_by_text("· Look 0").count() == 2, page.get_by_text("· Look 0").all_inner_texts()

        page.get_by_text("Client version").click()
        # the downloads are redrawn for the client version: a click on the old button asks for a file that is gone
        expect(page.get_by_text("· client version")).to_be_visible()
        page.wait_for_timeout(1000)
        with page.expect_download() as info:
            page.get_by_role("button", name="Lookbook (PDF)").click()
        download = info.value
        assert download.suggested_filename == "spring-capsule-client.pdf"
        exported = tmp_path / download.suggested_filename
        download.save_as(exported)
        assert len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", exported.read_bytes())) == 2
        page.get_by_role("button", name="Preview page").click()
        expect(page.get_by_role("dialog")).to_be_visible()
        page.wait_for_timeout(1000)
        save_screenshot(page, tmp_path, "lookbook-client-preview.png")
        page.keyboard.press("Escape")

        assert page.locator('[data-testid="stException"]').count() == 0
        shot = save_screenshot(page, tmp_path, "lookbook.png", height_px=SCREENSHOT_HEIGHT_PX)  # editor and export
    assert shot.stat().st_size > 10_000
    assert not errors, errors
