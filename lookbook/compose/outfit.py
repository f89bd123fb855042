"""Filling slots with garments: ask a conditional generator, or search candidates with the classifier; memoised."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np

from lookbook.compose import harmony
from lookbook.compose.book import LatentSpec, Slot, derive_seed
from lookbook.compose.cache import LRUCache
from lookbook.compose.harmony import short_name
from lookbook.compose.studio import Studio
from lookbook.config import Config, check
from lookbook.data.taxonomy import display_name

_VARIATION_SALT = 7919  # keeps variation seeds apart from candidate seeds derived from the same base seed
# Latents a conditional slot may draw to find one the classifier labels as asked, surely enough. Drawn 1, then 3, then
# the rest, so a category the generator makes well costs one forward pass; the last batch bounds a reroll's latency.
CANDIDATES = 12


@dataclass(frozen=True)
class FillConfig(Config):
    """How slots are filled and varied."""

    candidate_batches: tuple[int, ...] = (8, 24, 96, 128)  # latents generated and classified per attempt (unconditional)
    candidates: int = CANDIDATES  # most latents a conditional slot draws to find one labelled as asked
    # Stop searching once a matching candidate is at least this sure (probability 0-1). A faint or washed-out garment
    # is often still labelled as asked, but less surely; with the default models 12 candidates nearly always hold a
    # match at 0.7 (checkpoints/README.md has the figures per category).
    accept_confidence: float = 0.7
    variation_strength: float = 0.35  # step towards a random latent, as a fraction of one (0 = the same garment)
    n_variations: int = 6  # variations offered in one row

    def validate(self) -> None:
        check(len(self.candidate_batches) >= 1, "candidate_batches needs at least one batch size, e.g. 8,24,96,128")
        check(all(1 <= b <= 1024 for b in self.candidate_batches), "each of candidate_batches must be between 1 and 1024")
        check(1 <= self.candidates <= 256, f"candidates must be between 1 and 256, got {self.candidates}")
        check(0.0 <= self.accept_confidence <= 1.0, f"accept_confidence is a probability (0-1), got {self.accept_confidence}")
        check(0.0 < self.variation_strength <= 2.0, f"variation_strength must be in (0, 2], got {self.variation_strength}")
        check(1 <= self.n_variations <= 24, f"n_variations must be between 1 and 24, got {self.n_variations}")


@dataclass(frozen=True, eq=False)
class Garment:
    """A generated garment with what the classifier sees in it."""

    image: np.ndarray  # uint8 (S, S, 3), read-only
    latent: LatentSpec  # the latent shown; regenerates this exact image with the same checkpoint
    asked: str | None  # category asked of a conditional generator (None: unconditional)
    accepted: tuple[str, ...]  # categories that count as a match for the slot
    label: str  # the classifier's top category
    confidence: float  # its probability, 0-1
    tried: int = 1  # latents generated to find this one (1 unless searched)
    match_probability: float = 0.0  # probability the classifier gives the accepted categories together, 0-1

    @property
    def ok(self) -> bool:
        return self.label in self.accepted

    @property
    def status(self) -> str:
        return "ok" if self.ok else "mismatch"

    @property
    def wanted(self) -> str:
        """The accepted categories in words, e.g. "t-shirt or shirt"."""
        names = list(dict.fromkeys(short_name(display_name(c)) for c in self.accepted))
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"

    @property
    def message(self) -> str:
        """Empty when the garment matches; otherwise what went wrong, in words."""
        if self.ok:
            return ""
        seen = f"{short_name(display_name(self.label))}, {self.confidence:.0%}"
        wanted = self.wanted
        if self.tried > 1:
            return f"none of {self.tried} candidates looks like a {wanted} to the classifier; the closest is shown ({seen})"
        return f"wanted {wanted}, the classifier sees {seen}"

    @functools.cached_property
    def palette(self) -> tuple[harmony.Swatch, ...]:
        """Dominant colours, background ignored."""
        return harmony.garment_palette(self.image)


# Keyed by the checkpoints' hashes, so it stays valid across sessions and is never stale after retraining.
GARMENTS = LRUCache()


def generate_garments(studio: Studio, specs: list[LatentSpec], asked: str | None, accepted: tuple[str, ...]) -> list[Garment]:
    """Garments for exact latent specs, all asked for the same category (e.g. a row of variations)."""
    return _generate(studio, [(spec, asked, accepted) for spec in specs])


def _generate(studio: Studio, requests: list[tuple[LatentSpec, str | None, tuple[str, ...]]]) -> list[Garment]:
    """Garments for (latent spec, asked category, accepted categories) requests: one forward pass for the uncached."""
    keys = [("latent", studio.key, *r) for r in requests]
    found = [GARMENTS.get(k) for k in keys]
    missing = [i for i, g in enumerate(found) if g is None]
    if missing:
        z = np.stack([requests[i][0].vector(studio.noise_dim) for i in missing])
        images = studio.generate(z, [requests[i][1] for i in missing] if studio.conditional else None)
        probs = studio.probabilities(images)
        for i, image, p in zip(missing, images, probs):
            spec, asked, accepted = requests[i]
            found[i] = _garment(studio, image, spec, asked, accepted, p, tried=1)
            GARMENTS.put(keys[i], found[i])
    return found


def search_garment(studio: Studio, seed: int, accepted: tuple[str, ...], config: FillConfig, asked: str | None = None) -> Garment:
    """A garment derived from `seed` that the classifier labels as one of `accepted`.

    A conditional generator is asked for `asked`: candidate 0 is latent(seed) itself, candidate k latent(derive_seed(seed,
    k)), drawn in batches of 1, 3, ... up to `config.candidates`. An unconditional one searches derive_seed(seed, k) in
    `config.candidate_batches`. Either stops at the first batch where a match reaches `accept_confidence`; for a
    conditional one that match must be labelled as asked, so a "Skirt" slot that also accepts shorts shows a skirt when
    a candidate is one. The surest match is kept (labelled as asked first); without any, the closest candidate (most
    probability on `accepted`), whose message says so.
    """
    conditional = asked is not None
    batches = growing_batches(config.candidates) if conditional else config.candidate_batches
    key = ("search", studio.key, seed, asked, accepted, batches, config.accept_confidence)
    cached = GARMENTS.get(key)
    if cached is not None:
        return cached
    best: Garment | None = None  # the most confident match
    closest: Garment | None = None  # the candidate with most probability on `accepted`, while nothing matches
    tried = 0
    for size in batches:
        specs = [LatentSpec(seed if conditional and k == 0 else derive_seed(seed, k)) for k in range(tried, tried + size)]
        drawn = _generate(studio, [(spec, asked, accepted) for spec in specs])
        tried += size
        best = max(
            [g for g in (best, *drawn) if g is not None and g.ok], key=lambda g: (g.label == asked, g.confidence), default=None
        )
        if best is None:
            closest = max([g for g in (closest, *drawn) if g is not None], key=lambda g: g.match_probability)
        elif best.confidence >= config.accept_confidence and (not conditional or best.label == asked):
            break
    chosen = dataclasses.replace(best or closest, tried=tried)
    GARMENTS.put(key, chosen)
    GARMENTS.put(("latent", studio.key, chosen.latent, asked, accepted), chosen)  # shown again from its recorded latent
    return chosen


def growing_batches(total: int) -> tuple[int, ...]:
    """Batch sizes 1, 3, 9, ... summing to `total` (the last one cut short): 12 -> (1, 3, 8)."""
    sizes, size = [], 1
    while sum(sizes) < total:
        sizes.append(min(size, total - sum(sizes)))
        size *= 3
    return tuple(sizes)


def fill_slot(studio: Studio, slot: Slot, config: FillConfig) -> Garment:
    """What a slot shows: its recorded latent if it has one, else a fresh fill from its seed."""
    return fill_slots(studio, [slot], config)[0]


def fill_slots(studio: Studio, slots: list[Slot], config: FillConfig) -> list[Garment]:
    """Fill several slots; everything not needing a candidate search goes through one batched forward pass."""
    out: list[Garment | None] = [None] * len(slots)
    direct: list[int] = []
    pending = [s for s in slots if s.latent is None]
    if studio.conditional and len(pending) > 1:  # all first candidates in one forward pass; the searches find them cached
        _generate(studio, [(LatentSpec(s.seed), _asked(studio, s), s.accepted) for s in pending])
    for i, slot in enumerate(slots):
        if slot.latent is None:
            out[i] = search_garment(studio, slot.seed, slot.accepted, config, _asked(studio, slot))
        else:
            direct.append(i)
    requests = [(slots[i].latent, _asked(studio, slots[i]), slots[i].accepted) for i in direct]
    for i, garment in zip(direct, _generate(studio, requests)):
        out[i] = garment
    return out


def _asked(studio: Studio, slot: Slot) -> str | None:
    return studio.ask_category(slot.category, slot.default, slot.allowed)


def variation_specs(base: LatentSpec, n: int, strength: float, row: int = 0) -> list[LatentSpec]:
    """`n` nearby latents of `base`; the same (base, row) always gives the same row."""
    history = [s for s, _ in base.variations]
    return [base.varied(derive_seed(base.seed, *history, _VARIATION_SALT, row, k), strength) for k in range(n)]


def slot_variations(studio: Studio, slot: Slot, config: FillConfig, row: int = 0, strength: float | None = None) -> list[Garment]:
    """A row of variations of what a slot shows now (fill it first): twice as many are drawn, and those the
    classifier labels as the slot's category come first, so a row stays in the category asked for."""
    base = slot.latent or fill_slot(studio, slot, config).latent
    n = config.n_variations
    specs = variation_specs(base, 2 * n, config.variation_strength if strength is None else strength, row)
    drawn = generate_garments(studio, specs, _asked(studio, slot), slot.accepted)
    return ([g for g in drawn if g.ok] + [g for g in drawn if not g.ok])[:n]


def _garment(
    studio: Studio,
    image: np.ndarray,
    spec: LatentSpec,
    asked: str | None,
    accepted: tuple[str, ...],
    probs: np.ndarray,
    tried: int,
) -> Garment:
    image = np.array(image, copy=True)
    image.setflags(write=False)  # shared through the cache: nobody may paint on it
    top = int(np.argmax(probs))
    near = float(probs[studio.category_index(accepted)].sum())
    return Garment(image, spec, asked, accepted, studio.classifier.categories[top], float(probs[top]), tried, near)
