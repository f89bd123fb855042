"""GAN test helpers: tiny datasets shared per module, tiny-model CLI arguments, and a runner for the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, make_tiny_dataset

# A model small enough that a step takes milliseconds: the tests exercise the machinery, not the GAN.
TINY_MODEL = ["--set", "g_base_width=8", "--set", "d_base_width=8", "--set", "noise_dim=16", "--set", "sample_grid_size=4"]
TINY_QUICK = ["--preset", "quick", *TINY_MODEL, "--set", "batch_size=24"]
# quick without classes: its class-only options (per-class batch norm, the AC-GAN head) go too
UNCONDITIONAL = ["--set", "conditional=false", "--set", "g_conditioning=input", "--set", "aux_class_weight=0"]


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]])
    return env


def run_cli(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """`python -m lookbook ARGS` in a subprocess; returns the finished process (text stdout/stderr)."""
    return subprocess.run(
        [sys.executable, "-m", "lookbook", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env=cli_env(),
    )


def start_cli(*args: str, stderr_path: Path) -> subprocess.Popen:
    """`python -m lookbook ARGS` started in the background, stderr to a file."""
    with open(stderr_path, "w") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "lookbook", *map(str, args)], stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT, env=cli_env()
        )


def wait_for(predicate, timeout: float = 120, proc: subprocess.Popen | None = None, poll_s: float = 0.02) -> None:
    """Poll until `predicate()` is true; fail if `proc` exits first or time runs out."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"process exited (code {proc.returncode}) before the condition was met")
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting")
        time.sleep(poll_s)


def metrics_rows(run: Path) -> list[dict]:
    path = run / "metrics.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.is_file() else []


def status(run: Path) -> dict:
    return json.loads((run / "status.json").read_text())


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory) -> Path:
    """48 images, 32 px, 3 categories (2 steps per epoch at batch 24)."""
    return make_tiny_dataset(tmp_path_factory.mktemp("gan_tiny") / "tiny").root


@pytest.fixture(scope="module")
def small_data(tmp_path_factory) -> Path:
    """192 images, 32 px, 3 categories (24 steps per epoch at batch 8)."""
    return make_tiny_dataset(tmp_path_factory.mktemp("gan_small") / "small", n_per_class=64).root
