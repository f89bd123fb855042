"""One-piece garments (dresses, jumpsuits, sarees): cut tables and builders, on the upper-garment body of `tops`."""

from __future__ import annotations

import numpy as np

from lookbook.data.synth.colours import COLOURS, contrast, pick_colour, shade
from lookbook.data.synth.cuts import CutSpec, LowerCut, UpperCut, draw_cut, lower_outline
from lookbook.data.synth.fabrics import pick_fabric, solid
from lookbook.data.synth.geometry import bez, pts
from lookbook.data.synth.sampling import uniform
from lookbook.data.synth.shapes import Shape
from lookbook.data.synth.tops import draw_neckline, fitted_shape, sleeve_stitch, upper_shape

# Cuts in units of chest width (legs: of waist width): a (lo, hi) pair is drawn uniformly, any other value is fixed.
# fmt: off
DRESS_CUT: CutSpec = dict(
    length=(1.8, 2.6), back_drop=0.04, shoulder_half=(0.48, 0.52), shoulder_drop=0.08, armpit_y=(0.34, 0.4),
    waist_y=(0.72, 0.85), waist_half=(0.37, 0.41), hip_half=(0.47, 0.52), hem_half=(0.55, 0.9), hem_curve=(0.0, 0.05),
    strap_w=(0.09, 0.13),
)
DRESS_NECKS = {"scoop": ((0.17, 0.21), (0.14, 0.22)), "v": ((0.14, 0.17), (0.24, 0.32)), "crew": ((0.13, 0.16), (0.07, 0.1))}
DRESS_SLEEVES: dict[str, CutSpec] = {  # sleeveless and strappy dresses draw the short ranges too (unused)
    "long": dict(sleeve_angle=(1.15, 1.35), sleeve_len=(0.95, 1.1), cuff=(0.12, 0.16)),
    "short": dict(sleeve_angle=(0.5, 0.8), sleeve_len=(0.2, 0.3), cuff=(0.2, 0.26)),
}
JUMPSUIT_CUT: CutSpec = dict(
    length=0.82, neck="v", neck_half=(0.14, 0.17), neck_depth=(0.22, 0.3), back_drop=0.04, shoulder_half=0.5,
    armpit_y=(0.34, 0.38), waist_y=0.6, waist_half=0.41, hem_half=0.42, sleeve_angle=(0.5, 0.8), sleeve_len=0.22,
    cuff=0.22, strap_w=(0.1, 0.14),
)
JUMPSUIT_LEGS: CutSpec = dict(
    kind="trousers", length=(2.6, 2.9), rise=0.65, hip_flare=0.06, knee_half=(0.2, 0.25), hem_half=(0.2, 0.27), splay=0.04,
)
SAREE_BLOUSE_CUT: CutSpec = dict(
    sleeve="short", length=0.62, neck="scoop", neck_half=0.17, neck_depth=0.16, back_drop=0.04, shoulder_half=0.5,
    armpit_y=0.35, waist_y=0.5, waist_half=0.42, hem_half=0.42, sleeve_angle=(0.9, 1.1), sleeve_len=0.3, cuff=0.16,
)
# fmt: on


def build_dress(rng: np.random.Generator, worn: bool = False, sleeve: str | None = None, **cut) -> Shape:
    """Fitted bodice, waist seam or belt, flared skirt with folds."""
    fab = pick_fabric(rng, "dress", "solid:5, dots:3, stripes:1, checks:1", period=(0.09, 0.16))
    sleeve = sleeve or str(rng.choice(["none", "strap", "short", "long"], p=[0.3, 0.2, 0.3, 0.2]))
    neckline = draw_neckline(rng, DRESS_NECKS)
    sleeves = DRESS_SLEEVES["long" if sleeve == "long" else "short"]
    n_side = 4 if sleeve in ("short", "long") else 3
    c = draw_cut(rng, UpperCut, DRESS_CUT, sleeve=sleeve, **neckline, **sleeves, n_side=n_side)
    c, shape, keys = fitted_shape(rng, c, fab, worn, cut)
    wy, ww = c.waist_y, c.waist_half
    if rng.random() < 0.4:
        belt = solid(COLOURS[pick_colour(rng, "leather")] if rng.random() < 0.5 else contrast(fab.rgb), edge=0.1)
        shape.part(
            pts(-ww - 0.005, wy - 0.04, ww + 0.005, wy - 0.04, ww + 0.01, wy + 0.04, -ww - 0.01, wy + 0.04), belt, outline=0.6
        )
    else:
        shape.stroke([(-ww, wy), (ww, wy)], shade(fab.rgb, 0.65), 0.012)
    L, hw = c.length, c.hem_half
    for t in np.linspace(-0.7, 0.7, int(rng.integers(3, 6))):
        top = (t * ww * 0.8, wy + 0.12)
        shape.stroke(bez(top, (t * ww * 1.2, (wy + L) / 2), (t * hw * 0.9, L - 0.06), 7), shade(fab.rgb, 0.8), 0.012)
    sleeve_stitch(shape, keys, fab)
    return shape


def build_jumpsuit(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Sleeveless or short-sleeved bodice joined to full-length trousers, belted at the waist."""
    fab = pick_fabric(rng, "dress", "solid:5, dots:1, stripes:1", period=(0.09, 0.14))
    c = draw_cut(rng, UpperCut, JUMPSUIT_CUT, sleeve=str(rng.choice(["none", "short"])))
    top, _ = upper_shape(c, fab, worn)
    poly, _, _ = lower_outline(draw_cut(rng, LowerCut, JUMPSUIT_LEGS))
    poly = poly * 0.86 + (0.0, c.length - 0.06)
    shape = Shape(fabric=fab, silhouette=[top.silhouette[0], poly])
    shape.part([top.silhouette[0], poly], fab)
    shape.ops += top.ops[1:]
    belt = solid(contrast(fab.rgb) if rng.random() < 0.5 else shade(fab.rgb, 0.7), edge=0.0)
    y = c.length - 0.06
    shape.part(pts(-0.45, y - 0.03, 0.45, y - 0.03, 0.45, y + 0.05, -0.45, y + 0.05), belt, outline=0.6)
    for sign in (1, -1):
        shape.stroke([(0.21 * sign, y + 0.1), (0.25 * sign, y + 2.3)], shade(fab.rgb, 0.75), 0.012)
    shape.anchors = top.anchors
    return shape


def build_saree(rng: np.random.Generator, worn: bool = False) -> Shape:
    """A draped saree: fitted short-sleeved blouse, floor-length skirt with front pleats, the pallu across the
    body and a gold border."""
    fab = pick_fabric(rng, "ethnic", "solid:3, dots:3", period=(0.08, 0.12))
    blouse = solid(COLOURS[pick_colour(rng, "ethnic", avoid=fab.colour)], edge=0.3)
    gold = COLOURS["Gold"]
    top, _ = upper_shape(draw_cut(rng, UpperCut, SAREE_BLOUSE_CUT), blouse, worn)
    L = uniform(rng, 2.9, 3.2)
    skirt = pts(-0.43, 0.58, 0.43, 0.58, 0.6, L, -0.6, L)
    pallu = pts(-0.47, 0.0, -0.2, -0.04, 0.5, 0.75, 0.62, 1.7, 0.42, 1.75, 0.3, 0.95)
    shape = Shape(fabric=fab, silhouette=[top.silhouette[0], skirt])
    shape.ops += top.ops
    shape.part(skirt, fab)
    shape.part(pts(-0.6, L - 0.16, 0.6, L - 0.16, 0.6, L, -0.6, L), solid(gold, edge=0.1), outline=0.6)
    for x in np.linspace(-0.18, 0.1, 5):
        shape.stroke([(x, 0.95), (x * 1.3, L - 0.17)], shade(fab.rgb, 0.7), 0.012)
    shape.part(pallu, fab.tone(1.05), outline=0.55)
    shape.stroke(pallu[[0, 5, 4]], gold, 0.07)
    shape.stroke(pallu[[3, 4]], gold, 0.09)
    shape.anchors = top.anchors
    return shape
