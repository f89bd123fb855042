"""Unified garment taxonomy: source labels -> unified category -> outfit slot (tables in CSV beside this file)."""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

_HERE = Path(__file__).parent
SLOTS: tuple[str, ...] = ("top", "bottom", "one-piece", "outerwear", "footwear", "bag", "accessory")
OTHER = "other"
UNMAPPED = "unmapped"  # category given to labels no table knows; counted in the ingestion report

# DeepFashion2's 13 categories, by id (the official numbering).
DF2_CATEGORY_NAMES: dict[int, str] = {
    1: "short sleeve top",
    2: "long sleeve top",
    3: "short sleeve outwear",
    4: "long sleeve outwear",
    5: "vest",
    6: "sling",
    7: "shorts",
    8: "trousers",
    9: "skirt",
    10: "short sleeve dress",
    11: "long sleeve dress",
    12: "vest dress",
    13: "sling dress",
}


@dataclass(frozen=True)
class Category:
    """One unified garment category."""

    name: str
    slot: str  # one of SLOTS, or "none" for categories never used in outfits
    display: str


@functools.cache
def categories() -> dict[str, Category]:
    """All unified categories in table order."""
    with open(_HERE / "categories.csv", newline="", encoding="utf-8") as f:
        return {r["category"]: Category(r["category"], r["slot"], r["display"]) for r in csv.DictReader(f)}


@functools.cache
def _label_table() -> dict[tuple[str, str], str]:
    with open(_HERE / "taxonomy.csv", newline="", encoding="utf-8") as f:
        return {(r["source"], _norm(r["label"])): r["category"] for r in csv.DictReader(f)}


def _norm(label: str) -> str:
    return re.sub(r"[\s_\-]+", " ", str(label).strip().lower())


def category_for(source: str, label: str | int) -> str:
    """Unified category of a source label, or UNMAPPED.

    `source` is "deepfashion2", "fpid" or "folder". DeepFashion2 labels may be ids or names
    (raw `long sleeve dress` and COCO `long_sleeved_dress` both work). Folder names fall back
    to FPID article types and category names, so `Jeans/` or `casual_shoes/` folders map too.
    """
    table = _label_table()
    key = _norm(label)
    if source == "deepfashion2":
        key = key.replace("sleeved", "sleeve")
    hit = table.get((source, key))
    if hit is None and source == "folder":
        hit = table.get(("fpid", key)) or table.get(("folder", key.rstrip("s"))) or table.get(("folder", key + "s"))
        if hit is None and key.replace(" ", "_") in categories():
            hit = key.replace(" ", "_")
    return hit or UNMAPPED


def slot_for(category: str) -> str:
    """Outfit slot of a unified category ("none" for `other` and unmapped labels)."""
    cat = categories().get(category)
    return cat.slot if cat else "none"


def outfit_categories(slot: str | None = None) -> list[str]:
    """Categories usable in outfits, optionally only those of one slot."""
    return [c.name for c in categories().values() if c.slot != "none" and (slot is None or c.slot == slot)]


def display_name(category: str) -> str:
    """Human label for a category."""
    cat = categories().get(category)
    return cat.display if cat else category
