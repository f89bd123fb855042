"""Trims shared by several garment families: knitted rib bands, topstitching and glossy highlights."""

from __future__ import annotations

import numpy as np

from lookbook.data.synth.colours import RGB, shade
from lookbook.data.synth.fabrics import Fabric
from lookbook.data.synth.geometry import offset_path
from lookbook.data.synth.shapes import Shape


def rib(shape: Shape, poly, fab: Fabric, direction, spacing: float = 0.035) -> None:
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


def hem_stitch(shape: Shape, path, fab: Fabric, up: float = 0.045, rgb: RGB | None = None) -> None:
    """A dashed line of stitching `up` from a hem (in the fabric's darker tone unless `rgb`)."""
    shape.stroke(offset_path(path, up), rgb or shade(fab.rgb, 0.68), 0.008, dash=0.025)


def gloss(shape: Shape, path, rgb: RGB, width: float = 0.03) -> None:
    """A specular highlight (patent and polished leather)."""
    shape.stroke(path, shade(rgb, 1.55), width)
