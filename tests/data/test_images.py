"""Unit tests of safe image decoding: odd modes, broken files, bombs, boxes, EXIF orientation and draft decoding."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image

from lookbook.data import images as img
from tests.data.trees import REPAIRS, SKIPS, bomb_png, colour_image, save, write_odd_image


@pytest.mark.parametrize("kind, name, reason", SKIPS)
def test_bad_files_are_skipped_with_their_reason(tmp_path, kind, name, reason):
    crop = img.load_crop(write_odd_image(kind, tmp_path / name), None, 32)
    assert crop.image is None
    assert crop.skip == reason


def test_missing_file_is_a_skip(tmp_path):
    assert img.load_crop(tmp_path / "nope.jpg", None, 32).skip == img.SKIP_MISSING


@pytest.mark.parametrize("kind, name, reason", REPAIRS)
def test_odd_modes_become_rgb_and_are_counted(tmp_path, kind, name, reason):
    crop = img.load_crop(write_odd_image(kind, tmp_path / name), None, 32)
    assert crop.skip is None
    assert reason in crop.repairs
    assert crop.image.dtype == np.uint8 and crop.image.shape == (32, 32, 3)


def test_sixteen_bit_is_scaled_not_clipped(tmp_path):
    level = np.full((20, 20), 128 * 257, np.uint16)  # mid-grey in 16-bit
    path = save(Image.fromarray(level), tmp_path / "grey16.png")
    assert Image.open(path).mode.startswith("I")
    crop = img.load_crop(path, None, 32)
    # Pillow's own convert("L") clips 32896 to 255; scaling gives 128
    assert np.abs(crop.image.astype(int) - 128).max() <= 1


def test_transparency_goes_on_white(tmp_path):
    im = Image.new("RGBA", (20, 20), (255, 0, 0, 0))
    im.paste((0, 0, 255, 255), (0, 0, 20, 10))  # opaque blue top half
    crop = img.load_crop(save(im, tmp_path / "half.png"), None, 32)
    assert crop.image[2:12, 8:24].mean(axis=(0, 1)).round().tolist() == [0, 0, 255]
    assert crop.image[-8:, 8:24].min() == 255  # transparent red became white, not red or black


def test_cmyk_colours_survive(tmp_path):
    path = save(Image.new("RGB", (30, 30), (200, 40, 40)).convert("CMYK"), tmp_path / "c.jpg", quality=95)
    crop = img.load_crop(path, None, 32)
    assert np.abs(crop.image.mean(axis=(0, 1)) - [200, 40, 40]).max() < 12


def test_square_crop_pads_with_white_and_never_stretches(tmp_path):
    im = Image.new("RGB", (80, 40), (0, 0, 0))  # landscape, black
    crop = img.load_crop(save(im, tmp_path / "wide.png"), None, 32)
    # 80x40 in a 80x80 square: rows 0-7 and 24-31 of 32 are white padding, the middle is black
    assert crop.image[:6].min() >= 250 and crop.image[26:].min() >= 250  # (Lanczos rings a little at the edge)
    assert crop.image[10:22].max() <= 5


def test_box_crops_the_requested_region(tmp_path):
    arr = np.zeros((100, 100, 3), np.uint8)
    arr[20:60, 30:70] = (10, 200, 10)  # green square
    path = save(Image.fromarray(arr), tmp_path / "g.png")
    crop = img.load_crop(path, (30, 20, 70, 60), 32)
    assert crop.repairs == ()
    assert np.abs(crop.image.astype(int) - [10, 200, 10]).max() <= 2


@pytest.mark.parametrize(
    "box, skip, repair",
    [
        ((-40, -40, 30, 30), None, img.REPAIR_CLIPPED),
        ((0, 0, 101, 100), None, None),  # 1 px over the edge is the x2 == width convention, not a repair
        ((500, 500, 600, 600), img.SKIP_OUTSIDE_BOX, None),
        ((10, 10, 10, 60), img.SKIP_ZERO_BOX, None),
        ((50, 60, 40, 70), img.SKIP_ZERO_BOX, None),
        ((10, math.nan, 50, 60), img.SKIP_ZERO_BOX, None),
        ((math.nan,) * 4, None, None),
    ],
)
def test_boxes_are_clipped_or_skipped(tmp_path, box, skip, repair):
    path = save(colour_image((90, 90, 200), (100, 100)), tmp_path / "b.png")
    crop = img.load_crop(path, box, 32)
    assert crop.skip == skip
    assert (repair in crop.repairs) if repair else (img.REPAIR_CLIPPED not in crop.repairs)


def test_exif_orientation_is_applied(tmp_path):
    arr = np.zeros((20, 40, 3), np.uint8)
    arr[:, :20] = (255, 0, 0)  # stored: red left half, blue right half
    arr[:, 20:] = (0, 0, 255)
    exif = Image.Exif()
    exif[0x0112] = 6  # display rotated 90 degrees clockwise: red ends up on top
    path = save(Image.fromarray(arr), tmp_path / "rot.jpg", exif=exif, quality=95)
    crop = img.load_crop(path, None, 32)
    assert img.REPAIR_EXIF in crop.repairs
    top, bottom = crop.image[2:12, 12:20].mean(axis=(0, 1)), crop.image[20:30, 12:20].mean(axis=(0, 1))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


def test_draft_decoding_matches_a_full_decode(tmp_path):
    rng = np.random.default_rng(0)
    small = rng.integers(0, 255, (12, 16, 3), dtype=np.uint8)
    big = Image.fromarray(small).resize((1600, 1200), Image.Resampling.BICUBIC)  # smooth, so DCT scaling is fair
    path = save(big, tmp_path / "big.jpg", quality=92)
    box = (400.0, 300.0, 1000.0, 900.0)
    crop = img.load_crop(path, box, 64)
    reference = np.asarray(Image.open(path).convert("RGB").crop((400, 300, 1000, 900)).resize((64, 64), Image.Resampling.LANCZOS))
    assert np.abs(crop.image.astype(int) - reference.astype(int)).mean() < 4  # same region and scale


def test_image_files_prefers_jpg_and_ignores_others(tmp_path):
    for name in ["1.jpg", "1.png", "2.PNG", "3.txt", ".4.jpg"]:
        (tmp_path / name).write_bytes(b"x")
    found = img.image_files(tmp_path)
    assert sorted(found) == ["1", "2"]
    assert found["1"].endswith("1.jpg")


def test_decode_batch_reports_per_record(tmp_path):
    good = save(colour_image((10, 20, 30)), tmp_path / "ok.png")
    bad = write_odd_image("corrupt", tmp_path / "bad.jpg")
    gray = write_odd_image("gray", tmp_path / "g.jpg")
    boxes = np.full((3, 4), np.nan)
    batch, images, failed, report = img.decode_batch((7, [str(good), str(bad), str(gray)], boxes, ["a", "b", "c"], 32))
    assert batch == 7 and failed == [1]
    assert report["skipped"] == {img.SKIP_CORRUPT: 1} and report["repaired"] == {img.REPAIR_GRAY: 1}
    assert images[1].max() == 0 and images[0].mean() > 0


def test_bomb_between_pillows_warning_and_error_limits_is_skipped(tmp_path):
    # 10,000^2 px is above Pillow's warning limit but below its hard error: only our own guard stops it
    crop = img.load_crop(bomb_png(tmp_path / "mid.png", side_px=10_000), None, 32)
    assert crop.skip == img.SKIP_BOMB


def test_unforeseen_decoder_errors_cost_one_image(tmp_path, monkeypatch):
    path = save(colour_image((1, 2, 3)), tmp_path / "ok.png")

    def broken(*args, **kwargs):
        raise RuntimeError("decoder bug")

    monkeypatch.setattr(img, "_decode_square", broken)
    assert img.load_crop(path, None, 32).skip == img.SKIP_DECODER
