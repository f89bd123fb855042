"""Autosaved drafts: the lookbook being edited and its undo history, written atomically as `<folder>/<id>.json`.

A draft is a manifest (so it reopens like any saved lookbook) plus a "draft" entry: which page was shown, whether
it holds changes not yet saved to the workspace, and under which name it was last saved there; and a "history"
entry: the undo and redo steps, so Undo still works after a reload. The id is random and travels in the page's URL,
so a reload, a new tab or an app restart finds the same lookbook, and nobody finds another designer's draft
without its link. Drafts are written by a background writer, after the edit that changed them has been shown.
"""

from __future__ import annotations

import atexit
import copy
import itertools
import json
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lookbook.compose import manifest as manifest_io
from lookbook.compose.background import BackgroundWorker
from lookbook.compose.editor import LookbookEditor
from lookbook.compose.history import Step
from lookbook.errors import LookbookError

_ID = re.compile(r"[0-9a-f]{12}")
# undo steps kept in a draft, by their JSON size: the newest first, so a draft of a large lookbook stays well within
# what a manifest may weigh (steps are written indented, about twice their compact size)
HISTORY_MAX_BYTES = manifest_io.MAX_BYTES // 4
MAX_LABEL_CHARS = 200  # an undo step's name ("move Look 02"), as shown on the Undo button
AFTER_PAINT_S = 0.3  # a draft is written this long after the edit, so the write never competes with showing it


@dataclass(frozen=True)
class DraftState:
    """What a draft remembers beyond the manifest."""

    page: int = 0  # the page shown, 0-based
    unsaved: bool = False  # edited since last saved to (or opened from) the workspace
    saved_as: str = ""  # file name stem it was last saved under in the workspace, if any
    undo: tuple[Step, ...] = ()  # undo steps, oldest first
    redo: tuple[Step, ...] = ()  # redo steps, oldest first
    history_lost: bool = False  # the draft had an undo history that could not be read back


def new_id() -> str:
    """A fresh draft id: 12 hex digits (48 random bits: unguessable among a server's drafts)."""
    return secrets.token_hex(6)


def is_id(text: str | None) -> bool:
    return bool(text) and _ID.fullmatch(text) is not None


def draft_path(folder: str | Path, draft_id: str) -> Path:
    """Where draft `draft_id` lives; an id that is not ours (a path, say) is a LookbookError."""
    if not is_id(draft_id):
        raise LookbookError(f"{draft_id!r} is not a lookbook link id")
    return Path(folder) / f"{draft_id}.json"


def draft_data(editor: LookbookEditor, state: DraftState) -> Callable[[], dict[str, Any]]:
    """The draft of `editor` as it is now, as a function building its JSON. Cheap to call: it copies the lookbook
    (edits leave every slot filled) and keeps the undo steps, which nobody edits; the JSON is built when the function
    is called, e.g. on the writer's thread."""
    book, studio, fill = copy.deepcopy(editor.lookbook), editor.studio, editor.fill_config
    undo, redo = editor.history.stacks()

    def build() -> dict[str, Any]:
        extra = {"page": state.page, "unsaved": state.unsaved, "saved_as": state.saved_as}
        return {**manifest_io.to_manifest(book, studio, fill), "draft": extra, "history": _history_entry(undo, redo)}

    return build


def write_draft(folder: str | Path, draft_id: str, editor: LookbookEditor, state: DraftState) -> Path:
    """Write the lookbook as draft `draft_id` now (atomically: a crash mid-write leaves the previous draft)."""
    return manifest_io.write_manifest(draft_path(folder, draft_id), draft_data(editor, state)())


def read_draft(folder: str | Path, draft_id: str) -> tuple[bytes, DraftState] | None:
    """The manifest bytes of draft `draft_id` and its state; None when there is no such draft."""
    try:
        path = draft_path(folder, draft_id)
    except LookbookError:
        return None
    flush(path)  # an edit made just before a reload is in the draft read back
    try:
        data = path.read_bytes()
    except OSError:
        return None
    manifest = manifest_io.read_manifest(data)
    extra = manifest.get("draft")
    extra = extra if isinstance(extra, dict) else {}
    page, unsaved, saved_as = extra.get("page"), extra.get("unsaved"), extra.get("saved_as")
    try:
        undo, redo = _read_history(manifest.get("history"))
        lost = False
    except LookbookError:
        (undo, redo), lost = ((), ()), True
    return data, DraftState(
        page=page if isinstance(page, int) and not isinstance(page, bool) and page >= 0 else 0,
        unsaved=unsaved is True,
        saved_as=saved_as if isinstance(saved_as, str) else "",
        undo=undo,
        redo=redo,
        history_lost=lost,
    )


def _history_entry(undo: Sequence[Step], redo: Sequence[Step]) -> dict[str, list]:
    """Undo and redo steps as JSON, oldest first; those nearest the present go first into the byte budget."""
    kept: dict[str, list] = {"undo": [], "redo": []}
    budget = HISTORY_MAX_BYTES
    for pair in itertools.zip_longest(reversed(undo), reversed(redo)):
        for side, step in zip(("undo", "redo"), pair):
            if step is None:
                continue
            entry = {"page": step.page, "label": step.label[:MAX_LABEL_CHARS], "book": manifest_io.book_to_dict(step.lookbook)}
            budget -= len(json.dumps(entry))
            if budget < 0:
                return kept
            kept[side].insert(0, entry)
    return kept


def _read_history(entry: Any) -> tuple[tuple[Step, ...], tuple[Step, ...]]:
    """Undo and redo steps from a draft's "history" entry (none: no steps); anything unreadable is a LookbookError."""
    if entry is None:
        return (), ()
    if not isinstance(entry, dict):
        raise LookbookError("draft history must be an object")
    stacks = []
    for side in ("undo", "redo"):
        steps = entry.get(side) or []
        if not isinstance(steps, list):
            raise LookbookError(f"draft history {side} must be a list")
        stacks.append(tuple(_read_step(step, f"draft {side} step {k + 1}") for k, step in enumerate(steps)))
    return stacks[0], stacks[1]


def _read_step(data: Any, where: str) -> Step:
    if not isinstance(data, dict):
        raise LookbookError(f"{where} must be an object")
    page, label = data.get("page"), data.get("label")
    if page is not None and (not isinstance(page, int) or isinstance(page, bool) or page < 0):
        raise LookbookError(f"{where} page must be a page index or null")
    if not isinstance(label, str):
        raise LookbookError(f"{where} label must be text")
    return Step(manifest_io.book_from_dict(data.get("book"), where), page, label[:MAX_LABEL_CHARS])


def write_later(path: Path, build: Callable[[], dict[str, Any]]) -> None:
    """Write `build()` to `path` shortly, on the writer's thread (replacing a write of `path` not started yet)."""
    WRITER.schedule(path, [(path, lambda: _write(path, build))])


def flush(path: Path | None = None) -> None:
    """Make the writes waiting for `path` (or for every draft) now, and wait until they are done."""
    WRITER.flush(path)


def pop_error(path: Path) -> str | None:
    """Why the last write of `path` failed, once (None when it succeeded)."""
    return _ERRORS.pop(path, None)


def _write(path: Path, build: Callable[[], dict[str, Any]]) -> None:
    try:
        manifest_io.write_manifest(path, build())
    except (OSError, LookbookError) as exc:
        _ERRORS[path] = str(exc)
    else:
        _ERRORS.pop(path, None)


WRITER = BackgroundWorker("lookbook-draft-writer", AFTER_PAINT_S)  # every user's drafts, one write at a time
_ERRORS: dict[Path, str] = {}  # path -> why its last write failed
atexit.register(flush)
