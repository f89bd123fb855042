"""Hostile source files: each is a counted, reported skip with every good record kept, or a one-line error (exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from PIL import Image

from lookbook.cli import main
from lookbook.data import deepfashion2 as df2
from lookbook.data import images as img
from tests.conftest import ROOT
from tests.data import trees
from tests.hardening.helpers import MEMORY_CAP_MB, assert_one_line_error, run_capped

DEEP = 100_000  # levels of nesting: far past the interpreter's recursion limit


def _report(out) -> dict:
    return json.loads((out / "report.json").read_text())


def test_a_deeply_nested_annotation_is_skipped_and_the_good_records_kept(tmp_path, capsys):
    src = trees.make_df2_tree(tmp_path / "df2", n_images=3)  # 4 items in 3 images
    annos = src / "train" / "annos"
    (annos / "000002.json").write_text("[" * DEEP + "]" * DEEP)  # its image stays: its 2 items are lost, no others
    (annos / "000009.json").write_text('{"item1": ' + '{"a": ' * DEEP + "1" + "}" * DEEP + "}")
    out = tmp_path / "out"
    assert main(["data", "prepare", "--out", str(out), "--df2", str(src), "--size", "32", "--workers", "1"]) == 0
    assert "Traceback" not in capsys.readouterr().err
    report = _report(out)
    assert report["skipped"][df2.SKIP_BAD_JSON] == 2
    assert all("nested deeper than" in e for e in report["examples"][f"skipped: {df2.SKIP_BAD_JSON}"])
    assert json.loads((out / "dataset.json").read_text())["count"] == 2  # items of 000001 and 000003


def test_a_deeply_nested_coco_file_is_a_one_line_error(tmp_path, capsys):
    coco = tmp_path / "annotations" / "train.json"
    coco.parent.mkdir()
    coco.write_text('{"images": ' + "[" * DEEP + "]" * DEEP + "}")
    (tmp_path / "image").mkdir()
    assert main(["data", "prepare", "--out", str(tmp_path / "out"), "--df2-coco", str(coco)]) == 2
    assert_one_line_error(capsys.readouterr().err, str(coco), "nested too deeply")


def test_a_45000x1_png_is_skipped_before_decoding_in_bounded_memory(tmp_path):
    src = tmp_path / "folder"
    trees.make_folder_tree(src, {"tshirt": 2, "jeans": 2})
    Image.new("RGB", (45_000, 1), (10, 20, 30)).save(src / "tshirt" / "thin.png")  # 216 bytes on disk
    out = tmp_path / "out"
    started = time.monotonic()
    result = run_capped("data", "prepare", "--out", out, "--folder", src, "--size", "32", "--workers", "1")
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 60
    report = _report(out)
    assert report["skipped"] == {img.SKIP_ASPECT: 1} and "45000x1 px" in report["examples"][f"skipped: {img.SKIP_ASPECT}"][0]
    assert json.loads((out / "dataset.json").read_text())["count"] == 4


def test_padding_a_wide_image_never_allocates_the_full_square(tmp_path):
    wide = tmp_path / "wide.png"
    Image.new("RGB", (16_000, 1_000), (10, 20, 30)).save(wide)  # aspect 16: kept; its square would be 768 MB
    code = (
        "import resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_CAP_MB // 2 << 20}, {MEMORY_CAP_MB // 2 << 20}))\n"
        "from lookbook.data.images import load_crop\n"
        f"crop = load_crop({str(wide)!r}, None, 64)\n"
        "print(crop.skip, crop.image[0, 0].tolist(), crop.image[32, 32].tolist())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["None", "[255,", "255,", "255]", "[10,", "20,", "30]"]  # white pad above, garment across


def test_a_header_only_styles_csv_writes_its_report_and_says_why(tmp_path, capsys):
    src = trees.make_fpid_tree(tmp_path / "fpid", [], [])
    (src / "images").mkdir()
    out = tmp_path / "out"
    assert main(["data", "prepare", "--out", str(out), "--fpid", str(src)]) == 2
    assert_one_line_error(capsys.readouterr().err, "no records to prepare", "the sources list no items", str(out / "report.json"))
    assert _report(out)["skipped_total"] == 0


def test_an_annotation_that_is_a_list_is_counted_in_the_report_written_when_nothing_is_kept(tmp_path, capsys):
    src = trees.make_df2_tree(tmp_path / "df2", n_images=1)
    (src / "train" / "annos" / "000001.json").write_text("[1, 2, 3]")
    out = tmp_path / "out"
    assert main(["data", "prepare", "--out", str(out), "--df2", str(src)]) == 2
    assert_one_line_error(capsys.readouterr().err, "all 1 items were skipped", f"{df2.SKIP_BAD_JSON}: 1")
    report = _report(out)
    assert report["skipped"] == {df2.SKIP_BAD_JSON: 1}
    assert "not an object" in report["examples"][f"skipped: {df2.SKIP_BAD_JSON}"][0]
    assert not (out / "index.parquet").exists()


def test_nothing_to_prepare_leaves_an_existing_dataset_and_its_report_alone(tmp_path, capsys):
    good = trees.make_df2_tree(tmp_path / "good", n_images=2)
    out = tmp_path / "out"
    assert main(["data", "prepare", "--out", str(out), "--df2", str(good), "--size", "32", "--workers", "1"]) == 0
    before = (out / "report.json").read_bytes()
    bad = trees.make_df2_tree(tmp_path / "bad", n_images=1)
    (bad / "train" / "annos" / "000001.json").write_text("[]")
    assert main(["data", "prepare", "--out", str(out), "--df2", str(bad)]) == 2
    assert (out / "report.json").read_bytes() == before
