"""Upper garments (t-shirts, shirts, tops, sweaters, jackets, kurtas): cut tables, shared body and trims, builders."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from lookbook.data.synth.colours import COLOURS, METAL, contrast, luma, pick_colour, shade
from lookbook.data.synth.cuts import CutSpec, UpperCut, draw_cut, upper_outline
from lookbook.data.synth.fabrics import Fabric, pick_fabric, solid
from lookbook.data.synth.geometry import band, ellipse, mirror, offset_path, pts, round_rect, seg
from lookbook.data.synth.sampling import uniform
from lookbook.data.synth.shapes import Shape
from lookbook.data.synth.trims import hem_stitch, rib

# Every garment builder (here and in the other garment modules) is `build_<kind>(rng, worn=False, ...) -> Shape`, so
# scenes and the catalogue call them alike; `worn` garments show skin inside the neckline instead of the back lining,
# and `**cut` pins cut fields after they are drawn (scenes pin sleeve angles and fronts).

# Cuts in units of chest width (see UpperCut): a (lo, hi) pair is drawn uniformly, any other value is fixed.
# fmt: off
TSHIRT_CUT: CutSpec = dict(
    sleeve="short", length=(1.1, 1.3), neck_half=(0.13, 0.17), back_drop=(0.02, 0.04), shoulder_half=(0.52, 0.56),
    shoulder_drop=(0.06, 0.1), armpit_y=(0.34, 0.4), waist_y=0.75, waist_half=(0.45, 0.49), hem_half=(0.47, 0.51),
    sleeve_angle=(0.45, 0.8), sleeve_len=(0.26, 0.36), cuff=(0.22, 0.28),
)
SHIRT_CUT: CutSpec = dict(
    length=(1.2, 1.4), neck="v", neck_half=(0.11, 0.13), neck_depth=(0.09, 0.12), back_drop=0.03, shoulder_half=(0.51, 0.55),
    shoulder_drop=0.08, armpit_y=(0.34, 0.38), waist_y=0.8, waist_half=(0.46, 0.49), hem_half=(0.47, 0.5),
    hem_curve=(0.04, 0.08),
)
SHIRT_SLEEVES: dict[str, CutSpec] = {
    "long": dict(sleeve_angle=(1.05, 1.3), sleeve_len=(1.0, 1.15), cuff=(0.13, 0.16)),
    "short": dict(sleeve_angle=(0.5, 0.8), sleeve_len=(0.28, 0.34), cuff=(0.22, 0.26)),
}
TOP_CUT: CutSpec = dict(
    length=(1.0, 1.2), back_drop=0.04, shoulder_half=(0.49, 0.52), shoulder_drop=0.08, armpit_y=(0.33, 0.4),
    waist_y=(0.6, 0.66), waist_half=(0.4, 0.44), hem_half=(0.48, 0.56), hem_curve=(-0.02, 0.03),
    sleeve_angle=(1.15, 1.35), sleeve_len=(0.95, 1.1), cuff=(0.13, 0.17), strap_w=(0.09, 0.14),
)
TOP_NECKS = {"scoop": ((0.17, 0.22), (0.14, 0.24)), "v": ((0.14, 0.17), (0.25, 0.33)), "boat": ((0.24, 0.28), (0.04, 0.07))}
SWEATER_CUT: CutSpec = dict(
    sleeve="long", length=(1.05, 1.25), neck="crew", neck_half=(0.14, 0.16), neck_depth=(0.08, 0.1), back_drop=0.03,
    shoulder_half=(0.54, 0.58), shoulder_drop=0.09, armpit_y=(0.38, 0.42), waist_y=0.75, waist_half=(0.48, 0.5),
    hem_half=(0.46, 0.49), sleeve_angle=(1.1, 1.3), sleeve_len=(1.0, 1.12), cuff=(0.14, 0.17),
)
JACKET_CUT: CutSpec = dict(
    length=(1.1, 1.35), neck_half=(0.12, 0.15), back_drop=0.03, shoulder_half=(0.55, 0.59), shoulder_drop=0.08,
    armpit_y=(0.38, 0.43), waist_y=0.75, hem_half=(0.48, 0.52), gap_top=(0.07, 0.12), gap_hem=(0.12, 0.24),
    open_depth=(0.3, 0.5),
)
JACKET_NECKS: dict[str, CutSpec] = {  # a closed blazer's deep V between lapels, or a round neck under a stand collar
    "lapels": dict(neck="v", neck_depth=(0.48, 0.56), waist_half=(0.47, 0.5)),
    "round": dict(neck="crew", neck_depth=(0.04, 0.07), waist_half=(0.49, 0.52)),
}
JACKET_SLEEVES: dict[str, CutSpec] = {
    "long": dict(sleeve_angle=(1.1, 1.3), sleeve_len=(1.05, 1.15), cuff=(0.15, 0.18)),
    "short": dict(sleeve_angle=(0.55, 0.8), sleeve_len=0.32, cuff=0.25),
}
KURTA_CUT: CutSpec = dict(
    sleeve="long", length=(1.75, 2.05), neck="crew", neck_half=(0.11, 0.13), neck_depth=0.06, back_drop=0.03,
    shoulder_half=(0.5, 0.53), armpit_y=(0.34, 0.38), waist_y=0.8, waist_half=(0.45, 0.48), hem_half=(0.52, 0.58),
    sleeve_angle=(1.15, 1.3), cuff=(0.13, 0.16),
)
# fmt: on


def upper_shape(cut: UpperCut, fab: Fabric, worn: bool, lining: Fabric | None = None) -> tuple[Shape, dict[str, np.ndarray]]:
    """The body of an upper garment (and the inside of its neckline when laid flat)."""
    poly, inner, lms, keys = upper_outline(cut, worn)
    shape = Shape(silhouette=[poly], landmarks=lms, fabric=fab)
    shape.part(poly, fab)
    if inner is not None:
        shape.part(inner, lining or fab.tone(0.7), outline=0.6)
    shape.anchors["length"] = np.array([[0.0, cut.length]])
    arm_start = (keys["SL"] + keys["AL"]) / 2
    arm_end = (keys["CO"] + keys["CI"]) / 2 if "CO" in keys else keys["AL"] + keys["d"] * 0.15
    shape.anchors.update(arm_l=np.vstack([arm_start, arm_end]), arm_r=np.vstack([arm_start, arm_end]) * [-1, 1])
    return shape, keys


def draw_neckline(rng: np.random.Generator, styles: dict[str, tuple[tuple[float, float], tuple[float, float]]]) -> CutSpec:
    """Cut fields for one of `styles` (name -> (half width range, depth range)); every style's size is drawn, then one
    kept, so the random stream does not depend on the style picked."""
    name = str(rng.choice(list(styles)))
    sizes = {k: (uniform(rng, *half), uniform(rng, *depth)) for k, (half, depth) in styles.items()}
    return {"neck": "v" if name == "v" else "crew", "neck_half": sizes[name][0], "neck_depth": sizes[name][1]}


def _cami_neck(rng: np.random.Generator) -> dict:
    """Cut overrides for spaghetti straps over a low, curved bodice (camisoles, slip dresses)."""
    return {
        "neck": "strap",
        "neck_half": uniform(rng, 0.2, 0.25),
        "neck_depth": uniform(rng, 0.38, 0.46),
        "bodice_top": uniform(rng, 0.3, 0.36),
        "back_drop": uniform(rng, 0.22, 0.28),
        "strap_w": uniform(rng, 0.03, 0.045),
        "armpit_y": 0.4,
    }


def fitted_shape(
    rng: np.random.Generator, c: UpperCut, fab: Fabric, worn: bool, cut: dict
) -> tuple[UpperCut, Shape, dict[str, np.ndarray]]:
    """Tops and dresses: the final cut (spaghetti straps when strapped, then the caller's `cut`), its body and, unless
    strapped, a narrow neck binding."""
    if c.sleeve == "strap":
        c = replace(c, **_cami_neck(rng))
    c = replace(c, **cut)
    shape, keys = upper_shape(c, fab, worn)
    if c.neck != "strap":
        neck_binding(shape, keys, fab, 0.025)
    return c, shape, keys


def neck_binding(shape: Shape, keys, fab: Fabric, width: float) -> None:
    """A flat band of a slightly darker tone just inside the front neckline."""
    shape.part(band(keys["front"], -width), fab.plain(shade(fab.rgb, 0.88), edge=0.0), outline=0.6, light=False)


def cuffs(shape: Shape, keys, fab: Fabric, length: float, ribbed: bool) -> None:
    """A cuff of `length` at both sleeve ends (knitted rib or a plain turned band)."""
    co, ci, d = keys["CO"], keys["CI"], keys["d"]
    poly = np.vstack([co, ci, ci - d * length, co - d * length])
    for p, dd in ((poly, d), (poly * [-1, 1], d * [-1, 1])):
        if ribbed:
            rib(shape, p, fab, dd)
        else:
            shape.part(p, fab.tone(0.95), outline=0.6, light=False)


def sleeve_stitch(shape: Shape, keys, fab: Fabric) -> None:
    """Hem stitching near both sleeve ends (nothing on sleeveless cuts)."""
    if "CO" in keys:
        co, ci, d = keys["CO"], keys["CI"], keys["d"]
        for sign in (1, -1):
            shape.stroke(np.vstack([co - d * 0.045, ci - d * 0.045]) * [sign, 1], shade(fab.rgb, 0.68), 0.008, dash=0.025)


def build_tshirt(rng: np.random.Generator, worn: bool = False, **cut) -> Shape:
    """Short sleeves, crew or V neck with a rib binding, straight hem; sometimes a chest print."""
    fab = pick_fabric(rng, "basic", "solid:6, stripes:2, print:2", period=(0.09, 0.18))
    v = rng.random() < 0.25
    c = draw_cut(rng, UpperCut, TSHIRT_CUT, neck="v" if v else "crew", neck_depth=(0.2, 0.28) if v else (0.07, 0.11))
    c = replace(c, **cut)
    shape, keys = upper_shape(c, fab, worn)
    neck_binding(shape, keys, fab, 0.045)
    sleeve_stitch(shape, keys, fab)
    hem_stitch(shape, keys["hem"], fab)
    if fab.pattern == "print":
        ink = COLOURS[pick_colour(rng, "accent", avoid=fab.colour)]
        ink = ink if abs(luma(ink) - luma(fab.rgb)) > 50 else contrast(fab.rgb)
        y = c.neck_depth + uniform(rng, 0.2, 0.3)
        kind = int(rng.integers(4))
        if kind == 0:
            shape.part(ellipse(0, y, 0.17, 0.17), solid(ink, edge=0.0), outline=None)
        elif kind == 1:
            shape.part(round_rect(-0.22, y - 0.12, 0.22, y + 0.14, 0.03), solid(ink, edge=0.0), outline=None)
            shape.part(round_rect(-0.15, y - 0.05, 0.15, y + 0.07, 0.02), solid(fab.rgb, edge=0.0), outline=None)
        elif kind == 2:
            shape.part(pts(-0.5, y - 0.06, 0.5, y - 0.06, 0.5, y + 0.06, -0.5, y + 0.06), solid(ink, edge=0.0), outline=None)
        else:
            shape.part(pts(-0.3, y - 0.14, -0.18, y - 0.14, -0.18, y - 0.04, -0.3, y - 0.04), solid(ink, edge=0.0), outline=None)
    return shape


def build_shirt(rng: np.random.Generator, worn: bool = False, **cut) -> Shape:
    """Pointed collar, button placket, cuffs, chest pocket, curved shirt-tail hem."""
    fab = pick_fabric(rng, "shirt", "solid:4, stripes:3, checks:4", period=(0.06, 0.13), stripe_angle=0.0)
    sleeve = "long" if rng.random() < 0.8 else "short"
    c = replace(draw_cut(rng, UpperCut, SHIRT_CUT, sleeve=sleeve, **SHIRT_SLEEVES[sleeve]), **cut)
    shape, keys = upper_shape(c, fab, worn, lining=fab.tone(0.82))
    nh, nd, L = c.neck_half, c.neck_depth, c.length
    shape.part(
        pts(-0.045, nd - 0.01, 0.045, nd - 0.01, 0.045, L + c.hem_curve - 0.005, -0.045, L + c.hem_curve - 0.005),
        fab,
        outline=0.62,
        light=False,
    )
    button = shade(fab.rgb, 1.35) if luma(fab.rgb) < 150 else shade(fab.rgb, 0.8)
    for y in np.arange(nd + 0.12, L - 0.02, 0.15):
        shape.dot((0, y), 0.02, button, outline=shade(fab.rgb, 0.5))
    leaf = pts(-nh - 0.035, -0.02, -0.01, nd + 0.005, -0.07, nd + 0.14, -nh - 0.1, 0.1)
    for poly in (leaf, mirror(leaf)):
        shape.part(poly, fab.tone(0.97), outline=0.55)
    shape.dot((0, nd + 0.02), 0.018, button, outline=shade(fab.rgb, 0.5))
    shape.part(np.vstack([pts(-0.33, 0.36, -0.13, 0.36), pts(-0.13, 0.54, -0.23, 0.58, -0.33, 0.54)]), fab, outline=0.6)
    if sleeve == "long":
        cuffs(shape, keys, fab, 0.13, ribbed=False)
    else:
        sleeve_stitch(shape, keys, fab)
    hem_stitch(shape, keys["hem"], fab, 0.035)
    return shape


def build_top(rng: np.random.Generator, worn: bool = False, sleeve: str | None = None, **cut) -> Shape:
    """A fitted women's top: scoop, V or boat neck, long sleeves (or none), flared hem, no collar or buttons."""
    fab = pick_fabric(rng, "women", "solid:5, dots:2, stripes:2, checks:1", period=(0.08, 0.15))
    sleeve = sleeve or ("none" if rng.random() < 0.25 else "long")
    neckline = draw_neckline(rng, TOP_NECKS)
    c = draw_cut(rng, UpperCut, TOP_CUT, sleeve=sleeve, **neckline, n_side=1 if sleeve in ("none", "strap") else 2)
    c, shape, keys = fitted_shape(rng, c, fab, worn, cut)
    if rng.random() < 0.3 and c.neck != "strap":  # a bow at the neckline
        y = c.neck_depth + 0.02
        bow = solid(shade(fab.rgb, 0.8) if rng.random() < 0.5 else contrast(fab.rgb), edge=0.0)
        shape.part(pts(0, y, -0.1, y - 0.05, -0.1, y + 0.06), bow, outline=0.6)
        shape.part(pts(0, y, 0.1, y - 0.05, 0.1, y + 0.06), bow, outline=0.6)
        shape.dot((0, y), 0.02, shade(bow.rgb, 0.85))
    sleeve_stitch(shape, keys, fab)
    return shape


def build_sweater(rng: np.random.Generator, worn: bool = False, hooded: bool | None = None, **cut) -> Shape:
    """Boxy knit with ribbed neck, cuffs and hem band; hoodies get a hood, pouch pocket and drawstrings."""
    fab = pick_fabric(rng, "knit", "knit:5, stripes:2", period=(0.16, 0.26))
    hooded = bool(rng.random() < 0.3) if hooded is None else hooded
    c = replace(draw_cut(rng, UpperCut, SWEATER_CUT), **cut)
    shape = Shape()
    if hooded and not worn:  # the hood lies flat behind the neckline
        shape.part(ellipse(0, -0.1, c.neck_half + 0.13, 0.24), fab, outline=0.55)
        shape.part(ellipse(0, -0.04, c.neck_half + 0.02, 0.15), fab.tone(0.65), outline=0.55)
    body, keys = upper_shape(c, fab, worn)
    shape.ops += body.ops
    shape.silhouette, shape.landmarks, shape.anchors, shape.fabric = body.silhouette, body.landmarks, body.anchors, fab
    rib(shape, band(keys["front"], -0.07), fab, (0.0, 1.0))
    cuffs(shape, keys, fab, 0.13, ribbed=True)
    hem = keys["hem"]
    rib(shape, band(hem[::-1], -0.13)[::-1], fab, (0.0, 1.0))
    if hooded:
        L = c.length
        shape.part(pts(-0.26, L - 0.48, 0.26, L - 0.48, 0.36, L - 0.16, -0.36, L - 0.16), fab, outline=0.6)
        for x in (-0.05, 0.05):
            shape.stroke([(x, c.neck_depth + 0.02), (x * 1.3, c.neck_depth + 0.3)], shade(fab.rgb, 1.4), 0.018)
            shape.dot((x * 1.3, c.neck_depth + 0.31), 0.022, shade(fab.rgb, 1.4))
    elif fab.pattern == "knit" and rng.random() < 0.5:  # cable knit
        for x in (-0.18, 0.0, 0.18):
            ys = np.arange(c.neck_depth + 0.12, c.length - 0.15, 0.06)
            zig = np.stack([x + 0.03 * (-1) ** np.arange(len(ys)), ys], axis=1)
            shape.stroke(zig, shade(fab.rgb, 0.78), 0.018)
    return shape


def build_jacket(
    rng: np.random.Generator, worn: bool = False, style: str | None = None, sleeve: str = "long", front: str = "closed", **cut
) -> Shape:
    """Outerwear: a zip jacket (stand collar, zip, welt pockets; sometimes quilted) or a blazer (lapels, buttons)."""
    style = style or str(rng.choice(["zip", "blazer"]))
    fab = pick_fabric(rng, "outer", "solid:6, checks:1" if style == "blazer" else "solid:1", period=(0.06, 0.1))
    if fab.pattern == "checks":  # suiting: a fine tone-on-tone check
        fab = replace(fab, second=shade(fab.rgb, 1.25), duty=0.15, angle=0.0, noise=2.5)
    long = sleeve == "long"
    blazer = style == "blazer" and front == "closed"
    neck, sleeves = JACKET_NECKS["lapels" if blazer else "round"], JACKET_SLEEVES["long" if long else "short"]
    c = replace(draw_cut(rng, UpperCut, JACKET_CUT, sleeve=sleeve, **neck, **sleeves, front=front), **cut)
    shirt = solid(COLOURS[str(rng.choice(["White", "White", "Blue", "Cream"]))], edge=0.15)
    shape, keys = upper_shape(c, fab, worn, lining=shirt if blazer else fab.tone(0.6))
    nh, L = c.neck_half, c.length
    metal = METAL[str(rng.choice(["silver", "gunmetal", "gold"]))]
    if blazer:
        front_l = keys["front"][: len(keys["front"]) // 2 + 1]  # NL down to the V
        lapel = np.vstack([pts(-nh, 0.0, -nh - 0.13, 0.14, -nh - 0.08, 0.19, -nh - 0.13, 0.25), front_l[::-1]])
        if rng.random() < 0.5 and not worn:  # a tie in the V
            tie = solid(COLOURS[pick_colour(rng, "tie")], edge=0.1)
            shape.part(pts(-0.035, 0.05, 0.035, 0.05, 0.05, c.neck_depth, -0.05, c.neck_depth), tie, outline=0.6)
        for poly in (lapel, mirror(lapel)):
            shape.part(poly, fab.tone(1.04), outline=0.5)
        shape.stroke([(0.0, c.neck_depth), (0.0, L - 0.04)], shade(fab.rgb, 0.6), 0.01)  # the overlapping front edge
        for y in (c.neck_depth + 0.08, c.neck_depth + 0.28):
            shape.dot((0, y), 0.025, shade(fab.rgb, 0.55), outline=shade(fab.rgb, 0.4))
        for x in (-0.33, 0.33):
            shape.part(pts(x - 0.13, 0.82, x + 0.13, 0.82, x + 0.13, 0.9, x - 0.13, 0.9), fab.tone(0.97), outline=0.55)
        shape.part(pts(-0.36, 0.36, -0.16, 0.34, -0.16, 0.38, -0.36, 0.4), fab.tone(0.97), outline=0.55)
        if long:
            co, ci, d = keys["CO"], keys["CI"], keys["d"]
            for k in range(3):
                p = (co * 0.35 + ci * 0.65) - d * (0.07 + 0.05 * k)
                shape.dot(p, 0.014, shade(fab.rgb, 0.5))
                shape.dot(p * [-1, 1], 0.014, shade(fab.rgb, 0.5))
    else:
        if front == "closed":
            collar = np.vstack([pts(-nh - 0.02, -0.1, nh + 0.02, -0.1), keys["front"][::-1]])
            shape.part(collar, fab.tone(0.92), outline=0.55)
            shape.stroke([(0, -0.1), (0, L - 0.02)], shade(fab.rgb, 0.45), 0.03)
            shape.stroke([(0, -0.1), (0, L - 0.02)], metal, 0.018, dash=0.012)
            shape.part(round_rect(-0.02, 0.0, 0.02, 0.1, 0.01), solid(metal, edge=0.0), outline=0.6)
        quilted = fab.pattern == "solid" and rng.random() < 0.3
        if quilted:
            for y in np.arange(c.armpit_y + 0.05, L - 0.05, 0.14):
                shape.stroke([(-c.waist_half + 0.03, y), (-0.02, y)], shade(fab.rgb, 0.7), 0.012)
                shape.stroke([(0.02, y), (c.waist_half - 0.03, y)], shade(fab.rgb, 0.7), 0.012)
        else:
            for sign in (-1, 1):
                shape.part(pts(0.22, 0.72, 0.27, 0.7, 0.36, 0.95, 0.31, 0.97) * [sign, 1], fab.tone(0.8), outline=0.5)
        if long and rng.random() < 0.6:
            cuffs(shape, keys, fab, 0.12, ribbed=True)
            if front == "closed":
                hem = keys["hem"]
                rib(shape, band(seg(hem[0], hem[-1], 9)[::-1], -0.1)[::-1], fab, (0.0, 1.0))
        else:
            sleeve_stitch(shape, keys, fab)
    return shape


def build_kurta(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Knee-length straight tunic: mandarin collar, short button slit, long sleeves, side slits, a printed border."""
    fab = pick_fabric(rng, "ethnic", "solid:3, dots:3, stripes:2", period=(0.07, 0.12), stripe_angle=0.0)
    trim = solid(COLOURS[str(rng.choice(["Gold", "Mustard", "Cream", "Maroon"]))], edge=0.0)
    long = rng.random() < 0.7  # full-length sleeves, else three-quarter
    c = draw_cut(rng, UpperCut, KURTA_CUT, sleeve_len=(0.95, 1.08) if long else (0.65, 0.75))
    shape, keys = upper_shape(c, fab, worn)
    nh, L = c.neck_half, c.length
    shape.part(np.vstack([pts(-nh - 0.01, -0.06, nh + 0.01, -0.06), keys["front"][::-1]]), fab.tone(0.9), outline=0.55)
    shape.stroke([(0.0, 0.06), (0.0, 0.5)], shade(fab.rgb, 0.55), 0.014)
    for y in (0.16, 0.28, 0.4):
        shape.dot((0.0, y), 0.018, trim.rgb, outline=shade(trim.rgb, 0.6))
    hem = keys["hem"]
    shape.part(band(hem, 0.1), trim, outline=0.6, light=False)
    shape.stroke(offset_path(hem, 0.05), shade(trim.rgb, 0.6), 0.012, dash=0.02)
    for sign in (1, -1):
        shape.stroke([(c.hem_half * sign * 0.99, L), (c.hem_half * sign * 0.95, L - 0.35)], shade(fab.rgb, 0.5), 0.014)
    cuffs(shape, keys, fab.plain(trim.rgb, edge=0.0), 0.06, ribbed=False)
    return shape
