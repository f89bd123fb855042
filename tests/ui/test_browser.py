"""The whole app in a real headless Chromium: `streamlit run app.py`, open the explorer, change a filter, take screenshots.

Uses Debian's Chromium at /usr/bin/chromium (Playwright never downloads a browser here). With LOOKBOOK_SCREENSHOTS=1
the screenshots are also copied to docs/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from lookbook import paths
from lookbook.data import stats
from lookbook.data.builtin import builtin_dataset_dir

pytestmark = [pytest.mark.browser, pytest.mark.slow]

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
UI_TIMEOUT_MS = 90_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def app_url(builtin_workspace, tmp_path):
    """A `streamlit run app.py` server on a free port over the built-in test workspace; stopped afterwards."""
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found (install Debian's chromium: apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    port = _free_port()
    env = {
        **os.environ,
        paths.WORKSPACE_ENV: str(builtin_workspace),
        paths.RUNS_ENV: str(tmp_path / "runs"),
        paths.CHECKPOINTS_ENV: str(tmp_path / "checkpoints"),
    }
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port)]
    cmd += ["--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    log = open(tmp_path / "streamlit.log", "w")  # noqa: SIM115 - closed below, after the server stops
    server = subprocess.Popen(cmd, cwd=paths.REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if server.poll() is not None:
                pytest.fail(f"streamlit exited with {server.returncode}: {(tmp_path / 'streamlit.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer within {STARTUP_TIMEOUT_S} s")
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _save(page, tmp_path: Path, name: str) -> Path:
    shot = tmp_path / name
    page.screenshot(path=str(shot), full_page=True)
    if os.environ.get("LOOKBOOK_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS_SCREENSHOTS / name)
    return shot


def _match_count(page) -> int:
    text = page.get_by_text("garments match").first.inner_text()
    return int(text.split(" of ")[0].replace(",", "").strip())


def test_explorer_in_a_real_browser(app_url, builtin_workspace, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=UI_TIMEOUT_MS)  # Plotly loads lazily; a shared CPU can take a while
    index = stats.read_index(builtin_dataset_dir(builtin_workspace))
    n_df2 = int((index["source"] == "deepfashion2").sum())
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(UI_TIMEOUT_MS)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(app_url)
            page.wait_for_selector('[data-testid="stAppViewContainer"]')
            expect(page.get_by_role("heading", name="Lookbook designer")).to_be_visible()
            expect(page.get_by_text("builtin/dataset").first).to_be_visible()  # the sidebar found the dataset
            _save(page, tmp_path, "home.png")

            page.locator('[data-testid="stSidebarNav"]').get_by_text("Dataset Explorer").click()
            expect(page.get_by_role("heading", name="Dataset Explorer")).to_be_visible()
            charts = page.locator('[data-testid="stPlotlyChart"] .main-svg')
            expect(charts.first).to_be_visible()
            assert page.locator('[data-testid="stException"]').count() == 0
            page.wait_for_timeout(1500)  # let Plotly finish laying out before the picture
            _save(page, tmp_path, "explorer-overview.png")

            page.get_by_role("tab", name="Samples").click()
            expect(page.get_by_text("garments match").first).to_be_visible()
            assert _match_count(page) == len(index)
            page.get_by_role("tab", name="Samples").scroll_into_view_if_needed()
            page.locator('[data-testid="stButtonGroup"]').first.get_by_role("button", name="deepfashion2").click()
            expect(page.get_by_text(f"{n_df2:,} of {len(index):,} garments match")).to_be_visible()
            expect(page.locator('[data-testid="stImage"] img').first).to_be_visible()
            page.set_viewport_size({"width": VIEWPORT["width"], "height": 2300})  # the grid and the whole viewer
            page.wait_for_timeout(1500)
            shot = _save(page, tmp_path, "explorer.png")
            assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000
    assert not errors, errors
