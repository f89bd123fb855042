"""Shapes: what a garment drawing is made of (filled parts, strokes, dots), plus its silhouette and landmarks."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lookbook.data.synth.colours import RGB
from lookbook.data.synth.fabrics import Fabric
from lookbook.data.synth.geometry import pts


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
