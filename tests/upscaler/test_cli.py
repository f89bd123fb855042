"""`train upscaler` and `upscale` through the real command line: run files, exact resume, PNG outputs, one-line errors."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from tests.conftest import ROOT
from tests.upscaler.conftest import TINY, write_photos


def lookbook(*args: str) -> subprocess.CompletedProcess:
    # one thread each: the same float sums in every run, so a resumed run can be compared bit for bit
    env = {**os.environ, "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "lookbook", *args], capture_output=True, text=True, cwd=ROOT, timeout=600, env=env
    )


def sets(*items: str) -> list[str]:
    return [x for s in [*TINY, *items] for x in ("--set", s)]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("upscaler")
    photos = write_photos(root / "photos")
    proc = lookbook("train", "upscaler", "--data", str(photos), "--run", str(root / "run"), *sets())
    assert proc.returncode == 0, proc.stderr
    return root, photos, proc


def weights(path) -> list[np.ndarray]:
    from lookbook.models.upscaler import load_upscaler

    return [np.asarray(w) for w in load_upscaler(path).model.get_weights()]


def test_run_follows_the_run_directory_contract(trained):
    root, _, proc = trained
    run = root / "run"
    assert "finished at step 4" in proc.stderr and "held-out PSNR" in proc.stderr
    config = json.loads((run / "config.json").read_text())
    assert config["kind"] == "upscaler" and config["config"]["features"] == 8 and config["n_train_photos"] == 22
    status = json.loads((run / "status.json").read_text())
    assert status["state"] == "finished" and status["step"] == 4 and status["kind"] == "upscaler"
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    losses = [r["loss"] for r in rows if "loss" in r]
    assert len(losses) == 4 and all(math.isfinite(v) for v in losses) and all("lr" in r for r in rows if "loss" in r)
    evals = [r for r in rows if "eval_psnr_db" in r]
    assert [r["epoch"] for r in evals] == [1, 2] and all(r["eval_n_images"] == 2 for r in evals)
    grid = Image.open(run / "samples" / "epoch_0002.png")
    assert grid.size == (4 * 66 + 2, 2 * 66 + 2)  # 4 columns (input, Lanczos, model, real) x 2 held-out photos
    meta = json.loads((run / "upscaler.json").read_text())
    assert meta["kind"] == "upscaler" and meta["scale"] == 4 and meta["held_out_rule"] == "photo id % 10 == 0"
    assert (run / "checkpoint.npz").is_file()


def test_resume_continues_exactly(trained, tmp_path):
    root, photos, _ = trained
    run = tmp_path / "run"
    first = lookbook("train", "upscaler", "--data", str(photos), "--run", str(run), *sets("max_steps=3"))
    assert first.returncode == 0, first.stderr
    assert json.loads((run / "status.json").read_text())["step"] == 3
    again = lookbook("train", "upscaler", "--data", str(photos), "--run", str(run), *sets("max_steps=3"))
    assert again.returncode == 2 and "use --resume" in again.stderr
    locked = lookbook("train", "upscaler", "--data", str(photos), "--run", str(run), "--resume", "--set", "features=16")
    assert locked.returncode == 2 and "cannot change features" in locked.stderr
    resumed = lookbook("train", "upscaler", "--data", str(photos), "--run", str(run), "--resume", "--set", "max_steps=0")
    assert resumed.returncode == 0, resumed.stderr
    for a, b in zip(weights(run), weights(root / "run")):
        np.testing.assert_array_equal(a, b)
    steps = [json.loads(line)["step"] for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert steps == sorted(steps) and steps.count(3) == 1  # rows past the checkpoint are not repeated


def test_upscale_writes_one_png_per_input(trained, tmp_path):
    root = trained[0]
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name, shape in (("a", (16, 16, 3)), ("b", (12, 20, 3))):
        Image.fromarray(np.full(shape, 90, np.uint8)).save(inputs / f"{name}.png")
    Image.fromarray(np.zeros((10, 10, 3), np.uint8)).save(tmp_path / "c.jpg")
    proc = lookbook("upscale", str(inputs), str(tmp_path / "c.jpg"), "--out", str(tmp_path / "out"), "--model", str(root / "run"))
    assert proc.returncode == 0, proc.stderr
    assert "learned 4x" in proc.stdout
    sizes = {p.stem: Image.open(p).size for p in (tmp_path / "out").iterdir()}
    assert sizes == {"a": (64, 64), "b": (80, 48), "c": (40, 40)}
    proc = lookbook("upscale", str(inputs / "a.png"), "--out", str(tmp_path / "base"), "--model", "lanczos", "--scale", "2")
    assert proc.returncode == 0 and "Lanczos + unsharp" in proc.stdout
    assert Image.open(tmp_path / "base" / "a.png").size == (32, 32)


@pytest.mark.parametrize(
    "args, message",
    [
        (["upscale", "missing.png", "--out", "x"], "does not exist"),
        (["upscale", "README.md", "--out", "x", "--model", "lanczos"], "not a readable image"),
        (["upscale", "README.md", "--out", "x", "--scale", "20"], "--scale must be 1..8"),
        (["train", "upscaler", "--data", "missing", "--run", "x"], "not a folder of photos"),
        (["train", "upscaler", "--data", ".", "--run", "x", "--set", "patch_px=30"], "multiple of 4"),
    ],
)
def test_bad_input_is_one_line(args, message, tmp_path):
    args = [str(tmp_path / a) if a in ("x", "missing", "missing.png") else a for a in args]
    proc = lookbook(*args)
    assert proc.returncode == 2 and message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
