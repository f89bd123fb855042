"""Page layout: one outfit drawn as a print-ready A4 image (garments, labels, palettes, harmony, notes, provenance)."""

from __future__ import annotations

import functools
import hashlib
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from PIL import Image, ImageDraw

from lookbook import __version__
from lookbook.compose import framing
from lookbook.compose.cache import LRUCache
from lookbook.compose.fonts import FREETYPE_LOCK, Face, font
from lookbook.compose.harmony import Harmony, Swatch
from lookbook.compose.outfit import Garment
from lookbook.config import Config, check
from lookbook.data.taxonomy import display_name
from lookbook.models.upscaler import default_upscaler_path, lanczos_unsharp, load_upscaler

A4_INCHES = (210 / 25.4, 297 / 25.4)
BASE_DPI = 150  # layout sizes below are in pixels at this resolution and scale with the dpi

# A quiet, warm paper palette: garments carry the colour, the page stays neutral.
PAPER = (246, 243, 238)
CARD = (255, 255, 255)
INK = (31, 29, 26)
MUTED = (125, 117, 107)
HAIRLINE = (217, 210, 199)
ACCENT = (150, 112, 66)
WARNING = (176, 72, 46)

MARGIN, GUTTER, CAPTION = 84, 24, 132  # page margin, space between cards, caption block under each garment
TILES = LRUCache(maxsize=256)  # upscaled garments (images; JPEG bytes for screens) by (kind, digest, size, sharpening, method)
SCREEN_JPEG_QUALITY = 90  # tiles on screen: a third of the bytes of quality 100 (Streamlit's own), no visible loss
Upscaling = Literal["learned", "lanczos"]


@dataclass(frozen=True)
class RenderConfig(Config):
    """How pages are drawn."""

    dpi: int = 150  # print resolution of the A4 page: 1240 x 1754 px at 150 dpi
    sharpen_percent: int = 60  # strength of the light unsharp mask after the Lanczos upscale (0 = none)
    upscaler: Upscaling = "learned"  # garments enlarged by the learned 4x model when checkpoints/ ships one, else Lanczos
    client: bool = False  # the client version: no seeds, confidences, classifier disagreements or checkpoint hashes
    frame_garments: bool = True  # zoom a small piece (earrings, a ring, cufflinks) up to 2x to fill its tile (framing.py)

    def validate(self) -> None:
        check(50 <= self.dpi <= 600, f"dpi must be between 50 and 600, got {self.dpi}")
        check(0 <= self.sharpen_percent <= 300, f"sharpen_percent must be between 0 and 300, got {self.sharpen_percent}")


@dataclass(frozen=True)
class SlotView:
    """What a card shows."""

    name: str  # slot name from the template, e.g. "Shoes"
    garment: Garment | None  # None draws a placeholder
    seed: int


@dataclass(frozen=True)
class PageView:
    """Everything drawn on one page; built by the session, so rendering needs no models."""

    title: str
    notes: str
    template: str
    slots: tuple[SlotView, ...]
    harmony: Harmony
    lookbook_title: str = ""
    page_number: int = 1
    page_count: int = 1
    provenance: str = ""  # which checkpoints made the garments
    created: str = ""


@dataclass(frozen=True)
class Cover:
    """A cover page: the lookbook's title, an optional subtitle (season, client, collection) and a date line."""

    title: str
    subtitle: str = ""
    date: str = ""  # printed as typed, e.g. "Spring 2027" or "6 December 2026"


def page_size_px(dpi: int) -> tuple[int, int]:
    """A4 portrait in pixels at `dpi`."""
    return round(A4_INCHES[0] * dpi), round(A4_INCHES[1] * dpi)


def grid_shape(n: int) -> tuple[int, int]:
    """(columns, rows) for n garments: up to four in two columns (large), five or more in three."""
    cols = {1: 1, 2: 2, 3: 2, 4: 2}.get(n, 3)
    return cols, max(1, math.ceil(n / cols))


def upscale(image: np.ndarray, size_px: int, sharpen_percent: int = 60, learned: Any = None) -> Image.Image:
    """A garment enlarged for print: by the `learned` upscaler when given, else Lanczos and a light unsharp mask."""
    image = np.asarray(image, np.uint8)
    if learned is not None:
        return Image.fromarray(learned.to_size(image[None], size_px)[0])
    return Image.fromarray(lanczos_unsharp(image, size_px, sharpen_percent=sharpen_percent))


def learned_upscaler(config: RenderConfig) -> Any:
    """The learned upscaler `config` asks for and checkpoints/ holds (loaded once per file version), or None."""
    path = default_upscaler_path() if config.upscaler == "learned" else None
    return _load_upscaler(path, path.stat().st_mtime_ns) if path else None


@functools.lru_cache(maxsize=2)
def _load_upscaler(path: Path, mtime_ns: int) -> Any:
    return load_upscaler(path)


def upscaling_note(learned: Any, sharpen_percent: int) -> str:
    """How the page's garments were enlarged, in words for the footer and the page."""
    if learned is not None:
        return f"the learned 4x upscaler ({learned.path.name})"
    return f"Lanczos resampling{' and a light unsharp mask' if sharpen_percent else ''}"


def garment_tile(image: np.ndarray, size_px: int, config: RenderConfig, learned: Any = None) -> Image.Image:
    """A garment as a page or the screen shows it: framed when `config` says so, then enlarged to `size_px`."""
    return upscale(framing.frame(image) if config.frame_garments else image, size_px, config.sharpen_percent, learned)


def _tile(image: np.ndarray, size_px: int, config: RenderConfig, learned: Any = None) -> Image.Image:
    """An enlarged garment, cached: after a reroll only the changed slot is resampled."""
    key = _tile_key("image", image, size_px, config, learned)
    tile = TILES.get(key)
    if tile is None:
        tile = garment_tile(image, size_px, config, learned)
        TILES.put(key, tile)
    return tile


def _tile_key(kind: str, image: np.ndarray, size_px: int, config: RenderConfig, learned: Any) -> tuple:
    method = str(learned.path) if learned is not None else "lanczos"
    digest = hashlib.blake2b(np.ascontiguousarray(image).tobytes(), digest_size=16).digest()
    return (kind, digest, image.shape, size_px, config.sharpen_percent, config.frame_garments, method)


def screen_tile(image: np.ndarray, size_px: int, config: RenderConfig) -> bytes:
    """A garment enlarged the way `config` prints it, as JPEG bytes for a browser (encoded once per garment: a page
    redrawn after a reroll sends the unchanged tiles as they were)."""
    learned = learned_upscaler(config)
    key = _tile_key("jpeg", image, size_px, config, learned)
    data = TILES.get(key)
    if data is None:
        out = io.BytesIO()
        garment_tile(image, size_px, config, learned).save(out, format="JPEG", quality=SCREEN_JPEG_QUALITY)
        data = out.getvalue()
        TILES.put(key, data)
    return data


def render_page(view: PageView, config: RenderConfig | None = None) -> Image.Image:
    """The page as an RGB image (A4 portrait at `config.dpi`)."""
    config = config or RenderConfig()
    learned = learned_upscaler(config)
    c = _Canvas(config.dpi)
    left, right = c.px(MARGIN), c.width - c.px(MARGIN)

    # header: kicker line, title, rule
    y = c.px(MARGIN)
    c.tracked((left, y + c.px(14)), (view.lookbook_title or "Lookbook").upper(), "sans-bold", 13, MUTED)
    kicker = f"LOOK {view.page_number:02d} / {view.page_count:02d}   ·   {view.template.upper()}"
    c.tracked((right, y + c.px(14)), kicker, "sans-bold", 13, MUTED, align="right")
    c.text((left, y + c.px(78)), c.fit(view.title or "Untitled", "serif", 54, right - left), "serif", 54, INK)
    y_rule = y + c.px(106)
    c.rule(left, right, y_rule)

    # vertical budget: footer, notes and the palette band sit at the bottom; the garment grid gets the rest
    size_px = view.slots[0].garment.image.shape[0] if view.slots and view.slots[0].garment is not None else 0
    footer_top = c.height - c.px(MARGIN) - c.px(72)
    notes_h = c.px(118) if view.notes.strip() else 0
    band_top = footer_top - c.px(34) - notes_h - c.px(214)

    # grid of garment cards
    n = max(1, len(view.slots))
    cols, rows = grid_shape(n)
    gutter, caption = c.px(GUTTER), c.px(CAPTION)
    card_w = (right - left - (cols - 1) * gutter) / cols
    grid_top, grid_bottom = y_rule + c.px(34), band_top - c.px(40)
    image_h = int(min(card_w, (grid_bottom - grid_top - (rows - 1) * gutter) / rows - caption))
    grid_h = rows * (image_h + caption) + (rows - 1) * gutter
    # when the cards are width-bound (three columns), the palette band follows them and the spare height
    # collects above the footer, so the page reads top-down without floating gaps
    band_top -= max(0, grid_bottom - grid_top - grid_h)
    for i, slot in enumerate(view.slots):
        row, col = divmod(i, cols)
        in_row = min(cols, len(view.slots) - row * cols)
        x0 = left + (cols - in_row) * (card_w + gutter) / 2  # a short last row is centred
        x = round(x0 + col * (card_w + gutter))
        y_card = round(grid_top + row * (image_h + caption + gutter))
        _card(c, slot, x, y_card, round(card_w), image_h, config, learned)

    _band(c, view.harmony, left, right, band_top)
    if notes_h:
        y_notes = band_top + c.px(214)
        c.tracked((left, y_notes + c.px(14)), "NOTES", "sans-bold", 13, MUTED)
        lines = c.wrap(view.notes.strip(), "serif", 19, right - left, max_lines=3)
        for k, line in enumerate(lines):
            c.text((left, y_notes + c.px(46 + 28 * k)), line, "serif", 19, INK)

    c.rule(left, right, footer_top)
    seeds = "   ".join(f"{s.name} {s.garment.latent.describe() if s.garment else s.seed}" for s in view.slots)
    footer = (
        _client_footer(view)
        if config.client
        else [
            view.provenance or "Generated garments",
            f"Seeds: {seeds}",
            f"Garments generated at {size_px} px and upscaled to {image_h} px with "
            f"{upscaling_note(learned, config.sharpen_percent)}; colours are measured on the original pixels.",
            *_zoom_note(view, config),
            f"Lookbook designer {__version__}{'   ·   ' + view.created if view.created else ''}",
        ]
    )
    for k, line in enumerate(footer):
        c.text((left, footer_top + c.px(24 + 18 * k)), c.fit(line, "sans", 12, right - left), "sans", 12, MUTED)
    return c.image


def _zoom_note(view: PageView, config: RenderConfig) -> list[str]:
    """A footer line naming the small pieces zoomed to fill their tile (none when nothing was zoomed)."""
    if not config.frame_garments:
        return []
    zooms = [(s.name, framing.zoom(s.garment.image)) for s in view.slots if s.garment]
    zoomed = [f"{name} {z:.1f}x" for name, z in zooms if z > 1]
    return [f"Small pieces zoomed to fill their tile before upscaling: {', '.join(zoomed)}"] if zoomed else []


def _client_footer(view: PageView) -> list[str]:
    """What a client's copy says at the foot of a page: whose lookbook, which page, when (no models, seeds or hashes)."""
    date = view.created.split(" ")[0]
    return [f"{view.lookbook_title or 'Lookbook'}   ·   {view.page_number} / {view.page_count}{'   ·   ' + date if date else ''}"]


def render_cover(cover: Cover, config: RenderConfig | None = None) -> Image.Image:
    """A cover page (A4 portrait at `config.dpi`): title, subtitle and date, set large on the paper colour."""
    c = _Canvas((config or RenderConfig()).dpi)
    left, right = c.px(MARGIN), c.width - c.px(MARGIN)
    mid = c.height * 0.42
    c.tracked((left, mid - c.px(120)), "LOOKBOOK", "sans-bold", 15, MUTED)
    c.rule(left, right, round(mid - c.px(96)))
    lines = c.wrap(cover.title or "Lookbook", "serif", 78, right - left, max_lines=3)
    for k, line in enumerate(lines):
        c.text((left, mid + c.px(96 * k)), line, "serif", 78, INK)
    y = mid + c.px(96 * (len(lines) - 1))
    if cover.subtitle.strip():
        for k, line in enumerate(c.wrap(cover.subtitle.strip(), "serif-italic", 30, right - left, max_lines=2)):
            y += c.px(58 if k == 0 else 40)
            c.text((left, y), line, "serif-italic", 30, MUTED)
    if cover.date.strip():
        c.tracked((left, c.height - c.px(MARGIN) - c.px(10)), cover.date.strip().upper(), "sans-bold", 14, ACCENT)
    return c.image


def _card(c: _Canvas, slot: SlotView, x: int, y: int, w: int, image_h: int, config: RenderConfig, learned: Any = None) -> None:
    """One garment: image panel on top, caption (slot, label, swatches; confidence, seed and any disagreement unless
    for a client) below."""
    g = slot.garment
    h = image_h + c.px(CAPTION)
    c.draw.rectangle((x, y, x + w - 1, y + h - 1), fill=CARD)
    if g is not None:
        # the panel takes the garment's own background colour, so the square image sits in it seamlessly
        c.draw.rectangle((x, y, x + w - 1, y + image_h), fill=tuple(int(v) for v in framing.background(g.image)))
        c.image.paste(_tile(g.image, image_h, config, learned), (x + (w - image_h) // 2, y))
    else:
        c.draw.rectangle((x, y, x + w - 1, y + image_h), fill=(239, 235, 228))
        c.text((x + w // 2, y + image_h // 2), "no garment", "serif-italic", 20, MUTED, anchor="mm")
    c.draw.rectangle((x, y, x + w - 1, y + h - 1), outline=HAIRLINE, width=max(1, c.px(1)))
    pad = c.px(18)
    tx, ty = x + pad, y + image_h
    c.tracked((tx, ty + c.px(28)), slot.name.upper(), "sans-bold", 12, MUTED)
    if g is None:
        return
    swatches = g.palette
    chip, gap = c.px(18), c.px(5)
    sw_left = x + w - pad - len(swatches) * chip - (len(swatches) - 1) * gap
    label_w = sw_left - tx - c.px(10)
    c.text((tx, ty + c.px(62)), c.fit(display_name(g.label), "serif", 26, label_w), "serif", 26, INK)
    for k, s in enumerate(swatches):
        sx = sw_left + k * (chip + gap)
        c.draw.rectangle((sx, ty + c.px(44), sx + chip, ty + c.px(44) + chip), fill=s.rgb, outline=HAIRLINE)
    if config.client:
        return
    n_var = len(g.latent.variations)
    metas = [
        f"{g.confidence:.0%} confidence   ·   seed {g.latent.describe()}",
        f"{g.confidence:.0%} confidence · seed {g.latent.seed}{f' ~{n_var}' if n_var else ''}",
        f"{g.confidence:.0%} · seed {g.latent.seed}{f' ~{n_var}' if n_var else ''}",
    ]
    meta = next((m for m in metas if c.textlength(m, "sans", 14) <= w - 2 * pad), metas[-1])
    c.text((tx, ty + c.px(90)), c.fit(meta, "sans", 14, w - 2 * pad), "sans", 14, MUTED)
    if not g.ok:
        note = (
            f"No {g.wanted} found: closest of {g.tried} candidates"
            if g.tried > 1
            else f"Asked for {g.wanted}; the classifier disagrees"
        )
        c.text((tx, ty + c.px(114)), c.fit(note, "sans", 13, w - 2 * pad), "sans", 13, WARNING)


def _band(c: _Canvas, harmony: Harmony, left: int, right: int, top: int) -> None:
    """Outfit palette on the left, the harmony score and its reason on the right."""
    split = left + round((right - left) * 0.56)
    c.rule(left, right, top)
    c.tracked((left, top + c.px(38)), "OUTFIT PALETTE", "sans-bold", 13, MUTED)
    chip, gap = c.px(64), c.px(20)
    for k, s in enumerate(harmony.palette[:6]):
        _chip(c, s, left + k * (chip + gap), top + c.px(60), chip)
    x = split + c.px(28)
    c.draw.line((split, top + c.px(24), split, top + c.px(196)), fill=HAIRLINE, width=max(1, c.px(1)))
    c.tracked((x, top + c.px(38)), "COLOUR HARMONY", "sans-bold", 13, MUTED)
    score = str(harmony.score)
    c.text((x - c.px(4), top + c.px(128)), score, "sans-light", 80, INK)
    sx = x + c.textlength(score, "sans-light", 80) + c.px(4)
    c.text((sx, top + c.px(128)), "/100", "sans", 18, MUTED)
    bx = sx + c.textlength("/100", "sans", 18) + c.px(26)
    c.text((bx, top + c.px(92)), harmony.scheme.capitalize(), "serif-italic", 24, INK)
    bar_w = right - bx
    c.draw.rectangle((bx, top + c.px(108), bx + bar_w, top + c.px(111)), fill=HAIRLINE)
    c.draw.rectangle((bx, top + c.px(108), bx + round(bar_w * harmony.score / 100), top + c.px(111)), fill=ACCENT)
    for k, line in enumerate(c.wrap(harmony.reason[:1].upper() + harmony.reason[1:], "sans", 16, right - x, max_lines=3)):
        c.text((x, top + c.px(160 + 22 * k)), line, "sans", 16, INK)


def _chip(c: _Canvas, s: Swatch, x: int, y: int, size: int) -> None:
    c.draw.rounded_rectangle((x, y, x + size, y + size), radius=c.px(6), fill=s.rgb, outline=HAIRLINE, width=max(1, c.px(1)))
    c.text((x, y + size + c.px(24)), c.fit(s.name, "sans", 14, size + c.px(16)), "sans", 14, INK)
    c.text((x, y + size + c.px(42)), s.hex, "sans", 12, MUTED)


class _Canvas:
    """A page image with type helpers; sizes are given at BASE_DPI and scaled to the target dpi."""

    def __init__(self, dpi: int):
        self.u = dpi / BASE_DPI
        self.width, self.height = page_size_px(dpi)
        self.image = Image.new("RGB", (self.width, self.height), PAPER)
        self.draw = ImageDraw.Draw(self.image)

    def px(self, base: float) -> int:
        return round(base * self.u)

    def text(self, xy, text: str, face: Face, size: float, fill, anchor: str = "ls") -> None:
        self._paste(xy, _text_mask(text, face, self.px(size), 0, anchor), fill)

    def textlength(self, text: str, face: Face, size: float) -> int:
        return _text_length(text, face, self.px(size))

    def tracked(self, xy, text: str, face: Face, size: float, fill, align: str = "left", tracking: float = 2.2) -> None:
        """Letter-spaced small capitals for kickers and labels (baseline at y)."""
        mask = _text_mask(text, face, self.px(size), self.px(tracking), "ls")
        x, y = xy
        self._paste((x - mask[0].width if align == "right" else x, y), mask, fill)

    def _paste(self, xy, mask: tuple[Image.Image, int, int], fill) -> None:
        image, dx, dy = mask
        self.image.paste(fill, (round(xy[0]) + dx, round(xy[1]) + dy), image)

    def rule(self, x0: int, x1: int, y: int) -> None:
        self.draw.line((x0, y, x1, y), fill=HAIRLINE, width=max(1, self.px(1)))

    def fit(self, text: str, face: Face, size: float, width: float) -> str:
        """`text`, cut with an ellipsis if wider than `width`."""
        if self.textlength(text, face, size) <= width:
            return text
        while text and self.textlength(text + "…", face, size) > width:
            text = text[:-1]
        return text.rstrip() + "…"

    def wrap(self, text: str, face: Face, size: float, width: float, max_lines: int = 3) -> list[str]:
        """Greedy word wrap; the last line is ellipsised when text remains."""
        lines: list[str] = []
        for paragraph in text.splitlines() or [""]:
            line = ""
            for word in paragraph.split():
                trial = f"{line} {word}".strip()
                if line and self.textlength(trial, face, size) > width:
                    lines.append(line)
                    line = word
                else:
                    line = trial
            lines.append(line)
        if len(lines) > max_lines:
            lines = [*lines[: max_lines - 1], self.fit(" ".join(lines[max_lines - 1 :]) + " …", face, size, width)]
        return [self.fit(line, face, size, width) for line in lines]


@functools.lru_cache(maxsize=8192)
def _text_length(text: str, face: Face, size_px: int) -> int:
    with FREETYPE_LOCK:
        return round(font(face, size_px).getlength(text))


@functools.lru_cache(maxsize=2048)
def _text_mask(text: str, face: Face, size_px: int, tracking_px: int, anchor: str) -> tuple[Image.Image, int, int]:
    """(coverage mask, dx, dy): text rendered once and pasted at (x + dx, y + dy) for the anchor point (x, y).

    Cached because most strings (kickers, names, footers) repeat on every page and after every reroll.
    """
    with FREETYPE_LOCK:
        return _render_mask(text, font(face, size_px), size_px, tracking_px, anchor)


def _render_mask(text: str, f, size_px: int, tracking_px: int, anchor: str) -> tuple[Image.Image, int, int]:
    if not tracking_px:
        x0, y0, x1, y1 = (int(v) for v in f.getbbox(text or " ", anchor=anchor))
        mask = Image.new("L", (max(1, x1 - x0), max(1, y1 - y0)))
        ImageDraw.Draw(mask).text((-x0, -y0), text, font=f, fill=255, anchor=anchor)
        return mask, x0, y0
    ascent, descent = f.getmetrics() if hasattr(f, "getmetrics") else (size_px, size_px // 4)
    widths = [f.getlength(ch) for ch in text]
    mask = Image.new("L", (max(1, math.ceil(sum(widths) + tracking_px * max(0, len(text) - 1))), ascent + descent))
    draw, x = ImageDraw.Draw(mask), 0.0
    for ch, w in zip(text, widths):
        draw.text((x, ascent), ch, font=f, fill=255, anchor="ls")
        x += w + tracking_px
    return mask, 0, -ascent
