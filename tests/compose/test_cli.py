"""`python -m lookbook compose`: the real command in a subprocess, and its one-line errors."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lookbook import paths
from lookbook.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "lookbook", "compose", *args], capture_output=True, text=True, cwd=ROOT, env=env)


@pytest.mark.slow
def test_compose_pdf_then_regenerate_from_the_manifest(cond_paths, tmp_path):
    gen, clf = map(str, cond_paths)
    pdf, manifest = tmp_path / "book.pdf", tmp_path / "book.json"
    first = run_cli(
        "--generator", gen, "--classifier", str(Path(clf).parent), "--template", "cs230", "--seed", "4", "--pages", "2",
        "--title", "Smoke", "--out", str(pdf), "--save-manifest", str(manifest),
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes())) == 2
    assert re.search(r"page 2 \[cs230\] harmony \d+/100", first.stdout) and f"wrote {pdf}" in first.stdout
    assert "composing page 2/2" in first.stderr and "rendering page 2/2" in first.stderr
    recorded = json.loads(manifest.read_text())
    assert recorded["seed"] == 4 and len(recorded["pages"]) == 2

    # regenerate from the manifest alone (checkpoints come from the manifest) as a ZIP
    zipped = tmp_path / "again.zip"
    second = run_cli("--manifest", str(manifest), "--out", str(zipped))
    assert second.returncode == 0, second.stderr
    assert "warning" not in second.stderr
    with zipfile.ZipFile(zipped) as zf:
        assert json.loads(zf.read("manifest.json"))["pages"] == recorded["pages"]
        page_two = np.asarray(Image.open(io.BytesIO(zf.read("page_02.png"))).convert("RGB"))

    # and one page per PNG file, identical to the zipped page
    png = tmp_path / "look.png"
    assert main(["compose", "--manifest", str(manifest), "--out", str(png)]) == 0
    assert sorted(p.name for p in tmp_path.glob("look_*.png")) == ["look_01.png", "look_02.png"]
    assert np.array_equal(np.asarray(Image.open(tmp_path / "look_02.png").convert("RGB")), page_two)


@pytest.mark.slow
def test_incompatible_checkpoints_exit_2_with_one_line(cond_paths, tmp_path):
    from lookbook.models.artifacts import save_model
    from tests.compose.models import build_classifier

    shirts = save_model(build_classifier(("shirt",), image_size_px=32), tmp_path / "c.keras", {"categories": ["shirt"]})
    result = run_cli("--generator", str(cond_paths[0]), "--classifier", str(shirts), "--out", str(tmp_path / "x.pdf"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: these models cannot fill any template")
    assert "Traceback" not in result.stderr and not (tmp_path / "x.pdf").exists()


@pytest.mark.slow
def test_a_generator_of_another_size_is_resized_for_the_classifier(cond_paths, tmp_path):
    from lookbook.models.artifacts import save_model
    from tests.compose.models import TINY_CATEGORIES, build_classifier

    meta = {"categories": list(TINY_CATEGORIES)}
    big = save_model(build_classifier(TINY_CATEGORIES, image_size_px=64), tmp_path / "c64.keras", meta)
    out = tmp_path / "x.pdf"
    result = run_cli("--generator", str(cond_paths[0]), "--classifier", str(big), "--template", "cs230", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "note: the generator makes 32 px garments and the classifier reads 64 px" in result.stderr
    assert out.stat().st_size > 10_000


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--template", "evening"], "template 'evening', slot 'Dress': the generator cannot make any of dress, jumpsuit, saree"),
        (["--template", "gala"], "unknown template 'gala'"),
        (["--pages", "0"], "--pages must be at least 1"),
        (["--seed", "-1"], "--seed must not be negative"),
        (["--set", "accept_confidence=3"], "accept_confidence is a probability"),
        (["--dpi", "5"], "dpi must be between 50 and 600"),
    ],
)
def test_bad_arguments_are_one_line_errors(cond_paths, tmp_path, capsys, extra, message):
    out = tmp_path / "x.pdf"
    code = main(["compose", "--generator", str(cond_paths[0]), "--classifier", str(cond_paths[1]), *extra, "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err[-1].startswith("error: ") and message in err[-1]
    assert not out.exists()


def test_missing_files_and_bad_output_are_one_line_errors(cond_paths, tmp_path, capsys, monkeypatch):
    cases = [
        (["--generator", str(tmp_path / "nope"), "--out", "x.pdf"], "no model at"),
        (["--generator", str(cond_paths[0]), "--classifier", str(cond_paths[1]), "--out", "x.tiff"], "use a .png, .pdf or .zip"),
        (["--manifest", str(tmp_path / "none.json"), "--out", "x.pdf"], "no manifest at"),
        (["--manifest", "m.json", "--seed", "3", "--out", "x.pdf"], "drop --seed"),
    ]
    monkeypatch.setenv(paths.CHECKPOINTS_ENV, str(tmp_path / "empty"))  # no default checkpoints
    cases.append((["--out", "x.pdf"], "no generator given and no default checkpoint"))
    for args, message in cases:
        assert main(["compose", *args]) == 2
        assert message in capsys.readouterr().err
