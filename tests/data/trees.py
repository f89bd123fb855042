"""Builders for small source trees and deliberately bad files used by the data tests."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from lookbook.data import images as img

COLOURS = [(200, 30, 30), (30, 160, 40), (40, 60, 200), (220, 200, 30), (150, 40, 170), (20, 170, 170), (120, 120, 120)]


def colour_image(colour, size=(48, 40), mode="RGB") -> Image.Image:
    """A solid image with a darker centre block, so crops and rotations are visible."""
    w, h = size
    arr = np.empty((h, w, 3), np.uint8)
    arr[:] = colour
    arr[h // 4 : 3 * h // 4, w // 4 : 3 * w // 4] = np.array(colour) // 2
    im = Image.fromarray(arr)
    return im.convert(mode) if mode != "RGB" else im


def save(im: Image.Image, path: Path, **kw) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    im.save(path, **kw)
    return path


def bomb_png(path: Path, side_px: int = 100_000) -> Path:
    """A tiny PNG whose header claims side_px x side_px pixels (a decompression bomb), written by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", side_px, side_px, 1, 0, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)
    return path


def truncated(path: Path, source: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


# Odd image files (kind, file name, expected reason): write_odd_image(kind, path) makes one.
SKIPS = [
    ("corrupt", "bad.jpg", img.SKIP_CORRUPT),
    ("zero_byte", "empty.jpg", img.SKIP_EMPTY),
    ("truncated_jpeg", "cut.jpg", img.SKIP_TRUNCATED),
    ("truncated_png", "cut.png", img.SKIP_TRUNCATED),
    ("bomb", "bomb.png", img.SKIP_BOMB),
]
REPAIRS = [
    ("cmyk", "cmyk.jpg", img.REPAIR_CMYK),
    ("rgba", "rgba.png", img.REPAIR_ALPHA),
    ("palette", "pal.png", img.REPAIR_PALETTE),
    ("palette_transparent", "palt.png", img.REPAIR_ALPHA),
    ("la", "la.png", img.REPAIR_ALPHA),
    ("i16", "deep.png", img.REPAIR_16BIT),
    ("gray", "gray.jpg", img.REPAIR_GRAY),
    ("bilevel", "bw.png", img.REPAIR_GRAY),
]


def write_odd_image(kind: str, path: Path) -> Path:
    """Write one odd image of `kind` at `path` (extension decided by the caller)."""
    base = colour_image((180, 60, 40))
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "corrupt":
        path.write_bytes(b"this is not an image at all " * 20)
    elif kind == "zero_byte":
        path.write_bytes(b"")
    elif kind in ("truncated_jpeg", "truncated_png"):
        full = path.with_name("full_" + path.name)
        save(colour_image((180, 60, 40), size=(400, 300)), full)
        truncated(path, full)
        full.unlink()
    elif kind == "bomb":
        bomb_png(path)
    elif kind == "cmyk":
        save(base.convert("CMYK"), path, format="JPEG")
    elif kind == "rgba":
        rgba = base.convert("RGBA")
        rgba.putalpha(128)
        save(rgba, path, format="PNG")
    elif kind == "palette":
        save(base.convert("P"), path, format="PNG")
    elif kind == "palette_transparent":
        pal = base.convert("P")
        save(pal, path, format="PNG", transparency=0)
    elif kind == "la":
        save(base.convert("LA"), path, format="PNG")
    elif kind == "i16":
        arr = (np.asarray(base.convert("L"), dtype=np.uint16) * 257).astype(np.uint16)
        save(Image.fromarray(arr), path, format="PNG")
    elif kind == "gray":
        save(base.convert("L"), path, format="JPEG")
    elif kind == "bilevel":
        save(base.convert("1"), path, format="PNG")
    else:
        raise ValueError(kind)
    return path


def make_folder_tree(root: Path, per_class: dict[str, int], size=(48, 40)) -> dict[str, tuple[int, int, int]]:
    """`root/<class>/<class>_<i>.jpg` solid-colour images; returns record-id suffix -> colour."""
    colours = {}
    k = 0
    for label, n in per_class.items():
        for i in range(n):
            colour = COLOURS[k % len(COLOURS)]
            colour = (colour[0], colour[1], (colour[2] + 10 * k) % 256)
            save(colour_image(colour, size), root / label / f"{label}_{i:03d}.png")
            colours[f"{label}/{label}_{i:03d}"] = colour
            k += 1
    return colours


def df2_item(category_id: int = 1, box=(10, 10, 60, 70), n_landmarks: int = 25, **extra) -> dict:
    lm = []
    for j in range(n_landmarks):
        lm += [float(box[0] + j), float(box[1] + j), float(2 if j % 3 else 0)]
    item = {
        "category_id": category_id,
        "category_name": {1: "short sleeve top", 8: "trousers", 11: "long sleeve dress"}.get(category_id, "x"),
        "bounding_box": list(box),
        "landmarks": lm,
        "segmentation": [[box[0], box[1], box[2], box[1], box[2], box[3]]],
        "style": 1,
        "scale": 2,
        "occlusion": 1,
        "zoom_in": 1,
        "viewpoint": 2,
    }
    item.update(extra)
    return item


def make_df2_tree(root: Path, n_images: int = 3, split: str = "train", image_size=(100, 90)) -> Path:
    """`root/<split>/{image,annos}` with one or two items per image."""
    folder = root / split
    for i in range(1, n_images + 1):
        stem = f"{i:06d}"
        save(colour_image(COLOURS[i % len(COLOURS)], image_size), folder / "image" / f"{stem}.jpg")
        anno = {"source": "shop", "pair_id": i, "item1": df2_item(1)}
        if i % 2 == 0:
            anno["item2"] = df2_item(8, box=(20, 30, 80, 85), n_landmarks=14)
        write_json(folder / "annos" / f"{stem}.json", anno)
    return root


def write_json(path: Path, obj) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj))
    return path


STYLES_HEADER = "id,gender,masterCategory,subCategory,articleType,baseColour,season,year,usage,productDisplayName"


def make_fpid_tree(root: Path, lines: list[str], image_ids: list[int], header: str = STYLES_HEADER) -> Path:
    """`root/styles.csv` (given lines, raw) + `root/images/<id>.jpg` for `image_ids`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "styles.csv").write_bytes((header + "\n" + "\n".join(lines) + "\n").encode("utf-8"))
    for k, pid in enumerate(image_ids):
        save(colour_image(COLOURS[k % len(COLOURS)], (30, 40)), root / "images" / f"{pid}.jpg")
    return root
