"""Geometry in garment units (y pointing down): points, curves, outlines, offsets, areas and clipping."""

from __future__ import annotations

import math

import numpy as np


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


def band(path, width: float) -> np.ndarray:
    """A polygon covering `width` beside a path (positive: to the left of travel; up for a left-to-right path)."""
    path = np.asarray(path, np.float64)
    return np.vstack([path, offset_path(path, width)[::-1]])


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
