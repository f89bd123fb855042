"""The Lookbook page through AppTest with tiny models: compose, reroll, lock, variations, categories, pages, save and
reopen, exports, and bad input (incompatible checkpoints, corrupt or hand-edited manifests, an empty lookbook)."""

from __future__ import annotations

import copy
import io
import json
import re
import shutil
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from lookbook import paths
from lookbook.compose import LookbookEditor, Studio, drafts
from lookbook.compose.background import PREFETCH
from lookbook.compose.manifest import MAX_NOTES_CHARS, MAX_TITLE_CHARS, book_to_dict
from lookbook.compose.templates import get_template
from lookbook.errors import LookbookError
from lookbook.models.artifacts import CLASSIFIER_FILE, GENERATOR_FILE, save_model
from lookbook.ui import lookbook_actions
from tests.compose.models import TINY_CATEGORIES, build_classifier, save_pair

APP = str(paths.REPO_ROOT / "app.py")
PAGE = "pages/lookbook.py"
TIMEOUT_S = 120
A4_150_DPI_PX = (1240, 1754)
N_SLOTS = len(get_template("cs230").slots)


# fixtures and helpers ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def model_runs(tmp_path_factory) -> Path:
    """A runs root holding tiny 32 px model pairs: `cond` (conditional generator) and `uncond`."""
    root = tmp_path_factory.mktemp("lookbook-runs")
    save_pair(root / "cond", TINY_CATEGORIES, conditional=True)
    save_pair(root / "uncond", TINY_CATEGORIES, conditional=False)
    return root


@pytest.fixture()
def app_env(use_workspace, tmp_path, monkeypatch, model_runs) -> Path:
    """An empty workspace, no default checkpoints, and the tiny runs; returns the workspace."""
    ws = use_workspace(tmp_path / "ws")
    monkeypatch.setenv(paths.RUNS_ENV, str(model_runs))
    return ws


@pytest.fixture()
def downloads(monkeypatch) -> dict:
    """file id -> the data callable of every deferred st.download_button, to fetch what a click would download."""
    made: dict = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, *args, **kwargs):
        file_id = original(self, data_callable, *args, **kwargs)
        made[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return made


def _page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _use_models(at: AppTest, run: Path) -> None:
    at.selectbox(key="lookbook.generator").set_value(str(run / GENERATOR_FILE)).run()
    at.selectbox(key="lookbook.classifier").set_value(str(run / CLASSIFIER_FILE)).run()
    assert not at.exception, at.exception


def _compose(at: AppTest, template: str = "cs230", pages: int = 2, seed: int = 0, title: str = "Test book") -> None:
    at.selectbox(key="lookbook.template").set_value(template)
    at.number_input(key="lookbook.new_pages").set_value(pages)
    at.number_input(key="lookbook.new_seed").set_value(seed)
    at.text_input(key="lookbook.new_title").input(title)
    at.button(key="lookbook.compose").click().run()
    assert not at.exception, at.exception
    assert not _errors(at), _errors(at)


def _editor(at: AppTest):
    return at.session_state["lookbook.editor"]


def _tiles(at: AppTest, n: int = N_SLOTS) -> list[str]:
    """Media URLs of the slot images (content-addressed: equal URL, equal image)."""
    return [im.proto.imgs[0].url for im in at.get("image")[:n]]


def _pixels(at: AppTest, page: int) -> list[np.ndarray]:
    return [g.image for g in _editor(at).garments(page)]


def _reload(draft: str) -> AppTest:
    """The page opened afresh at the address of draft `draft` (a reload, a new tab or an app restart)."""
    again = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    again.query_params[lookbook_actions.DRAFT_PARAM] = draft
    again.run()
    again.switch_page(PAGE)
    again.query_params[lookbook_actions.DRAFT_PARAM] = draft
    again.run()
    assert not again.exception and not _errors(again), _errors(again)
    return again


def _whole(at: AppTest) -> AppTest:
    """The whole page after an edit of a slot or of the undo history: such an edit reruns only the fragments it changes
    (the browser keeps the rest), and an AppTest run shows only the elements its run drew."""
    return at.run()


def _button_keys(at: AppTest) -> set[str]:
    return {b.key for b in at.button}


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def _download(at: AppTest, downloads: dict, kind: str) -> bytes:
    button = at.download_button(key=f"lookbook.download.{kind}")
    assert not button.proto.disabled
    return downloads[button.proto.deferred_file_id]()


def _pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", data))


def _upload(at: AppTest, name: str, data: bytes) -> None:
    at.file_uploader(key=f"lookbook.upload.{at.session_state['lookbook.uploads']}").set_value((name, data, "application/json"))
    at.run()
    at.button(key="lookbook.open_upload").click().run()
    assert not at.exception, at.exception


# starting ---------------------------------------------------------------------------------------------
def test_with_default_checkpoints_the_first_visit_opens_on_a_composed_lookbook(use_workspace, tmp_path, model_runs):
    use_workspace(tmp_path / "ws")
    ckpt = tmp_path / "checkpoints"  # where use_workspace points LOOKBOOK_CHECKPOINTS
    shutil.copytree(model_runs / "cond", ckpt)
    at = _page()
    editor = _editor(at)
    assert editor.studio.generator.path == ckpt / GENERATOR_FILE
    assert len(editor.pages) == lookbook_actions.FIRST_LOOKBOOK_PAGES and editor.lookbook.title == "First lookbook"
    assert len(_tiles(at)) == N_SLOTS and not _errors(at)
    # only once: after the user closes it, the start form is shown, not another lookbook
    at.session_state["lookbook.editor"] = None
    at.run()
    assert at.button(key="lookbook.compose") and not at.session_state["lookbook.editor"]


def test_without_any_model_the_page_says_what_to_do(use_workspace, tmp_path):
    use_workspace(tmp_path / "ws")
    at = _page()
    assert at.title[0].value == "Lookbook"
    warning = " ".join(w.value for w in at.warning)
    assert "No default checkpoints" in warning and "no run under" in warning
    assert "lookbook train gan" in at.code[0].value
    assert not [b for b in at.button if b.key == "lookbook.compose"]


def test_runs_are_offered_when_no_default_checkpoints_exist(app_env, model_runs):
    at = _page()
    assert any("No default checkpoints" in i.value for i in at.info)
    generator = at.selectbox(key="lookbook.generator")
    assert generator.options == [
        f"runs/{name}/generator.keras · 32 px{cats}" for name, cats in (("cond", " · 7 categories"), ("uncond", ""))
    ]
    assert generator.value == str(model_runs / "cond" / GENERATOR_FILE)  # the sidebar's choice
    assert at.selectbox(key="lookbook.template").options[0].startswith("cs230 · Shirt · Jeans")
    # choosing on the page also switches the app-wide (sidebar) choice
    _use_models(at, model_runs / "uncond")
    assert at.session_state["app.generator"] == str(model_runs / "uncond" / GENERATOR_FILE)
    assert at.sidebar.selectbox(key="app.generator_choice").value == str(model_runs / "uncond" / GENERATOR_FILE)


# editing ----------------------------------------------------------------------------------------------
def test_compose_then_reroll_changes_only_that_slot(app_env):
    at = _page()
    _compose(at, pages=2)
    editor = _editor(at)
    assert len(editor.pages) == 2 and editor.lookbook.title == "Test book"
    labels = " ".join(m.value for m in at.markdown)
    for name in ("Shirt", "Jeans", "Sports shoes", "Wallet"):
        assert f"**{name}**" in labels
    assert "Colour harmony" in [m.label for m in at.metric]
    assert at.metric[0].value.endswith("/100")
    seeds = [s.seed for s in editor.pages[0].slots]
    tiles, pixels = _tiles(at), _pixels(at, 0)
    assert len(set(tiles)) == N_SLOTS

    at.button(key="lookbook.reroll.1").click().run()
    # the run drew only the rerolled slot, the undo bar and the harmony score: no other garment, control or sidebar
    assert not at.exception and len(at.image) == 1 and len(at.metric) == 1 and len(at.sidebar) == 0
    assert not at.button(key="lookbook.undo").proto.disabled and "lookbook.reroll_all" not in _button_keys(at)
    _whole(at)
    assert not _errors(at)
    new_tiles, new_pixels = _tiles(at), _pixels(at, 0)
    assert [a == b for a, b in zip(tiles, new_tiles)] == [True, False, True, True]
    assert [np.array_equal(a, b) for a, b in zip(pixels, new_pixels)] == [True, False, True, True]
    new_seeds = [s.seed for s in _editor(at).pages[0].slots]
    assert new_seeds[1] != seeds[1] and new_seeds[:1] + new_seeds[2:] == seeds[:1] + seeds[2:]
    assert any(f"seed {new_seeds[1]}" in m.value for m in at.markdown)


def test_a_locked_slot_survives_reroll_all(app_env):
    at = _page()
    _compose(at, pages=1)
    _whole(at.button(key="lookbook.lock.0").click().run())
    assert _editor(at).pages[0].slots[0].locked
    assert at.button(key="lookbook.lock.0").proto.type == "primary"
    tiles = _tiles(at)
    at.button(key="lookbook.reroll_all").click().run()
    assert not at.exception and not _errors(at)
    assert [a == b for a, b in zip(tiles, _tiles(at))] == [True, False, False, False]
    _whole(at.button(key="lookbook.lock.0").click().run())  # unlock: now every slot changes
    tiles = _tiles(at)
    at.button(key="lookbook.reroll_all").click().run()
    assert not any(a == b for a, b in zip(tiles, _tiles(at)))


def test_pick_a_variation(app_env):
    at = _page()
    _compose(at, pages=1)
    before = _tiles(at)
    _whole(at.button(key="lookbook.vary.2").click().run())
    assert not at.exception
    n_variations = _editor(at).fill_config.n_variations
    images = at.get("image")
    assert len(images) == N_SLOTS + n_variations  # slots, the row of variations
    offered = [im.proto.imgs[0].url for im in images[N_SLOTS : N_SLOTS + n_variations]]
    at.button(key="lookbook.more_variations").click().run()
    more = [im.proto.imgs[0].url for im in at.get("image")[N_SLOTS : N_SLOTS + n_variations]]
    assert more != offered
    at.button(key="lookbook.pick.3").click().run()
    assert not at.exception and not _errors(at)
    slot = _editor(at).pages[0].slots[2]
    assert len(slot.latent.variations) == 1
    tiles = _tiles(at)
    assert tiles[2] == more[3] and tiles[:2] + tiles[3:] == before[:2] + before[3:]
    assert len(at.get("image")) == N_SLOTS  # the row closes once a variation is picked


def test_choose_a_category_for_a_slot(app_env):
    at = _page()
    _compose(at, template="casual", pages=1)
    box = at.selectbox(key="lookbook.category.0")
    assert box.options[:3] == ["Any top", "T-shirt", "Shirt"]  # the template's choices the tiny models know first
    assert "Jeans" in box.options  # then any category the models can deliver
    seed = _editor(at).pages[0].slots[0].seed
    target = "shirt" if _editor(at).pages[0].slots[0].label != "shirt" else "tshirt"
    box.set_value(target).run()
    assert not at.exception and not _errors(at)
    slot = _editor(at).pages[0].slots[0]
    assert (slot.category, slot.label, slot.seed) == (target, target, seed)
    _whole(at.selectbox(key="lookbook.category.0").set_value("jeans").run())  # jeans in the Top slot
    assert not at.exception and not _errors(at)
    assert (_editor(at).pages[0].slots[0].category, _editor(at).pages[0].slots[0].label) == ("jeans", "jeans")


def _titles(at: AppTest) -> list[str]:
    book = _editor(at).lookbook
    return [book.page_title(i) for i in range(len(book.pages))]


def test_pages_titles_notes_reorder_and_delete(app_env, downloads):
    at = _page()
    _compose(at, pages=2)
    at.text_input(key="lookbook.book_title").input("Spring capsule").run()
    at.text_input(key="lookbook.page_title").input("Weekend").run()
    at.text_area(key="lookbook.page_notes").input("Denim, navy and a flash of colour").run()
    at.button(key="lookbook.add_page").click().run()
    assert at.session_state["lookbook.page"] == 1  # a new page goes after the current one and is shown
    assert _titles(at) == ["Weekend", "Look 02", "Look 03"]  # unnamed pages are named by their position
    at.text_input(key="lookbook.page_title").input("Evening").run()
    at.segmented_control(key="lookbook.page_pick").set_value(2).run()
    assert at.text_input(key="lookbook.page_title").value == "" and at.text_area(key="lookbook.page_notes").value == ""
    at.button(key="lookbook.move_left").click().run()
    assert _titles(at) == ["Weekend", "Look 02", "Evening"] and at.session_state["lookbook.page"] == 1
    at.button(key="lookbook.ask_delete").click().run()
    assert "Delete **Look 02**?" in " ".join(m.value for m in at.markdown)
    at.button(key="lookbook.delete_page").click().run()
    assert not at.exception and not _errors(at)
    assert _titles(at) == ["Weekend", "Evening"]
    assert not [b for b in at.button if b.key == "lookbook.delete_page"]  # the confirmation went with the page
    manifest = json.loads(_download(at, downloads, "json"))
    assert manifest["title"] == "Spring capsule"
    assert [(p["title"], p["notes"]) for p in manifest["pages"]] == [
        ("Weekend", "Denim, navy and a flash of colour"),
        ("Evening", ""),
    ]


def test_a_double_click_on_delete_deletes_one_page(app_env):
    at = _page()
    _compose(at, pages=3)
    at.button(key="lookbook.ask_delete").click().run()
    confirm = at.button(key="lookbook.delete_page")
    confirm.click().run()
    # the browser sends the second click of a double click to the button it drew before the first one took effect
    at.session_state["lookbook.delete"] = None  # (already cleared; stated for clarity)
    confirm.click()
    at.run()
    assert not at.exception and len(_editor(at).pages) == 2
    # a confirmation drawn before another edit is stale: it deletes nothing
    at.button(key="lookbook.ask_delete").click().run()
    stale = at.button(key="lookbook.delete_page")
    _whole(at.button(key="lookbook.reroll.0").click().run())
    stale.click()
    at.run()
    assert len(_editor(at).pages) == 2


def test_undo_and_redo_every_kind_of_edit(app_env):
    at = _page()
    _compose(at, pages=2)
    assert at.button(key="lookbook.undo").proto.disabled  # a new lookbook has nothing to undo
    before = copy.deepcopy(_editor(at).lookbook)
    edits = [
        lambda: _whole(at.button(key="lookbook.reroll.1").click().run()),
        lambda: _whole(at.button(key="lookbook.lock.0").click().run()),
        lambda: at.button(key="lookbook.reroll_all").click().run(),
        lambda: _whole(at.selectbox(key="lookbook.category.2").set_value("casual_shoes").run()),
        lambda: at.selectbox(key="lookbook.page_template").set_value("casual").run(),
        lambda: at.text_input(key="lookbook.page_title").input("Weekend").run(),
        lambda: at.text_area(key="lookbook.page_notes").input("navy").run(),
        lambda: at.text_input(key="lookbook.book_title").input("Renamed").run(),
        lambda: at.button(key="lookbook.add_page").click().run(),
        lambda: at.button(key="lookbook.move_left").click().run(),
        lambda: (at.button(key="lookbook.ask_delete").click().run(), at.button(key="lookbook.delete_page").click().run()),
        lambda: (_whole(at.button(key="lookbook.vary.0").click().run()), at.button(key="lookbook.pick.1").click().run()),
    ]
    states = []
    for edit in edits:
        edit()
        assert not at.exception and not _errors(at), _errors(at)
        states.append(copy.deepcopy(_editor(at).lookbook))
    assert all(a != b for a, b in zip([before, *states], states))  # every edit changed the lookbook
    for expected in reversed([before, *states[:-1]]):
        _whole(at.button(key="lookbook.undo").click().run())
        assert _editor(at).lookbook == expected
    assert at.button(key="lookbook.undo").proto.disabled
    for expected in states:
        _whole(at.button(key="lookbook.redo").click().run())
        assert _editor(at).lookbook == expected
    assert at.button(key="lookbook.redo").proto.disabled
    assert _editor(at).history.max_steps >= 50


def test_the_lookbook_is_restored_from_its_link(app_env):
    at = _page()
    _compose(at, pages=2, title="Keep me")
    _whole(at.button(key="lookbook.reroll.1").click().run())
    at.text_area(key="lookbook.page_notes").input("do not lose").run()
    draft = at.session_state["lookbook.draft"]
    assert (app_env / "lookbooks" / "drafts" / f"{draft}.json").is_file()
    pixels = _pixels(at, 0)

    # a reload, a new tab or an app restart: a new browser session with only the page's address in common
    again = _reload(draft)
    editor = _editor(again)
    assert editor.lookbook.title == "Keep me" and editor.pages[0].notes == "do not lose"
    assert all(np.array_equal(a, b) for a, b in zip(pixels, _pixels(again, 0)))
    assert editor.unsaved  # restored, still not saved to the workspace

    # without the link, another designer gets a lookbook of their own
    other = _page()
    assert _editor(other) is None or _editor(other).lookbook.title != "Keep me"


def test_undo_and_redo_survive_a_reload(app_env):
    at = _page()
    _compose(at, pages=2, title="Keep my history")
    composed = copy.deepcopy(_editor(at).lookbook)
    _whole(at.button(key="lookbook.reroll.1").click().run())
    rerolled = copy.deepcopy(_editor(at).lookbook)
    at.text_area(key="lookbook.page_notes").input("first idea").run()
    _whole(at.button(key="lookbook.undo").click().run())  # and one step to redo

    again = _reload(at.session_state["lookbook.draft"])
    editor = _editor(again)
    assert editor.pages[0].notes == "" and editor.unsaved
    assert again.button(key="lookbook.undo").proto.help == "Undo reroll Jeans"
    assert again.button(key="lookbook.redo").proto.help == "Redo notes"
    _whole(again.button(key="lookbook.redo").click().run())
    assert _editor(again).pages[0].notes == "first idea"
    _whole(again.button(key="lookbook.undo").click().run())
    _whole(again.button(key="lookbook.undo").click().run())
    assert book_to_dict(_editor(again).lookbook)["pages"] == book_to_dict(composed)["pages"]  # as a manifest records them
    assert again.button(key="lookbook.undo").proto.disabled
    _whole(again.button(key="lookbook.redo").click().run())
    assert [s.seed for s in _editor(again).pages[0].slots] == [s.seed for s in rerolled.pages[0].slots]
    assert not again.exception and not _errors(again)


def test_the_cover_is_kept_with_the_lookbook(app_env, downloads):
    at = _page()
    _compose(at, pages=1, title="Covered")
    at.checkbox(key="lookbook.cover").check().run()
    at.text_input(key="lookbook.cover_subtitle").input("Spring 2027 · Maison Ardent").run()
    at.text_input(key="lookbook.cover_date").input("March 2027").run()
    cover = json.loads(_download(at, downloads, "json"))["cover"]
    assert cover == {"subtitle": "Spring 2027 · Maison Ardent", "date": "March 2027"}

    again = _reload(at.session_state["lookbook.draft"])
    again.checkbox(key="lookbook.cover").check().run()
    assert again.text_input(key="lookbook.cover_subtitle").value == "Spring 2027 · Maison Ardent"
    assert again.text_input(key="lookbook.cover_date").value == "March 2027"
    _whole(again.button(key="lookbook.undo").click().run())  # the cover is an edit like any other
    assert again.text_input(key="lookbook.cover_date").value != "March 2027"


def test_every_text_input_is_capped_as_the_manifest_caps_it(app_env):
    at = _page()
    _compose(at, pages=1)
    at.checkbox(key="lookbook.cover").check().run()
    inputs = {w.key: w.proto.max_chars for w in [*at.text_input, *at.text_area]}
    assert {"lookbook.book_title", "lookbook.page_title", "lookbook.cover_subtitle", "lookbook.page_notes"} <= set(inputs)
    assert inputs.pop("lookbook.page_notes") == MAX_NOTES_CHARS
    assert set(inputs.values()) == {MAX_TITLE_CHARS}, inputs


def test_a_reroll_is_drawn_ahead_and_autosaved_after_it_is_shown(app_env, monkeypatch):
    at = _page()
    _compose(at, pages=1)
    PREFETCH.flush()
    drafts.flush()  # the composed book's own autosave lands before the counting starts
    generated, written = [], []
    generate, write = Studio.generate, drafts.manifest_io.write_manifest
    monkeypatch.setattr(Studio, "generate", lambda *a: (generated.append(threading.current_thread().name), generate(*a))[1])
    monkeypatch.setattr(
        drafts.manifest_io, "write_manifest", lambda *a: (written.append(threading.current_thread().name), write(*a))[1]
    )
    for slot in (1, 2):
        _whole(at.button(key=f"lookbook.reroll.{slot}").click().run())
        assert not at.exception and not _errors(at)
        PREFETCH.flush()
        drafts.flush()
    assert generated and set(generated) == {"lookbook-prefetch"}  # the click only swapped in a garment drawn ahead
    assert written == ["lookbook-draft-writer"] * 2
    draft = json.loads((app_env / "lookbooks" / "drafts" / f"{at.session_state['lookbook.draft']}.json").read_text())
    assert [s["seed"] for s in draft["pages"][0]["slots"]] == [s.seed for s in _editor(at).pages[0].slots]
    assert [s["label"] for s in draft["history"]["undo"]] == ["reroll Jeans", "reroll Sports shoes"]


def test_opening_another_lookbook_asks_when_there_are_unsaved_changes(app_env):
    at = _page()
    _compose(at, pages=1, title="First")
    first = _editor(at)
    _whole(at.button(key="lookbook.reroll.0").click().run())
    at.text_input(key="lookbook.new_title").input("Second")
    at.button(key="lookbook.compose").click().run()
    assert _editor(at) is first  # nothing replaced yet
    assert any("**First** has changes not saved" in w.value for w in at.warning)
    at.button(key="lookbook.switch_save").click().run()
    assert not at.exception and not _errors(at), _errors(at)
    assert _editor(at).lookbook.title == "Second" and (app_env / "lookbooks" / "first.json").is_file()
    assert at.selectbox(key="lookbook.saved").value == app_env / "lookbooks" / "first.json"
    # a lookbook without unsaved changes is replaced straight away
    at.text_input(key="lookbook.new_title").input("Third")
    at.button(key="lookbook.compose").click().run()
    assert _editor(at).lookbook.title == "Third"


def test_the_save_name_follows_the_title_until_typed(app_env):
    at = _page()
    _compose(at, pages=1, title="First")
    assert at.text_input(key="lookbook.save_name").value == "first"
    at.text_input(key="lookbook.book_title").input("Spring capsule").run()
    assert at.text_input(key="lookbook.save_name").value == "spring-capsule"
    at.text_input(key="lookbook.save_name").input("mine").run()
    at.text_input(key="lookbook.book_title").input("Summer").run()
    assert at.text_input(key="lookbook.save_name").value == "mine"


# saving, reopening, exporting -------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("run", ["cond", "uncond"])
def test_save_and_reopen_regenerates_every_page_pixel_for_pixel(app_env, model_runs, downloads, run):
    at = _page()
    _use_models(at, model_runs / run)
    _compose(at, pages=2, seed=11, title="Reopen me")
    _whole(at.button(key="lookbook.reroll.0").click().run())
    _whole(at.button(key="lookbook.vary.1").click().run())
    at.button(key="lookbook.pick.2").click().run()
    at.text_area(key="lookbook.page_notes").input("kept").run()
    at.button(key="lookbook.save").click().run()
    assert not _errors(at), _errors(at)
    saved = app_env / "lookbooks" / "reopen-me.json"
    assert saved.is_file() and any("reopen-me.json" in s.value for s in at.success)
    original = [_pixels(at, i) for i in range(2)]
    rendered = np.asarray(_editor(at).render(0))
    manifest = _download(at, downloads, "json")

    for reopen in ("saved", "uploaded"):
        other = _page()  # another browser session: nothing shared but the files
        assert "lookbook.editor" not in other.session_state or other.session_state["lookbook.editor"] is None
        if reopen == "saved":
            other.selectbox(key="lookbook.saved").set_value(saved).run()
            other.button(key="lookbook.open_saved").click().run()
        else:
            _upload(other, "reopen-me.json", manifest)
        assert not other.exception and not _errors(other), _errors(other)
        assert any("Opened **Reopen me** (2 pages)" in s.value for s in other.success)
        editor = _editor(other)
        assert editor.pages[0].notes == "kept" and len(editor.pages[0].slots[1].latent.variations) == 1
        for i in range(2):
            assert all(np.array_equal(a, b) for a, b in zip(original[i], _pixels(other, i))), (reopen, i)
        assert np.array_equal(np.asarray(editor.render(0)), rendered)


def test_save_never_overwrites_another_lookbook(app_env, model_runs):
    studio = Studio.open(model_runs / "cond", model_runs / "cond")
    mine, other = (
        LookbookEditor.new(studio, pages=1, seed=1, title="Same"),
        LookbookEditor.new(studio, pages=1, seed=2, title="Same"),
    )
    path = lookbook_actions.save(mine, "Same!")
    assert path == app_env / "lookbooks" / "same.json" and mine.lookbook.revision == 1
    mine.set_lookbook_title("Renamed")
    assert lookbook_actions.save(mine, "same") == path and mine.lookbook.revision == 2  # the same lookbook, saved again
    with pytest.raises(LookbookError, match=r"another lookbook is already saved as same\.json"):
        lookbook_actions.save(other, "same")
    assert json.loads(path.read_text())["title"] == "Renamed"
    assert lookbook_actions.saved_lookbooks() == [path]


@pytest.mark.parametrize(
    "name, stem",
    [
        ("Spring / Summer '25", "spring-summer-25"),
        ("", "lookbook"),
        ("../../etc/passwd", "etc-passwd"),
        ("Été à Paris", "ete-a-paris"),
    ],
)
def test_file_names_are_plain(name, stem):
    assert lookbook_actions.slug(name) == stem


def test_exports_open(app_env, downloads):
    at = _page()
    _compose(at, pages=3, title="Export test")
    png = _download(at, downloads, "png")
    with Image.open(io.BytesIO(png)) as im:
        assert im.format == "PNG" and im.size == A4_150_DPI_PX
        page_pixels = np.asarray(im.convert("RGB"))
    assert np.array_equal(page_pixels, np.asarray(_editor(at).render(0)))  # the page shown is the page exported

    pdf = _download(at, downloads, "pdf")
    assert pdf.startswith(b"%PDF") and _pdf_pages(pdf) == 3

    with zipfile.ZipFile(io.BytesIO(_download(at, downloads, "zip"))) as zf:
        assert zf.namelist() == ["page_01.png", "page_02.png", "page_03.png", "manifest.json"]
        with Image.open(io.BytesIO(zf.read("page_03.png"))) as im:
            assert im.size == A4_150_DPI_PX
        assert json.loads(zf.read("manifest.json"))["title"] == "Export test"


def test_exports_follow_the_page_being_edited(app_env, downloads):
    at = _page()
    _compose(at, pages=2, title="Follow")
    at.segmented_control(key="lookbook.page_pick").set_value(1).run()
    png = _download(at, downloads, "png")
    with Image.open(io.BytesIO(png)) as im:
        assert np.array_equal(np.asarray(im.convert("RGB")), np.asarray(_editor(at).render(1)))


def test_an_empty_lookbook_cannot_be_exported(app_env):
    at = _page()
    _compose(at, pages=1)
    at.button(key="lookbook.ask_delete").click().run()
    at.button(key="lookbook.delete_page").click().run()
    assert not at.exception
    assert any("no pages to export" in e for e in _errors(at))
    assert all(at.download_button(key=f"lookbook.download.{k}").proto.disabled for k in ("png", "pdf", "zip"))
    assert any("has no pages" in i.value for i in at.info)
    at.button(key="lookbook.add_page").click().run()  # and it recovers
    assert not _errors(at) and len(_editor(at).pages) == 1


# bad input --------------------------------------------------------------------------------------------
def _good_manifest(at: AppTest, downloads: dict) -> dict:
    _compose(at, pages=1, title="Good")
    return json.loads(_download(at, downloads, "json"))


def _edited(change):
    """Manifest bytes after `change(manifest)` edits it in place."""

    def edit(manifest: dict) -> bytes:
        change(manifest)
        return json.dumps(manifest).encode()

    return edit


BAD_MANIFESTS = [  # (what is wrong, manifest bytes from a good manifest, the error's words)
    ("truncated", lambda m: json.dumps(m).encode()[:-20], "not valid JSON"),
    ("not UTF-8", lambda m: b"\xff\xfe" + json.dumps(m).encode(), "cannot read manifest"),
    ("no format", _edited(lambda m: m.pop("format")), "is not a lookbook manifest"),
    ("future version", _edited(lambda m: m.update(format_version=99)), "format_version 99"),
    ("unknown template", _edited(lambda m: m["pages"][0].update(template="gala")), "unknown template 'gala'"),
    ("seed as text", _edited(lambda m: m["pages"][0]["slots"][1].update(seed="seven")), "page 1 slot 2 'seed' must be int"),
    ("slot missing", _edited(lambda m: m["pages"][0]["slots"].pop()), "has 3 slots but template 'cs230' has 4"),
    ("unknown label", _edited(lambda m: m["pages"][0]["slots"][0].update(label="cape")), "label 'cape' is not a known category"),
    ("fill not a list", _edited(lambda m: m["fill"].update(candidate_batches=5)), "the manifest could not be read"),
]


def test_corrupt_or_hand_edited_manifests_show_an_error(app_env, downloads):
    at = _page()
    good = _good_manifest(at, downloads)
    before = _editor(at)
    for what, edit, message in BAD_MANIFESTS:
        _upload(at, "edited.json", edit(json.loads(json.dumps(good))))
        errors = _errors(at)
        assert any(message in e and e.startswith("Cannot open edited.json") for e in errors), (what, errors)
        assert _editor(at) is before, what  # the open lookbook is untouched


def test_a_manifest_made_with_other_models_opens_with_a_warning(app_env, downloads):
    at = _page()
    manifest = _good_manifest(at, downloads)
    manifest["checkpoints"]["generator"].update(path="/nowhere/generator.keras", hash="0" * 16)
    _upload(at, "moved.json", json.dumps(manifest).encode())
    assert not _errors(at)
    warning = " ".join(w.value for w in at.warning)
    assert "Opened **Good**" in warning and "generator differs from the one this lookbook was made with" in warning


@pytest.fixture(scope="module")
def odd_runs(tmp_path_factory, model_runs) -> Path:
    """Classifiers that do not fit the tiny generators: 64 px, unknown labels, a label map of the wrong length."""
    root = tmp_path_factory.mktemp("odd-runs")
    meta = {"kind": "classifier", "config": {}}
    save_model(
        build_classifier(TINY_CATEGORIES, image_size_px=64),
        root / "big" / CLASSIFIER_FILE,
        {**meta, "image_size_px": 64, "categories": list(TINY_CATEGORIES)},
    )
    save_model(
        build_classifier(("socks", "tie", "belt")),
        root / "accessories" / CLASSIFIER_FILE,
        {**meta, "image_size_px": 32, "categories": ["socks", "tie", "belt"]},
    )
    save_model(
        build_classifier(TINY_CATEGORIES),
        root / "short-map" / CLASSIFIER_FILE,
        {**meta, "image_size_px": 32, "categories": list(TINY_CATEGORIES[:3])},
    )
    for name in ("cond", "uncond"):
        (root / name).symlink_to(model_runs / name)
    return root


@pytest.mark.parametrize(
    "generator, classifier, message",
    [
        ("cond", "accessories", "have nothing in common"),
        ("uncond", "accessories", "no outfit template can be filled"),
        ("uncond", "short-map", "has 7 outputs but its label map lists 3 categories"),
    ],
)
def test_incompatible_checkpoints_show_an_error(app_env, monkeypatch, odd_runs, generator, classifier, message):
    monkeypatch.setenv(paths.RUNS_ENV, str(odd_runs))
    at = _page()
    at.selectbox(key="lookbook.generator").set_value(str(odd_runs / generator / GENERATOR_FILE)).run()
    at.selectbox(key="lookbook.classifier").set_value(str(odd_runs / classifier / CLASSIFIER_FILE)).run()
    assert not at.exception, at.exception
    assert any(message in e for e in _errors(at)), _errors(at)
    assert not [b for b in at.button if b.key == "lookbook.compose"]


def test_a_generator_of_another_size_works_and_the_page_says_so(app_env, monkeypatch, odd_runs):
    monkeypatch.setenv(paths.RUNS_ENV, str(odd_runs))
    at = _page()
    at.selectbox(key="lookbook.generator").set_value(str(odd_runs / "cond" / GENERATOR_FILE)).run()
    at.selectbox(key="lookbook.classifier").set_value(str(odd_runs / "big" / CLASSIFIER_FILE)).run()
    _compose(at, pages=1)
    assert "makes 32 px garments and the classifier reads 64 px" in " ".join(c.value for c in at.caption)
    assert all(s.status == "ok" for s in _editor(at).pages[0].slots)


def test_client_exports_with_a_cover(app_env, downloads):
    at = _page()
    _compose(at, pages=2, title="For the client")
    working = _download(at, downloads, "png")
    at.toggle(key="lookbook.client").set_value(True).run()
    at.checkbox(key="lookbook.cover").check().run()
    at.text_input(key="lookbook.cover_subtitle").input("Spring 2027").run()
    assert lookbook_actions.export_names(_editor(at), 0, client=True)["pdf"] == "for-the-client-client.pdf"
    client = _download(at, downloads, "png")
    assert client != working  # same garments, without seeds, confidences and hashes (see tests/compose/test_export.py)
    assert _pdf_pages(_download(at, downloads, "pdf")) == 3  # cover + 2 pages
    with zipfile.ZipFile(io.BytesIO(_download(at, downloads, "zip"))) as zf:
        assert zf.namelist() == ["cover.png", "page_01.png", "page_02.png", "manifest.json"]
        slot = json.loads(zf.read("manifest.json"))["pages"][0]["slots"][0]
        assert slot["seed"] and slot["confidence"]  # the manifest keeps them


def test_the_enlargement_switch_reaches_tiles_preview_and_exports(app_env, downloads):
    at = _page()
    _compose(at, pages=1)
    assert _editor(at).render_config.upscaler == "learned"
    # no upscaler ships in the test's checkpoints folder: "learned" falls back to Lanczos, and the page says so
    assert any("enlarged from 32 px by Lanczos" in c.value for c in at.caption)
    at.segmented_control(key="lookbook.upscaler").set_value("lanczos").run()
    assert not at.exception and _editor(at).render_config.upscaler == "lanczos"
    assert lookbook_actions.snapshot(_editor(at)).render_config.upscaler == "lanczos"  # what downloads render from
    assert _download(at, downloads, "png")


# models and users -------------------------------------------------------------------------------------
@pytest.mark.slow
def test_switching_models_keeps_the_lookbook(app_env, model_runs):
    at = _page()
    _compose(at, pages=2)
    at.text_input(key="lookbook.page_title").input("Kept").run()
    seeds = [s.seed for s in _editor(at).pages[0].slots]
    at.sidebar.selectbox(key="app.generator_choice").set_value(str(model_runs / "uncond" / GENERATOR_FILE)).run()
    assert not at.exception
    assert _editor(at).studio.conditional  # nothing changes until asked
    assert any("The sidebar's models differ" in i.value for i in at.info)
    at.button(key="lookbook.rebind").click().run()
    assert not at.exception and not _errors(at)
    editor = _editor(at)
    assert not editor.studio.conditional
    assert editor.pages[0].title == "Kept" and [s.seed for s in editor.pages[0].slots] == seeds
    assert all(s.status == "ok" for s in editor.pages[0].slots)  # filled again by the unconditional search
    assert not [b for b in at.button if b.key == "lookbook.rebind"]


def test_two_users_never_share_a_lookbook(app_env):
    first, second = _page(), _page()
    _compose(first, pages=1)
    second.run()
    assert second.session_state["lookbook.editor"] is None
    assert [b for b in second.button if b.key == "lookbook.compose"]
