"""Lookbook page widgets: compose a lookbook, edit an outfit slot by slot, manage its pages, save, open and export.

The user's LookbookEditor (lookbook.compose) is the source of truth: every widget is drawn from it, and its callback writes
the change back through lookbook.ui.lookbook_actions, so a rerun, a page switch or a reopened manifest never leaves
a widget showing something the lookbook does not hold.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import streamlit as st
from PIL import Image

from lookbook import paths
from lookbook.compose import Cover, LookbookEditor, RenderConfig
from lookbook.compose.harmony import Harmony
from lookbook.compose.manifest import MAX_NOTES_CHARS, MAX_TITLE_CHARS
from lookbook.compose.outfit import Garment
from lookbook.compose.render import learned_upscaler, screen_tile, upscaling_note
from lookbook.compose.templates import get_template
from lookbook.data.taxonomy import display_name
from lookbook.errors import LookbookError
from lookbook.models.artifacts import CLASSIFIER_FILE, GENERATOR_FILE
from lookbook.ui import cache, state
from lookbook.ui import lookbook_actions as actions
from lookbook.ui.widgets import page_link, path_hint, safe_call

TILE_PX = 384  # garments are enlarged on the server the way pages are exported; the browser fits them to the column
UPSCALERS = {"learned": "Learned 4x", "lanczos": "Lanczos"}
PREVIEW_DPI = 100  # the page preview: A4 at 827 x 1169 px, crisp at the width it is shown
PREVIEW_WIDTH_PX = 420
TRAINING_PAGE = "pages/training.py"
ERROR = ":material/error:"
SAVED_PICK = "lookbook.saved"  # the "Saved in the workspace" selectbox
SAVE_OFFERED = "lookbook.save_offered"  # the file name the save form last offered (replaced while the user keeps it)
# keyed fragments of the editor: a slot's edit reruns its slot, the undo bar and the harmony score, nothing else
EDITOR_FRAGMENT = "lookbook-editor"
STATUS_FRAGMENT = "lookbook-status"
HARMONY_FRAGMENT = "lookbook-harmony"


def header() -> None:
    """Title and one line on what the page does (short: the garments must fit above the fold)."""
    st.title("Lookbook")
    st.caption(
        "Generated garments arranged into outfits: reroll, lock or vary single slots, then export. "
        "Every edit is autosaved and can be undone."
    )


def first_lookbook():
    """The user's first visit with the default checkpoints active: compose a lookbook straight away (with progress)."""
    holder = st.empty()
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        bar = bar or holder.progress(0.0)
        bar.progress(done / total, text=f"Composing a first lookbook from the default checkpoints: page {done} of {total}…")

    editor = actions.first_lookbook(progress)
    holder.empty()
    return editor


# starting: compose or open --------------------------------------------------------------------------------
def start_section() -> None:
    """Compose a new lookbook (left) or open a saved one (right); first, a pending switch waiting for confirmation."""
    _switch_prompt()
    left, right = st.columns([3, 2], gap="large")
    with left.container(border=True):
        st.markdown("#### :material/auto_awesome: New lookbook")
        _compose_form()
    with right.container(border=True):
        st.markdown("#### :material/folder_open: Open a lookbook")
        _open_form()


def _compose_form() -> None:
    studio = _model_pickers()
    if studio is None:
        return
    try:
        names = actions.usable_templates(studio)
    except LookbookError as exc:
        st.error(str(exc), icon=ERROR)
        return
    kind = "conditional: each slot asks for its category" if studio.conditional else "unconditional: slots search candidates"
    st.caption(f"{studio.image_size_px} px garments · {len(studio.classifier.categories)} categories · {kind}")
    if st.session_state.get("lookbook.template") not in names:
        st.session_state["lookbook.template"] = names[0]
    st.selectbox("Outfit template", names, format_func=_template_label, key="lookbook.template")
    c1, c2, c3 = st.columns([3, 1, 1])
    title = c1.text_input("Title", value="Untitled lookbook", key="lookbook.new_title", max_chars=MAX_TITLE_CHARS)
    pages = c2.number_input("Pages", min_value=1, max_value=actions.MAX_PAGES, value=3, key="lookbook.new_pages")
    seed = c3.number_input(
        "Seed", min_value=0, max_value=999_999, value=0, key="lookbook.new_seed", help="Same seed, same lookbook"
    )
    if st.button("Compose lookbook", type="primary", icon=":material/auto_awesome:", key="lookbook.compose", width="stretch"):
        template = st.session_state["lookbook.template"]

        def compose() -> bool:
            bar = st.progress(0.0, text="Composing…")
            try:
                editor = actions.compose(
                    template,
                    int(pages),
                    int(seed),
                    title,
                    progress=lambda done, total: bar.progress(done / total, text=f"Composing page {done} of {total}…"),
                )
            except LookbookError as exc:
                bar.empty()
                st.session_state[state.FLASH] = ("error", str(exc))
                return False
            actions.start(editor)
            return True

        _switch(f"compose “{title.strip() or 'Untitled lookbook'}”", compose)


def _template_label(name: str) -> str:
    return f"{name} · {get_template(name).describe()}"


def _model_pickers():
    """Generator and classifier choosers (the sidebar's choice, kept in step); the pair as a Studio, or None with a reason."""
    generators = [str(p) for p in paths.find_models(GENERATOR_FILE)]
    classifiers = [str(p) for p in paths.find_models(CLASSIFIER_FILE)]
    ckpt = paths.checkpoints_dir()
    if not ((ckpt / GENERATOR_FILE).is_file() and (ckpt / CLASSIFIER_FILE).is_file()):
        where = path_hint(paths.display_path(ckpt))
        if generators and classifiers:
            st.info(
                f"No default checkpoints in {where} (a clone of the project ships them in checkpoints/). "
                "Pick a training run's generator and classifier below.",
                icon=":material/info:",
            )
        else:
            _no_models_hint(where, bool(generators), bool(classifiers))
            return None
    c1, c2 = st.columns(2)
    generator = _model_select(c1, "Generator", generators, state.GENERATOR, state.GENERATOR_CHOICE, "lookbook.generator")
    classifier = _model_select(c2, "Classifier", classifiers, state.CLASSIFIER, state.CLASSIFIER_CHOICE, "lookbook.classifier")
    if not generator or not classifier:
        st.caption("Choose a generator and a classifier to compose.")
        return None
    return safe_call(actions.studio, generator, classifier)


def _no_models_hint(where: str, have_generator: bool, have_classifier: bool) -> None:
    missing = " or ".join(n for n, have in (("generator", have_generator), ("classifier", have_classifier)) if not have)
    runs = paths.runs_dir()
    st.warning(
        f"No default checkpoints in {where} (a clone of the project ships them in checkpoints/), and no run under "
        f"{path_hint(runs)} has a {missing} yet. Train one, then pick it here.",
        icon=":material/hourglass_top:",
    )
    page_link(TRAINING_PAGE, "Open Training", ":material/model_training:")
    dataset = state.active_dataset()
    data, out = paths.command_path(dataset) if dataset else "DATASET", paths.command_path(runs)
    st.code(
        f"python -m lookbook train gan --data {data} --run {out}/gan-quick --preset quick\n"
        f"python -m lookbook train classifier --data {data} --run {out}/classifier-cnn --preset cnn",
        language="bash",
        wrap_lines=True,
    )


def _model_select(container, label: str, options: list[str], app_key: str, sidebar_key: str, key: str) -> str | None:
    current = st.session_state.get(app_key)
    st.session_state[key] = current if current in options else None
    return container.selectbox(
        label,
        options,
        format_func=model_label,
        key=key,
        placeholder=f"Choose a {label.lower()}",
        on_change=_choose_model,
        args=(key, app_key, sidebar_key),
        help="Default checkpoints and training runs (also chosen in the sidebar)",
    )


def _choose_model(key: str, app_key: str, sidebar_key: str) -> None:
    value = st.session_state.get(key)
    st.session_state[app_key] = value
    st.session_state[sidebar_key] = value or ""  # keeps the sidebar's selectbox in step ("" is its "none")


def model_label(path: str) -> str:
    """`runs/gan-quick/generator.keras · 64 px · 12 categories` for model selectboxes."""
    meta = cache.model_meta(path)
    parts = [paths.display_path(path)]
    if meta.get("image_size_px"):
        parts.append(f"{meta['image_size_px']} px")
    if meta.get("categories"):
        parts.append(f"{len(meta['categories'])} categories")
    return " · ".join(parts)


def _open_form() -> None:
    nonce = st.session_state[state.LOOKBOOK_UPLOADS]
    upload = st.file_uploader(
        "Manifest (.json)", type=["json"], key=f"lookbook.upload.{nonce}", help="A manifest downloaded or saved from this page"
    )
    clicked = st.button(
        "Open uploaded lookbook", icon=":material/upload_file:", key="lookbook.open_upload", disabled=upload is None
    )
    if clicked:
        data, name = upload.getvalue(), upload.name

        def open_upload() -> bool:
            st.session_state[state.LOOKBOOK_UPLOADS] = nonce + 1  # a new key: the uploader starts empty
            return _open(data, name)

        _switch(f"open {name}", open_upload)
    saved = actions.saved_lookbooks()
    if not saved:
        st.caption(
            f"Lookbooks saved to the workspace ({path_hint(paths.display_path(actions.lookbooks_dir()))}) are listed here."
        )
        return
    if st.session_state.get(SAVED_PICK) not in saved:
        st.session_state[SAVED_PICK] = saved[0]  # the newest, e.g. the one just saved
    chosen = st.selectbox("Saved in the workspace", saved, format_func=lambda p: p.name, key=SAVED_PICK)
    if st.button("Open saved lookbook", icon=":material/folder_open:", key="lookbook.open_saved"):

        def open_saved() -> bool:
            try:
                data = chosen.read_bytes()
            except OSError as exc:
                state.flash("error", f"Cannot read {chosen.name}: {exc.strerror}")
                return False
            return _open(data, chosen.name, saved_as=chosen.stem)

        _switch(f"open {chosen.name}", open_saved)


def _switch(what: str, action) -> None:
    """Open another lookbook through `action`, asking first when the open one has unsaved changes."""
    actions.switch(what, action)
    st.rerun(scope="app")


def _switch_prompt() -> None:
    """The open lookbook has unsaved changes and the user asked to open another: save it first, go on, or cancel."""
    waiting = st.session_state.get(state.LOOKBOOK_SWITCH)
    editor = actions.editor()
    if not waiting or editor is None:
        return
    with st.container(border=True):
        st.warning(
            f"**{_escape(editor.lookbook.title)}** has changes not saved to the workspace. If you {waiting[0]} now, it "
            f"stays as a draft at [its link]({actions.draft_link()}) (bookmark it), and Undo will not bring it back.",
            icon=":material/warning:",
        )
        with st.container(horizontal=True):
            save_first = st.button(f"Save as {actions.save_name(editor)}.json, then {waiting[0]}", key="lookbook.switch_save")
            go = st.button(f"{waiting[0][:1].upper()}{waiting[0][1:]} without saving", key="lookbook.switch_go")
            st.button("Cancel", key="lookbook.switch_cancel", on_click=actions.cancel_switch)
    if save_first or go:
        try:
            actions.confirm_switch(save_first=save_first)
        except LookbookError as exc:
            state.flash("error", str(exc))
        st.rerun(scope="app")


def _open(data: bytes, name: str, saved_as: str = "") -> bool:
    """Open a manifest as this user's lookbook; a bad file is one error line. True when opened."""
    try:
        editor = actions.open_manifest(data)
    except LookbookError as exc:
        state.flash("error", f"Cannot open {name}: {exc}")
        return False
    actions.start(editor, saved_as=saved_as)
    n = len(editor.pages)
    opened = f"Opened **{_escape(editor.lookbook.title)}** ({n} page{'s' if n != 1 else ''}) from {_escape(name)}."
    if editor.warnings:  # one message: the models differ from the ones the lookbook was made with
        state.flash("warning", " ".join([opened, *(f"Note: the {_escape(w)}." for w in editor.warnings)]))
    else:
        state.flash("success", opened)
    return True


# models in use --------------------------------------------------------------------------------------------
def models_notice(editor: LookbookEditor) -> None:
    """Which checkpoints this lookbook uses (and how their image sizes meet); an offer to switch when the sidebar's differ."""
    summary = editor.studio.summary()
    note = editor.studio.resize_note
    if actions.uses_active_models(editor) or not all(actions.active_models()):
        st.caption(f":material/memory: {summary}" + (f"  \n:material/aspect_ratio: {note.capitalize()}." if note else ""))
        return
    left, right = st.columns([4, 1], vertical_alignment="center")
    left.info(
        f"This lookbook uses {summary}. The sidebar's models differ; switching regenerates every garment from its seed.",
        icon=":material/swap_horiz:",
    )
    if right.button("Use the sidebar's models", key="lookbook.rebind", width="stretch"):
        try:
            actions.rebind(actions.use_active_models(editor))
        except LookbookError as exc:
            st.error(str(exc), icon=ERROR)
            return
        st.rerun(scope="app")


# editing ------------------------------------------------------------------------------------------------
def workspace() -> None:
    """The open lookbook: its editor, then export and save, each a fragment: an edit reruns only its own part of the
    page, and an edit of one slot (reroll, lock, category) only that slot, the undo bar and the harmony score, without
    the other slots, the page controls, the sidebar and the exports. When an edit changes what another part shows (a
    page or title for the exports, the undo history for the editor), the page reruns."""
    if actions.editor() is None:
        return
    st.session_state[state.LOOKBOOK_EDITOR_DRAWN] = st.session_state[state.LOOKBOOK_EXPORT_DRAWN] = None  # both drawn now
    _editor_fragment()
    st.divider()
    _export_fragment()


@st.fragment(key=EDITOR_FRAGMENT)
def _editor_fragment() -> None:
    editor = actions.editor()
    if editor is None:
        return
    state.show_flash()  # errors raised by this fragment's own callbacks
    page = edit_panel(editor)
    if page is not None:
        actions.draw_ahead(editor, page, then=_ready_to_show(editor.render_config))
    if st.session_state.get(state.LOOKBOOK_EXPORT_DRAWN) not in (None, _export_key(editor, page)):
        st.rerun(scope="app")


def _in_editor(action: Callable[..., Any]) -> Callable[..., None]:
    """A callback of a widget inside a slot or the undo bar whose edit can change any part of the editor: the whole
    editor reruns (by default only the innermost fragment would)."""

    @functools.wraps(action)
    def callback(*args: Any) -> None:
        action(*args)
        st.rerun(EDITOR_FRAGMENT)

    return callback


def _slot_edit(action: Callable[..., Any]) -> Callable[..., None]:
    """A callback editing one slot, `action(page, slot, ...)`: only that slot, the undo bar and the harmony score rerun,
    after the next reroll of the page's slots is queued to be drawn ahead; the whole editor when the edit failed (its
    error is shown atop the editor) or closed the row of variations."""

    @functools.wraps(action)
    def callback(page: int, slot: int, *args: Any) -> None:
        variations = st.session_state.get(state.LOOKBOOK_VARIATIONS)
        action(page, slot, *args)
        editor = actions.editor()
        if editor is None or state.pending_flash() or st.session_state.get(state.LOOKBOOK_VARIATIONS) != variations:
            st.rerun(EDITOR_FRAGMENT)
        actions.draw_ahead(editor, page, then=_ready_to_show(editor.render_config))
        st.rerun([_slot_key(slot), STATUS_FRAGMENT, HARMONY_FRAGMENT])

    return callback


def _slot_key(slot: int) -> str:
    return f"lookbook-slot-{slot}"


@st.fragment
def _export_fragment() -> None:
    editor = actions.editor()
    if editor is None:
        return
    page = actions.page_index(editor) if editor.pages else None
    export_section(editor, page)
    models_notice(editor)
    st.session_state[state.LOOKBOOK_EXPORT_DRAWN] = _export_key(editor, page)
    if st.session_state.get(state.LOOKBOOK_EDITOR_DRAWN) not in (None, editor.history.version):
        st.rerun(scope="app")  # e.g. the cover was edited: Undo must offer it


def _export_key(editor: LookbookEditor, page: int | None) -> tuple:
    """What the export section's labels and file names are drawn from (its files are made from the lookbook as it is
    when clicked)."""
    return page, editor.lookbook.title, len(editor.pages)


def edit_panel(editor: LookbookEditor) -> int | None:
    """Lookbook title and undo, the page strip, the page's own controls, then its outfit; returns the page shown.

    The slots are drawn first, into a place below the controls: a rerun sends elements in the order they are drawn,
    so after "Reroll unlocked" the new images reach the browser among the first, not after the controls."""
    page = actions.page_index(editor)
    head = st.container()
    if editor.pages:
        for i, column in enumerate(st.columns(len(editor.pages[page].slots), gap="small")):
            with column:
                _slot_fragment(i)()
    with head:
        _toolbar(editor)
        _page_strip(editor, page)
        if not editor.pages:
            st.info("This lookbook has no pages. Add one with **Add page**.", icon=":material/note_add:")
            return None
        _page_controls(editor, page)
        _delete_confirmation(editor)
    _variations(editor, page)
    _harmony_and_notes(editor, page)
    return page


def _bind(key: str, value) -> None:
    """Show the editor's `value` in widget `key` (set before the widget is drawn; its callback writes changes back)."""
    st.session_state[key] = value


def _toolbar(editor: LookbookEditor) -> None:
    """Lookbook title, undo and redo, and whether the work is safe."""
    title, buttons = st.columns([3, 2], vertical_alignment="center")
    _bind("lookbook.book_title", editor.lookbook.title)
    title.text_input(
        "Lookbook title",
        key="lookbook.book_title",
        on_change=actions.set_lookbook_title,
        args=("lookbook.book_title",),
        label_visibility="collapsed",
        placeholder="Lookbook title",
        max_chars=MAX_TITLE_CHARS,
        help="Printed atop every page",
    )
    with buttons:
        _status_fragment()


@st.fragment(key=STATUS_FRAGMENT)
def _status_fragment() -> None:
    """Undo and redo, and whether the work is safe: what every edit changes besides its own part of the page."""
    editor = actions.editor()
    if editor is None:
        return
    history = editor.history
    with st.container(horizontal=True, vertical_alignment="center"):
        for name, callback, label in (("Undo", actions.undo, history.undo_label), ("Redo", actions.redo, history.redo_label)):
            st.button(
                name,
                icon=f":material/{name.lower()}:",
                key=f"lookbook.{name.lower()}",
                on_click=_in_editor(callback),
                disabled=label is None,
                help=f"{name} {label}" if label else f"Nothing to {name.lower()}",
            )
        saved_as = st.session_state.get(state.LOOKBOOK_SAVED_AS)
        if not saved_as:
            saved = "not in the workspace yet"
        else:
            saved = f"changes not saved to {saved_as}.json" if editor.unsaved else f"saved as {saved_as}.json"
        st.caption(
            f":material/cloud_done: Autosaved · {_escape(saved)}",
            help=f"Every edit is kept in a draft this page's address opens ({actions.draft_link()}): after a reload, in a new "
            "tab or after a restart. Save to the workspace to list it under Open a lookbook.",
        )
    st.session_state[state.LOOKBOOK_EDITOR_DRAWN] = history.version  # what the export section compares with


def _page_strip(editor: LookbookEditor, page: int) -> None:
    """Navigation between pages (which page is shown), and Add page."""
    n = len(editor.pages)
    strip, add = st.columns([5, 1], vertical_alignment="center")
    if n:
        _bind("lookbook.page_pick", page)
        strip.segmented_control(
            "Pages",
            list(range(n)),
            format_func=lambda i: f"{i + 1:02d} · {_short(editor.lookbook.page_title(i), 22)}",
            key="lookbook.page_pick",
            required=True,
            on_change=actions.select_page,
            args=("lookbook.page_pick",),
            label_visibility="collapsed",
        )
    with add.popover("Add page", icon=":material/add:", help="Add an outfit after this page", width="stretch"):
        names = editor.templates()
        if st.session_state.get("lookbook.add_template") not in names and names:
            st.session_state["lookbook.add_template"] = editor.pages[page].template if editor.pages else names[0]
        st.selectbox("Template", names, format_func=_template_label, key="lookbook.add_template")
        st.button("Add page", type="primary", key="lookbook.add_page", on_click=actions.add_page, args=("lookbook.add_template",))


def _page_controls(editor: LookbookEditor, page: int) -> None:
    """The page's title and template, moving it (text buttons: they reorder, they do not navigate), deleting it, and
    rerolling its unlocked slots."""
    p, n = editor.pages[page], len(editor.pages)
    title, template, moves, reroll = st.columns([3, 3, 4, 2], vertical_alignment="bottom")
    _bind("lookbook.page_title", p.title)
    title.text_input(
        f"Page {page + 1} title",
        key="lookbook.page_title",
        on_change=actions.set_page_title,
        args=(page, "lookbook.page_title"),
        placeholder=editor.lookbook.page_title(page),
        max_chars=MAX_TITLE_CHARS,
        help="Empty: the title follows the page's position",
    )
    names = editor.templates()
    _bind("lookbook.page_template", p.template)
    template.selectbox(
        "Template",
        names if p.template in names else [*names, p.template],
        format_func=_template_label,
        key="lookbook.page_template",
        on_change=actions.set_template,
        args=(page, "lookbook.page_template"),
        help="Garments that fit the new template's slots stay",
    )
    with moves.container(horizontal=True, gap="small"):
        for delta, side, where, last in ((-1, "left", "earlier", 0), (1, "right", "later", n - 1)):
            st.button(
                "Move",
                icon=f":material/arrow_{'back' if delta < 0 else 'forward'}:",
                key=f"lookbook.move_{side}",
                help=f"Move this page one place {where} in the lookbook",
                disabled=page == last,
                on_click=actions.move_page,
                args=(page, delta),
            )
        st.button("Delete", icon=":material/delete:", key="lookbook.ask_delete", on_click=actions.ask_delete, args=(page,))
    reroll.button(
        "Reroll unlocked",
        type="primary",
        icon=":material/casino:",
        key="lookbook.reroll_all",
        on_click=actions.reroll_unlocked,
        args=(page,),
        width="stretch",
        help="New garments in every slot that is not locked",
    )


def _delete_confirmation(editor: LookbookEditor) -> None:
    """Delete asks once, for the page it was clicked on; the confirmation goes away with the page."""
    token = st.session_state.get(state.LOOKBOOK_DELETE)
    if not token or token[1] != editor.history.version or token[0] >= len(editor.pages):
        return
    with st.container(border=True, horizontal=True, vertical_alignment="center"):
        st.markdown(f"Delete **{_escape(editor.lookbook.page_title(token[0]))}**? Undo brings it back.")
        st.button("Delete page", type="primary", key="lookbook.delete_page", on_click=actions.delete_page, args=(token,))
        st.button("Cancel", key="lookbook.cancel_delete", on_click=actions.cancel_delete)


@functools.cache
def _slot_fragment(slot: int) -> Callable[[], None]:
    """The fragment drawing slot `slot` of the page shown, keyed so that an edit of the slot reruns it alone."""

    def draw() -> None:
        editor = actions.editor()
        if editor is not None and editor.pages:
            page = actions.page_index(editor)
            if slot < len(editor.pages[page].slots):
                _slot(editor, page, slot)

    draw.__qualname__ = draw.__name__ = f"slot_{slot}"
    return st.fragment(draw, key=_slot_key(slot))


def _slot(editor: LookbookEditor, page: int, i: int) -> None:
    """A bordered cell: the slot's name and lock, its garment, Reroll and Vary, what the classifier sees and the
    category asked for."""
    slot, g = editor.pages[page].slots[i], editor.garment(page, i)
    opened = st.session_state.get(state.LOOKBOOK_VARIATIONS)
    with st.container(border=True, gap="small"):
        head, lock = st.columns([4, 1], vertical_alignment="center")
        head.markdown(f"**{_escape(slot.name)}**")
        lock.button(
            "",
            icon=":material/lock:" if slot.locked else ":material/lock_open:",
            type="primary" if slot.locked else "tertiary",
            key=f"lookbook.lock.{i}",
            on_click=_slot_edit(actions.toggle_lock),
            args=(page, i),
            help="Locked: kept when rerolling the unlocked slots" if slot.locked else "Lock: keep this garment when rerolling",
        )
        st.image(tile(g.image, editor.render_config), width="stretch")
        with st.container(horizontal=True, gap="small"):
            st.button(
                "Reroll",
                icon=":material/casino:",
                key=f"lookbook.reroll.{i}",
                on_click=_slot_edit(actions.reroll_slot),
                args=(page, i),
                width="stretch",
                help="A new garment of the same category for this slot only",
            )
            is_open = bool(opened and opened[:2] == (page, i))
            st.button(
                "Vary",
                icon=":material/tune:",
                key=f"lookbook.vary.{i}",
                type="primary" if is_open else "secondary",
                on_click=_in_editor(actions.toggle_variations),
                args=(page, i),
                width="stretch",
                help="A row of nearby garments to pick from",
            )
        _garment_caption(g)
        options = ["", *editor.slot_categories(page, i)]
        if slot.category and slot.category not in options:
            options.append(slot.category)
        _bind(f"lookbook.category.{i}", slot.category or "")
        st.selectbox(
            "Category",
            options,
            format_func=lambda c, name=slot.name: display_name(c) if c else f"Any {name.lower()}",
            key=f"lookbook.category.{i}",
            on_change=_slot_edit(actions.set_category),
            args=(page, i, f"lookbook.category.{i}"),
            label_visibility="collapsed",
            help="Ask this slot for any category; the seed stays",
        )


def _garment_caption(g: Garment) -> None:
    """What the classifier sees: a green tick when the slot got what it asked for, an orange warning saying what went
    wrong when not (the colour says match or not; the percentage is the classifier's confidence)."""
    searched = f" · best of {g.tried}" if g.tried > 1 else ""
    if g.ok:
        badge = f":green-badge[:material/check: {g.confidence:.0%}]"
    else:
        badge = f":orange-badge[:material/warning: not a {_escape(g.wanted)}]"
    st.markdown(
        f"**{display_name(g.label)}** {badge}  \n:small[:gray[seed {g.latent.describe()}{searched}]]",
        help=None if g.ok else g.message,
    )


def _variations(editor: LookbookEditor, page: int) -> None:
    opened = st.session_state.get(state.LOOKBOOK_VARIATIONS)
    if not opened or opened[0] != page or opened[1] >= len(editor.pages[page].slots):
        return
    _, slot, row = opened
    name = editor.pages[page].slots[slot].name
    with st.container(border=True):
        left, mid, right = st.columns([3, 2, 2], vertical_alignment="bottom")
        left.markdown(f"**Variations of the {_escape(name.lower())}** · row {row + 1}")
        left.caption("Nearby garments of the same category; pick one to use it.")
        how_different = mid.slider(
            "How different",
            min_value=0.05,
            max_value=1.0,
            value=0.25,
            step=0.05,
            key="lookbook.variation_strength",
            help="0.05: nearly the same garment; 1: as different as the generator allows while keeping the category",
        )
        with right.container(horizontal=True, horizontal_alignment="right"):
            st.button("More", icon=":material/refresh:", key="lookbook.more_variations", on_click=actions.more_variations)
            st.button("Close", icon=":material/close:", key="lookbook.close_variations", on_click=actions.close_variations)
        garments = actions.variations(editor, page, slot, row, how_different)
        for k, (column, g) in enumerate(zip(st.columns(len(garments)), garments)):
            with column:
                st.image(tile(g.image, editor.render_config), width="stretch")
                st.caption(f"**{display_name(g.label)}** · {g.confidence:.0%}")
                st.button(
                    "Use",
                    key=f"lookbook.pick.{k}",
                    on_click=actions.pick_variation,
                    args=(page, slot, row, how_different, k),
                    width="stretch",
                )


def _harmony_and_notes(editor: LookbookEditor, page: int) -> None:
    left, right = st.columns([3, 2], gap="large")
    with left:
        _harmony_fragment()
    _bind("lookbook.page_notes", editor.pages[page].notes)
    right.text_area(
        "Notes",
        key="lookbook.page_notes",
        height=150,
        placeholder="Styling notes, printed under the outfit",
        max_chars=MAX_NOTES_CHARS,
        on_change=actions.set_notes,
        args=(page, "lookbook.page_notes"),
    )


@st.fragment(key=HARMONY_FRAGMENT)
def _harmony_fragment() -> None:
    """The outfit's colour harmony score, scheme and palette."""
    editor = actions.editor()
    if editor is None or not editor.pages:
        return
    harmony = editor.harmony(actions.page_index(editor))
    with st.container(border=True):
        score, text = st.columns([1, 3], vertical_alignment="center")
        score.metric("Colour harmony", f"{harmony.score}/100")
        text.markdown(f"*{harmony.scheme.capitalize()}* · {_escape(harmony.reason[:1].upper() + harmony.reason[1:])}")
        text.markdown(palette_html(harmony), unsafe_allow_html=True)


def palette_html(harmony: Harmony) -> str:
    """The outfit's colours as small chips with their names (our own computed values only, never user text)."""
    chips = "".join(
        '<div style="display:flex;align-items:center;gap:6px;font-size:0.8rem">'
        f'<span style="width:22px;height:22px;border-radius:5px;background:{s.hex};'
        'border:1px solid rgba(0,0,0,0.15);display:inline-block"></span>'
        f"<span>{s.name} <span style='opacity:0.55'>{s.hex}</span></span></div>"
        for s in harmony.palette[:6]
    )
    return f'<div style="display:flex;flex-wrap:wrap;gap:8px 16px">{chips}</div>'


# saving and exporting -----------------------------------------------------------------------------------
def export_section(editor: LookbookEditor, page: int | None) -> None:
    """Client or working version, an optional cover, downloads, a preview on demand, and saving to the workspace."""
    st.subheader("Export and save")
    options, files = st.columns([2, 3], gap="large")
    with options:
        client = st.toggle(
            "Client version",
            key="lookbook.client",
            help="Leaves seeds, confidences, classifier disagreements and checkpoint hashes off the pages "
            "(the manifest still records them)",
        )
        _upscaler_switch(editor)
        cover = _cover_form(editor)
        if page is not None and st.button("Preview page", icon=":material/visibility:", key="lookbook.preview"):
            _preview(editor, page, client)
    with files:
        _downloads(editor, page, client, cover)
        st.divider()
        _save_form(editor)


def _cover_form(editor: LookbookEditor) -> Cover | None:
    if not st.checkbox(
        "Cover page", key="lookbook.cover", help="A first page with the title, a subtitle and a date (PDF and ZIP)"
    ):
        return None
    today = dt.date.today().strftime("%-d %B %Y")
    cover = editor.cover_page(default_date=today)
    keys = ("lookbook.cover_subtitle", "lookbook.cover_date")
    _bind(keys[0], cover.subtitle)
    _bind(keys[1], cover.date)
    for key, label, placeholder in zip(keys, ("Cover subtitle", "Cover date"), ("e.g. Spring 2027 · for Maison Ardent", today)):
        st.text_input(label, key=key, placeholder=placeholder, max_chars=MAX_TITLE_CHARS, on_change=actions.set_cover, args=keys)
    return cover


@st.dialog("Page as exported", width="large")
def _preview(editor: LookbookEditor, page: int, client: bool) -> None:
    st.image(preview_image(editor, page, client), width="stretch")
    st.caption(f"Page {page + 1} of {len(editor.pages)}: A4, {editor.render_config.dpi} dpi when exported.")


def preview_image(editor: LookbookEditor, page: int, client: bool = False) -> Image.Image:
    """The page rendered exactly as exported, at a screen resolution."""
    own = editor.render_config
    config = dataclasses.replace(own, dpi=PREVIEW_DPI, client=client)
    return editor.render(page, config)


def _downloads(editor: LookbookEditor, page: int | None, client: bool, cover: Cover | None) -> None:
    st.markdown("**Download**" + (" · client version" if client else " · working version"))
    empty = safe_call(lambda: _require_pages(editor)) is None

    # the files are made on click from a copy of the lookbook as it is then (a reroll does not redraw this section)
    def frozen() -> LookbookEditor:
        return actions.snapshot(editor, client, cover)

    names = actions.export_names(editor, page or 0, client)
    with st.container(horizontal=True):
        st.download_button(
            "This page (PNG)",
            data=lambda: frozen().png(page or 0),
            file_name=names["png"],
            mime="image/png",
            icon=":material/image:",
            key="lookbook.download.png",
            on_click="ignore",
            disabled=empty,
        )
        st.download_button(
            "Lookbook (PDF)",
            data=lambda: frozen().pdf(),
            file_name=names["pdf"],
            mime="application/pdf",
            icon=":material/picture_as_pdf:",
            key="lookbook.download.pdf",
            on_click="ignore",
            disabled=empty,
        )
        st.download_button(
            "PNGs + manifest (ZIP)",
            data=lambda: frozen().zip(),
            file_name=names["zip"],
            mime="application/zip",
            icon=":material/folder_zip:",
            key="lookbook.download.zip",
            on_click="ignore",
            disabled=empty,
        )
        st.download_button(
            "Manifest (JSON)",
            data=lambda: actions.manifest_bytes(frozen()),
            file_name=names["json"],
            mime="application/json",
            icon=":material/data_object:",
            key="lookbook.download.json",
            on_click="ignore",
            help="Reopen it here later to regenerate every page exactly",
        )
    what = "garments, titles, palette and notes" if client else "plus seeds, confidences and checkpoint hashes"
    st.caption(f"A4 pages at 150 dpi: {what}. The manifest records checkpoints, templates, seeds and latents.")


def _require_pages(editor: LookbookEditor) -> bool:
    if not editor.pages:
        raise LookbookError("The lookbook has no pages to export; add a page first.")
    return True


def _save_form(editor: LookbookEditor) -> None:
    st.markdown("**Save to the workspace**")
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    # the name follows the lookbook's title (or the name it was saved under) until the user types their own
    offered = actions.save_name(editor)
    if st.session_state.get(actions.SAVE_NAME) in (None, "", st.session_state.get(SAVE_OFFERED)):
        st.session_state[actions.SAVE_NAME] = offered
    st.session_state[SAVE_OFFERED] = offered
    name = c1.text_input(
        "File name", key=actions.SAVE_NAME, max_chars=MAX_TITLE_CHARS, help="Saved as <workspace>/lookbooks/<name>.json"
    )
    if c2.button("Save", icon=":material/save:", key="lookbook.save", width="stretch"):
        try:
            path = actions.save_to_workspace(editor, name)
        except LookbookError as exc:
            st.error(str(exc), icon=ERROR)
        else:
            st.session_state[SAVED_PICK] = path  # "Open a lookbook" lists it first and selected
            state.flash("success", f"Saved {paths.display_path(path)} (revision {editor.lookbook.revision}).")
            st.rerun(scope="app")
    st.caption(
        f"Saved lookbooks are listed under **Open a lookbook**, from {path_hint(paths.display_path(actions.lookbooks_dir()))}."
    )


# helpers ------------------------------------------------------------------------------------------------
def tile(image: np.ndarray, config: RenderConfig) -> bytes:
    """A garment enlarged for the screen the way pages are printed, as JPEG bytes (cached, shared across users)."""
    return screen_tile(image, TILE_PX, config)


def _ready_to_show(config: RenderConfig) -> Callable[[Garment], None]:
    """What a garment drawn ahead needs before a click shows it: its tile and its palette (for the harmony score)."""

    def prepare(garment: Garment) -> None:
        tile(garment.image, config)
        garment.palette  # noqa: B018 (a cached property: computed here, off the click)

    return prepare


def _upscaler_switch(editor: LookbookEditor) -> None:
    """Learned 4x upscaler or Lanczos for the tiles and every export; says which one the garments get."""
    chosen = st.segmented_control(
        "Enlarge garments with",
        list(UPSCALERS),
        default=editor.render_config.upscaler,
        format_func=UPSCALERS.get,
        key="lookbook.upscaler",
        help="Garments are generated small and enlarged for the page: by a small network trained on real product "
        "photos, or by Lanczos resampling with a light unsharp mask",
    )
    if chosen and chosen != editor.render_config.upscaler:
        editor.render_config = dataclasses.replace(editor.render_config, upscaler=chosen)
        st.rerun(scope="app")
    learned = learned_upscaler(editor.render_config)
    note = upscaling_note(learned, editor.render_config.sharpen_percent)
    st.caption(f"Garments are enlarged from {editor.studio.image_size_px} px by {note}.")
    framed = st.toggle(
        "Zoom small pieces",
        value=editor.render_config.frame_garments,
        key="lookbook.frame",
        help="Earrings, rings, cufflinks and other pieces that fill less than half of their generated image are "
        "zoomed up to 2x, so they fill their tile as a product shot would frame them",
    )
    if framed != editor.render_config.frame_garments:
        editor.render_config = dataclasses.replace(editor.render_config, frame_garments=framed)
        st.rerun(scope="app")


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _escape(text: str) -> str:
    """User text shown through st.markdown: Markdown and HTML characters are escaped."""
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+-.!|<>~$:" else ch for ch in text)
