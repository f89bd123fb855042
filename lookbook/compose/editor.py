"""The open lookbook: a lookbook bound to its models, with its undo history; every action of the Lookbook page is one call."""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any

from PIL import Image

from lookbook.compose import export
from lookbook.compose import manifest as manifest_io
from lookbook.compose.book import LatentSpec, Lookbook, Page, auto_title
from lookbook.compose.harmony import Harmony, score_outfit, short_name
from lookbook.compose.history import History
from lookbook.compose.outfit import FillConfig, Garment, fill_slots, search_garment, slot_variations
from lookbook.compose.render import Cover, PageView, RenderConfig, SlotView, render_cover, render_page
from lookbook.compose.studio import Studio
from lookbook.compose.templates import get_template, templates
from lookbook.data.taxonomy import display_name
from lookbook.errors import LookbookError

Progress = Callable[[int, int], None]


def _undoable(describe: Callable[..., str]) -> Callable:
    """Make a LookbookEditor method an undoable edit: the lookbook before it is recorded when the method changed anything.
    `describe(editor, *args)` names the edit ("reroll Bag"); a method's first int argument is the page it concerns."""

    def wrap(method: Callable) -> Callable:
        @functools.wraps(method)
        def edit(self: LookbookEditor, *args: Any, **kwargs: Any) -> Any:
            if self._editing:  # an edit made by another edit is part of it
                return method(self, *args, **kwargs)
            before = copy.deepcopy(self.lookbook)
            try:
                label = describe(self, *args)
            except (LookbookError, IndexError, TypeError):
                label = method.__name__.replace("_", " ")
            self._editing = True
            try:
                result = method(self, *args, **kwargs)
            finally:
                self._editing = False
            if self.lookbook != before:
                page = args[0] if args and isinstance(args[0], int) else None
                self.history.record(before, result if method.__name__ == "add_page" else page, label)
            return result

        return edit

    return wrap


def _slot_name(editor: LookbookEditor, page: int, slot: int, *_: Any) -> str:
    return editor.lookbook.page(page).slot(slot).name


class LookbookEditor:
    """A lookbook plus the studio that fills it. Pages and slots are addressed by 0-based index."""

    def __init__(
        self,
        studio: Studio,
        lookbook: Lookbook | None = None,
        fill: FillConfig | None = None,
        render: RenderConfig | None = None,
    ):
        self.studio = studio
        self.lookbook = lookbook or Lookbook()
        self.fill_config = fill or FillConfig()
        self.render_config = render or RenderConfig()
        self.warnings: list[str] = []  # e.g. a checkpoint differing from the one a manifest recorded
        self.history = History()
        self.cover: Cover | None = None  # printed before the pages of a PDF or ZIP when set
        self.saved_version = 0  # history.version when last saved or opened: unsaved changes when they differ
        self._editing = False

    # --- creating and opening ----------------------------------------------------------------------------

    @classmethod
    def new(
        cls,
        studio: Studio,
        template: str | Sequence[str] | None = None,
        pages: int = 1,
        seed: int = 0,
        title: str = "Untitled lookbook",
        fill: FillConfig | None = None,
        progress: Progress | None = None,
    ) -> LookbookEditor:
        """A lookbook of `pages` pages of `template` (default: the first template the models can fill); a list of
        templates is used in turn, one per page, so a lookbook can open on several kinds of look."""
        if seed < 0:
            raise LookbookError(f"seed must not be negative, got {seed}")
        if pages < 0:
            raise LookbookError(f"pages must not be negative, got {pages}")
        editor = cls(studio, Lookbook(title=title, seed=int(seed)), fill)
        cycle = [template] if template is None or isinstance(template, str) else list(template)
        if not cycle:
            raise LookbookError("give at least one template")
        for i in range(pages):
            editor.add_page(cycle[i % len(cycle)])
            if progress:
                progress(i + 1, pages)
        editor.history.clear()  # a new lookbook starts with nothing to undo
        editor.saved_version = editor.history.version
        return editor

    @classmethod
    def open(cls, source: str | os.PathLike | bytes, studio: Studio | None = None) -> LookbookEditor:
        """Reopen a saved lookbook. Without `studio`, the checkpoints it recorded are loaded (missing: an error);
        a checkpoint whose hash differs is reported in `.warnings`."""
        data = manifest_io.read_manifest(source)
        book, fill = manifest_io.from_manifest(data)
        if studio is None:
            studio = Studio.open(
                manifest_io.recorded_path(book.checkpoints, "generator"),
                manifest_io.recorded_path(book.checkpoints, "classifier"),
            )
        editor = cls(studio, book, fill)
        editor.warnings = manifest_io.check_checkpoints(book.checkpoints, studio)
        for page in book.pages:
            studio.check_template(get_template(page.template))
        return editor

    # --- models and templates ----------------------------------------------------------------------------

    def templates(self) -> list[str]:
        """Templates whose every slot these models can fill."""
        return self.studio.compatible(templates())

    def slot_categories(self, page: int, slot: int) -> list[str]:
        """Categories a designer may choose for a slot: any the models can deliver, the template's own first."""
        allowed = self.studio.usable(self.lookbook.page(page).slot(slot).allowed)
        return allowed + [c for c in self.studio.deliverable() if c not in allowed]

    # --- undo and redo -----------------------------------------------------------------------------------

    def undo(self) -> int | None:
        """Take back the last edit; returns the page it concerned (None: no page in particular, or nothing to undo)."""
        step = self.history.undo(self.lookbook)
        if step is not None:
            self.lookbook = step.lookbook
        return step.page if step else None

    def redo(self) -> int | None:
        """Make the last undone edit again; returns the page it concerned."""
        step = self.history.redo(self.lookbook)
        if step is not None:
            self.lookbook = step.lookbook
        return step.page if step else None

    @property
    def unsaved(self) -> bool:
        """Edited since it was last saved or opened."""
        return self.history.version != self.saved_version

    # --- pages -------------------------------------------------------------------------------------------

    @property
    def pages(self) -> list[Page]:
        return self.lookbook.pages

    @_undoable(lambda s, *a, **k: "add page")
    def add_page(self, template: str | None = None, title: str = "", notes: str = "", index: int | None = None) -> int:
        """Add a filled page; returns its index."""
        name = template or (self.templates() or [None])[0]
        if name is None:
            raise LookbookError("these models cannot fill any template (check the classifier's and generator's categories)")
        tpl = get_template(name)
        self.studio.check_template(tpl)
        page = self.lookbook.add_page(tpl, title=title, notes=notes, index=index)
        index = self.pages.index(page)
        self.garments(index)
        return index

    @_undoable(lambda s, page, *a: f"move {s.lookbook.page_title(page)}")
    def move_page(self, page: int, new_index: int) -> None:
        self.lookbook.move_page(page, new_index)

    @_undoable(lambda s, page: f"delete {s.lookbook.page_title(page)}")
    def delete_page(self, page: int) -> None:
        self.lookbook.delete_page(page)

    @_undoable(lambda s, page, *a: "page title")
    def set_title(self, page: int, title: str) -> None:
        """Name a page; "" (or the name its position gives, e.g. "Look 02") lets the name follow its position."""
        title = str(title).strip()
        self.lookbook.page(page).title = "" if title == auto_title(page) else title

    @_undoable(lambda s, page, *a: "notes")
    def set_notes(self, page: int, notes: str) -> None:
        self.lookbook.page(page).notes = str(notes)

    @_undoable(lambda s, *a: "cover")
    def set_cover(self, subtitle: str, date: str) -> None:
        """The cover page's subtitle and date line, as typed (its title is the lookbook's)."""
        self.lookbook.cover_subtitle, self.lookbook.cover_date = str(subtitle), str(date)

    def cover_page(self, default_date: str = "") -> Cover:
        """The cover as the lookbook records it (`default_date` when it records no date)."""
        book = self.lookbook
        return Cover(book.title, book.cover_subtitle, book.cover_date or default_date)

    @_undoable(lambda s, *a: "lookbook title")
    def set_lookbook_title(self, title: str) -> None:
        """The title printed at the top of every page."""
        self.lookbook.title = str(title)

    # --- slots -------------------------------------------------------------------------------------------

    def garments(self, page: int) -> list[Garment]:
        """The garments of a page, filling (and recording) any slot not yet resolved."""
        slots = self.lookbook.page(page).slots
        garments = fill_slots(self.studio, slots, self.fill_config)
        for slot, g in zip(slots, garments):
            slot.latent, slot.label, slot.confidence, slot.status, slot.message = (
                g.latent,
                g.label,
                g.confidence,
                g.status,
                g.message,
            )
        return garments

    def garment(self, page: int, slot: int) -> Garment:
        return self.garments(page)[slot]

    @_undoable(lambda s, *a: f"reroll {_slot_name(s, *a)}")
    def reroll(self, page: int, slot: int) -> Garment:
        """A new seed for one slot (from the lookbook's seed stream); only that slot changes."""
        self.lookbook.reroll(page, slot)
        return self.garment(page, slot)

    def next_reroll(self, page: int, slot: int, then: Callable[[Garment], Any] | None = None) -> tuple[Hashable, Callable]:
        """What `reroll(page, slot)` would show next, as (key, job): the job draws it into the garment cache (then hands
        it to `then`, e.g. to make its tile), so the reroll, run later on the same lookbook, finds it ready. The job
        reads nothing of the lookbook, which may change meanwhile."""
        target = self.lookbook.page(page).slot(slot)
        seed, accepted = self.lookbook.peek_seed(), target.accepted
        asked = self.studio.ask_category(target.category, target.default, target.allowed)
        studio, config = self.studio, self.fill_config

        def job() -> Any:
            garment = search_garment(studio, seed, accepted, config, asked)
            return then(garment) if then else garment

        return ("reroll", studio.key, seed, accepted, asked), job

    def upcoming_rerolls(self, page: int, first: int = 0, then: Callable[[Garment], Any] | None = None) -> list:
        """`next_reroll` of every slot of `page`, slot `first` first (the others follow in order, wrapping round)."""
        n = len(self.lookbook.page(page).slots)
        return [self.next_reroll(page, (first + k) % n, then) for k in range(n)]

    @_undoable(lambda s, *a: "reroll unlocked")
    def reroll_all(self, page: int) -> list[int]:
        """Reroll every unlocked slot; returns the indices that changed."""
        changed = self.lookbook.reroll_all(page)
        self.garments(page)
        return changed

    @_undoable(lambda s, *a: f"{'lock' if (a[2:] or (True,))[0] else 'unlock'} {_slot_name(s, *a)}")
    def lock(self, page: int, slot: int, locked: bool = True) -> None:
        self.lookbook.set_locked(page, slot, locked)

    @_undoable(lambda s, *a: f"category of {_slot_name(s, *a)}")
    def set_category(self, page: int, slot: int, category: str | None) -> Garment:
        """Ask a slot for a category (None = any allowed); the seed stays, so the same style changes garment."""
        if category is not None and category not in self.slot_categories(page, slot):
            who = "generator" if self.studio.conditional else "classifier"
            raise LookbookError(
                f"{category!r} cannot be delivered by these models (known to the {who}: "
                f"{', '.join(self.slot_categories(page, slot))})"
            )
        self.lookbook.set_category(page, slot, category)
        return self.garment(page, slot)

    @_undoable(lambda s, page, *a: "template")
    def set_template(self, page: int, template: str) -> list[Garment]:
        """Change a page's template in place; garments that fit the new slots stay."""
        tpl = get_template(template)
        self.studio.check_template(tpl)
        self.lookbook.set_template(page, tpl)
        return self.garments(page)

    def variations(self, page: int, slot: int, row: int = 0, strength: float | None = None) -> list[Garment]:
        """A row of nearby garments of a slot (`row` pages through further rows); nothing changes until one is picked."""
        self.garments(page)
        return slot_variations(self.studio, self.lookbook.page(page).slot(slot), self.fill_config, row, strength)

    @_undoable(lambda s, *a: f"variation of {_slot_name(s, *a)}")
    def pick_variation(self, page: int, slot: int, choice: Garment | LatentSpec) -> Garment:
        """Make a variation the slot's garment."""
        self.lookbook.set_latent(page, slot, choice.latent if isinstance(choice, Garment) else choice)
        return self.garment(page, slot)

    # --- judging and drawing -----------------------------------------------------------------------------

    def harmony(self, page: int) -> Harmony:
        """Colour harmony of a page's outfit."""
        return score_outfit([(short_name(display_name(g.label)), g.palette) for g in self.garments(page)])

    def view(self, page: int) -> PageView:
        """Everything a rendered page shows."""
        p = self.lookbook.page(page)
        garments = self.garments(page)
        return PageView(
            title=self.lookbook.page_title(page),
            notes=p.notes,
            template=p.template,
            slots=tuple(SlotView(s.name, g, s.seed) for s, g in zip(p.slots, garments)),
            harmony=self.harmony(page),
            lookbook_title=self.lookbook.title,
            page_number=page + 1,
            page_count=len(self.pages),
            provenance=self.studio.summary(),
            created=self.lookbook.created.replace("T", " ").replace("Z", " UTC"),
        )

    def render(self, page: int, config: RenderConfig | None = None) -> Image.Image:
        """A page as an A4 image."""
        return render_page(self.view(page), config or self.render_config)

    def render_all(self, config: RenderConfig | None = None, progress: Progress | None = None) -> list[Image.Image]:
        """Every page as an image, in order, after the cover when the lookbook has one."""
        images = [render_cover(self.cover, config or self.render_config)] if self.cover else []
        for i in range(len(self.pages)):
            images.append(self.render(i, config))
            if progress:
                progress(i + 1, len(self.pages))
        return images

    # --- saving and exporting ----------------------------------------------------------------------------

    def manifest(self) -> dict[str, Any]:
        """The manifest of the lookbook as it is now (all pages filled first)."""
        for i in range(len(self.pages)):
            self.garments(i)
        return manifest_io.to_manifest(self.lookbook, self.studio, self.fill_config)

    def save(self, path: str | os.PathLike) -> Path:
        """Save the manifest atomically (the lookbook's revision goes up by one)."""
        self.lookbook.revision += 1
        self.lookbook.checkpoints = self.studio.describe()
        written = manifest_io.write_manifest(path, self.manifest())
        self.saved_version = self.history.version
        return written

    def png(self, page: int) -> bytes:
        """One page as PNG bytes (for a download button)."""
        return export.png_bytes(self.render(page), self.render_config.dpi)

    def pdf(self, progress: Progress | None = None) -> bytes:
        """The whole lookbook as PDF bytes, one A4 page per outfit."""
        export.require_pages(self.pages)
        return export.pdf_bytes(self.render_all(progress=progress), self.render_config.dpi, self.lookbook.title)

    def zip(self, progress: Progress | None = None) -> bytes:
        """Every page as PNG plus manifest.json, as ZIP bytes."""
        export.require_pages(self.pages)
        images = self.render_all(progress=progress)
        return export.zip_bytes(images, self.manifest(), self.render_config.dpi, cover=self.cover is not None)

    def export(self, path: str | os.PathLike, page: int = 0, progress: Progress | None = None) -> Path:
        """Write `path` by its suffix: .png (one page), .pdf or .zip (all pages)."""
        kind = export.export_format(path)
        export.require_pages(self.pages)
        data = {".png": lambda: self.png(page), ".pdf": lambda: self.pdf(progress), ".zip": lambda: self.zip(progress)}[kind]()
        return export.write_export(path, data)
