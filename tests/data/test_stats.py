"""Dataset statistics: exact counts on hand-made records, consistency on fake ones, real FPID styles.csv, the CLI text."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from lookbook.data import stats
from lookbook.data.schema import make_records
from lookbook.data.taxonomy import DF2_CATEGORY_NAMES, SLOTS
from lookbook.errors import LookbookError
from tests.ui.fakes import FAKE_REPORT, fake_dataset, fake_records


def _df2(split, image, item, label, **attrs):
    row = {
        "record_id": f"deepfashion2:{split}:{image}:{item}",
        "source": "deepfashion2",
        "source_root": "/df2",
        "split": split,
        "image_path": f"/df2/{split}/image/{image}.jpg",
        "item": item,
        "box_x1": 0,
        "box_y1": 0,
        "box_x2": 10,
        "box_y2": 10,
        "source_label": label,
        "category": "dress" if "dress" in str(label) else "top",
        "slot": "one-piece" if "dress" in str(label) else "top",
    }
    return row | attrs


def _fpid(pid, article, **attrs):
    return {
        "record_id": f"fpid:all:{pid}",
        "source": "fpid",
        "source_root": "/fpid",
        "split": "all",
        "image_path": f"/fpid/images/{pid}.jpg",
        "source_label": article,
        "article_type": article,
        "category": "tshirt" if article == "Tshirts" else "watch",
        "slot": "top" if article == "Tshirts" else "accessory",
    } | attrs


DF2_ATTRIBUTES = ("n_landmarks", "scale", "occlusion", "zoom_in", "viewpoint", "df2_source")
DF2_ROWS = [  # split, image, item, source label, then DF2_ATTRIBUTES
    ("train", "000001", 1, "long sleeve dress", 10, 1, 2, 1, 2, "shop"),
    ("train", "000001", 2, "short sleeve top", 5, 3, 1, 1, 2, "shop"),
    ("train", "000002", 1, "long_sleeved_dress", 7, 2, 3, 2, 3, "user"),
]


@pytest.fixture()
def records():
    """Two DF2 train images (3 garments), one validation image (1 garment), three FPID products."""
    return make_records(
        [
            *(
                _df2(split, image, item, label, **dict(zip(DF2_ATTRIBUTES, values)))
                for split, image, item, label, *values in DF2_ROWS
            ),
            _df2("validation", "000003", 1, "11", n_landmarks=0, scale=2, occlusion=1, zoom_in=3, viewpoint=1, df2_source="user")
            | {"category": "dress", "slot": "one-piece"},
            _fpid(1, "Tshirts", gender="Men", season="Summer", base_colour="Black"),
            _fpid(2, "Tshirts", gender="Women", season=None, base_colour="Black"),
            _fpid(3, "Watches", gender="Men", season="Winter", base_colour="NA"),
        ]
    )


def test_split_table_counts_images_boxes_landmarks(records):
    table = stats.split_table(records)
    rows = {(r.source, r.split): r for r in table.itertuples()}
    assert list(table["source"]) == ["deepfashion2", "deepfashion2", "fpid", "total"]
    train = rows[("deepfashion2", "train")]
    assert (train.images, train.garments, train.boxes, train.landmarks) == (2, 3, 3, 22)
    val = rows[("deepfashion2", "validation")]
    assert (val.images, val.garments, val.boxes, val.landmarks) == (1, 1, 1, 0)
    fp = rows[("fpid", "all")]
    assert (fp.images, fp.garments, fp.boxes, fp.landmarks) == (3, 3, 0, 0)
    total = rows[("total", "")]
    assert (total.images, total.garments, total.boxes, total.landmarks) == (6, 7, 4, 22)
    assert "total" not in set(stats.split_table(records, total=False)["source"])


@pytest.mark.parametrize(
    "label, expected",
    [
        ("11", 11),
        (11, 11),
        ("long sleeve dress", 11),
        ("long_sleeved_dress", 11),
        ("Short Sleeve Top", 1),
        ("sling-dress", 13),
        ("14", None),
        ("hat", None),
    ],
)
def test_df2_category_id_reads_ids_and_names(label, expected):
    assert stats.df2_category_id(label) == expected


def test_df2_category_counts_cover_all_13_with_zeros(records):
    table = stats.df2_category_counts(records)
    assert set(table["category_id"]) == set(DF2_CATEGORY_NAMES)
    assert set(table["split"]) == {"train", "validation"}
    assert len(table) == 13 * 2
    count = table.set_index(["category_id", "split"])["count"]
    assert count[(11, "train")] == 2 and count[(11, "validation")] == 1 and count[(1, "train")] == 1
    assert int(table["count"].sum()) == 4
    assert table.loc[table["category_id"] == 11, "df2_category"].iloc[0] == "long sleeve dress"


def test_category_and_slot_counts(records):
    cats = stats.category_counts(records)
    assert cats.iloc[0]["category"] == "dress"  # most frequent first
    by = cats.set_index("category")["count"]
    assert by["dress"] == 3 and by["tshirt"] == 2 and by["watch"] == 1 and by["top"] == 1
    assert cats["share"].sum() == pytest.approx(1.0)
    assert cats.set_index("category").loc["tshirt", "display"] == "T-shirt"
    slots = stats.slot_counts(records)
    assert list(slots["slot"]) == [s for s in SLOTS if s in set(slots["slot"])]
    assert slots.set_index("slot")["count"].to_dict() == {"top": 3, "one-piece": 3, "accessory": 1}


def test_category_counts_per_source_root(records):
    table = stats.category_source_counts(records)
    by = table.set_index(["category", "source_name"])["count"]
    assert by[("dress", "deepfashion2 · df2")] == 3 and by[("tshirt", "fpid · fpid")] == 2
    assert table["count"].sum() == len(records)
    assert set(table.columns) == {"category", "display", "source_name", "count"}


def test_image_sizes_per_source_root_read_from_headers(tmp_path):
    from PIL import Image

    rows = []
    for root, size, n in (("small", (60, 80), 3), ("large", (384, 512), 2)):
        for i in range(n):
            path = tmp_path / root / f"{i}.jpg"
            path.parent.mkdir(exist_ok=True)
            Image.new("RGB", size).save(path)
            rows.append(_fpid(len(rows), "Tshirts", source_root=str(tmp_path / root), image_path=str(path)))
    broken = tmp_path / "small" / "broken.jpg"
    broken.write_bytes(b"not an image")
    rows.append(_fpid(99, "Tshirts", source_root=str(tmp_path / "small"), image_path=str(broken)))
    table = stats.image_size_table(make_records(rows)).set_index("source_name")
    small, large = table.loc["fpid · small"], table.loc["fpid · large"]
    assert (small["images"], small["sampled"], small["common_sizes"], small["max_side_px"]) == (4, 3, "60x80 100%", 80)
    assert (large["images"], large["common_sizes"], large["min_side_px"]) == (2, "384x512 100%", 512)


def test_attribute_counts_zero_fill_and_label(records):
    table = stats.attribute_counts(records)
    got = {(r.attribute, r.label): r.count for r in table.itertuples()}
    assert got[("scale", "small")] == 1 and got[("scale", "modest")] == 2 and got[("scale", "large")] == 1
    assert got[("occlusion", "heavy")] == 1 and got[("zoom_in", "none")] == 2 and got[("zoom_in", "large")] == 1
    assert got[("viewpoint", "no wear")] == 1 and got[("viewpoint", "side or back")] == 1
    assert got[("df2_source", "shop")] == 2 and got[("df2_source", "user")] == 2
    for attr in stats.DF2_ATTRIBUTES:
        assert table.loc[table["attribute"] == attr, "count"].sum() == 4


def test_fpid_tables(records):
    arts = stats.article_type_counts(records)
    assert list(arts["article_type"]) == ["Tshirts", "Watches"]
    assert list(arts["count"]) == [2, 1] and list(arts["rank"]) == [1, 2]
    assert list(arts["category"]) == ["tshirt", "watch"]
    assert arts["cumulative_share"].iloc[-1] == pytest.approx(1.0)
    season = stats.fpid_breakdown(records, "season").set_index("value")["count"].to_dict()
    assert season == {"Summer": 1, "Winter": 1, "unknown": 1}
    colour = stats.fpid_breakdown(records, "base_colour").set_index("value")["count"].to_dict()
    assert colour == {"Black": 2, "unknown": 1}  # the literal NA of styles.csv is a missing value


def test_charts_that_do_not_apply_are_empty(records):
    only_fpid = records[records["source"] == "fpid"]
    assert stats.df2_category_counts(only_fpid).empty
    assert stats.attribute_counts(only_fpid).empty
    only_df2 = records[records["source"] == "deepfashion2"]
    assert stats.article_type_counts(only_df2).empty
    assert stats.fpid_breakdown(only_df2, "gender").empty
    empty = records.iloc[:0]
    assert stats.split_table(empty).empty
    assert stats.category_counts(empty).empty


def test_consistency_on_a_large_fake_index():
    rec = fake_records(20_000, seed=3)
    n_df2 = int((rec["source"] == "deepfashion2").sum())
    split = stats.split_table(rec)
    total = split[split["source"] == "total"].iloc[0]
    assert total["garments"] == len(rec)
    assert total["images"] == rec["image_path"].nunique()
    assert total["landmarks"] == int(rec["n_landmarks"].fillna(0).sum())
    assert int(stats.df2_category_counts(rec)["count"].sum()) == n_df2
    assert int(stats.category_counts(rec)["count"].sum()) == len(rec)
    assert int(stats.slot_counts(rec)["count"].sum()) == len(rec)
    attrs = stats.attribute_counts(rec)
    assert (attrs.groupby("attribute")["count"].sum() == n_df2).all()
    arts = stats.article_type_counts(rec)
    assert int(arts["count"].sum()) == int((rec["source"] == "fpid").sum())
    assert arts["count"].is_monotonic_decreasing


def test_accepts_a_dataset_folder_and_a_prepared_dataset(tmp_path):
    root = fake_dataset(tmp_path / "ds", 300)
    from lookbook.data.dataset import PreparedDataset

    by_path = stats.category_counts(root)
    by_ds = stats.category_counts(PreparedDataset.open(root))
    pd.testing.assert_frame_equal(by_path, by_ds)
    with pytest.raises(LookbookError, match="not a prepared dataset"):
        stats.read_index(tmp_path)
    with pytest.raises(LookbookError, match="not a folder"):
        stats.read_index(tmp_path / "missing")


def test_report_tables():
    table = stats.report_table(FAKE_REPORT)
    assert list(zip(table["outcome"], table["reason"], table["count"])) == [
        ("skipped", "corrupt image", 3),
        ("skipped", "image file not found", 2),
        ("repaired", "CMYK converted to RGB", 2),
        ("repaired", "box clipped to image", 1),
    ]
    assert table.iloc[0]["examples"] == ["/data/fpid/images/1.jpg"]
    assert stats.unmapped_table(FAKE_REPORT).to_dict("records") == [{"source": "folder", "label": "mystery", "count": 4}]
    assert stats.report_table({}).empty


def test_format_stats_text(tmp_path):
    root = fake_dataset(tmp_path / "ds", 400)
    text = stats.format_stats(root)
    headings = ["== splits ==", "== DeepFashion2 categories ==", "== unified categories ==", "== outfit slots =="]
    headings += ["== DeepFashion2 attributes ==", "== FPID article types", "== FPID gender ==", "== ingestion report"]
    for heading in headings:
        assert heading in text
    assert "400 garments" in text and "32 px" in text
    assert "long sleeve dress" in text and "corrupt image" in text
    # attribute line lists each label with its count
    rec = stats.read_index(root)
    small = int((rec["scale"] == 1).sum())
    assert f"small={small}" in text


def test_format_stats_on_fpid_only_dataset_skips_df2_sections(tmp_path, tiny_dataset):
    text = stats.format_stats(tiny_dataset.root)
    assert "DeepFashion2" not in text
    assert "== FPID article types" not in text  # the tiny dataset has no article types
    assert "48 garments" in text


def test_real_styles_csv_long_tail(fixtures_dir):
    from lookbook.data.fpid import read_styles

    styles, _ = read_styles(fixtures_dir / "fpid" / "styles.csv")
    arts = stats.article_type_counts(styles)
    assert int(arts["count"].sum()) == int(styles["article_type"].notna().sum())
    assert len(arts) > 100  # the long tail: well over a hundred article types
    assert arts.iloc[0]["article_type"] == "Tshirts"
    head = int((arts["cumulative_share"] < 0.8).sum()) + 1
    assert head < len(arts) / 4  # a few types hold most products
    gender = stats.fpid_breakdown(styles, "gender").set_index("value")["count"]
    assert gender["Men"] > gender["Women"] > gender["Boys"]


@pytest.mark.skipif(importlib.util.find_spec("lookbook.cli.data") is None, reason="lookbook.cli.data not written yet")
def test_cli_data_stats_prints_format_stats(tmp_path):
    root = fake_dataset(tmp_path / "ds", 200)
    run = subprocess.run(
        [sys.executable, "-m", "lookbook", "data", "stats", str(root)], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert "== splits ==" in run.stdout and "200 garments" in run.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "lookbook", "data", "stats", str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert bad.returncode == 2 and bad.stderr.startswith("error:") and len(bad.stderr.strip().splitlines()) == 1


def test_stats_are_json_friendly(records):
    # the app caches these tables; plain dtypes keep them picklable and printable
    for table in (stats.split_table(records), stats.category_counts(records), stats.attribute_counts(records)):
        json.loads(table.to_json())
    assert np.issubdtype(stats.split_table(records)["images"].dtype, np.integer)
