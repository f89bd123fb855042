"""Accessory builders: watches, sunglasses, belts, hats, ties, scarves, socks, jewellery and gloves."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from lookbook.data.synth.colours import COLOURS, METAL, contrast, luma, mix, pick_colour, shade
from lookbook.data.synth.fabrics import pick_fabric, solid
from lookbook.data.synth.geometry import bez, ellipse, pts, round_rect, seg
from lookbook.data.synth.sampling import uniform
from lookbook.data.synth.shapes import Shape
from lookbook.data.synth.trims import rib


def build_watch(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Vertical strap (leather with holes or metal links) through a round or square case with a dial and hands."""
    metal_name = pick_colour(rng, "metal")
    case = COLOURS[metal_name]
    leather = rng.random() < 0.5
    strap_name = pick_colour(rng, "leather") if leather else metal_name
    strap_rgb = COLOURS[strap_name]
    strap = solid(strap_rgb, edge=0.35, name=strap_name)
    shape = Shape(fabric=strap if leather else solid(case, edge=0.35, name=metal_name))
    w = uniform(rng, 0.46, 0.56)
    for y0, y1 in ((-1.55, -0.3), (0.3, 1.55)):
        band_poly = (
            pts(-w / 2, y0, w / 2, y0, w / 2 * 1.05, y1, -w / 2 * 1.05, y1)
            if y0 > 0
            else pts(-w / 2 * 1.05, y0, w / 2 * 1.05, y0, w / 2, y1, -w / 2, y1)
        )
        shape.part(band_poly, strap, outline=0.55)
        if not leather:
            for y in np.arange(y0 + 0.08, y1, 0.14):
                shape.stroke([(-w / 2, y), (w / 2, y)], shade(case, 0.6), 0.015)
    if leather:
        for y in np.arange(0.75, 1.4, 0.13):
            shape.dot((0, y), 0.025, shade(strap_rgb, 0.4))
    dial = COLOURS[str(rng.choice(["White", "Black", "Navy Blue", "Silver", "Cream"]))]
    square = rng.random() < 0.25
    outer = round_rect(-0.48, -0.48, 0.48, 0.48, 0.12) if square else ellipse(0, 0, 0.5, 0.5, 36)
    inner = round_rect(-0.39, -0.39, 0.39, 0.39, 0.08) if square else ellipse(0, 0, 0.41, 0.41, 36)
    shape.part(round_rect(0.46, -0.08, 0.58, 0.08, 0.02), solid(case, edge=0.2), outline=0.55)
    shape.part(outer, solid(case, edge=0.45), outline=0.5)
    shape.part(inner, solid(dial, edge=0.15), outline=0.6)
    ink = (40, 40, 44) if luma(dial) > 128 else (236, 236, 236)
    for k in range(12):
        a = 2 * math.pi * k / 12
        r0 = 0.3 if k % 3 else 0.26
        shape.stroke(
            [(r0 * math.sin(a), -r0 * math.cos(a)), (0.36 * math.sin(a), -0.36 * math.cos(a))], ink, 0.02 if k % 3 else 0.035
        )
    if rng.random() < 0.35:  # chronograph sub-dials
        for cx, cy in ((0, -0.16), (-0.16, 0.06), (0.16, 0.06)):
            shape.stroke(
                ellipse(cx, cy, 0.07, 0.07, 16), shade(ink, 0.9) if luma(ink) > 128 else shade(ink, 1.5), 0.012, closed=True
            )
    h_a, m_a = uniform(rng, 0, 2 * math.pi), uniform(rng, 0, 2 * math.pi)
    shape.stroke([(0, 0), (0.2 * math.sin(h_a), -0.2 * math.cos(h_a))], ink, 0.04)
    shape.stroke([(0, 0), (0.32 * math.sin(m_a), -0.32 * math.cos(m_a))], ink, 0.025)
    shape.dot((0, 0), 0.03, ink)
    return shape


def build_sunglasses(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Front view: two dark lenses (wayfarer, aviator or round), a bridge and the temple stubs."""
    frame_name = pick_colour(rng, "sunglass")
    frame = COLOURS[frame_name]
    style = str(rng.choice(["wayfarer", "aviator", "round"]))
    lens_rgb = mix((30, 30, 34), COLOURS[str(rng.choice(["Brown", "Green", "Blue", "Black"]))], 0.35)
    shape = Shape(fabric=solid(frame, name=frame_name))
    if style == "wayfarer":  # flat top with the outer corner raised, tapering towards the nose
        right = pts(0.06, -0.14, 0.46, -0.14, 0.43, 0.1, 0.36, 0.15, 0.14, 0.15, 0.08, 0.08)
    elif style == "aviator":  # teardrop, deepest on the outer side
        right = np.vstack(
            [
                pts(0.06, -0.13, 0.45, -0.14),
                bez((0.45, -0.14), (0.46, 0.22), (0.21, 0.18), 9)[1:],
                bez((0.21, 0.18), (0.04, 0.12), (0.06, -0.13), 7)[1:-1],
            ]
        )
    else:
        right = ellipse(0.26, 0.0, 0.17, 0.16, 28)
    lenses = [right * [-1.0, 1.0], right]
    thick = 0.045 if style == "wayfarer" else 0.022
    for sign in (-1, 1):
        shape.stroke([(0.44 * sign, -0.1), (0.5 * sign, -0.05), (0.5 * sign, 0.02)], frame, 0.04)
    for lens in lenses:
        shape.part(lens, solid(lens_rgb, edge=0.3), outline=None)
        shape.stroke(lens, frame, thick, closed=True)
        x0, y0 = lens[:, 0].min(), lens[:, 1].min()
        shape.stroke([(x0 + 0.06, y0 + 0.12), (x0 + 0.14, y0 + 0.05)], mix(lens_rgb, (255, 255, 255), 0.45), 0.025)
    shape.stroke(bez((-0.09, -0.08), (0.0, -0.14), (0.09, -0.08), 7), frame, thick)
    if style == "aviator":
        shape.stroke([(-0.1, -0.13), (0.1, -0.13)], frame, 0.018)
    return shape


def build_belt(rng: np.random.Generator, worn: bool = False) -> Shape:
    """A long strap with a metal buckle and prong at one end, punched holes and a rounded tip at the other."""
    fab = pick_fabric(rng, "leather", "solid:1", edge=0.3)
    metal = METAL[str(rng.choice(["silver", "gold", "gunmetal"]))]
    w = uniform(rng, 0.085, 0.11)
    shape = Shape(fabric=fab)
    strap = np.vstack(
        [pts(-0.42, -w / 2, 0.44, -w / 2), ellipse(0.44, 0.0, w / 2, w / 2, 9, -math.pi / 2, math.pi / 2), pts(-0.42, w / 2)]
    )
    shape.part(strap, fab)
    shape.stroke([(-0.4, -w / 2 + 0.015), (0.42, -w / 2 + 0.015)], shade(fab.rgb, 1.35), 0.005, dash=0.015)
    shape.stroke([(-0.4, w / 2 - 0.015), (0.42, w / 2 - 0.015)], shade(fab.rgb, 1.35), 0.005, dash=0.015)
    for x in np.arange(0.18, 0.4, 0.05):
        shape.dot((x, 0.0), w * 0.13, shade(fab.rgb, 0.35))
    shape.part(
        pts(-0.36, -w / 2 - 0.01, -0.33, -w / 2 - 0.01, -0.33, w / 2 + 0.01, -0.36, w / 2 + 0.01), fab.tone(0.8), outline=0.5
    )
    shape.stroke(round_rect(-0.5, -w / 2 - 0.025, -0.41, w / 2 + 0.025, 0.012, 3), metal, 0.022, closed=True)
    shape.stroke([(-0.47, 0.0), (-0.4, 0.0)], metal, 0.012)
    return shape


def build_hat(rng: np.random.Generator, worn: bool = False, style: str | None = None) -> Shape:
    """A cap (panelled dome, button, brim), a brimmed fedora with a band, or a beanie with a rib cuff."""
    style = style or str(rng.choice(["cap", "cap", "fedora", "beanie"]))
    shape = Shape()
    if style == "cap":
        fab = pick_fabric(rng, "cap", "solid:1", edge=0.35)
        dome = np.vstack([ellipse(0, 0.0, 0.42, 0.5, 20, math.pi, 2 * math.pi), pts(0.42, 0.0)])
        shape.part(dome, fab)
        for x in (-0.22, 0.0, 0.22):
            shape.stroke(bez((0, -0.5), (x * 1.1, -0.4), (x * 1.6, -0.01), 7), shade(fab.rgb, 0.65), 0.01)
        shape.dot((0, -0.5), 0.04, shade(fab.rgb, 0.8))
        brim = np.vstack(
            [bez((-0.42, -0.02), (-0.65, -0.02), (-0.8, 0.1), 7), bez((-0.8, 0.1), (-0.5, 0.17), (-0.1, 0.04), 7)[1:]]
        )
        shape.part(brim, fab.tone(0.85), outline=0.5)
        if rng.random() < 0.5:
            shape.part(round_rect(-0.12, -0.3, 0.12, -0.17, 0.02), solid(contrast(fab.rgb), edge=0.0), outline=None)
    elif style == "fedora":
        fab = pick_fabric(rng, "outer", "solid:1", edge=0.35)
        shape.part(ellipse(0, 0.0, 0.75, 0.13, 32), fab.tone(0.9), outline=0.5)
        crown = np.vstack(
            [
                pts(-0.38, 0.0),
                bez((-0.36, -0.35), (-0.3, -0.52), (-0.05, -0.45), 7),
                bez((0.05, -0.45), (0.3, -0.52), (0.38, 0.0), 7),
            ]
        )
        shape.part(crown, fab)
        shape.part(
            pts(-0.375, -0.12, 0.375, -0.12, 0.38, 0.0, -0.38, 0.0),
            solid(COLOURS["Black"] if luma(fab.rgb) > 80 else COLOURS["Tan"], edge=0.1),
            outline=0.5,
        )
        shape.stroke(bez((-0.05, -0.45), (0.0, -0.32), (0.05, -0.45), 5), shade(fab.rgb, 0.6), 0.015)
    else:
        fab = pick_fabric(rng, "knit", "knit:3, stripes:1", period=(0.12, 0.2))
        shape.part(np.vstack([ellipse(0, 0.0, 0.42, 0.62, 20, math.pi, 2 * math.pi), pts(0.42, 0.0)]), fab)
        rib(shape, round_rect(-0.45, -0.05, 0.45, 0.17, 0.03), fab, (0.0, 1.0), 0.04)
    shape.fabric = fab
    return shape


def build_tie(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Knot and a long blade widening to a point; diagonal stripes, dots or solid silk."""
    fab = pick_fabric(rng, "tie", "solid:3, stripes:4, dots:2, checks:1", period=(0.03, 0.05), stripe_angle=math.pi / 4, edge=0.3)
    if fab.pattern == "stripes":  # always the classic diagonal regimental stripe
        fab = dataclasses.replace(fab, angle=math.pi / 4)
    shape = Shape(fabric=fab)
    w = uniform(rng, 0.085, 0.11)
    shape.part(pts(-0.045, 0.1, 0.045, 0.1, w, 0.86, 0.0, 0.97, -w, 0.86), fab)
    shape.part(pts(-0.065, 0.0, 0.065, 0.0, 0.045, 0.11, -0.045, 0.11), fab.tone(0.85), outline=0.5)
    shape.stroke([(0.0, 0.13), (0.0, 0.5)], shade(fab.rgb, 0.8), 0.004)
    return shape


def build_scarf(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Folded and hanging: two overlapping panels with a soft fold at the top and fringed ends."""
    fab = pick_fabric(rng, "scarf", "checks:4, stripes:2, solid:2, dots:1", period=(0.08, 0.14), edge=0.25)
    shape = Shape(fabric=fab)
    w, h = uniform(rng, 0.3, 0.38), uniform(rng, 0.95, 1.05)
    back = pts(-w, 0.02, 0.02, 0.0, 0.03, h * 0.92, -w + 0.02, h * 0.94)
    front = pts(-0.04, 0.0, w, 0.04, w - 0.02, h, -0.05, h * 0.98)
    for poly, tone in ((back, 0.8), (front, 1.0)):
        shape.part(poly, fab.tone(tone), outline=0.55)
        a, b = poly[3], poly[2]
        for p in seg(a, b, 12):
            shape.stroke([p, p + np.array([0.0, 0.07])], shade(fab.rgb, tone * 0.9), 0.012)
    shape.part(
        np.vstack([bez((-w, 0.02), (0.0, -0.12), (w, 0.04), 9), bez((w, 0.04), (0.0, 0.02), (-w, 0.02), 9)[1:-1]]),
        fab.tone(0.9),
        outline=0.55,
    )
    return shape


def build_socks(rng: np.random.Generator, worn: bool = False) -> Shape:
    """A pair of L-shaped socks with ribbed cuffs and contrast heel and toe."""
    fab = pick_fabric(rng, "socks", "solid:3, stripes:3, dots:1", period=(0.08, 0.12), edge=0.25)
    patch = solid(contrast(fab.rgb) if rng.random() < 0.5 else shade(fab.rgb, 0.7), edge=0.15)
    shape = Shape(fabric=fab)
    for dx, dy, tone in ((0.22, 0.05, 0.85), (0.0, 0.0, 1.0)):
        sock = np.vstack(
            [
                pts(-0.1 + dx, 0.0 + dy, 0.12 + dx, 0.0 + dy, 0.14 + dx, 0.62 + dy),
                ellipse(-0.02 + dx, 0.66 + dy, 0.16, 0.14, 9, 0.0, math.pi / 2)[1:],
                pts(-0.38 + dx, 0.8 + dy),
                ellipse(-0.38 + dx, 0.72 + dy, 0.09, 0.08, 9, math.pi / 2, 3 * math.pi / 2)[1:],
                pts(-0.14 + dx, 0.58 + dy),
            ]
        )
        shape.part(sock, fab.tone(tone))
        shape.part(
            np.vstack([ellipse(-0.38 + dx, 0.72 + dy, 0.09, 0.08, 9, math.pi / 2, 3 * math.pi / 2), pts(-0.3 + dx, 0.64 + dy)]),
            patch,
            outline=0.5,
        )
        shape.part(
            np.vstack([ellipse(-0.02 + dx, 0.66 + dy, 0.16, 0.14, 9, 0.0, math.pi / 2), pts(-0.02 + dx, 0.66 + dy)]),
            patch,
            outline=0.5,
        )
        rib(
            shape,
            pts(-0.105 + dx, -0.01 + dy, 0.125 + dx, -0.01 + dy, 0.125 + dx, 0.14 + dy, -0.105 + dx, 0.14 + dy),
            fab.tone(tone),
            (0.0, 1.0),
            0.03,
        )
    return shape


def build_jewellery(rng: np.random.Generator, worn: bool = False, style: str | None = None) -> Shape:
    """A bead or chain necklace with a gem pendant, or a pair of drop earrings."""
    metal_name = str(rng.choice(["Gold", "Silver", "Gold"]))
    metal = COLOURS[metal_name]
    gem = COLOURS[str(rng.choice(["Red", "Blue", "Green", "Purple", "White", "Turquoise Blue"]))]
    shape = Shape(fabric=solid(metal, name=metal_name))
    style = style or ("necklace" if rng.random() < 0.65 else "earrings")
    if style == "necklace":
        chain = bez((-0.45, 0.0), (0.0, 1.2), (0.45, 0.0), 31)
        for p in chain:
            shape.dot(p, 0.022, metal, outline=shade(metal, 0.6))
        cy = 0.62
        shape.stroke([(0, cy - 0.05), (0, cy + 0.02)], metal, 0.015)
        drop = pts(0.0, cy, 0.08, cy + 0.1, 0.0, cy + 0.26, -0.08, cy + 0.1)
        shape.part(drop, solid(gem, edge=0.4), outline=0.5)
        shape.stroke(drop, metal, 0.018, closed=True)
    else:
        for cx in (-0.22, 0.22):
            shape.stroke(bez((cx, 0.0), (cx + 0.08, -0.08), (cx + 0.02, 0.12), 7), metal, 0.02)
            shape.dot((cx + 0.02, 0.14), 0.03, metal)
            drop = np.vstack(
                [
                    pts(cx + 0.02, 0.17),
                    bez((cx + 0.12, 0.35), (cx + 0.08, 0.55), (cx + 0.02, 0.55), 5),
                    bez((cx - 0.04, 0.55), (cx - 0.08, 0.35), (cx + 0.02, 0.17), 5),
                ]
            )
            shape.part(drop, solid(gem, edge=0.4), outline=0.5)
            shape.stroke(drop, metal, 0.015, closed=True)
    return shape


def build_gloves(rng: np.random.Generator, worn: bool = False) -> Shape:
    """A glove: palm, four fingers, an angled thumb and a cuff."""
    fab = pick_fabric(rng, "leather" if rng.random() < 0.5 else "knit", "solid:1", edge=0.35)
    shape = Shape(fabric=fab)
    for x, top in ((-0.22, 0.05), (-0.075, -0.02), (0.075, 0.0), (0.21, 0.1)):
        shape.part(round_rect(x - 0.07, top, x + 0.07, 0.5, 0.07, 6), fab, outline=0.55)
    thumb = round_rect(-0.07, 0.0, 0.07, 0.4, 0.07, 6)
    a = -0.7
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    shape.part(thumb @ rot.T + (-0.36, 0.45), fab, outline=0.55)
    shape.part(round_rect(-0.3, 0.35, 0.3, 0.95, 0.1, 6), fab, outline=0.55)
    for x in (-0.15, 0.0, 0.15):
        shape.stroke([(x, 0.5), (x, 0.7)], shade(fab.rgb, 0.7), 0.01)
    rib(shape, pts(-0.3, 0.85, 0.3, 0.85, 0.31, 1.08, -0.31, 1.08), fab, (0.0, 1.0), 0.035)
    return shape
