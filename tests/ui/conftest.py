"""UI test fixtures: temp workspaces (via the LOOKBOOK_* env vars the app reads) and a small built-in dataset."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lookbook import paths
from lookbook.data import builtin
from tests.conftest import FIXTURES
from tests.ui import browser

BUILTIN_TEST_IMAGES = 120  # small enough to make in seconds, big enough for every chart and several gallery pages


def _synth_ready() -> bool:
    try:
        from lookbook.data import prepare, synth  # noqa: F401
    except ImportError:
        return False
    return hasattr(synth, "generate")


needs_synth = pytest.mark.skipif(
    not _synth_ready(), reason="lookbook.data.synth.generate / lookbook.data.prepare not available yet"
)


@pytest.fixture(scope="session")
def builtin_workspace(tmp_path_factory) -> Path:
    """A workspace holding the built-in dataset (120 images, 64 px), made once per test session."""
    if not _synth_ready():
        pytest.skip("lookbook.data.synth.generate / lookbook.data.prepare are not available yet")
    ws = tmp_path_factory.mktemp("builtin-ws")
    builtin.ensure_builtin(ws, n_images=BUILTIN_TEST_IMAGES)
    return ws


@pytest.fixture()
def use_workspace(monkeypatch, tmp_path):
    """Point the app at a workspace (and a temp runs/checkpoints root); returns a function taking the workspace path."""

    def use(ws: Path) -> Path:
        monkeypatch.setenv(paths.WORKSPACE_ENV, str(ws))
        monkeypatch.setenv(paths.RUNS_ENV, str(tmp_path / "runs"))
        monkeypatch.setenv(paths.CHECKPOINTS_ENV, str(tmp_path / "checkpoints"))
        # sources the tests type live beside the workspace, or are the real sample data
        monkeypatch.setenv(paths.ALLOWED_ROOTS_ENV, os.pathsep.join([str(tmp_path), str(FIXTURES)]))
        return ws

    return use


@pytest.fixture()
def app_url(builtin_workspace, tmp_path):
    """A real `streamlit run app.py` server over the built-in test workspace, with runs and checkpoints under tmp_path."""
    browser.skip_without_browser()
    env = {
        **os.environ,
        paths.WORKSPACE_ENV: str(builtin_workspace),
        paths.RUNS_ENV: str(tmp_path / "runs"),
        paths.CHECKPOINTS_ENV: str(tmp_path / "checkpoints"),
    }
    with browser.serve_app(env, tmp_path / "streamlit.log") as url:
        yield url
