"""The lookbook as plain data: Lookbook -> Page -> Slot, latent specs, and the edits a designer makes.

Nothing here touches a model. An edit that changes what a slot should show (reroll, new category) clears the
slot's resolved latent; `lookbook.compose.editor.LookbookEditor` then fills it again through the generator.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import numpy as np

from lookbook.compose.templates import Template, TemplateSlot, get_template
from lookbook.data.taxonomy import outfit_categories
from lookbook.errors import LookbookError
from lookbook.models.artifacts import latent

SEED_BOUND = 1_000_000  # seeds people see (reroll seeds) stay short enough to read out and type
LATENT_SEED_BOUND = 2**31 - 1  # seeds of derived latents (candidates, variations) use the full range


def derive_seed(*parts: int, bound: int = LATENT_SEED_BOUND) -> int:
    """A seed determined by integer `parts`, identical on every machine (numpy SeedSequence mixing)."""
    return int(np.random.SeedSequence([int(p) for p in parts]).generate_state(1)[0]) % bound


def now_iso() -> str:
    """UTC time to the second, as recorded in manifests."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class LatentSpec:
    """A latent vector by recipe: latent(seed), then each variation step z <- |z| * unit(z + strength * latent(v))."""

    seed: int  # seed of the base latent (lookbook.models.artifacts.latent)
    variations: tuple[tuple[int, float], ...] = ()  # (variation seed, strength) steps applied in order

    def vector(self, noise_dim: int) -> np.ndarray:
        """The latent, float32 (noise_dim,); exact on every machine for the same spec."""
        z = latent(self.seed, noise_dim).astype(np.float64)
        for variation_seed, strength in self.variations:
            norm = np.linalg.norm(z)
            # renormalise so a variation stays at the radius the generator saw in training
            moved = z + float(strength) * latent(variation_seed, noise_dim)
            z = moved * (norm / max(np.linalg.norm(moved), 1e-12))
        return z.astype(np.float32)

    def varied(self, variation_seed: int, strength: float) -> LatentSpec:
        """This spec moved one step towards latent(variation_seed)."""
        return replace(self, variations=(*self.variations, (int(variation_seed), float(strength))))

    def to_dict(self) -> dict:
        return {"seed": self.seed, "variations": [[s, w] for s, w in self.variations]}

    def describe(self) -> str:
        """Short text, e.g. "8271" or "8271 ~ 2 variations"."""
        n = len(self.variations)
        return f"{self.seed}" + (f" ~ {n} variation{'s' if n > 1 else ''}" if n else "")


@dataclass
class Slot:
    """One garment place on a page. `latent` is None until the generator has filled it."""

    name: str  # from the template, e.g. "Shoes"
    allowed: tuple[str, ...]  # categories the template accepts here
    default: str  # category a conditional generator is asked for when `category` is None
    seed: int  # the slot's seed: the latent itself (conditional) or the start of the candidate search
    category: str | None = None  # a category chosen by the designer; None accepts any of `allowed`
    locked: bool = False  # kept as is by "reroll all"
    latent: LatentSpec | None = None  # the latent actually shown, recorded so the slot regenerates exactly
    label: str | None = None  # what the classifier sees in the image
    confidence: float | None = None  # its probability, 0-1
    status: str = "pending"  # pending | ok | mismatch
    message: str = ""  # why a slot is a mismatch, in words

    @property
    def accepted(self) -> tuple[str, ...]:
        """Categories that count as a match: the chosen one, or any allowed."""
        return (self.category,) if self.category else self.allowed

    def clear(self) -> None:
        """Forget the resolved latent and its labels (the slot will be filled again)."""
        self.latent, self.label, self.confidence, self.status, self.message = None, None, None, "pending", ""


@dataclass
class Page:
    """One outfit: a template's slots, a title and notes."""

    template: str
    slots: list[Slot]
    title: str = ""  # "" follows the page's position ("Look 02"); any other text is the designer's own name
    notes: str = ""

    def slot(self, index: int) -> Slot:
        if not 0 <= index < len(self.slots):
            raise LookbookError(f"slot {index + 1} does not exist (page has {len(self.slots)} slots)")
        return self.slots[index]


@dataclass
class Lookbook:
    """Pages plus the seed stream that rerolls draw from, so every reroll is reproducible and recorded."""

    title: str = "Untitled lookbook"
    seed: int = 0  # seeds the lookbook's seed stream
    draws: int = 0  # seeds drawn so far; the next one is derive_seed(seed, draws)
    pages: list[Page] = field(default_factory=list)
    created: str = field(default_factory=now_iso)
    revision: int = 0  # incremented each time the lookbook is saved
    pages_made: int = 0  # pages ever added
    checkpoints: dict = field(default_factory=dict)  # what the last save recorded (path, hash per model)
    cover_subtitle: str = ""  # printed on the cover page under the title (season, client, collection)
    cover_date: str = ""  # the cover's date line, as typed; "" lets the page offer today's date

    def peek_seed(self) -> int:
        """The seed the next draw will give (the next reroll's, whichever slot it is), without drawing it."""
        return derive_seed(self.seed, self.draws, bound=SEED_BOUND)

    def next_seed(self) -> int:
        """Draw the next seed from the lookbook's stream."""
        seed = self.peek_seed()
        self.draws += 1
        return seed

    def page(self, index: int) -> Page:
        if not 0 <= index < len(self.pages):
            raise LookbookError(
                f"page {index + 1} does not exist (the lookbook has {len(self.pages)} page{'s' if len(self.pages) != 1 else ''})"
            )
        return self.pages[index]

    def page_title(self, index: int) -> str:
        """The title shown and printed: the designer's own, else one that follows the position ("Look 02")."""
        return self.page(index).title or auto_title(index)

    # --- pages -------------------------------------------------------------------------------------------

    def add_page(self, template: str | Template, title: str = "", notes: str = "", index: int | None = None) -> Page:
        """Append (or insert at `index`) a page of `template` with fresh seeds."""
        tpl = template if isinstance(template, Template) else get_template(template)
        self.pages_made += 1
        page = Page(
            template=tpl.name,
            slots=[new_slot(s, self.next_seed()) for s in tpl.slots],
            title=title,
            notes=notes,
        )
        self.pages.insert(len(self.pages) if index is None else max(0, min(index, len(self.pages))), page)
        return page

    def move_page(self, index: int, new_index: int) -> None:
        """Move a page to `new_index` (clamped to the ends)."""
        self.page(index)
        page = self.pages.pop(index)
        self.pages.insert(max(0, min(new_index, len(self.pages))), page)

    def delete_page(self, index: int) -> Page:
        """Remove a page and return it."""
        self.page(index)
        return self.pages.pop(index)

    # --- slots -------------------------------------------------------------------------------------------

    def reroll(self, page: int, slot: int) -> int:
        """Give one slot a new seed from the stream (locks do not stop an explicit reroll); returns it."""
        target = self.page(page).slot(slot)
        target.seed = self.next_seed()
        target.clear()
        return target.seed

    def reroll_all(self, page: int) -> list[int]:
        """Reroll every unlocked slot of a page; returns the indices that changed."""
        changed = [i for i, s in enumerate(self.page(page).slots) if not s.locked]
        for i in changed:
            self.reroll(page, i)
        return changed

    def set_locked(self, page: int, slot: int, locked: bool = True) -> None:
        self.page(page).slot(slot).locked = bool(locked)

    def set_category(self, page: int, slot: int, category: str | None) -> None:
        """Choose a category for a slot (None = any its template allows; any outfit category may be asked for, a skirt
        in a "Top" slot included); the slot keeps its seed and is filled again."""
        target = self.page(page).slot(slot)
        if category is not None and category not in outfit_categories():
            raise LookbookError(f"{category!r} is not an outfit category (see lookbook/data/categories.csv)")
        if category != target.category:
            target.category = category
            target.clear()

    def set_template(self, page: int, template: str | Template) -> None:
        """Change a page's template in place: a new slot keeps an old slot's garment when that garment fits it (same
        slot name first); the others get fresh seeds."""
        tpl = template if isinstance(template, Template) else get_template(template)
        target = self.page(page)
        old = list(target.slots)
        slots = []
        for t in tpl.slots:
            fits = [s for s in old if (s.category or s.default) in t.allowed and (s.category or s.label in (None, *t.allowed))]
            keep = next((s for s in fits if s.name == t.name), fits[0] if fits else None)
            if keep is None:
                slots.append(new_slot(t, self.next_seed()))
                continue
            old.remove(keep)
            # a conditional generator draws the recorded latent as the category asked: pin it, so the garment stays
            asked = keep.category or keep.default
            category = asked if keep.category or asked != t.default else None
            slots.append(replace(keep, name=t.name, allowed=t.allowed, default=t.default, category=category))
        target.template, target.slots = tpl.name, slots

    def set_latent(self, page: int, slot: int, spec: LatentSpec) -> None:
        """Show exactly `spec` in a slot (a picked variation); labels are refreshed on the next fill."""
        target = self.page(page).slot(slot)
        target.clear()
        target.latent = spec


def auto_title(index: int) -> str:
    """The title of an unnamed page at 0-based position `index`."""
    return f"Look {index + 1:02d}"


def new_slot(template_slot: TemplateSlot, seed: int) -> Slot:
    """An unfilled slot for a template slot."""
    return Slot(name=template_slot.name, allowed=template_slot.allowed, default=template_slot.default, seed=seed)
