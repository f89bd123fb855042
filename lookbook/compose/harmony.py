"""Colour harmony: each garment's dominant colours (white product background ignored) and an outfit score 0-100.

Colours are clustered in CIELAB (perceptual distances); relations are judged on the painter's RYB colour wheel,
where red-green and blue-orange are complements, as designers expect.
"""

from __future__ import annotations

import colorsys
import functools
import itertools
import re
from dataclasses import dataclass

import numpy as np

# Fashion colour names (sRGB). Nearest in Lab names a swatch.
NAMED_COLOURS: dict[str, tuple[int, int, int]] = {
    "black": (22, 22, 24),
    "charcoal": (58, 62, 68),
    "grey": (128, 128, 130),
    "silver": (192, 192, 196),
    "white": (246, 246, 244),
    "cream": (242, 232, 208),
    "beige": (216, 198, 168),
    "taupe": (150, 132, 118),
    "camel": (193, 154, 107),
    "tan": (176, 136, 96),
    "brown": (112, 74, 48),
    "chocolate": (66, 40, 28),
    "dark brown": (88, 66, 54),
    "navy": (30, 38, 78),
    "blue": (42, 92, 188),
    "denim": (78, 106, 148),
    "slate": (84, 96, 112),
    "pale blue": (196, 210, 232),
    "sky blue": (138, 190, 232),
    "teal": (0, 120, 124),
    "turquoise": (64, 196, 200),
    "green": (44, 132, 64),
    "dark green": (36, 78, 52),
    "olive": (108, 108, 52),
    "khaki": (186, 176, 124),
    "mint": (170, 226, 192),
    "yellow": (242, 208, 52),
    "mustard": (206, 158, 40),
    "orange": (238, 126, 40),
    "rust": (168, 72, 34),
    "red": (200, 32, 44),
    "burgundy": (112, 24, 44),
    "pink": (238, 150, 180),
    "fuchsia": (200, 44, 126),
    "blush": (234, 198, 192),
    "coral": (244, 122, 100),
    "purple": (112, 52, 142),
    "lavender": (190, 172, 222),
    "plum": (92, 42, 82),
}
# Low-chroma colours read as neutral; so do these pale warm tones, by fashion convention.
NEUTRAL_NAMES = frozenset({"black", "charcoal", "grey", "silver", "white", "cream", "beige", "taupe"})
NEUTRAL_CHROMA = 12.0  # Lab chroma below which a colour is neutral
SAME_COLOUR_DE = 14.0  # Lab distance under which two swatches are one colour
SMALL_ITEM_SHARE = 0.06  # a foreground under this share of the image is a small item or a flooded white garment
MIN_ITEM_PIXELS = 12  # fewer foreground pixels than this are edge noise, not an item
PALE_L = 85.0  # Lab lightness from which a pixel is a pale edge of white (a small item is mostly darker)

# Pair score by hue distance on the RYB wheel (degrees): analogous (<= 65) and complementary (>= 140) score
# high, triadic (~120) well, and the gap between analogous and triadic (~80) clashes.
_PAIR_CURVE_DEG = (0, 30, 60, 80, 95, 120, 150, 180)
_PAIR_CURVE_SCORE = (84, 90, 84, 52, 58, 78, 86, 90)


@dataclass(frozen=True)
class Swatch:
    """One dominant colour."""

    rgb: tuple[int, int, int]
    share: float  # fraction of the garment's (or outfit's) visible pixels, 0-1

    @property
    def hex(self) -> str:
        return "#{:02X}{:02X}{:02X}".format(*self.rgb)

    @functools.cached_property
    def lab(self) -> np.ndarray:
        return rgb_to_lab(np.array(self.rgb, np.float64))

    @property
    def chroma(self) -> float:
        return float(np.hypot(self.lab[1], self.lab[2]))

    @property
    def name(self) -> str:
        return colour_name(self.rgb)

    @property
    def neutral(self) -> bool:
        return self.chroma < NEUTRAL_CHROMA or self.name in NEUTRAL_NAMES

    @property
    def hue_ryb(self) -> float:
        """Hue on the painter's wheel, degrees."""
        return ryb_hue(self.rgb)


@dataclass(frozen=True)
class Harmony:
    """How well an outfit's colours go together."""

    score: int  # 0-100
    scheme: str  # neutral | neutral balance | monochrome | tonal | analogous | complementary | triadic | clashing | busy
    reason: str  # one line, e.g. "navy shirt and camel jeans are complementary, anchored by white sports shoes"
    palette: tuple[Swatch, ...]  # the outfit's colours, most prominent first


# --- colour maths --------------------------------------------------------------------------------------------


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (0-255, shape (..., 3)) -> CIELAB under D65."""
    c = np.asarray(rgb, np.float64) / 255.0
    lin = np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)
    xyz = lin @ np.array([[0.4124, 0.2126, 0.0193], [0.3576, 0.7152, 0.1192], [0.1805, 0.0722, 0.9505]])
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


@functools.cache
def _named_lab() -> tuple[list[str], np.ndarray]:
    return list(NAMED_COLOURS), rgb_to_lab(np.array(list(NAMED_COLOURS.values()), np.float64))


@functools.lru_cache(maxsize=4096)
def colour_name(rgb: tuple[int, int, int]) -> str:
    """The nearest fashion colour name."""
    names, labs = _named_lab()
    return names[int(np.argmin(np.linalg.norm(labs - rgb_to_lab(np.array(rgb, np.float64)), axis=1)))]


def ryb_hue(rgb: tuple[int, int, int]) -> float:
    """HSV hue remapped to the red-yellow-blue wheel (yellow at 120 degrees, green at 180)."""
    h = colorsys.rgb_to_hsv(*(v / 255.0 for v in rgb))[0] * 360  # greys get hue 0
    return float(np.interp(h, [0, 30, 60, 120, 180, 240, 300, 360], [0, 60, 120, 180, 210, 240, 300, 360]))


def hue_distance(a: float, b: float) -> float:
    """Angle between two hues, 0-180 degrees."""
    d = abs(a - b) % 360
    return min(d, 360 - d)


# --- palettes ------------------------------------------------------------------------------------------------


def foreground_mask(image: np.ndarray) -> np.ndarray:
    """True where the garment is: near-white pixels connected to the border are product background."""
    px = image.astype(np.int16)
    white = (px.min(axis=-1) >= 224) & (np.ptp(px, axis=-1) <= 24)
    bg = np.zeros_like(white)
    bg[0, :], bg[-1, :], bg[:, 0], bg[:, -1] = white[0, :], white[-1, :], white[:, 0], white[:, -1]
    for _ in range(white.size):  # flood fill by repeated 4-neighbour dilation; converges in ~image-size steps
        grown = bg.copy()
        grown[1:, :] |= bg[:-1, :]
        grown[:-1, :] |= bg[1:, :]
        grown[:, 1:] |= bg[:, :-1]
        grown[:, :-1] |= bg[:, 1:]
        grown &= white
        if np.array_equal(grown, bg):
            break
        bg = grown
    return ~bg


def garment_palette(image: np.ndarray, max_colours: int = 3, max_pixels: int = 1536) -> tuple[Swatch, ...]:
    """Dominant colours of one garment image (uint8 (S, S, 3)), most prominent first; shares sum to 1."""
    pixels = _garment_pixels(image)
    pixels = pixels[:: max(1, len(pixels) // max_pixels)].astype(np.float64)
    labs = rgb_to_lab(pixels)
    assign = _kmeans(labs, max_colours)
    swatches = []
    for k in np.unique(assign):
        members = assign == k
        swatches.append((members.mean(), labs[members].mean(axis=0), pixels[members].mean(axis=0)))
    return _merge(swatches, SAME_COLOUR_DE, max_colours, min_share=0.04)


def _garment_pixels(image: np.ndarray) -> np.ndarray:
    """The garment's pixels (n, 3): the foreground, unless the background flood took the garment with it."""
    fg = image[foreground_mask(image)]
    if len(fg) >= SMALL_ITEM_SHARE * image.shape[0] * image.shape[1]:
        return fg
    # A small foreground is either a small item (earrings, a ring, cufflinks: keep its pixels) or the pale edges of a
    # white garment on a white background, which the flood took almost entirely (then the garment *is* the white).
    if len(fg) >= MIN_ITEM_PIXELS and np.mean(rgb_to_lab(fg.astype(np.float64))[:, 0] < PALE_L) >= 0.5:
        return fg
    return image.reshape(-1, 3)


def outfit_palette(palettes: list[tuple[Swatch, ...]], max_colours: int = 6) -> tuple[Swatch, ...]:
    """One palette for several garments (each garment weighs the same), similar colours merged."""
    palettes = [p for p in palettes if p]
    entries = [(s.share / len(palettes), s.lab, np.array(s.rgb, np.float64)) for p in palettes for s in p]
    return _merge(entries, SAME_COLOUR_DE, max_colours, min_share=0.0)


def _kmeans(x: np.ndarray, k: int, iterations: int = 10) -> np.ndarray:
    """Cluster labels of `x` (n, d); k-means++ seeded with a fixed RNG, so a garment always gets the same palette."""
    k = min(k, len(np.unique(x.round(1), axis=0)))
    rng = np.random.default_rng(0)
    centres = [x[rng.integers(len(x))]]
    for _ in range(1, k):
        d2 = np.min([((x - c) ** 2).sum(axis=1) for c in centres], axis=0)
        centres.append(x[rng.choice(len(x), p=d2 / d2.sum())])
    c = np.array(centres)
    assign = np.zeros(len(x), int)
    for _ in range(iterations):
        assign = ((x[:, None, :] - c[None]) ** 2).sum(axis=2).argmin(axis=1)
        new = np.array([x[assign == j].mean(axis=0) if (assign == j).any() else c[j] for j in range(len(c))])
        if np.allclose(new, c):
            break
        c = new
    return assign


def _merge(entries: list[tuple[float, np.ndarray, np.ndarray]], tolerance: float, limit: int, min_share: float):
    """(share, lab, rgb) entries -> Swatches: close colours merged (share-weighted), biggest first."""
    merged: list[list] = []
    for share, lab, rgb in sorted(entries, key=lambda e: -e[0]):
        for m in merged:
            if np.linalg.norm(m[1] - lab) < tolerance:
                w = m[0] + share
                m[1], m[2], m[0] = (m[1] * m[0] + lab * share) / w, (m[2] * m[0] + rgb * share) / w, w
                break
        else:
            merged.append([share, np.asarray(lab, np.float64), np.asarray(rgb, np.float64)])
    merged.sort(key=lambda m: -m[0])
    kept = [m for m in merged[:limit] if m[0] >= min_share] or merged[:1]
    total = sum(m[0] for m in kept) or 1.0
    return tuple(Swatch(tuple(round(v) for v in np.clip(m[2], 0, 255)), m[0] / total) for m in kept)


# --- the outfit score ----------------------------------------------------------------------------------------


def pair_relation(a: Swatch, b: Swatch) -> tuple[str, float]:
    """(relation, score 0-100) of two chromatic colours from their distance on the RYB wheel."""
    d = hue_distance(a.hue_ryb, b.hue_ryb)
    score = float(np.interp(d, _PAIR_CURVE_DEG, _PAIR_CURVE_SCORE))
    if d < 15:
        return "tonal", score
    if d <= 65:
        return "analogous", score
    if d < 95:
        return "clashing", score
    if d < 140:
        return "triadic", score
    return "complementary", score


def short_name(category_display: str) -> str:
    """ "Jacket / blazer" -> "jacket", "Shoes (type unknown)" -> "shoes"."""
    return re.split(r" / | \(", category_display)[0].strip().lower()


def score_outfit(garments: list[tuple[str, tuple[Swatch, ...]]]) -> Harmony:
    """Harmony of garments given as (noun, palette), e.g. ("jeans", palette); judged on each main colour."""
    garments = [(noun, pal) for noun, pal in garments if pal]
    palette = outfit_palette([p for _, p in garments])
    if not garments:
        return Harmony(0, "none", "no garments to judge", ())
    items = [(f"{pal[0].name} {noun}", pal[0]) for noun, pal in garments]
    neutrals = [text for text, s in items if s.neutral]
    groups: list[tuple[Swatch, list[str]]] = []  # chromatic colours, repeats of one colour grouped
    for text, s in items:
        if s.neutral:
            continue
        for rep, texts in groups:
            if np.linalg.norm(rep.lab - s.lab) < SAME_COLOUR_DE:
                texts.append(text)
                break
        else:
            groups.append((s, [text]))
    anchor = f", anchored by {_join(neutrals)}" if neutrals else ""
    anchor_bonus = min(6, 3 * len(neutrals))
    if not groups:
        lightness = [s.lab[0] for _, s in items]
        spread = max(lightness) - min(lightness)
        contrast = "crisp light-dark contrast" if spread > 50 else "soft, low contrast"
        return Harmony(round(72 + min(16.0, spread / 5)), "neutral", f"all neutrals ({_join(neutrals)}): {contrast}", palette)
    if len(groups) == 1:
        texts = groups[0][1]
        if neutrals:
            return Harmony(88, "neutral balance", f"{_join(texts)} stand{'s' if len(texts) == 1 else ''} out{anchor}", palette)
        return Harmony(80, "monochrome", f"head to toe in {groups[0][0].name}: a monochrome look", palette)
    pairs = [(a, b, *pair_relation(a[0], b[0])) for a, b in itertools.combinations(groups, 2)]
    mean = float(np.mean([p[3] for p in pairs]))
    if len(groups) == 3 and all(hue_distance(a[0].hue_ryb, b[0].hue_ryb) >= 95 for a, b, *_ in pairs):
        score, scheme = 80.0 + anchor_bonus, "triadic"
        reason = f"{_join([g[1][0] for g in groups])} form a triad{anchor}"
    elif len(groups) > 3:
        score, scheme = mean - 8 * (len(groups) - 3) + anchor_bonus / 2, "busy"
        reason = f"{len(groups)} strong colours compete ({_join([g[0].name for g in groups])}); a neutral would calm it"
    else:
        a, b, relation, _ = min(pairs, key=lambda p: p[3]) if len(pairs) > 1 else pairs[0]
        score, scheme = mean + anchor_bonus, relation
        verb = {
            "tonal": "are tonal shades of one hue",
            "analogous": "are analogous (neighbours on the colour wheel)",
            "clashing": "clash (neither analogous nor complementary)",
            "triadic": "are a triadic pair",
            "complementary": "are complementary",
        }[relation]
        reason = f"{a[1][0]} and {b[1][0]} {verb}{anchor}"
    return Harmony(round(np.clip(score, 0, 100)), scheme, reason, palette)


def _join(words: list[str], limit: int = 3) -> str:
    words = list(dict.fromkeys(words))
    if len(words) > limit:
        words = [*words[:limit], f"{len(words) - limit} more"]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
