"""Tests for the built-in procedural dataset: geometry, annotation format, determinism, layout, loaders, CLI."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from lookbook.data import synth
from lookbook.data.taxonomy import DF2_CATEGORY_NAMES, UNMAPPED, category_for
from lookbook.errors import LookbookError

ROOT = Path(__file__).resolve().parents[2]
N_IMAGES = 200  # enough for every category in both trees
ITEM_KEYS = [
    "segmentation",
    "scale",
    "viewpoint",
    "zoom_in",
    "landmarks",
    "style",
    "bounding_box",
    "category_id",
    "occlusion",
    "category_name",
]
# the categories the task and the outfit templates rely on
REQUIRED = {
    "tshirt",
    "shirt",
    "top",
    "sweater",
    "jacket",
    "jeans",
    "trousers",
    "shorts",
    "skirt",
    "dress",
    "casual_shoes",
    "sports_shoes",
    "formal_shoes",
    "heels",
    "sandals",
    "boots",
    "handbag",
    "backpack",
    "wallet",
    "clutch",
    "watch",
    "sunglasses",
    "belt",
    "hat",
    "scarf",
    "tie",
    "socks",
}


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[Path, dict]:
    """One generated tree (two worker processes), shared by the read-only tests."""
    out = tmp_path_factory.mktemp("synth") / "out"
    return out, synth.generate(out, N_IMAGES, seed=0, show_progress=False)


def _files(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file() and p.name != synth.MARKER_FILE
    }


def _annos(out: Path) -> list[tuple[Path, dict]]:
    return [(p, json.loads(p.read_text())) for p in sorted((out / "deepfashion2").glob("*/annos/*.json"))]


# ---------------------------------------------------------------------------------------------------------- geometry


def _segment_distance(points: np.ndarray, path: np.ndarray) -> np.ndarray:
    """Distance from each point to a polyline."""
    a, b = path[:-1], path[1:]
    d = b - a
    t = np.clip(((points[:, None, :] - a) * d).sum(-1) / np.maximum((d * d).sum(-1), 1e-12), 0, 1)
    closest = a + t[..., None] * d
    return np.linalg.norm(points[:, None, :] - closest, axis=-1).min(axis=1)


@pytest.mark.parametrize("cat_id", sorted(DF2_CATEGORY_NAMES))
def test_landmarks_have_official_count_and_sit_on_drawn_lines(cat_id):
    for seed in range(6):
        for worn in (False, True):
            shape = synth.build_df2(cat_id, np.random.default_rng(seed), worn)
            assert shape.landmarks.shape == (synth.DF2_LANDMARK_COUNTS[cat_id], 2)
            assert np.isfinite(shape.landmarks).all()
        # laid flat, every landmark lies on an outline or a drawn line (seams, zips, necklines)
        shape = synth.build_df2(cat_id, np.random.default_rng(seed), False)
        lines = [np.vstack([p, p[:1]]) for op in shape.ops if isinstance(op, synth.Part) for p in op.polys]
        lines += [op.path for op in shape.ops if isinstance(op, synth.Stroke)]
        dist = np.min([_segment_distance(shape.landmarks, line) for line in lines], axis=0)
        assert dist.max() < 0.02, f"{DF2_CATEGORY_NAMES[cat_id]}: landmark {int(dist.argmax())} is {dist.max():.3f} units off"


def test_clip_poly_keeps_inside_and_cuts_outside():
    square = synth.pts(-5, -5, 5, -5, 5, 5, -5, 5)
    clipped = synth.clip_poly(square, 0, 0, 10, 10)
    assert synth.poly_area(clipped) == pytest.approx(25.0)
    assert clipped.min() >= 0
    assert len(synth.clip_poly(square, 20, 20, 30, 30)) == 0


def test_plan_splits_pairs_and_balances_fpid_categories():
    tasks = synth.plan(1000, seed=0)
    df2 = [t for t in tasks if t.tree == "deepfashion2"]
    fpid = [t for t in tasks if t.tree == "fpid"]
    assert len(df2) == 500 and len(fpid) == 500
    assert Counter(t.split for t in df2) == {"train": 450, "validation": 50}
    pairs = Counter(t.pair_id for t in df2)
    assert set(pairs.values()) == {2}  # every pair id: one shop and one user image
    assert {t.source for t in df2 if t.index % 2 == 0} == {"shop"}
    counts = Counter(t.category for t in fpid)
    assert set(counts) == set(synth.fpid_categories())
    assert max(counts.values()) - min(counts.values()) <= 1
    assert len({t.product_id for t in fpid}) == 500


def test_every_fpid_article_maps_to_its_category():
    for art in synth.ARTICLES:
        assert category_for("fpid", art.article_type) != UNMAPPED, art.article_type
    assert REQUIRED.issubset(set(synth.fpid_categories()) | {category_for("deepfashion2", c) for c in DF2_CATEGORY_NAMES})


# ------------------------------------------------------------------------------------------------- annotation format


def test_scene_annotations_are_valid_official_json():
    visible = []
    for k in range(24):
        data, anno = synth.render_df2_scene(7, 0, k, k // 2, "shop" if k % 2 == 0 else "user", k // 2 + 1)
        image = Image.open(io.BytesIO(data))
        w, h = image.size
        assert image.format == "JPEG" and image.mode == "RGB"
        assert list(anno)[:2] == ["source", "pair_id"] and anno["source"] in ("shop", "user")
        items = [key for key in anno if key.startswith("item")]
        assert items == [f"item{i}" for i in range(1, len(items) + 1)] and 1 <= len(items) <= 3
        for key in items:
            _check_item(anno[key], w, h)
            visible.append(np.mean(np.asarray(anno[key]["landmarks"])[2::3] == 2))
    assert np.mean(visible) > 0.5


def _check_item(item: dict, w: int, h: int) -> None:
    assert list(item) == ITEM_KEYS
    cat = item["category_id"]
    assert item["category_name"] == DF2_CATEGORY_NAMES[cat]
    x1, y1, x2, y2 = item["bounding_box"]
    assert all(isinstance(v, int) for v in item["bounding_box"])
    assert 0 <= x1 < x2 <= w - 1 and 0 <= y1 < y2 <= h - 1
    lm = np.asarray(item["landmarks"], float).reshape(-1, 3)
    assert len(lm) == synth.DF2_LANDMARK_COUNTS[cat]
    assert all(isinstance(v, float) for v in item["landmarks"])
    assert set(np.unique(lm[:, 2])) <= {0.0, 1.0, 2.0}
    assert (lm[lm[:, 2] == 0, :2] == 0).all()  # unlabelled: zeros, as in the official files
    seen = lm[lm[:, 2] > 0]
    assert ((seen[:, 0] >= 0) & (seen[:, 0] < w) & (seen[:, 1] >= 0) & (seen[:, 1] < h)).all()
    assert (lm[:, 2] > 0).any()
    assert item["segmentation"]
    for poly in item["segmentation"]:
        p = np.asarray(poly).reshape(-1, 2)
        assert len(poly) % 2 == 0 and len(p) >= 3
        assert p[:, 0].min() >= x1 and p[:, 0].max() <= x2 and p[:, 1].min() >= y1 and p[:, 1].max() <= y2
    for attr in ("scale", "occlusion", "zoom_in", "viewpoint"):
        assert item[attr] in (1, 2, 3)
    assert item["style"] in (0, 1)


def test_shop_and_user_images_of_a_pair_share_their_hero_garment():
    shop = synth.render_df2_scene(3, 0, 4, 2, "shop", 3)[1]
    user = synth.render_df2_scene(3, 0, 5, 2, "user", 3)[1]
    hero = [{it["category_id"] for it in a.values() if isinstance(it, dict) and it["style"] == 1} for a in (shop, user)]
    assert hero[0] == hero[1] and len(hero[0]) == 1


def test_json_matches_the_real_deepfashion2_files(run, fixtures_dir):
    """Same keys, key order and value types as the official raw annotations."""
    out, _ = run
    real = [json.loads(p.read_text()) for p in sorted((fixtures_dir / "deepfashion2" / "validation" / "annos").glob("*.json"))]
    mine = [a for _, a in _annos(out)[:20]]

    def types(anno: dict) -> dict:
        item = anno["item1"]
        return {
            "top": [(k, type(v).__name__) for k, v in anno.items() if not k.startswith("item")],
            "item": sorted((k, type(v).__name__) for k, v in item.items()),
            "landmark": type(item["landmarks"][0]).__name__,
            "box": type(item["bounding_box"][0]).__name__,
        }

    assert {json.dumps(types(a)) for a in real} == {json.dumps(types(a)) for a in mine}
    assert all(set(a["item1"]) == set(ITEM_KEYS) for a in real)


# ------------------------------------------------------------------------------------------------------------ layout


def test_generate_writes_both_trees_with_expected_counts(run):
    out, summary = run
    n_df2 = N_IMAGES // 2
    train = sorted((out / "deepfashion2" / "train" / "image").iterdir())
    val = sorted((out / "deepfashion2" / "validation" / "image").iterdir())
    assert len(train) + len(val) == n_df2 and len(val) == round(n_df2 * synth.VALIDATION_SHARE)
    assert [p.name for p in train[:2]] == ["000001.jpg", "000002.jpg"]
    for split in ("train", "validation"):
        images = {p.stem for p in (out / "deepfashion2" / split / "image").glob("*.jpg")}
        annos = {p.stem for p in (out / "deepfashion2" / split / "annos").glob("*.json")}
        assert images == annos
    assert not list(out.rglob(".*.tmp"))
    fpid_images = sorted((out / "fpid" / "images").glob("*.jpg"))
    assert len(fpid_images) == N_IMAGES - n_df2
    assert Image.open(fpid_images[0]).size == synth.FPID_SIZE_PX
    assert summary["deepfashion2"]["images"] == n_df2 and summary["fpid"]["images"] == N_IMAGES - n_df2
    assert summary["deepfashion2"]["items"] == sum(len([k for k in a if k.startswith("item")]) for _, a in _annos(out))
    assert summary["elapsed_s"] > 0
    marker = json.loads((out / synth.MARKER_FILE).read_text())
    assert marker["state"] == "finished" and marker["summary"] == summary


def test_every_category_present(run):
    out, summary = run
    df2 = {category_for("deepfashion2", it["category_id"]) for _, a in _annos(out) for k, it in a.items() if k.startswith("item")}
    assert {it["category_id"] for _, a in _annos(out) for k, it in a.items() if k.startswith("item")} == set(DF2_CATEGORY_NAMES)
    styles = pd.read_csv(out / "fpid" / "styles.csv")
    fpid = set(styles["articleType"].map(lambda t: category_for("fpid", t)))
    assert fpid == set(synth.fpid_categories())
    assert REQUIRED.issubset(df2 | fpid)
    assert set(summary["categories"]) == df2 | fpid


def test_styles_csv_parses_and_describes_the_drawn_images(run, fixtures_dir):
    out, _ = run
    text = (out / "fpid" / "styles.csv").read_text()
    real_header = (fixtures_dir / "fpid" / "styles.csv").read_text().splitlines()[0]
    assert text.splitlines()[0] == real_header == ",".join(synth.FPID_HEADER)
    styles = pd.read_csv(io.StringIO(text))
    assert len(styles) == N_IMAGES - N_IMAGES // 2 and styles["id"].is_unique
    assert {f"{i}.jpg" for i in styles["id"]} == {p.name for p in (out / "fpid" / "images").iterdir()}
    with open(fixtures_dir / "fpid" / "styles.csv", newline="", encoding="utf-8") as f:
        real = [row for row in csv.reader(f) if len(row) == 10]
    for col, idx in (
        ("gender", 1),
        ("masterCategory", 2),
        ("subCategory", 3),
        ("articleType", 4),
        ("baseColour", 5),
        ("season", 6),
        ("usage", 8),
    ):
        vocabulary = {row[idx] for row in real}
        if col == "articleType":
            vocabulary.add("Boots")  # real FPID has no boots (its "Booties" are infant socks); synth draws them
        assert set(styles[col].astype(str)) <= vocabulary, col
    assert styles["year"].between(2007, 2019).all()
    for row in styles.itertuples():
        assert row.baseColour in row.productDisplayName
        assert f" {row.gender} " in row.productDisplayName


def test_base_colour_names_the_drawn_colour(run):
    """The product's base colour is the colour of the most common non-white pixels (nearest palette colour)."""
    out, _ = run
    styles = pd.read_csv(out / "fpid" / "styles.csv")
    apparel = styles[styles["masterCategory"] == "Apparel"].head(30)
    names = list(synth.COLOURS)
    palette = np.array([synth.COLOURS[n] for n in names], float)
    hits = 0
    for row in apparel.itertuples():
        px = np.asarray(Image.open(out / "fpid" / "images" / f"{row.id}.jpg"), float).reshape(-1, 3)
        px = px[np.abs(px - 255).max(axis=1) > 40]
        nearest = np.argmin(((px[:, None, :] - palette[None]) ** 2).sum(-1), axis=1)
        if names[np.bincount(nearest).argmax()] == row.baseColour:
            hits += 1
    assert hits >= 0.7 * len(apparel)


def test_loaders_read_the_output_without_skips(run):
    from lookbook.data.deepfashion2 import load_deepfashion2
    from lookbook.data.fpid import load_fpid

    out, summary = run
    df2, report = load_deepfashion2(out / "deepfashion2")
    assert sum(report.skipped.values()) == 0 and len(df2) == summary["deepfashion2"]["items"]
    assert set(df2["split"]) == {"train", "validation"}
    assert not (df2["category"] == UNMAPPED).any()
    assert (df2["box_x2"] > df2["box_x1"]).all()
    fpid, report = load_fpid(out / "fpid")
    assert sum(report.skipped.values()) == 0 and len(fpid) == summary["fpid"]["images"]
    assert dict(Counter(fpid["category"])) == summary["fpid"]["categories"]


# ------------------------------------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_bytes_also_in_one_process(run, tmp_path):
    out, _ = run
    again = tmp_path / "again"
    synth.generate(again, N_IMAGES, seed=0, workers=1, show_progress=False)
    first, second = _files(out), _files(again)
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_different_seed_gives_different_images(run, tmp_path):
    out, _ = run
    other = tmp_path / "other"
    synth.generate(other, 20, seed=1, workers=1, show_progress=False)
    names = ["deepfashion2/train/image/000001.jpg", "deepfashion2/train/annos/000001.json", "fpid/images/10001.jpg"]
    for name in names:
        assert (other / name).read_bytes() != (out / name).read_bytes()


# ------------------------------------------------------------------------------------------------ folders and errors


def test_finished_folder_is_reused_and_foreign_folder_refused(run, tmp_path):
    out, summary = run
    calls = []
    again = synth.generate(out, N_IMAGES, seed=0, progress=lambda d, t: calls.append((d, t)))
    assert again["reused"] is True and again["categories"] == summary["categories"]
    assert calls == [(N_IMAGES, N_IMAGES)]
    foreign = tmp_path / "foreign"
    (foreign / "fpid").mkdir(parents=True)
    (foreign / "fpid" / "styles.csv").write_text("mine\n")
    with pytest.raises(LookbookError, match="not written by"):
        synth.generate(foreign, 4)
    assert (foreign / "fpid" / "styles.csv").read_text() == "mine\n"


@pytest.mark.parametrize("kwargs", [{"n_images": 0}, {"n_images": -3}, {"seed": -1}, {"n_images": 2.5}])
def test_bad_arguments_are_one_line_errors(tmp_path, kwargs):
    with pytest.raises(LookbookError):
        synth.generate(tmp_path / "x", **{"n_images": 4, **kwargs})


def test_interrupted_run_leaves_only_complete_files_and_reruns(tmp_path, monkeypatch):
    out = tmp_path / "crash"
    real = synth.render_fpid_product
    done = []

    def flaky(*args):
        if len(done) == 5:
            raise RuntimeError("power cut")
        done.append(1)
        return real(*args)

    monkeypatch.setattr(synth.generation, "render_fpid_product", flaky)
    with pytest.raises(RuntimeError):
        synth.generate(out, 40, seed=2, workers=1, show_progress=False)
    assert json.loads((out / synth.MARKER_FILE).read_text())["state"] == "running"
    assert not (out / "fpid" / "styles.csv").exists()
    for _, anno in _annos(out):  # every JSON written so far is whole
        assert "item1" in anno
    monkeypatch.setattr(synth.generation, "render_fpid_product", real)
    progress = []
    summary = synth.generate(out, 40, seed=2, workers=1, progress=lambda d, t: progress.append((d, t)))
    assert "reused" not in summary and progress[-1] == (40, 40)
    assert len(pd.read_csv(out / "fpid" / "styles.csv")) == 20


# ------------------------------------------------------------------------------------------------------------- CLI


def test_cli_data_synth_smoke(tmp_path):
    out = tmp_path / "cli"
    proc = subprocess.run(
        [sys.executable, "-m", "lookbook", "data", "synth", "--out", str(out), "--images", "24", "--seed", "3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(list((out / "deepfashion2").glob("*/annos/*.json"))) == 12
    assert len(pd.read_csv(out / "fpid" / "styles.csv")) == 12
    assert "12/12" not in proc.stdout and "24" in proc.stderr  # progress goes to stderr


@pytest.mark.parametrize("args", [["--images", "0"], ["--seed", "-1"]])
def test_cli_data_synth_rejects_bad_arguments(tmp_path, args):
    proc = subprocess.run(
        [sys.executable, "-m", "lookbook", "data", "synth", "--out", str(tmp_path / "o"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("error:") and len(proc.stderr.strip().splitlines()) == 1
