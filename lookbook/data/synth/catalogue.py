"""FPID product shots: one garment centred on white, with a styles.csv row in FPID's own vocabulary."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
from PIL import Image

from lookbook.data.synth import accessories, bags, bottoms, dresses, footwear, tops
from lookbook.data.synth.colours import COLOURS
from lookbook.data.synth.painter import SUPERSAMPLE, Painter, encode_jpeg, fit_pose
from lookbook.data.synth.sampling import choose, uniform
from lookbook.data.synth.shapes import Shape
from lookbook.data.taxonomy import category_for

FPID_SIZE_PX = (96, 128)  # (width, height): the 3:4 portrait of real FPID product shots
ARTICLES_CSV = Path(__file__).with_name("articles.csv")  # one row per article type we draw, in FPID's vocabulary
SEASONS = {"all": "Summer:4, Fall:3, Winter:2, Spring:1", "warm": "Summer:6, Spring:2, Fall:1", "cold": "Winter:5, Fall:3"}
# every `build_<kind>` of the garment modules, by kind (the `builder` column of articles.csv)
BUILDERS: dict[str, Callable[..., Shape]] = {
    name.removeprefix("build_"): fn
    for module in (tops, dresses, bottoms, footwear, bags, accessories)
    for name, fn in vars(module).items()
    if name.startswith("build_") and fn.__module__ == module.__name__
}


@dataclass(frozen=True)
class Article:
    """One FPID article type we draw: how to draw it and how the real catalogue files it."""

    article_type: str  # FPID articleType (maps to the unified category through taxonomy.csv)
    builder: Callable[[np.random.Generator], Shape]  # a garment builder, its option bound
    master: str  # masterCategory
    sub: str  # subCategory
    genders: str  # weighted "Men:5, Women:2"
    usage: str  # weighted usage values
    seasons: str  # weighted seasons
    noun: str  # last word(s) of productDisplayName
    weight: float = 1.0  # share among the articles of the same category
    pose: str = "upright"  # upright, side (shoes: may face either way), diagonal (belts), tilt (ties)


def _option(text: str) -> dict[str, object]:
    """The `option` column: empty, or one builder keyword argument as "key=value" (true/false for flags)."""
    if not text:
        return {}
    key, value = text.split("=")
    return {key: {"true": True, "false": False}.get(value, value)}


def load_articles(path: Path = ARTICLES_CSV) -> tuple[Article, ...]:
    """The article table, in file order (a product's article is drawn by its index among its category's rows)."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return tuple(
        Article(
            r["articleType"],
            partial(BUILDERS[r["builder"]], **_option(r["option"])),
            r["masterCategory"],
            r["subCategory"],
            r["gender"],
            r["usage"],
            SEASONS[r["season"]],
            r["noun"],
            float(r["weight"]),
            r["pose"],
        )
        for r in rows
    )


ARTICLES = load_articles()
BRANDS: tuple[str, ...] = (
    "Northwind",
    "Arlo & Finch",
    "Kestrel",
    "Mira",
    "Oakline",
    "Tessa",
    "Brio",
    "Halden",
    "Juniper",
    "Corvo",
    "Lumen",
    "Sable",
    "Verano",
    "Atlas Row",
    "Indigo Lane",
    "Marlow",
)
YEARS = "2011:3, 2012:4, 2013:1, 2015:1, 2016:2, 2017:1"


def fpid_categories() -> list[str]:
    """Unified categories the FPID tree covers, in a fixed order."""
    return sorted({category_for("fpid", a.article_type) for a in ARTICLES})


def render_fpid_product(seed: int, index: int, category: str, product_id: int) -> tuple[bytes, dict[str, str]]:
    """One FPID product shot (JPEG bytes) and its styles.csv row."""
    rng = np.random.default_rng([seed, 4, index])
    articles = [a for a in ARTICLES if category_for("fpid", a.article_type) == category]
    weights = np.array([a.weight for a in articles])
    art = articles[int(rng.choice(len(articles), p=weights / weights.sum()))]
    shape = art.builder(rng)
    w, h = FPID_SIZE_PX
    angle, flip = 0.0, False
    if art.pose == "side":
        flip = rng.random() < 0.3
        angle = uniform(rng, -0.05, 0.05)
    elif art.pose == "diagonal":
        angle = uniform(rng, -1.0, -0.75)
    elif art.pose == "tilt":
        angle = uniform(rng, -0.15, 0.15)
    m = uniform(rng, 0.05, 0.1)
    pose = fit_pose(
        shape, (w * m, h * m, w * (1 - 2 * m), h * (1 - 2 * m)), rng, angle, flip, light=(uniform(rng, -0.04, 0.04), 0.0)
    )
    paper = 255 if rng.random() < 0.85 else int(rng.integers(236, 250))
    painter = Painter(Image.new("RGB", (w * SUPERSAMPLE, h * SUPERSAMPLE), (paper, paper, paper)))
    painter.paint(shape, pose, rng)
    fab = shape.fabric
    gender = choose(rng, art.genders)
    words = [str(rng.choice(BRANDS)), gender]
    if fab is not None and fab.descriptor != "Solid" and rng.random() < 0.8:
        words.append(fab.descriptor)
    colour = fab.colour if fab is not None and fab.colour in COLOURS else "Multi"
    row = {
        "id": str(product_id),
        "gender": gender,
        "masterCategory": art.master,
        "subCategory": art.sub,
        "articleType": art.article_type,
        "baseColour": colour,
        "season": choose(rng, art.seasons),
        "year": choose(rng, YEARS),
        "usage": choose(rng, art.usage),
        "productDisplayName": " ".join([*words, colour, art.noun]),
    }
    return encode_jpeg(painter.result()), row
