"""Undo and redo for a lookbook: bounded stacks of earlier and later states (plain-data copies of the Lookbook)."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from lookbook.compose.book import Lookbook

MAX_STEPS = 100  # states kept each way; a lookbook is small plain data, so a hundred copies cost little memory


@dataclass(frozen=True)
class Step:
    """A state to return to, the page it concerned (to show it again) and what the edit was, in words."""

    lookbook: Lookbook
    page: int | None
    label: str


class History:
    """Undo and redo stacks. `version` goes up with every recorded edit, undo and redo, so a confirmation drawn
    for one version of the lookbook (e.g. "Delete Look 02?") can tell it has gone stale."""

    def __init__(self, max_steps: int = MAX_STEPS):
        self.max_steps = max_steps
        self._undo: list[Step] = []
        self._redo: list[Step] = []
        self.version = 0

    def record(self, before: Lookbook, page: int | None, label: str) -> None:
        """An edit happened; `before` is a copy of the lookbook as it was (the caller made it, and gives it up)."""
        self._undo.append(Step(before, page, label))
        del self._undo[: -self.max_steps]
        self._redo.clear()
        self.version += 1

    def undo(self, current: Lookbook) -> Step | None:
        """The state before the last edit (None if there is none); `current` becomes redoable."""
        return self._move(self._undo, self._redo, current)

    def redo(self, current: Lookbook) -> Step | None:
        """The state the last undo left (None if there is none); `current` becomes undoable again."""
        return self._move(self._redo, self._undo, current)

    def _move(self, source: list[Step], target: list[Step], current: Lookbook) -> Step | None:
        if not source:
            return None
        step = source.pop()
        target.append(Step(copy.deepcopy(current), step.page, step.label))
        del target[: -self.max_steps]
        self.version += 1
        return step

    @property
    def undo_label(self) -> str | None:
        """What undo would take back, e.g. "reroll Bag"; None when there is nothing to undo."""
        return self._undo[-1].label if self._undo else None

    @property
    def redo_label(self) -> str | None:
        return self._redo[-1].label if self._redo else None

    def stacks(self) -> tuple[tuple[Step, ...], tuple[Step, ...]]:
        """The undo and redo steps, oldest first. A recorded lookbook is never edited while it is stacked, so the
        steps may be read on another thread (e.g. to write a draft)."""
        return tuple(self._undo), tuple(self._redo)

    def restore(self, undo: list[Step], redo: list[Step]) -> None:
        """Take up stacks read back from a draft (bounded as recorded ones are)."""
        self._undo, self._redo = list(undo)[-self.max_steps :], list(redo)[-self.max_steps :]
        self.version += 1

    def clear(self) -> None:
        self._undo.clear()
        self._redo.clear()
        self.version += 1
