"""Lookbook composer: outfit templates, slot filling, colour harmony, page rendering, export and manifests.

Plain Python calls for every designer action (the Streamlit page stays thin):

    from lookbook.compose import LookbookEditor, Studio
    editor = LookbookEditor.new(Studio.open(), template="casual", pages=2, seed=7)
    editor.reroll(0, 1); editor.lock(0, 0); editor.reroll_all(0)
    editor.save("look.json"); open("look.pdf", "wb").write(editor.pdf())
"""

from lookbook.compose.book import LatentSpec, Lookbook, Page, Slot
from lookbook.compose.editor import LookbookEditor
from lookbook.compose.harmony import Harmony, Swatch, garment_palette, score_outfit
from lookbook.compose.outfit import GARMENTS, FillConfig, Garment
from lookbook.compose.render import Cover, PageView, RenderConfig, render_cover, render_page
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
    "LookbookEditor",
    "Page",
    "PageView",
    "RenderConfig",
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
