"""The Training page in a real headless Chromium: launch a small GAN run from the form, watch its loss chart, its
labelled sample rows and its score appear; queue a two-run sweep and send its best run to the Lookbook; a screenshot
lands in the test's folder.

Browser and screenshot helpers are in tests/ui/browser.py; the `app_url` fixture in tests/ui/conftest.py.
"""

from __future__ import annotations

import re

import pytest

from lookbook.run import reader
from lookbook.train import presets
from tests.launcher.conftest import no_leftover_trainers  # noqa: F401 - autouse: no trainer outlives the test
from tests.ui.browser import open_app, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RUN_TIMEOUT_MS = 300_000  # the trainer starts TensorFlow in a new process; a shared CPU can make that slow
EPOCHS = 4  # a few steps: the built-in test dataset holds a couple of hundred garments, at batch 64


def test_launch_and_watch_a_run_in_a_real_browser(builtin_workspace, app_url, tmp_path):
    from playwright.sync_api import expect

    _judge(builtin_workspace, tmp_path / "checkpoints")
    with open_app(app_url) as (page, errors):
        page.locator('[data-testid="stSidebarNav"]').get_by_text("Training", exact=True).click()
        expect(page.get_by_role("heading", name="Training")).to_be_visible()
        expect(page.get_by_text("No GAN runs yet")).to_be_visible()

        page.get_by_role("radio", name="quick", exact=True).click()
        expect(page.get_by_text(presets.PRESET_NOTES["quick"])).to_be_visible()
        epochs = page.get_by_label("Epochs", exact=True)
        epochs.fill(str(EPOCHS))
        epochs.press("Enter")
        name = page.get_by_label("Run name", exact=True)
        name.fill("browser-run")
        name.press("Enter")
        page.get_by_role("button", name="Launch").click()

        expect(page.get_by_text("Started GAN run browser-run")).to_be_visible()
        losses = page.locator('[data-testid="stPlotlyChart"]').filter(has_text="Losses")
        expect(losses.locator(".main-svg").first).to_be_visible(timeout=RUN_TIMEOUT_MS)  # drawn by the live refresh
        expect(page.get_by_text(f"epoch {EPOCHS} of {EPOCHS}").first).to_be_visible(timeout=RUN_TIMEOUT_MS)
        in_use = page.get_by_text("Use this generator in the lookbook").or_(page.get_by_text("In use in the lookbook"))
        expect(in_use).to_be_visible(timeout=RUN_TIMEOUT_MS)  # once the run has ended: its last step and export
        expect(page.get_by_text("one row per category the dataset holds").first).to_be_visible()
        judged = page.get_by_text(re.compile(r"^Judged by "))  # case-sensitive: "judged by" also heads the section
        expect(judged.first).to_be_visible(timeout=RUN_TIMEOUT_MS)  # scored once it ended
        assert page.locator('[data-testid="stException"]').count() == 0
        shot = save_screenshot(page, tmp_path, "training.png", height_px=2400)  # the whole sample grid too

    runs = reader.list_runs(tmp_path / "runs")  # the runs root app_url gave the server
    assert sorted(runs["id"]) == ["browser-run"] and set(runs["state"]) == {"finished"}
    assert runs["score_asked_class"].notna().all()
    assert shot.stat().st_size > 10_000
    assert not errors, errors


def test_queue_a_sweep_and_use_its_best_run_in_a_real_browser(builtin_workspace, app_url, tmp_path):
    from playwright.sync_api import expect

    _judge(builtin_workspace, tmp_path / "checkpoints")
    with open_app(app_url) as (page, errors):
        page.locator('[data-testid="stSidebarNav"]').get_by_text("Training", exact=True).click()
        page.get_by_role("tab", name="Sweeps").click()
        values = page.get_by_role("textbox", name="Values (comma-separated)")
        values.first.fill("1e-4, 4e-4")
        values.first.press("Enter")
        page.get_by_role("combobox", name="Setting 2 (optional)").click()
        page.keyboard.type("Epochs (epochs)")  # the list is virtualised: type to filter it
        page.get_by_role("option", name="Epochs (epochs)").click()
        expect(values).to_have_count(2)
        values.nth(1).fill("2")  # two epochs each: the sweep ends in about a minute
        values.nth(1).press("Enter")
        budget = page.get_by_role("spinbutton", name="Time budget per run (minutes)")
        budget.fill("0.5")
        budget.press("Enter")
        name = page.get_by_role("textbox", name="Sweep name")
        name.fill("lr")
        name.press("Enter")
        expect(page.get_by_text("2 run(s)")).to_be_visible()
        page.get_by_role("button", name="Queue sweep").click()
        expect(page.get_by_text("Queued sweep lr")).to_be_visible()
        assert page.locator('[data-testid="stException"]').count() == 0
        expect(page.get_by_text("2 of 2 runs ended")).to_be_visible(timeout=2 * RUN_TIMEOUT_MS)  # the list refreshes
        best = page.get_by_role("button", name="Use the best")
        expect(best).to_be_visible(timeout=RUN_TIMEOUT_MS)  # once a run is scored
        best.click()
        expect(page.get_by_role("button", name="In use in the lookbook (generator)").first).to_be_visible()
        assert page.locator('[data-testid="stException"]').count() == 0
        save_screenshot(page, tmp_path, "training-sweep.png", height_px=1800)

    runs = reader.list_runs(tmp_path / "runs")
    assert sorted(runs["id"]) == ["lr-001", "lr-002"] and set(runs["state"]) == {"finished"}
    assert not errors, errors


def _judge(workspace, checkpoints) -> None:
    """A tiny untrained classifier of the built-in dataset's categories, found by the sidebar as the active one."""
    from lookbook.data import builtin
    from lookbook.data.dataset import PreparedDataset
    from tests.classifier.helpers import save_tiny_classifier

    categories = PreparedDataset.open(builtin.builtin_dataset_dir(workspace), 64).categories()
    save_tiny_classifier(checkpoints, categories, image_size_px=64)
