"""Built-in procedural clothing dataset: drawn garments written as a DeepFashion2 tree and an FPID tree."""

from __future__ import annotations

import csv
import functools
import io
import itertools
import json
import math
import multiprocessing
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from lookbook.atomic import write_json, write_text
from lookbook.data.taxonomy import DF2_CATEGORY_NAMES, category_for
from lookbook.errors import LookbookError

SYNTH_VERSION = 1  # bump when the drawings change, so a stale output folder is regenerated
MARKER_FILE = "synth.json"  # written at the output root: parameters, state and summary
SUPERSAMPLE = 2  # draw at 2x and downsample: cheap anti-aliasing for PIL polygons
JPEG_QUALITY = 90
VALIDATION_SHARE = 0.1  # DeepFashion2 images in validation/ (the rest in train/)
CHUNK_IMAGES = 16  # images per worker task: small enough for a smooth progress bar
DF2_SCENE_SIZES_PX = ((256, 256), (256, 256), (240, 320), (320, 240))  # (width, height) of scene photos
FPID_SIZE_PX = (96, 128)  # (width, height): the 3:4 portrait of real FPID product shots
FPID_FIRST_ID = 10001
FPID_HEADER = (
    "id",
    "gender",
    "masterCategory",
    "subCategory",
    "articleType",
    "baseColour",
    "season",
    "year",
    "usage",
    "productDisplayName",
)
# DeepFashion2 landmarks per category (the official definition; ranges are consecutive in id order in the COCO form).
DF2_LANDMARK_COUNTS: dict[int, int] = {
    1: 25,
    2: 33,
    3: 31,
    4: 39,
    5: 15,
    6: 15,
    7: 10,
    8: 14,
    9: 8,
    10: 29,
    11: 37,
    12: 19,
    13: 19,
}

RGB = tuple[int, int, int]
Progress = Callable[[int, int], None]

# ----------------------------------------------------------------------------------------------------------------------
# Colours: FPID's own colour vocabulary, so `baseColour` names the colour actually drawn.

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


@functools.cache
def _weights(spec: str) -> tuple[tuple[str, ...], np.ndarray]:
    """Parse "name:weight, name:weight" into names and probabilities."""
    pairs = [item.strip().rsplit(":", 1) for item in spec.split(",")]
    w = np.array([float(x) for _, x in pairs])
    return tuple(n for n, _ in pairs), w / w.sum()


def choose(rng: np.random.Generator, spec: str) -> str:
    """One name from a weighted "name:weight, ..." spec."""
    names, probs = _weights(spec)
    return names[int(rng.choice(len(names), p=probs))]


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


def _luma(rgb: Iterable[float]) -> float:
    r, g, b = tuple(rgb)
    return 0.299 * r + 0.587 * g + 0.114 * b


def _contrast(rgb: RGB) -> RGB:
    """A light or dark partner colour that reads against `rgb` (pattern second colours, prints)."""
    return COLOURS["Off White"] if _luma(rgb) < 140 else COLOURS["Navy Blue"] if _luma(rgb) > 200 else COLOURS["White"]


# ----------------------------------------------------------------------------------------------------------------------
# Fabrics: a colour plus a pattern, rendered in garment units so patterns follow the garment's pose.


@dataclass(frozen=True)
class Fabric:
    """A fill: colour (FPID name + RGB), pattern and material."""

    colour: str
    rgb: RGB
    pattern: str = "solid"  # solid, stripes, checks, dots, denim, knit, melange
    second: RGB = (255, 255, 255)  # pattern colour
    period: float = 0.1  # pattern repeat, in garment units
    duty: float = 0.35  # share of each repeat in the second colour
    angle: float = 0.0  # pattern direction, radians in garment units (0: vertical stripes)
    noise: float = 3.0  # per-pixel fabric noise, 0-255 scale
    edge: float = 0.3  # darkening towards the outline (soft volume)
    descriptor: str = "Solid"  # words for productDisplayName

    def tone(self, factor: float) -> Fabric:
        """The same fabric in a lighter or darker tone (collars, linings, trims)."""
        return Fabric(
            self.colour,
            shade(self.rgb, factor),
            self.pattern,
            shade(self.second, factor),
            self.period,
            self.duty,
            self.angle,
            self.noise,
            self.edge,
            self.descriptor,
        )

    def plain(self, rgb: RGB | None = None, edge: float | None = None) -> Fabric:
        """A solid fabric of this colour (or `rgb`)."""
        c = self.rgb if rgb is None else rgb
        return Fabric(self.colour, c, "solid", c, noise=self.noise, edge=self.edge if edge is None else edge)


def solid(rgb: RGB, noise: float = 2.0, edge: float = 0.0, name: str = "") -> Fabric:
    """A plain fill (soles, hardware, linings)."""
    return Fabric(name, rgb, "solid", rgb, noise=noise, edge=edge)


PATTERN_WORDS = {"solid": "Solid", "stripes": "Striped", "checks": "Checked", "dots": "Polka Dot", "print": "Printed"}


def pick_fabric(
    rng: np.random.Generator,
    palette: str,
    patterns: str = "solid:1",
    period: tuple[float, float] = (0.07, 0.14),
    stripe_angle: float = math.pi / 2,
    colour: str | None = None,
    edge: float = 0.3,
) -> Fabric:
    """A random fabric: palette colour, one of the weighted `patterns`, pattern scale in garment units."""
    name = colour or pick_colour(rng, palette)
    rgb = COLOURS[name]
    pattern = choose(rng, patterns)
    second = _contrast(rgb) if rng.random() < 0.6 else COLOURS[pick_colour(rng, palette, avoid=name)]
    if abs(_luma(second) - _luma(rgb)) < 40:
        second = _contrast(rgb)
    per = float(rng.uniform(*period))
    duty = float(rng.uniform(0.2, 0.5))
    angle = stripe_angle + float(rng.choice([0.0, 0.0, math.pi / 2])) if pattern == "stripes" else 0.0
    if pattern == "dots":
        duty = float(rng.uniform(0.18, 0.32))  # dot radius as a share of the repeat
    noise = {"denim": 7.0, "melange": 9.0, "knit": 4.0}.get(pattern, 2.5)
    if name == "Grey Melange":
        pattern, noise = "melange", 9.0
    return Fabric(name, rgb, pattern, second, per, duty, angle, noise, edge, PATTERN_WORDS.get(pattern, "Solid"))


def denim(rng: np.random.Generator, colour: str | None = None) -> Fabric:
    """Denim twill in one of the usual washes."""
    name = colour or pick_colour(rng, "denim")
    rgb = shade(DENIM[name], float(rng.uniform(0.9, 1.12)))
    return Fabric(name, rgb, "denim", shade(rgb, 1.25), 0.035, 0.5, math.pi / 4, 7.0, 0.35, "Washed")


# ----------------------------------------------------------------------------------------------------------------------
# Geometry helpers (garment units, y pointing down).


def pts(*xy: float) -> np.ndarray:
    """An (n, 2) float array from flat x, y values."""
    return np.asarray(xy, dtype=np.float64).reshape(-1, 2)


def seg(a, b, n: int) -> np.ndarray:
    """n points from a to b inclusive."""
    t = np.linspace(0.0, 1.0, n)[:, None]
    return np.asarray(a, np.float64) * (1 - t) + np.asarray(b, np.float64) * t


def bez(p0, p1, p2, n: int = 9) -> np.ndarray:
    """Quadratic Bezier from p0 to p2 (control p1), n points inclusive."""
    t = np.linspace(0.0, 1.0, n)[:, None]
    p0, p1, p2 = (np.asarray(p, np.float64) for p in (p0, p1, p2))
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2


def along(path, n: int) -> np.ndarray:
    """n points evenly spaced by arc length along a polyline, ends included."""
    path = np.asarray(path, np.float64)
    d = np.r_[0.0, np.cumsum(np.hypot(*np.diff(path, axis=0).T))]
    t = np.linspace(0.0, d[-1], n)
    return np.stack([np.interp(t, d, path[:, 0]), np.interp(t, d, path[:, 1])], axis=1)


def mirror(path) -> np.ndarray:
    """The path reflected in x = 0 and reversed, so a left half continues into its right half."""
    return np.asarray(path, np.float64)[::-1] * [-1.0, 1.0]


def ellipse(cx: float, cy: float, rx: float, ry: float, n: int = 28, a0: float = 0.0, a1: float = 2 * math.pi) -> np.ndarray:
    """Points on an ellipse arc (angles in radians, y down)."""
    a = np.linspace(a0, a1, n, endpoint=(a1 - a0) < 2 * math.pi - 1e-9)
    return np.stack([cx + rx * np.cos(a), cy + ry * np.sin(a)], axis=1)


def round_rect(x0: float, y0: float, x1: float, y1: float, r: float, n: int = 5) -> np.ndarray:
    """A rectangle with rounded corners of radius r."""
    r = min(r, (x1 - x0) / 2, (y1 - y0) / 2)
    corners = ((x1 - r, y0 + r, -math.pi / 2), (x1 - r, y1 - r, 0.0), (x0 + r, y1 - r, math.pi / 2), (x0 + r, y0 + r, math.pi))
    return np.vstack([ellipse(cx, cy, r, r, n, a, a + math.pi / 2) if r > 0 else pts(cx, cy) for cx, cy, a in corners])


def offset_path(path, dist: float) -> np.ndarray:
    """The polyline moved sideways by dist (positive: to the left of travel in a y-down frame)."""
    path = np.asarray(path, np.float64)
    t = np.gradient(path, axis=0)
    t /= np.maximum(np.hypot(t[:, 0], t[:, 1]), 1e-9)[:, None]
    return path + np.stack([t[:, 1], -t[:, 0]], axis=1) * dist


def poly_area(poly) -> float:
    """Absolute area of a polygon (shoelace)."""
    p = np.asarray(poly, np.float64)
    if len(p) < 3:
        return 0.0
    x, y = p[:, 0], p[:, 1]
    return abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))) / 2


def clip_poly(poly, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    """Sutherland-Hodgman clip of a polygon to an axis-aligned rectangle."""
    out = [tuple(p) for p in np.asarray(poly, np.float64)]
    for axis, limit, keep_less in ((0, x0, False), (0, x1, True), (1, y0, False), (1, y1, True)):
        if not out:
            break
        src, out = out, []
        for i, cur in enumerate(src):
            prev = src[i - 1]
            cur_in = cur[axis] <= limit if keep_less else cur[axis] >= limit
            prev_in = prev[axis] <= limit if keep_less else prev[axis] >= limit
            if cur_in != prev_in:
                t = (limit - prev[axis]) / (cur[axis] - prev[axis])
                cross = [prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1])]
                cross[axis] = limit
                out.append(tuple(cross))
            if cur_in:
                out.append(cur)
    return np.asarray(out, np.float64).reshape(-1, 2)


# ----------------------------------------------------------------------------------------------------------------------
# Shapes: what a garment drawing is made of, in garment units.


@dataclass
class Part:
    """Filled polygons (one fabric), drawn in order."""

    polys: list[np.ndarray]
    fabric: Fabric
    outline: float | None = 0.55  # outline tone relative to the fill, None for no outline
    light: bool = True  # directional lighting across the part


@dataclass
class Stroke:
    """A polyline (seams, creases, laces, stitching)."""

    path: np.ndarray
    rgb: RGB
    width: float  # garment units
    closed: bool = False
    dash: float = 0.0  # dash length in garment units, 0 for a solid line


@dataclass
class Dot:
    """A filled circle (buttons, rivets, eyelets)."""

    centre: tuple[float, float]
    radius: float  # garment units
    rgb: RGB
    outline: RGB | None = None


@dataclass
class Shape:
    """A garment drawing: ordered draw operations, its silhouette and (for DeepFashion2 categories) its landmarks."""

    ops: list[Part | Stroke | Dot] = field(default_factory=list)
    silhouette: list[np.ndarray] = field(default_factory=list)  # segmentation polygons
    landmarks: np.ndarray | None = None  # (n, 2) in the official order
    anchors: dict[str, np.ndarray] = field(default_factory=dict)  # where limbs attach (worn scenes)
    fabric: Fabric | None = None  # the main fabric (baseColour, product name)

    def part(self, polys, fabric: Fabric, outline: float | None = 0.55, light: bool = True) -> Shape:
        """Add a filled part; `polys` is one (n, 2) array or a list of them."""
        polys = [np.asarray(polys, np.float64)] if isinstance(polys, np.ndarray) and polys.ndim == 2 else polys
        self.ops.append(Part([np.asarray(p, np.float64) for p in polys], fabric, outline, light))
        return self

    def stroke(self, path, rgb: RGB, width: float, closed: bool = False, dash: float = 0.0) -> Shape:
        """Add a line."""
        self.ops.append(Stroke(np.asarray(path, np.float64), rgb, width, closed, dash))
        return self

    def dot(self, centre, radius: float, rgb: RGB, outline: RGB | None = None) -> Shape:
        """Add a filled circle."""
        self.ops.append(Dot((float(centre[0]), float(centre[1])), radius, rgb, outline))
        return self

    def bounds(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) over every drawn point, in garment units."""
        arrays = [p for op in self.ops if isinstance(op, Part) for p in op.polys]
        arrays += [op.path for op in self.ops if isinstance(op, Stroke)]
        arrays += [
            pts(op.centre[0] - op.radius, op.centre[1] - op.radius, op.centre[0] + op.radius, op.centre[1] + op.radius)
            for op in self.ops
            if isinstance(op, Dot)
        ]
        allp = np.vstack(arrays)
        return float(allp[:, 0].min()), float(allp[:, 1].min()), float(allp[:, 0].max()), float(allp[:, 1].max())


# ----------------------------------------------------------------------------------------------------------------------
# Apparel geometry. Upper garments: chest width = 1 unit, y from the neck point down. Outlines are traced in
# DeepFashion2's landmark order (back neck, left neck, front neckline, right neck, then down the image-left side,
# along the hem and up the right side), so the landmarks are simply chosen outline points.


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


# ----------------------------------------------------------------------------------------------------------------------
# Rendering: shapes onto a supersampled canvas.


@dataclass(frozen=True)
class Pose:
    """Where a shape lands: garment origin at (cx, cy) in output pixels, `scale` pixels per unit, rotation, mirror."""

    cx: float
    cy: float
    scale: float
    angle: float = 0.0  # radians, clockwise on screen
    flip: bool = False  # mirror left-right (shoes facing the other way)
    squash: float = 1.0  # horizontal foreshortening (side views)
    light: tuple[float, float] = (0.0, 0.0)  # brightness change per garment unit along x and y

    def invert(self, p) -> np.ndarray:
        """Output pixels -> garment units."""
        d = np.asarray(p, np.float64).reshape(-1, 2) - (self.cx, self.cy)
        c, s = math.cos(self.angle), math.sin(self.angle)
        x = (c * d[:, 0] + s * d[:, 1]) / self.scale / (self.squash * (-1.0 if self.flip else 1.0))
        return np.stack([x, (-s * d[:, 0] + c * d[:, 1]) / self.scale], axis=1)

    def apply(self, p) -> np.ndarray:
        """Garment units -> output pixels."""
        p = np.asarray(p, np.float64).reshape(-1, 2)
        x = p[:, 0] * self.squash * (-1.0 if self.flip else 1.0)
        c, s = math.cos(self.angle), math.sin(self.angle)
        return np.stack([self.cx + self.scale * (c * x - s * p[:, 1]), self.cy + self.scale * (s * x + c * p[:, 1])], axis=1)


_NOISE_TILE_PX = 672  # covers the largest supersampled canvas (320 x 2 + margins)
_noise_tile: np.ndarray | None = None


def noise_field(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Standard-normal float32 (h, w) noise: a random window of one fixed tile (much cheaper than fresh samples)."""
    global _noise_tile
    if _noise_tile is None:
        _noise_tile = np.random.default_rng(20240607).standard_normal((_NOISE_TILE_PX, _NOISE_TILE_PX), dtype=np.float32)
    if h > _NOISE_TILE_PX or w > _NOISE_TILE_PX:
        return rng.standard_normal((h, w), dtype=np.float32)
    oy, ox = (int(v) for v in rng.integers(0, [_NOISE_TILE_PX - h + 1, _NOISE_TILE_PX - w + 1]))
    return _noise_tile[oy : oy + h, ox : ox + w]


def fabric_texture(
    fab: Fabric, box: tuple[int, int, int, int], pose: Pose, rng: np.random.Generator, light: bool, soft: np.ndarray | None = None
) -> np.ndarray:
    """Uint8 (h, w, 3) fill of a box (x0, y0, w, h) of the output image, patterned in garment units.

    `soft` is the part's blurred mask in [0, 1]: fabric darkens towards its outline (a cheap sense of volume).
    """
    x0, y0, w, h = box
    lit = light and pose.light != (0.0, 0.0)
    ss = 1  # box and pixels are in output pixels here
    base = np.asarray(fab.rgb, np.float32)
    colour: np.ndarray = base
    mult: np.ndarray | float = 1.0
    if fab.pattern != "solid" or lit:
        X = (np.arange(w, dtype=np.float32)[None, :] + x0 + 0.5) / ss - pose.cx
        Y = (np.arange(h, dtype=np.float32)[:, None] + y0 + 0.5) / ss - pose.cy
        c, s = math.cos(pose.angle), math.sin(pose.angle)
        u = (c * X + s * Y) / (pose.scale * pose.squash * (-1.0 if pose.flip else 1.0))
        v = (-s * X + c * Y) / pose.scale
        ca, sa = math.cos(fab.angle), math.sin(fab.angle)
        a = (u * ca + v * sa) / fab.period
        b = (-u * sa + v * ca) / fab.period
        second = np.asarray(fab.second, np.float32)
        if fab.pattern == "stripes":
            colour = np.where(((a % 1.0) < fab.duty)[..., None], second, base)
        elif fab.pattern == "checks":
            ma, mb = (a % 1.0) < fab.duty, (b % 1.0) < fab.duty
            colour = np.where((ma & mb)[..., None], second, np.where((ma | mb)[..., None], (base + second) / 2, base))
        elif fab.pattern == "dots":
            ia = np.floor(a)
            fa = a - ia - 0.5
            bb = b + 0.5 * (ia % 2)
            fb = bb - np.floor(bb) - 0.5
            colour = np.where((fa * fa + fb * fb < fab.duty**2)[..., None], second, base)
        elif fab.pattern == "denim":
            mult = (1 + 0.07 * np.sin(2 * math.pi * (a + b))) * (1 + 0.05 * np.sin(u * 9.0 + v * 2.0))
        elif fab.pattern == "knit":
            mult = 1 + 0.07 * np.sin(2 * math.pi * u / 0.035)
        if lit:
            mult = mult * (1 + pose.light[0] * u + pose.light[1] * v)
    if soft is not None:
        mult = mult * (1.0 - fab.edge * (1.0 - soft))
    if np.ndim(mult) == 0:
        mult = np.full((h, w), float(mult), np.float32)
    out = colour * mult[..., None] if colour.ndim == 3 else mult[..., None] * base
    if fab.noise > 0:
        out = out + (noise_field(rng, h, w) * fab.noise)[..., None]
    return np.clip(out, 0, 255, out=out).astype(np.uint8)


class Painter:
    """Draws shapes onto a supersampled RGB canvas; `result()` gives the anti-aliased image."""

    def __init__(self, background: Image.Image):
        self.image = background
        self.draw = ImageDraw.Draw(background)

    def paint(self, shape: Shape, pose: Pose, rng: np.random.Generator) -> None:
        """Draw every operation of `shape` at `pose`."""
        ss = SUPERSAMPLE
        for op in shape.ops:
            if isinstance(op, Part):
                self._part(op, pose, rng)
            elif isinstance(op, Stroke):
                path = pose.apply(op.path) * ss
                if op.closed:
                    path = np.vstack([path, path[:1]])
                # side views squash x; most lines that matter there (limbs, seams) run vertically, so thin them too
                width = max(1, round(op.width * pose.scale * pose.squash * ss))
                for piece in _dashes(path, op.dash * pose.scale * ss) if op.dash > 0 else [path]:
                    self.draw.line([tuple(q) for q in piece], fill=op.rgb, width=width, joint="curve")
            else:
                (x, y), r = pose.apply(op.centre)[0] * ss, max(0.8, op.radius * pose.scale * ss)
                self.draw.ellipse([x - r, y - r, x + r, y + r], fill=op.rgb, outline=op.outline)

    def _part(self, part: Part, pose: Pose, rng: np.random.Generator) -> None:
        ss = SUPERSAMPLE
        polys = [pose.apply(p) * ss for p in part.polys if len(p) >= 3]
        if not polys:
            return
        fab = part.fabric
        blur_px = max(1.5, 0.05 * pose.scale * ss) if fab.edge > 0 else 0.0
        allp = np.vstack(polys)
        pad = math.ceil(2 * blur_px) + 2
        # an even-aligned box: the texture is made at output size and doubled, so it lines up with the final 2x reduce
        lo = np.floor(allp.min(axis=0)).astype(int) - pad
        hi = np.ceil(allp.max(axis=0)).astype(int) + pad
        x0, y0 = (max(0, int(v) // ss * ss) for v in lo)
        x1, y1 = (min(limit, -(-int(v) // ss) * ss) for v, limit in zip(hi, self.image.size))
        if x1 <= x0 or y1 <= y0:
            return
        if fab.pattern == "solid" and fab.edge <= 0 and fab.noise <= 0:
            for p in polys:
                self.draw.polygon([tuple(q) for q in p], fill=fab.rgb)
        else:
            mask = Image.new("L", (x1 - x0, y1 - y0), 0)
            mdraw = ImageDraw.Draw(mask)
            for p in polys:
                mdraw.polygon([tuple(q) for q in p - (x0, y0)], fill=255)
            w1, h1 = (x1 - x0) // ss, (y1 - y0) // ss
            soft = _soft_mask(mask, blur_px, (w1, h1)) if fab.edge > 0 else None
            tex = Image.fromarray(fabric_texture(fab, (x0 // ss, y0 // ss, w1, h1), pose, rng, part.light, soft))
            self.image.paste(tex.resize((x1 - x0, y1 - y0), Image.NEAREST) if ss > 1 else tex, (x0, y0), mask)
        if part.outline is not None:
            colour = shade(fab.rgb, part.outline)
            for p in polys:
                self.draw.line(
                    [tuple(q) for q in np.vstack([p, p[:1]])], fill=colour, width=max(1, round(ss * 0.9)), joint="curve"
                )

    def result(self) -> Image.Image:
        """The canvas downsampled to output size (box filter = anti-aliasing)."""
        return self.image.reduce(SUPERSAMPLE)


def _soft_mask(mask: Image.Image, blur_px: float, size: tuple[int, int]) -> np.ndarray:
    """The mask blurred by about blur_px (mask pixels), as float32 in [0, 1] at `size`; blurred at 1/4 scale (it is
    smooth anyway, and that is ten times cheaper)."""
    w, h = mask.size
    small = mask.resize((max(1, w // 4), max(1, h // 4)), Image.BOX).filter(ImageFilter.GaussianBlur(blur_px / 4))
    return np.asarray(small.resize(size, Image.BILINEAR), np.float32) * (1.0 / 255.0)


def _dashes(path: np.ndarray, dash_px: float) -> list[np.ndarray]:
    """Split a polyline into dashes of dash_px with equal gaps."""
    d = np.r_[0.0, np.cumsum(np.hypot(*np.diff(path, axis=0).T))]
    out = []
    start = 0.0
    while start < d[-1]:
        t = np.linspace(start, min(start + dash_px, d[-1]), 4)
        out.append(np.stack([np.interp(t, d, path[:, 0]), np.interp(t, d, path[:, 1])], axis=1))
        start += 2 * dash_px
    return out


def fit_pose(
    shape: Shape,
    box: tuple[float, float, float, float],
    rng: np.random.Generator,
    angle: float = 0.0,
    flip: bool = False,
    light: tuple[float, float] = (0.0, 0.0),
) -> Pose:
    """A pose that centres `shape` in `box` (x, y, width, height in output pixels), as large as fits."""
    x0, y0, x1, y1 = shape.bounds()
    bx, by, bw, bh = box
    c, s = abs(math.cos(angle)), abs(math.sin(angle))
    scale = min(bw / ((x1 - x0) * c + (y1 - y0) * s), bh / ((y1 - y0) * c + (x1 - x0) * s)) * float(rng.uniform(0.92, 1.0))
    centre = Pose(0.0, 0.0, scale, angle, flip).apply(pts((x0 + x1) / 2, (y0 + y1) / 2))[0]
    jitter = rng.uniform(-0.02, 0.02, 2) * np.array([bw, bh])
    return Pose(bx + bw / 2 - centre[0] + jitter[0], by + bh / 2 - centre[1] + jitter[1], scale, angle, flip, 1.0, light)


# ----------------------------------------------------------------------------------------------------------------------
# Apparel: one builder per garment kind. Every builder is `build_<kind>(rng, worn=False, ...) -> Shape`, so scenes and
# the catalogue call them alike; `worn` garments show skin inside the neckline instead of the back lining.

THREAD_GOLD: RGB = (206, 150, 72)
METAL: dict[str, RGB] = {"silver": (200, 202, 206), "gold": (212, 176, 74), "gunmetal": (80, 82, 88), "copper": (184, 112, 64)}


def _u(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(rng.uniform(lo, hi))


def band(path, width: float) -> np.ndarray:
    """A polygon covering `width` beside a path (positive: to the left of travel; up for a left-to-right path)."""
    path = np.asarray(path, np.float64)
    return np.vstack([path, offset_path(path, width)[::-1]])


def _rib(shape: Shape, poly, fab: Fabric, direction, spacing: float = 0.035) -> None:
    """A knitted rib band: the band plus fine lines along `direction` (unit vector)."""
    poly = np.asarray(poly, np.float64)
    shape.part(poly, fab.plain(shade(fab.rgb, 0.9), edge=0.0), outline=0.6, light=False)
    d = np.asarray(direction, np.float64)
    n = np.array([-d[1], d[0]])
    proj = poly @ n
    along_d = poly @ d
    for t in np.arange(proj.min() + spacing / 2, proj.max(), spacing):
        shape.stroke([n * t + d * along_d.min(), n * t + d * along_d.max()], shade(fab.rgb, 0.75), 0.008)
    # the rib lines overshoot the band's slanted ends; redraw its outline on top
    shape.stroke(poly, shade(fab.rgb, 0.6), 0.012, closed=True)


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


def _neck_binding(shape: Shape, keys, fab: Fabric, width: float) -> None:
    front = keys["front"]
    shape.part(band(front, -width), fab.plain(shade(fab.rgb, 0.88), edge=0.0), outline=0.6, light=False)


def _hem_stitch(shape: Shape, path, fab: Fabric, up: float = 0.045, rgb: RGB | None = None) -> None:
    shape.stroke(offset_path(path, up), rgb or shade(fab.rgb, 0.68), 0.008, dash=0.025)


def _cuffs(shape: Shape, keys, fab: Fabric, length: float, rib: bool) -> None:
    co, ci, d = keys["CO"], keys["CI"], keys["d"]
    poly = np.vstack([co, ci, ci - d * length, co - d * length])
    for p, dd in ((poly, d), (poly * [-1, 1], d * [-1, 1])):
        if rib:
            _rib(shape, p, fab, dd)
        else:
            shape.part(p, fab.tone(0.95), outline=0.6, light=False)


def _sleeve_stitch(shape: Shape, keys, fab: Fabric) -> None:
    if "CO" in keys:
        co, ci, d = keys["CO"], keys["CI"], keys["d"]
        for sign in (1, -1):
            shape.stroke(np.vstack([co - d * 0.045, ci - d * 0.045]) * [sign, 1], shade(fab.rgb, 0.68), 0.008, dash=0.025)


def build_tshirt(rng: np.random.Generator, worn: bool = False, **cut) -> Shape:
    """Short sleeves, crew or V neck with a rib binding, straight hem; sometimes a chest print."""
    fab = pick_fabric(rng, "basic", "solid:6, stripes:2, print:2", period=(0.09, 0.18))
    v = rng.random() < 0.25
    c = UpperCut(
        sleeve="short",
        length=_u(rng, 1.1, 1.3),
        neck="v" if v else "crew",
        neck_half=_u(rng, 0.13, 0.17),
        neck_depth=_u(rng, 0.2, 0.28) if v else _u(rng, 0.07, 0.11),
        back_drop=_u(rng, 0.02, 0.04),
        shoulder_half=_u(rng, 0.52, 0.56),
        shoulder_drop=_u(rng, 0.06, 0.1),
        armpit_y=_u(rng, 0.34, 0.4),
        waist_y=0.75,
        waist_half=_u(rng, 0.45, 0.49),
        hem_half=_u(rng, 0.47, 0.51),
        sleeve_angle=_u(rng, 0.45, 0.8),
        sleeve_len=_u(rng, 0.26, 0.36),
        cuff=_u(rng, 0.22, 0.28),
    )
    c = _replace(c, cut)
    shape, keys = upper_shape(c, fab, worn)
    _neck_binding(shape, keys, fab, 0.045)
    _sleeve_stitch(shape, keys, fab)
    _hem_stitch(shape, keys["hem"], fab)
    if fab.pattern == "print":
        ink = COLOURS[pick_colour(rng, "accent", avoid=fab.colour)]
        ink = ink if abs(_luma(ink) - _luma(fab.rgb)) > 50 else _contrast(fab.rgb)
        y = c.neck_depth + _u(rng, 0.2, 0.3)
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
    long = rng.random() < 0.8
    c = UpperCut(
        sleeve="long" if long else "short",
        length=_u(rng, 1.2, 1.4),
        neck="v",
        neck_half=_u(rng, 0.11, 0.13),
        neck_depth=_u(rng, 0.09, 0.12),
        back_drop=0.03,
        shoulder_half=_u(rng, 0.51, 0.55),
        shoulder_drop=0.08,
        armpit_y=_u(rng, 0.34, 0.38),
        waist_y=0.8,
        waist_half=_u(rng, 0.46, 0.49),
        hem_half=_u(rng, 0.47, 0.5),
        hem_curve=_u(rng, 0.04, 0.08),
        sleeve_angle=_u(rng, 1.05, 1.3) if long else _u(rng, 0.5, 0.8),
        sleeve_len=_u(rng, 1.0, 1.15) if long else _u(rng, 0.28, 0.34),
        cuff=_u(rng, 0.13, 0.16) if long else _u(rng, 0.22, 0.26),
    )
    c = _replace(c, cut)
    shape, keys = upper_shape(c, fab, worn, lining=fab.tone(0.82))
    nh, nd, L = c.neck_half, c.neck_depth, c.length
    shape.part(
        pts(-0.045, nd - 0.01, 0.045, nd - 0.01, 0.045, L + c.hem_curve - 0.005, -0.045, L + c.hem_curve - 0.005),
        fab,
        outline=0.62,
        light=False,
    )
    button = shade(fab.rgb, 1.35) if _luma(fab.rgb) < 150 else shade(fab.rgb, 0.8)
    for y in np.arange(nd + 0.12, L - 0.02, 0.15):
        shape.dot((0, y), 0.02, button, outline=shade(fab.rgb, 0.5))
    leaf = pts(-nh - 0.035, -0.02, -0.01, nd + 0.005, -0.07, nd + 0.14, -nh - 0.1, 0.1)
    for poly in (leaf, mirror(leaf)):
        shape.part(poly, fab.tone(0.97), outline=0.55)
    shape.dot((0, nd + 0.02), 0.018, button, outline=shade(fab.rgb, 0.5))
    shape.part(np.vstack([pts(-0.33, 0.36, -0.13, 0.36), pts(-0.13, 0.54, -0.23, 0.58, -0.33, 0.54)]), fab, outline=0.6)
    if long:
        _cuffs(shape, keys, fab, 0.13, rib=False)
    else:
        _sleeve_stitch(shape, keys, fab)
    _hem_stitch(shape, keys["hem"], fab, 0.035)
    return shape


def build_top(rng: np.random.Generator, worn: bool = False, sleeve: str | None = None, **cut) -> Shape:
    """A fitted women's top: scoop, V or boat neck, long sleeves (or none), flared hem, no collar or buttons."""
    fab = pick_fabric(rng, "women", "solid:5, dots:2, stripes:2, checks:1", period=(0.08, 0.15))
    sleeve = sleeve or ("none" if rng.random() < 0.25 else "long")
    neck = str(rng.choice(["scoop", "v", "boat"]))
    nh, nd = {
        "scoop": (_u(rng, 0.17, 0.22), _u(rng, 0.14, 0.24)),
        "v": (_u(rng, 0.14, 0.17), _u(rng, 0.25, 0.33)),
        "boat": (_u(rng, 0.24, 0.28), _u(rng, 0.04, 0.07)),
    }[neck]
    c = UpperCut(
        sleeve=sleeve,
        length=_u(rng, 1.0, 1.2),
        neck="v" if neck == "v" else "crew",
        neck_half=nh,
        neck_depth=nd,
        back_drop=0.04,
        shoulder_half=_u(rng, 0.49, 0.52),
        shoulder_drop=0.08,
        armpit_y=_u(rng, 0.33, 0.4),
        waist_y=_u(rng, 0.6, 0.66),
        waist_half=_u(rng, 0.4, 0.44),
        hem_half=_u(rng, 0.48, 0.56),
        hem_curve=_u(rng, -0.02, 0.03),
        sleeve_angle=_u(rng, 1.15, 1.35),
        sleeve_len=_u(rng, 0.95, 1.1),
        cuff=_u(rng, 0.13, 0.17),
        strap_w=_u(rng, 0.09, 0.14),
        n_side=1 if sleeve in ("none", "strap") else 2,
    )
    if sleeve == "strap":
        c = _replace(c, _cami_neck(rng))
    c = _replace(c, cut)
    shape, keys = upper_shape(c, fab, worn)
    if c.neck != "strap":
        _neck_binding(shape, keys, fab, 0.025)
    if rng.random() < 0.3 and c.neck != "strap":  # a bow at the neckline
        y = c.neck_depth + 0.02
        bow = solid(shade(fab.rgb, 0.8) if rng.random() < 0.5 else _contrast(fab.rgb), edge=0.0)
        shape.part(pts(0, y, -0.1, y - 0.05, -0.1, y + 0.06), bow, outline=0.6)
        shape.part(pts(0, y, 0.1, y - 0.05, 0.1, y + 0.06), bow, outline=0.6)
        shape.dot((0, y), 0.02, shade(bow.rgb, 0.85))
    if "CO" in keys:
        _sleeve_stitch(shape, keys, fab)
    return shape


def build_sweater(rng: np.random.Generator, worn: bool = False, hooded: bool | None = None, **cut) -> Shape:
    """Boxy knit with ribbed neck, cuffs and hem band; hoodies get a hood, pouch pocket and drawstrings."""
    fab = pick_fabric(rng, "knit", "knit:5, stripes:2", period=(0.16, 0.26))
    hooded = bool(rng.random() < 0.3) if hooded is None else hooded
    c = UpperCut(
        sleeve="long",
        length=_u(rng, 1.05, 1.25),
        neck="crew",
        neck_half=_u(rng, 0.14, 0.16),
        neck_depth=_u(rng, 0.08, 0.1),
        back_drop=0.03,
        shoulder_half=_u(rng, 0.54, 0.58),
        shoulder_drop=0.09,
        armpit_y=_u(rng, 0.38, 0.42),
        waist_y=0.75,
        waist_half=_u(rng, 0.48, 0.5),
        hem_half=_u(rng, 0.46, 0.49),
        sleeve_angle=_u(rng, 1.1, 1.3),
        sleeve_len=_u(rng, 1.0, 1.12),
        cuff=_u(rng, 0.14, 0.17),
    )
    c = _replace(c, cut)
    shape = Shape()
    if hooded and not worn:  # the hood lies flat behind the neckline
        shape.part(ellipse(0, -0.1, c.neck_half + 0.13, 0.24), fab, outline=0.55)
        shape.part(ellipse(0, -0.04, c.neck_half + 0.02, 0.15), fab.tone(0.65), outline=0.55)
    body, keys = upper_shape(c, fab, worn)
    shape.ops += body.ops
    shape.silhouette, shape.landmarks, shape.anchors, shape.fabric = body.silhouette, body.landmarks, body.anchors, fab
    _rib(shape, band(keys["front"], -0.07), fab, (0.0, 1.0))
    _cuffs(shape, keys, fab, 0.13, rib=True)
    hem = keys["hem"]
    _rib(shape, band(hem[::-1], -0.13)[::-1], fab, (0.0, 1.0))
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
    if fab.pattern == "checks":
        fab = Fabric(fab.colour, fab.rgb, "checks", shade(fab.rgb, 1.25), fab.period, 0.15, 0.0, 2.5, fab.edge, "Checked")
    long = sleeve == "long"
    blazer = style == "blazer" and front == "closed"
    c = UpperCut(
        sleeve=sleeve,
        length=_u(rng, 1.1, 1.35),
        neck="v" if blazer else "crew",
        neck_half=_u(rng, 0.12, 0.15),
        neck_depth=_u(rng, 0.48, 0.56) if blazer else _u(rng, 0.04, 0.07),
        back_drop=0.03,
        shoulder_half=_u(rng, 0.55, 0.59),
        shoulder_drop=0.08,
        armpit_y=_u(rng, 0.38, 0.43),
        waist_y=0.75,
        waist_half=_u(rng, 0.47, 0.5) if blazer else _u(rng, 0.49, 0.52),
        hem_half=_u(rng, 0.48, 0.52),
        sleeve_angle=_u(rng, 1.1, 1.3) if long else _u(rng, 0.55, 0.8),
        sleeve_len=_u(rng, 1.05, 1.15) if long else 0.32,
        cuff=_u(rng, 0.15, 0.18) if long else 0.25,
        front=front,
        gap_top=_u(rng, 0.07, 0.12),
        gap_hem=_u(rng, 0.12, 0.24),
        open_depth=_u(rng, 0.3, 0.5),
    )
    c = _replace(c, cut)
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
            _cuffs(shape, keys, fab, 0.12, rib=True)
            hem = keys["hem"]
            hem_band = band(seg(hem[0], hem[-1], 9)[::-1], -0.1)[::-1] if front == "closed" else None
            if hem_band is not None:
                _rib(shape, hem_band, fab, (0.0, 1.0))
        elif "CO" in keys:
            _sleeve_stitch(shape, keys, fab)
    return shape


def build_dress(rng: np.random.Generator, worn: bool = False, sleeve: str | None = None, **cut) -> Shape:
    """Fitted bodice, waist seam or belt, flared skirt with folds."""
    fab = pick_fabric(rng, "dress", "solid:5, dots:3, stripes:1, checks:1", period=(0.09, 0.16))
    sleeve = sleeve or str(rng.choice(["none", "strap", "short", "long"], p=[0.3, 0.2, 0.3, 0.2]))
    neck = str(rng.choice(["scoop", "v", "crew"]))
    nh, nd = {
        "scoop": (_u(rng, 0.17, 0.21), _u(rng, 0.14, 0.22)),
        "v": (_u(rng, 0.14, 0.17), _u(rng, 0.24, 0.32)),
        "crew": (_u(rng, 0.13, 0.16), _u(rng, 0.07, 0.1)),
    }[neck]
    long = sleeve == "long"
    c = UpperCut(
        sleeve=sleeve,
        length=_u(rng, 1.8, 2.6),
        neck="v" if neck == "v" else "crew",
        neck_half=nh,
        neck_depth=nd,
        back_drop=0.04,
        shoulder_half=_u(rng, 0.48, 0.52),
        shoulder_drop=0.08,
        armpit_y=_u(rng, 0.34, 0.4),
        waist_y=_u(rng, 0.72, 0.85),
        waist_half=_u(rng, 0.37, 0.41),
        hip_half=_u(rng, 0.47, 0.52),
        hem_half=_u(rng, 0.55, 0.9),
        hem_curve=_u(rng, 0.0, 0.05),
        sleeve_angle=_u(rng, 1.15, 1.35) if long else _u(rng, 0.5, 0.8),
        sleeve_len=_u(rng, 0.95, 1.1) if long else _u(rng, 0.2, 0.3),
        cuff=_u(rng, 0.12, 0.16) if long else _u(rng, 0.2, 0.26),
        strap_w=_u(rng, 0.09, 0.13),
        n_side=4 if sleeve in ("short", "long") else 3,
    )
    if sleeve == "strap":
        c = _replace(c, _cami_neck(rng))
    c = _replace(c, cut)
    shape, keys = upper_shape(c, fab, worn)
    if c.neck != "strap":
        _neck_binding(shape, keys, fab, 0.025)
    wy, ww = c.waist_y, c.waist_half
    if rng.random() < 0.4:
        belt = solid(COLOURS[pick_colour(rng, "leather")] if rng.random() < 0.5 else _contrast(fab.rgb), edge=0.1)
        shape.part(
            pts(-ww - 0.005, wy - 0.04, ww + 0.005, wy - 0.04, ww + 0.01, wy + 0.04, -ww - 0.01, wy + 0.04), belt, outline=0.6
        )
    else:
        shape.stroke([(-ww, wy), (ww, wy)], shade(fab.rgb, 0.65), 0.012)
    L, hw = c.length, c.hem_half
    for t in np.linspace(-0.7, 0.7, int(rng.integers(3, 6))):
        top = (t * ww * 0.8, wy + 0.12)
        shape.stroke(bez(top, (t * ww * 1.2, (wy + L) / 2), (t * hw * 0.9, L - 0.06), 7), shade(fab.rgb, 0.8), 0.012)
    if "CO" in keys:
        _sleeve_stitch(shape, keys, fab)
    return shape


def _cami_neck(rng: np.random.Generator) -> dict:
    """Cut overrides for spaghetti straps over a low, curved bodice (camisoles, slip dresses)."""
    return {
        "neck": "strap",
        "neck_half": _u(rng, 0.2, 0.25),
        "neck_depth": _u(rng, 0.38, 0.46),
        "bodice_top": _u(rng, 0.3, 0.36),
        "back_drop": _u(rng, 0.22, 0.28),
        "strap_w": _u(rng, 0.03, 0.045),
        "armpit_y": 0.4,
    }


def _replace(cut, overrides: dict):
    """A copy of a cut dataclass with some fields replaced (scene code pins sleeves, lengths, angles)."""
    if not overrides:
        return cut
    values = dict(cut.__dict__)
    values.update(overrides)
    return type(cut)(**values)


def lower_shape(cut: LowerCut, fab: Fabric) -> tuple[Shape, dict[str, np.ndarray]]:
    """The body of a bottom garment."""
    poly, lms, keys = lower_outline(cut)
    shape = Shape(silhouette=[poly], landmarks=lms, fabric=fab)
    shape.part(poly, fab)
    leg_r = keys["leg_r"]
    shape.anchors.update(leg_l=np.vstack([keys["hip_r"] * [-1, 1], leg_r * [-1, 1]]), leg_r=np.vstack([keys["hip_r"], leg_r]))
    return shape, keys


def _waistband(shape: Shape, cut: LowerCut, fab: Fabric, height: float, loops: bool, rib: bool = False) -> None:
    x = 0.5 + cut.hip_flare * 0.25
    poly = pts(-0.5, 0, 0.5, 0, x, height, -x, height)
    if rib:
        _rib(shape, poly, fab, (0.0, 1.0), spacing=0.03)
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


def _leg_hems(shape: Shape, keys, fab: Fabric, rgb: RGB | None, up: float = 0.05) -> None:
    for sign in (1, -1):
        a, b = keys["hem_ir"] * [sign, 1], keys["hem_or"] * [sign, 1]
        shape.stroke([a - (0, up), b - (0, up)], rgb or shade(fab.rgb, 0.68), 0.008, dash=0.025)


def _fly(shape: Shape, cut: LowerCut, rgb: RGB, top: float, dash: float = 0.0) -> None:
    shape.stroke(
        np.vstack([pts(0.07, top), bez((0.07, cut.rise - 0.16), (0.07, cut.rise - 0.06), (0.0, cut.rise - 0.05), 5)]),
        rgb,
        0.01,
        dash=dash,
    )


def _trouser_cut(rng: np.random.Generator, kind: str = "trousers") -> LowerCut:
    fit = str(rng.choice(["skinny", "slim", "straight", "wide"], p=[0.2, 0.35, 0.35, 0.1]))
    knee, hem = {"skinny": (0.16, 0.13), "slim": (0.19, 0.16), "straight": (0.21, 0.19), "wide": (0.24, 0.25)}[fit]
    if kind == "shorts":
        return LowerCut(
            "shorts",
            length=_u(rng, 1.0, 1.3),
            rise=_u(rng, 0.6, 0.68),
            hip_flare=_u(rng, 0.03, 0.06),
            hem_half=_u(rng, 0.2, 0.24),
            splay=_u(rng, 0.04, 0.08),
        )
    return LowerCut(
        "trousers",
        length=_u(rng, 2.7, 3.0),
        rise=_u(rng, 0.6, 0.7),
        hip_flare=_u(rng, 0.02, 0.05),
        knee_half=knee * _u(rng, 0.95, 1.05),
        hem_half=hem * _u(rng, 0.95, 1.05),
        splay=_u(rng, 0.0, 0.04),
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


def build_jeans(rng: np.random.Generator, worn: bool = False, **cut) -> Shape:
    """Blue (or black/grey) denim with a waistband, belt loops, scoop pockets, contrast stitching and rivets."""
    c = _replace(_trouser_cut(rng), cut)
    fab = denim(rng)
    shape, keys = lower_shape(c, fab)
    _jeans_details(shape, c, keys, fab, rng)
    return shape


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
        for sign in (1, -1):
            a, b = keys["hem_ir"] * [sign, 1], keys["hem_or"] * [sign, 1]
            shape.part(np.vstack([a, b, b - (0, 0.1), a - (0, 0.1)]), fab.tone(0.95), outline=0.55, light=False)


def _subtle(fab: Fabric) -> Fabric:
    """Tone-on-tone version of a patterned fabric (suiting checks, pinstripes)."""
    if fab.pattern == "solid":
        return fab
    return Fabric(
        fab.colour,
        fab.rgb,
        fab.pattern,
        shade(fab.rgb, 1.3 if _luma(fab.rgb) < 120 else 0.8),
        fab.period,
        0.12,
        fab.angle,
        fab.noise,
        fab.edge,
        fab.descriptor,
    )


def build_trousers(rng: np.random.Generator, worn: bool = False, **cut) -> Shape:
    """Chinos and suit trousers: any colour but denim blue, a pressed crease down each leg, slant pockets."""
    c = _replace(_trouser_cut(rng), cut)
    fab = _subtle(pick_fabric(rng, "trousers", "solid:8, checks:1, stripes:1", period=(0.04, 0.07), stripe_angle=0.0))
    shape, keys = lower_shape(c, fab)
    _tailored_details(shape, c, keys, fab, rng)
    return shape


def _sport_details(shape: Shape, cut: LowerCut, keys, fab: Fabric, rng: np.random.Generator, cuffs: bool) -> None:
    _waistband(shape, cut, fab, 0.1, loops=False, rib=True)
    cord = shade(fab.rgb, 1.5) if _luma(fab.rgb) < 150 else shade(fab.rgb, 0.6)
    for x in (-0.04, 0.04):
        shape.stroke([(x, 0.06), (x * 1.6, 0.32)], cord, 0.014)
        shape.dot((x * 1.6, 0.33), 0.018, cord)
    stripe = solid(_contrast(fab.rgb) if rng.random() < 0.7 else COLOURS[pick_colour(rng, "accent")], noise=1.5)
    hip, hem_o = np.array([0.5 + cut.hip_flare, cut.rise * 0.75]), keys["hem_or"]
    out = np.vstack([pts(0.5, 0.1), hip, keys.get("knee_o", (hip + hem_o) / 2), hem_o - (0, 0.02)])
    for sign in (1, -1):
        for k in range(2 if rng.random() < 0.6 else 3):
            inner = offset_path(out, -0.03 - 0.05 * k)  # negative: towards the leg's inside
            strip = np.vstack([offset_path(out, -0.012 - 0.05 * k), inner[::-1]]) * [sign, 1]
            shape.part(strip, stripe, outline=None, light=False)
    if cuffs:
        for sign in (1, -1):
            a, b = keys["hem_ir"] * [sign, 1], keys["hem_or"] * [sign, 1]
            _rib(shape, np.vstack([a, b, b - (0, 0.12), a - (0, 0.12)]), fab, (0.0, 1.0), spacing=0.03)


def build_track_pants(rng: np.random.Generator, worn: bool = False, **cut) -> Shape:
    """Elastic waist with drawstring, side stripes, ribbed ankle cuffs."""
    c = _replace(_trouser_cut(rng), {"knee_half": _u(rng, 0.19, 0.22), "hem_half": _u(rng, 0.12, 0.14), **cut})
    fab = pick_fabric(rng, "sporty", "solid:1")
    shape, keys = lower_shape(c, fab)
    _sport_details(shape, c, keys, fab, rng, cuffs=True)
    return shape


def build_leggings(rng: np.random.Generator, worn: bool = False, **cut) -> Shape:
    """Narrow stretch legs, a wide flat waistband, no pockets, a soft sheen."""
    c = _replace(
        LowerCut(
            "trousers",
            length=_u(rng, 2.8, 3.0),
            rise=_u(rng, 0.62, 0.7),
            hip_flare=0.02,
            knee_half=_u(rng, 0.14, 0.16),
            hem_half=_u(rng, 0.09, 0.11),
            splay=0.0,
        ),
        cut,
    )
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
    c = _replace(_trouser_cut(rng, "shorts"), cut)
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
    style = style or str(rng.choice(["a-line", "pencil", "pleated", "flared", "denim"]))
    hem, length, sag = {
        "a-line": ((0.68, 0.82), (1.2, 1.9), 0.02),
        "pencil": ((0.5, 0.56), (1.3, 1.8), 0.0),
        "pleated": ((0.8, 0.95), (1.3, 2.0), 0.04),
        "flared": ((0.95, 1.15), (1.2, 1.9), 0.08),
        "denim": ((0.6, 0.68), (0.85, 1.1), 0.0),
    }[style]
    c = _replace(
        LowerCut("skirt", length=_u(rng, *length), hip_flare=_u(rng, 0.03, 0.06), hem_half=_u(rng, *hem), hem_curve=sag), cut
    )
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
        _hem_stitch(shape, keys["hem"][::-1], fab, 0.05, THREAD_GOLD)
    else:
        _hem_stitch(shape, keys["hem"][::-1], fab, 0.04)
    return shape


# ----------------------------------------------------------------------------------------------------------------------
# Footwear, side view: toe at x = -0.5, heel at x = +0.5, ground at y = 0 (up is negative y).


def _laces(shape: Shape, a, b, n: int, rgb: RGB, length: float = 0.09, width: float = 0.025) -> None:
    """Criss-cross laces along the throat from a to b."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    d = (b - a) / max(np.hypot(*(b - a)), 1e-9)
    n_vec = np.array([d[1], -d[0]]) * length / 2
    for p in seg(a, b, n):
        shape.stroke([p - n_vec, p + n_vec], rgb, width)


def _gloss(shape: Shape, path, rgb: RGB, width: float = 0.03) -> None:
    """A specular highlight (patent and polished leather)."""
    shape.stroke(path, shade(rgb, 1.55), width)


def build_sports_shoes(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Chunky cushioned sole with a coloured midsole, mesh upper, side stripe, laces and heel tab."""
    main = pick_fabric(rng, "sporty", "solid:3, dots:1", period=(0.035, 0.05))
    accent = COLOURS[pick_colour(rng, "accent", avoid=main.colour)]
    if abs(_luma(accent) - _luma(main.rgb)) < 50:
        accent = _contrast(main.rgb)
    h, sole = _u(rng, 0.46, 0.54), _u(rng, 0.13, 0.17)
    upper = pts(
        -0.5,
        -0.06,
        -0.47,
        -0.15,
        -0.38,
        -0.22,
        -0.2,
        -0.28,
        0.05,
        -h + 0.06,
        0.12,
        -h - 0.04,
        0.2,
        -h + 0.04,
        0.36,
        -h + 0.06,
        0.47,
        -h - 0.01,
        0.52,
        -h + 0.15,
        0.52,
        -0.1,
        0.49,
        -0.05,
    )
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
    shape.part(pts(-0.54, -0.035, 0.55, -0.035, 0.53, 0.0, -0.5, 0.0), solid(shade(main.rgb, 0.3), edge=0.0), outline=None)
    lace = COLOURS["White"] if _luma(main.rgb) < 170 else shade(accent, 0.9)
    _laces(shape, (-0.16, -0.3), (0.06, -h + 0.08), 5, lace, 0.1, 0.022)
    shape.part(pts(0.42, -h - 0.01, 0.48, -h - 0.08, 0.53, -h + 0.08), solid(accent, edge=0.0), outline=0.6)
    return shape


def build_casual_shoes(rng: np.random.Generator, worn: bool = False, style: str | None = None) -> Shape:
    """Canvas plimsoll (thin flat rubber sole with a toe cap) or a leather loafer (moccasin seam, penny strap)."""
    style = style or str(rng.choice(["plimsoll", "plimsoll", "loafer"]))
    shape = Shape()
    if style == "plimsoll":
        main = pick_fabric(rng, "basic", "solid:4, stripes:1", period=(0.05, 0.08), stripe_angle=0.0)
        upper = pts(
            -0.5,
            -0.07,
            -0.46,
            -0.15,
            -0.34,
            -0.21,
            -0.12,
            -0.25,
            0.1,
            -0.33,
            0.16,
            -0.37,
            0.22,
            -0.31,
            0.4,
            -0.3,
            0.5,
            -0.33,
            0.53,
            -0.2,
            0.52,
            -0.07,
        )
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
        upper = pts(
            -0.52,
            -0.05,
            -0.47,
            -0.14,
            -0.32,
            -0.2,
            -0.1,
            -0.23,
            0.08,
            -0.25,
            0.22,
            -0.22,
            0.4,
            -0.25,
            0.5,
            -0.3,
            0.53,
            -0.17,
            0.52,
            -0.06,
        )
        shape.part(upper, main)
        shape.stroke(bez((-0.4, -0.17), (-0.2, -0.29), (0.05, -0.24), 9), shade(main.rgb, 0.55), 0.014)
        shape.stroke(bez((-0.4, -0.15), (-0.2, -0.26), (0.05, -0.21), 9), shade(main.rgb, 1.2), 0.008, dash=0.02)
        shape.part(pts(-0.06, -0.24, 0.1, -0.26, 0.12, -0.19, -0.05, -0.17), main.tone(0.85), outline=0.5)
        shape.part(round_rect(-0.54, -0.045, 0.54, 0.0, 0.02), solid(shade(main.rgb, 0.45), edge=0.0), outline=None)
        _gloss(shape, bez((-0.45, -0.15), (-0.35, -0.2), (-0.2, -0.21), 5), main.rgb, 0.02)
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
    shape.part(pts(-0.55, -0.05, 0.3, -0.07, 0.3, -0.035, -0.53, -0.02), solid(shade(main.rgb, 0.4), edge=0.0), outline=None)
    shape.part(pts(0.3, -0.08, 0.52, -0.08, 0.51, 0.0, 0.32, 0.0), solid(shade(main.rgb, 0.35), edge=0.0), outline=None)
    _gloss(shape, bez((-0.46, -0.12), (-0.38, -0.17), (-0.25, -0.19), 6), main.rgb, 0.025)
    _gloss(shape, bez((0.25, -0.27), (0.35, -0.28), (0.45, -0.28), 5), main.rgb, 0.015)
    return shape


def build_heels(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Pump on a stiletto or block heel: high arched sole line, low-cut vamp, glossy."""
    main = pick_fabric(rng, "heels", "solid:1", edge=0.4)
    h = _u(rng, 0.45, 0.6)  # heel height
    shape = Shape(fabric=main)
    lining = solid(shade(main.rgb, 1.3) if _luma(main.rgb) < 100 else COLOURS["Nude"], edge=0.0)
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
    shape.part(np.vstack([sole, offset_path(sole, -0.025)[::-1]]), solid(shade(main.rgb, 0.4), edge=0.0), outline=None)
    _gloss(shape, bez((-0.46, -0.08), (-0.4, -0.13), (-0.28, -0.15), 5), main.rgb, 0.025)
    if rng.random() < 0.3:  # ankle strap
        shape.part(pts(0.28, -h - 0.06, 0.5, -h - 0.15, 0.51, -h - 0.1, 0.29, -h - 0.01), main.tone(0.9), outline=0.5)
    return shape


def build_flats(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Ballet flat: barely any heel, a low scooped opening and a little bow at the toe."""
    main = pick_fabric(rng, "heels", "solid:4, dots:1", period=(0.06, 0.09), edge=0.35)
    shape = Shape(fabric=main)
    upper = pts(
        -0.53,
        -0.03,
        -0.49,
        -0.14,
        -0.38,
        -0.21,
        -0.22,
        -0.24,
        -0.05,
        -0.17,
        0.2,
        -0.16,
        0.42,
        -0.22,
        0.5,
        -0.26,
        0.53,
        -0.12,
        0.52,
        -0.03,
    )
    shape.part(upper, main)
    shape.stroke(pts(-0.22, -0.24, -0.05, -0.17, 0.2, -0.16, 0.42, -0.22), COLOURS["Nude"], 0.03)
    bow = solid(shade(main.rgb, 0.7), edge=0.0)
    shape.part(pts(-0.3, -0.22, -0.39, -0.27, -0.39, -0.17), bow, outline=0.6)
    shape.part(pts(-0.3, -0.22, -0.21, -0.27, -0.21, -0.17), bow, outline=0.6)
    shape.part(pts(-0.55, -0.03, 0.54, -0.03, 0.52, 0.0, -0.52, 0.0), solid(shade(main.rgb, 0.45), edge=0.0), outline=None)
    return shape


def build_sandals(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Open sandal: a footbed sole with arched straps over the forefoot, a high ankle strap with buckle."""
    strap = pick_fabric(rng, "leather", "solid:1", edge=0.3)
    bed = solid(COLOURS[str(rng.choice(["Tan", "Beige", "Black", "Brown"]))], edge=0.15)
    shape = Shape(fabric=strap)
    s = _u(rng, 0.05, 0.11)  # sole thickness
    w = _u(rng, 0.045, 0.07)  # strap width
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
    shape.part(outline + np.array([0.015, 0.02]), solid(shade(sole.rgb, 0.6), edge=0.0), outline=None)
    shape.part(outline, sole)
    shape.stroke([(-0.19, 0.5), (0.0, 0.17), (0.19, 0.5)], strap.rgb, 0.055)
    shape.dot((0.0, 0.17), 0.035, shade(strap.rgb, 0.8))
    return shape


def build_boots(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Ankle or knee boot: tall shaft, block heel, elastic gusset or zip, polished leather."""
    main = pick_fabric(rng, "leather", "solid:1", edge=0.4)
    h = _u(rng, 0.75, 0.95) if rng.random() < 0.6 else _u(rng, 1.3, 1.6)
    shape = Shape(fabric=main)
    upper = pts(
        -0.52,
        -0.05,
        -0.49,
        -0.14,
        -0.36,
        -0.21,
        -0.1,
        -0.28,
        0.06,
        -0.4,
        0.1,
        -h,
        0.48,
        -h - 0.02,
        0.47,
        -0.45,
        0.52,
        -0.2,
        0.51,
        -0.06,
    )
    shape.part(upper, main)
    if h < 1.0:
        shape.part(pts(0.2, -h + 0.01, 0.36, -h + 0.01, 0.3, -0.5), main.tone(0.6), outline=0.5)
        shape.part(pts(0.4, -h - 0.01, 0.47, -h - 0.02, 0.47, -h + 0.12, 0.41, -h + 0.12), main.tone(0.8), outline=0.5)
    else:
        shape.stroke([(0.44, -h + 0.05), (0.45, -0.3)], shade(main.rgb, 0.45), 0.02)
        shape.stroke([(0.44, -h + 0.05), (0.45, -0.3)], METAL["silver"], 0.008, dash=0.012)
    shape.part(pts(-0.54, -0.05, 0.3, -0.08, 0.3, -0.035, -0.52, -0.02), solid(shade(main.rgb, 0.4), edge=0.0), outline=None)
    shape.part(pts(0.28, -0.1, 0.52, -0.1, 0.51, 0.0, 0.3, 0.0), solid(shade(main.rgb, 0.35), edge=0.0), outline=None)
    _gloss(shape, bez((-0.45, -0.13), (-0.36, -0.19), (-0.22, -0.22), 5), main.rgb, 0.022)
    _gloss(shape, [(0.16, -h + 0.1), (0.15, -0.5)], main.rgb, 0.015)
    return shape


# ----------------------------------------------------------------------------------------------------------------------
# Bags, front view: body width about 1 unit, top edge at y = 0, handles above.


def _handle(shape: Shape, x0: float, x1: float, y: float, height: float, width: float, fab: Fabric) -> None:
    """An arched handle from (x0, y) to (x1, y)."""
    outer = bez((x0, y), ((x0 + x1) / 2, y - 2 * height), (x1, y), 11)
    inner = bez((x0 + width, y), ((x0 + x1) / 2, y - 2 * (height - width)), (x1 - width, y), 11)
    shape.part(np.vstack([outer, inner[::-1]]), fab, outline=0.5)


def _stitching(shape: Shape, poly, fab: Fabric, inset: float = 0.03) -> None:
    shape.stroke(offset_path(poly, -inset), shade(fab.rgb, 1.35 if _luma(fab.rgb) < 110 else 0.7), 0.008, closed=True, dash=0.02)


def build_handbag(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Trapezoid body with two arched handles, a flap or zip, a clasp and stitched edges."""
    fab = pick_fabric(rng, "bag", "solid:6, checks:1", period=(0.1, 0.16), edge=0.35)
    h, top, bottom = _u(rng, 0.6, 0.78), _u(rng, 0.34, 0.42), _u(rng, 0.48, 0.52)
    shape = Shape(fabric=fab)
    metal = METAL[str(rng.choice(["gold", "silver"]))]
    _handle(shape, -0.24, 0.24, 0.02, _u(rng, 0.25, 0.4), 0.05, fab.tone(0.75))
    _handle(shape, -0.2, 0.2, 0.02, _u(rng, 0.25, 0.4), 0.05, fab.tone(0.95))
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
    h = _u(rng, 1.05, 1.2)
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
    h = _u(rng, 0.68, 0.8)
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
    h = _u(rng, 0.42, 0.55)
    shape = Shape(fabric=fab)
    body = round_rect(-0.5, 0.0, 0.5, h, 0.05)
    shape.part(body, fab)
    flap = pts(-0.5, 0.0, 0.5, 0.0, 0.0, h * _u(rng, 0.55, 0.75))
    shape.part(flap, fab.tone(0.9), outline=0.5)
    shape.part(ellipse(0.0, h * 0.62, 0.05, 0.05, 12), solid(METAL[str(rng.choice(["gold", "silver"]))], edge=0.0), outline=0.5)
    _gloss(shape, [(-0.4, h * 0.8), (-0.1, h * 0.8)], fab.rgb, 0.02)
    if rng.random() < 0.4:  # chain strap
        shape.stroke(bez((-0.45, 0.0), (0.0, -0.7), (0.45, 0.0), 15), METAL["gold"], 0.02, dash=0.02)
    return shape


def build_laptop_bag(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Messenger bag: wide body, front flap with two buckle straps, long shoulder strap."""
    fab = pick_fabric(rng, "bag", "solid:1", edge=0.3)
    h = _u(rng, 0.66, 0.76)
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
    h = _u(rng, 0.45, 0.55)
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


# ----------------------------------------------------------------------------------------------------------------------
# Accessories.


def build_watch(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Vertical strap (leather with holes or metal links) through a round or square case with a dial and hands."""
    metal_name = pick_colour(rng, "metal")
    case = COLOURS[metal_name]
    leather = rng.random() < 0.5
    strap_name = pick_colour(rng, "leather") if leather else metal_name
    strap_rgb = COLOURS[strap_name]
    strap = solid(strap_rgb, edge=0.35, name=strap_name)
    shape = Shape(fabric=strap if leather else solid(case, edge=0.35, name=metal_name))
    w = _u(rng, 0.46, 0.56)
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
    ink = (40, 40, 44) if _luma(dial) > 128 else (236, 236, 236)
    for k in range(12):
        a = 2 * math.pi * k / 12
        r0 = 0.3 if k % 3 else 0.26
        shape.stroke(
            [(r0 * math.sin(a), -r0 * math.cos(a)), (0.36 * math.sin(a), -0.36 * math.cos(a))], ink, 0.02 if k % 3 else 0.035
        )
    if rng.random() < 0.35:  # chronograph sub-dials
        for cx, cy in ((0, -0.16), (-0.16, 0.06), (0.16, 0.06)):
            shape.stroke(
                ellipse(cx, cy, 0.07, 0.07, 16), shade(ink, 0.9) if _luma(ink) > 128 else shade(ink, 1.5), 0.012, closed=True
            )
    h_a, m_a = _u(rng, 0, 2 * math.pi), _u(rng, 0, 2 * math.pi)
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
    w = _u(rng, 0.085, 0.11)
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
            shape.part(round_rect(-0.12, -0.3, 0.12, -0.17, 0.02), solid(_contrast(fab.rgb), edge=0.0), outline=None)
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
            solid(COLOURS["Black"] if _luma(fab.rgb) > 80 else COLOURS["Tan"], edge=0.1),
            outline=0.5,
        )
        shape.stroke(bez((-0.05, -0.45), (0.0, -0.32), (0.05, -0.45), 5), shade(fab.rgb, 0.6), 0.015)
    else:
        fab = pick_fabric(rng, "knit", "knit:3, stripes:1", period=(0.12, 0.2))
        shape.part(np.vstack([ellipse(0, 0.0, 0.42, 0.62, 20, math.pi, 2 * math.pi), pts(0.42, 0.0)]), fab)
        _rib(shape, round_rect(-0.45, -0.05, 0.45, 0.17, 0.03), fab, (0.0, 1.0), 0.04)
    shape.fabric = fab
    return shape


def build_tie(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Knot and a long blade widening to a point; diagonal stripes, dots or solid silk."""
    fab = pick_fabric(rng, "tie", "solid:3, stripes:4, dots:2, checks:1", period=(0.03, 0.05), stripe_angle=math.pi / 4, edge=0.3)
    if fab.pattern == "stripes":
        fab = Fabric(
            fab.colour, fab.rgb, "stripes", fab.second, fab.period, fab.duty, math.pi / 4, fab.noise, fab.edge, "Striped"
        )
    shape = Shape(fabric=fab)
    w = _u(rng, 0.085, 0.11)
    shape.part(pts(-0.045, 0.1, 0.045, 0.1, w, 0.86, 0.0, 0.97, -w, 0.86), fab)
    shape.part(pts(-0.065, 0.0, 0.065, 0.0, 0.045, 0.11, -0.045, 0.11), fab.tone(0.85), outline=0.5)
    shape.stroke([(0.0, 0.13), (0.0, 0.5)], shade(fab.rgb, 0.8), 0.004)
    return shape


def build_scarf(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Folded and hanging: two overlapping panels with a soft fold at the top and fringed ends."""
    fab = pick_fabric(rng, "scarf", "checks:4, stripes:2, solid:2, dots:1", period=(0.08, 0.14), edge=0.25)
    shape = Shape(fabric=fab)
    w, h = _u(rng, 0.3, 0.38), _u(rng, 0.95, 1.05)
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
    patch = solid(_contrast(fab.rgb) if rng.random() < 0.5 else shade(fab.rgb, 0.7), edge=0.15)
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
        _rib(
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
    _rib(shape, pts(-0.3, 0.85, 0.3, 0.85, 0.31, 1.08, -0.31, 1.08), fab, (0.0, 1.0), 0.035)
    return shape


def build_kurta(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Knee-length straight tunic: mandarin collar, short button slit, long sleeves, side slits, a printed border."""
    fab = pick_fabric(rng, "ethnic", "solid:3, dots:3, stripes:2", period=(0.07, 0.12), stripe_angle=0.0)
    trim = solid(COLOURS[str(rng.choice(["Gold", "Mustard", "Cream", "Maroon"]))], edge=0.0)
    long = rng.random() < 0.7
    c = UpperCut(
        sleeve="long",
        length=_u(rng, 1.75, 2.05),
        neck="crew",
        neck_half=_u(rng, 0.11, 0.13),
        neck_depth=0.06,
        back_drop=0.03,
        shoulder_half=_u(rng, 0.5, 0.53),
        armpit_y=_u(rng, 0.34, 0.38),
        waist_y=0.8,
        waist_half=_u(rng, 0.45, 0.48),
        hem_half=_u(rng, 0.52, 0.58),
        sleeve_angle=_u(rng, 1.15, 1.3),
        sleeve_len=_u(rng, 0.95, 1.08) if long else _u(rng, 0.65, 0.75),
        cuff=_u(rng, 0.13, 0.16),
    )
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
    _cuffs(shape, keys, fab.plain(trim.rgb, edge=0.0), 0.06, rib=False)
    return shape


def build_jumpsuit(rng: np.random.Generator, worn: bool = False) -> Shape:
    """Sleeveless or short-sleeved bodice joined to full-length trousers, belted at the waist."""
    fab = pick_fabric(rng, "dress", "solid:5, dots:1, stripes:1", period=(0.09, 0.14))
    sleeve = str(rng.choice(["none", "short"]))
    c = UpperCut(
        sleeve=sleeve,
        length=0.82,
        neck="v",
        neck_half=_u(rng, 0.14, 0.17),
        neck_depth=_u(rng, 0.22, 0.3),
        back_drop=0.04,
        shoulder_half=0.5,
        armpit_y=_u(rng, 0.34, 0.38),
        waist_y=0.6,
        waist_half=0.41,
        hem_half=0.42,
        sleeve_angle=_u(rng, 0.5, 0.8),
        sleeve_len=0.22,
        cuff=0.22,
        strap_w=_u(rng, 0.1, 0.14),
    )
    top, _ = upper_shape(c, fab, worn)
    legs = LowerCut(
        "trousers",
        length=_u(rng, 2.6, 2.9),
        rise=0.65,
        hip_flare=0.06,
        knee_half=_u(rng, 0.2, 0.25),
        hem_half=_u(rng, 0.2, 0.27),
        splay=0.04,
    )
    poly, _, _ = lower_outline(legs)
    poly = poly * 0.86 + (0.0, c.length - 0.06)
    shape = Shape(fabric=fab, silhouette=[top.silhouette[0], poly])
    shape.part([top.silhouette[0], poly], fab)
    shape.ops += top.ops[1:]
    belt = solid(_contrast(fab.rgb) if rng.random() < 0.5 else shade(fab.rgb, 0.7), edge=0.0)
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
    c = UpperCut(
        sleeve="short",
        length=0.62,
        neck="scoop",
        neck_half=0.17,
        neck_depth=0.16,
        back_drop=0.04,
        shoulder_half=0.5,
        armpit_y=0.35,
        waist_y=0.5,
        waist_half=0.42,
        hem_half=0.42,
        sleeve_angle=_u(rng, 0.9, 1.1),
        sleeve_len=0.3,
        cuff=0.16,
    )
    top, _ = upper_shape(c, blouse, worn)
    L = _u(rng, 2.9, 3.2)
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


# ----------------------------------------------------------------------------------------------------------------------
# DeepFashion2 scenes: 1-3 garments worn by a simple figure (frontal or side) or laid flat, on a backdrop.

DF2_TOPS, DF2_OUTWEAR, DF2_BOTTOMS, DF2_DRESSES = (1, 2, 5, 6), (3, 4), (7, 8, 9), (10, 11, 12, 13)
# how often each category is the scene's main (paired) garment; roughly balanced, tops and trousers a little more
DF2_HERO_WEIGHTS: dict[int, float] = {1: 3, 2: 2, 3: 1, 4: 2, 5: 1.5, 6: 1, 7: 2, 8: 3, 9: 2, 10: 1.5, 11: 1, 12: 1.5, 13: 1}
WALLS: tuple[RGB, ...] = (
    (234, 230, 222),
    (214, 216, 220),
    (200, 210, 204),
    (238, 224, 214),
    (184, 190, 198),
    (222, 214, 196),
    (96, 102, 112),
    (160, 140, 120),
    (246, 246, 244),
    (226, 206, 200),
)
FLOORS: tuple[RGB, ...] = ((150, 116, 84), (120, 90, 66), (188, 170, 150), (90, 90, 96), (200, 196, 190))


def build_df2(cat_id: int, rng: np.random.Generator, worn: bool, **cut) -> Shape:
    """A garment of one DeepFashion2 category (its landmarks follow that category's definition)."""
    if cat_id == 1:
        return build_tshirt(rng, worn, **cut)
    if cat_id in (2, 5, 6):
        return build_top(rng, worn, sleeve={2: "long", 5: "none", 6: "strap"}[cat_id], **cut)
    if cat_id in (3, 4):
        style = "zip" if cat_id == 3 or rng.random() < 0.6 else "blazer"
        return build_jacket(rng, worn, style=style, sleeve="short" if cat_id == 3 else "long", **cut)
    if cat_id == 7:
        return build_shorts(rng, worn)
    if cat_id == 8:
        kind = int(rng.choice(4, p=[0.5, 0.33, 0.1, 0.07]))
        return (build_jeans, build_trousers, build_track_pants, build_leggings)[kind](rng, worn)
    if cat_id == 9:
        return build_skirt(rng, worn)
    return build_dress(rng, worn, sleeve={10: "short", 11: "long", 12: "none", 13: "strap"}[cat_id], **cut)


def _background(rng: np.random.Generator, w: int, h: int, kind: str) -> Image.Image:
    """A supersampled backdrop: studio paper, wall and floor, wooden boards or a soft blanket."""
    wall = np.asarray(WALLS[int(rng.integers(len(WALLS)))], np.float32)
    y = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    x = np.linspace(0.0, 1.0, w, dtype=np.float32)[None, :, None]
    if kind == "studio":
        img = wall * (1.02 - 0.1 * y) * (1 - 0.12 * ((x - 0.5) ** 2 + (y - 0.45) ** 2))
    elif kind == "room":
        horizon = float(rng.uniform(0.62, 0.88))
        floor = np.asarray(FLOORS[int(rng.integers(len(FLOORS)))], np.float32)
        boards = 1 + 0.05 * np.sign(np.sin((x * float(rng.uniform(6, 12)) + 0.3 * y) * math.pi))
        img = np.where(y < horizon, wall * (1.0 - 0.08 * y), floor * boards * (0.9 + 0.15 * (y - horizon)))
        img = img * np.where(np.abs(y - horizon) < 0.006, 0.75, 1.0)
    elif kind == "boards":
        wood = np.asarray(FLOORS[int(rng.integers(len(FLOORS)))], np.float32)
        n = int(rng.integers(4, 8))
        tone = 1 + 0.08 * rng.standard_normal(n).astype(np.float32)
        idx = np.minimum((x[0, :, 0] * n).astype(int), n - 1)
        grain = 1 + 0.04 * np.sin(y * float(rng.uniform(40, 90)) + x * 7.0)
        img = wood * tone[idx][None, :, None] * grain * np.where((x * n) % 1.0 < 0.015, 0.7, 1.0)
    else:  # blanket
        low = rng.standard_normal((6, 6)).astype(np.float32)
        blotch = (
            np.asarray(
                Image.fromarray(((low - low.min()) / (np.ptp(low) + 1e-6) * 255).astype(np.uint8)).resize((w, h), Image.BICUBIC),
                np.float32,
            )[..., None]
            / 255.0
        )
        img = wall * (0.92 + 0.12 * blotch)
    img = np.broadcast_to(img, (h, w, 3)) + (noise_field(rng, h, w) * 2.0)[..., None]
    small = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    # nearest: the final 2x box downsample gives back exactly this backdrop
    return small.resize((w * SUPERSAMPLE, h * SUPERSAMPLE), Image.NEAREST)


def _figure(rng: np.random.Generator, arms: list[np.ndarray], ankles: list[np.ndarray] | None) -> Shape:
    """A plain model in body units (chest width 1, neck point at the origin): head, hair, neck, torso, arms, legs, shoes."""
    skin = SKIN[int(rng.integers(len(SKIN)))]
    hair = HAIR[int(rng.integers(len(HAIR)))]
    flesh = solid(skin, noise=1.5, edge=0.25)
    shape = Shape()
    long_hair = rng.random() < 0.5
    if long_hair:
        shape.part(round_rect(-0.27, -0.62, 0.27, _u(rng, 0.05, 0.35), 0.2), solid(hair, edge=0.2), outline=None)
    hips = [np.array([-0.21, 1.3]), np.array([0.21, 1.3])]
    for hip, ankle in zip(hips, ankles or [np.array([-0.2, 3.3]), np.array([0.2, 3.3])]):
        knee = (hip + ankle) / 2
        shape.stroke([hip, knee], skin, 0.24)
        shape.stroke([knee, ankle], skin, 0.15)
        shape.part(
            ellipse(ankle[0] + 0.04 * np.sign(ankle[0]), ankle[1] + 0.08, 0.13, 0.07, 16),
            solid(shade(hair, 0.8), edge=0.2),
            outline=None,
        )
    # narrower than any garment at the waist, so fitted tops never show a sliver of torso beside them
    torso = pts(0.44, 0.08, 0.4, 0.36, 0.33, 0.75, 0.38, 1.15, 0.38, 1.45)
    shape.part(np.vstack([torso, mirror(torso)]), flesh, outline=None)
    shape.part(round_rect(-0.085, -0.3, 0.085, 0.1, 0.03), solid(shade(skin, 0.9), noise=1.5, edge=0.2), outline=None)
    for start, end in arms:
        d = (end - start) / max(np.hypot(*(end - start)), 1e-9)
        elbow, wrist = start + d * 0.6, start + d * 1.18
        shape.stroke([start, elbow], skin, 0.15)
        shape.stroke([elbow, wrist], skin, 0.12)
        shape.part(ellipse(*(wrist + d * 0.07), 0.07, 0.09, 14), flesh, outline=None)
    shape.part(ellipse(0.0, -0.48, 0.19, 0.25, 28), flesh, outline=None)
    shape.part(
        np.vstack([ellipse(0.0, -0.5, 0.21, 0.25, 16, math.pi, 2 * math.pi), pts(0.2, -0.45, 0.05, -0.6, -0.2, -0.45)]),
        solid(hair, edge=0.2),
        outline=None,
    )
    return shape


@dataclass
class Placed:
    """A garment in a scene: category, shape, pose, whether it is the paired (hero) item and whether it is worn."""

    cat_id: int
    shape: Shape
    pose: Pose
    hero: bool
    worn: bool


def _outfit(hero_cat: int, rng: np.random.Generator) -> list[tuple[int, str]]:
    """(category, role) in drawing order around the hero category."""
    top = int(rng.choice(DF2_TOPS, p=[0.45, 0.3, 0.15, 0.1]))
    bottom = int(rng.choice(DF2_BOTTOMS, p=[0.25, 0.45, 0.3]))
    if hero_cat in DF2_DRESSES:
        items = [(hero_cat, "dress")]
        if rng.random() < 0.25:
            items.append((int(rng.choice(DF2_OUTWEAR)), "outer"))
        return items
    if hero_cat in DF2_OUTWEAR:
        if rng.random() < 0.2:
            return [(int(rng.choice(DF2_DRESSES)), "dress"), (hero_cat, "outer")]
        return [(bottom, "bottom"), (top, "top"), (hero_cat, "outer")]
    items = [(bottom if hero_cat in DF2_TOPS else hero_cat, "bottom"), (hero_cat if hero_cat in DF2_TOPS else top, "top")]
    if rng.random() < 0.2 and items[1][0] in (1, 2):
        items.append((int(rng.choice(DF2_OUTWEAR)), "outer"))
    return items


def _compose_worn(hero_cat: int, items, hero_rng, rng, size, viewpoint) -> tuple[list[Placed], Shape, Pose]:
    """Poses for an outfit on a figure; returns the garments and the figure with its pose."""
    w, h = size
    shot = rng.random()  # close-up, medium or full-figure framing
    b = w * (_u(rng, 0.5, 0.75) if shot < 0.15 else _u(rng, 0.16, 0.26) if shot > 0.8 else _u(rng, 0.28, 0.44))  # chest, px
    angle = _u(rng, -0.05, 0.05) if viewpoint == 2 else _u(rng, -0.12, 0.12)
    squash = 1.0 if viewpoint == 2 else _u(rng, 0.72, 0.88)
    light = (_u(rng, -0.06, 0.06), _u(rng, -0.04, 0.02))
    a_long, a_short = _u(rng, 1.25, 1.42), _u(rng, 0.95, 1.2)
    shapes: dict[str, tuple[int, Shape]] = {}
    for cat, role in items:
        r = hero_rng if cat == hero_cat else rng
        cut = {}
        if role != "bottom":
            cut["sleeve_angle"] = a_long if cat in (2, 4, 11) else a_short
        if role == "outer":
            cut["front"] = "open" if rng.random() < 0.6 else "closed"
        shapes[role] = (cat, build_df2(cat, r, True, **cut))
    upper = shapes.get("top") or shapes.get("dress") or shapes["outer"]
    top_len = float(upper[1].anchors["length"][0, 1])
    tucked = "top" in shapes and rng.random() < 0.2
    overlap = _u(rng, 0.12, 0.3) if not tucked else top_len - _u(rng, 0.75, 0.9)
    if hero_cat in DF2_BOTTOMS:
        neck_y = h * _u(rng, 0.08, 0.35) - (top_len - overlap) * b
    else:
        neck_y = h * _u(rng, 0.06, 0.22)
    cx = w * (0.5 + _u(rng, -0.1, 0.1))
    body = Pose(cx, neck_y, b, angle, False, squash, light)
    placed: dict[str, Placed] = {}
    for role, (cat, shape) in shapes.items():
        if role == "bottom":
            origin = body.apply(pts(0.0, top_len - overlap))[0]
            pose = Pose(origin[0], origin[1], b * _u(rng, 0.82, 0.9), angle, False, squash, light)
        elif role == "outer":
            origin = body.apply(pts(0.0, -0.03))[0]
            pose = Pose(origin[0], origin[1], b * 1.05, angle, False, squash, light)
        else:
            pose = body
        placed[role] = Placed(cat, shape, pose, cat == hero_cat, True)
    order = ["bottom", "top", "dress", "outer"]
    if tucked:
        order = ["top", "bottom", "dress", "outer"]
    garments = [placed[r] for r in order if r in placed]
    sleeve_src = placed.get("outer") or placed.get("top") or placed.get("dress")
    arms = [body.invert(sleeve_src.pose.apply(sleeve_src.shape.anchors[k])) for k in ("arm_l", "arm_r")]
    ankles = None
    if "bottom" in placed and placed["bottom"].cat_id == 8:
        bp = placed["bottom"]
        ankles = [body.invert(bp.pose.apply(bp.shape.anchors[k][1:]))[0] + (0.0, 0.12) for k in ("leg_l", "leg_r")]
    return garments, _figure(rng, arms, ankles), body


def _compose_flat(hero_cat: int, items, hero_rng, rng, size) -> list[Placed]:
    """Garments laid side by side (a flat lay), each fitted into its own region of the frame."""
    w, h = size
    shapes = [(cat, build_df2(cat, hero_rng if cat == hero_cat else rng, False)) for cat, _ in items]
    n = len(shapes)
    m = 0.05
    if n == 1:
        boxes = [(w * m, h * m, w * (1 - 2 * m), h * (1 - 2 * m))]
    else:
        cut = _u(rng, 0.4, 0.6)
        if w >= h:
            boxes = [(w * m, h * m, w * (cut - m), h * (1 - 2 * m)), (w * cut, h * m, w * (1 - cut - m), h * (1 - 2 * m))]
        else:
            boxes = [(w * m, h * m, w * (1 - 2 * m), h * (cut - m)), (w * m, h * cut, w * (1 - 2 * m), h * (1 - cut - m))]
        if n == 3:
            bx, by, bw, bh = boxes[1]
            boxes[1:] = (
                [(bx, by, bw, bh / 2), (bx, by + bh / 2, bw, bh / 2)]
                if w >= h
                else [(bx, by, bw / 2, bh), (bx + bw / 2, by, bw / 2, bh)]
            )
    placed = []
    grow = _u(rng, 1.0, 1.25)  # > 1: neighbours overlap a little
    for (cat, shape), (bx, by, bw, bh) in zip(shapes, boxes):
        box = (bx - bw * (grow - 1) / 2, by - bh * (grow - 1) / 2, bw * grow, bh * grow)
        pose = fit_pose(shape, box, rng, _u(rng, -0.15, 0.15), light=(_u(rng, -0.05, 0.05), _u(rng, -0.04, 0.02)))
        placed.append(Placed(cat, shape, pose, cat == hero_cat, False))
    return placed


def _visible_polys(shape: Shape, pose: Pose, size) -> tuple[list[np.ndarray], float, float]:
    """(polygons clipped to the frame, area inside, total area) in output pixels."""
    w, h = size
    polys = [pose.apply(p) for p in shape.silhouette]
    total = sum(poly_area(p) for p in polys)
    clipped = [c for c in (clip_poly(p, 0, 0, w - 1, h - 1) for p in polys) if len(c) >= 3 and poly_area(c) >= 1.0]
    return clipped, sum(poly_area(c) for c in clipped), total


def _level(value: float, thresholds: tuple[float, float]) -> int:
    """1, 2 or 3 by two ascending thresholds."""
    return 1 if value < thresholds[0] else 2 if value < thresholds[1] else 3


def render_df2_scene(seed: int, split_id: int, index: int, pair_index: int, source: str, pair_id: int) -> tuple[bytes, dict]:
    """One DeepFashion2 image (JPEG bytes) and its annotation dict in the official raw format."""
    rng = np.random.default_rng([seed, 1, split_id, index])
    hero_rng = np.random.default_rng([seed, 2, split_id, pair_index])
    cats = sorted(DF2_HERO_WEIGHTS)
    weights = np.array([DF2_HERO_WEIGHTS[c] for c in cats])
    hero_cat = int(hero_rng.choice(cats, p=weights / weights.sum()))
    hero_rng = np.random.default_rng([seed, 3, split_id, pair_index])  # the hero garment's own stream: same in both images
    size = DF2_SCENE_SIZES_PX[int(rng.integers(len(DF2_SCENE_SIZES_PX)))]
    w, h = size
    flat = rng.random() < (0.25 if source == "shop" else 0.1)
    viewpoint = 1 if flat else (2 if rng.random() < 0.75 else 3)
    items = _outfit(hero_cat, rng)
    if flat and len(items) > 2:
        items = [it for it in items if it[0] == hero_cat] + [it for it in items if it[0] != hero_cat][:1]
    kind = str(
        rng.choice(
            ["studio", "room", "blanket", "boards"], p=[0.6, 0.25, 0.1, 0.05] if source == "shop" else [0.2, 0.5, 0.15, 0.15]
        )
    )
    if flat and kind == "room":
        kind = "boards"
    painter = Painter(_background(rng, w, h, kind))
    if flat:
        garments = _compose_flat(hero_cat, items, hero_rng, rng, size)
    else:
        garments, figure, body = _compose_worn(hero_cat, items, hero_rng, rng, size, viewpoint)
        painter.paint(figure, body, rng)
    # garments almost entirely outside the frame are neither drawn nor annotated
    visible = []
    for g in garments:
        clipped, inside, total = _visible_polys(g.shape, g.pose, size)
        if inside >= 0.012 * w * h and inside >= 0.1 * total:
            visible.append((g, clipped, inside, total))
    masks = []
    for g, *_ in visible:
        painter.paint(g.shape, g.pose, rng)
        mask = Image.new("L", size, 0)
        mdraw = ImageDraw.Draw(mask)
        for p in g.shape.silhouette:
            mdraw.polygon([tuple(q) for q in g.pose.apply(p)], fill=1)
        masks.append(np.asarray(mask, dtype=bool))
    above = [np.zeros((h, w), bool)]
    for m in masks[:0:-1]:
        above.insert(0, above[0] | m)
    anno: dict = {"source": source, "pair_id": pair_id}
    for k, ((g, clipped, inside, total), mask, cover) in enumerate(zip(visible, masks, above), start=1):
        anno[f"item{k}"] = _df2_item(g, clipped, inside, total, mask, cover, viewpoint, size, rng)
    image = painter.result()
    arr = np.asarray(image, np.float32) + (noise_field(rng, h, w) * (1.5 if source == "shop" else 3.0))[..., None]
    return _jpeg(Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))), anno


def _df2_item(g: Placed, clipped, inside: float, total: float, mask, cover, viewpoint: int, size, rng) -> dict:
    """One `itemN` record: geometry from the drawn polygons, attributes from areas and overlaps."""
    w, h = size
    allp = np.vstack(clipped)
    box = [
        int(max(0, math.floor(allp[:, 0].min()))),
        int(max(0, math.floor(allp[:, 1].min()))),
        int(min(w - 1, math.ceil(allp[:, 0].max()))),
        int(min(h - 1, math.ceil(allp[:, 1].max()))),
    ]
    own = max(int(mask.sum()), 1)
    covered = float((mask & cover).sum()) / own
    landmarks: list[float] = []
    for i, (x, y) in enumerate(np.round(g.pose.apply(g.shape.landmarks))):
        xi, yi = int(x), int(y)
        if not (0 <= xi < w and 0 <= yi < h) or rng.random() < 0.02:
            landmarks += [0.0, 0.0, 0.0]  # outside the frame or not labelled: zeros, as in the official files
            continue
        hidden = cover[yi, xi] or (g.worn and i == 0 and g.cat_id not in DF2_BOTTOMS)  # back of the neck, behind the wearer
        landmarks += [float(xi), float(yi), 1.0 if hidden else 2.0]
    box_share = (box[2] - box[0]) * (box[3] - box[1]) / (w * h)
    return {
        "segmentation": [[round(float(v), 2) for v in p.reshape(-1)] for p in clipped],
        "scale": _level(box_share, (0.08, 0.3)),
        "viewpoint": viewpoint,
        "zoom_in": _level(1.0 - inside / max(total, 1e-9), (0.01, 0.3)),
        "landmarks": landmarks,
        "style": 1 if g.hero else 0,
        "bounding_box": box,
        "category_id": g.cat_id,
        "occlusion": _level(covered, (0.1, 0.4)),
        "category_name": DF2_CATEGORY_NAMES[g.cat_id],
    }


def _jpeg(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=JPEG_QUALITY)
    return buf.getvalue()


# ----------------------------------------------------------------------------------------------------------------------
# FPID product shots: one garment centred on white, with a styles.csv row in FPID's own vocabulary.


@dataclass(frozen=True)
class Article:
    """One FPID article type we draw: how to draw it and how the real catalogue files it."""

    article_type: str  # FPID articleType (maps to the unified category through taxonomy.csv)
    builder: Callable[..., Shape]
    master: str  # masterCategory
    sub: str  # subCategory
    genders: str  # weighted "Men:5, Women:2"
    usage: str  # weighted usage values
    seasons: str  # weighted seasons
    noun: str  # last word(s) of productDisplayName
    options: tuple[tuple[str, object], ...] = ()  # builder keyword arguments
    weight: float = 1.0  # share among the articles of the same category
    pose: str = "upright"  # upright, side (shoes: may face either way), diagonal (belts), tilt (ties)


APPAREL, FOOTWEAR, ACCESSORIES = "Apparel", "Footwear", "Accessories"
ALL_SEASONS = "Summer:4, Fall:3, Winter:2, Spring:1"
WARM, COLD = "Summer:6, Spring:2, Fall:1", "Winter:5, Fall:3"
ARTICLES: tuple[Article, ...] = (
    Article(
        "Tshirts", build_tshirt, APPAREL, "Topwear", "Men:6, Women:2, Boys:1, Girls:0.3", "Casual:8, Sports:2", WARM, "T-shirt"
    ),
    Article("Shirts", build_shirt, APPAREL, "Topwear", "Men:8, Women:1, Boys:0.3", "Casual:6, Formal:3", ALL_SEASONS, "Shirt"),
    Article("Tops", build_top, APPAREL, "Topwear", "Women:8, Girls:1", "Casual:9, Party:1", ALL_SEASONS, "Top"),
    Article("Sweaters", build_sweater, APPAREL, "Topwear", "Men:3, Women:1", "Casual:1", COLD, "Sweater", (("hooded", False),)),
    Article(
        "Sweatshirts",
        build_sweater,
        APPAREL,
        "Topwear",
        "Men:3, Women:1",
        "Casual:3, Sports:1",
        COLD,
        "Sweatshirt",
        (("hooded", True),),
    ),
    Article("Jackets", build_jacket, APPAREL, "Topwear", "Men:3, Women:1", "Casual:1", COLD, "Jacket", (("style", "zip"),), 1.5),
    Article(
        "Blazers",
        build_jacket,
        APPAREL,
        "Topwear",
        "Men:3, Women:1",
        "Formal:3, Casual:1",
        COLD,
        "Blazer",
        (("style", "blazer"),),
    ),
    Article("Jeans", build_jeans, APPAREL, "Bottomwear", "Men:3, Women:2, Boys:0.3", "Casual:1", ALL_SEASONS, "Jeans"),
    Article("Trousers", build_trousers, APPAREL, "Bottomwear", "Men:4, Women:1", "Casual:2, Formal:2", ALL_SEASONS, "Trousers"),
    Article(
        "Track Pants",
        build_track_pants,
        APPAREL,
        "Bottomwear",
        "Men:3, Women:1",
        "Sports:3, Casual:1",
        ALL_SEASONS,
        "Track Pants",
    ),
    Article("Leggings", build_leggings, APPAREL, "Bottomwear", "Women:6, Girls:1", "Casual:1", ALL_SEASONS, "Leggings"),
    Article(
        "Shorts", build_shorts, APPAREL, "Bottomwear", "Men:4, Women:1, Boys:1, Girls:0.5", "Casual:3, Sports:1", WARM, "Shorts"
    ),
    Article("Skirts", build_skirt, APPAREL, "Bottomwear", "Women:4, Girls:1", "Casual:1", WARM, "Skirt"),
    Article("Dresses", build_dress, APPAREL, "Dress", "Women:5, Girls:1", "Casual:4, Party:1", WARM, "Dress"),
    Article("Jumpsuit", build_jumpsuit, APPAREL, "Dress", "Women:1", "Casual:1", WARM, "Jumpsuit"),
    Article("Kurtas", build_kurta, APPAREL, "Topwear", "Women:9, Men:1", "Ethnic:1", ALL_SEASONS, "Kurta"),
    Article("Sarees", build_saree, APPAREL, "Saree", "Women:1", "Ethnic:1", ALL_SEASONS, "Saree"),
    Article(
        "Casual Shoes",
        build_casual_shoes,
        FOOTWEAR,
        "Shoes",
        "Men:6, Women:1, Unisex:1",
        "Casual:1",
        ALL_SEASONS,
        "Casual Shoes",
        pose="side",
    ),
    Article(
        "Sports Shoes",
        build_sports_shoes,
        FOOTWEAR,
        "Shoes",
        "Men:4, Women:1",
        "Sports:1",
        ALL_SEASONS,
        "Sports Shoes",
        pose="side",
    ),
    Article("Formal Shoes", build_formal_shoes, FOOTWEAR, "Shoes", "Men:1", "Formal:1", ALL_SEASONS, "Formal Shoes", pose="side"),
    Article("Heels", build_heels, FOOTWEAR, "Shoes", "Women:1", "Casual:3, Party:1", ALL_SEASONS, "Heels", pose="side"),
    Article("Flats", build_flats, FOOTWEAR, "Shoes", "Women:1", "Casual:1", ALL_SEASONS, "Flats", pose="side"),
    Article("Sandals", build_sandals, FOOTWEAR, "Sandal", "Men:4, Women:1, Unisex:0.5", "Casual:1", WARM, "Sandals", pose="side"),
    Article("Flip Flops", build_flip_flops, FOOTWEAR, "Flip Flops", "Men:2, Women:1, Unisex:1", "Casual:1", WARM, "Flip Flops"),
    Article("Boots", build_boots, FOOTWEAR, "Shoes", "Women:2, Men:1", "Casual:1", COLD, "Boots", pose="side"),
    Article("Handbags", build_handbag, ACCESSORIES, "Bags", "Women:1", "Casual:1", ALL_SEASONS, "Handbag"),
    Article("Clutches", build_clutch, ACCESSORIES, "Bags", "Women:1", "Party:1, Casual:2", ALL_SEASONS, "Clutch"),
    Article("Backpacks", build_backpack, ACCESSORIES, "Bags", "Unisex:6, Men:1, Women:1", "Casual:1", ALL_SEASONS, "Backpack"),
    Article(
        "Laptop Bag", build_laptop_bag, ACCESSORIES, "Bags", "Unisex:3, Men:1", "Casual:2, Formal:1", ALL_SEASONS, "Laptop Bag"
    ),
    Article(
        "Messenger Bag",
        build_laptop_bag,
        ACCESSORIES,
        "Bags",
        "Unisex:3, Men:1",
        "Casual:1",
        ALL_SEASONS,
        "Messenger Bag",
        (),
        0.5,
    ),
    Article("Duffel Bag", build_duffel_bag, ACCESSORIES, "Bags", "Unisex:1", "Travel:1, Casual:1", ALL_SEASONS, "Duffel Bag"),
    Article("Wallets", build_wallet, ACCESSORIES, "Wallets", "Men:1, Women:1", "Casual:1", ALL_SEASONS, "Wallet"),
    Article("Watches", build_watch, ACCESSORIES, "Watches", "Men:3, Women:2, Unisex:0.5", "Casual:1", ALL_SEASONS, "Watch"),
    Article("Sunglasses", build_sunglasses, ACCESSORIES, "Eyewear", "Men:3, Women:2, Unisex:1", "Casual:1", WARM, "Sunglasses"),
    Article(
        "Belts", build_belt, ACCESSORIES, "Belts", "Men:2, Women:1", "Casual:3, Formal:1", ALL_SEASONS, "Belt", pose="diagonal"
    ),
    Article(
        "Caps",
        build_hat,
        ACCESSORIES,
        "Headwear",
        "Unisex:2, Men:2, Women:0.5",
        "Casual:2, Sports:1",
        WARM,
        "Cap",
        (("style", "cap"),),
        2.0,
    ),
    Article(
        "Hat", build_hat, ACCESSORIES, "Headwear", "Unisex:1, Women:1", "Casual:1", ALL_SEASONS, "Hat", (("style", "fedora"),)
    ),
    Article("Hat", build_hat, ACCESSORIES, "Headwear", "Unisex:1", "Casual:1", COLD, "Beanie", (("style", "beanie"),)),
    Article("Ties", build_tie, ACCESSORIES, "Ties", "Men:1", "Formal:1", ALL_SEASONS, "Tie", pose="tilt"),
    Article("Scarves", build_scarf, ACCESSORIES, "Scarves", "Women:2, Men:1", "Casual:1", COLD, "Scarf"),
    Article("Socks", build_socks, ACCESSORIES, "Socks", "Men:4, Women:1, Unisex:1", "Casual:1", ALL_SEASONS, "Socks"),
    Article(
        "Necklace and Chains",
        build_jewellery,
        ACCESSORIES,
        "Jewellery",
        "Women:1",
        "Casual:2, Ethnic:1",
        ALL_SEASONS,
        "Necklace",
        (("style", "necklace"),),
    ),
    Article(
        "Earrings",
        build_jewellery,
        ACCESSORIES,
        "Jewellery",
        "Women:1",
        "Casual:2, Ethnic:1",
        ALL_SEASONS,
        "Earrings",
        (("style", "earrings"),),
    ),
    Article("Gloves", build_gloves, ACCESSORIES, "Gloves", "Men:1, Women:1", "Casual:1", COLD, "Gloves"),
)
BRANDS: tuple[str, ...] = (
    "Northwind",
    "Arlo & Finch",
    "Kestrel",
    "Mira",
    "Oakline",
    "Tessa",
    "Brio",
    "Halden",
    "Juniper",
    "Corvo",
    "Lumen",
    "Sable",
    "Verano",
    "Atlas Row",
    "Indigo Lane",
    "Marlow",
)
YEARS = "2011:3, 2012:4, 2013:1, 2015:1, 2016:2, 2017:1"


def fpid_categories() -> list[str]:
    """Unified categories the FPID tree covers, in a fixed order."""
    return sorted({category_for("fpid", a.article_type) for a in ARTICLES})


def render_fpid_product(seed: int, index: int, category: str, product_id: int) -> tuple[bytes, dict[str, str]]:
    """One FPID product shot (JPEG bytes) and its styles.csv row."""
    rng = np.random.default_rng([seed, 4, index])
    articles = [a for a in ARTICLES if category_for("fpid", a.article_type) == category]
    weights = np.array([a.weight for a in articles])
    art = articles[int(rng.choice(len(articles), p=weights / weights.sum()))]
    shape = art.builder(rng, **dict(art.options))
    w, h = FPID_SIZE_PX
    angle, flip = 0.0, False
    if art.pose == "side":
        flip = rng.random() < 0.3
        angle = _u(rng, -0.05, 0.05)
    elif art.pose == "diagonal":
        angle = _u(rng, -1.0, -0.75)
    elif art.pose == "tilt":
        angle = _u(rng, -0.15, 0.15)
    m = _u(rng, 0.05, 0.1)
    pose = fit_pose(shape, (w * m, h * m, w * (1 - 2 * m), h * (1 - 2 * m)), rng, angle, flip, light=(_u(rng, -0.04, 0.04), 0.0))
    paper = 255 if rng.random() < 0.85 else int(rng.integers(236, 250))
    painter = Painter(Image.new("RGB", (w * SUPERSAMPLE, h * SUPERSAMPLE), (paper, paper, paper)))
    painter.paint(shape, pose, rng)
    fab = shape.fabric
    gender = choose(rng, art.genders)
    words = [str(rng.choice(BRANDS)), gender]
    if fab is not None and fab.descriptor != "Solid" and rng.random() < 0.8:
        words.append(fab.descriptor)
    colour = fab.colour if fab is not None and fab.colour in COLOURS else "Multi"
    row = {
        "id": str(product_id),
        "gender": gender,
        "masterCategory": art.master,
        "subCategory": art.sub,
        "articleType": art.article_type,
        "baseColour": colour,
        "season": choose(rng, art.seasons),
        "year": choose(rng, YEARS),
        "usage": choose(rng, art.usage),
        "productDisplayName": " ".join([*words, colour, art.noun]),
    }
    return _jpeg(painter.result()), row


# ----------------------------------------------------------------------------------------------------------------------
# Generation: plan every image up front (so each is reproducible on its own), render in parallel, write atomically.


@dataclass(frozen=True)
class Task:
    """One image to render: which tree, its position and everything that fixes its content."""

    tree: str  # "deepfashion2" or "fpid"
    split: str  # train / validation (FPID: "")
    index: int  # 0-based within the split (FPID: within the tree)
    pair_index: int = 0  # DeepFashion2: shop/user pairs share a garment
    pair_id: int = 0
    source: str = ""  # DeepFashion2: shop / user
    category: str = ""  # FPID: unified category to draw
    product_id: int = 0  # FPID id (file name and styles.csv id)


def plan(n_images: int, seed: int) -> list[Task]:
    """Every image of a run, about half in each tree; DeepFashion2 split 90/10, FPID categories balanced."""
    n_df2 = n_images // 2
    n_val = 0 if n_df2 < 2 else max(1, round(n_df2 * VALIDATION_SHARE))
    tasks: list[Task] = []
    pair_base = 0
    for split, count in (("train", n_df2 - n_val), ("validation", n_val)):
        for k in range(count):
            tasks.append(Task("deepfashion2", split, k, k // 2, pair_base + k // 2 + 1, "shop" if k % 2 == 0 else "user"))
        pair_base += (count + 1) // 2
    order = fpid_categories()
    perm = np.random.default_rng([seed, 5]).permutation(len(order))
    for i in range(n_images - n_df2):
        tasks.append(Task("fpid", "", i, category=order[int(perm[i % len(order)])], product_id=FPID_FIRST_ID + i))
    return tasks


def _write_file(path: Path, data: bytes) -> None:
    """Write beside the target and rename: a crash never leaves a partial file under the final name.

    No fsync per image (thousands of them); the CSV and the marker that say the run finished are fsynced.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _render_chunk(job: tuple[str, int, list[Task]]) -> list[tuple[Task, list[int] | dict[str, str]]]:
    """Render and write a chunk of images (runs in a worker); returns per image its DF2 category ids or FPID row."""
    out, seed, tasks = job
    root = Path(out)
    results: list[tuple[Task, list[int] | dict[str, str]]] = []
    split_ids = {"train": 0, "validation": 1}
    for t in tasks:
        if t.tree == "deepfashion2":
            data, anno = render_df2_scene(seed, split_ids[t.split], t.index, t.pair_index, t.source, t.pair_id)
            name = f"{t.index + 1:06d}"
            _write_file(root / "deepfashion2" / t.split / "image" / f"{name}.jpg", data)
            _write_file(root / "deepfashion2" / t.split / "annos" / f"{name}.json", json.dumps(anno).encode("utf-8"))
            results.append((t, [anno[k]["category_id"] for k in anno if k.startswith("item")]))
        else:
            data, row = render_fpid_product(seed, t.index, t.category, t.product_id)
            _write_file(root / "fpid" / "images" / f"{t.product_id}.jpg", data)
            results.append((t, row))
    return results


class _ProgressLine:
    """A one-line progress display on stderr (rewritten in place on a terminal, every 10% otherwise)."""

    def __init__(self, total: int, label: str, enabled: bool):
        self.total, self.label, self.enabled = total, label, enabled
        self.start = time.perf_counter()
        self.tty = enabled and sys.stderr.isatty()
        self.next_pct = 10

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        rate = done / max(time.perf_counter() - self.start, 1e-9)
        line = f"{self.label}: {done}/{self.total} images ({rate:.0f}/s)"
        if self.tty:
            print("\r" + line, end="\n" if done >= self.total else "", file=sys.stderr, flush=True)
        elif done * 100 >= self.next_pct * self.total or done >= self.total:
            print(line, file=sys.stderr, flush=True)
            self.next_pct = done * 100 // max(self.total, 1) // 10 * 10 + 10


def _check_args(n_images: int, seed: int, workers: int) -> None:
    if not isinstance(n_images, int | np.integer) or n_images < 1:
        raise LookbookError(f"--images must be a positive whole number, got {n_images!r}")
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise LookbookError(f"--seed must be a whole number >= 0, got {seed!r}")
    if workers < 1:
        raise LookbookError(f"workers must be at least 1, got {workers!r}")


def _prepare_out(out: Path, n_images: int, seed: int) -> dict | None:
    """Make `out` ready; return the stored summary when it already holds this exact finished run."""
    if out.exists() and not out.is_dir():
        raise LookbookError(f"{out} is a file; --out must be a folder")
    marker = out / MARKER_FILE
    trees = [out / "deepfashion2", out / "fpid"]
    meta = None
    if marker.exists():
        try:
            meta = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
    elif any(t.exists() and any(t.iterdir()) for t in trees):
        raise LookbookError(
            f"{out} already holds a deepfashion2/ or fpid/ folder not written by `data synth`; choose an empty folder"
        )
    if (
        meta
        and meta.get("state") == "finished"
        and (meta.get("version"), meta.get("n_images"), meta.get("seed")) == (SYNTH_VERSION, n_images, seed)
        and _count_files(out) == meta.get("files")
    ):
        return meta.get("summary")
    for t in trees:  # ours (the marker says so): an older or unfinished run
        if t.exists():
            shutil.rmtree(t)
    try:
        for split in ("train", "validation"):
            for sub in ("image", "annos"):
                (out / "deepfashion2" / split / sub).mkdir(parents=True, exist_ok=True)
        (out / "fpid" / "images").mkdir(parents=True, exist_ok=True)
        write_json(marker, {"version": SYNTH_VERSION, "n_images": n_images, "seed": seed, "state": "running"})
    except OSError as exc:
        raise LookbookError(f"cannot write to {out}: {exc.strerror or exc}") from exc
    return None


def _count_files(out: Path) -> int:
    return sum(1 for t in ("deepfashion2", "fpid") for p in (out / t).rglob("*") if p.is_file() and not p.name.startswith("."))


def generate(
    out_dir: Path | str,
    n_images: int = 5000,
    seed: int = 0,
    progress: Progress | None = None,
    *,
    workers: int = 2,
    show_progress: bool | None = None,
) -> dict:
    """Draw `n_images` garment images into `out_dir/deepfashion2/` (official raw layout) and `out_dir/fpid/` (styles.csv +
    images/); the same seed gives byte-identical files. Returns a summary (counts per tree and category, elapsed seconds).

    `progress(done, total)` is called as images finish; without it (or with `show_progress=True`) a progress line goes
    to stderr. Rerunning with the same arguments on a finished folder reuses it. `workers` processes draw in parallel.
    """
    _check_args(n_images, seed, workers)
    n_images, seed = int(n_images), int(seed)
    out = Path(out_dir)
    reused = _prepare_out(out, n_images, seed)
    if reused is not None:
        if progress:
            progress(n_images, n_images)
        return {**reused, "reused": True}
    start = time.perf_counter()
    tasks = plan(n_images, seed)
    # interleave the two trees so both workers get a similar mix of (slower) scenes and (quicker) product shots
    df2 = [t for t in tasks if t.tree == "deepfashion2"]
    fpid = [t for t in tasks if t.tree == "fpid"]
    chunks = [c for pair in itertools.zip_longest(_chunks(df2), _chunks(fpid)) for c in pair if c]
    jobs = [(str(out), seed, c) for c in chunks]
    show = progress is None if show_progress is None else show_progress
    df2_cats: Counter = Counter()
    rows: list[dict[str, str]] = []
    try:
        _run_jobs(jobs, workers, progress, _ProgressLine(n_images, "synth", show), df2_cats, rows)
        rows.sort(key=lambda r: int(r["id"]))
        _write_styles(out / "fpid" / "styles.csv", rows)
        summary = _summary(n_images, seed, workers, df2, df2_cats, rows, time.perf_counter() - start)
        marker = {"version": SYNTH_VERSION, "n_images": n_images, "seed": seed, "state": "finished"}
        write_json(out / MARKER_FILE, {**marker, "files": _count_files(out), "summary": summary})
    except OSError as exc:  # disk full, folder removed underneath us...
        raise LookbookError(f"cannot write to {out}: {exc.strerror or exc}") from exc
    return summary


def _run_jobs(jobs, workers: int, progress: Progress | None, line: _ProgressLine, df2_cats: Counter, rows: list) -> None:
    """Render every chunk (in worker processes when workers > 1), collecting DF2 category counts and FPID rows."""
    total = sum(len(job[2]) for job in jobs)
    done = 0
    with _pool(workers) as pool:
        for chunk in pool.imap_unordered(_render_chunk, jobs) if pool else map(_render_chunk, jobs):
            for task, result in chunk:
                if task.tree == "deepfashion2":
                    df2_cats.update(result)
                else:
                    rows.append(result)
            done += len(chunk)
            line.update(done)
            if progress:
                progress(done, total)


def _chunks(tasks: list[Task]) -> list[list[Task]]:
    return [tasks[i : i + CHUNK_IMAGES] for i in range(0, len(tasks), CHUNK_IMAGES)]


class _pool:
    """A spawn-context worker pool (safe even when the caller has TensorFlow threads running), or None for one worker."""

    def __init__(self, workers: int):
        self.workers = workers
        self.pool = None

    def __enter__(self):
        if self.workers > 1:
            self.pool = multiprocessing.get_context("spawn").Pool(self.workers)
        return self.pool

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            if exc[0] is None:
                self.pool.close()
            else:
                self.pool.terminate()
            self.pool.join()


def _write_styles(path: Path, rows: list[dict[str, str]]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=FPID_HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_text(path, buf.getvalue())


def _summary(
    n_images: int, seed: int, workers: int, df2_tasks: list[Task], df2_cats: Counter, rows: list, elapsed: float
) -> dict:
    fpid_cats = Counter(category_for("fpid", r["articleType"]) for r in rows)
    unified: Counter = Counter()
    for c, k in df2_cats.items():
        unified[category_for("deepfashion2", c)] += k
    splits = Counter(t.split for t in df2_tasks)
    return {
        "version": SYNTH_VERSION,
        "n_images": n_images,
        "seed": seed,
        "workers": workers,
        "deepfashion2": {
            "images": len(df2_tasks),
            "train": splits.get("train", 0),
            "validation": splits.get("validation", 0),
            "items": sum(df2_cats.values()),
            "categories": {DF2_CATEGORY_NAMES[c]: df2_cats[c] for c in sorted(df2_cats)},
            "unified": dict(sorted(unified.items())),
        },
        "fpid": {
            "images": len(rows),
            "categories": dict(sorted(fpid_cats.items())),
            "article_types": dict(sorted(Counter(r["articleType"] for r in rows).items())),
        },
        "categories": dict(sorted((unified + fpid_cats).items())),
        "elapsed_s": round(elapsed, 3),
        "images_per_s": round(n_images / max(elapsed, 1e-9), 1),
    }
