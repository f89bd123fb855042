"""Fabrics: a colour plus a pattern, rendered in garment units so patterns follow the garment's pose."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from lookbook.data.synth.colours import COLOURS, DENIM, RGB, contrast, luma, pick_colour, shade
from lookbook.data.synth.sampling import choose


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
        return dataclasses.replace(self, rgb=shade(self.rgb, factor), second=shade(self.second, factor))

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
    second = contrast(rgb) if rng.random() < 0.6 else COLOURS[pick_colour(rng, palette, avoid=name)]
    if abs(luma(second) - luma(rgb)) < 40:
        second = contrast(rgb)
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


def subtle(fab: Fabric) -> Fabric:
    """Tone-on-tone version of a patterned fabric (suiting checks, pinstripes)."""
    if fab.pattern == "solid":
        return fab
    return dataclasses.replace(fab, second=shade(fab.rgb, 1.3 if luma(fab.rgb) < 120 else 0.8), duty=0.12)
