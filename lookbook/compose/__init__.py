"""Lookbook composer: outfit templates, slot filling, colour harmony, page rendering, export and manifests.

Plain Python calls for every designer action (the Streamlit page stays thin):

    from lookbook.compose import Session, Studio
    session = Session.new(Studio.open(), template="casual", pages=2, seed=7)
    session.reroll(0, 1); session.lock(0, 0); session.reroll_all(0)
    session.save("look.json"); open("look.pdf", "wb").write(session.pdf())
"""

from lookbook.compose.book import LatentSpec, Lookbook, Page, Slot
from lookbook.compose.harmony import Harmony, Swatch, garment_palette, score_outfit
from lookbook.compose.outfit import GARMENTS, FillConfig, Garment
from lookbook.compose.render import Cover, PageView, RenderConfig, render_cover, render_page
from lookbook.compose.session import Session
from lookbook.compose.studio import Studio, default_classifier_path, default_generator_path
from lookbook.compose.templates import Template, TemplateSlot, get_template, load_templates, template_names

__all__ = [
    "GARMENTS",
    "Cover",
    "FillConfig",
    "Garment",
    "Harmony",
    "LatentSpec",
    "Lookbook",
    "Page",
    "PageView",
    "RenderConfig",
    "Session",
    "Slot",
    "Studio",
    "Swatch",
    "Template",
    "TemplateSlot",
    "default_classifier_path",
    "default_generator_path",
    "garment_palette",
    "get_template",
    "load_templates",
    "render_cover",
    "render_page",
    "score_outfit",
    "template_names",
]
