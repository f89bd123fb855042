"""Bottoms (jeans, trousers, track pants, leggings, shorts, skirts): cut tables, shared waist and leg details, builders."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from lookbook.data.synth.colours import COLOURS, METAL, RGB, THREAD_GOLD, contrast, luma, pick_colour, shade
from lookbook.data.synth.cuts import CutSpec, LowerCut, draw_cut, lower_outline
from lookbook.data.synth.fabrics import Fabric, denim, pick_fabric, solid, subtle
from lookbook.data.synth.geometry import bez, offset_path, pts, round_rect
from lookbook.data.synth.sampling import uniform
from lookbook.data.synth.shapes import Shape
from lookbook.data.synth.trims import hem_stitch, rib

# Cuts in units of waist width (see LowerCut): a (lo, hi) pair is drawn uniformly, any other value is fixed.
# fmt: off
SHORTS_CUT: CutSpec = dict(
    kind="shorts", length=(1.0, 1.3), rise=(0.6, 0.68), hip_flare=(0.03, 0.06), hem_half=(0.2, 0.24), splay=(0.04, 0.08),
)
TROUSERS_CUT: CutSpec = dict(  # knee_half and hem_half are drawn as factors of the fit's widths (FITS)
    kind="trousers", length=(2.7, 3.0), rise=(0.6, 0.7), hip_flare=(0.02, 0.05), knee_half=(0.95, 1.05),
    hem_half=(0.95, 1.05), splay=(0.0, 0.04),
)
FITS = {"skinny": (0.16, 0.13), "slim": (0.19, 0.16), "straight": (0.21, 0.19), "wide": (0.24, 0.25)}  # (knee, hem) half widths
LEGGINGS_CUT: CutSpec = dict(
    kind="trousers", length=(2.8, 3.0), rise=(0.62, 0.7), hip_flare=0.02, knee_half=(0.14, 0.16), hem_half=(0.09, 0.11),
    splay=0.0,
)
# fmt: on
# skirt style: (hem half width, length) ranges and the hem's sag at the centre
SKIRTS = {
    "a-line": ((0.68, 0.82), (1.2, 1.9), 0.02),
    "pencil": ((0.5, 0.56), (1.3, 1.8), 0.0),
    "pleated": ((0.8, 0.95), (1.3, 2.0), 0.04),
    "flared": ((0.95, 1.15), (1.2, 1.9), 0.08),
    "denim": ((0.6, 0.68), (0.85, 1.1), 0.0),
}


def lower_shape(cut: LowerCut, fab: Fabric) -> tuple[Shape, dict[str, np.ndarray]]:
    """The body of a bottom garment."""
    poly, lms, keys = lower_outline(cut)
    shape = Shape(silhouette=[poly], landmarks=lms, fabric=fab)
    shape.part(poly, fab)
    leg_r = keys["leg_r"]
    shape.anchors.update(leg_l=np.vstack([keys["hip_r"] * [-1, 1], leg_r * [-1, 1]]), leg_r=np.vstack([keys["hip_r"], leg_r]))
    return shape, keys


def _trouser_cut(rng: np.random.Generator, kind: str = "trousers") -> LowerCut:
    """A random fit of trousers (or shorts: the fit is drawn but unused, keeping the random stream alike)."""
    knee, hem = FITS[str(rng.choice(list(FITS), p=[0.2, 0.35, 0.35, 0.1]))]
    if kind == "shorts":
        return draw_cut(rng, LowerCut, SHORTS_CUT)
    c = draw_cut(rng, LowerCut, TROUSERS_CUT)
    return replace(c, knee_half=knee * c.knee_half, hem_half=hem * c.hem_half)


def _waistband(shape: Shape, cut: LowerCut, fab: Fabric, height: float, loops: bool, ribbed: bool = False) -> None:
    x = 0.5 + cut.hip_flare * 0.25
    poly = pts(-0.5, 0, 0.5, 0, x, height, -x, height)
    if ribbed:
        rib(shape, poly, fab, (0.0, 1.0), spacing=0.03)
    else:
        shape.part(poly, fab.tone(0.95), outline=0.55, light=False)
    if loops:
        for lx in (-0.45, -0.2, 0.2, 0.45):
            shape.part(
                pts(lx - 0.018, -0.012, lx + 0.018, -0.012, lx + 0.018, height + 0.025, lx - 0.018, height + 0.025),
                fab.tone(0.9),
                outline=0.55,
                light=False,
            )


def _leg_openings(keys) -> list[tuple[np.ndarray, np.ndarray]]:
    """(inner, outer) hem corners of the right leg, then of the left."""
    return [(keys["hem_ir"] * [sign, 1], keys["hem_or"] * [sign, 1]) for sign in (1, -1)]


def _leg_bands(keys, height: float) -> list[np.ndarray]:
    """A band of `height` along each leg opening (turn-ups, ankle cuffs)."""
    return [np.vstack([a, b, b - (0, height), a - (0, height)]) for a, b in _leg_openings(keys)]


def _leg_hems(shape: Shape, keys, fab: Fabric, rgb: RGB | None, up: float = 0.05) -> None:
    for a, b in _leg_openings(keys):
        shape.stroke([a - (0, up), b - (0, up)], rgb or shade(fab.rgb, 0.68), 0.008, dash=0.025)


def _fly(shape: Shape, cut: LowerCut, rgb: RGB, top: float, dash: float = 0.0) -> None:
    shape.stroke(
        np.vstack([pts(0.07, top), bez((0.07, cut.rise - 0.16), (0.07, cut.rise - 0.06), (0.0, cut.rise - 0.05), 5)]),
        rgb,
        0.01,
        dash=dash,
    )


def _jeans_details(shape: Shape, cut: LowerCut, keys, fab: Fabric, rng: np.random.Generator) -> None:
    _waistband(shape, cut, fab, 0.09, loops=True)
    f = cut.hip_flare
    for sign in (1, -1):
        pocket = bez((0.3, 0.09), (0.32, 0.28), (0.5 + f * 0.8, 0.3), 7) * [sign, 1]
        shape.stroke(pocket, shade(fab.rgb, 0.55), 0.012)
        shape.stroke(offset_path(pocket, 0.025 * sign), THREAD_GOLD, 0.008, dash=0.02)
        shape.dot(pocket[0] + (0.0, 0.012), 0.012, METAL["copper"])
    shape.stroke(round_rect(0.33, 0.13, 0.43, 0.22, 0.0, 1), THREAD_GOLD, 0.008, closed=True, dash=0.015)
    _fly(shape, cut, THREAD_GOLD, 0.09, dash=0.02)
    shape.dot((0.0, 0.045), 0.028, METAL["copper"], outline=shade(METAL["copper"], 0.6))
    if cut.kind == "trousers" and rng.random() < 0.7:  # whiskers: faded creases at the hips
        for sign in (1, -1):
            for k in range(3):
                y = cut.rise + 0.02 + 0.06 * k
                shape.stroke([(0.1 * sign, y), (0.3 * sign, y - 0.08)], shade(fab.rgb, 1.2), 0.014)
    _leg_hems(shape, keys, fab, THREAD_GOLD)


def _tailored_details(shape: Shape, cut: LowerCut, keys, fab: Fabric, rng: np.random.Generator) -> None:
    _waistband(shape, cut, fab, 0.08, loops=True)
    f = cut.hip_flare
    dark, light = shade(fab.rgb, 0.62), shade(fab.rgb, 1.15)
    for sign in (1, -1):
        shape.stroke([(0.34 * sign, 0.08), ((0.5 + f * 0.9) * sign, 0.34)], dark, 0.012)
    _fly(shape, cut, dark, 0.08)
    shape.dot((0.0, 0.04), 0.018, shade(fab.rgb, 0.5))
    if cut.kind == "trousers":
        for sign in (1, -1):
            top, bottom = np.array([0.25 * sign, 0.1]), keys["leg_r"] * [sign, 1]
            shape.stroke([top, bottom - (0, 0.02)], dark, 0.01)
            shape.stroke([top + np.array([0.015, 0.0]), bottom + np.array([0.015, -0.02])], light, 0.01)
    if rng.random() < 0.3:  # turn-ups
        for poly in _leg_bands(keys, 0.1):
            shape.part(poly, fab.tone(0.95), outline=0.55, light=False)


def _sport_details(shape: Shape, cut: LowerCut, keys, fab: Fabric, rng: np.random.Generator, cuffs: bool) -> None:
    _waistband(shape, cut, fab, 0.1, loops=False, ribbed=True)
    cord = shade(fab.rgb, 1.5) if luma(fab.rgb) < 150 else shade(fab.rgb, 0.6)
    for x in (-0.04, 0.04):
        shape.stroke([(x, 0.06), (x * 1.6, 0.32)], cord, 0.014)
        shape.dot((x * 1.6, 0.33), 0.018, cord)
    stripe = solid(contrast(fab.rgb) if rng.random() < 0.7 else COLOURS[pick_colour(rng, "accent")], noise=1.5)
    hip, hem_o = np.array([0.5 + cut.hip_flare, cut.rise * 0.75]), keys["hem_or"]
    out = np.vstack([pts(0.5, 0.1), hip, keys.get("knee_o", (hip + hem_o) / 2), hem_o - (0, 0.02)])
    for sign in (1, -1):
        for k in range(2 if rng.random() < 0.6 else 3):
            inner = offset_path(out, -0.03 - 0.05 * k)  # negative: towards the leg's inside
            strip = np.vstack([offset_path(out, -0.012 - 0.05 * k), inner[::-1]]) * [sign, 1]
            shape.part(strip, stripe, outline=None, light=False)
    if cuffs:
        for poly in _leg_bands(keys, 0.12):
            rib(shape, poly, fab, (0.0, 1.0), spacing=0.03)


def build_jeans(rng: np.random.Generator, worn: bool = False, **cut) -> Shape:
    """Blue (or black/grey) denim with a waistband, belt loops, scoop pockets, contrast stitching and rivets."""
    c = replace(_trouser_cut(rng), **cut)
    fab = denim(rng)
    shape, keys = lower_shape(c, fab)
    _jeans_details(shape, c, keys, fab, rng)
    return shape


def build_trousers(rng: np.random.Generator, worn: bool = False, **cut) -> Shape:
    """Chinos and suit trousers: any colour but denim blue, a pressed crease down each leg, slant pockets."""
    c = replace(_trouser_cut(rng), **cut)
    fab = subtle(pick_fabric(rng, "trousers", "solid:8, checks:1, stripes:1", period=(0.04, 0.07), stripe_angle=0.0))
    shape, keys = lower_shape(c, fab)
    _tailored_details(shape, c, keys, fab, rng)
    return shape


def build_track_pants(rng: np.random.Generator, worn: bool = False, **cut) -> Shape:
    """Elastic waist with drawstring, side stripes, ribbed ankle cuffs."""
    c = replace(_trouser_cut(rng), **{"knee_half": uniform(rng, 0.19, 0.22), "hem_half": uniform(rng, 0.12, 0.14), **cut})
    fab = pick_fabric(rng, "sporty", "solid:1")
    shape, keys = lower_shape(c, fab)
    _sport_details(shape, c, keys, fab, rng, cuffs=True)
    return shape


def build_leggings(rng: np.random.Generator, worn: bool = False, **cut) -> Shape:
    """Narrow stretch legs, a wide flat waistband, no pockets, a soft sheen."""
    c = replace(draw_cut(rng, LowerCut, LEGGINGS_CUT), **cut)
    colour = str(rng.choice(["Black", "Black", "Black", "Navy Blue", "Charcoal", "Maroon", "Grey", "Olive"]))
    fab = pick_fabric(rng, "basic", "solid:1", colour=colour)
    shape, keys = lower_shape(c, fab)
    _waistband(shape, c, fab, 0.15, loops=False)
    shape.stroke([(0, 0.15), (0, c.rise)], shade(fab.rgb, 0.6), 0.01)
    for sign in (1, -1):
        shape.stroke([(0.2 * sign, 0.3), (keys["leg_r"][0] * sign, c.length - 0.1)], shade(fab.rgb, 1.35), 0.03)
    return shape


def build_shorts(rng: np.random.Generator, worn: bool = False, style: str | None = None, **cut) -> Shape:
    """Denim, chino or sporty shorts ending above the knee."""
    c = replace(_trouser_cut(rng, "shorts"), **cut)
    style = style or str(rng.choice(["denim", "chino", "sport"]))
    if style == "denim":
        fab = denim(rng)
        shape, keys = lower_shape(c, fab)
        _jeans_details(shape, c, keys, fab, rng)
    elif style == "chino":
        fab = pick_fabric(rng, "trousers", "solid:4, checks:1", period=(0.06, 0.1))
        shape, keys = lower_shape(c, fab)
        _tailored_details(shape, c, keys, fab, rng)
    else:
        fab = pick_fabric(rng, "sporty", "solid:1")
        shape, keys = lower_shape(c, fab)
        _sport_details(shape, c, keys, fab, rng, cuffs=False)
    return shape


def build_skirt(rng: np.random.Generator, worn: bool = False, style: str | None = None, **cut) -> Shape:
    """A-line, pencil, pleated or flared skirt on a waistband."""
    style = style or str(rng.choice(list(SKIRTS)))
    hem, length, sag = SKIRTS[style]
    spec = {"kind": "skirt", "length": length, "hip_flare": (0.03, 0.06), "hem_half": hem, "hem_curve": sag}
    c = replace(draw_cut(rng, LowerCut, spec), **cut)
    fab = (
        denim(rng) if style == "denim" else pick_fabric(rng, "women", "solid:4, checks:2, dots:2, stripes:1", period=(0.08, 0.15))
    )
    shape, keys = lower_shape(c, fab)
    _waistband(shape, c, fab, 0.08, loops=style == "denim")
    L, hw = c.length, c.hem_half
    if style in ("pleated", "flared"):
        n = 9 if style == "pleated" else 5
        for t in np.linspace(-0.85, 0.85, n):
            shape.stroke(bez((t * 0.45, 0.1), (t * 0.6, L * 0.5), (t * hw * 0.95, L - 0.02), 7), shade(fab.rgb, 0.7), 0.012)
    elif style == "pencil":
        shape.stroke([(0.0, L - 0.3), (0.0, L)], shade(fab.rgb, 0.55), 0.014)
        for sign in (1, -1):
            shape.stroke([(0.22 * sign, 0.08), (0.22 * sign, 0.3)], shade(fab.rgb, 0.7), 0.01)
    elif style == "denim":
        shape.stroke([(0.02, 0.09), (0.02, L)], THREAD_GOLD, 0.008, dash=0.02)
        for y in np.arange(0.2, L - 0.1, 0.17):
            shape.dot((0.0, y), 0.022, METAL["copper"])
        hem_stitch(shape, keys["hem"][::-1], fab, 0.05, THREAD_GOLD)
    else:
        hem_stitch(shape, keys["hem"][::-1], fab, 0.04)
    return shape
