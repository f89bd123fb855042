"""The output folder: the DeepFashion2 raw tree, the FPID tree (images/ + styles.csv) and the run marker."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

from lookbook.atomic import write_json, write_text
from lookbook.errors import LookbookError

SYNTH_VERSION = 1  # bump when the drawings change, so a stale output folder is regenerated
MARKER_FILE = "synth.json"  # written at the output root: parameters, state and summary
TREES = ("deepfashion2", "fpid")
FPID_HEADER = (
    "id",
    "gender",
    "masterCategory",
    "subCategory",
    "articleType",
    "baseColour",
    "season",
    "year",
    "usage",
    "productDisplayName",
)


def _marker(n_images: int, seed: int, state: str) -> dict:
    return {"version": SYNTH_VERSION, "n_images": n_images, "seed": seed, "state": state}


def prepare_out(out: Path, n_images: int, seed: int) -> dict | None:
    """Make `out` ready; return the stored summary when it already holds this exact finished run."""
    if out.exists() and not out.is_dir():
        raise LookbookError(f"{out} is a file; --out must be a folder")
    marker = out / MARKER_FILE
    trees = [out / t for t in TREES]
    meta = None
    if marker.exists():
        try:
            meta = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
    elif any(t.exists() and any(t.iterdir()) for t in trees):
        raise LookbookError(
            f"{out} already holds a deepfashion2/ or fpid/ folder not written by `data synth`; choose an empty folder"
        )
    if (
        meta
        and meta.get("state") == "finished"
        and (meta.get("version"), meta.get("n_images"), meta.get("seed")) == (SYNTH_VERSION, n_images, seed)
        and count_files(out) == meta.get("files")
    ):
        return meta.get("summary")
    for t in trees:  # ours (the marker says so): an older or unfinished run
        if t.exists():
            shutil.rmtree(t)
    try:
        for split in ("train", "validation"):
            for sub in ("image", "annos"):
                (out / "deepfashion2" / split / sub).mkdir(parents=True, exist_ok=True)
        (out / "fpid" / "images").mkdir(parents=True, exist_ok=True)
        write_json(marker, _marker(n_images, seed, "running"))
    except OSError as exc:
        raise LookbookError(f"cannot write to {out}: {exc.strerror or exc}") from exc
    return None


def count_files(out: Path) -> int:
    """Files in the two trees (temporary files excluded)."""
    return sum(1 for t in TREES for p in (out / t).rglob("*") if p.is_file() and not p.name.startswith("."))


def _write_file(path: Path, data: bytes) -> None:
    """Write beside the target and rename: a crash never leaves a partial file under the final name.

    No fsync per image (thousands of them); the CSV and the marker that say the run finished are fsynced.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_df2_image(out: Path, split: str, index: int, jpeg: bytes, anno: dict) -> None:
    """Image `index` (0-based) of a DeepFashion2 split: `<split>/image/NNNNNN.jpg` and `<split>/annos/NNNNNN.json`."""
    name = f"{index + 1:06d}"
    _write_file(out / "deepfashion2" / split / "image" / f"{name}.jpg", jpeg)
    _write_file(out / "deepfashion2" / split / "annos" / f"{name}.json", json.dumps(anno).encode("utf-8"))


def write_fpid_image(out: Path, product_id: int, jpeg: bytes) -> None:
    """A product shot, `fpid/images/<id>.jpg`."""
    _write_file(out / "fpid" / "images" / f"{product_id}.jpg", jpeg)


def write_styles(out: Path, rows: list[dict[str, str]]) -> None:
    """`fpid/styles.csv` with FPID's header, rows as given."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=FPID_HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_text(out / "fpid" / "styles.csv", buf.getvalue())


def mark_finished(out: Path, n_images: int, seed: int, summary: dict) -> None:
    """The marker saying `out` holds this finished run (with its file count, so a damaged tree is remade)."""
    write_json(out / MARKER_FILE, {**_marker(n_images, seed, "finished"), "files": count_files(out), "summary": summary})
