"""Typefaces for rendered pages: DejaVu (or Liberation / Noto) when installed, Pillow's built-in scalable font otherwise."""

from __future__ import annotations

import functools
import threading
from typing import Literal

from PIL import ImageFont

Face = Literal["serif", "serif-italic", "sans", "sans-bold", "sans-light"]

# Pillow also looks for bare file names in the system font folders, so names suffice on Linux and macOS.
_CANDIDATES: dict[str, tuple[str, ...]] = {
    "serif": ("DejaVuSerif.ttf", "LiberationSerif-Regular.ttf", "NotoSerif-Regular.ttf", "Georgia.ttf"),
    "serif-italic": ("DejaVuSerif-Italic.ttf", "LiberationSerif-Italic.ttf", "NotoSerif-Italic.ttf", "Georgia Italic.ttf"),
    "sans": ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "NotoSans-Regular.ttf", "Arial.ttf"),
    "sans-bold": ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "NotoSans-Bold.ttf", "Arial Bold.ttf"),
    "sans-light": ("DejaVuSans-ExtraLight.ttf", "NotoSans-Light.ttf", "DejaVuSans.ttf", "LiberationSans-Regular.ttf"),
}
# FreeType faces are not safe to render from several threads at once (Streamlit runs one thread per session).
FREETYPE_LOCK = threading.Lock()
_FOLDERS = ("", "/usr/share/fonts/truetype/dejavu/", "/usr/share/fonts/truetype/liberation/", "/usr/share/fonts/TTF/")


@functools.cache
def font(face: Face, size_px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A font of `face` at `size_px`; never fails (falls back to Pillow's own scalable font)."""
    size_px = max(1, int(size_px))
    for name in _CANDIDATES[face]:
        for folder in _FOLDERS:
            try:
                return ImageFont.truetype(folder + name, size_px)
            except OSError:
                continue
    return ImageFont.load_default(size=size_px)


def family() -> str:
    """The body typeface in use, for logs ("DejaVu Sans" or "Pillow default")."""
    f = font("sans", 12)
    return " ".join(f.getname()) if hasattr(f, "getname") else "Pillow default"
