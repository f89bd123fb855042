"""The Lookbook page's per-user state and actions: models as a cached Studio, the user's LookbookEditor (autosaved as a
draft its URL names), its edits and their undo (widget callbacks), saving and opening manifests, and exports."""

from __future__ import annotations

import copy
import dataclasses
import functools
import gc
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import streamlit as st

from lookbook import paths
from lookbook.compose import Cover, LookbookEditor, RenderConfig, Studio, drafts
from lookbook.compose import manifest as manifest_io
from lookbook.compose.background import PREFETCH
from lookbook.compose.outfit import Garment
from lookbook.compose.render import learned_upscaler
from lookbook.compose.templates import get_template, templates
from lookbook.data.taxonomy import display_name
from lookbook.errors import LookbookError
from lookbook.models.artifacts import CLASSIFIER_FILE, GENERATOR_FILE, resolve_model_path
from lookbook.ui import cache, state

LOOKBOOKS_DIR = "lookbooks"  # manifests saved from the app go to <workspace>/lookbooks/<name>.json
DRAFTS_DIR = "drafts"  # autosaved drafts: <workspace>/lookbooks/drafts/<id>.json
DRAFT_PARAM = "lookbook"  # the page URL's ?lookbook=<draft id>
# "How different" runs from 0 to 1 on the page; 1 is the largest step a manifest records (strength 2: the latent turns
# by 63 degrees, about 80% of the feature distance between two independent rerolls)
VARIATION_SCALE = 2.0
MAX_PAGES = 24  # per compose; a lookbook is a handful of outfits, and each page is generated on the spot
_SLUG_MAX_CHARS = 60
SAVE_NAME = "lookbook.save_name"  # the save form's file name widget
FIRST_VISIT_DONE = "lookbook.first_visit_done"  # the page composed (or chose not to compose) a first lookbook
FIRST_LOOKBOOK_PAGES = 3
# a first lookbook shows several kinds of look: these, in turn, where the models can fill them (else the first usable)
FIRST_LOOKBOOK_TEMPLATES = ("date night", "casual", "kurta set", "day out", "office")


# models -----------------------------------------------------------------------------------------------
@st.cache_resource(max_entries=4, show_spinner="Preparing the models…")
def _studio(generator: str, generator_mtime_ns: int, classifier: str, classifier_mtime_ns: int) -> Studio:
    # one Studio per model pair and file version, shared by every user: building one traces its forward passes
    built = Studio.from_handles(cache.generator(generator), cache.classifier(classifier))
    built.warm_up()  # traced now, and the upscaler loaded, so their objects are frozen below with the models'
    learned_upscaler(RenderConfig())
    # Streamlit collects garbage after every run (twice: its own pass and Keras' clear_session); over the objects
    # TensorFlow and the models keep alive for good that costs ~0.3 s a pass with the GIL held, on every click.
    # Freezing them (after collecting what is garbage already) leaves the passes only the objects of the runs.
    gc.collect()
    gc.freeze()
    return built


def studio(generator: str | Path, classifier: str | Path) -> Studio:
    """The generator and classifier (run folders or .keras files) as one Studio; a pair that does not fit is a LookbookError."""
    g = resolve_model_path(generator, GENERATOR_FILE)
    c = resolve_model_path(classifier, CLASSIFIER_FILE)
    return _studio(str(g), cache.mtime_ns(g), str(c), cache.mtime_ns(c))


def active_models() -> tuple[str | None, str | None]:
    """The app-wide generator and classifier chosen in the sidebar (paths), either may be None."""
    return st.session_state.get(state.GENERATOR), st.session_state.get(state.CLASSIFIER)


def active_studio() -> Studio:
    """The sidebar's model pair as a Studio; a LookbookError says what is missing or wrong."""
    generator, classifier = active_models()
    if not generator or not classifier:
        missing = " and ".join(n for n, p in (("a generator", generator), ("a classifier", classifier)) if not p)
        raise LookbookError(f"choose {missing} first")
    return studio(generator, classifier)


def usable_templates(studio: Studio) -> list[str]:
    """Templates these models can fill; none at all is a LookbookError naming the mismatch."""
    names = studio.compatible(templates())
    if names:
        return names
    known = studio.classifier.categories
    if studio.conditional and not set(studio.generator.categories) & set(known):
        raise LookbookError(
            f"the generator's categories ({_names(studio.generator.categories)}) and the classifier's ({_names(known)}) "
            "have nothing in common: they were not trained on the same labels"
        )
    raise LookbookError(
        f"no outfit template can be filled: the classifier only knows {_names(known)} "
        "(templates need garments for every slot, e.g. a top, a bottom and shoes)"
    )


def _names(categories: list[str] | None, limit: int = 6) -> str:
    shown = [display_name(c) for c in (categories or [])[:limit]]
    return ", ".join(shown) + ("…" if len(categories or []) > limit else "")


def uses_active_models(editor: LookbookEditor) -> bool:
    """True when the editor's models are the sidebar's (same files)."""
    generator, classifier = active_models()
    return (str(editor.studio.generator.path), str(editor.studio.classifier.path)) == (str(generator), str(classifier))


# the open lookbook -----------------------------------------------------------------------------------
def editor() -> LookbookEditor | None:
    """This user's open lookbook (no side effects: for callbacks and fragments)."""
    return st.session_state.get(state.LOOKBOOK_EDITOR)


def current() -> LookbookEditor | None:
    """This user's lookbook: the one open in this browser tab, or the draft the page's URL names (after a reload, in a
    new tab, after an app restart). Keeps the URL naming the open lookbook's draft."""
    linked = st.query_params.get(DRAFT_PARAM)
    if linked and linked != st.session_state.get(state.LOOKBOOK_DRAFT) and not restore(linked):
        state.flash("warning", f"No lookbook is saved at this link ({linked}); it may have been made on another server.")
        del st.query_params[DRAFT_PARAM]
    opened = editor()
    if opened is not None:
        st.query_params[DRAFT_PARAM] = st.session_state[state.LOOKBOOK_DRAFT]
    return opened


def page_index(editor: LookbookEditor) -> int:
    """The page being edited, kept within the lookbook (0 when it has none)."""
    index = min(max(0, int(st.session_state.get(state.LOOKBOOK_PAGE) or 0)), max(0, len(editor.pages) - 1))
    st.session_state[state.LOOKBOOK_PAGE] = index
    return index


def start(editor: LookbookEditor, page: int = 0, saved_as: str = "") -> None:
    """Make `editor` this user's lookbook (after compose or open), as a new draft (written before this returns)."""
    _install(editor, page, drafts.new_id(), saved_as)
    autosave(editor, now=True)


def restore(draft_id: str) -> bool:
    """Reopen the draft `draft_id` as this user's lookbook; False when there is none (or it cannot be read)."""
    found = drafts.read_draft(drafts_dir(), draft_id) if drafts.is_id(draft_id) else None
    if found is None:
        return False
    data, draft = found
    try:
        restored = open_manifest(data)
    except LookbookError as exc:
        state.flash("error", f"The lookbook at this link cannot be opened: {exc}")
        return False
    restored.history.restore(draft.undo, draft.redo)
    # unsaved: the changes are still not in the workspace, whatever undo does next
    restored.saved_version = -1 if draft.unsaved else restored.history.version
    _install(restored, draft.page, draft_id, draft.saved_as)
    if draft.history_lost:
        state.flash("warning", "The lookbook is as you left it, but its undo history could not be read back.")
    return True


def _install(editor: LookbookEditor, page: int, draft_id: str, saved_as: str) -> None:
    st.session_state[state.LOOKBOOK_EDITOR] = editor
    st.session_state[state.LOOKBOOK_PAGE] = page
    st.session_state[state.LOOKBOOK_DRAFT] = draft_id
    st.session_state[state.LOOKBOOK_SAVED_AS] = saved_as
    st.session_state[state.LOOKBOOK_VARIATIONS] = None
    st.session_state[state.LOOKBOOK_DELETE] = None
    st.session_state[state.LOOKBOOK_SWITCH] = None
    st.session_state[FIRST_VISIT_DONE] = True
    st.session_state.pop(SAVE_NAME, None)  # the save form offers the new lookbook's own name
    st.query_params[DRAFT_PARAM] = draft_id


def drafts_dir() -> Path:
    """Where drafts are autosaved: `<workspace>/lookbooks/drafts`."""
    return lookbooks_dir() / DRAFTS_DIR


def autosave(editor: LookbookEditor, now: bool = False) -> None:
    """Have the open lookbook's draft written, with its undo history: by the background writer shortly after this run
    (after the edit is shown), or before returning when `now`. A failure (e.g. a read-only workspace) is a warning on
    the next run."""
    draft = drafts.DraftState(page_index(editor), editor.unsaved, st.session_state.get(state.LOOKBOOK_SAVED_AS) or "")
    try:
        path = drafts.draft_path(drafts_dir(), st.session_state[state.LOOKBOOK_DRAFT])
        failed = drafts.pop_error(path)  # the previous write's, reported now
        drafts.write_later(path, drafts.draft_data(editor, draft))
        if now:
            drafts.flush(path)
            failed = drafts.pop_error(path)
    except (OSError, LookbookError) as exc:
        failed = str(exc)
    if failed:
        state.flash("warning", f"Autosave failed ({failed}); save the lookbook to keep your changes.")


def draft_link() -> str:
    """The page URL's query that reopens the open lookbook, e.g. `?lookbook=3f9c0a1b2d4e`."""
    return f"?{DRAFT_PARAM}={st.session_state.get(state.LOOKBOOK_DRAFT)}"


def first_lookbook(progress: Callable[[int, int], None] | None = None) -> LookbookEditor | None:
    """On a user's first visit, a lookbook from the shipped default checkpoints (when they are the active models), so
    the page opens on outfits rather than a form; None on later visits, with other models, or if composing fails."""
    if st.session_state.get(FIRST_VISIT_DONE):
        return None
    st.session_state[FIRST_VISIT_DONE] = True
    ckpt = paths.checkpoints_dir()
    defaults = (str(ckpt / GENERATOR_FILE), str(ckpt / CLASSIFIER_FILE))
    if tuple(str(p) for p in active_models()) != defaults:
        return None
    try:
        names = usable_templates(active_studio())
        looks = [t for t in FIRST_LOOKBOOK_TEMPLATES if t in names] or names[:1]
        composed = compose(looks, FIRST_LOOKBOOK_PAGES, 0, "First lookbook", progress=progress)
    except LookbookError:
        return None  # the start form says what is wrong
    start(composed)
    return composed


# opening another lookbook -----------------------------------------------------------------------------
def switch(what: str, action: Callable[[], bool]) -> bool:
    """Run `action` (which opens or composes another lookbook; True when it did) now, or, when the open lookbook has
    unsaved changes, once the user confirms (see confirm_switch). True when it ran and succeeded."""
    opened = editor()
    if opened is not None and opened.unsaved:
        st.session_state[state.LOOKBOOK_SWITCH] = (what, action)
        return False
    return action()


def confirm_switch(save_first: bool) -> bool:
    """Run the action waiting for confirmation, after saving the open lookbook when asked. True when it ran."""
    waiting = st.session_state.get(state.LOOKBOOK_SWITCH)
    st.session_state[state.LOOKBOOK_SWITCH] = None
    if not waiting:
        return False
    if save_first:
        opened = editor()
        save(opened, save_name(opened))
    return waiting[1]()


def cancel_switch() -> None:
    st.session_state[state.LOOKBOOK_SWITCH] = None


def compose(
    template: str | Sequence[str], pages: int, seed: int, title: str, progress: Callable[[int, int], None] | None = None
) -> LookbookEditor:
    """A new lookbook from the sidebar's models (a list of templates is used in turn, one per page)."""
    if not 1 <= pages <= MAX_PAGES:
        raise LookbookError(f"a lookbook is composed with 1 to {MAX_PAGES} pages, got {pages}")
    return LookbookEditor.new(
        active_studio(), template=template, pages=pages, seed=seed, title=title.strip() or "Untitled lookbook", progress=progress
    )


def use_active_models(editor: LookbookEditor) -> LookbookEditor:
    """The same lookbook bound to the sidebar's models: pages, titles, notes, seeds, locks and categories stay;
    garments are generated again from the seeds (picked variations are dropped)."""
    new = active_studio()
    for page in editor.pages:
        new.check_template(get_template(page.template))
    for page in editor.pages:
        for slot in page.slots:
            slot.clear()
    rebound = LookbookEditor(new, editor.lookbook, editor.fill_config, editor.render_config)
    rebound.history, rebound.saved_version = editor.history, editor.saved_version
    return rebound


def rebind(rebound: LookbookEditor) -> None:
    """Replace the open lookbook's editor by the same lookbook bound to other models (same draft, same page)."""
    _install(rebound, page_index(rebound), st.session_state[state.LOOKBOOK_DRAFT], st.session_state[state.LOOKBOOK_SAVED_AS])
    autosave(rebound)


# edits: widget callbacks --------------------------------------------------------------------------------
def _edit(func: Callable[..., Any]) -> Callable[..., None]:
    """A widget callback editing this user's open lookbook, autosaved when it changed the lookbook; a LookbookError becomes
    an error shown on the next run."""

    @functools.wraps(func)
    def callback(*args: Any) -> None:
        opened = editor()
        if opened is None:
            return
        version = opened.history.version
        try:
            func(opened, *args)
        except LookbookError as exc:
            state.flash("error", str(exc))
        if opened.history.version != version:
            autosave(opened)

    return callback


def _close_variations(page: int | None = None, slot: int | None = None) -> None:
    """Close the open row of variations (only if it belongs to `page`/`slot` when given)."""
    opened = st.session_state.get(state.LOOKBOOK_VARIATIONS)
    if opened and (page is None or opened[0] == page) and (slot is None or opened[1] == slot):
        st.session_state[state.LOOKBOOK_VARIATIONS] = None


@_edit
def reroll_slot(editor: LookbookEditor, page: int, slot: int) -> None:
    """A new seed for one slot; the others keep their garments. Usually drawn ahead already (see draw_ahead)."""
    owner = st.session_state[state.LOOKBOOK_DRAFT]
    PREFETCH.cancel(owner)  # what is queued was drawn for this state of the lookbook: stale after this reroll
    PREFETCH.wait(editor.next_reroll(page, slot)[0])
    editor.reroll(page, slot)
    st.session_state[state.LOOKBOOK_LAST_REROLL] = slot
    _close_variations(page, slot)


def draw_ahead(editor: LookbookEditor, page: int, then: Callable[[Garment], Any] | None = None) -> None:
    """After the page is drawn: in the background, what the next reroll of each of its slots will show (and `then`
    of it, e.g. its tile), the slot after the last rerolled one first, so a click on Reroll finds it ready."""
    if not editor.pages:
        return
    last = st.session_state.get(state.LOOKBOOK_LAST_REROLL)
    first = 0 if last is None else last + 1
    PREFETCH.schedule(st.session_state[state.LOOKBOOK_DRAFT], editor.upcoming_rerolls(page, first, then))


@_edit
def reroll_unlocked(editor: LookbookEditor, page: int) -> None:
    """New seeds for every slot of the page that is not locked."""
    editor.reroll_all(page)
    _close_variations(page)


@_edit
def toggle_lock(editor: LookbookEditor, page: int, slot: int) -> None:
    """Lock a slot (kept by "reroll unlocked"), or unlock it."""
    editor.lock(page, slot, not editor.pages[page].slots[slot].locked)


@_edit
def set_category(editor: LookbookEditor, page: int, slot: int, key: str) -> None:
    """Ask a slot for the category chosen in widget `key` ("" = any the template allows)."""
    editor.set_category(page, slot, st.session_state[key] or None)
    _close_variations(page, slot)


@_edit
def set_template(editor: LookbookEditor, page: int, key: str) -> None:
    """Give a page the template chosen in widget `key`; garments that fit its slots stay."""
    editor.set_template(page, st.session_state[key])
    _close_variations(page)


@_edit
def undo(editor: LookbookEditor) -> None:
    """Take back the last edit and show the page it concerned."""
    _show(editor.undo())


@_edit
def redo(editor: LookbookEditor) -> None:
    """Make the last undone edit again and show the page it concerned."""
    _show(editor.redo())


def _show(page: int | None) -> None:
    if page is not None:
        st.session_state[state.LOOKBOOK_PAGE] = page
    st.session_state[state.LOOKBOOK_DELETE] = None
    _close_variations()


def toggle_variations(page: int, slot: int) -> None:
    """Open the row of variations of a slot, or close it when it is already open."""
    opened = st.session_state.get(state.LOOKBOOK_VARIATIONS)
    st.session_state[state.LOOKBOOK_VARIATIONS] = None if opened and opened[:2] == (page, slot) else (page, slot, 0)


def more_variations() -> None:
    """Show the next row of variations of the open slot."""
    opened = st.session_state.get(state.LOOKBOOK_VARIATIONS)
    if opened:
        st.session_state[state.LOOKBOOK_VARIATIONS] = (opened[0], opened[1], opened[2] + 1)


def close_variations() -> None:
    """Close the row of variations."""
    _close_variations()


def variations(editor: LookbookEditor, page: int, slot: int, row: int, how_different: float) -> list:
    """A row of variations of a slot, `how_different` on the page's 0-1 scale."""
    return editor.variations(page, slot, row, how_different * VARIATION_SCALE)


@_edit
def pick_variation(editor: LookbookEditor, page: int, slot: int, row: int, how_different: float, choice: int) -> None:
    """Make variation `choice` of the row shown the slot's garment."""
    editor.pick_variation(page, slot, variations(editor, page, slot, row, how_different)[choice])
    _close_variations()


@_edit
def select_page(editor: LookbookEditor, key: str) -> None:
    """Edit the page chosen in widget `key`."""
    value = st.session_state.get(key)
    if value is not None:
        st.session_state[state.LOOKBOOK_PAGE] = int(value)
        _close_variations()


@_edit
def add_page(editor: LookbookEditor, template_key: str) -> None:
    """Add a page of the template chosen in widget `template_key` after the current one, and show it."""
    index = editor.add_page(st.session_state.get(template_key) or None, index=page_index(editor) + 1)
    st.session_state[state.LOOKBOOK_PAGE] = index
    _close_variations()


@_edit
def move_page(editor: LookbookEditor, page: int, delta: int) -> None:
    """Move a page `delta` places (clamped to the ends); it stays the page shown."""
    target = max(0, min(page + delta, len(editor.pages) - 1))
    editor.move_page(page, target)
    st.session_state[state.LOOKBOOK_PAGE] = target
    _close_variations()


def ask_delete(page: int) -> None:
    """Ask to confirm deleting `page` (of the lookbook as it is now)."""
    opened = editor()
    if opened is not None:
        st.session_state[state.LOOKBOOK_DELETE] = (page, opened.history.version)


def cancel_delete() -> None:
    st.session_state[state.LOOKBOOK_DELETE] = None


@_edit
def delete_page(editor: LookbookEditor, token: tuple[int, int]) -> None:
    """Delete the page a confirmation was asked for; its neighbour is shown next. A second click on the same
    confirmation (a double click), or one drawn before another edit, does nothing: one page per confirmed click."""
    if st.session_state.get(state.LOOKBOOK_DELETE) != tuple(token) or token[1] != editor.history.version:
        return
    st.session_state[state.LOOKBOOK_DELETE] = None
    page = token[0]
    editor.delete_page(page)
    st.session_state[state.LOOKBOOK_PAGE] = max(0, min(page, len(editor.pages) - 1))
    _close_variations()


@_edit
def set_page_title(editor: LookbookEditor, page: int, key: str) -> None:
    """The page title typed in widget `key` (emptied: the title follows the page's position again)."""
    editor.set_title(page, st.session_state[key])


@_edit
def set_notes(editor: LookbookEditor, page: int, key: str) -> None:
    """The page notes typed in widget `key`."""
    editor.set_notes(page, st.session_state[key])


@_edit
def set_cover(editor: LookbookEditor, subtitle_key: str, date_key: str) -> None:
    """The cover's subtitle and date typed in widgets `subtitle_key` and `date_key`."""
    editor.set_cover(st.session_state[subtitle_key], st.session_state[date_key])


@_edit
def set_lookbook_title(editor: LookbookEditor, key: str) -> None:
    """The lookbook title typed in widget `key` (printed atop every page)."""
    editor.set_lookbook_title(st.session_state[key].strip() or "Untitled lookbook")


# saving and opening -------------------------------------------------------------------------------------
def slug(name: str) -> str:
    """A plain file name stem from a title: "Spring / Été '25" -> "spring-ete-25" (never a path)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:_SLUG_MAX_CHARS].strip("-") or "lookbook"


def lookbooks_dir() -> Path:
    """Where the app saves lookbooks: `<workspace>/lookbooks`."""
    return paths.workspace_dir() / LOOKBOOKS_DIR


def saved_lookbooks() -> list[Path]:
    """Manifests saved in the workspace, newest first."""
    folder = lookbooks_dir()
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.json"), key=lambda p: (-cache.mtime_ns(p), p.name))


def save_name(editor: LookbookEditor) -> str:
    """The file name the save form offers: the one last saved under, else the lookbook's title as it is now."""
    return st.session_state.get(state.LOOKBOOK_SAVED_AS) or slug(editor.lookbook.title)


def save_to_workspace(editor: LookbookEditor, name: str) -> Path:
    """Save as `<workspace>/lookbooks/<slug of name>.json` and remember the name (the draft, too, records it)."""
    path = save(editor, name)
    st.session_state[state.LOOKBOOK_SAVED_AS] = path.stem
    autosave(editor, now=True)
    return path


def save(editor: LookbookEditor, name: str) -> Path:
    """Save the manifest as `<workspace>/lookbooks/<slug of name>.json`; never overwrites a different lookbook."""
    target = paths.writable_path(lookbooks_dir() / f"{slug(name)}.json")
    if target.exists():
        # a lookbook is known by when it was created and its seed (titles change); a manifest not readable is not ours
        try:
            saved = json.loads(target.read_text(encoding="utf-8"))
            identity = (saved.get("created"), saved.get("seed"))
        except (OSError, ValueError, AttributeError):
            identity = None
        if identity != (editor.lookbook.created, editor.lookbook.seed):
            raise LookbookError(f"another lookbook is already saved as {target.name}; choose a different name")
    target.parent.mkdir(parents=True, exist_ok=True)
    return editor.save(target)


def open_manifest(data: bytes) -> LookbookEditor:
    """Reopen a manifest (uploaded or saved) with the models it records when they are on disk unchanged, else with
    the sidebar's; `.warnings` says how the models differ. Any problem with the file is one LookbookError."""
    manifest = manifest_io.read_manifest(data)
    try:
        return LookbookEditor.open(data, _recorded_studio(manifest.get("checkpoints")) or active_studio())
    except LookbookError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        # the reader checks every field it knows; this catches a hand edit it did not foresee
        raise LookbookError(f"the manifest could not be read ({type(exc).__name__}: {exc})") from None


def _recorded_studio(recorded: Any) -> Studio | None:
    """The models a manifest was made with, if they are still on disk (and allowed) with the recorded hashes."""
    try:
        g = paths.safe_path(manifest_io.recorded_path(recorded, "generator"), kind="file", what="generator")
        c = paths.safe_path(manifest_io.recorded_path(recorded, "classifier"), kind="file", what="classifier")
        candidate = studio(g, c)
    except LookbookError:
        return None
    return None if manifest_io.check_checkpoints(recorded, candidate) else candidate


# exports ------------------------------------------------------------------------------------------------
def snapshot(editor: LookbookEditor, client: bool = False, cover: Cover | None = None) -> LookbookEditor:
    """A frozen copy to export from (download data is made on click, on another thread, while the user edits on):
    with `client`, pages leave out seeds, confidences, disagreements and hashes; with `cover`, PDF and ZIP start with it."""
    frozen = LookbookEditor(
        editor.studio,
        copy.deepcopy(editor.lookbook),
        editor.fill_config,
        dataclasses.replace(editor.render_config, client=client),
    )
    frozen.cover = cover
    return frozen


def manifest_bytes(editor: LookbookEditor) -> bytes:
    """The lookbook's manifest as a JSON download (the same text a ZIP export holds)."""
    return (json.dumps(editor.manifest(), indent=2) + "\n").encode("utf-8")


def export_names(editor: LookbookEditor, page: int, client: bool = False) -> dict[str, str]:
    """Download file names by kind: png (the page), pdf, zip and json (the whole lookbook); a client version says so."""
    stem = slug(editor.lookbook.title) + ("-client" if client else "")
    return {"png": f"{stem}-look-{page + 1:02d}.png", "pdf": f"{stem}.pdf", "zip": f"{stem}.zip", "json": f"{stem}.json"}
