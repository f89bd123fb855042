"""Source loaders on the real fixtures and on built trees with bad input: reasons counted, good records kept."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

from lookbook.data import deepfashion2 as df2
from lookbook.data import folders, fpid
from lookbook.data.loader import SKIP_NO_IMAGE
from lookbook.data.schema import RECORD_COLUMNS
from lookbook.data.sources import SKIP_DUPLICATE, SourceSpec, load_source, load_sources, sample_records
from lookbook.data.taxonomy import DF2_CATEGORY_NAMES, UNMAPPED, category_for, slot_for
from lookbook.errors import LookbookError
from tests.data.trees import colour_image, df2_item, make_df2_tree, make_folder_tree, make_fpid_tree, save, write_json

FIXTURE_FOLDER_CLASSES = ["dress", "hat", "longsleeve", "outwear", "pants", "shirt", "shoes", "shorts", "skirt", "t-shirt"]
DF2_COMPARED = ["item", *[f"box_{c}" for c in ("x1", "y1", "x2", "y2")], "source_label", "category", "slot"]
DF2_COMPARED += ["landmarks", "n_landmarks", "segmentation", "style", "pair_id"]


# ---------------------------------------------------------------- taxonomy against the real data


def test_every_real_fpid_article_type_maps(fixtures_dir):
    with open(fixtures_dir / "fpid" / "styles.csv", encoding="utf-8") as f:
        types = {line.split(",")[4] for line in list(f)[1:] if line.strip()}
    assert len(types) == 143
    unmapped = sorted(t for t in types if category_for("fpid", t) == UNMAPPED)
    assert unmapped == []


@pytest.mark.parametrize(
    ("article_type", "category", "slot"),
    [
        ("Dresses", "dress", "one-piece"),
        ("Skirts", "skirt", "bottom"),
        ("Jumpsuit", "jumpsuit", "one-piece"),
        ("Capris", "capris", "bottom"),
        ("Leggings", "leggings", "bottom"),
        ("Kurtis", "kurti", "top"),
        ("Tunics", "kurti", "top"),
        ("Sarees", "saree", "one-piece"),
        ("Dupatta", "dupatta", "accessory"),
        ("Night suits", "nightwear", "one-piece"),
        ("Lounge Pants", "nightwear", "one-piece"),
        ("Earrings", "earrings", "accessory"),
        ("Pendant", "necklace", "accessory"),
        ("Ring", "ring", "accessory"),
        ("Bangle", "bracelet", "accessory"),
        ("Caps", "hat", "accessory"),
        ("Bra", "innerwear", "none"),
        ("Lipstick", "other", "none"),
        ("Perfume and Body Mist", "other", "none"),
        ("Fragrance Gift Set", "other", "none"),
    ],
)
def test_catalogue_article_types_get_a_category_and_slot(article_type, category, slot):
    assert category_for("fpid", article_type) == category
    assert slot_for(category) == slot


def test_all_deepfashion2_ids_and_names_map(fixtures_dir):
    coco = json.loads((fixtures_dir / "deepfashion2-coco" / "annotations" / "deepfashion2.json").read_text())
    assert sorted(DF2_CATEGORY_NAMES) == list(range(1, 14))
    for cat_id, name in DF2_CATEGORY_NAMES.items():
        by_id = category_for("deepfashion2", cat_id)
        assert by_id != UNMAPPED
        assert category_for("deepfashion2", name) == by_id
        coco_name = name.replace(" sleeve ", " sleeved ").replace(" ", "_")  # e.g. long_sleeved_dress
        assert category_for("deepfashion2", coco_name) == by_id
    for cat in coco["categories"]:
        assert category_for("deepfashion2", cat["name"]) == category_for("deepfashion2", cat["id"])


def test_the_fixture_folder_classes_map(fixtures_dir):
    classes = sorted(p.name for p in (fixtures_dir / "clothing-folders" / "train").iterdir() if p.is_dir())
    assert classes == FIXTURE_FOLDER_CLASSES
    assert all(category_for("folder", c) != UNMAPPED for c in classes)


# ---------------------------------------------------------------- real fixtures


def test_real_styles_csv_loads_every_row_and_recovers_malformed_lines(fixtures_dir):
    styles, report = fpid.read_styles(fixtures_dir / "fpid" / "styles.csv")
    assert len(styles) == 44_446
    assert styles["product_id"].is_unique
    assert report.repaired == {fpid.REPAIR_MALFORMED: 22}
    assert report.n_skipped == 0
    names = styles.set_index("product_id")["product_name"]
    assert names[44065] == "Boss Men Perfume, After Shave Balm and Shower Gel Set"  # 11 fields, line 6044
    assert names[23124] == "Converse Unisex Navy Blue Liv,Laugh,Love Flip-flops"  # 12 fields
    assert names[23127] == "Converse Unisex Green Live, Life, Laugh Flip Flops"  # 12 fields
    assert names[7491] == "Nike Women's EM Tempo 3.5\" Pink Short"  # bare quote kept
    # literal NA and empty fields are missing values, never the text "NA"
    assert not (styles[["usage", "base_colour", "product_name", "season"]] == "NA").any().any()
    assert styles["usage"].isna().sum() == 317 and styles["season"].isna().sum() == 21
    assert styles["year"].isna().sum() == 1 and styles["year"].dropna().between(2007, 2019).all()
    # the recovered rows agree with a careful manual parse of the same lines
    raw = (fixtures_dir / "fpid" / "styles.csv").read_text(encoding="utf-8").splitlines()[1:]
    manual = {int(line.split(",", 9)[0]): line.split(",", 9)[9] for line in raw if line.count(",") > 9}
    assert len(manual) == 22
    assert all(names[pid] == name for pid, name in manual.items())


def test_real_fpid_records_only_for_rows_with_images(fixtures_dir):
    records, report = fpid.load_fpid(fixtures_dir / "fpid")
    n_images = len(list((fixtures_dir / "fpid" / "images").glob("*.jpg")))
    assert len(records) == n_images == 6923
    assert report.skipped[SKIP_NO_IMAGE] == 44_446 - 6923
    assert list(records.columns) == list(RECORD_COLUMNS)
    assert records["record_id"].is_unique
    assert (records["category"] != UNMAPPED).all()
    row = records.set_index("product_id").loc[15970]
    assert row["image_path"].endswith("images/15970.jpg") and row["category"] == "shirt" and row["slot"] == "top"
    assert records["box_x1"].isna().all()


def test_real_fpid_fullsize(fixtures_dir):
    records, report = fpid.load_fpid(fixtures_dir / "fpid-fullsize")
    assert len(records) == len(list((fixtures_dir / "fpid-fullsize" / "images").iterdir()))
    assert report.n_skipped == 0
    assert set(records["category"]) >= {"tshirt", "jeans", "backpack", "shirt"}


def test_both_deepfashion2_forms_give_identical_records(fixtures_dir):
    raw, raw_report = df2.load_deepfashion2(fixtures_dir / "deepfashion2")
    coco, coco_report = df2.load_deepfashion2_coco(fixtures_dir / "deepfashion2-coco" / "annotations" / "deepfashion2.json")
    assert len(raw) == len(coco) == 2
    assert raw_report.n_skipped == coco_report.n_skipped == 0
    pd.testing.assert_frame_equal(raw[DF2_COMPARED], coco[DF2_COMPARED])
    first = raw.iloc[0]
    assert first["record_id"] == "deepfashion2:validation:000264:1" and first["split"] == "validation"
    assert (first["box_x1"], first["box_y1"], first["box_x2"], first["box_y2"]) == (103, 80, 704, 749)
    assert first["category"] == "dress" and first["source_label"] == "long sleeve dress"
    assert len(json.loads(first["landmarks"])) == 3 * 37 and first["n_landmarks"] == 28
    assert (first["df2_source"], first["occlusion"], first["viewpoint"]) == ("shop", 2, 2)
    # raw split folders can be given directly too
    single, _ = df2.load_deepfashion2(fixtures_dir / "deepfashion2" / "validation")
    pd.testing.assert_frame_equal(single.drop(columns="source_root"), raw.drop(columns="source_root"))


def test_real_class_folders(fixtures_dir):
    records, report = folders.load_folder(fixtures_dir / "clothing-folders")
    assert len(records) == 3068
    assert records["source_label"].nunique() == 10
    assert (records["split"] == "train").all()
    assert records["record_id"].is_unique
    assert (records["category"] != UNMAPPED).all()
    assert report.n_skipped == 0  # LICENSE.txt beside train/ is not an image and not counted


# ---------------------------------------------------------------- DeepFashion2: bad input


def _df2_with(tmp_path, name, content):
    root = make_df2_tree(tmp_path / "df2", n_images=3)
    annos = root / "train" / "annos"
    if isinstance(content, bytes):
        (annos / name).write_bytes(content)
    else:
        write_json(annos / name, content)
    save(colour_image((1, 2, 3), (100, 90)), root / "train" / "image" / (name[:-5] + ".jpg"))
    return root


GOOD_DF2 = 4  # make_df2_tree(n_images=3): items 1, 2 (two items), 3


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"{not json", df2.SKIP_BAD_JSON),
        (b'{"source": "shop", "item1": {"category_id": 1, "bounding', df2.SKIP_BAD_JSON),  # partial file
        (b"\xff\xfe\x00garbage", df2.SKIP_BAD_JSON),
        (b"[1, 2, 3]", df2.SKIP_BAD_JSON),
        ({"source": "user", "pair_id": 1}, df2.SKIP_NO_ITEMS),
        ({"item1": {"category_id": 1}}, df2.SKIP_MISSING_KEYS),
        ({"item1": {"bounding_box": [1, 2, 30, 40]}}, df2.SKIP_MISSING_KEYS),
        ({"item1": "not an object"}, df2.SKIP_BAD_ITEM),
        ({"item1": df2_item(bounding_box=[1, 2, 3])}, df2.SKIP_BAD_BOX),
        ({"item1": df2_item(bounding_box="1,2,3,4")}, df2.SKIP_BAD_BOX),
    ],
)
def test_bad_deepfashion2_annotations_are_counted_and_good_ones_kept(tmp_path, content, reason):
    records, report = df2.load_deepfashion2(_df2_with(tmp_path, "000099.json", content))
    assert report.skipped[reason] == 1
    assert report.n_skipped == 1
    assert len(records) == GOOD_DF2


def test_bad_item_does_not_lose_its_good_sibling(tmp_path):
    content = {"source": "user", "pair_id": 3, "item1": {"category_id": 2}, "item2": df2_item(2)}
    records, report = df2.load_deepfashion2(_df2_with(tmp_path, "000099.json", content))
    assert report.skipped == {df2.SKIP_MISSING_KEYS: 1}
    assert "deepfashion2:train:000099:2" in set(records["record_id"])
    assert len(records) == GOOD_DF2 + 1


def test_malformed_landmarks_are_dropped_not_the_item(tmp_path):
    content = {"item1": df2_item(3, landmarks=[1.0, 2.0]), "item2": df2_item(4, segmentation="oops")}
    records, report = df2.load_deepfashion2(_df2_with(tmp_path, "000099.json", content))
    assert report.repaired == {df2.REPAIR_LANDMARKS: 1, df2.REPAIR_SEGMENTATION: 1}
    rows = records.set_index("record_id")
    assert pd.isna(rows.loc["deepfashion2:train:000099:1", "landmarks"])
    assert pd.isna(rows.loc["deepfashion2:train:000099:2", "segmentation"])
    assert len(records) == GOOD_DF2 + 2


def test_annotation_without_image_is_counted(tmp_path):
    root = make_df2_tree(tmp_path / "df2", n_images=3)
    (root / "train" / "image" / "000002.jpg").unlink()
    records, report = df2.load_deepfashion2(root)
    assert report.skipped == {SKIP_NO_IMAGE: 2}  # both items of image 2
    assert len(records) == GOOD_DF2 - 2


def test_unknown_category_is_kept_as_unmapped(tmp_path):
    content = {"item1": df2_item(42, category_name="cape")}
    records, report = df2.load_deepfashion2(_df2_with(tmp_path, "000099.json", content))
    assert report.unmapped_labels == {"deepfashion2:cape": 1}
    assert records.set_index("record_id").loc["deepfashion2:train:000099:1", "category"] == UNMAPPED
    assert len(records) == GOOD_DF2 + 1


def test_deepfashion2_filters(tmp_path):
    root = make_df2_tree(tmp_path / "df2", n_images=4)
    make_df2_tree(root, n_images=2, split="validation")
    write_json(
        root / "train" / "annos" / "000001.json",
        {"item1": df2_item(1, occlusion=3), "item2": df2_item(1, box=(0, 0, 5, 50)), "item3": df2_item(1, viewpoint=1)},
    )
    everything, _ = df2.load_deepfashion2(root)
    assert set(everything["split"]) == {"train", "validation"}
    only_val, _ = df2.load_deepfashion2(root, df2.Df2Filter(splits=("val",)))
    assert set(only_val["split"]) == {"validation"}
    filtered, report = df2.load_deepfashion2(root, df2.Df2Filter(splits=("train",), max_occlusion=2, min_box_px=10))
    assert report.skipped == {df2.FILTERED + "occlusion": 1, df2.FILTERED + "min_box_px": 1}
    assert len(filtered) == (everything["split"] == "train").sum() - 2
    trousers, _ = df2.load_deepfashion2(root, df2.Df2Filter(categories=("trousers",)))
    assert set(trousers["source_label"]) == {"trousers"}
    by_id, _ = df2.load_deepfashion2(root, df2.Df2Filter(categories=("8",)))
    assert by_id["record_id"].tolist() == trousers["record_id"].tolist()
    _, report = df2.load_deepfashion2(root, df2.Df2Filter(viewpoints=(2,)))
    assert report.skipped == {df2.FILTERED + "viewpoint": 1}
    with pytest.raises(LookbookError, match="unknown DeepFashion2 split"):
        df2.Df2Filter(splits=("dev",)).validate()
    with pytest.raises(LookbookError, match="unknown category"):
        df2.Df2Filter(categories=("cape",)).validate()


def _coco(tmp_path, annotations, images=None):
    root = tmp_path / "coco"
    for stem in ("000001", "000002"):
        save(colour_image((5, 5, 5), (100, 90)), root / "image" / f"{stem}.jpg")
    images = images or [{"id": 1, "file_name": "000001.jpg"}, {"id": 2, "file_name": "000002.jpg"}]
    return write_json(root / "annotations" / "train.json", {"images": images, "annotations": annotations, "categories": []})


def _coco_ann(image_id, cat=8, **extra):
    keypoints = [0.0] * (294 * 3)
    offset = df2.LANDMARK_OFFSETS[cat] * 3
    for j in range(df2.LANDMARK_COUNTS[cat]):
        keypoints[offset + 3 * j : offset + 3 * j + 3] = [10.0 + j, 20.0, 2.0]
    return {"image_id": image_id, "category_id": cat, "bbox": [10, 20, 30, 40], "keypoints": keypoints, **extra}


def test_coco_keypoints_are_sliced_per_category(tmp_path):
    path = _coco(tmp_path, [_coco_ann(1, 8), _coco_ann(1, 1), _coco_ann(2, 13)])
    records, report = df2.load_deepfashion2_coco(path)
    assert report.n_skipped == 0
    assert records["record_id"].tolist() == [
        "deepfashion2:train:000001:1",
        "deepfashion2:train:000001:2",
        "deepfashion2:train:000002:1",
    ]
    for (_, row), cat in zip(records.iterrows(), (8, 1, 13)):
        lm = json.loads(row["landmarks"])
        assert len(lm) == 3 * df2.LANDMARK_COUNTS[cat] and lm[:3] == [10.0, 20.0, 2.0]
        assert row["n_landmarks"] == df2.LANDMARK_COUNTS[cat]
        assert (row["box_x1"], row["box_y1"], row["box_x2"], row["box_y2"]) == (10, 20, 40, 60)


def test_coco_split_comes_from_the_file_name_and_can_be_filtered(tmp_path):
    path = _coco(tmp_path, [_coco_ann(1), _coco_ann(2)])
    records, _ = df2.load_deepfashion2_coco(path, df2_filter=df2.Df2Filter(splits=("train",)))
    assert set(records["split"]) == {"train"} and len(records) == 2
    records, report = df2.load_deepfashion2_coco(path, df2_filter=df2.Df2Filter(splits=("validation",)))
    assert records.empty and report.skipped == {df2.FILTERED + "split": 2}


def test_coco_bad_annotations_are_counted(tmp_path):
    anns = [_coco_ann(1), _coco_ann(7), "junk", {"image_id": 2, "category_id": 1}, _coco_ann(2, keypoints=[1, 2])]
    records, report = df2.load_deepfashion2_coco(_coco(tmp_path, anns))
    assert report.skipped == {df2.SKIP_UNKNOWN_IMAGE: 1, df2.SKIP_BAD_ITEM: 1, df2.SKIP_MISSING_KEYS: 1}
    assert report.repaired == {df2.REPAIR_LANDMARKS: 1}
    assert len(records) == 2


def test_coco_whole_file_problems_are_one_line_errors(tmp_path):
    path = _coco(tmp_path, [_coco_ann(1)])
    with pytest.raises(LookbookError, match="does not exist"):
        df2.load_deepfashion2_coco(tmp_path / "nope.json")
    path.write_text('{"images": [')  # partial file
    with pytest.raises(LookbookError, match="not valid JSON"):
        df2.load_deepfashion2_coco(path)
    path.write_text('{"images": []}')
    with pytest.raises(LookbookError, match="not a COCO file"):
        df2.load_deepfashion2_coco(path)
    write_json(path, {"images": [], "annotations": []})
    with pytest.raises(LookbookError, match="images of"):
        df2.load_deepfashion2_coco(path, image_dir=tmp_path / "nowhere")


def test_deepfashion2_structure_errors(tmp_path):
    with pytest.raises(LookbookError, match="does not exist"):
        df2.load_deepfashion2(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(LookbookError, match="no DeepFashion2 annotations"):
        df2.load_deepfashion2(tmp_path / "empty")
    root = make_df2_tree(tmp_path / "df2", n_images=1)
    for f in (root / "train" / "image").iterdir():
        f.unlink()
    (root / "train" / "image").rmdir()
    with pytest.raises(LookbookError, match="images of"):
        df2.load_deepfashion2(root)


# ---------------------------------------------------------------- FPID: bad input

GOOD_LINES = [
    "1,Men,Apparel,Topwear,Tshirts,Blue,Summer,2012,Casual,Good Tee",
    "2,Women,Footwear,Shoes,Heels,Red,Fall,2011.0,Party,Good Heels",
    "3,Women,Accessories,Bags,Handbags,Black,,,NA,Good Bag",
]


def _fpid(tmp_path, extra_lines, image_ids=(1, 2, 3), raw_tail: bytes = b""):
    root = make_fpid_tree(tmp_path / "fpid", GOOD_LINES + extra_lines, list(image_ids))
    if raw_tail:
        with open(root / "styles.csv", "ab") as f:
            f.write(raw_tail)
    return root


def test_fpid_values_are_parsed(tmp_path):
    records, report = fpid.load_fpid(_fpid(tmp_path, []))
    assert report.n_skipped == 0 and not report.repaired
    rows = records.set_index("product_id")
    assert rows.loc[2, "year"] == 2011  # "2011.0"
    assert pd.isna(rows.loc[3, "season"]) and pd.isna(rows.loc[3, "year"]) and pd.isna(rows.loc[3, "usage"])  # "", "", NA
    assert rows.loc[1, "category"] == "tshirt" and rows.loc[2, "category"] == "heels"


@pytest.mark.parametrize(
    "line, kind, reason, product_name",
    [
        (
            "4,Men,Apparel,Topwear,Shirts,White,Fall,2012,Casual,Shirt, with, commas",
            "repaired",
            fpid.REPAIR_MALFORMED,
            "Shirt, with, commas",
        ),
        ('4,Men,Apparel,Topwear,Shirts,White,Fall,2012,Casual,"Quoted, properly"', None, None, "Quoted, properly"),
        ('4,Men,Apparel,Topwear,Shirts,White,Fall,2012,Casual,Nike 3.5" Short', None, None, 'Nike 3.5" Short'),
        ("4,Men,Apparel,Topwear,Shirts,White,Fall,abc,Casual,Bad year", "repaired", fpid.REPAIR_YEAR, "Bad year"),
        ("4,Men,Apparel,Topwear", "skipped", fpid.SKIP_MALFORMED, None),
        ("x4,Men,Apparel,Topwear,Shirts,White,Fall,2012,Casual,Bad id", "skipped", fpid.SKIP_BAD_ID, None),
        ("1,Men,Apparel,Topwear,Shirts,White,Fall,2012,Casual,Duplicate", "skipped", fpid.SKIP_DUPLICATE_ID, None),
        ("4,Men,Apparel,Topwear,Capes,White,Fall,2012,Casual,Unknown type", "unmapped", "fpid:Capes", "Unknown type"),
    ],
)
def test_fpid_bad_lines(tmp_path, line, kind, reason, product_name):
    _, report = fpid.read_styles(_fpid(tmp_path, [line], image_ids=(1, 2, 3, 4)) / "styles.csv")
    records, load_report = fpid.load_fpid(tmp_path / "fpid")
    counts = {"repaired": report.repaired, "skipped": report.skipped, "unmapped": load_report.unmapped_labels}
    if kind:
        assert counts[kind] == {reason: 1}
    else:
        assert report.n_skipped == 0 and not report.repaired
    assert set(records["product_id"]) >= {1, 2, 3}  # good in == good out
    if product_name is None:
        assert len(records) == 3
    else:
        assert records.set_index("product_id").loc[4, "product_name"] == product_name


def test_fpid_non_utf8_bytes_are_replaced_and_counted(tmp_path):
    tail = "4,Women,Apparel,Topwear,Tops,Red,Fall,2012,Casual,Caf\u00e9 top\n".encode("latin-1")  # 0xE9 is not UTF-8
    root = _fpid(tmp_path, [], image_ids=(1, 2, 3, 4), raw_tail=tail)
    records, report = fpid.load_fpid(root)
    assert report.repaired == {fpid.REPAIR_ENCODING: 1}
    assert records.set_index("product_id").loc[4, "product_name"] == "Caf\ufffd top"
    assert len(records) == 4


def test_fpid_rows_without_images_are_counted_not_fatal(tmp_path):
    records, report = fpid.load_fpid(_fpid(tmp_path, [], image_ids=(1, 3)))
    assert report.skipped == {SKIP_NO_IMAGE: 1}
    assert sorted(records["product_id"]) == [1, 3]
    styles, _ = fpid.read_styles(tmp_path / "fpid" / "styles.csv")
    assert len(styles) == 3  # the stats API still sees every row


def test_fpid_structure_errors(tmp_path):
    with pytest.raises(LookbookError, match="does not exist"):
        fpid.load_fpid(tmp_path / "nope")
    root = _fpid(tmp_path, [])
    for f in (root / "images").iterdir():
        f.unlink()
    (root / "images").rmdir()
    with pytest.raises(LookbookError, match="FPID images"):
        fpid.load_fpid(root)
    (root / "styles.csv").write_text("")
    with pytest.raises(LookbookError, match="is empty"):
        fpid.read_styles(root / "styles.csv")
    (root / "styles.csv").write_text("a,b,c\n1,2,3\n")
    with pytest.raises(LookbookError, match="no product_id or article_type column"):
        fpid.read_styles(root / "styles.csv")
    (root / "styles.csv").unlink()
    with pytest.raises(LookbookError, match=r"styles\.csv does not exist"):
        fpid.read_styles(root / "styles.csv")


def test_styles_csv_with_crlf_and_bom(tmp_path):
    root = tmp_path / "f"
    root.mkdir()
    text = "\ufeff" + "\r\n".join(
        ["id,gender,masterCategory,subCategory,articleType,baseColour,season,year,usage,productDisplayName", *GOOD_LINES]
    )
    (root / "styles.csv").write_bytes(text.encode("utf-8"))
    styles, report = fpid.read_styles(root / "styles.csv")
    assert styles["product_id"].tolist() == [1, 2, 3]
    assert styles["product_name"].tolist() == ["Good Tee", "Good Heels", "Good Bag"]
    assert report.n_skipped == 0


# ---------------------------------------------------------------- class folders


def test_folder_splits_unmapped_and_stray_files(tmp_path):
    root = tmp_path / "clothes"
    make_folder_tree(root / "train", {"jeans": 2, "capes": 1})
    make_folder_tree(root / "val", {"jeans": 1})
    make_folder_tree(root, {"Sneakers": 1})
    (root / "train" / "jeans" / "notes.txt").write_text("hi")
    save(colour_image((1, 1, 1)), root / "train" / "stray.jpg")
    save(colour_image((1, 1, 1)), root / "train" / "jeans" / "nested" / "deep.jpg")
    records, report = folders.load_folder(root)
    assert report.skipped == {folders.SKIP_NOT_IMAGE: 1, folders.SKIP_OUTSIDE_CLASS: 1}
    assert report.unmapped_labels == {"folder:capes": 1}
    by_split = records.groupby("split")["record_id"].apply(sorted).to_dict()
    assert by_split["validation"] == ["folder:validation:jeans/jeans_000"]
    assert "folder:train:jeans/nested/deep" in by_split["train"]
    assert by_split["all"] == ["folder:all:Sneakers/Sneakers_000"]
    assert set(records.loc[records["source_label"] == "capes", "category"]) == {UNMAPPED}
    assert len(records) == 6


def test_folder_errors(tmp_path):
    with pytest.raises(LookbookError, match="does not exist"):
        folders.load_folder(tmp_path / "nope")
    (tmp_path / "flat").mkdir()
    save(colour_image((1, 1, 1)), tmp_path / "flat" / "a.jpg")
    with pytest.raises(LookbookError, match="no class folders"):
        folders.load_folder(tmp_path / "flat")
    (tmp_path / "file").write_text("x")
    with pytest.raises(LookbookError, match="is not a folder"):
        folders.load_folder(tmp_path / "file")


# ---------------------------------------------------------------- mixing


def test_load_sources_caps_deterministically_and_stratified(tmp_path):
    root = tmp_path / "clothes"
    make_folder_tree(root, {"jeans": 30, "dress": 10, "hat": 10})
    spec = SourceSpec("folder", str(root))
    full, _ = load_sources([spec])
    capped, _ = load_sources([spec], max_per_source=10, seed=3)
    again, _ = load_sources([spec], max_per_source=10, seed=3)
    other, _ = load_sources([spec], max_per_source=10, seed=4)
    assert len(full) == 50 and len(capped) == 10
    assert capped["record_id"].tolist() == again["record_id"].tolist()
    assert capped["record_id"].tolist() != other["record_id"].tolist()
    assert capped["category"].value_counts().to_dict() == {"jeans": 6, "dress": 2, "hat": 2}
    assert capped["record_id"].tolist() == sorted(capped["record_id"], key=full["record_id"].tolist().index)


def test_load_sources_concatenates_and_drops_duplicates(tmp_path):
    make_folder_tree(tmp_path / "a", {"jeans": 2})
    root = make_df2_tree(tmp_path / "df2", n_images=2)
    specs = [
        SourceSpec("folder", str(tmp_path / "a")),
        SourceSpec("deepfashion2", str(root)),
        SourceSpec("folder", str(tmp_path / "a")),
    ]
    records, report = load_sources(specs)
    assert report.skipped == {SKIP_DUPLICATE: 2}
    assert len(records) == 2 + 3
    assert list(records.columns) == list(RECORD_COLUMNS)
    with pytest.raises(LookbookError, match="do not apply"):
        load_source(SourceSpec("folder", str(tmp_path / "a"), df2_filter=df2.Df2Filter()))
    with pytest.raises(LookbookError, match="no sources"):
        load_sources([])


def test_sample_records_keeps_small_sources_whole():
    frame = pd.DataFrame({"record_id": list("abc"), "category": ["x", "y", "y"]})
    assert sample_records(frame, 5) is frame
    assert len(sample_records(frame, 2, seed=1)) == 2


def test_source_progress_reaches_the_total(tmp_path):
    make_folder_tree(tmp_path / "a", {"jeans": 3, "hat": 2})
    calls = []
    load_sources([SourceSpec("folder", str(tmp_path / "a"))], progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (5, 5)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_real_styles_csv_module_is_csv_compatible(fixtures_dir):
    """Where the standard csv module can parse a line, our reader agrees with it."""
    styles, _ = fpid.read_styles(fixtures_dir / "fpid" / "styles.csv")
    with open(fixtures_dir / "fpid" / "styles.csv", encoding="utf-8", newline="") as f:
        rows = [r for r in csv.reader(f)][1:]
    good = {int(r[0]): r[4] for r in rows if len(r) == 10}
    types = styles.set_index("product_id")["article_type"]
    assert all(types[k] == v for k, v in good.items())
