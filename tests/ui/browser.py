"""Real-browser test helpers: skip without Chromium, and full-page screenshots in the test's folder (the server and
the page come from lookbook.ui.headless; the README's pictures are taken by scripts/screenshots.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lookbook.ui.headless import CHROMIUM, VIEWPORT, open_app, serve_app

__all__ = ["open_app", "save_screenshot", "serve_app", "skip_without_browser"]


def skip_without_browser() -> None:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found (install Debian's chromium: apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def save_screenshot(page: Any, folder: Path, name: str, height_px: int | None = None) -> Path:
    """A full-page screenshot `folder/name` (first resized to `height_px` tall, pointer parked, layout settled)."""
    if height_px:
        page.set_viewport_size({"width": VIEWPORT["width"], "height": height_px})
    page.mouse.move(0, 0)  # no tooltip in the picture
    page.wait_for_timeout(1500)  # let Plotly and images finish laying out
    shot = folder / name
    page.screenshot(path=str(shot), full_page=True)
    return shot
