"""Composer fixtures: tiny saved models (conditional and unconditional) and studios over them."""

from __future__ import annotations

import pytest

from tests.compose.models import TINY_CATEGORIES, save_pair


@pytest.fixture(scope="session")
def cond_paths(tmp_path_factory):
    """(generator, classifier) .keras paths: a 32 px conditional generator that tints each category differently."""
    return save_pair(tmp_path_factory.mktemp("cond"), TINY_CATEGORIES, conditional=True)


@pytest.fixture(scope="session")
def uncond_paths(tmp_path_factory):
    """(generator, classifier) .keras paths: a 32 px unconditional generator, each latent a different colour."""
    return save_pair(tmp_path_factory.mktemp("uncond"), TINY_CATEGORIES, conditional=False)


@pytest.fixture(scope="session")
def cond_studio(cond_paths):
    from lookbook.compose import Studio

    return Studio.open(*cond_paths)


@pytest.fixture(scope="session")
def uncond_studio(uncond_paths):
    from lookbook.compose import Studio

    return Studio.open(*uncond_paths)


@pytest.fixture(params=["conditional", "unconditional"])
def studio(request, cond_studio, uncond_studio):
    """Each test taking `studio` runs with both kinds of generator."""
    return cond_studio if request.param == "conditional" else uncond_studio
