"""Pages enlarge garments with the learned upscaler when checkpoints/ ships one, Lanczos otherwise, and say which."""

from __future__ import annotations

import numpy as np
import pytest

from lookbook.compose.book import LatentSpec
from lookbook.compose.harmony import Harmony
from lookbook.compose.outfit import Garment
from lookbook.compose.render import PageView, RenderConfig, SlotView, learned_upscaler, render_page, upscale, upscaling_note
from lookbook.models import upscaler as up
from lookbook.models.artifacts import save_model


@pytest.fixture()
def checkpoints(tmp_path, monkeypatch):
    monkeypatch.setenv("LOOKBOOK_CHECKPOINTS", str(tmp_path))
    return tmp_path


def page_text(monkeypatch, config: RenderConfig) -> str:
    from lookbook.compose import render

    seen: list[str] = []
    original = render._Canvas.text
    monkeypatch.setattr(
        render._Canvas, "text", lambda self, xy, text, *a, **k: seen.append(text) or original(self, xy, text, *a, **k)
    )
    image = np.random.default_rng(0).integers(0, 255, (16, 16, 3), dtype=np.uint8)
    slot = SlotView("Top", Garment(image, LatentSpec(1), None, ("shirt",), "shirt", 0.9), 1)
    render_page(PageView("T", "", "x", (slot,), Harmony(50, "calm", "r", ())), config)
    return "\n".join(seen)


def test_without_a_shipped_model_pages_use_lanczos(checkpoints, monkeypatch):
    assert learned_upscaler(RenderConfig()) is None
    assert "with Lanczos resampling and a light unsharp mask" in page_text(monkeypatch, RenderConfig(dpi=60))
    image = np.zeros((16, 16, 3), np.uint8)
    np.testing.assert_array_equal(np.asarray(upscale(image, 50)), up.lanczos_unsharp(image, 50))


def test_a_shipped_model_enlarges_garments_and_the_footer_names_it(checkpoints, monkeypatch):
    save_model(up.build_upscaler(features=4, residual_blocks=0), checkpoints / up.UPSCALER_FILE, {"kind": "upscaler"})
    learned = learned_upscaler(RenderConfig())
    assert learned is not None and learned.learned and learned_upscaler(RenderConfig()) is learned  # loaded once
    assert learned_upscaler(RenderConfig(upscaler="lanczos")) is None
    assert upscaling_note(learned, 60) == "the learned 4x upscaler (upscaler.keras)"
    tile = upscale(np.zeros((16, 16, 3), np.uint8), 50, learned=learned)
    assert tile.size == (50, 50)
    assert "with the learned 4x upscaler (upscaler.keras)" in page_text(monkeypatch, RenderConfig(dpi=60))
    assert "with Lanczos resampling" in page_text(monkeypatch, RenderConfig(dpi=60, upscaler="lanczos"))


def test_compose_command_has_the_switch():
    from lookbook.cli import build_parser

    parse = build_parser().parse_args
    assert parse(["compose", "--out", "x.pdf"]).upscaler == "learned"
    assert parse(["compose", "--out", "x.pdf", "--upscaler", "lanczos"]).upscaler == "lanczos"
    with pytest.raises(SystemExit):
        parse(["compose", "--out", "x.pdf", "--upscaler", "bicubic"])
