"""Designer actions on a session: reroll one slot, lock and reroll all, categories, variations, pages."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from lookbook.compose import Lookbook, Session
from lookbook.compose.templates import templates
from lookbook.errors import LookbookError


def images(session: Session, page: int = 0) -> list[np.ndarray]:
    return [g.image for g in session.garments(page)]


def same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.array_equal(a, b))


def test_new_lookbook_fills_every_slot_and_records_it(studio):
    session = Session.new(studio, template="cs230", pages=2, seed=5)
    assert len(session.pages) == 2 and [session.lookbook.page_title(i) for i in range(2)] == ["Look 01", "Look 02"]
    for page in session.pages:
        assert [s.name for s in page.slots] == ["Shirt", "Jeans", "Sports shoes", "Wallet"]
        for slot in page.slots:
            assert slot.latent is not None and slot.label and 0 < slot.confidence <= 1 and slot.status in ("ok", "mismatch")
    assert session.lookbook.draws == 8  # one seed per slot, drawn from the lookbook's stream
    # the same seed and actions give the same lookbook, image for image
    twin = Session.new(studio, template="cs230", pages=2, seed=5)
    assert all(same(a, b) for p in range(2) for a, b in zip(images(session, p), images(twin, p)))
    different = Session.new(studio, template="cs230", pages=1, seed=6)
    assert not any(same(a, b) for a, b in zip(images(session), images(different)))


def test_new_lookbook_takes_templates_in_turn(studio):
    usable = studio.compatible(templates())[:2]
    session = Session.new(studio, template=usable, pages=3, seed=0)
    assert [page.template for page in session.pages] == [usable[0], usable[1], usable[0]]
    with pytest.raises(LookbookError, match="at least one template"):
        Session.new(studio, template=[], pages=1)


def test_reroll_changes_only_that_slot(studio):
    session = Session.new(studio, template="cs230", seed=1)
    before = images(session)
    seed_before = session.pages[0].slots[1].seed
    session.reroll(0, 1)
    after = images(session)
    assert session.pages[0].slots[1].seed != seed_before
    assert not same(before[1], after[1])
    assert all(same(before[i], after[i]) for i in (0, 2, 3))


def test_lock_then_reroll_all_keeps_locked_slots(studio):
    session = Session.new(studio, template="casual", seed=2)
    before = images(session)
    session.lock(0, 0)
    session.lock(0, 2)
    changed = session.reroll_all(0)
    after = images(session)
    assert changed == [1, 3]
    assert same(before[0], after[0]) and same(before[2], after[2])
    assert not same(before[1], after[1]) and not same(before[3], after[3])
    session.lock(0, 0, False)
    assert session.reroll_all(0) == [0, 1, 3]


def test_rerolls_replay_from_the_lookbook_seed_stream(studio):
    a, b = Session.new(studio, template="cs230", seed=9), Session.new(studio, template="cs230", seed=9)
    for s in (a, b):
        s.reroll(0, 2)
        s.reroll(0, 0)
    assert [sl.seed for sl in a.pages[0].slots] == [sl.seed for sl in b.pages[0].slots]
    assert all(same(x, y) for x, y in zip(images(a), images(b)))


def test_variation_pick_becomes_the_slot(studio):
    session = Session.new(studio, template="cs230", seed=3)
    row = session.variations(0, 1)
    assert len(row) == session.fill_config.n_variations
    assert session.pages[0].slots[1].latent != row[2].latent  # looking at variations changes nothing
    picked = session.pick_variation(0, 1, row[2])
    assert picked.latent == row[2].latent == session.pages[0].slots[1].latent
    assert same(picked.image, row[2].image) and session.pages[0].slots[1].label == row[2].label
    # a variation of the variation chains its steps
    assert len(session.variations(0, 1)[0].latent.variations) == 2


def test_category_choice(cond_studio):
    session = Session.new(cond_studio, template="casual", seed=4)
    # the template's choices first ('top' and 'sweater' are unknown to this generator), then any it can make
    assert session.slot_categories(0, 0)[:2] == ["tshirt", "shirt"] and "jeans" in session.slot_categories(0, 0)
    seed = session.pages[0].slots[0].seed
    g = session.set_category(0, 0, "shirt")
    assert g.label == "shirt" and session.pages[0].slots[0].seed == seed and session.pages[0].slots[0].category == "shirt"
    jeans = session.set_category(0, 0, "jeans")  # any category in any slot
    assert jeans.label == "jeans" and jeans.ok
    with pytest.raises(LookbookError, match="'sweater' cannot be delivered by these models"):
        session.set_category(0, 0, "sweater")
    session.set_category(0, 0, None)
    assert session.pages[0].slots[0].category is None


def test_pages_add_move_delete_title_notes(cond_studio):
    session = Session.new(cond_studio, template="cs230", pages=2, seed=8)
    index = session.add_page("casual", title="Weekend", notes="linen")
    assert index == 2 and session.pages[2].template == "casual" and session.pages[2].notes == "linen"
    session.move_page(2, 0)
    titles = lambda: [session.lookbook.page_title(i) for i in range(len(session.pages))]  # noqa: E731
    assert titles() == ["Weekend", "Look 02", "Look 03"]  # unnamed pages are named by their position
    session.set_title(1, "Monday")
    session.set_notes(1, "navy and camel")
    session.delete_page(2)
    assert titles() == ["Weekend", "Monday"] and session.pages[1].notes == "navy and camel"
    assert session.add_page() == 2 and titles()[2] == "Look 03"
    session.set_title(2, "Look 03")  # typing the name the position gives keeps it following the position
    session.move_page(2, 0)
    assert titles() == ["Look 01", "Weekend", "Monday"] and session.pages[0].title == ""
    with pytest.raises(LookbookError, match="page 9 does not exist"):
        session.reroll(8, 0)
    with pytest.raises(LookbookError, match="slot 7 does not exist"):
        session.lock(0, 6)
    with pytest.raises(LookbookError, match="unknown template"):
        session.add_page("gala")
    with pytest.raises(LookbookError, match="cannot make any of dress"):
        session.add_page("evening")
    assert session.templates() == ["cs230", "casual"]


def test_state_model_is_plain_data():
    book = Lookbook(seed=1)
    book.add_page("cs230")
    book.reroll(0, 0)
    assert book.pages[0].slots[0].latent is None and book.pages[0].slots[0].status == "pending"
    seeds = [s.seed for s in book.pages[0].slots]
    assert len(set(seeds)) == 4 and all(0 <= s < 1_000_000 for s in seeds) and book.draws == 5


def test_undo_redo_and_the_history_limit(cond_studio):
    session = Session.new(cond_studio, template="cs230", pages=1, seed=2)
    assert session.undo() is None and not session.unsaved
    start = copy.deepcopy(session.lookbook)
    session.reroll(0, 1)
    rerolled = copy.deepcopy(session.lookbook)
    session.lock(0, 1)
    session.lock(0, 1)  # no change: nothing recorded
    assert session.history.undo_label == "lock Jeans" and session.unsaved
    assert session.undo() == 0 and session.undo() == 0 and session.lookbook == start
    assert session.redo() == 0 and session.lookbook == rerolled and session.history.redo_label == "lock Jeans"
    session.set_notes(0, "new branch")  # an edit after undo forgets what could be redone
    assert session.history.redo_label is None
    for k in range(session.history.max_steps + 20):
        session.set_notes(0, f"note {k}")
    undone = 0
    while session.undo() is not None:
        undone += 1
    assert undone == session.history.max_steps >= 50


def test_a_template_changes_in_place_and_keeps_garments_that_fit(cond_studio):
    session = Session.new(cond_studio, template="cs230", pages=1, seed=6)
    shirt, jeans = (copy.deepcopy(s) for s in session.pages[0].slots[:2])
    session.set_template(0, "casual")
    page = session.pages[0]
    assert page.template == "casual" and [s.name for s in page.slots] == ["Top", "Bottom", "Shoes", "Bag"]
    assert (page.slots[0].latent, page.slots[1].latent) == (shirt.latent, jeans.latent)  # the shirt and jeans stay
    assert same(session.garments(0)[0].image, Session.new(cond_studio, template="cs230", seed=6).garments(0)[0].image)
    assert all(g.ok for g in session.garments(0))
    assert session.undo() == 0 and session.pages[0].template == "cs230"
