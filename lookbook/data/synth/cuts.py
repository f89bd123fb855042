"""Garment cuts: upper and lower garment outlines traced in DeepFashion2 landmark order, and drawing a cut from a spec."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from lookbook.data.synth.geometry import along, bez, mirror, pts, seg
from lookbook.data.synth.sampling import uniform

# Upper garments: chest width = 1 unit, y from the neck point down. Outlines are traced in DeepFashion2's landmark
# order (back neck, left neck, front neckline, right neck, then down the image-left side, along the hem and up the
# right side), so the landmarks are simply chosen outline points.


@dataclass
class UpperCut:
    """An upper-body garment's cut, in units of chest width."""

    sleeve: str = "short"  # none (tank), strap (cami), short, long
    length: float = 1.2  # neck point to hem
    neck: str = "crew"  # crew, v, scoop, strap
    neck_half: float = 0.15
    neck_depth: float = 0.1  # front neckline depth below the neck points
    back_drop: float = 0.03  # back neckline depth
    shoulder_half: float = 0.53
    shoulder_drop: float = 0.08
    armpit_y: float = 0.36
    waist_y: float = 0.75
    waist_half: float = 0.47
    hip_half: float = 0.5  # dresses only (n_side >= 3)
    hem_half: float = 0.49
    hem_curve: float = 0.0  # hem centre below the corners (shirt tails > 0)
    sleeve_angle: float = 0.6  # radians below horizontal
    sleeve_len: float = 0.3  # along the outer edge
    cuff: float = 0.24  # sleeve opening width
    strap_w: float = 0.12  # tank straps / cami straps
    bodice_top: float = 0.35  # cami: where the straps meet the bodice
    n_side: int = 2  # side landmarks per side, between armpit and hem corner
    front: str = "plain"  # plain; outwear: closed or open
    gap_top: float = 0.1  # open front: half gap at the lapel break
    gap_hem: float = 0.16  # open front: half gap at the hem
    open_depth: float = 0.4  # open front: lapel break below the neck point


def upper_outline(c: UpperCut, worn: bool) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, dict[str, np.ndarray]]:
    """(silhouette, inside-of-neck polygon or None, landmarks, key points) of an upper garment."""
    nh = c.neck_half
    NL, NR = np.array([-nh, 0.0]), np.array([nh, 0.0])
    if c.neck == "v":
        front = np.vstack([seg(NL, (0, c.neck_depth), 5), seg((0, c.neck_depth), NR, 5)[1:]])
    elif c.neck == "strap":
        ys = c.bodice_top
        dip = bez((-nh, ys), (0, 2 * c.neck_depth - ys), (nh, ys), 9)
        front = np.vstack([seg(NL, (-nh, ys), 4), dip[1:], seg((nh, ys), NR, 4)[1:]])
    else:
        front = bez(NL, (0, 2 * c.neck_depth), NR, 11)
    if c.neck == "strap":
        bd = c.back_drop
        back = np.vstack([seg(NR, (nh, bd), 3), bez((nh, bd), (0, bd + 0.06), (-nh, bd), 9)[1:], seg((-nh, bd), NL, 3)[1:]])
    else:
        back = bez(NR, (0, 2 * c.back_drop), NL, 9)

    AL = np.array([-0.5, c.armpit_y])
    d = np.array([-math.cos(c.sleeve_angle), math.sin(c.sleeve_angle)])
    keys: dict[str, np.ndarray] = {"NL": NL, "NR": NR, "front": front, "back": back, "d": d}
    if c.sleeve in ("short", "long"):
        # a steep (hanging) sleeve between a shoulder and an armpit stacked one above the other would be a sliver:
        # push the shoulder out until the sleeve is at least as wide at the top as at the cuff
        top_w = max(c.cuff, 0.2)
        reach = (top_w - math.cos(c.sleeve_angle) * (c.armpit_y - c.shoulder_drop)) / max(math.sin(c.sleeve_angle), 1e-6)
        SL = np.array([-max(c.shoulder_half, 0.5 + reach), c.shoulder_drop])
        CO = SL + d * c.sleeve_len
        CI = CO + np.array([math.sin(c.sleeve_angle), math.cos(c.sleeve_angle)]) * c.cuff
        k = 1 if c.sleeve == "short" else 3
        arm = np.vstack([SL, seg(SL, CO, k + 2)[1:-1], CO, CI, seg(CI, AL, k + 2)[1:-1], AL])
        arm_lm = arm
        keys.update(CO=CO, CI=CI)
    elif c.sleeve == "none":
        SL = np.array([-(nh + c.strap_w), c.shoulder_drop * 0.4])
        arm = bez(SL, (SL[0] + 0.01, AL[1] - 0.03), AL, 8)
        arm_lm = np.vstack([SL, AL])
    else:  # strap
        AL = np.array([-0.48, c.bodice_top + 0.05])
        SL = np.array([-(nh + c.strap_w), 0.0])
        sb = np.array([SL[0], c.bodice_top])
        arm = np.vstack([SL, bez(sb, (-0.46, c.bodice_top), AL, 5)])
        arm_lm = np.vstack([SL, AL])
    keys.update(SL=SL, AL=AL)

    W = np.array([-c.waist_half, c.waist_y])
    HL = np.array([-c.hem_half, c.length])
    if c.n_side >= 3:  # dress: fitted waist, then the skirt
        HIP = np.array([-c.hip_half, c.waist_y + 0.3])
        side = np.vstack([seg(AL, W, 4), seg(W, HIP, 4)[1:], bez(HIP, (HIP[0] - 0.02, (HIP[1] + HL[1]) / 2), HL, 7)[1:]])
        keys["HIP"] = HIP
    else:
        side = np.vstack([seg(AL, W, 4), seg(W, HL, 4)[1:]])
    side_lm = along(side, c.n_side + 2)[1:-1]
    left = np.vstack([NL, arm, side[1:]])
    right = mirror(left)
    HR = right[0]
    keys.update(W=W, HL=HL, HR=HR)
    left_lm = np.vstack([arm_lm, side_lm])
    neck_lm = np.vstack([along(back, 3)[1], NL, along(front, 5)[1:4], NR])
    top_edge = front[::-1][1:-1] if worn else back[1:-1]
    inner = None if worn else np.vstack([front, back[1:-1]])
    if c.front == "open":
        L = c.length
        lot, lfb = np.array([-c.gap_top, c.open_depth]), np.array([-c.gap_hem, L])
        collar = np.vstack(
            [
                seg(lot, (-nh * 0.85, 0.07), 4),
                bez((-nh * 0.85, 0.07), (0, 0.11), (nh * 0.85, 0.07), 7)[1:],
                seg((nh * 0.85, 0.07), lot * [-1, 1], 4)[1:],
            ]
        )
        b = np.array([0.0, -0.012])
        poly = np.vstack(
            [
                left,
                seg(HL, lfb, 3)[1:],
                seg(lfb, lot, 6)[1:],
                collar[1:],
                seg(lot * [-1, 1], lfb * [-1, 1], 6)[1:],
                seg(lfb * [-1, 1], HR, 3)[1:-1],
                right,
                b,
            ]
        )
        neck_lm = np.vstack([b, NL, along(collar, 5)[1:4], NR])
        hem_lm = np.vstack([HL, lfb, along([lfb, lot], 5)[1:4], along([lot * [-1, 1], lfb * [-1, 1]], 4)[1:3], lfb * [-1, 1], HR])
        inner, hem = None, np.vstack([HL, lfb])
        keys.update(lot=lot, lfb=lfb, collar=collar)
    elif c.front == "closed":
        L = c.length
        lfb, centre = np.array([-0.05, L + 0.01]), np.array([0.0, L - 0.04])
        hem = np.vstack([HL, lfb, centre, lfb * [-1, 1], HR])
        poly = np.vstack([left, hem[1:-1], right, top_edge])
        hem_lm = np.vstack([HL, lfb, along([centre, (0, c.neck_depth)], 5), lfb * [-1, 1], HR])
    else:
        hem = bez(HL, (0, c.length + 2 * c.hem_curve), HR, 13)
        poly = np.vstack([left, hem[1:-1], right, top_edge])
        hem_lm = np.vstack([HL, along(hem, 3)[1], HR])
    keys["hem"] = hem
    landmarks = np.vstack([neck_lm, left_lm, hem_lm, mirror(left_lm)])
    return poly, inner, landmarks, keys


@dataclass
class LowerCut:
    """Trousers, shorts or a skirt, in units of waist width, y from the waistband top down."""

    kind: str = "trousers"  # trousers, shorts, skirt
    length: float = 2.8
    rise: float = 0.62  # waist to crotch
    hip_flare: float = 0.04
    knee_half: float = 0.2  # half width of one leg at the knee
    hem_half: float = 0.18  # half width of one leg opening (skirt: half the hem width)
    splay: float = 0.02  # leg hems shifted outwards
    hem_curve: float = 0.02  # skirt hem sag at the centre


def lower_outline(c: LowerCut) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """(silhouette, landmarks, key points) of a bottom garment, in DeepFashion2 order (waist left to right, then around)."""
    WL, WC, WR = pts(-0.5, 0), pts(0, 0), pts(0.5, 0)
    L, f = c.length, c.hip_flare
    if c.kind == "skirt":
        side_r = np.array([0.5 + f, 0.32])
        hem_r = np.array([c.hem_half, L])
        hem = bez(hem_r, (0, L + 2 * c.hem_curve), hem_r * [-1, 1], 11)
        right = np.vstack([bez(WR[0], (0.5 + f, 0.12), side_r, 5), seg(side_r, hem_r, 4)[1:]])
        poly = np.vstack([WL, WC, right, hem[1:-1], mirror(right)[:-1]])
        lms = np.vstack([WL, WC, WR, side_r, hem_r, along(hem, 3)[1], hem_r * [-1, 1], side_r * [-1, 1]])
        keys = {"hem": hem, "leg_r": np.array([0.22, L]), "hip_r": np.array([0.25, 0.4])}
        return poly, lms, keys
    hip_r = np.array([0.5 + f, c.rise * 0.75])
    xc = 0.25 + c.splay
    hem_or, hem_ir = np.array([xc + c.hem_half, L]), np.array([xc - c.hem_half, L])
    crotch = np.array([0.0, c.rise])
    hip_curve = bez(WR[0], (0.5 + f * 1.2, c.rise * 0.3), hip_r, 5)
    if c.kind == "shorts":
        right_out = np.vstack([hip_curve, hem_or])
        right_in = np.vstack([hem_ir])
        lm_r = np.vstack([hip_r, hem_or, hem_ir])
    else:
        ky = c.rise + (L - c.rise) * 0.5
        xk = (0.25 + f / 2 + xc) / 2
        knee_o, knee_i = np.array([xk + c.knee_half, ky]), np.array([xk - c.knee_half, ky])
        right_out = np.vstack([hip_curve, knee_o, hem_or])
        right_in = np.vstack([hem_ir, knee_i])
        lm_r = np.vstack([hip_r, knee_o, hem_or, hem_ir, knee_i])
    right = np.vstack([right_out, right_in])
    poly = np.vstack([WL, WC, right, crotch, mirror(right)[:-1]])
    lms = np.vstack([WL, WC, WR, lm_r, crotch, mirror(lm_r)])
    keys = {
        "leg_r": np.array([xc, L]),
        "hip_r": np.array([0.25, c.rise * 0.8]),
        "crotch": crotch,
        "hem_or": hem_or,
        "hem_ir": hem_ir,
        "knee_o": right_out[-2],
    }
    return poly, lms, keys


CutSpec = dict[str, object]  # field -> fixed value, or a (lo, hi) range drawn uniformly
Cut = TypeVar("Cut", UpperCut, LowerCut)


def draw_cut(rng: np.random.Generator, cls: type[Cut], spec: CutSpec, **choices: object) -> Cut:
    """A `cls` cut from `spec` updated with `choices`; ranges are drawn in the dataclass's field order, so a cut's random
    stream does not depend on how its spec is written."""
    values = {**spec, **choices}
    names = [f.name for f in dataclasses.fields(cls)]
    unknown = set(values) - set(names)
    if unknown:
        raise TypeError(f"{cls.__name__} has no field {sorted(unknown)}")
    return cls(**{n: uniform(rng, *values[n]) if isinstance(values[n], tuple) else values[n] for n in names if n in values})
