"""Lookbook page widgets: compose a lookbook, edit an outfit slot by slot, manage its pages, save, open and export.

The user's Session (lookbook.compose) is the source of truth: every widget is drawn from it, and its callback writes
the change back through lookbook.ui.lookbook_session, so a rerun, a page switch or a reopened manifest never leaves
a widget showing something the lookbook does not hold.
"""

from __future__ import annotations

import numpy as np
import streamlit as st
from PIL import Image

from lookbook import paths
from lookbook.compose import RenderConfig, Session
from lookbook.compose.harmony import Harmony
from lookbook.compose.outfit import Garment
from lookbook.compose.render import upscale
from lookbook.compose.templates import get_template
from lookbook.data.taxonomy import display_name
from lookbook.errors import LookbookError
from lookbook.models.artifacts import CLASSIFIER_FILE, GENERATOR_FILE
from lookbook.ui import cache, state
from lookbook.ui import lookbook_session as ls
from lookbook.ui.widgets import page_link, path_hint, safe_call

TILE_PX = 384  # garments are upscaled on the server (Lanczos + light sharpening); the browser fits them to the column
PREVIEW_DPI = 100  # the page preview: A4 at 827 x 1169 px, crisp at the width it is shown
PREVIEW_WIDTH_PX = 420
TRAINING_PAGE = "pages/training.py"
ERROR = ":material/error:"


def header() -> None:
    """Title and one line on what the page does."""
    st.title("Lookbook")
    st.caption(
        "Generated garments, labelled by the classifier and arranged into outfits. Reroll, lock or vary single slots, "
        "then export pages as PNG or the whole lookbook as PDF. Every page records its checkpoints and seeds."
    )


def first_lookbook():
    """The user's first visit with the default checkpoints active: compose a lookbook straight away (with progress)."""
    holder = st.empty()
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        bar = bar or holder.progress(0.0)
        bar.progress(done / total, text=f"Composing a first lookbook from the default checkpoints: page {done} of {total}…")

    session = ls.first_lookbook(progress)
    holder.empty()
    return session


# starting: compose or open --------------------------------------------------------------------------------
def start_section() -> None:
    """Compose a new lookbook (left) or open a saved one (right)."""
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
        names = ls.usable_templates(studio)
    except LookbookError as exc:
        st.error(str(exc), icon=ERROR)
        return
    kind = "conditional: each slot asks for its category" if studio.conditional else "unconditional: slots search candidates"
    st.caption(f"{studio.image_size_px} px garments · {len(studio.classifier.categories)} categories · {kind}")
    if st.session_state.get("lookbook.template") not in names:
        st.session_state["lookbook.template"] = names[0]
    st.selectbox("Outfit template", names, format_func=_template_label, key="lookbook.template")
    c1, c2, c3 = st.columns([3, 1, 1])
    title = c1.text_input("Title", value="Untitled lookbook", key="lookbook.new_title", max_chars=80)
    pages = c2.number_input("Pages", min_value=1, max_value=ls.MAX_PAGES, value=3, key="lookbook.new_pages")
    seed = c3.number_input(
        "Seed", min_value=0, max_value=999_999, value=0, key="lookbook.new_seed", help="Same seed, same lookbook"
    )
    if st.button("Compose lookbook", type="primary", icon=":material/auto_awesome:", key="lookbook.compose", width="stretch"):
        bar = st.progress(0.0, text="Composing…")
        try:
            session = ls.compose(
                st.session_state["lookbook.template"],
                int(pages),
                int(seed),
                title,
                progress=lambda done, total: bar.progress(done / total, text=f"Composing page {done} of {total}…"),
            )
        except LookbookError as exc:
            bar.empty()
            st.error(str(exc), icon=ERROR)
            return
        ls.start(session)
        st.rerun()


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
    return safe_call(ls.studio, generator, classifier)


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
    if clicked and _open(upload.getvalue(), upload.name):
        st.session_state[state.LOOKBOOK_UPLOADS] = nonce + 1  # a new key: the uploader starts empty
        st.rerun()
    saved = ls.saved_lookbooks()
    if not saved:
        st.caption(f"Lookbooks saved to the workspace ({path_hint(paths.display_path(ls.lookbooks_dir()))}) are listed here.")
        return
    chosen = st.selectbox("Saved in the workspace", saved, format_func=lambda p: p.name, key="lookbook.saved")
    if st.button("Open saved lookbook", icon=":material/folder_open:", key="lookbook.open_saved"):
        try:
            data = chosen.read_bytes()
        except OSError as exc:
            st.error(f"cannot read {chosen.name}: {exc.strerror}", icon=ERROR)
            return
        if _open(data, chosen.name):
            st.rerun()


def _open(data: bytes, name: str) -> bool:
    """Open a manifest as this user's lookbook; a bad file is one error line. True when opened."""
    try:
        session = ls.open_manifest(data)
    except LookbookError as exc:
        st.error(f"Cannot open {name}: {exc}", icon=ERROR)
        return False
    ls.start(session)
    n = len(session.pages)
    opened = f"Opened **{_escape(session.lookbook.title)}** ({n} page{'s' if n != 1 else ''}) from {_escape(name)}."
    if session.warnings:  # one message: the models differ from the ones the lookbook was made with
        state.flash("warning", " ".join([opened, *(f"Note: the {_escape(w)}." for w in session.warnings)]))
    else:
        state.flash("success", opened)
    return True


# models in use --------------------------------------------------------------------------------------------
def models_notice(session: Session) -> None:
    """Which checkpoints this lookbook uses; an offer to switch when the sidebar's differ."""
    summary = session.studio.summary()
    if ls.uses_active_models(session) or not all(ls.active_models()):
        st.caption(f":material/memory: {summary}")
        return
    left, right = st.columns([4, 1], vertical_alignment="center")
    left.info(
        f"This lookbook uses {summary}. The sidebar's models differ; switching regenerates every garment from its seed.",
        icon=":material/swap_horiz:",
    )
    if right.button("Use the sidebar's models", key="lookbook.rebind", width="stretch"):
        try:
            ls.start(ls.use_active_models(session), ls.page_index(session))
        except LookbookError as exc:
            st.error(str(exc), icon=ERROR)
            return
        st.rerun()


# editing ------------------------------------------------------------------------------------------------
def editor(session: Session) -> int | None:
    """Lookbook title, the page strip and page actions, then the page's outfit; returns the page shown (None if empty)."""
    page = ls.page_index(session)
    _toolbar(session, page)
    if not session.pages:
        st.info("This lookbook has no pages. Add one with **Add page**.", icon=":material/note_add:")
        return None
    _page_header(session, page)
    garments = session.garments(page)
    _slots(session, page, garments)
    _variations(session, page)
    _harmony_and_notes(session, page, session.harmony(page))
    return page


def _bind(key: str, value) -> None:
    """Show the session's `value` in widget `key` (set before the widget is drawn; its callback writes changes back)."""
    st.session_state[key] = value


def _toolbar(session: Session, page: int) -> None:
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    _bind("lookbook.book_title", session.lookbook.title)
    left.text_input("Lookbook title", key="lookbook.book_title", on_change=ls.set_lookbook_title, args=("lookbook.book_title",))
    n = len(session.pages)
    with right.container(horizontal=True, horizontal_alignment="right", vertical_alignment="bottom"):
        with st.popover("Add page", icon=":material/add:", help="Add an outfit after this page"):
            names = session.templates()
            if st.session_state.get("lookbook.add_template") not in names and names:
                st.session_state["lookbook.add_template"] = session.pages[page].template if session.pages else names[0]
            st.selectbox("Template", names, format_func=_template_label, key="lookbook.add_template")
            st.button("Add page", type="primary", key="lookbook.add_page", on_click=ls.add_page, args=("lookbook.add_template",))
        st.button(
            "",
            icon=":material/chevron_left:",
            key="lookbook.move_left",
            help="Move this page earlier",
            disabled=page == 0 or n == 0,
            on_click=ls.move_page,
            args=(page, -1),
        )
        st.button(
            "",
            icon=":material/chevron_right:",
            key="lookbook.move_right",
            help="Move this page later",
            disabled=page >= n - 1,
            on_click=ls.move_page,
            args=(page, 1),
        )
        with st.popover("", icon=":material/delete:", help="Delete this page", disabled=n == 0):
            title = session.pages[page].title if n else ""
            st.markdown(f"Delete **{_escape(title)}**? Its garments, title and notes go with it.")
            st.button("Delete page", key="lookbook.delete_page", on_click=ls.delete_page, args=(page,), icon=":material/delete:")
    if n:
        _bind("lookbook.page_pick", page)
        st.segmented_control(
            "Pages",
            list(range(n)),
            format_func=lambda i: f"{i + 1:02d} · {_short(session.pages[i].title, 22)}",
            key="lookbook.page_pick",
            required=True,
            on_change=ls.select_page,
            args=("lookbook.page_pick",),
            label_visibility="collapsed",
        )


def _page_header(session: Session, page: int) -> None:
    p = session.pages[page]
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    _bind("lookbook.page_title", p.title)
    left.text_input(
        f"Page {page + 1} title",
        key="lookbook.page_title",
        on_change=ls.set_page_title,
        args=(page, "lookbook.page_title"),
    )
    right.button(
        "Reroll unlocked",
        type="primary",
        icon=":material/casino:",
        key="lookbook.reroll_all",
        on_click=ls.reroll_unlocked,
        args=(page,),
        width="stretch",
        help="New garments in every slot that is not locked",
    )
    st.caption(f"Template **{p.template}**: {get_template(p.template).describe()}. Locked slots keep their garment.")


def _slots(session: Session, page: int, garments: list[Garment]) -> None:
    slots = session.pages[page].slots
    opened = st.session_state.get(state.LOOKBOOK_VARIATIONS)
    columns = st.columns(len(slots), gap="medium")
    for i, (column, slot, g) in enumerate(zip(columns, slots, garments)):
        with column.container(border=True):
            head, lock = st.columns([4, 1], vertical_alignment="center")
            head.markdown(f"**{_escape(slot.name)}**")
            lock.button(
                "",
                icon=":material/lock:" if slot.locked else ":material/lock_open:",
                type="primary" if slot.locked else "tertiary",
                key=f"lookbook.lock.{i}",
                on_click=ls.toggle_lock,
                args=(page, i),
                help="Locked: kept when rerolling the unlocked slots"
                if slot.locked
                else "Lock: keep this garment when rerolling",
            )
            st.image(tile(g.image), width="stretch")
            _garment_caption(g)
            options = ["", *session.slot_categories(page, i)]
            if slot.category and slot.category not in options:
                options.append(slot.category)
            _bind(f"lookbook.category.{i}", slot.category or "")
            st.selectbox(
                "Category",
                options,
                format_func=lambda c, name=slot.name: display_name(c) if c else f"Any {name.lower()}",
                key=f"lookbook.category.{i}",
                on_change=ls.set_category,
                args=(page, i, f"lookbook.category.{i}"),
                label_visibility="collapsed",
                help="Ask this slot for a category; the seed stays",
            )
            with st.container(horizontal=True, gap="small"):
                st.button(
                    "Reroll",
                    icon=":material/casino:",
                    key=f"lookbook.reroll.{i}",
                    on_click=ls.reroll_slot,
                    args=(page, i),
                    width="stretch",
                    help="A new seed for this slot only",
                )
                is_open = bool(opened and opened[:2] == (page, i))
                st.button(
                    "Vary",
                    icon=":material/tune:",
                    key=f"lookbook.vary.{i}",
                    type="primary" if is_open else "secondary",
                    on_click=ls.toggle_variations,
                    args=(page, i),
                    width="stretch",
                    help="A row of nearby garments to pick from",
                )


def _garment_caption(g: Garment) -> None:
    """Label and confidence (a badge: green when the slot got what it asked for), seed, and what went wrong if not."""
    colour = "green" if g.ok else "orange"
    searched = f" · best of {g.tried}" if g.tried > 1 else ""
    st.markdown(
        f"**{display_name(g.label)}** :{colour}-badge[{g.confidence:.0%}]  \n:small[:gray[seed {g.latent.describe()}{searched}]]"
    )
    if not g.ok:
        st.markdown(f":small[:orange[{_escape(g.message)}]]")


def _variations(session: Session, page: int) -> None:
    opened = st.session_state.get(state.LOOKBOOK_VARIATIONS)
    if not opened or opened[0] != page or opened[1] >= len(session.pages[page].slots):
        return
    _, slot, row = opened
    name = session.pages[page].slots[slot].name
    with st.container(border=True):
        left, mid, right = st.columns([3, 2, 2], vertical_alignment="bottom")
        left.markdown(f"**Variations of the {_escape(name.lower())}** · row {row + 1}")
        left.caption("Nearby latents of the garment shown; pick one to use it.")
        strength = mid.slider(
            "How different",
            min_value=0.05,
            max_value=1.0,
            value=float(session.fill_config.variation_strength),
            step=0.05,
            key="lookbook.variation_strength",
        )
        with right.container(horizontal=True, horizontal_alignment="right"):
            st.button("More", icon=":material/refresh:", key="lookbook.more_variations", on_click=ls.more_variations)
            st.button("Close", icon=":material/close:", key="lookbook.close_variations", on_click=ls.close_variations)
        garments = session.variations(page, slot, row, strength)
        for k, (column, g) in enumerate(zip(st.columns(len(garments)), garments)):
            with column:
                st.image(tile(g.image), width="stretch")
                st.caption(f"**{display_name(g.label)}** · {g.confidence:.0%}")
                st.button(
                    "Use",
                    key=f"lookbook.pick.{k}",
                    on_click=ls.pick_variation,
                    args=(page, slot, row, strength, k),
                    width="stretch",
                )


def _harmony_and_notes(session: Session, page: int, harmony: Harmony) -> None:
    left, right = st.columns([3, 2], gap="large")
    with left.container(border=True):
        score, text = st.columns([1, 3], vertical_alignment="center")
        score.metric("Colour harmony", f"{harmony.score}/100")
        text.markdown(f"*{harmony.scheme.capitalize()}* · {_escape(harmony.reason[:1].upper() + harmony.reason[1:])}")
        text.markdown(palette_html(harmony), unsafe_allow_html=True)
    _bind("lookbook.page_notes", session.pages[page].notes)
    right.text_area(
        "Notes",
        key="lookbook.page_notes",
        height=150,
        placeholder="Styling notes, printed under the outfit",
        on_change=ls.set_notes,
        args=(page, "lookbook.page_notes"),
    )


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
def export_section(session: Session, page: int | None) -> None:
    """The page as exported (preview), downloads, and saving to the workspace."""
    st.subheader("Export and save")
    preview, actions = st.columns([2, 3], gap="large")
    if page is not None:
        with preview:
            st.image(preview_image(session, page), width=PREVIEW_WIDTH_PX)
            st.caption(f"Page {page + 1} of {len(session.pages)} as exported: A4, {session.render_config.dpi} dpi.")
    with actions:
        _downloads(session, page)
        st.divider()
        _save_form(session)


def preview_image(session: Session, page: int) -> Image.Image:
    """The page rendered exactly as exported, at a screen resolution."""
    return session.render(page, RenderConfig(dpi=PREVIEW_DPI, sharpen_percent=session.render_config.sharpen_percent))


def _downloads(session: Session, page: int | None) -> None:
    st.markdown("**Download**")
    empty = safe_call(lambda: _require_pages(session)) is None
    frozen = ls.snapshot(session)  # the files are made on click, from the lookbook as it is shown now
    names = ls.export_names(session, page or 0)
    with st.container(horizontal=True):
        st.download_button(
            "This page (PNG)",
            data=lambda: frozen.png(page or 0),
            file_name=names["png"],
            mime="image/png",
            icon=":material/image:",
            key="lookbook.download.png",
            on_click="ignore",
            disabled=empty,
        )
        st.download_button(
            "Lookbook (PDF)",
            data=frozen.pdf,
            file_name=names["pdf"],
            mime="application/pdf",
            icon=":material/picture_as_pdf:",
            key="lookbook.download.pdf",
            on_click="ignore",
            disabled=empty,
        )
        st.download_button(
            "PNGs + manifest (ZIP)",
            data=frozen.zip,
            file_name=names["zip"],
            mime="application/zip",
            icon=":material/folder_zip:",
            key="lookbook.download.zip",
            on_click="ignore",
            disabled=empty,
        )
        st.download_button(
            "Manifest (JSON)",
            data=lambda: ls.manifest_bytes(frozen),
            file_name=names["json"],
            mime="application/json",
            icon=":material/data_object:",
            key="lookbook.download.json",
            on_click="ignore",
            help="Reopen it here later to regenerate every page exactly",
        )
    st.caption("PNG and PDF pages are A4 at 150 dpi; the manifest records checkpoints, templates, seeds and latents.")


def _require_pages(session: Session) -> bool:
    if not session.pages:
        raise LookbookError("The lookbook has no pages to export; add a page first.")
    return True


def _save_form(session: Session) -> None:
    st.markdown("**Save to the workspace**")
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    if not st.session_state.get(ls.SAVE_NAME):
        st.session_state[ls.SAVE_NAME] = ls.slug(session.lookbook.title)
    name = c1.text_input("File name", key=ls.SAVE_NAME, help="Saved as <workspace>/lookbooks/<name>.json")
    if c2.button("Save", icon=":material/save:", key="lookbook.save", width="stretch"):
        try:
            path = ls.save(session, name)
        except LookbookError as exc:
            st.error(str(exc), icon=ERROR)
        else:
            st.success(
                f"Saved {path_hint(paths.display_path(path))} (revision {session.lookbook.revision}).", icon=":material/check:"
            )
    st.caption(f"Saved lookbooks are listed under **Open a lookbook**, from {path_hint(paths.display_path(ls.lookbooks_dir()))}.")


# helpers ------------------------------------------------------------------------------------------------
@st.cache_resource(max_entries=512, show_spinner=False)
def tile(image: np.ndarray, size_px: int = TILE_PX) -> Image.Image:
    """A garment enlarged for the screen the way pages are printed (shared read-only across users)."""
    return upscale(image, size_px)


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _escape(text: str) -> str:
    """User text shown through st.markdown: Markdown and HTML characters are escaped."""
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+-.!|<>~$:" else ch for ch in text)
