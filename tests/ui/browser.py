"""Real-browser test helpers: a `streamlit run app.py` server and a headless Chromium page on it.

Uses Debian's Chromium at /usr/bin/chromium (Playwright never downloads a browser here). With LOOKBOOK_SCREENSHOTS=1,
`save_screenshot` also copies each picture to docs/screenshots/.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lookbook import paths

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DOCS_SCREENSHOTS = paths.REPO_ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1440, "height": 1800}
STARTUP_TIMEOUT_S = 90
UI_TIMEOUT_MS = 90_000  # Plotly loads lazily and TensorFlow starts slowly; a shared CPU can take a while


def skip_without_browser() -> None:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found (install Debian's chromium: apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve_app(env: dict[str, str], log_path: Path) -> Iterator[str]:
    """Run `streamlit run app.py` on a free port with `env`; yields its URL once healthy, stops it afterwards."""
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port)]
    cmd += ["--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    with open(log_path, "w") as log:
        server = subprocess.Popen(cmd, cwd=paths.REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(server, url, log_path)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_healthy(server: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        if server.poll() is not None:
            pytest.fail(f"streamlit exited with {server.returncode}: {log_path.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"streamlit did not answer within {STARTUP_TIMEOUT_S} s")
        time.sleep(0.5)


@contextlib.contextmanager
def open_app(url: str, **page_options: Any) -> Iterator[tuple[Any, list[str]]]:
    """A Chromium page showing the app at `url` (Streamlit's view container rendered): yields (page, page errors)."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=UI_TIMEOUT_MS)
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT, **page_options)
            page.set_default_timeout(UI_TIMEOUT_MS)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(url)
            page.wait_for_selector('[data-testid="stAppViewContainer"]')
            yield page, errors
        finally:
            browser.close()


def save_screenshot(page: Any, folder: Path, name: str, height_px: int | None = None) -> Path:
    """A full-page screenshot `folder/name` (first resized to `height_px` tall, pointer parked, layout settled)."""
    if height_px:
        page.set_viewport_size({"width": VIEWPORT["width"], "height": height_px})
    page.mouse.move(0, 0)  # no tooltip in the picture
    page.wait_for_timeout(1500)  # let Plotly and images finish laying out
    shot = folder / name
    page.screenshot(path=str(shot), full_page=True)
    if os.environ.get("LOOKBOOK_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS_SCREENSHOTS / name)
    return shot
