"""Random draws shared by every drawer: uniform floats and names from weighted "name:weight, ..." specs."""

from __future__ import annotations

import functools

import numpy as np


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


def uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    """A float drawn uniformly from [lo, hi)."""
    return float(rng.uniform(lo, hi))
