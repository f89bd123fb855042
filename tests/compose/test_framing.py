"""Framing: small pieces zoomed to fill their tile, everything else drawn as generated; the page says which were."""

from __future__ import annotations

import numpy as np
import pytest

from lookbook.compose import RenderConfig, framing
from lookbook.compose.book import LatentSpec
from lookbook.compose.harmony import Harmony
from lookbook.compose.outfit import Garment
from lookbook.compose.render import PageView, SlotView, garment_tile, render_page


def on_white(top: int, left: int, size: int, side: int = 64) -> np.ndarray:
    """A dark square garment of `size` px at (top, left) on a white `side` px product shot."""
    image = np.full((side, side, 3), 250, np.uint8)
    image[top : top + size, left : left + size] = (40, 30, 120)
    return image


def test_a_small_piece_is_zoomed_so_it_spans_three_quarters_of_its_tile():
    image = on_white(20, 24, 16)
    assert framing.content_box(image) == (20, 24, 36, 40)
    framed = framing.frame(image)
    assert framed.shape == (32, 32, 3)  # 16 / 0.75 = 21 px would be 3x: capped at 2x
    assert framing.zoom(image) == 2.0
    mid = on_white(16, 16, 30)
    assert framing.frame(mid).shape == (40, 40, 3) and framing.zoom(mid) == pytest.approx(1.6)  # 30 / 0.75
    box = framing.content_box(framing.frame(mid))
    assert box is not None and box[2] - box[0] == 30  # the whole garment, centred
    assert box[0] == 5 and box[1] == 5


def test_garments_that_fill_their_image_or_blank_images_are_left_as_generated():
    for image in (on_white(4, 4, 56), on_white(10, 10, 40), np.full((64, 64, 3), 250, np.uint8)):
        assert framing.frame(image) is image and framing.zoom(image) == 1.0


def test_a_piece_near_the_edge_stays_whole_and_a_stray_speck_does_not_stretch_the_frame():
    corner = on_white(0, 46, 18)
    y, x, side = framing.crop_square(corner)
    assert (y, x) == (0, 64 - side) and side == 32  # shifted inside the image, garment kept whole
    specked = on_white(20, 24, 16)
    specked[62, 1] = (0, 0, 0)  # one dark pixel in a corner
    assert framing.content_box(specked) == (20, 24, 36, 40)


def test_a_grey_background_is_the_background():
    image = on_white(24, 24, 14)
    image[image == 250] = 180
    assert framing.content_box(image) == (24, 24, 38, 38) and framing.frame(image).shape == (32, 32, 3)


def test_tiles_and_pages_zoom_only_when_asked_and_the_footer_names_what_was_zoomed(monkeypatch):
    ring = on_white(26, 26, 12)
    zoomed = np.asarray(garment_tile(ring, 128, RenderConfig(upscaler="lanczos")))
    plain = np.asarray(garment_tile(ring, 128, RenderConfig(upscaler="lanczos", frame_garments=False)))
    dark = (zoomed.mean(axis=2) < 120).mean(), (plain.mean(axis=2) < 120).mean()
    assert dark[0] == pytest.approx(4 * dark[1], rel=0.15)  # twice as wide, twice as tall

    lines: list[str] = []
    from lookbook.compose import render

    real_text = render._Canvas.text

    def record(self, xy, text, *args, **kwargs):
        lines.append(text)
        return real_text(self, xy, text, *args, **kwargs)

    monkeypatch.setattr(render._Canvas, "text", record)
    shirt = on_white(2, 2, 60)
    slots = tuple(
        SlotView(name, Garment(image, LatentSpec(i), None, ("ring",), "ring", 0.9), i)
        for i, (name, image) in enumerate((("Ring", ring), ("Shirt", shirt)))
    )
    view = PageView("T", "", "x", slots, Harmony(50, "neutral", "r", ()))
    render_page(view, RenderConfig(dpi=100, upscaler="lanczos"))
    assert "Small pieces zoomed to fill their tile before upscaling: Ring 2.0x" in lines
    lines.clear()
    render_page(view, RenderConfig(dpi=100, upscaler="lanczos", frame_garments=False))
    assert not any(line.startswith("Small pieces zoomed") for line in lines)


def test_compose_command_can_turn_zooming_off():
    from lookbook.cli import build_parser

    parse = build_parser().parse_args
    assert not parse(["compose", "--out", "x.pdf"]).no_zoom
    assert parse(["compose", "--out", "x.pdf", "--no-zoom"]).no_zoom
