"""Exports: rendered pages as PNG bytes, a multi-page PDF, or a ZIP of PNGs plus the manifest; written atomically."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

from PIL import Image

from lookbook import atomic
from lookbook.errors import LookbookError

FORMATS = (".png", ".pdf", ".zip")
MANIFEST_NAME = "manifest.json"
COVER_NAME = "cover.png"


def png_bytes(page: Image.Image, dpi: int = 150) -> bytes:
    """One page as PNG (with its print resolution recorded)."""
    buf = io.BytesIO()
    page.save(buf, format="PNG", dpi=(dpi, dpi), optimize=False)
    return buf.getvalue()


def pdf_bytes(pages: list[Image.Image], dpi: int = 150, title: str = "Lookbook") -> bytes:
    """Pages as one PDF, each page A4 when rendered at `dpi`."""
    require_pages(pages)
    buf = io.BytesIO()
    first, rest = pages[0].convert("RGB"), [p.convert("RGB") for p in pages[1:]]
    # Pillow embeds RGB pages as JPEG: high quality, no chroma subsampling, so small type stays crisp
    first.save(
        buf, format="PDF", save_all=True, append_images=rest, resolution=float(dpi), quality=92, subsampling=0, title=title
    )
    return buf.getvalue()


def zip_bytes(pages: list[Image.Image], manifest: dict[str, Any], dpi: int = 150, cover: bool = False) -> bytes:
    """`page_01.png`, `page_02.png`, ... and `manifest.json` in one ZIP; with `cover`, the first image is `cover.png`."""
    require_pages(pages)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:  # PNGs are already compressed
        if cover:
            zf.writestr(COVER_NAME, png_bytes(pages[0], dpi))
            pages = pages[1:]
        for i, page in enumerate(pages, start=1):
            zf.writestr(page_name(i, len(pages)), png_bytes(page, dpi))
        zf.writestr(MANIFEST_NAME, json.dumps(manifest, indent=2) + "\n")
    return buf.getvalue()


def page_name(number: int, count: int) -> str:
    """Zero-padded page file name: `page_07.png` (wider when there are 100 pages or more)."""
    return f"page_{number:0{max(2, len(str(count)))}d}.png"


def write_export(path: str | os.PathLike, data: bytes) -> Path:
    """Write export bytes atomically; returns the path."""
    atomic.write_bytes(path, data)
    return Path(path)


def export_format(path: str | os.PathLike) -> str:
    """The export kind of a path by its suffix (".png", ".pdf" or ".zip")."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise LookbookError(f"cannot export to {Path(path).name}: use a .png, .pdf or .zip file name")
    return suffix


def require_pages(pages: list) -> None:
    """Refuse to export nothing."""
    if not pages:
        raise LookbookError("the lookbook has no pages to export; add a page first")
