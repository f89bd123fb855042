"""The app served headless and opened in a real browser: `streamlit run app.py` on a free port and a Chromium page on
it, for the browser tests, the click-to-pixels benchmarks and the README screenshots.

Uses Debian's Chromium at /usr/bin/chromium (`apt-get install chromium`) driven by the `playwright` package; Playwright
never downloads a browser here. Nothing in the app imports this module.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lookbook import paths
from lookbook.errors import LookbookError

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
VIEWPORT = {"width": 1440, "height": 1800}
STARTUP_TIMEOUT_S = 90
UI_TIMEOUT_MS = 90_000  # Plotly loads lazily and TensorFlow starts slowly; a shared CPU can take a while


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve_app(env: dict[str, str], log_path: Path) -> Iterator[str]:
    """Run `streamlit run app.py` on a free port with `env`; yields its URL once healthy, stops it afterwards."""
    port = free_port()
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
            raise LookbookError(f"streamlit exited with {server.returncode}: {log_path.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise LookbookError(f"streamlit did not answer within {STARTUP_TIMEOUT_S} s (log: {log_path})")
        time.sleep(0.5)


@contextlib.contextmanager
def open_app(url: str, viewport: dict[str, int] | None = None, **page_options: Any) -> Iterator[tuple[Any, list[str]]]:
    """A Chromium page showing the app at `url` (Streamlit's view container rendered): yields (page, page errors)."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=UI_TIMEOUT_MS)
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=viewport or VIEWPORT, **page_options)
            page.set_default_timeout(UI_TIMEOUT_MS)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(url)
            page.wait_for_selector('[data-testid="stAppViewContainer"]')
            yield page, errors
        finally:
            browser.close()
