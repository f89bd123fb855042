"""Colour harmony on hand-made colour sets, and palettes of real product photos."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PIL import Image

from lookbook.compose.harmony import (
    colour_name,
    foreground_mask,
    garment_palette,
    hue_distance,
    outfit_palette,
    pair_relation,
    rgb_to_lab,
    ryb_hue,
    score_outfit,
    short_name,
)

NAVY, CAMEL, WHITE, BLACK = (30, 38, 78), (193, 154, 107), (246, 246, 244), (22, 22, 24)
RED, GREEN, ORANGE, BLUE, YELLOW, PURPLE = (
    (200, 32, 44),
    (44, 132, 64),
    (238, 126, 40),
    (42, 92, 188),
    (242, 208, 52),
    (112, 52, 142),
)


def product(rgb, size=64, background=(252, 252, 252), stripe=None):
    """A garment-like block of `rgb` on a near-white product background (optionally with a stripe)."""
    img = np.full((size, size, 3), background, np.uint8)
    img[size // 5 : size * 4 // 5, size // 4 : size * 3 // 4] = rgb
    if stripe is not None:
        img[size // 2 - 3 : size // 2 + 3, size // 4 : size * 3 // 4] = stripe
    return img


def outfit(*items):
    return score_outfit([(noun, garment_palette(product(rgb))) for noun, rgb in items])


def test_lab_matches_reference_values():
    # reference CIELAB (D65) of pure sRGB primaries and white
    lab = rgb_to_lab(np.array([[255, 0, 0], [0, 255, 0], [255, 255, 255], [0, 0, 0]], float))
    np.testing.assert_allclose(lab[0], [53.24, 80.09, 67.20], atol=0.1)
    np.testing.assert_allclose(lab[1], [87.73, -86.18, 83.18], atol=0.1)
    np.testing.assert_allclose(lab[2], [100, 0, 0], atol=0.05)
    np.testing.assert_allclose(lab[3], [0, 0, 0], atol=0.05)


def test_painters_wheel_puts_complements_opposite():
    assert hue_distance(ryb_hue(RED), ryb_hue(GREEN)) > 160
    assert hue_distance(ryb_hue(BLUE), ryb_hue(ORANGE)) > 150
    assert hue_distance(ryb_hue(YELLOW), ryb_hue(PURPLE)) > 140
    assert hue_distance(ryb_hue(RED), ryb_hue(ORANGE)) < 65
    assert hue_distance(350, 10) == 20


def test_palette_ignores_white_background_but_keeps_a_white_garment():
    palette = garment_palette(product(NAVY, stripe=CAMEL))
    names = [s.name for s in palette]
    assert names[0] == "navy" and "camel" in names and "white" not in names
    assert palette[0].share > palette[1].share and sum(s.share for s in palette) == pytest.approx(1.0)
    # the background is exactly the near-white region touching the border
    mask = foreground_mask(product(NAVY))
    assert mask.sum() == (64 * 4 // 5 - 64 // 5) * (64 * 3 // 4 - 64 // 4)
    # a white T-shirt on white: the garment is the white
    white_shirt = product((244, 244, 244), background=(255, 255, 255))
    assert garment_palette(white_shirt)[0].name == "white"


def test_a_small_item_keeps_its_colour_on_a_white_background():
    earrings = np.full((64, 64, 3), 250, np.uint8)
    earrings[20:26, 18:22] = earrings[20:26, 42:46] = (120, 30, 40)  # two small burgundy drops: 1.2% of the image
    palette = garment_palette(earrings)
    assert len(palette) == 1 and palette[0].name != "white" and palette[0].chroma > 20


def test_palette_is_deterministic_and_names_are_sensible():
    img = np.random.default_rng(3).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    assert garment_palette(img) == garment_palette(img.copy())
    assert [colour_name(c) for c in (NAVY, CAMEL, WHITE, BLACK, RED, GREEN)] == [
        "navy",
        "camel",
        "white",
        "black",
        "red",
        "green",
    ]
    assert short_name("Jacket / blazer") == "jacket" and short_name("Shoes (type unknown)") == "shoes"


def test_navy_camel_with_white_is_complementary_and_anchored():
    h = outfit(("shirt", NAVY), ("jeans", CAMEL), ("sports shoes", WHITE), ("wallet", BLACK))
    assert h.scheme == "complementary"
    assert h.reason == "navy shirt and camel jeans are complementary, anchored by white sports shoes and black wallet"
    assert h.score >= 90
    assert [s.name for s in h.palette] == ["navy", "camel", "white", "black"]


@pytest.mark.parametrize(
    "pair, relation",
    [
        ((RED, GREEN), "complementary"),
        ((BLUE, ORANGE), "complementary"),
        ((RED, ORANGE), "analogous"),
        ((BLUE, GREEN), "analogous"),
    ],
)
def test_pair_relations(pair, relation):
    a, b = (garment_palette(product(c))[0] for c in pair)
    assert pair_relation(a, b)[0] == relation


def test_scores_rank_harmonious_above_clashing():
    complementary = outfit(("shirt", RED), ("trousers", GREEN))
    analogous = outfit(("shirt", BLUE), ("trousers", GREEN))
    clashing = outfit(("shirt", RED), ("trousers", (240, 160, 0)))  # red with amber: ~85 degrees apart on the RYB wheel
    busy = outfit(("shirt", RED), ("trousers", GREEN), ("shoes", PURPLE), ("bag", YELLOW))
    assert clashing.scheme == "clashing" and "clash" in clashing.reason
    assert min(complementary.score, analogous.score) > clashing.score
    assert busy.scheme == "busy" and busy.score < complementary.score
    triad = outfit(("shirt", RED), ("trousers", BLUE), ("shoes", YELLOW))
    assert triad.scheme == "triadic" and "triad" in triad.reason


def test_neutral_outfits_and_single_accents():
    crisp = outfit(("shirt", BLACK), ("trousers", WHITE))
    flat = outfit(("shirt", (128, 128, 130)), ("trousers", (140, 140, 142)))
    assert crisp.scheme == flat.scheme == "neutral"
    assert crisp.score > flat.score and "contrast" in crisp.reason
    accent = outfit(("shirt", RED), ("trousers", BLACK), ("shoes", WHITE))
    assert accent.scheme == "neutral balance" and accent.reason.startswith("red shirt stands out")
    mono = outfit(("shirt", BLUE), ("trousers", BLUE))
    assert mono.scheme == "monochrome"
    assert score_outfit([]).score == 0


def test_outfit_palette_merges_repeats():
    p = outfit_palette([garment_palette(product(NAVY)), garment_palette(product(NAVY)), garment_palette(product(RED))])
    assert [s.name for s in p] == ["navy", "red"] and p[0].share == pytest.approx(2 / 3, abs=0.01)


@pytest.mark.fixtures
def test_real_product_photos_get_their_catalogue_colour(fixtures_dir):
    """On real FPID shoes and accessories, the dominant swatch agrees with the catalogue's baseColour."""
    accept = {
        "Black": {"black", "charcoal"},
        "White": {"white", "silver", "cream"},
        "Grey": {"grey", "silver", "charcoal", "taupe", "slate"},
        "Red": {"red", "burgundy", "coral", "rust"},
        "Brown": {"brown", "dark brown", "chocolate", "tan", "camel", "taupe"},
        "Yellow": {"yellow", "mustard", "khaki"},
        "Navy Blue": {"navy", "blue", "denim", "charcoal", "slate"},
    }
    root = fixtures_dir / "fpid"
    seen: dict[str, int] = {}
    agree = total = background_named = 0
    with open(root / "styles.csv", encoding="utf-8", errors="replace") as f:
        for row in csv.DictReader(f):
            colour, path = row.get("baseColour"), root / "images" / f"{row.get('id')}.jpg"
            if colour not in accept or row.get("masterCategory") not in ("Footwear", "Accessories") or seen.get(colour, 0) >= 12:
                continue
            if not path.is_file():
                continue
            seen[colour] = seen.get(colour, 0) + 1
            image = np.asarray(Image.open(path).convert("RGB").resize((64, 64), Image.Resampling.LANCZOS))
            name = garment_palette(image)[0].name
            agree += name in accept[colour]
            background_named += colour != "White" and name == "white"
            total += 1
    assert total >= 60
    assert agree / total >= 0.6, f"only {agree}/{total} palettes agree with the catalogue colour"
    assert background_named <= total * 0.05  # the white product background is not taken for the garment
