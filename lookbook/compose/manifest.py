"""Lookbook manifests: the JSON that records every page exactly (checkpoints and hashes, templates, seeds, latents).

Reading is strict: a corrupt or hand-edited manifest becomes one LookbookError naming the bad field, and its size
(bytes, nesting, pages, title and notes lengths) is capped before any of it is used.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from lookbook import __version__, atomic
from lookbook.compose.book import LatentSpec, Lookbook, Page, Slot, now_iso
from lookbook.compose.outfit import FillConfig
from lookbook.compose.studio import Studio
from lookbook.compose.templates import get_template
from lookbook.data.taxonomy import categories
from lookbook.errors import LookbookError
from lookbook.jsonfile import JsonError, parse, preview

FORMAT = "lookbook-manifest"
FORMAT_VERSION = 1
MAX_SEED = 2**63 - 1  # numpy seeds are unbounded, but a JSON number beyond int64 is surely a typo
MAX_PAGES = 200  # pages a lookbook may hold; each is generated and rendered on the spot
MAX_TITLE_CHARS = 1_000  # a lookbook or page title; it is printed on every page
MAX_NOTES_CHARS = 20_000  # a page's notes
MAX_BYTES = 8 << 20  # a full lookbook of MAX_PAGES pages with long notes stays well below this
MAX_DEPTH = 16  # a manifest nests 8 levels (pages, slots, latent, variations)


def to_manifest(lookbook: Lookbook, studio: Studio, fill: FillConfig) -> dict[str, Any]:
    """The manifest of a filled lookbook (every slot has a resolved latent)."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "lookbook_version": __version__,
        "saved": now_iso(),
        **book_to_dict(lookbook),
        "checkpoints": studio.describe(),
        "fill": fill.to_dict(),
    }


def book_to_dict(lookbook: Lookbook) -> dict[str, Any]:
    """The lookbook's own fields as a manifest records them (book_from_dict reads them back)."""
    return {
        "created": lookbook.created,
        "revision": lookbook.revision,
        "title": lookbook.title,
        "seed": lookbook.seed,
        "draws": lookbook.draws,
        "pages_made": lookbook.pages_made,
        "checkpoints": lookbook.checkpoints,
        "cover": {"subtitle": lookbook.cover_subtitle, "date": lookbook.cover_date},
        "pages": [
            {
                "title": p.title,
                "notes": p.notes,
                "template": p.template,
                "slots": [
                    {
                        "name": s.name,
                        "seed": s.seed,
                        "category": s.category,
                        "locked": s.locked,
                        "latent": s.latent.to_dict() if s.latent else None,
                        "label": s.label,
                        "confidence": None if s.confidence is None else round(float(s.confidence), 6),
                        "status": s.status,
                    }
                    for s in p.slots
                ],
            }
            for p in lookbook.pages
        ],
    }


def check_limits(pages: int | None = None, title: str | None = None, notes: str | None = None, where: str = "lookbook") -> None:
    """Raise a one-line error when a lookbook is larger than this app makes and reads back (pages, title, notes)."""
    if pages is not None and pages > MAX_PAGES:
        raise LookbookError(f"{where}: {pages:,} pages, more than the {MAX_PAGES} a lookbook may hold")
    for name, text, limit in (("title", title, MAX_TITLE_CHARS), ("notes", notes, MAX_NOTES_CHARS)):
        if isinstance(text, str) and len(text) > limit:
            raise LookbookError(f"{where}: {name} of {len(text):,} characters, more than the {limit:,} allowed")


def write_manifest(path: str | os.PathLike, manifest: dict[str, Any]) -> Path:
    """Write a manifest atomically; one this app could not read back is refused instead."""
    pages = manifest.get("pages") or []
    check_limits(len(pages), manifest.get("title"))
    cover = manifest.get("cover") or {}
    for name in ("subtitle", "date"):
        check_limits(title=cover.get(name), where=f"lookbook cover {name}")
    for i, page in enumerate(pages):
        check_limits(title=page.get("title"), notes=page.get("notes"), where=f"lookbook page {i + 1}")
    atomic.write_json(path, manifest)
    return Path(path)


def read_manifest(source: str | os.PathLike | bytes) -> dict[str, Any]:
    """Parse a manifest file (or its bytes, e.g. from an upload); bad or oversized JSON is a one-line error."""
    where = "manifest" if isinstance(source, bytes) else str(source)
    try:
        if isinstance(source, bytes):
            raw = source
        else:
            with open(source, "rb") as f:
                raw = f.read(MAX_BYTES + 1)  # no more than the cap is ever read into memory
        if len(raw) > MAX_BYTES:
            raise JsonError(f"larger than the {MAX_BYTES:,} bytes a manifest may have")
        data = parse(raw.decode("utf-8"), MAX_DEPTH)
    except FileNotFoundError:
        raise LookbookError(f"no manifest at {where}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LookbookError(f"cannot read {where}: {exc.strerror if isinstance(exc, OSError) else exc}") from None
    except JsonError as exc:
        raise LookbookError(f"{where} is unusable: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise LookbookError(f'{where} is not a lookbook manifest (no "format": "{FORMAT}")')
    version = data.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= FORMAT_VERSION:
        raise LookbookError(f"{where} has format_version {version!r}; this version reads 1 to {FORMAT_VERSION}")
    return data


def from_manifest(data: dict[str, Any]) -> tuple[Lookbook, FillConfig]:
    """Rebuild the lookbook a manifest describes; every field is type-checked."""
    fill_dict = _get(data, "fill", dict, "manifest", optional=True) or {}
    try:
        fill = FillConfig.from_dict(fill_dict)
    except LookbookError as exc:
        raise LookbookError(f"manifest fill settings: {exc}") from None
    return book_from_dict(data), fill


def book_from_dict(data: Any, where: str = "manifest") -> Lookbook:
    """The lookbook of book_to_dict's fields (a manifest, or a state in a draft's undo history), type-checked."""
    _get(data, "checkpoints", dict, where)
    check_limits(len(_get(data, "pages", list, where)), _get(data, "title", str, where), where=where)
    cover = _get(data, "cover", dict, where, optional=True) or {}
    subtitle = _get(cover, "subtitle", str, f"{where} cover", optional=True) or ""
    date = _get(cover, "date", str, f"{where} cover", optional=True) or ""
    for name, text in (("subtitle", subtitle), ("date", date)):
        check_limits(title=text, where=f"{where} cover {name}")
    book = Lookbook(
        title=_get(data, "title", str, where),
        seed=_seed(data, "seed", where),
        draws=_count(data, "draws", where),
        pages=[_page(p, i) for i, p in enumerate(_get(data, "pages", list, where))],
        created=_get(data, "created", str, where),
        revision=_count(data, "revision", where),
        checkpoints=data["checkpoints"],
        cover_subtitle=subtitle,
        cover_date=date,
    )
    book.pages_made = max(_count(data, "pages_made", where, optional=True), len(book.pages))
    return book


def check_checkpoints(recorded: dict[str, Any], studio: Studio) -> list[str]:
    """Messages (empty if none) saying how the models in use differ from the ones a manifest recorded."""
    messages = []
    for kind, current in studio.describe().items():
        entry = recorded.get(kind) if isinstance(recorded, dict) else None
        if not isinstance(entry, dict) or not isinstance(entry.get("hash"), str):
            messages.append(f"the manifest does not record its {kind}; pages may not regenerate exactly")
        elif entry["hash"] != current["hash"]:
            messages.append(
                f"{kind} differs from the one this lookbook was made with "
                f"({current['path']} is #{current['hash']}, the manifest recorded {entry.get('path')} #{entry['hash']}): "
                "garments will not match the saved pages"
            )
    return messages


def recorded_path(recorded: dict[str, Any], kind: str) -> Path:
    """The checkpoint path a manifest recorded for `kind`; missing on disk is a one-line error."""
    entry = recorded.get(kind) if isinstance(recorded, dict) else None
    path = entry.get("path") if isinstance(entry, dict) else None
    if not isinstance(path, str) or not path:
        raise LookbookError(f"the manifest records no {kind} path; pass --{kind}")
    if not Path(path).is_file():
        raise LookbookError(
            f"the {kind} this lookbook was made with is missing: {path} (#{entry.get('hash')}); pass --{kind} to use another"
        )
    return Path(path)


# --- strict field readers ------------------------------------------------------------------------------------


def _get(obj: Any, key: str, kind: type | tuple[type, ...], where: str, optional: bool = False) -> Any:
    if not isinstance(obj, dict):
        raise LookbookError(f"manifest: {where} must be an object")
    if key not in obj:
        if optional:
            return None
        raise LookbookError(f"manifest: {where} is missing {key!r}")
    value = obj[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    # bool is an int in Python, but `true` is never a valid seed or count
    if (optional and value is None) or (isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)):
        return value
    names = " or ".join(
        "number" if k is float else {"str": "text", "dict": "an object"}.get(k.__name__, k.__name__) for k in kinds
    )
    raise LookbookError(f"manifest: {where} {key!r} must be {names}, got {preview(value)}")


def _count(obj: Any, key: str, where: str, optional: bool = False) -> int:
    value = _get(obj, key, int, where, optional=optional)
    if value is None:
        return 0
    if value < 0:
        raise LookbookError(f"manifest: {where} {key!r} must not be negative, got {value}")
    return value


def _seed(obj: Any, key: str, where: str) -> int:
    value = _count(obj, key, where)
    if value > MAX_SEED:
        raise LookbookError(f"manifest: {where} {key!r} is too large ({value})")
    return value


def _page(data: Any, index: int) -> Page:
    where = f"page {index + 1}"
    template = get_template(_get(data, "template", str, where))
    slots = _get(data, "slots", list, where)
    if len(slots) != len(template.slots):
        raise LookbookError(f"manifest: {where} has {len(slots)} slots but template {template.name!r} has {len(template.slots)}")
    title, notes = _get(data, "title", str, where), _get(data, "notes", str, where, optional=True) or ""
    check_limits(title=title, notes=notes, where=f"manifest: {where}")
    return Page(
        template=template.name,
        slots=[_slot(s, t, f"{where} slot {k + 1}") for k, (s, t) in enumerate(zip(slots, template.slots))],
        title=title,
        notes=notes,
    )


def _slot(data: Any, template_slot: Any, where: str) -> Slot:
    category = _get(data, "category", str, where, optional=True)
    if category is not None and category not in categories():  # any category may be asked of any slot
        raise LookbookError(f"manifest: {where} category {category!r} is not a known category")
    label = _get(data, "label", str, where, optional=True)
    if label is not None and label not in categories():
        raise LookbookError(f"manifest: {where} label {label!r} is not a known category")
    confidence = _get(data, "confidence", (int, float), where, optional=True)
    if confidence is not None and not 0.0 <= confidence <= 1.0:
        raise LookbookError(f"manifest: {where} confidence must be between 0 and 1, got {confidence}")
    latent = _get(data, "latent", dict, where, optional=True)
    status = _get(data, "status", str, where, optional=True) or "pending"
    if status not in ("pending", "ok", "mismatch"):
        raise LookbookError(f"manifest: {where} status must be pending, ok or mismatch, got {status!r}")
    return Slot(
        name=template_slot.name,
        allowed=template_slot.allowed,
        default=template_slot.default,
        seed=_seed(data, "seed", where),
        category=category,
        locked=_get(data, "locked", bool, where, optional=True) or False,
        latent=None if latent is None else _latent(latent, where),
        label=label,
        confidence=None if confidence is None else float(confidence),
        status=status if latent is not None else "pending",
    )


def _latent(data: dict, where: str) -> LatentSpec:
    where = f"{where} latent"
    steps = []
    for k, step in enumerate(_get(data, "variations", list, where, optional=True) or []):
        if (
            not isinstance(step, list)
            or len(step) != 2
            or not isinstance(step[0], int)
            or isinstance(step[0], bool)
            or not isinstance(step[1], (int, float))
            or isinstance(step[1], bool)
        ):
            raise LookbookError(f"manifest: {where} variation {k + 1} must be [seed, strength], got {preview(step)}")
        if step[0] < 0 or step[0] > MAX_SEED or not (math.isfinite(step[1]) and 0 < step[1] <= 2):
            raise LookbookError(f"manifest: {where} variation {k + 1} needs a seed >= 0 and a strength in (0, 2], got {step}")
        steps.append((int(step[0]), float(step[1])))
    return LatentSpec(_seed(data, "seed", where), tuple(steps))
