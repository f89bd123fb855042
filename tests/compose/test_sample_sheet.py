"""`python -m lookbook sample`: contact sheets of generated garments, and its one-line errors."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from lookbook.cli import main
from tests.compose.models import TINY_CATEGORIES


def test_conditional_sheet_has_one_row_per_category_with_the_same_seeds(cond_paths, tmp_path, capsys):
    gen, clf = map(str, cond_paths)
    out = tmp_path / "sheet.png"
    assert main(["sample", "--generator", gen, "--classifier", clf, "--per-row", "3", "--tile-px", "64", "--out", str(out)]) == 0
    sheet = np.asarray(Image.open(out).convert("RGB"))
    rows = len(TINY_CATEGORIES)
    assert sheet.shape == (64 + rows * (64 + 6) + 6, 190 + 3 * (64 + 6) + 6, 3)
    # every tile holds a garment (not paper), and rows differ (the label changes the image)
    tiles = [sheet[64 + r * 70 : 64 + r * 70 + 64, 196 : 196 + 64] for r in range(rows)]
    assert all(t.std() > 0 or t.mean() < 245 for t in tiles)
    assert len({t.tobytes() for t in tiles}) == rows
    assert "wrote" in capsys.readouterr().out
    # same arguments, same picture
    again = tmp_path / "again.png"
    assert main(["sample", "--generator", gen, "--per-row", "3", "--tile-px", "64", "--out", str(again)]) == 0
    main(["sample", "--generator", gen, "--per-row", "3", "--tile-px", "64", "--out", str(out)])
    assert out.read_bytes() == again.read_bytes()


def test_several_rows_per_category_continue_the_seeds(cond_paths, tmp_path):
    gen = str(cond_paths[0])
    out = tmp_path / "grid.png"
    args = ["sample", "--generator", gen, "--categories", "jeans", "--per-row", "2", "--rows", "2", "--tile-px", "32"]
    assert main([*args, "--out", str(out)]) == 0
    sheet = np.asarray(Image.open(out).convert("RGB"))
    assert sheet.shape == (64 + 2 * 38 + 6, 190 + 2 * 38 + 6, 3)
    one_row = tmp_path / "row.png"
    assert main([*args[:-4], "--per-row", "4", "--tile-px", "32", "--out", str(one_row)]) == 0
    row = np.asarray(Image.open(one_row).convert("RGB"))
    # seeds 0..3 in one row of four = seeds 0,1 then 2,3 in two rows of two
    tile = lambda im, r, c: im[64 + r * 38 : 64 + r * 38 + 32, 196 + c * 38 : 196 + c * 38 + 32]  # noqa: E731
    assert np.array_equal(tile(sheet, 1, 0), tile(row, 0, 2)) and np.array_equal(tile(sheet, 1, 1), tile(row, 0, 3))


def test_unconditional_sheet_is_a_captioned_seed_grid(uncond_paths, tmp_path):
    gen, clf = map(str, uncond_paths)
    out = tmp_path / "grid.png"
    assert main(["sample", "--generator", gen, "--classifier", clf, "--per-row", "2", "--tile-px", "32", "--out", str(out)]) == 0
    assert Image.open(out).size == (2 * 38 + 6, 64 + 2 * (32 + 16 + 6) + 6)


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--out", "x.jpg"], "--out must be a .png file"),
        (["--out", "x.png", "--tile-px", "4"], "--tile-px must be between 16 and 1024"),
        (["--out", "x.png", "--per-row", "0"], "per_row and rows_per_category must be at least 1"),
        (["--out", "x.png", "--categories", "ballgown"], "cannot make ballgown"),
    ],
)
def test_bad_arguments_are_one_line_errors(cond_paths, tmp_path, capsys, monkeypatch, extra, message):
    monkeypatch.chdir(tmp_path)
    assert main(["sample", "--generator", str(cond_paths[0]), *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and message in err and "\n" not in err


def test_categories_on_an_unconditional_generator_is_refused(uncond_paths, tmp_path, capsys):
    assert main(["sample", "--generator", str(uncond_paths[0]), "--categories", "tshirt", "--out", str(tmp_path / "x.png")]) == 2
    assert "need a conditional generator" in capsys.readouterr().err
