"""Footwear builders, side view: toe at x = -0.5, heel at x = +0.5, ground at y = 0 (up is negative y)."""

from __future__ import annotations

import math

import numpy as np

from lookbook.data.synth.colours import COLOURS, METAL, RGB, contrast, luma, pick_colour, shade
from lookbook.data.synth.fabrics import Fabric, pick_fabric, solid
from lookbook.data.synth.geometry import bez, ellipse, offset_path, pts, round_rect, seg
from lookbook.data.synth.sampling import uniform
from lookbook.data.synth.shapes import Shape
from lookbook.data.synth.trims import gloss


def _laces(shape: Shape, a, b, n: int, rgb: RGB, length: float = 0.09, width: float = 0.025) -> None:
    """Criss-cross laces along the throat from a to b."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    d = (b - a) / max(np.hypot(*(b - a)), 1e-9)
    n_vec = np.array([d[1], -d[0]]) * length / 2
    for p in seg(a, b, n):
        shape.stroke([p - n_vec, p + n_vec], rgb, width)


def _dark_fill(shape: Shape, poly, fab: Fabric, tone: float) -> None:
    """A flat fill in a dark tone of `fab` (soles, heel blocks, shadows): no outline, no shading."""
    shape.part(poly, solid(shade(fab.rgb, tone), edge=0.0), outline=None)


def build_sports_shoes(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Chunky cushioned sole with a coloured midsole, mesh upper, side stripe, laces and heel tab."""
    main = pick_fabric(rng, "sporty", "solid:3, dots:1", period=(0.035, 0.05))
    accent = COLOURS[pick_colour(rng, "accent", avoid=main.colour)]
    if abs(luma(accent) - luma(main.rgb)) < 50:
        accent = contrast(main.rgb)
    h, sole = uniform(rng, 0.46, 0.54), uniform(rng, 0.13, 0.17)
    # fmt: off
    upper = pts(-0.5, -0.06, -0.47, -0.15, -0.38, -0.22, -0.2, -0.28, 0.05, -h + 0.06, 0.12, -h - 0.04,
                0.2, -h + 0.04, 0.36, -h + 0.06, 0.47, -h - 0.01, 0.52, -h + 0.15, 0.52, -0.1, 0.49, -0.05)
    # fmt: on
    shape = Shape(fabric=main)
    shape.part(upper, main)
    shape.part(
        pts(0.28, -h + 0.05, 0.47, -h - 0.01, 0.52, -h + 0.15, 0.52, -0.12, 0.36, -0.12), solid(shade(main.rgb, 0.85), edge=0.2)
    )
    stripe_top = bez((-0.25, -0.15), (0.05, -0.22), (0.3, -0.36), 9)
    stripe_bottom = bez((-0.25, -0.15), (0.1, -0.14), (0.34, -0.28), 9)
    shape.part(np.vstack([stripe_top, stripe_bottom[::-1]]), solid(accent, edge=0.1), outline=0.6)
    mid_rgb = COLOURS["White"] if rng.random() < 0.7 else shade(accent, 1.3)
    midsole = np.vstack([pts(-0.54, -0.03), bez((-0.53, -0.09), (-0.1, -0.12), (0.53, -sole), 7), pts(0.55, -0.03)])
    shape.part(midsole, solid(mid_rgb, edge=0.15), outline=0.6)
    shape.stroke(bez((-0.45, -0.06), (0.0, -0.1), (0.48, -sole + 0.05), 9), accent, 0.02)
    _dark_fill(shape, pts(-0.54, -0.035, 0.55, -0.035, 0.53, 0.0, -0.5, 0.0), main, 0.3)
    lace = COLOURS["White"] if luma(main.rgb) < 170 else shade(accent, 0.9)
    _laces(shape, (-0.16, -0.3), (0.06, -h + 0.08), 5, lace, 0.1, 0.022)
    shape.part(pts(0.42, -h - 0.01, 0.48, -h - 0.08, 0.53, -h + 0.08), solid(accent, edge=0.0), outline=0.6)
    return shape


def build_casual_shoes(rng: np.random.Generator, worn: bool = False, style: str | None = None) -> Shape:
    """Canvas plimsoll (thin flat rubber sole with a toe cap) or a leather loafer (moccasin seam, penny strap)."""
    style = style or str(rng.choice(["plimsoll", "plimsoll", "loafer"]))
    shape = Shape()
    if style == "plimsoll":
        main = pick_fabric(rng, "basic", "solid:4, stripes:1", period=(0.05, 0.08), stripe_angle=0.0)
        # fmt: off
        upper = pts(-0.5, -0.07, -0.46, -0.15, -0.34, -0.21, -0.12, -0.25, 0.1, -0.33, 0.16, -0.37,
                    0.22, -0.31, 0.4, -0.3, 0.5, -0.33, 0.53, -0.2, 0.52, -0.07)
        # fmt: on
        shape.part(upper, main)
        rubber = COLOURS[str(rng.choice(["White", "Cream", "Off White"]))]
        shape.part(
            np.vstack([ellipse(-0.42, -0.08, 0.11, 0.085, 14, math.pi / 2, 3 * math.pi / 2), pts(-0.3, -0.02)]),
            solid(rubber, edge=0.1),
            outline=0.7,
        )
        shape.part(round_rect(-0.54, -0.085, 0.55, 0.0, 0.03), solid(rubber, edge=0.1), outline=0.65)
        shape.stroke([(-0.5, -0.05), (0.52, -0.05)], COLOURS[str(rng.choice(["Navy Blue", "Red", "Black"]))], 0.015)
        _laces(shape, (-0.1, -0.27), (0.1, -0.33), 4, COLOURS["White"], 0.08, 0.018)
        for p in seg((-0.1, -0.27), (0.1, -0.33), 4):
            shape.dot(p + np.array([0.035, 0.02]), 0.012, METAL["silver"])
    else:
        main = pick_fabric(rng, "leather", "solid:1", edge=0.35)
        # fmt: off
        upper = pts(-0.52, -0.05, -0.47, -0.14, -0.32, -0.2, -0.1, -0.23, 0.08, -0.25,
                    0.22, -0.22, 0.4, -0.25, 0.5, -0.3, 0.53, -0.17, 0.52, -0.06)
        # fmt: on
        shape.part(upper, main)
        shape.stroke(bez((-0.4, -0.17), (-0.2, -0.29), (0.05, -0.24), 9), shade(main.rgb, 0.55), 0.014)
        shape.stroke(bez((-0.4, -0.15), (-0.2, -0.26), (0.05, -0.21), 9), shade(main.rgb, 1.2), 0.008, dash=0.02)
        shape.part(pts(-0.06, -0.24, 0.1, -0.26, 0.12, -0.19, -0.05, -0.17), main.tone(0.85), outline=0.5)
        _dark_fill(shape, round_rect(-0.54, -0.045, 0.54, 0.0, 0.02), main, 0.45)
        gloss(shape, bez((-0.45, -0.15), (-0.35, -0.2), (-0.2, -0.21), 5), main.rgb, 0.02)
    shape.fabric = main
    return shape


def build_formal_shoes(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Dark polished oxford: long pointed toe, thin sole, separate heel block, toe-cap seam, shine."""
    main = pick_fabric(
        rng, "leather", "solid:1", colour=str(rng.choice(["Black", "Black", "Brown", "Coffee Brown", "Tan"])), edge=0.45
    )
    upper = pts(
        -0.53, -0.05, -0.5, -0.12, -0.38, -0.18, -0.12, -0.24, 0.04, -0.3, 0.2, -0.31, 0.44, -0.33, 0.5, -0.27, 0.51, -0.08
    )
    shape = Shape(fabric=main)
    shape.part(upper, main)
    shape.stroke(bez((-0.3, -0.06), (-0.28, -0.2), (-0.2, -0.22), 6), shade(main.rgb, 0.5), 0.012)
    shape.stroke(bez((0.0, -0.28), (0.1, -0.14), (0.32, -0.1), 7), shade(main.rgb, 0.5), 0.012)
    _laces(shape, (0.02, -0.29), (0.16, -0.31), 3, shade(main.rgb, 0.5), 0.06, 0.014)
    _dark_fill(shape, pts(-0.55, -0.05, 0.3, -0.07, 0.3, -0.035, -0.53, -0.02), main, 0.4)
    _dark_fill(shape, pts(0.3, -0.08, 0.52, -0.08, 0.51, 0.0, 0.32, 0.0), main, 0.35)  # heel block
    gloss(shape, bez((-0.46, -0.12), (-0.38, -0.17), (-0.25, -0.19), 6), main.rgb, 0.025)
    gloss(shape, bez((0.25, -0.27), (0.35, -0.28), (0.45, -0.28), 5), main.rgb, 0.015)
    return shape


def build_heels(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Pump on a stiletto or block heel: high arched sole line, low-cut vamp, glossy."""
    main = pick_fabric(rng, "heels", "solid:1", edge=0.4)
    h = uniform(rng, 0.45, 0.6)  # heel height
    shape = Shape(fabric=main)
    lining = solid(shade(main.rgb, 1.3) if luma(main.rgb) < 100 else COLOURS["Nude"], edge=0.0)
    sole = pts(-0.55, -0.02, -0.3, -0.005, -0.1, -0.02, 0.3, -h * 0.55, 0.52, -h + 0.05)
    opening = pts(-0.15, -0.18, 0.0, -0.21, 0.2, -h + 0.03, 0.4, -h - 0.1, 0.48, -h - 0.12)
    upper = np.vstack(
        [pts(-0.53, -0.03, -0.5, -0.1, -0.38, -0.15, -0.18, -0.19), opening[1:], pts(0.53, -h - 0.05), sole[::-1][:-1]]
    )
    shape.part(np.vstack([opening, pts(0.47, -h - 0.02, 0.25, -h * 0.7, 0.0, -0.14)]), lining, outline=None)
    shape.part(upper, main)
    shape.part(np.vstack([opening, pts(0.47, -h - 0.05, 0.25, -h * 0.78, 0.0, -0.16)]), lining, outline=None)
    if rng.random() < 0.3:
        heel = pts(0.36, -h + 0.08, 0.52, -h + 0.02, 0.5, 0.0, 0.4, 0.0)
    else:
        heel = pts(0.4, -h + 0.07, 0.52, -h + 0.03, 0.47, -0.02, 0.455, 0.0, 0.44, 0.0)
    shape.part(heel, main.tone(0.85), outline=0.5)
    _dark_fill(shape, np.vstack([sole, offset_path(sole, -0.025)[::-1]]), main, 0.4)
    gloss(shape, bez((-0.46, -0.08), (-0.4, -0.13), (-0.28, -0.15), 5), main.rgb, 0.025)
    if rng.random() < 0.3:  # ankle strap
        shape.part(pts(0.28, -h - 0.06, 0.5, -h - 0.15, 0.51, -h - 0.1, 0.29, -h - 0.01), main.tone(0.9), outline=0.5)
    return shape


def build_flats(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Ballet flat: barely any heel, a low scooped opening and a little bow at the toe."""
    main = pick_fabric(rng, "heels", "solid:4, dots:1", period=(0.06, 0.09), edge=0.35)
    shape = Shape(fabric=main)
    # fmt: off
    upper = pts(-0.53, -0.03, -0.49, -0.14, -0.38, -0.21, -0.22, -0.24, -0.05, -0.17,
                0.2, -0.16, 0.42, -0.22, 0.5, -0.26, 0.53, -0.12, 0.52, -0.03)
    # fmt: on
    shape.part(upper, main)
    shape.stroke(pts(-0.22, -0.24, -0.05, -0.17, 0.2, -0.16, 0.42, -0.22), COLOURS["Nude"], 0.03)
    bow = solid(shade(main.rgb, 0.7), edge=0.0)
    shape.part(pts(-0.3, -0.22, -0.39, -0.27, -0.39, -0.17), bow, outline=0.6)
    shape.part(pts(-0.3, -0.22, -0.21, -0.27, -0.21, -0.17), bow, outline=0.6)
    _dark_fill(shape, pts(-0.55, -0.03, 0.54, -0.03, 0.52, 0.0, -0.52, 0.0), main, 0.45)
    return shape


def build_sandals(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Open sandal: a footbed sole with arched straps over the forefoot, a high ankle strap with buckle."""
    strap = pick_fabric(rng, "leather", "solid:1", edge=0.3)
    bed = solid(COLOURS[str(rng.choice(["Tan", "Beige", "Black", "Brown"]))], edge=0.15)
    shape = Shape(fabric=strap)
    s = uniform(rng, 0.05, 0.11)  # sole thickness
    w = uniform(rng, 0.045, 0.07)  # strap width
    for xc, rx, ry in ((-0.3, 0.11, 0.17), (-0.06, 0.13, 0.27), (0.26, 0.2, 0.44)):
        outer = ellipse(xc, -s, rx, ry, 13, math.pi, 2 * math.pi)
        inner = ellipse(xc, -s, rx - w, ry - w, 13, math.pi, 2 * math.pi)
        shape.part(np.vstack([outer, pts(xc + rx, -s + 0.01), inner[::-1], pts(xc - rx, -s + 0.01)]), strap, outline=0.5)
    shape.part(pts(0.4, -s, 0.47, -s, 0.47, -s - 0.3, 0.4, -s - 0.34), strap, outline=0.5)
    shape.part(
        round_rect(0.06, -s - 0.36, 0.13, -s - 0.26, 0.012),
        solid(METAL[str(rng.choice(["gold", "silver"]))], edge=0.0),
        outline=0.5,
    )
    shape.part(round_rect(-0.54, -s, 0.54, 0.0, 0.04), bed, outline=0.55)
    shape.part(pts(-0.54, -s, 0.54, -s, 0.54, -s + 0.02, -0.54, -s + 0.02), solid(shade(bed.rgb, 1.3), edge=0.0), outline=None)
    return shape


def build_flip_flops(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Top view: a footprint-shaped sole with a V thong strap."""
    sole = pick_fabric(rng, "accent", "solid:3, stripes:1", period=(0.06, 0.1))
    strap = solid(COLOURS[pick_colour(rng, "sporty", avoid=sole.colour)], edge=0.2)
    outline = np.vstack(
        [
            ellipse(0.0, 0.2, 0.2, 0.2, 14, math.pi, 2 * math.pi),
            bez((0.2, 0.2), (0.12, 0.55), (0.16, 0.8), 7),
            ellipse(0.0, 0.8, 0.16, 0.18, 14, 0.0, math.pi),
            bez((-0.16, 0.8), (-0.12, 0.55), (-0.2, 0.2), 7),
        ]
    )
    shape = Shape(fabric=sole)
    _dark_fill(shape, outline + np.array([0.015, 0.02]), sole, 0.6)  # its shadow
    shape.part(outline, sole)
    shape.stroke([(-0.19, 0.5), (0.0, 0.17), (0.19, 0.5)], strap.rgb, 0.055)
    shape.dot((0.0, 0.17), 0.035, shade(strap.rgb, 0.8))
    return shape


def build_boots(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Ankle or knee boot: tall shaft, block heel, elastic gusset or zip, polished leather."""
    main = pick_fabric(rng, "leather", "solid:1", edge=0.4)
    h = uniform(rng, 0.75, 0.95) if rng.random() < 0.6 else uniform(rng, 1.3, 1.6)
    shape = Shape(fabric=main)
    # fmt: off
    upper = pts(-0.52, -0.05, -0.49, -0.14, -0.36, -0.21, -0.1, -0.28, 0.06, -0.4,
                0.1, -h, 0.48, -h - 0.02, 0.47, -0.45, 0.52, -0.2, 0.51, -0.06)
    # fmt: on
    shape.part(upper, main)
    if h < 1.0:
        shape.part(pts(0.2, -h + 0.01, 0.36, -h + 0.01, 0.3, -0.5), main.tone(0.6), outline=0.5)
        shape.part(pts(0.4, -h - 0.01, 0.47, -h - 0.02, 0.47, -h + 0.12, 0.41, -h + 0.12), main.tone(0.8), outline=0.5)
    else:
        shape.stroke([(0.44, -h + 0.05), (0.45, -0.3)], shade(main.rgb, 0.45), 0.02)
        shape.stroke([(0.44, -h + 0.05), (0.45, -0.3)], METAL["silver"], 0.008, dash=0.012)
    _dark_fill(shape, pts(-0.54, -0.05, 0.3, -0.08, 0.3, -0.035, -0.52, -0.02), main, 0.4)
    _dark_fill(shape, pts(0.28, -0.1, 0.52, -0.1, 0.51, 0.0, 0.3, 0.0), main, 0.35)  # heel block
    gloss(shape, bez((-0.45, -0.13), (-0.36, -0.19), (-0.22, -0.22), 5), main.rgb, 0.022)
    gloss(shape, [(0.16, -h + 0.1), (0.15, -0.5)], main.rgb, 0.015)
    return shape
