"""Rendering: poses, patterned fabric fills and a supersampled painter that turns shapes into images (and JPEG bytes)."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from lookbook.data.synth.colours import shade
from lookbook.data.synth.fabrics import Fabric
from lookbook.data.synth.geometry import pts
from lookbook.data.synth.shapes import Part, Shape, Stroke

SUPERSAMPLE = 2  # draw at 2x and downsample: cheap anti-aliasing for PIL polygons
JPEG_QUALITY = 90


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


def encode_jpeg(image: Image.Image) -> bytes:
    """The image as JPEG bytes at the dataset's quality."""
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=JPEG_QUALITY)
    return buf.getvalue()
