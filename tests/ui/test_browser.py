"""The whole app in a real headless Chromium: `streamlit run app.py`, open the explorer, change a filter, take screenshots.

Server, browser and screenshot helpers are in tests/ui/browser.py; the `app_url` fixture in tests/ui/conftest.py.
"""

from __future__ import annotations

import pytest

from lookbook.data import stats
from lookbook.data.builtin import builtin_dataset_dir
from tests.ui.browser import open_app, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _match_count(page) -> int:
    text = page.get_by_text("garments match").first.inner_text()
    return int(text.split(" of ")[0].replace(",", "").strip())


def test_explorer_in_a_real_browser(app_url, builtin_workspace, tmp_path):
    from playwright.sync_api import expect

    index = stats.read_index(builtin_dataset_dir(builtin_workspace))
    n_df2 = int((index["source"] == "deepfashion2").sum())
    with open_app(app_url) as (page, errors):
        expect(page.get_by_role("heading", name="Lookbook designer")).to_be_visible()
        expect(page.get_by_text("builtin/dataset").first).to_be_visible()  # the sidebar found the dataset
        save_screenshot(page, tmp_path, "home.png")

        page.locator('[data-testid="stSidebarNav"]').get_by_text("Dataset Explorer").click()
        expect(page.get_by_role("heading", name="Dataset Explorer")).to_be_visible()
        charts = page.locator('[data-testid="stPlotlyChart"] .main-svg')
        expect(charts.first).to_be_visible()
        assert page.locator('[data-testid="stException"]').count() == 0
        save_screenshot(page, tmp_path, "explorer-overview.png")

        page.get_by_role("tab", name="Samples").click()
        expect(page.get_by_text("garments match").first).to_be_visible()
        assert _match_count(page) == len(index)
        page.get_by_role("tab", name="Samples").scroll_into_view_if_needed()
        page.locator('[data-testid="stButtonGroup"]').first.get_by_role("button", name="deepfashion2").click()
        expect(page.get_by_text(f"{n_df2:,} of {len(index):,} garments match")).to_be_visible()
        expect(page.locator('[data-testid="stImage"] img').first).to_be_visible()
        shot = save_screenshot(page, tmp_path, "explorer.png", height_px=2300)  # the grid and the whole viewer
        assert page.locator('[data-testid="stException"]').count() == 0
    assert shot.stat().st_size > 10_000
    assert not errors, errors
