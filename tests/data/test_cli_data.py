"""Smoke tests of `python -m lookbook data ...` in a subprocess: real fixtures, a built tree, and bad paths (exit 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lookbook.data import images as img
from lookbook.data.dataset import PreparedDataset
from tests.data.trees import make_df2_tree, make_folder_tree, write_odd_image

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "lookbook", "data", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env=env,
    )


def test_prepare_on_a_built_tree_reports_skips_and_is_rerunnable(tmp_path):
    clothes = tmp_path / "clothes"
    make_folder_tree(clothes, {"jeans": 3, "hat": 2})
    write_odd_image("corrupt", clothes / "jeans" / "broken.jpg")
    write_odd_image("cmyk", clothes / "hat" / "cmyk.jpg")
    df2 = make_df2_tree(tmp_path / "df2", n_images=2)
    out = tmp_path / "ds"
    args = ("prepare", "--out", out, "--size", "32", "--folder", clothes, "--df2", df2, "--workers", "1")
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    assert "prepared 9 of 10 records at 32 px" in result.stdout
    assert img.SKIP_CORRUPT in result.stdout and img.REPAIR_CMYK in result.stdout
    assert "preparing 32 px" in result.stderr  # the progress bar
    ds = PreparedDataset.open(out)
    assert len(ds) == 9 and ds.images.shape == (9, 32, 32, 3)
    assert ds.report["skipped"] == {img.SKIP_CORRUPT: 1}
    before = (out / "images_32.npy").stat().st_mtime_ns
    again = run_cli(*args)
    assert again.returncode == 0 and (out / "images_32.npy").stat().st_mtime_ns == before


def test_prepare_on_the_real_fixtures(tmp_path, fixtures_dir):
    out = tmp_path / "ds"
    result = run_cli(
        "prepare",
        "--out",
        out,
        "--fpid",
        fixtures_dir / "fpid-fullsize",
        "--fpid",
        fixtures_dir / "fpid",
        "--df2",
        fixtures_dir / "deepfashion2",
        "--df2-coco",
        fixtures_dir / "deepfashion2-coco" / "annotations" / "deepfashion2.json",
        "--folder",
        fixtures_dir / "clothing-folders",
        "--max-per-source",
        "40",
        "--seed",
        "1",
    )
    assert result.returncode == 0, result.stderr
    ds = PreparedDataset.open(out, 64)
    counts = ds.index["source"].value_counts().to_dict()
    assert counts == {"fpid": 9 + 40, "folder": 40, "deepfashion2": 4}
    assert ds.report["skipped"] == {"no image file": 44_446 - 6923}
    assert ds.report["repaired"] == {"malformed CSV line recovered": 22}
    meta = json.loads((out / "dataset.json").read_text())
    assert [s["kind"] for s in meta["sources"]] == ["fpid", "fpid", "deepfashion2", "deepfashion2-coco", "folder"]
    assert meta["seed"] == 1 and meta["max_per_source"] == 40 and meta["count"] == len(ds)
    assert np.all(ds.images.reshape(len(ds), -1).std(axis=1) > 5)  # every cached image has content
    index = pd.read_parquet(out / "index.parquet")
    assert index["record_id"].is_unique


def test_prepare_with_deepfashion2_filters(tmp_path, fixtures_dir):
    out = tmp_path / "ds"
    result = run_cli("prepare", "--out", out, "--size", "32", "--df2", fixtures_dir / "deepfashion2", "--split", "validation")
    assert result.returncode == 0, result.stderr
    assert len(PreparedDataset.open(out)) == 2
    result = run_cli("prepare", "--out", out, "--df2", fixtures_dir / "deepfashion2", "--split", "train")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: ") and "chosen splits" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (("prepare", "--out", "{tmp}/ds", "--fpid", "{tmp}/missing"), "does not exist"),
        (("prepare", "--out", "{tmp}/ds", "--df2", "{tmp}/missing"), "does not exist"),
        (("prepare", "--out", "{tmp}/ds", "--df2-coco", "{tmp}/missing.json"), "does not exist"),
        (("prepare", "--out", "{tmp}/ds", "--folder", "{tmp}/missing"), "does not exist"),
        (("prepare", "--out", "{tmp}/ds"), "no sources given"),
        (("stats", "{tmp}/missing"), "does not exist"),
        (("stats", "{tmp}"), "not a prepared dataset"),
    ],
)
def test_missing_roots_are_one_line_errors(tmp_path, args, message):
    result = run_cli(*(a.format(tmp=tmp_path) for a in args), timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.stderr


def test_all_images_bad_is_an_error_after_the_summary(tmp_path):
    for i in range(2):
        write_odd_image("zero_byte", tmp_path / "clothes" / "jeans" / f"{i}.jpg")
    result = run_cli("prepare", "--out", tmp_path / "ds", "--folder", tmp_path / "clothes", "--workers", "1")
    assert result.returncode == 2
    assert img.SKIP_EMPTY in result.stdout
    assert result.stderr.strip().splitlines()[-1].startswith("error: no usable images")


def test_stats_prints_for_a_prepared_dataset(tmp_path):
    make_folder_tree(tmp_path / "clothes", {"jeans": 2, "dress": 2})
    assert run_cli("prepare", "--out", tmp_path / "ds", "--size", "32", "--folder", tmp_path / "clothes").returncode == 0
    result = run_cli("stats", tmp_path / "ds")
    if "is not available" in result.stderr:
        pytest.skip("lookbook.data.stats is not in this checkout")
    assert result.returncode == 0, result.stderr
    assert "jeans" in result.stdout.lower()


@pytest.mark.slow
def test_synth_then_prepare_end_to_end(tmp_path):
    raw = tmp_path / "raw"
    result = run_cli("synth", "--out", raw, "--images", "12", "--seed", "3")
    if "is not available" in result.stderr:
        pytest.skip("lookbook.data.synth is not in this checkout")
    assert result.returncode == 0, result.stderr
    result = run_cli("prepare", "--out", tmp_path / "ds", "--size", "32", "--df2", raw / "deepfashion2", "--fpid", raw / "fpid")
    assert result.returncode == 0, result.stderr
    ds = PreparedDataset.open(tmp_path / "ds")
    assert len(ds) >= 12 and ds.report["skipped_total"] == 0
    assert set(ds.index["source"]) == {"deepfashion2", "fpid"}


def test_progress_bar_lines():
    import io

    from lookbook.cli.data import ProgressBar

    stream = io.StringIO()
    bar = ProgressBar("loading", stream=stream)
    for done in range(4):
        bar(done, 3)
    bar(0, 10)  # a new phase
    bar(10, 10)
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("loading [") and lines[0].rstrip().endswith("0/3   0%")
    assert any("3/3 100%" in line for line in lines)
    assert lines[-1].startswith("loading [" + "#" * 30 + "] 10/10 100%")
