"""Autosaved drafts: the lookbook being edited, written atomically after every edit as `<folder>/<id>.json`.

A draft is a manifest (so it reopens like any saved lookbook) plus a "draft" entry: which page was shown, whether
it holds changes not yet saved to the workspace, and under which name it was last saved there. The id is random and
travels in the page's URL, so a reload, a new tab or an app restart finds the same lookbook, and nobody finds
another designer's draft without its link.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from lookbook.compose import manifest as manifest_io
from lookbook.compose.session import Session
from lookbook.errors import LookbookError

_ID = re.compile(r"[0-9a-f]{12}")


@dataclass(frozen=True)
class DraftState:
    """What a draft remembers beyond the manifest."""

    page: int = 0  # the page shown, 0-based
    unsaved: bool = False  # edited since last saved to (or opened from) the workspace
    saved_as: str = ""  # file name stem it was last saved under in the workspace, if any


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


def write_draft(folder: str | Path, draft_id: str, session: Session, state: DraftState) -> Path:
    """Write the session as draft `draft_id` (atomically: a crash mid-write leaves the previous draft)."""
    data = session.manifest()
    data["draft"] = {"page": state.page, "unsaved": state.unsaved, "saved_as": state.saved_as}
    path = draft_path(folder, draft_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    return manifest_io.write_manifest(path, data)


def read_draft(folder: str | Path, draft_id: str) -> tuple[bytes, DraftState] | None:
    """The manifest bytes of draft `draft_id` and its state; None when there is no such draft."""
    try:
        data = draft_path(folder, draft_id).read_bytes()
    except (OSError, LookbookError):
        return None
    extra = manifest_io.read_manifest(data).get("draft")
    extra = extra if isinstance(extra, dict) else {}
    page, unsaved, saved_as = extra.get("page"), extra.get("unsaved"), extra.get("saved_as")
    return data, DraftState(
        page=page if isinstance(page, int) and not isinstance(page, bool) and page >= 0 else 0,
        unsaved=unsaved is True,
        saved_as=saved_as if isinstance(saved_as, str) else "",
    )
