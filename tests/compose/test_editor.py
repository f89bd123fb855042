"""Designer actions on an open lookbook (LookbookEditor): reroll one slot, lock and reroll all, categories, variations, pages."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from lookbook.compose import Lookbook, LookbookEditor
from lookbook.compose.templates import templates
from lookbook.errors import LookbookError


def images(editor: LookbookEditor, page: int = 0) -> list[np.ndarray]:
    return [g.image for g in editor.garments(page)]


def same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.array_equal(a, b))


def test_new_lookbook_fills_every_slot_and_records_it(studio):
    editor = LookbookEditor.new(studio, template="cs230", pages=2, seed=5)
    assert len(editor.pages) == 2 and [editor.lookbook.page_title(i) for i in range(2)] == ["Look 01", "Look 02"]
    for page in editor.pages:
        assert [s.name for s in page.slots] == ["Shirt", "Jeans", "Sports shoes", "Wallet"]
        for slot in page.slots:
            assert slot.latent is not None and slot.label and 0 < slot.confidence <= 1 and slot.status in ("ok", "mismatch")
    assert editor.lookbook.draws == 8  # one seed per slot, drawn from the lookbook's stream
    # the same seed and actions give the same lookbook, image for image
    twin = LookbookEditor.new(studio, template="cs230", pages=2, seed=5)
    assert all(same(a, b) for p in range(2) for a, b in zip(images(editor, p), images(twin, p)))
    different = LookbookEditor.new(studio, template="cs230", pages=1, seed=6)
    assert not any(same(a, b) for a, b in zip(images(editor), images(different)))


def test_new_lookbook_takes_templates_in_turn(studio):
    usable = studio.compatible(templates())[:2]
    editor = LookbookEditor.new(studio, template=usable, pages=3, seed=0)
    assert [page.template for page in editor.pages] == [usable[0], usable[1], usable[0]]
    with pytest.raises(LookbookError, match="at least one template"):
        LookbookEditor.new(studio, template=[], pages=1)


def test_reroll_changes_only_that_slot(studio):
    editor = LookbookEditor.new(studio, template="cs230", seed=1)
    before = images(editor)
    seed_before = editor.pages[0].slots[1].seed
    editor.reroll(0, 1)
    after = images(editor)
    assert editor.pages[0].slots[1].seed != seed_before
    assert not same(before[1], after[1])
    assert all(same(before[i], after[i]) for i in (0, 2, 3))


def test_lock_then_reroll_all_keeps_locked_slots(studio):
    editor = LookbookEditor.new(studio, template="casual", seed=2)
    before = images(editor)
    editor.lock(0, 0)
    editor.lock(0, 2)
    changed = editor.reroll_all(0)
    after = images(editor)
    assert changed == [1, 3]
    assert same(before[0], after[0]) and same(before[2], after[2])
    assert not same(before[1], after[1]) and not same(before[3], after[3])
    editor.lock(0, 0, False)
    assert editor.reroll_all(0) == [0, 1, 3]


def test_rerolls_replay_from_the_lookbook_seed_stream(studio):
    a, b = LookbookEditor.new(studio, template="cs230", seed=9), LookbookEditor.new(studio, template="cs230", seed=9)
    for s in (a, b):
        s.reroll(0, 2)
        s.reroll(0, 0)
    assert [sl.seed for sl in a.pages[0].slots] == [sl.seed for sl in b.pages[0].slots]
    assert all(same(x, y) for x, y in zip(images(a), images(b)))


def test_variation_pick_becomes_the_slot(studio):
    editor = LookbookEditor.new(studio, template="cs230", seed=3)
    row = editor.variations(0, 1)
    assert len(row) == editor.fill_config.n_variations
    assert editor.pages[0].slots[1].latent != row[2].latent  # looking at variations changes nothing
    picked = editor.pick_variation(0, 1, row[2])
    assert picked.latent == row[2].latent == editor.pages[0].slots[1].latent
    assert same(picked.image, row[2].image) and editor.pages[0].slots[1].label == row[2].label
    # a variation of the variation chains its steps
    assert len(editor.variations(0, 1)[0].latent.variations) == 2


def test_category_choice(cond_studio):
    editor = LookbookEditor.new(cond_studio, template="casual", seed=4)
    # the template's choices first ('top' and 'sweater' are unknown to this generator), then any it can make
    assert editor.slot_categories(0, 0)[:2] == ["tshirt", "shirt"] and "jeans" in editor.slot_categories(0, 0)
    seed = editor.pages[0].slots[0].seed
    g = editor.set_category(0, 0, "shirt")
    assert g.label == "shirt" and editor.pages[0].slots[0].seed == seed and editor.pages[0].slots[0].category == "shirt"
    jeans = editor.set_category(0, 0, "jeans")  # any category in any slot
    assert jeans.label == "jeans" and jeans.ok
    with pytest.raises(LookbookError, match="'sweater' cannot be delivered by these models"):
        editor.set_category(0, 0, "sweater")
    editor.set_category(0, 0, None)
    assert editor.pages[0].slots[0].category is None


def test_pages_add_move_delete_title_notes(cond_studio):
    editor = LookbookEditor.new(cond_studio, template="cs230", pages=2, seed=8)
    index = editor.add_page("casual", title="Weekend", notes="linen")
    assert index == 2 and editor.pages[2].template == "casual" and editor.pages[2].notes == "linen"
    editor.move_page(2, 0)
    titles = lambda: [editor.lookbook.page_title(i) for i in range(len(editor.pages))]  # noqa: E731
    assert titles() == ["Weekend", "Look 02", "Look 03"]  # unnamed pages are named by their position
    editor.set_title(1, "Monday")
    editor.set_notes(1, "navy and camel")
    editor.delete_page(2)
    assert titles() == ["Weekend", "Monday"] and editor.pages[1].notes == "navy and camel"
    assert editor.add_page() == 2 and titles()[2] == "Look 03"
    editor.set_title(2, "Look 03")  # typing the name the position gives keeps it following the position
    editor.move_page(2, 0)
    assert titles() == ["Look 01", "Weekend", "Monday"] and editor.pages[0].title == ""
    with pytest.raises(LookbookError, match="page 9 does not exist"):
        editor.reroll(8, 0)
    with pytest.raises(LookbookError, match="slot 7 does not exist"):
        editor.lock(0, 6)
    with pytest.raises(LookbookError, match="unknown template"):
        editor.add_page("gala")
    with pytest.raises(LookbookError, match="cannot make any of dress"):
        editor.add_page("evening")
    assert editor.templates() == ["cs230", "casual"]


def test_state_model_is_plain_data():
    book = Lookbook(seed=1)
    book.add_page("cs230")
    book.reroll(0, 0)
    assert book.pages[0].slots[0].latent is None and book.pages[0].slots[0].status == "pending"
    seeds = [s.seed for s in book.pages[0].slots]
    assert len(set(seeds)) == 4 and all(0 <= s < 1_000_000 for s in seeds) and book.draws == 5


def test_undo_redo_and_the_history_limit(cond_studio):
    editor = LookbookEditor.new(cond_studio, template="cs230", pages=1, seed=2)
    assert editor.undo() is None and not editor.unsaved
    start = copy.deepcopy(editor.lookbook)
    editor.reroll(0, 1)
    rerolled = copy.deepcopy(editor.lookbook)
    editor.lock(0, 1)
    editor.lock(0, 1)  # no change: nothing recorded
    assert editor.history.undo_label == "lock Jeans" and editor.unsaved
    assert editor.undo() == 0 and editor.undo() == 0 and editor.lookbook == start
    assert editor.redo() == 0 and editor.lookbook == rerolled and editor.history.redo_label == "lock Jeans"
    editor.set_notes(0, "new branch")  # an edit after undo forgets what could be redone
    assert editor.history.redo_label is None
    for k in range(editor.history.max_steps + 20):
        editor.set_notes(0, f"note {k}")
    undone = 0
    while editor.undo() is not None:
        undone += 1
    assert undone == editor.history.max_steps >= 50


def test_a_template_changes_in_place_and_keeps_garments_that_fit(cond_studio):
    editor = LookbookEditor.new(cond_studio, template="cs230", pages=1, seed=6)
    shirt, jeans = (copy.deepcopy(s) for s in editor.pages[0].slots[:2])
    editor.set_template(0, "casual")
    page = editor.pages[0]
    assert page.template == "casual" and [s.name for s in page.slots] == ["Top", "Bottom", "Shoes", "Bag"]
    assert (page.slots[0].latent, page.slots[1].latent) == (shirt.latent, jeans.latent)  # the shirt and jeans stay
    assert same(editor.garments(0)[0].image, LookbookEditor.new(cond_studio, template="cs230", seed=6).garments(0)[0].image)
    assert all(g.ok for g in editor.garments(0))
    assert editor.undo() == 0 and editor.pages[0].template == "cs230"
