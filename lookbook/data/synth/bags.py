"""Bag builders, front view: body width about 1 unit, top edge at y = 0, handles above."""

from __future__ import annotations

import numpy as np

from lookbook.data.synth.colours import COLOURS, METAL, luma, shade
from lookbook.data.synth.fabrics import Fabric, pick_fabric, solid
from lookbook.data.synth.geometry import bez, clip_poly, ellipse, offset_path, pts, round_rect
from lookbook.data.synth.sampling import uniform
from lookbook.data.synth.shapes import Shape
from lookbook.data.synth.trims import gloss


def _handle(shape: Shape, x0: float, x1: float, y: float, height: float, width: float, fab: Fabric) -> None:
    """An arched handle from (x0, y) to (x1, y)."""
    outer = bez((x0, y), ((x0 + x1) / 2, y - 2 * height), (x1, y), 11)
    inner = bez((x0 + width, y), ((x0 + x1) / 2, y - 2 * (height - width)), (x1 - width, y), 11)
    shape.part(np.vstack([outer, inner[::-1]]), fab, outline=0.5)


def _stitching(shape: Shape, poly, fab: Fabric, inset: float = 0.03) -> None:
    """Contrast topstitching `inset` inside an edge."""
    shape.stroke(offset_path(poly, -inset), shade(fab.rgb, 1.35 if luma(fab.rgb) < 110 else 0.7), 0.008, closed=True, dash=0.02)


def build_handbag(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Trapezoid body with two arched handles, a flap or zip, a clasp and stitched edges."""
    fab = pick_fabric(rng, "bag", "solid:6, checks:1", period=(0.1, 0.16), edge=0.35)
    h, top, bottom = uniform(rng, 0.6, 0.78), uniform(rng, 0.34, 0.42), uniform(rng, 0.48, 0.52)
    shape = Shape(fabric=fab)
    metal = METAL[str(rng.choice(["gold", "silver"]))]
    _handle(shape, -0.24, 0.24, 0.02, uniform(rng, 0.25, 0.4), 0.05, fab.tone(0.75))
    _handle(shape, -0.2, 0.2, 0.02, uniform(rng, 0.25, 0.4), 0.05, fab.tone(0.95))
    body = np.vstack(
        [
            pts(-top, 0.0, top, 0.0),
            bez((top, 0.0), (bottom, h * 0.5), (bottom - 0.08, h), 7)[1:],
            bez((-bottom + 0.08, h), (-bottom, h * 0.5), (-top, 0.0), 7)[:-1],
        ]
    )
    shape.part(body, fab)
    _stitching(shape, body, fab)
    if rng.random() < 0.5:
        flap = np.vstack(
            [pts(-top - 0.01, -0.005, top + 0.01, -0.005), bez((top + 0.03, h * 0.3), (0.0, h * 0.6), (-top - 0.03, h * 0.3), 9)]
        )
        shape.part(flap, fab.tone(0.92), outline=0.5)
        shape.part(round_rect(-0.05, h * 0.4, 0.05, h * 0.5, 0.02), solid(metal, edge=0.0), outline=0.5)
    else:
        shape.stroke([(-top + 0.04, 0.05), (top - 0.04, 0.05)], shade(fab.rgb, 0.5), 0.02)
        shape.dot((top - 0.08, 0.05), 0.025, metal)
    for x in (-top + 0.02, top - 0.02):
        shape.dot((x, 0.02), 0.025, metal)
    return shape


def build_backpack(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Tall rounded body, top grab loop, shoulder straps showing at the sides, zipped front pocket."""
    fab = pick_fabric(rng, "bag", "solid:5, checks:1", period=(0.1, 0.16), edge=0.35)
    trim = fab.tone(0.7)
    h = uniform(rng, 1.05, 1.2)
    shape = Shape(fabric=fab)
    for sign in (1, -1):
        strap = np.vstack(
            [bez((0.22, 0.1), (0.55, 0.3), (0.45, h - 0.05), 9), bez((0.37, h - 0.05), (0.45, 0.32), (0.16, 0.16), 9)]
        )
        shape.part(strap * [sign, 1], trim, outline=0.5)
    _handle(shape, -0.1, 0.1, 0.04, 0.14, 0.035, trim)
    body = round_rect(-0.4, 0.0, 0.4, h, 0.28, 8)
    shape.part(body, fab)
    shape.stroke(offset_path(round_rect(-0.34, 0.06, 0.34, h, 0.22, 8)[: 9 * 2], 0.0), shade(fab.rgb, 0.45), 0.022)
    pocket = round_rect(-0.3, h * 0.52, 0.3, h - 0.05, 0.1, 6)
    shape.part(pocket, fab.tone(0.9), outline=0.5)
    shape.stroke(bez((-0.26, h * 0.6), (0.0, h * 0.52), (0.26, h * 0.6), 9), shade(fab.rgb, 0.45), 0.02)
    zip_pull = COLOURS["Silver"] if rng.random() < 0.5 else shade(fab.rgb, 0.4)
    shape.part(round_rect(0.1, h * 0.57, 0.14, h * 0.67, 0.015), solid(zip_pull, edge=0.0), outline=0.5)
    if rng.random() < 0.5:
        shape.part(round_rect(-0.12, 0.22, 0.12, 0.32, 0.03), trim, outline=0.5)
    return shape


def build_wallet(rng: np.random.Generator, worn: bool = False) -> Shape:
    """A small leather rectangle: bifold, stitched border, card slots peeking out, embossed mark."""
    fab = pick_fabric(rng, "leather", "solid:1", edge=0.3)
    if rng.random() < 0.3:
        fab = pick_fabric(rng, "bag", "solid:1", edge=0.3)
    h = uniform(rng, 0.68, 0.8)
    shape = Shape(fabric=fab)
    shape.part(round_rect(-0.5, -0.05, 0.5, h - 0.04, 0.05), fab.tone(0.75), outline=0.5)
    for k in range(3):
        y = -0.02 + 0.05 * k
        shape.part(round_rect(0.04, y, 0.46, y + 0.2, 0.02), solid(shade(fab.rgb, 0.9 - 0.07 * k), edge=0.1), outline=0.5)
    front = round_rect(-0.5, 0.1, 0.5, h, 0.06)
    shape.part(front, fab)
    _stitching(shape, front, fab)
    shape.part(round_rect(-0.1, h * 0.5, 0.1, h * 0.5 + 0.08, 0.01), fab.tone(0.85), outline=0.6)
    return shape


def build_clutch(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Slim envelope with a pointed flap and a jewelled clasp; often metallic or patent."""
    fab = pick_fabric(rng, "heels", "solid:4, dots:1", period=(0.05, 0.08), edge=0.4)
    h = uniform(rng, 0.42, 0.55)
    shape = Shape(fabric=fab)
    body = round_rect(-0.5, 0.0, 0.5, h, 0.05)
    shape.part(body, fab)
    flap = pts(-0.5, 0.0, 0.5, 0.0, 0.0, h * uniform(rng, 0.55, 0.75))
    shape.part(flap, fab.tone(0.9), outline=0.5)
    shape.part(ellipse(0.0, h * 0.62, 0.05, 0.05, 12), solid(METAL[str(rng.choice(["gold", "silver"]))], edge=0.0), outline=0.5)
    gloss(shape, [(-0.4, h * 0.8), (-0.1, h * 0.8)], fab.rgb, 0.02)
    if rng.random() < 0.4:  # chain strap
        shape.stroke(bez((-0.45, 0.0), (0.0, -0.7), (0.45, 0.0), 15), METAL["gold"], 0.02, dash=0.02)
    return shape


def build_laptop_bag(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Messenger bag: wide body, front flap with two buckle straps, long shoulder strap."""
    fab = pick_fabric(rng, "bag", "solid:1", edge=0.3)
    h = uniform(rng, 0.66, 0.76)
    shape = Shape(fabric=fab)
    shape.stroke(bez((-0.46, 0.05), (0.0, -0.9), (0.46, 0.05), 17), shade(fab.rgb, 0.6), 0.06)
    body = round_rect(-0.5, 0.0, 0.5, h, 0.05)
    shape.part(body, fab)
    flap = round_rect(-0.52, -0.01, 0.52, h * 0.62, 0.08)
    shape.part(flap, fab.tone(0.92), outline=0.5)
    _stitching(shape, flap, fab, 0.025)
    for x in (-0.28, 0.28):
        shape.part(pts(x - 0.05, h * 0.35, x + 0.05, h * 0.35, x + 0.05, h * 0.8, x - 0.05, h * 0.8), fab.tone(0.7), outline=0.5)
        shape.stroke(round_rect(x - 0.07, h * 0.58, x + 0.07, h * 0.68, 0.0, 1), METAL["silver"], 0.015, closed=True)
    _handle(shape, -0.12, 0.12, 0.0, 0.1, 0.035, fab.tone(0.7))
    return shape


def build_duffel_bag(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Capsule-shaped holdall: round end panels, top zip, two handles, a contrast base."""
    fab = pick_fabric(rng, "bag", "solid:4, stripes:1", period=(0.1, 0.16), edge=0.35)
    h = uniform(rng, 0.45, 0.55)
    shape = Shape(fabric=fab)
    _handle(shape, -0.22, 0.22, 0.03, 0.28, 0.05, fab.tone(0.7))
    body = round_rect(-0.5, 0.0, 0.5, h, h * 0.45, 8)
    shape.part(body, fab)
    shape.part(clip_poly(body, -1.0, h * 0.72, 1.0, h + 1.0), fab.tone(0.65), outline=None)
    for x in (-0.5 + h * 0.2, 0.5 - h * 0.2):
        shape.part(ellipse(x, h / 2, h * 0.16, h * 0.38), fab.tone(0.85), outline=0.5)
    shape.stroke([(-0.3, 0.04), (0.3, 0.04)], shade(fab.rgb, 0.4), 0.02)
    shape.dot((0.26, 0.06), 0.02, METAL["silver"])
    return shape
