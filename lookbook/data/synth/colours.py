"""Colours: FPID's own colour vocabulary (so `baseColour` names the colour actually drawn), palettes and tone maths."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from lookbook.data.synth.sampling import choose

RGB = tuple[int, int, int]

COLOURS: dict[str, RGB] = {
    "Black": (30, 30, 33),
    "White": (244, 244, 240),
    "Off White": (236, 231, 218),
    "Cream": (238, 226, 196),
    "Grey": (138, 140, 145),
    "Grey Melange": (168, 168, 170),
    "Charcoal": (64, 66, 71),
    "Silver": (196, 198, 202),
    "Steel": (150, 157, 166),
    "Navy Blue": (34, 44, 86),
    "Blue": (50, 98, 178),
    "Turquoise Blue": (40, 168, 188),
    "Teal": (22, 118, 124),
    "Red": (192, 36, 44),
    "Maroon": (112, 30, 42),
    "Burgundy": (126, 34, 58),
    "Rust": (168, 82, 42),
    "Orange": (234, 124, 42),
    "Pink": (234, 150, 172),
    "Peach": (244, 188, 160),
    "Magenta": (192, 42, 128),
    "Purple": (108, 62, 140),
    "Lavender": (188, 170, 220),
    "Mauve": (168, 120, 142),
    "Yellow": (238, 204, 62),
    "Mustard": (204, 158, 42),
    "Lime Green": (150, 200, 60),
    "Green": (48, 128, 70),
    "Olive": (108, 108, 58),
    "Sea Green": (60, 158, 120),
    "Beige": (212, 194, 162),
    "Khaki": (178, 162, 118),
    "Tan": (188, 138, 88),
    "Brown": (108, 68, 40),
    "Coffee Brown": (78, 50, 36),
    "Nude": (224, 186, 158),
    "Gold": (208, 172, 60),
    "Copper": (184, 110, 64),
}
DENIM: dict[str, RGB] = {"Blue": (64, 96, 148), "Navy Blue": (38, 52, 90), "Black": (44, 44, 50), "Grey": (116, 120, 128)}
SKIN: tuple[RGB, ...] = ((241, 204, 178), (226, 178, 142), (198, 144, 104), (160, 108, 72), (112, 74, 50))
HAIR: tuple[RGB, ...] = ((30, 24, 20), (62, 42, 28), (104, 70, 40), (168, 128, 80), (46, 40, 38))

# Weighted colour names per garment family ("name:weight, ...").
PALETTES: dict[str, str] = {
    "basic": "Black:4, White:4, Navy Blue:3, Grey Melange:2, Blue:2, Red:2, Green:1, Olive:1, Maroon:1, Yellow:1, Pink:1, "
    "Teal:1, Mustard:1",
    "shirt": "White:4, Blue:3, Navy Blue:2, Black:1, Grey:1, Pink:1, Green:1, Maroon:1, Olive:1, Cream:1, Lavender:1",
    "women": "Pink:2, White:2, Black:2, Red:1, Peach:1, Lavender:1, Yellow:1, Blue:1, Navy Blue:1, Green:1, Purple:1, "
    "Cream:1, Teal:1, Mauve:1, Magenta:1, Sea Green:1",
    "knit": "Grey Melange:2, Navy Blue:2, Charcoal:2, Maroon:1, Cream:1, Olive:1, Black:1, Mustard:1, Rust:1, Green:1, "
    "Red:1, Beige:1",
    "outer": "Black:3, Navy Blue:2, Charcoal:2, Olive:2, Brown:1, Khaki:1, Beige:1, Grey:1, Maroon:1, Blue:1, Tan:1",
    "trousers": "Black:3, Charcoal:2, Grey:2, Navy Blue:2, Beige:2, Khaki:2, Olive:1, Brown:1, Cream:1",
    "denim": "Blue:5, Navy Blue:3, Black:2, Grey:1",
    "dress": "Black:2, Red:2, Navy Blue:1, Pink:1, White:1, Blue:1, Green:1, Yellow:1, Maroon:1, Peach:1, Lavender:1, "
    "Teal:1, Mustard:1, Purple:1, Sea Green:1",
    "leather": "Black:4, Brown:3, Tan:2, Coffee Brown:2, Maroon:1",
    "bag": "Black:3, Brown:2, Tan:2, Beige:1, Red:1, Maroon:1, Navy Blue:1, Cream:1, Pink:1, Olive:1, Mustard:1",
    "sporty": "White:3, Black:3, Grey:2, Navy Blue:2, Blue:1, Red:1",
    "accent": "Red:2, Blue:2, Orange:1, Lime Green:1, Yellow:1, Turquoise Blue:1, Magenta:1, Silver:1, Black:1, White:1",
    "heels": "Black:3, Red:2, Nude:2, Beige:1, Pink:1, Gold:1, Silver:1, Maroon:1, Tan:1",
    "metal": "Silver:3, Gold:2, Steel:2, Black:1, Copper:1",
    "ethnic": "Maroon:2, Red:2, Mustard:2, Green:1, Pink:1, Teal:1, Orange:1, Magenta:1, Cream:1, Navy Blue:1, Purple:1",
    "socks": "Black:2, Grey:2, Navy Blue:2, White:2, Charcoal:1, Brown:1, Maroon:1",
    "tie": "Navy Blue:3, Maroon:2, Black:2, Blue:2, Grey:1, Red:1, Purple:1, Green:1, Burgundy:1",
    "scarf": "Maroon:2, Navy Blue:2, Grey:2, Beige:2, Red:1, Mustard:1, Olive:1, Pink:1, Black:1, Cream:1, Teal:1",
    "cap": "Black:3, Navy Blue:2, White:2, Red:2, Blue:1, Grey:1, Olive:1, Khaki:1",
    "sunglass": "Black:5, Brown:2, Gold:2, Silver:1, Tan:1",
}

# Trims and hardware.
THREAD_GOLD: RGB = (206, 150, 72)  # denim topstitching
METAL: dict[str, RGB] = {"silver": (200, 202, 206), "gold": (212, 176, 74), "gunmetal": (80, 82, 88), "copper": (184, 112, 64)}


def pick_colour(rng: np.random.Generator, palette: str, avoid: str | None = None) -> str:
    """A colour name from a weighted family palette (optionally not `avoid`)."""
    for _ in range(8):
        name = choose(rng, PALETTES[palette])
        if name != avoid:
            return name
    return name


def shade(rgb: Iterable[float], factor: float) -> RGB:
    """`rgb` scaled towards black (factor < 1) or towards white (factor > 1)."""
    if factor <= 1:
        return tuple(min(255, max(0, round(v * factor))) for v in rgb)
    return tuple(min(255, max(0, round(v + (255 - v) * (factor - 1)))) for v in rgb)


def mix(a: Iterable[float], b: Iterable[float], t: float) -> RGB:
    """Linear blend of two colours (t=0 gives a)."""
    return tuple(min(255, max(0, round(x * (1 - t) + y * t))) for x, y in zip(a, b))


def luma(rgb: Iterable[float]) -> float:
    """Perceived brightness, 0-255."""
    r, g, b = tuple(rgb)
    return 0.299 * r + 0.587 * g + 0.114 * b


def contrast(rgb: RGB) -> RGB:
    """A light or dark partner colour that reads against `rgb` (pattern second colours, prints)."""
    return COLOURS["Off White"] if luma(rgb) < 140 else COLOURS["Navy Blue"] if luma(rgb) > 200 else COLOURS["White"]
