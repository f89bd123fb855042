"""Fuzz-style: a few hundred random and mutated annotation files, CSV rows, manifests and image headers, fed to the
loaders. Each must end as accepted, a counted skip or a one-line LookbookError, never a traceback; good records stay."""

from __future__ import annotations

import copy
import io
import json
import random
import re
import struct
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from lookbook.compose import manifest as m
from lookbook.data.deepfashion2 import load_deepfashion2, load_deepfashion2_coco
from lookbook.data.fpid import load_fpid
from lookbook.data.images import load_crop
from lookbook.errors import LookbookError
from tests.data import trees
from tests.hardening.test_manifests import GOOD as GOOD_MANIFEST

SEED = 20240518
DEEP = "\u0001deep:"  # a value standing for a list nested this many levels (spliced into the text: json.dumps would recurse)
PER_KIND = 80  # inputs of each of the five kinds: 400 in all, a few seconds


class Tally:
    """Outcomes by input kind; a crash keeps its input's description and the exception."""

    def __init__(self) -> None:
        self.counts: Counter = Counter()
        self.crashes: list[str] = []

    def run(self, kind: str, described: str, feed: Callable[[], str]) -> None:
        """`feed` returns "ok" or "skip"; a LookbookError counts as an error, anything else as a crash."""
        self.counts[(kind, "tried")] += 1
        try:
            outcome = feed()
        except LookbookError as exc:
            assert "\n" not in str(exc) and len(str(exc)) < 1000, f"{kind} {described}: {str(exc)[:300]}"
            outcome = "error"
        except Exception as exc:  # the failure this test exists to catch
            self.crashes.append(f"{kind} {described}: {type(exc).__name__}: {str(exc)[:200]}")
            outcome = "crash"
        self.counts[(kind, outcome)] += 1

    def summary(self) -> str:
        kinds = sorted({k for k, _ in self.counts})
        rows = [f"{'kind':<12}{'tried':>7}{'ok':>6}{'skips':>7}{'errors':>8}{'crashes':>9}"]
        for kind in [*kinds, "all"]:
            pick = kinds if kind == "all" else [kind]
            n = {o: sum(self.counts[(k, o)] for k in pick) for o in ("tried", "ok", "skip", "error", "crash")}
            rows.append(f"{kind:<12}{n['tried']:>7}{n['ok']:>6}{n['skip']:>7}{n['error']:>8}{n['crash']:>9}")
        return "\n".join(rows)


def random_value(rng: random.Random, depth: int = 0) -> Any:
    """Any JSON value, with the awkward ones over-represented (huge, non-finite, nested, wrong types)."""
    choices = [
        lambda: None,
        lambda: rng.choice([True, False]),
        lambda: rng.randint(-5, 5),
        lambda: rng.choice([2**63, -(2**70), 10**30, 4294967297]),
        lambda: rng.choice([float("nan"), float("inf"), -1e308, 1e300, 0.5]),
        lambda: rng.choice(["", "12", "item1", "٣", "²", "1" * 5000, "\x00", "x" * 300]),
        lambda: [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))] if depth < 4 else [],
        lambda: {rng.choice(["a", "item1", "id"]): random_value(rng, depth + 1)} if depth < 4 else {},
        lambda: f"{DEEP}{rng.choice([20, 900, 5000, 100_000])}",
    ]
    return rng.choice(choices)()


def mutate(rng: random.Random, obj: Any) -> Any:
    """A copy of `obj` with one to three random edits: a value replaced, a key deleted, or a container emptied."""
    obj = copy.deepcopy(obj)
    for _ in range(rng.randint(1, 3)):
        paths = list(_paths(obj))
        if not paths:
            return random_value(rng)
        path = rng.choice(paths)
        parent = obj
        for key in path[:-1]:
            parent = parent[key]
        action = rng.random()
        if action < 0.7:
            parent[path[-1]] = random_value(rng)
        elif isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent.clear()
    return obj


def _paths(obj: Any, prefix: tuple = ()) -> Any:
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else []
    for key, value in items:
        yield (*prefix, key)
        if len(prefix) < 5:
            yield from _paths(value, (*prefix, key))


def garble(rng: random.Random, data: bytes) -> bytes:
    """Bytes cut short, flipped, or spliced with random bytes."""
    action = rng.random()
    if action < 0.3:
        return data[: rng.randint(0, len(data))]
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    if action > 0.8:
        data[rng.randint(0, len(data)) :] = rng.randbytes(rng.randint(0, 64))
    return bytes(data)


def as_json(rng: random.Random, obj: Any) -> bytes:
    text = json.dumps(obj, allow_nan=True)
    text = re.sub(r'"\\u0001deep:(\d+)"', lambda match: "[" * int(match[1]) + "]" * int(match[1]), text).encode()
    return garble(rng, text) if rng.random() < 0.2 else text


@pytest.fixture(scope="module")
def tally() -> Tally:
    return Tally()


def test_annotation_files(tmp_path, tally):
    rng = random.Random(SEED)
    good = {"source": "shop", "pair_id": 1, "item1": trees.df2_item(1), "item2": trees.df2_item(8, box=(20, 30, 80, 85))}
    root = trees.make_df2_tree(tmp_path / "df2", n_images=2)  # 000001.json stays good: its item must survive
    for i in range(PER_KIND):
        (root / "train" / "annos" / "000002.json").write_bytes(as_json(rng, mutate(rng, good)))

        def feed() -> str:
            records, report = load_deepfashion2(root)
            assert "deepfashion2:train:000001:1" in set(records["record_id"]), "a good record was lost"
            for path, *box in records[["image_path", "box_x1", "box_y1", "box_x2", "box_y2"]].itertuples(index=False):
                crop = load_crop(path, tuple(box), 32)
                report.skip(crop.skip) if crop.skip else None
            return "skip" if report.n_skipped or report.repaired else "ok"

        tally.run("annotation", f"#{i}", feed)


def test_coco_files(tmp_path, tally):
    rng = random.Random(SEED + 1)
    root = trees.make_df2_tree(tmp_path / "coco", n_images=2)
    item = trees.df2_item(1)
    x1, y1, x2, y2 = item["bounding_box"]
    good = {
        "images": [{"id": 1, "file_name": "000001.jpg"}, {"id": 2, "file_name": "000002.jpg"}],
        "annotations": [
            {"id": k, "image_id": k, "category_id": 1, "bbox": [x1, y1, x2 - x1, y2 - y1], "segmentation": [[1, 2, 3, 4, 5, 6]]}
            for k in (1, 2)
        ],
        "categories": [{"id": 1, "name": "short sleeve top"}],
    }
    for i in range(PER_KIND):
        path = root / "train" / "annos" / f"coco-{i}.json"
        path.write_bytes(as_json(rng, mutate(rng, good)))

        def feed(path: Path = path) -> str:
            _, report = load_deepfashion2_coco(path, root / "train" / "image")
            return "skip" if report.n_skipped or report.repaired else "ok"

        tally.run("coco", f"#{i}", feed)


def _csv_field(rng: random.Random) -> str:
    return rng.choice(
        ["", "NA", '"', '""', '"a,b"', ",", "1e308", "9" * 30, "2012.0", "-3", "x" * 140_000, "\x00", "\ufeff", "Tshirts", "ü"]
    )


def test_styles_csv_rows(tmp_path, tally):
    rng = random.Random(SEED + 2)
    good = "1,Men,Apparel,Topwear,Tshirts,Navy Blue,Fall,2011,Casual,Turtle Check Men Navy Blue Shirt"
    root = trees.make_fpid_tree(tmp_path / "fpid", [good], [1])
    styles = root / "styles.csv"
    for i in range(PER_KIND):
        lines = [good]
        for _ in range(rng.randint(1, 4)):
            fields = good.split(",")
            for _ in range(rng.randint(1, 4)):
                fields[rng.randrange(len(fields))] = _csv_field(rng)
            if rng.random() < 0.3:
                fields = fields[: rng.randint(0, len(fields))] + [_csv_field(rng) for _ in range(rng.randint(0, 3))]
            lines.append(",".join(fields))
        styles.write_text(trees.STYLES_HEADER + "\n" + "\n".join(lines) + "\n")
        if rng.random() < 0.25:
            raw = styles.read_bytes()
            cut = raw.index(b"\n") + 1  # the header stays whole: a broken header is its own, tested, error
            styles.write_bytes(raw[:cut] + raw[cut : cut + len(good) + 1] + garble(rng, raw[cut + len(good) + 1 :]))

        def feed() -> str:
            records, report = load_fpid(root)
            assert "fpid:all:1" in set(records["record_id"]), "the good row was lost"
            return "skip" if report.n_skipped or report.repaired else "ok"

        tally.run("styles.csv", f"#{i}", feed)


def test_manifests(tally):
    rng = random.Random(SEED + 3)
    for i in range(PER_KIND):
        data = as_json(rng, mutate(rng, GOOD_MANIFEST))

        def feed(data: bytes = data) -> str:
            m.from_manifest(m.read_manifest(data))
            return "ok"

        tally.run("manifest", f"#{i}", feed)


def _image_bytes(rng: random.Random) -> bytes:
    im = trees.colour_image((200, 30, 30), (rng.randint(1, 40), rng.randint(1, 40)))
    buffer = io.BytesIO()
    im.save(buffer, format=rng.choice(["PNG", "JPEG", "BMP", "GIF", "WEBP", "TIFF"]))
    return buffer.getvalue()


def _odd_size(rng: random.Random) -> tuple[int, int]:
    return rng.choice([(45_000, 1), (1, 45_000), (0, 10), (65_535, 65_535), (20_000, 1_250), (3, 60), (2**31 - 1, 1)])


def _png_with_size(rng: random.Random) -> bytes:
    """A real PNG whose header claims another size (the CRC fixed up, so only the size lies)."""
    data = bytearray(_png(rng))
    width, height = _odd_size(rng)
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", __import__("zlib").crc32(bytes(data[12:29])) & 0xFFFFFFFF)
    return bytes(data)


def _png(rng: random.Random) -> bytes:
    buffer = io.BytesIO()
    Image.new(rng.choice(["RGB", "RGBA", "L", "P", "I;16", "1"]), (rng.randint(1, 30), rng.randint(1, 30))).save(buffer, "PNG")
    return buffer.getvalue()


def test_image_headers(tmp_path, tally):
    rng = random.Random(SEED + 4)
    for i in range(PER_KIND):
        maker = rng.random()
        data = _png_with_size(rng) if maker < 0.3 else garble(rng, _image_bytes(rng)) if maker < 0.9 else rng.randbytes(64)
        path = tmp_path / f"image-{i}{rng.choice(['.png', '.jpg', '.bmp', '.webp'])}"
        path.write_bytes(data)
        box = rng.choice([None, (0, 0, 10, 10), (-1e9, -1e9, 1e9, 1e9), (5, 5, 5, 5), (float("nan"),) * 4, (1, 2, 1e30, 3)])

        def feed(path: Path = path, box: Any = box) -> str:
            crop = load_crop(path, box, 32)
            assert (crop.image is None) == (crop.skip is not None)
            assert crop.image is None or (crop.image.shape == (32, 32, 3) and crop.image.dtype.name == "uint8")
            return "skip" if crop.skip else "ok"

        tally.run("image", f"#{i} ({data[:8]!r}, box {box})", feed)


def test_no_input_crashed(tally):
    print("\nfuzz outcomes\n" + tally.summary())
    tried = sum(n for (_, outcome), n in tally.counts.items() if outcome == "tried")
    assert tried == 5 * PER_KIND
    assert tally.crashes == [], "\n".join(tally.crashes[:20])
