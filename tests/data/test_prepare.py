"""prepare_dataset: row i = image i, bad images reported not indexed, resumable after a kill, idempotent."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest

from lookbook.data import images as img
from lookbook.data.dataset import INDEX_FILE, META_FILE, REPORT_FILE, PreparedDataset, images_file
from lookbook.data.deepfashion2 import load_deepfashion2
from lookbook.data.folders import load_folder
from lookbook.data.prepare import DONE_FILE, build_dataset, prepare_dataset
from lookbook.data.report import IngestReport
from lookbook.data.sources import SourceSpec
from lookbook.errors import LookbookError
from tests.data.trees import REPAIRS, SKIPS, df2_item, make_df2_tree, make_folder_tree, write_json, write_odd_image


class Interrupted(Exception):
    """Raised by a progress hook to simulate a kill part-way through."""


def _kill_after(n_calls: int):
    calls = []

    def hook(done, total):
        calls.append(done)
        if len(calls) > n_calls:
            raise Interrupted

    return hook


def _dataset_files(root):
    """Everything a prepared dataset holds that must be reproducible (dataset.json minus its timestamp)."""
    meta = json.loads((root / META_FILE).read_text())
    meta.pop("created")
    return {
        "images": {p.name: p.read_bytes() for p in sorted(root.glob("images_*.npy"))},
        "index": pd.read_parquet(root / INDEX_FILE),
        "report": json.loads((root / REPORT_FILE).read_text()),
        "meta": meta,
    }


def _assert_same(a, b):
    assert a["images"] == b["images"]
    pd.testing.assert_frame_equal(a["index"], b["index"])
    assert a["report"] == b["report"]
    assert a["meta"] == b["meta"]


@pytest.fixture()
def colour_tree(tmp_path):
    colours = make_folder_tree(tmp_path / "clothes", {"jeans": 7, "dress": 6, "hat": 5})
    return tmp_path / "clothes", colours


def test_row_i_is_image_i_and_bad_rows_are_compacted_out(tmp_path, colour_tree):
    root, colours = colour_tree
    write_odd_image("corrupt", root / "jeans" / "jeans_002b.jpg")  # between good files in name order
    write_odd_image("zero_byte", root / "hat" / "hat_000a.png")
    write_odd_image("gray", root / "dress" / "dress_001b.jpg")
    records, report = load_folder(root)
    ds = prepare_dataset(tmp_path / "ds", records, report, image_size_px=32, workers=1, chunk_records=4)
    assert len(ds) == len(colours) + 1 == ds.images.shape[0]
    failed = {"folder:all:jeans/jeans_002b", "folder:all:hat/hat_000a"}
    assert set(ds.index["record_id"]) == set(records["record_id"]) - failed
    assert ds.index["record_id"].tolist() == [r for r in records["record_id"] if r not in failed]  # source order kept
    for i, record_id in enumerate(ds.index["record_id"]):
        key = record_id.split(":", 2)[2]
        if key in colours:  # the left edge of the (landscape, so full-width) image is the record's own colour
            assert np.abs(ds.images[i, 16, 2].astype(int) - colours[key]).max() <= 3, record_id
    rep = ds.report
    assert rep["skipped"] == {img.SKIP_CORRUPT: 1, img.SKIP_EMPTY: 1}
    assert rep["repaired"] == {img.REPAIR_GRAY: 1}
    assert ds.meta["count"] == len(ds) and ds.meta["records_total"] == len(records)
    assert ds.meta["category_counts"] == {"jeans": 7, "dress": 7, "hat": 5}
    assert ds.meta["sources"] == [{"kind": "folder", "path": str(root.resolve())}]
    assert not (tmp_path / "ds" / ".partial-32").exists()


@pytest.mark.parametrize("kind, name, reason", SKIPS + REPAIRS)
def test_each_bad_image_is_reported_and_good_images_are_unchanged(tmp_path, kind, name, reason):
    root = tmp_path / "clothes"
    make_folder_tree(root, {"jeans": 2, "hat": 1})
    records, report = load_folder(root)
    clean = prepare_dataset(tmp_path / "clean", records, report, image_size_px=32, workers=1)
    write_odd_image(kind, root / "jeans" / name)
    records, report = load_folder(root)
    ds = prepare_dataset(tmp_path / "ds", records, report, image_size_px=32, workers=1)
    skipped = (kind, name, reason) in SKIPS
    counts = ds.report["skipped"] if skipped else ds.report["repaired"]
    assert counts == {reason: 1}
    assert len(ds) == 3 + (0 if skipped else 1)
    good = ds.index["record_id"].isin(clean.index["record_id"]).to_numpy()
    assert np.array_equal(ds.images[good], clean.images)  # good in == good out, pixel for pixel
    assert (PreparedDataset.open(tmp_path / "ds").images.shape[0]) == len(ds.index)


def test_box_problems_are_reported_at_prepare(tmp_path):
    root = make_df2_tree(tmp_path / "df2", n_images=3)
    write_json(
        root / "train" / "annos" / "000003.json",
        {
            "item1": df2_item(1, box=(500, 500, 600, 600)),  # entirely outside the 100x90 image
            "item2": df2_item(1, box=(30, 30, 30, 80)),  # zero width
            "item3": df2_item(1, box=(-50, 10, 40, 70)),  # partly outside: clipped
        },
    )
    records, report = load_deepfashion2(root)
    ds = prepare_dataset(tmp_path / "ds", records, report, image_size_px=32, workers=1)
    assert ds.report["skipped"] == {img.SKIP_OUTSIDE_BOX: 1, img.SKIP_ZERO_BOX: 1}
    assert ds.report["repaired"] == {img.REPAIR_CLIPPED: 1}
    assert ds.index["record_id"].tolist() == [
        "deepfashion2:train:000001:1",
        "deepfashion2:train:000002:1",
        "deepfashion2:train:000002:2",
        "deepfashion2:train:000003:3",
    ]


def test_interrupted_prepare_resumes_to_identical_output(tmp_path, colour_tree):
    root, _ = colour_tree
    write_odd_image("corrupt", root / "dress" / "dress_bad.jpg")
    records, report = load_folder(root)
    reference = prepare_dataset(tmp_path / "ref", records, report, image_size_px=32, workers=1, chunk_records=4)
    out = tmp_path / "ds"
    with pytest.raises(Interrupted):
        prepare_dataset(out, records, report, image_size_px=32, workers=1, chunk_records=4, progress=_kill_after(3))
    assert not (out / INDEX_FILE).exists()
    assert len((out / ".partial-32" / DONE_FILE).read_text().splitlines()) == 3
    # a kill in the middle of writing a log line leaves half a line behind
    with open(out / ".partial-32" / DONE_FILE, "a") as f:
        f.write('{"chunk": 3, "fai')
    calls = []
    resumed = prepare_dataset(
        out, records, report, image_size_px=32, workers=1, chunk_records=4, progress=lambda d, t: calls.append(d)
    )
    assert calls[0] == 12  # 3 chunks of 4 were not redone
    assert calls[-1] == len(records)
    _assert_same(_dataset_files(out), _dataset_files(reference.root))
    assert len(resumed) == len(records) - 1


@pytest.mark.slow
def test_interrupted_parallel_prepare_resumes_to_identical_output(tmp_path, colour_tree):
    root, _ = colour_tree
    records, report = load_folder(root)
    reference = prepare_dataset(tmp_path / "ref", records, report, image_size_px=32, workers=1, chunk_records=3)
    out = tmp_path / "ds"
    with pytest.raises(Interrupted):
        prepare_dataset(out, records, report, image_size_px=32, workers=2, chunk_records=3, progress=_kill_after(2))
    calls = []
    prepare_dataset(out, records, report, image_size_px=32, workers=2, chunk_records=3, progress=lambda d, t: calls.append(d))
    assert calls[0] >= 3 and calls[-1] == len(records)
    _assert_same(_dataset_files(out), _dataset_files(reference.root))


def test_finished_dataset_is_not_redone(tmp_path, colour_tree):
    root, _ = colour_tree
    records, report = load_folder(root)
    ds = prepare_dataset(tmp_path / "ds", records, report, image_size_px=32, workers=1)
    cache = tmp_path / "ds" / images_file(32)
    stamp = cache.stat().st_mtime_ns
    calls = []
    again = prepare_dataset(tmp_path / "ds", records, report, image_size_px=32, workers=1, progress=lambda d, t: calls.append(d))
    assert calls == [] and cache.stat().st_mtime_ns == stamp
    assert again.index.equals(ds.index)


def test_sizes_share_an_index_and_new_records_replace_stale_caches(tmp_path, colour_tree):
    root, _ = colour_tree
    records, report = load_folder(root)
    out = tmp_path / "ds"
    prepare_dataset(out, records, report, image_size_px=32, workers=1)
    ds64 = prepare_dataset(out, records, report, image_size_px=64, workers=1)
    assert ds64.meta["image_sizes_px"] == [32, 64]
    assert len(PreparedDataset.open(out, 32)) == len(PreparedDataset.open(out, 64)) == len(records)
    fewer = records.iloc[:5]
    ds = prepare_dataset(out, fewer, report, image_size_px=32, workers=1)
    assert len(ds) == 5 and ds.meta["image_sizes_px"] == [32]
    assert not (out / images_file(64)).exists()  # it described other records


def test_work_from_other_records_is_discarded(tmp_path, colour_tree):
    root, _ = colour_tree
    records, report = load_folder(root)
    out = tmp_path / "ds"
    with pytest.raises(Interrupted):
        prepare_dataset(out, records.iloc[:9], report, image_size_px=32, workers=1, chunk_records=4, progress=_kill_after(2))
    ds = prepare_dataset(out, records, report, image_size_px=32, workers=1, chunk_records=4)
    reference = prepare_dataset(tmp_path / "ref", records, report, image_size_px=32, workers=1, chunk_records=4)
    _assert_same(_dataset_files(out), _dataset_files(reference.root))
    assert len(ds) == len(records)


def test_loader_report_is_merged_into_report_json(tmp_path, colour_tree):
    root, _ = colour_tree
    records, _ = load_folder(root)
    loader_report = IngestReport()
    loader_report.skip("no image file", "styles.csv id 7")
    ds = prepare_dataset(tmp_path / "ds", records, loader_report, image_size_px=32, workers=1)
    assert ds.report["skipped"] == {"no image file": 1}
    assert ds.meta["skipped_total"] == 1


def test_prepare_input_errors(tmp_path, colour_tree):
    root, _ = colour_tree
    records, report = load_folder(root)
    with pytest.raises(LookbookError, match="image size"):
        prepare_dataset(tmp_path / "a", records, report, image_size_px=48)
    with pytest.raises(LookbookError, match="no records"):
        prepare_dataset(tmp_path / "a", records.iloc[:0], report)
    with pytest.raises(LookbookError, match="unique"):
        prepare_dataset(tmp_path / "a", pd.concat([records, records.iloc[:1]]), report)
    (tmp_path / "file").write_text("x")
    with pytest.raises(LookbookError, match="not a folder"):
        prepare_dataset(tmp_path / "file", records, report)


def test_all_images_failing_gives_an_empty_dataset_with_the_reasons(tmp_path):
    root = tmp_path / "clothes"
    for i in range(3):
        write_odd_image("corrupt", root / "jeans" / f"{i}.jpg")
    records, report = load_folder(root)
    ds = prepare_dataset(tmp_path / "ds", records, report, image_size_px=32, workers=1)
    assert len(ds) == 0 and ds.images.shape == (0, 32, 32, 3)
    assert ds.report["skipped"] == {img.SKIP_CORRUPT: 3}


def test_build_dataset_records_its_sources(tmp_path, colour_tree):
    root, _ = colour_tree
    spec = SourceSpec("folder", str(root))
    ds = build_dataset(tmp_path / "ds", [spec], image_size_px=32, max_per_source=6, seed=2, workers=1)
    assert len(ds) == 6
    assert ds.meta["sources"] == [{"kind": "folder", "path": os.fspath(root.resolve())}]
    assert (ds.meta["seed"], ds.meta["max_per_source"]) == (2, 6)


def test_real_fullsize_images_prepare_in_parallel(tmp_path, fixtures_dir):
    spec = SourceSpec("fpid", str(fixtures_dir / "fpid-fullsize"))
    ds = build_dataset(tmp_path / "ds", [spec], image_size_px=64, workers=2)
    assert len(ds) == len(list((fixtures_dir / "fpid-fullsize" / "images").iterdir()))
    assert ds.report["skipped_total"] == 0
    # product shots on white: the padded border is white and the product is not
    assert ds.images[:, :2].mean() > 240
    assert (ds.images.reshape(len(ds), -1).std(axis=1) > 20).all()
