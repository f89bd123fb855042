"""Drafts and work drawn ahead: a draft keeps the undo history (bounded) and the cover, is written in the background
(newest state wins, atomically), and a reroll drawn ahead is exactly the one the click gives."""

from __future__ import annotations

import copy
import json
import threading

import numpy as np
import pytest

from lookbook.compose import GARMENTS, LookbookEditor, drafts
from lookbook.compose.background import BackgroundWorker
from lookbook.compose.manifest import book_from_dict, book_to_dict

DRAFT_ID = "0123456789ab"


def _book(lookbook) -> dict:
    """What a draft records of a lookbook (confidences rounded; the checkpoints are recorded when saved)."""
    return {k: v for k, v in book_to_dict(lookbook).items() if k != "checkpoints"}


def _edited(studio) -> LookbookEditor:
    """Four edits, the last one undone; `.composed` is the lookbook as composed."""
    editor = LookbookEditor.new(studio, template="cs230", pages=2, seed=4, title="Drafted")
    editor.composed = copy.deepcopy(editor.lookbook)
    editor.reroll(0, 1)
    editor.set_notes(1, "navy")
    editor.set_cover("Spring 2027", "6 December 2026")
    editor.lock(0, 0)
    editor.undo()  # one step to redo
    return editor


def test_a_draft_keeps_the_undo_history_and_the_cover(cond_studio, tmp_path):
    editor = _edited(cond_studio)
    drafts.write_draft(tmp_path, DRAFT_ID, editor, drafts.DraftState(page=1, unsaved=True))
    data, state = drafts.read_draft(tmp_path, DRAFT_ID)
    reopened = LookbookEditor.open(data, cond_studio)
    assert _book(reopened.lookbook) == _book(editor.lookbook)
    assert (reopened.lookbook.cover_subtitle, reopened.lookbook.cover_date) == ("Spring 2027", "6 December 2026")
    undo, redo = editor.history.stacks()
    assert [s.label for s in state.undo] == [s.label for s in undo] == ["reroll Jeans", "notes", "cover"]
    assert [s.label for s in state.redo] == ["lock Shirt"] and not state.history_lost
    assert [_book(s.lookbook) for s in state.undo] == [_book(s.lookbook) for s in undo]
    assert _book(state.redo[0].lookbook) == _book(redo[0].lookbook)
    assert [s.page for s in state.undo] == [0, 1, None] and (state.page, state.unsaved) == (1, True)

    reopened.history.restore(state.undo, state.redo)
    for _ in range(3):
        reopened.undo()
    assert _book(reopened.lookbook) == _book(editor.composed)
    assert reopened.redo() == 0 and reopened.pages[0].slots[1].seed == editor.pages[0].slots[1].seed


def test_the_history_in_a_draft_is_bounded_newest_first(cond_studio, tmp_path, monkeypatch):
    editor = LookbookEditor.new(cond_studio, template="cs230", pages=1, seed=1)
    for k in range(editor.history.max_steps + 10):
        editor.set_notes(0, f"note {k}")
    one_step = len(json.dumps(book_to_dict(editor.lookbook))) + 100
    monkeypatch.setattr(drafts, "HISTORY_MAX_BYTES", 5 * one_step)
    drafts.write_draft(tmp_path, DRAFT_ID, editor, drafts.DraftState())
    _, state = drafts.read_draft(tmp_path, DRAFT_ID)
    assert 3 <= len(state.undo) <= 5
    assert [s.lookbook.pages[0].notes for s in state.undo][-1] == f"note {editor.history.max_steps + 8}"
    monkeypatch.undo()
    drafts.write_draft(tmp_path, DRAFT_ID, editor, drafts.DraftState())
    assert len(drafts.read_draft(tmp_path, DRAFT_ID)[1].undo) == editor.history.max_steps


def test_an_unreadable_history_loses_only_the_history(cond_studio, tmp_path):
    editor = _edited(cond_studio)
    path = drafts.write_draft(tmp_path, DRAFT_ID, editor, drafts.DraftState())
    data = json.loads(path.read_text())
    data["history"]["undo"][0]["book"]["pages"] = "not pages"
    path.write_text(json.dumps(data))
    raw, state = drafts.read_draft(tmp_path, DRAFT_ID)
    assert state.history_lost and state.undo == state.redo == ()
    assert _book(LookbookEditor.open(raw, cond_studio).lookbook) == _book(editor.lookbook)


def test_cover_text_is_checked_like_titles(cond_studio):
    book = book_to_dict(_edited(cond_studio).lookbook)
    assert book_from_dict(copy.deepcopy(book)).cover_subtitle == "Spring 2027"
    book["cover"]["subtitle"] = "x" * 1001
    with pytest.raises(Exception, match="cover subtitle: title of 1,001 characters"):
        book_from_dict(book)


def test_the_writer_writes_the_newest_state_off_the_callers_thread(cond_studio, tmp_path, monkeypatch):
    threads = []
    write = drafts.manifest_io.write_manifest
    monkeypatch.setattr(
        drafts.manifest_io, "write_manifest", lambda *a: (threads.append(threading.current_thread().name), write(*a))[1]
    )
    editor = LookbookEditor.new(cond_studio, template="cs230", pages=1, seed=3, title="First")
    path = drafts.draft_path(tmp_path, DRAFT_ID)
    drafts.write_later(path, drafts.draft_data(editor, drafts.DraftState()))
    editor.set_lookbook_title("Second")
    drafts.write_later(path, drafts.draft_data(editor, drafts.DraftState()))
    drafts.flush(path)
    assert json.loads(path.read_text())["title"] == "Second" and threads == ["lookbook-draft-writer"]
    assert drafts.pop_error(path) is None
    (tmp_path / "file").write_text("")
    blocked = drafts.draft_path(tmp_path / "file", DRAFT_ID)  # a folder that is a file: the write fails
    drafts.write_later(blocked, drafts.draft_data(editor, drafts.DraftState()))
    drafts.flush(blocked)
    assert drafts.pop_error(blocked) and drafts.pop_error(blocked) is None


def test_a_reroll_drawn_ahead_is_the_one_the_click_gives(studio):
    editor = LookbookEditor.new(studio, template="casual", pages=1, seed=8)
    twin = copy.deepcopy(editor.lookbook)
    GARMENTS.clear()
    editor.garments(0)
    prefetcher, shown = BackgroundWorker("test-prefetch", delay_s=0.0), []
    prefetcher.schedule("me", editor.upcoming_rerolls(0, first=2, then=shown.append))
    assert prefetcher.flush()
    misses = GARMENTS.misses
    rerolled = editor.reroll(0, 3)
    assert GARMENTS.misses == misses  # nothing generated on the click
    assert rerolled is shown[1]  # slot 3 came second, after slot 2
    editor.lookbook = twin  # the same reroll, nothing drawn ahead: the same garment
    GARMENTS.clear()
    assert np.array_equal(editor.reroll(0, 3).image, rerolled.image)


def test_asking_again_replaces_what_was_queued():
    prefetcher, ran = BackgroundWorker("test-worker", delay_s=0.2), []
    prefetcher.schedule("me", [("a", lambda: ran.append("a"))])
    prefetcher.schedule("me", [("b", lambda: ran.append("b"))])
    prefetcher.schedule("other", [("c", lambda: ran.append("c"))])
    assert prefetcher.flush() and sorted(ran) == ["b", "c"]
    prefetcher.schedule("me", [("d", lambda: ran.append("d"))])
    prefetcher.cancel("me")
    assert prefetcher.flush() and "d" not in ran
