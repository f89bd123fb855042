"""Rendering and export: PNG pages, multi-page PDF, ZIP with manifest; empty lookbooks refused."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import zipfile

import numpy as np
import pytest
from PIL import Image

from lookbook.compose import LookbookEditor, RenderConfig
from lookbook.compose.export import page_name
from lookbook.compose.harmony import Harmony
from lookbook.compose.render import PageView, SlotView, grid_shape, page_size_px, render_page, upscale
from lookbook.errors import LookbookError


def pdf_page_count(data: bytes) -> int:
    """Page objects in a PDF (`/Type /Page`, not `/Pages`)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


@pytest.fixture(scope="module")
def editor(cond_studio):
    s = LookbookEditor.new(cond_studio, template="cs230", pages=3, seed=21, title="Test book")
    s.set_notes(0, "A note that is long enough to wrap onto a second line of the notes block at the bottom of the page.")
    return s


def test_png_is_an_a4_page_showing_the_garments(editor):
    png = editor.png(0)
    page = Image.open(io.BytesIO(png))
    assert page.format == "PNG" and page.size == page_size_px(150) == (1240, 1754)
    assert page.info["dpi"] == pytest.approx((150, 150), abs=0.05)  # PNG stores dots per metre
    pixels = np.asarray(page.convert("RGB"))
    # each garment's colour cast appears on the page (the upscaled image is pasted, not only its swatch)
    for g in editor.garments(0):
        mean = g.image.reshape(-1, 3).mean(axis=0)
        assert (np.abs(pixels.reshape(-1, 3).astype(int) - mean).sum(axis=1) < 30).sum() > 5000
    # the page background is the paper colour, not pure white or black
    assert tuple(pixels[5, 5]) == (246, 243, 238)


def test_pdf_has_one_a4_page_per_outfit(editor):
    data = editor.pdf()
    assert data.startswith(b"%PDF") and pdf_page_count(data) == 3
    # A4 is 595 x 842 points
    assert re.search(rb"/MediaBox \[ ?0 0 595\.2\d* 841\.\d+ ?\]", data)


def test_zip_holds_pngs_and_a_manifest_that_reopens(editor, cond_studio):
    with zipfile.ZipFile(io.BytesIO(editor.zip())) as zf:
        names = sorted(zf.namelist())
        assert names == ["manifest.json", "page_01.png", "page_02.png", "page_03.png"]
        Image.open(io.BytesIO(zf.read("page_02.png"))).verify()
        manifest = zf.read("manifest.json")
    assert json.loads(manifest)["title"] == "Test book"
    reopened = LookbookEditor.open(manifest, studio=cond_studio)
    assert np.array_equal(reopened.garments(2)[1].image, editor.garments(2)[1].image)


def test_export_writes_atomically_by_suffix(editor, tmp_path):
    for name in ("a.png", "b.pdf", "c.zip"):
        path = editor.export(tmp_path / name)
        assert path.stat().st_size > 10_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "b.pdf", "c.zip"]  # no temp files left
    with pytest.raises(LookbookError, match=r"use a \.png, \.pdf or \.zip"):
        editor.export(tmp_path / "d.tiff")


def test_empty_lookbook_export_is_refused(cond_studio, tmp_path):
    empty = LookbookEditor.new(cond_studio, pages=0)
    for call in (empty.pdf, empty.zip, lambda: empty.export(tmp_path / "x.png")):
        with pytest.raises(LookbookError, match="no pages to export"):
            call()
    assert not list(tmp_path.iterdir())


def test_footer_says_garments_are_upscaled(editor):
    view = editor.view(0)
    assert view.provenance.startswith("conditional generator") and "#" + editor.studio.generator_hash[:8] in view.provenance
    assert view.page_count == 3 and view.harmony.reason


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_layouts_for_every_slot_count_fit_the_page(n):
    rng = np.random.default_rng(n)
    from lookbook.compose.book import LatentSpec
    from lookbook.compose.outfit import Garment

    slots = tuple(
        SlotView(
            f"Slot {i}",
            Garment(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8), LatentSpec(i), None, ("shirt",), "jeans", 0.4),
            i,
        )
        for i in range(n)
    )
    view = PageView(
        "A title far too long to fit on one line of the page header, so it is cut", "", "x", slots, Harmony(50, "busy", "r", ())
    )
    page = render_page(view, RenderConfig(dpi=100))
    assert page.size == page_size_px(100)
    cols, rows = grid_shape(n)
    assert cols * rows >= n and rows <= 2


def test_placeholder_and_upscale():
    view = PageView("T", "", "x", (SlotView("Empty", None, 1),), Harmony(0, "none", "no garments to judge", ()))
    assert render_page(view).size == (1240, 1754)
    small = np.zeros((32, 32, 3), np.uint8)
    small[8:24, 8:24] = 200
    big = np.asarray(upscale(small, 256))
    assert big.shape == (256, 256, 3)
    assert big[128, 128].tolist() == [200, 200, 200] and big[5, 5].tolist() == [0, 0, 0]  # no ringing at the border
    assert page_name(7, 12) == "page_07.png" and page_name(7, 120) == "page_007.png"


def test_renders_with_pillows_own_font_when_no_ttf_is_installed(monkeypatch):
    from lookbook.compose import fonts, render

    monkeypatch.setattr(fonts, "_CANDIDATES", {face: ("no-such-font.ttf",) for face in fonts._CANDIDATES})
    for cached in (fonts.font, render._text_mask, render._text_length):
        cached.cache_clear()
    try:
        assert "DejaVu" not in fonts.family()
        view = PageView("Fallback", "notes", "x", (SlotView("Empty", None, 1),), Harmony(40, "clashing", "a reason", ()))
        page = np.asarray(render_page(view, RenderConfig(dpi=72)))
        assert page.shape == (842, 595, 3) and (page < 100).any()  # dark text was drawn
    finally:
        for cached in (fonts.font, render._text_mask, render._text_length):
            cached.cache_clear()


def _drawn_text(monkeypatch, draw) -> str:
    """Every string `draw()` puts on a page or cover."""
    from lookbook.compose import render

    seen: list[str] = []
    for name in ("text", "tracked"):
        original = getattr(render._Canvas, name)
        monkeypatch.setattr(
            render._Canvas, name, lambda self, xy, text, *a, _o=original, **k: seen.append(text) or _o(self, xy, text, *a, **k)
        )
    draw()
    return "\n".join(seen)


def test_the_client_version_leaves_out_seeds_confidences_disagreements_and_hashes(editor, monkeypatch):
    from lookbook.compose import Cover, render_cover

    view = editor.view(0)
    asked_wrong = dataclasses.replace(view.slots[0].garment, accepted=("jeans",))  # the classifier disagrees
    view = dataclasses.replace(view, slots=(SlotView("Shirt", asked_wrong, 1), *view.slots[1:]))
    working = _drawn_text(monkeypatch, lambda: render_page(view, RenderConfig(dpi=60)))
    client = _drawn_text(monkeypatch, lambda: render_page(view, RenderConfig(dpi=60, client=True)))
    for words in ("seed", "confidence", "Asked for jeans", editor.studio.generator_hash[:8], "Seeds:"):
        assert words in working and words not in client, words
    assert "Look 01" in client and "Test book" in client
    cover = _drawn_text(
        monkeypatch, lambda: render_cover(Cover("Test book", "Spring 2027", "6 December 2026"), RenderConfig(dpi=60))
    )
    assert "Test book" in cover and "Spring 2027" in cover and "6 DECEMBER 2026" in cover
    # a cover goes first in the PDF and the ZIP; the manifest keeps everything
    frozen = LookbookEditor(editor.studio, editor.lookbook, editor.fill_config, RenderConfig(dpi=60, client=True))
    frozen.cover = Cover("Test book")
    assert pdf_page_count(frozen.pdf()) == 4
    with zipfile.ZipFile(io.BytesIO(frozen.zip())) as zf:
        assert zf.namelist()[:2] == ["cover.png", "page_01.png"] and len(zf.namelist()) == 5
        assert json.loads(zf.read("manifest.json"))["pages"][0]["slots"][0]["seed"]
