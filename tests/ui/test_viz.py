"""Pictures without Streamlit: annotation overlays (pixels checked), Plotly figure builders, gallery filtering and paging."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from lookbook.data import stats
from lookbook.errors import LookbookError
from lookbook.viz import charts, gallery, overlay
from tests.ui.fakes import fake_records


def _close(pixel, rgb, tol=40):
    return all(abs(int(a) - int(b)) <= tol for a, b in zip(pixel, rgb))


# overlay ----------------------------------------------------------------------------------------------
def test_overlay_draws_box_visible_and_occluded_landmarks_and_segmentation():
    image = Image.new("RGB", (400, 400), (255, 255, 255))
    record = {
        "box_x1": 40.0,
        "box_y1": 40.0,
        "box_x2": 360.0,
        "box_y2": 360.0,
        "landmarks": json.dumps([100, 100, 2, 300, 300, 1, 200, 120, 0]),
        "segmentation": json.dumps([[60, 200, 340, 200, 340, 340, 60, 340]]),
    }
    out = np.asarray(overlay.overlay_record(record, image=image, max_side_px=None))
    assert out.shape == (400, 400, 3)
    assert _close(out[200, 40], overlay.BOX_RGB)  # left edge of the box
    assert _close(out[100, 100], overlay.VISIBLE_RGB)  # filled dot at a visible landmark
    assert _close(out[300, 300], overlay.OCCLUDED_RGB)  # cross at an occluded landmark
    assert _close(out[120, 200], (255, 255, 255), tol=0)  # v = 0 is not drawn
    inside, outside = out[270, 200], out[150, 200]
    assert inside.sum() < outside.sum() - 60  # the polygon is tinted, the rest untouched
    assert _close(outside, (255, 255, 255), tol=0)


def test_overlay_scales_coordinates_with_the_image():
    image = Image.new("RGB", (2000, 1000), (255, 255, 255))
    record = {"landmarks": json.dumps([1000, 500, 2]), "box_x1": float("nan")}
    out = overlay.overlay_record(record, image=image, max_side_px=500)
    assert out.size == (500, 250)
    assert _close(np.asarray(out)[125, 250], overlay.VISIBLE_RGB)


@pytest.mark.parametrize("bad", [None, "", "not json", float("nan"), "[1, 2]"])
def test_damaged_annotations_draw_nothing(bad):
    image = Image.new("RGB", (50, 50), (255, 255, 255))
    out = overlay.overlay_record({"landmarks": bad, "segmentation": bad}, image=image)
    assert np.asarray(out).min() == 255


def test_open_original_errors_are_one_line(tmp_path):
    with pytest.raises(LookbookError, match="not found"):
        overlay.open_original(tmp_path / "missing.jpg")
    (tmp_path / "bad.jpg").write_bytes(b"not an image")
    with pytest.raises(LookbookError, match="cannot read"):
        overlay.open_original(tmp_path / "bad.jpg")


def test_landmark_counts():
    assert overlay.landmark_counts({"landmarks": "[1,1,2, 2,2,1, 3,3,2, 4,4,0]"}) == {"visible": 2, "occluded": 1}


def test_overlay_on_real_deepfashion2_images(fixtures_dir):
    from lookbook.data.deepfashion2 import load_deepfashion2

    records, _ = load_deepfashion2(fixtures_dir / "deepfashion2")
    assert len(records)
    for record in records.to_dict("records"):
        original = overlay.open_original(record["image_path"])
        out = overlay.overlay_record(record, max_side_px=600)
        assert max(out.size) == 600 and out.size[0] / out.size[1] == pytest.approx(original.size[0] / original.size[1], rel=0.01)
        diff = np.abs(np.asarray(out, int) - np.asarray(original.resize(out.size), int)).sum(axis=2)
        assert (diff > 60).mean() > 0.01  # annotations visibly drawn
        marks = overlay.landmark_counts(record)
        assert marks["visible"] + marks["occluded"] == record["n_landmarks"]


# charts -----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def records():
    return fake_records(3000, seed=1)


def test_split_figure_has_a_panel_per_metric_and_a_trace_per_source(records):
    fig = charts.split_figure(stats.split_table(records))
    sources = set(records["source"])
    assert len(fig.data) == 3 * len(sources)
    assert {t.name for t in fig.data} == sources
    assert fig.layout.template.layout.colorway == charts.PALETTE


def test_category_figure_colours_by_slot(records):
    fig = charts.category_figure(stats.category_counts(records))
    for trace in fig.data:
        assert trace.marker.color == charts.SLOT_COLOURS[trace.name]
    assert sum(len(t.x) for t in fig.data) == records["category"].nunique()


def test_article_type_figure_is_log_scale_with_every_type(records):
    table = stats.article_type_counts(records)
    fig = charts.article_type_figure(table)
    assert fig.layout.yaxis.type == "log"
    assert list(fig.data[0].x) == list(table["article_type"])  # the whole tail, most frequent first


def test_breakdown_figure_draws_colour_swatches(records):
    tables = {c: stats.fpid_breakdown(records, c) for c in ("gender", "season", "base_colour")}
    fig = charts.breakdown_figure(tables)
    colour_trace = fig.data[2]
    swatches = dict(zip(colour_trace.x, colour_trace.marker.color))
    assert swatches["Black"] == charts.COLOUR_SWATCHES["black"] and swatches["Navy Blue"] == charts.COLOUR_SWATCHES["navy blue"]


def test_df2_and_attribute_figures(records):
    fig = charts.df2_category_figure(stats.df2_category_counts(records))
    assert {t.name for t in fig.data} == {"train", "validation"} and len(fig.data[0].y) == 13
    fig = charts.attribute_figure(stats.attribute_counts(records))
    assert len(fig.data) == 5 and list(fig.data[0].x) == ["small", "modest", "large"]


# gallery ----------------------------------------------------------------------------------------------
def test_filter_rows_combines_filters(records):
    rows = gallery.filter_rows(records, {"source": ["fpid"], "gender": ["Men"]})
    expected = np.flatnonzero(((records["source"] == "fpid") & (records["gender"] == "Men")).to_numpy())
    assert np.array_equal(rows, expected) and len(rows) > 0
    assert len(gallery.filter_rows(records, {})) == len(records)
    assert len(gallery.filter_rows(records, {"source": []})) == len(records)  # nothing chosen means any
    scale = gallery.filter_rows(records, {"scale": [3]})
    assert set(records.iloc[scale]["scale"]) == {3}
    assert len(gallery.filter_rows(records, {"source": ["folder"], "scale": [1]})) == 0  # NA never matches


def test_filter_options_only_present_values(records):
    options = gallery.filter_options(records)
    assert set(options["source"]) == {"deepfashion2", "fpid", "folder"}
    assert options["scale"] == [1, 2, 3]
    assert options["category"][0] == records["category"].value_counts().index[0]
    assert "product_name" not in options
    assert gallery.option_label("scale", 1) == "small" and gallery.option_label("category", "tshirt") == "T-shirt"


def test_paging():
    rows = np.arange(100, 150)
    assert gallery.page_count(50, 24) == 3 and gallery.page_count(0) == 1
    assert list(gallery.page_rows(rows, 3, 24)) == list(range(148, 150))
    assert list(gallery.page_rows(rows, 99, 24)) == list(range(148, 150))  # clamped
    assert list(gallery.page_rows(rows, 0, 24)) == list(range(100, 124))


class _Recorder:
    """An image array that remembers which rows were read."""

    def __init__(self, n, size):
        self.data = np.arange(n, dtype=np.uint8)[:, None, None, None] * np.ones((1, size, size, 3), np.uint8)
        self.shape, self.dtype, self.read = self.data.shape, self.data.dtype, []

    def __getitem__(self, rows):
        self.read.extend(np.atleast_1d(rows).tolist())
        return self.data[rows]


def test_thumbnails_read_only_the_page_and_keep_order():
    images = _Recorder(200, 8)
    rows = np.array([150, 3, 77])
    thumbs = gallery.thumbnails(images, rows)
    assert sorted(images.read) == [3, 77, 150]
    assert list(thumbs[:, 0, 0, 0]) == [150, 3, 77]
    assert gallery.thumbnails(images, np.array([], int)).shape == (0, 8, 8, 3)


def test_record_fields_spell_out_codes_and_skip_empty_fields(records):
    df2 = records[records["source"] == "deepfashion2"].iloc[0].to_dict()
    fields = dict(gallery.record_fields(df2))
    assert fields["record"] == df2["record_id"]
    assert fields["scale"] == stats.DF2_ATTRIBUTES["scale"][int(df2["scale"])]
    assert fields["box (px)"] == ", ".join(f"{df2[k]:.0f}" for k in ("box_x1", "box_y1", "box_x2", "box_y2"))
    assert "visible" in fields["landmarks"] and "gender" not in fields
    fpid = dict(gallery.record_fields(records[records["source"] == "fpid"].iloc[0].to_dict()))
    assert fpid["box (px)"] == "whole image" and "scale" not in fpid and "gender" in fpid
