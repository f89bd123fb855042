"""Outfit templates: an editable table (templates.csv) of named outfits, each an ordered list of slots."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from lookbook.data import taxonomy
from lookbook.errors import LookbookError

TEMPLATES_CSV = Path(__file__).with_name("templates.csv")
_COLUMNS = ("template", "order", "slot", "allowed", "default")


@dataclass(frozen=True)
class TemplateSlot:
    """One place in an outfit: a name for people and the unified categories that may fill it."""

    name: str  # shown on the page, e.g. "Shoes"
    allowed: tuple[str, ...]  # unified categories (lookbook/data/categories.csv) that fit this slot
    default: str  # the category asked for first; one of `allowed`


@dataclass(frozen=True)
class Template:
    """A named outfit: its slots in page order."""

    name: str
    slots: tuple[TemplateSlot, ...]

    @property
    def categories(self) -> list[str]:
        """Every category any slot accepts, in slot order, without repeats."""
        return list(dict.fromkeys(c for s in self.slots for c in s.allowed))

    def describe(self) -> str:
        """One line for menus, e.g. "Top · Bottom · Shoes · Bag"."""
        return " · ".join(s.name for s in self.slots)


def load_templates(path: str | Path = TEMPLATES_CSV) -> dict[str, Template]:
    """Read and validate a templates table; any problem is a one-line error naming the row."""
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise LookbookError(f"{path.name}: missing column(s) {', '.join(missing)} (need {', '.join(_COLUMNS)})")
            rows = list(reader)
    except OSError as exc:
        raise LookbookError(f"cannot read templates table {path}: {exc.strerror}") from None
    known = set(taxonomy.outfit_categories())
    slots: dict[str, list[tuple[int, TemplateSlot]]] = {}
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        where = f"{path.name} line {line}"
        if None in row or any(row[c] is None for c in _COLUMNS):
            raise LookbookError(f"{where}: expected {len(_COLUMNS)} fields ({', '.join(_COLUMNS)})")
        name, slot_name = row["template"].strip(), row["slot"].strip()
        if not name or not slot_name:
            raise LookbookError(f"{where}: template and slot names must not be empty")
        try:
            order = int(row["order"])
        except ValueError:
            raise LookbookError(f"{where}: order must be a whole number, got {row['order']!r}") from None
        allowed = tuple(c.strip() for c in row["allowed"].split("|") if c.strip())
        unknown = [c for c in allowed if c not in known]
        if not allowed or unknown:
            raise LookbookError(
                f"{where}: unknown categor{'y' if len(unknown) == 1 else 'ies'} {', '.join(unknown) or '(none given)'} "
                f"(use outfit categories from lookbook/data/categories.csv, e.g. {', '.join(sorted(known)[:5])})"
            )
        default = row["default"].strip()
        if default not in allowed:
            raise LookbookError(f"{where}: default {default!r} is not among the allowed categories {'|'.join(allowed)}")
        entries = slots.setdefault(name, [])
        if any(o == order for o, _ in entries):
            raise LookbookError(f"{where}: template {name!r} has two slots with order {order}")
        entries.append((order, TemplateSlot(slot_name, allowed, default)))
    if not slots:
        raise LookbookError(f"{path.name} defines no templates")
    return {name: Template(name, tuple(s for _, s in sorted(entries, key=lambda e: e[0]))) for name, entries in slots.items()}


@functools.cache
def templates() -> dict[str, Template]:
    """The shipped templates, loaded once."""
    return load_templates()


def get_template(name: str) -> Template:
    """A shipped template by name; an unknown name lists the known ones."""
    try:
        return templates()[name]
    except KeyError:
        raise LookbookError(f"unknown template {name!r} (known: {', '.join(templates())})") from None


def template_names() -> list[str]:
    """Names of the shipped templates, in table order."""
    return list(templates())
