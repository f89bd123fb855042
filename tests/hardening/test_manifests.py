"""Oversized and hostile manifests, and compose requests past the caps: one-line errors before any work (exit 2)."""

from __future__ import annotations

import copy
import json

import pytest

from lookbook.cli import main
from lookbook.compose import manifest as m
from lookbook.errors import LookbookError
from tests.hardening.helpers import assert_one_line_error


def _page(title: str = "", notes: str = "") -> dict:
    slot = {"seed": 1, "category": None, "locked": False, "latent": None, "label": None, "confidence": None}
    return {"title": title, "notes": notes, "template": "cs230", "slots": [dict(slot) for _ in range(4)]}


GOOD = {
    "format": m.FORMAT,
    "format_version": m.FORMAT_VERSION,
    "created": "2024-01-01T00:00:00",
    "title": "Lookbook",
    "seed": 0,
    "draws": 0,
    "revision": 0,
    "checkpoints": {},
    "pages": [_page()],
}


def _read(tmp_path, manifest: dict | str):
    path = tmp_path / "m.json"
    path.write_text(manifest if isinstance(manifest, str) else json.dumps(manifest))
    return m.from_manifest(m.read_manifest(path))


def test_a_good_manifest_reads(tmp_path):
    book, _ = _read(tmp_path, GOOD)
    assert len(book.pages) == 1 and len(book.pages[0].slots) == 4


@pytest.mark.parametrize(
    "text, message",
    [
        ("[" * 100_000 + "]" * 100_000, f"nested deeper than {m.MAX_DEPTH}"),
        ('{"pages": ' + "[" * (m.MAX_DEPTH + 1) + "]" * (m.MAX_DEPTH + 1) + "}", f"nested deeper than {m.MAX_DEPTH}"),
        ('{"title": 1' + "0" * 5000 + "}", "not valid JSON"),
    ],
    ids=["100000-levels", "just-too-deep", "5000-digit-number"],
)
def test_hostile_json_is_a_one_line_error(tmp_path, text, message):
    with pytest.raises(LookbookError, match=message) as err:
        _read(tmp_path, text)
    assert "\n" not in str(err.value) and str(tmp_path / "m.json") in str(err.value)


def test_a_huge_manifest_is_refused_after_reading_no_more_than_the_cap(tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as f:  # 800 MB on paper (sparse): a million-page manifest is about this size
        f.truncate(800 << 20)
    with pytest.raises(LookbookError, match=f"larger than the {m.MAX_BYTES:,} bytes"):
        m.read_manifest(path)
    with pytest.raises(LookbookError, match="larger than"):
        m.read_manifest(b" " * (m.MAX_BYTES + 1))  # an upload


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: d.update(pages=[_page()] * (m.MAX_PAGES + 1)), f"{m.MAX_PAGES + 1} pages, more than the {m.MAX_PAGES}"),
        (lambda d: d.update(title="x" * (5 << 20)), "title of 5,242,880 characters"),
        (lambda d: d["pages"][0].update(title="x" * (m.MAX_TITLE_CHARS + 1)), "page 1: title of"),
        (lambda d: d["pages"][0].update(notes="x" * (m.MAX_NOTES_CHARS + 1)), "page 1: notes of"),
        (lambda d: d["pages"][0]["slots"][0].update(seed=[[[[[[1]]]]]]), "'seed' must be int, got [[[[...]]]]"),
    ],
    ids=["too-many-pages", "5-MB-title", "long-page-title", "long-notes", "nested-seed"],
)
def test_a_manifest_past_the_caps_is_refused_with_the_field(tmp_path, edit, message):
    data = copy.deepcopy(GOOD)
    edit(data)
    with pytest.raises(LookbookError, match=message.replace("[", "\\[").replace("]", "\\]")) as err:
        _read(tmp_path, data)
    assert len(str(err.value)) < 300


def test_a_lookbook_past_the_caps_is_not_written(tmp_path):
    data = copy.deepcopy(GOOD)
    data["pages"][0]["notes"] = "x" * (m.MAX_NOTES_CHARS + 1)
    with pytest.raises(LookbookError, match="page 1: notes of"):
        m.write_manifest(tmp_path / "m.json", data)
    assert not (tmp_path / "m.json").exists()


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["--pages", "1000000", "--out", "{tmp}/x.pdf"], ["1,000,000 pages, more than the"]),
        (["--title", "x" * 2000, "--out", "{tmp}/x.pdf"], ["title of 2,000 characters"]),
        (["--out", "/proc/x.png"], ["/proc/x.png cannot be written"]),
        (["--out", "/sys/x.pdf"], ["/sys/x.pdf cannot be written"]),
        (["--out", "{tmp}/notes.txt/x.pdf"], ["is a file, not a folder"]),
        (["--out", "{tmp}"], ["is a folder; give a file name"]),
    ],
    ids=["million-pages", "long-title", "proc", "sys", "file-as-folder", "folder"],
)
def test_compose_refuses_before_loading_any_model(tmp_path, capsys, args, fragments):
    (tmp_path / "notes.txt").write_text("x")
    argv = ["compose", "--generator", str(tmp_path / "absent"), *[a.format(tmp=tmp_path) for a in args]]
    assert main(argv) == 2
    assert_one_line_error(capsys.readouterr().err, *fragments)  # not "no model at": the checks come first
