"""DeepFashion2 scene photos (garments worn by a simple figure or laid flat on a backdrop) and their official annotations."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from lookbook.data.synth.bottoms import build_jeans, build_leggings, build_shorts, build_skirt, build_track_pants, build_trousers
from lookbook.data.synth.colours import HAIR, RGB, SKIN, shade
from lookbook.data.synth.dresses import build_dress
from lookbook.data.synth.fabrics import solid
from lookbook.data.synth.geometry import clip_poly, ellipse, mirror, poly_area, pts, round_rect
from lookbook.data.synth.painter import SUPERSAMPLE, Painter, Pose, encode_jpeg, fit_pose, noise_field
from lookbook.data.synth.sampling import uniform
from lookbook.data.synth.shapes import Shape
from lookbook.data.synth.tops import build_jacket, build_top, build_tshirt
from lookbook.data.taxonomy import DF2_CATEGORY_NAMES

DF2_SCENE_SIZES_PX = ((256, 256), (256, 256), (240, 320), (320, 240))  # (width, height) of scene photos
# DeepFashion2 landmarks per category (the official definition; ranges are consecutive in id order in the COCO form).
DF2_LANDMARK_COUNTS: dict[int, int] = {
    1: 25,
    2: 33,
    3: 31,
    4: 39,
    5: 15,
    6: 15,
    7: 10,
    8: 14,
    9: 8,
    10: 29,
    11: 37,
    12: 19,
    13: 19,
}
DF2_TOPS, DF2_OUTWEAR, DF2_BOTTOMS, DF2_DRESSES = (1, 2, 5, 6), (3, 4), (7, 8, 9), (10, 11, 12, 13)
# how often each category is the scene's main (paired) garment; roughly balanced, tops and trousers a little more
DF2_HERO_WEIGHTS: dict[int, float] = {1: 3, 2: 2, 3: 1, 4: 2, 5: 1.5, 6: 1, 7: 2, 8: 3, 9: 2, 10: 1.5, 11: 1, 12: 1.5, 13: 1}
# fmt: off
WALLS: tuple[RGB, ...] = (
    (234, 230, 222), (214, 216, 220), (200, 210, 204), (238, 224, 214), (184, 190, 198),
    (222, 214, 196), (96, 102, 112), (160, 140, 120), (246, 246, 244), (226, 206, 200),
)
# fmt: on
FLOORS: tuple[RGB, ...] = ((150, 116, 84), (120, 90, 66), (188, 170, 150), (90, 90, 96), (200, 196, 190))


def build_df2(cat_id: int, rng: np.random.Generator, worn: bool, **cut) -> Shape:
    """A garment of one DeepFashion2 category (its landmarks follow that category's definition)."""
    if cat_id == 1:
        return build_tshirt(rng, worn, **cut)
    if cat_id in (2, 5, 6):
        return build_top(rng, worn, sleeve={2: "long", 5: "none", 6: "strap"}[cat_id], **cut)
    if cat_id in (3, 4):
        style = "zip" if cat_id == 3 or rng.random() < 0.6 else "blazer"
        return build_jacket(rng, worn, style=style, sleeve="short" if cat_id == 3 else "long", **cut)
    if cat_id == 7:
        return build_shorts(rng, worn)
    if cat_id == 8:
        kind = int(rng.choice(4, p=[0.5, 0.33, 0.1, 0.07]))
        return (build_jeans, build_trousers, build_track_pants, build_leggings)[kind](rng, worn)
    if cat_id == 9:
        return build_skirt(rng, worn)
    return build_dress(rng, worn, sleeve={10: "short", 11: "long", 12: "none", 13: "strap"}[cat_id], **cut)


def _background(rng: np.random.Generator, w: int, h: int, kind: str) -> Image.Image:
    """A supersampled backdrop: studio paper, wall and floor, wooden boards or a soft blanket."""
    wall = np.asarray(WALLS[int(rng.integers(len(WALLS)))], np.float32)
    y = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    x = np.linspace(0.0, 1.0, w, dtype=np.float32)[None, :, None]
    if kind == "studio":
        img = wall * (1.02 - 0.1 * y) * (1 - 0.12 * ((x - 0.5) ** 2 + (y - 0.45) ** 2))
    elif kind == "room":
        horizon = float(rng.uniform(0.62, 0.88))
        floor = np.asarray(FLOORS[int(rng.integers(len(FLOORS)))], np.float32)
        boards = 1 + 0.05 * np.sign(np.sin((x * float(rng.uniform(6, 12)) + 0.3 * y) * math.pi))
        img = np.where(y < horizon, wall * (1.0 - 0.08 * y), floor * boards * (0.9 + 0.15 * (y - horizon)))
        img = img * np.where(np.abs(y - horizon) < 0.006, 0.75, 1.0)
    elif kind == "boards":
        wood = np.asarray(FLOORS[int(rng.integers(len(FLOORS)))], np.float32)
        n = int(rng.integers(4, 8))
        tone = 1 + 0.08 * rng.standard_normal(n).astype(np.float32)
        idx = np.minimum((x[0, :, 0] * n).astype(int), n - 1)
        grain = 1 + 0.04 * np.sin(y * float(rng.uniform(40, 90)) + x * 7.0)
        img = wood * tone[idx][None, :, None] * grain * np.where((x * n) % 1.0 < 0.015, 0.7, 1.0)
    else:  # blanket
        low = rng.standard_normal((6, 6)).astype(np.float32)
        blotch = (
            np.asarray(
                Image.fromarray(((low - low.min()) / (np.ptp(low) + 1e-6) * 255).astype(np.uint8)).resize((w, h), Image.BICUBIC),
                np.float32,
            )[..., None]
            / 255.0
        )
        img = wall * (0.92 + 0.12 * blotch)
    img = np.broadcast_to(img, (h, w, 3)) + (noise_field(rng, h, w) * 2.0)[..., None]
    small = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    # nearest: the final 2x box downsample gives back exactly this backdrop
    return small.resize((w * SUPERSAMPLE, h * SUPERSAMPLE), Image.NEAREST)


def _figure(rng: np.random.Generator, arms: list[np.ndarray], ankles: list[np.ndarray] | None) -> Shape:
    """A plain model in body units (chest width 1, neck point at the origin): head, hair, neck, torso, arms, legs, shoes."""
    skin = SKIN[int(rng.integers(len(SKIN)))]
    hair = HAIR[int(rng.integers(len(HAIR)))]
    flesh = solid(skin, noise=1.5, edge=0.25)
    shape = Shape()
    long_hair = rng.random() < 0.5
    if long_hair:
        shape.part(round_rect(-0.27, -0.62, 0.27, uniform(rng, 0.05, 0.35), 0.2), solid(hair, edge=0.2), outline=None)
    hips = [np.array([-0.21, 1.3]), np.array([0.21, 1.3])]
    for hip, ankle in zip(hips, ankles or [np.array([-0.2, 3.3]), np.array([0.2, 3.3])]):
        knee = (hip + ankle) / 2
        shape.stroke([hip, knee], skin, 0.24)
        shape.stroke([knee, ankle], skin, 0.15)
        shape.part(
            ellipse(ankle[0] + 0.04 * np.sign(ankle[0]), ankle[1] + 0.08, 0.13, 0.07, 16),
            solid(shade(hair, 0.8), edge=0.2),
            outline=None,
        )
    # narrower than any garment at the waist, so fitted tops never show a sliver of torso beside them
    torso = pts(0.44, 0.08, 0.4, 0.36, 0.33, 0.75, 0.38, 1.15, 0.38, 1.45)
    shape.part(np.vstack([torso, mirror(torso)]), flesh, outline=None)
    shape.part(round_rect(-0.085, -0.3, 0.085, 0.1, 0.03), solid(shade(skin, 0.9), noise=1.5, edge=0.2), outline=None)
    for start, end in arms:
        d = (end - start) / max(np.hypot(*(end - start)), 1e-9)
        elbow, wrist = start + d * 0.6, start + d * 1.18
        shape.stroke([start, elbow], skin, 0.15)
        shape.stroke([elbow, wrist], skin, 0.12)
        shape.part(ellipse(*(wrist + d * 0.07), 0.07, 0.09, 14), flesh, outline=None)
    shape.part(ellipse(0.0, -0.48, 0.19, 0.25, 28), flesh, outline=None)
    shape.part(
        np.vstack([ellipse(0.0, -0.5, 0.21, 0.25, 16, math.pi, 2 * math.pi), pts(0.2, -0.45, 0.05, -0.6, -0.2, -0.45)]),
        solid(hair, edge=0.2),
        outline=None,
    )
    return shape


@dataclass
class Placed:
    """A garment in a scene: category, shape, pose, whether it is the paired (hero) item and whether it is worn."""

    cat_id: int
    shape: Shape
    pose: Pose
    hero: bool
    worn: bool


def _outfit(hero_cat: int, rng: np.random.Generator) -> list[tuple[int, str]]:
    """(category, role) in drawing order around the hero category."""
    top = int(rng.choice(DF2_TOPS, p=[0.45, 0.3, 0.15, 0.1]))
    bottom = int(rng.choice(DF2_BOTTOMS, p=[0.25, 0.45, 0.3]))
    if hero_cat in DF2_DRESSES:
        items = [(hero_cat, "dress")]
        if rng.random() < 0.25:
            items.append((int(rng.choice(DF2_OUTWEAR)), "outer"))
        return items
    if hero_cat in DF2_OUTWEAR:
        if rng.random() < 0.2:
            return [(int(rng.choice(DF2_DRESSES)), "dress"), (hero_cat, "outer")]
        return [(bottom, "bottom"), (top, "top"), (hero_cat, "outer")]
    items = [(bottom if hero_cat in DF2_TOPS else hero_cat, "bottom"), (hero_cat if hero_cat in DF2_TOPS else top, "top")]
    if rng.random() < 0.2 and items[1][0] in (1, 2):
        items.append((int(rng.choice(DF2_OUTWEAR)), "outer"))
    return items


def _compose_worn(hero_cat: int, items, hero_rng, rng, size, viewpoint) -> tuple[list[Placed], Shape, Pose]:
    """Poses for an outfit on a figure; returns the garments and the figure with its pose."""
    w, h = size
    shot = rng.random()  # close-up, medium or full-figure framing
    b = w * (
        uniform(rng, 0.5, 0.75) if shot < 0.15 else uniform(rng, 0.16, 0.26) if shot > 0.8 else uniform(rng, 0.28, 0.44)
    )  # chest, px
    angle = uniform(rng, -0.05, 0.05) if viewpoint == 2 else uniform(rng, -0.12, 0.12)
    squash = 1.0 if viewpoint == 2 else uniform(rng, 0.72, 0.88)
    light = (uniform(rng, -0.06, 0.06), uniform(rng, -0.04, 0.02))
    a_long, a_short = uniform(rng, 1.25, 1.42), uniform(rng, 0.95, 1.2)
    shapes: dict[str, tuple[int, Shape]] = {}
    for cat, role in items:
        r = hero_rng if cat == hero_cat else rng
        cut = {}
        if role != "bottom":
            cut["sleeve_angle"] = a_long if cat in (2, 4, 11) else a_short
        if role == "outer":
            cut["front"] = "open" if rng.random() < 0.6 else "closed"
        shapes[role] = (cat, build_df2(cat, r, True, **cut))
    upper = shapes.get("top") or shapes.get("dress") or shapes["outer"]
    top_len = float(upper[1].anchors["length"][0, 1])
    tucked = "top" in shapes and rng.random() < 0.2
    overlap = uniform(rng, 0.12, 0.3) if not tucked else top_len - uniform(rng, 0.75, 0.9)
    if hero_cat in DF2_BOTTOMS:
        neck_y = h * uniform(rng, 0.08, 0.35) - (top_len - overlap) * b
    else:
        neck_y = h * uniform(rng, 0.06, 0.22)
    cx = w * (0.5 + uniform(rng, -0.1, 0.1))
    body = Pose(cx, neck_y, b, angle, False, squash, light)
    placed: dict[str, Placed] = {}
    for role, (cat, shape) in shapes.items():
        if role == "bottom":
            origin = body.apply(pts(0.0, top_len - overlap))[0]
            pose = Pose(origin[0], origin[1], b * uniform(rng, 0.82, 0.9), angle, False, squash, light)
        elif role == "outer":
            origin = body.apply(pts(0.0, -0.03))[0]
            pose = Pose(origin[0], origin[1], b * 1.05, angle, False, squash, light)
        else:
            pose = body
        placed[role] = Placed(cat, shape, pose, cat == hero_cat, True)
    order = ["bottom", "top", "dress", "outer"]
    if tucked:
        order = ["top", "bottom", "dress", "outer"]
    garments = [placed[r] for r in order if r in placed]
    sleeve_src = placed.get("outer") or placed.get("top") or placed.get("dress")
    arms = [body.invert(sleeve_src.pose.apply(sleeve_src.shape.anchors[k])) for k in ("arm_l", "arm_r")]
    ankles = None
    if "bottom" in placed and placed["bottom"].cat_id == 8:
        bp = placed["bottom"]
        ankles = [body.invert(bp.pose.apply(bp.shape.anchors[k][1:]))[0] + (0.0, 0.12) for k in ("leg_l", "leg_r")]
    return garments, _figure(rng, arms, ankles), body


def _compose_flat(hero_cat: int, items, hero_rng, rng, size) -> list[Placed]:
    """Garments laid side by side (a flat lay), each fitted into its own region of the frame."""
    w, h = size
    shapes = [(cat, build_df2(cat, hero_rng if cat == hero_cat else rng, False)) for cat, _ in items]
    n = len(shapes)
    m = 0.05
    if n == 1:
        boxes = [(w * m, h * m, w * (1 - 2 * m), h * (1 - 2 * m))]
    else:
        cut = uniform(rng, 0.4, 0.6)
        if w >= h:
            boxes = [(w * m, h * m, w * (cut - m), h * (1 - 2 * m)), (w * cut, h * m, w * (1 - cut - m), h * (1 - 2 * m))]
        else:
            boxes = [(w * m, h * m, w * (1 - 2 * m), h * (cut - m)), (w * m, h * cut, w * (1 - 2 * m), h * (1 - cut - m))]
        if n == 3:
            bx, by, bw, bh = boxes[1]
            boxes[1:] = (
                [(bx, by, bw, bh / 2), (bx, by + bh / 2, bw, bh / 2)]
                if w >= h
                else [(bx, by, bw / 2, bh), (bx + bw / 2, by, bw / 2, bh)]
            )
    placed = []
    grow = uniform(rng, 1.0, 1.25)  # > 1: neighbours overlap a little
    for (cat, shape), (bx, by, bw, bh) in zip(shapes, boxes):
        box = (bx - bw * (grow - 1) / 2, by - bh * (grow - 1) / 2, bw * grow, bh * grow)
        pose = fit_pose(shape, box, rng, uniform(rng, -0.15, 0.15), light=(uniform(rng, -0.05, 0.05), uniform(rng, -0.04, 0.02)))
        placed.append(Placed(cat, shape, pose, cat == hero_cat, False))
    return placed


def _visible_polys(shape: Shape, pose: Pose, size) -> tuple[list[np.ndarray], float, float]:
    """(polygons clipped to the frame, area inside, total area) in output pixels."""
    w, h = size
    polys = [pose.apply(p) for p in shape.silhouette]
    total = sum(poly_area(p) for p in polys)
    clipped = [c for c in (clip_poly(p, 0, 0, w - 1, h - 1) for p in polys) if len(c) >= 3 and poly_area(c) >= 1.0]
    return clipped, sum(poly_area(c) for c in clipped), total


def _level(value: float, thresholds: tuple[float, float]) -> int:
    """1, 2 or 3 by two ascending thresholds."""
    return 1 if value < thresholds[0] else 2 if value < thresholds[1] else 3


def render_df2_scene(seed: int, split_id: int, index: int, pair_index: int, source: str, pair_id: int) -> tuple[bytes, dict]:
    """One DeepFashion2 image (JPEG bytes) and its annotation dict in the official raw format."""
    rng = np.random.default_rng([seed, 1, split_id, index])
    hero_rng = np.random.default_rng([seed, 2, split_id, pair_index])
    cats = sorted(DF2_HERO_WEIGHTS)
    weights = np.array([DF2_HERO_WEIGHTS[c] for c in cats])
    hero_cat = int(hero_rng.choice(cats, p=weights / weights.sum()))
    hero_rng = np.random.default_rng([seed, 3, split_id, pair_index])  # the hero garment's own stream: same in both images
    size = DF2_SCENE_SIZES_PX[int(rng.integers(len(DF2_SCENE_SIZES_PX)))]
    w, h = size
    flat = rng.random() < (0.25 if source == "shop" else 0.1)
    viewpoint = 1 if flat else (2 if rng.random() < 0.75 else 3)
    items = _outfit(hero_cat, rng)
    if flat and len(items) > 2:
        items = [it for it in items if it[0] == hero_cat] + [it for it in items if it[0] != hero_cat][:1]
    kind = str(
        rng.choice(
            ["studio", "room", "blanket", "boards"], p=[0.6, 0.25, 0.1, 0.05] if source == "shop" else [0.2, 0.5, 0.15, 0.15]
        )
    )
    if flat and kind == "room":
        kind = "boards"
    painter = Painter(_background(rng, w, h, kind))
    if flat:
        garments = _compose_flat(hero_cat, items, hero_rng, rng, size)
    else:
        garments, figure, body = _compose_worn(hero_cat, items, hero_rng, rng, size, viewpoint)
        painter.paint(figure, body, rng)
    # garments almost entirely outside the frame are neither drawn nor annotated
    visible = []
    for g in garments:
        clipped, inside, total = _visible_polys(g.shape, g.pose, size)
        if inside >= 0.012 * w * h and inside >= 0.1 * total:
            visible.append((g, clipped, inside, total))
    masks = []
    for g, *_ in visible:
        painter.paint(g.shape, g.pose, rng)
        mask = Image.new("L", size, 0)
        mdraw = ImageDraw.Draw(mask)
        for p in g.shape.silhouette:
            mdraw.polygon([tuple(q) for q in g.pose.apply(p)], fill=1)
        masks.append(np.asarray(mask, dtype=bool))
    above = [np.zeros((h, w), bool)]
    for m in masks[:0:-1]:
        above.insert(0, above[0] | m)
    anno: dict = {"source": source, "pair_id": pair_id}
    for k, ((g, clipped, inside, total), mask, cover) in enumerate(zip(visible, masks, above), start=1):
        anno[f"item{k}"] = _df2_item(g, clipped, inside, total, mask, cover, viewpoint, size, rng)
    image = painter.result()
    arr = np.asarray(image, np.float32) + (noise_field(rng, h, w) * (1.5 if source == "shop" else 3.0))[..., None]
    return encode_jpeg(Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))), anno


def _df2_item(g: Placed, clipped, inside: float, total: float, mask, cover, viewpoint: int, size, rng) -> dict:
    """One `itemN` record: geometry from the drawn polygons, attributes from areas and overlaps."""
    w, h = size
    allp = np.vstack(clipped)
    box = [
        int(max(0, math.floor(allp[:, 0].min()))),
        int(max(0, math.floor(allp[:, 1].min()))),
        int(min(w - 1, math.ceil(allp[:, 0].max()))),
        int(min(h - 1, math.ceil(allp[:, 1].max()))),
    ]
    own = max(int(mask.sum()), 1)
    covered = float((mask & cover).sum()) / own
    landmarks: list[float] = []
    for i, (x, y) in enumerate(np.round(g.pose.apply(g.shape.landmarks))):
        xi, yi = int(x), int(y)
        if not (0 <= xi < w and 0 <= yi < h) or rng.random() < 0.02:
            landmarks += [0.0, 0.0, 0.0]  # outside the frame or not labelled: zeros, as in the official files
            continue
        hidden = cover[yi, xi] or (g.worn and i == 0 and g.cat_id not in DF2_BOTTOMS)  # back of the neck, behind the wearer
        landmarks += [float(xi), float(yi), 1.0 if hidden else 2.0]
    box_share = (box[2] - box[0]) * (box[3] - box[1]) / (w * h)
    return {
        "segmentation": [[round(float(v), 2) for v in p.reshape(-1)] for p in clipped],
        "scale": _level(box_share, (0.08, 0.3)),
        "viewpoint": viewpoint,
        "zoom_in": _level(1.0 - inside / max(total, 1e-9), (0.01, 0.3)),
        "landmarks": landmarks,
        "style": 1 if g.hero else 0,
        "bounding_box": box,
        "category_id": g.cat_id,
        "occlusion": _level(covered, (0.1, 0.4)),
        "category_name": DF2_CATEGORY_NAMES[g.cat_id],
    }
