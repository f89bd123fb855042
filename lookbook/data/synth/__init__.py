"""Built-in procedural clothing dataset: drawn garments written as a DeepFashion2 tree and an FPID tree.

    from lookbook.data import synth
    summary = synth.generate("raw", n_images=5000, seed=0)  # raw/deepfashion2/{train,validation}/..., raw/fpid/...

Modules, from the bottom up: `sampling` (random draws), `colours`, `fabrics`, `geometry`, `shapes` (what a drawing is
made of), `cuts` (garment outlines and landmarks), `trims`, one builder module per garment family (`tops`, `dresses`,
`bottoms`, `footwear`, `bags`, `accessories`), `painter` (shapes to pixels), `scenes` (DeepFashion2 photos and
annotations), `catalogue` (FPID product shots and rows), `plan`, `writer` (the output trees) and `generation`.
"""

from lookbook.data.synth.catalogue import ARTICLES, FPID_SIZE_PX, Article, fpid_categories, render_fpid_product
from lookbook.data.synth.colours import COLOURS
from lookbook.data.synth.generation import Progress, generate
from lookbook.data.synth.geometry import clip_poly, poly_area, pts
from lookbook.data.synth.plan import VALIDATION_SHARE, Task, plan
from lookbook.data.synth.scenes import DF2_LANDMARK_COUNTS, build_df2, render_df2_scene
from lookbook.data.synth.shapes import Dot, Part, Shape, Stroke
from lookbook.data.synth.writer import FPID_HEADER, MARKER_FILE, SYNTH_VERSION

__all__ = [
    "ARTICLES",
    "COLOURS",
    "DF2_LANDMARK_COUNTS",
    "FPID_HEADER",
    "FPID_SIZE_PX",
    "MARKER_FILE",
    "SYNTH_VERSION",
    "VALIDATION_SHARE",
    "Article",
    "Dot",
    "Part",
    "Progress",
    "Shape",
    "Stroke",
    "Task",
    "build_df2",
    "clip_poly",
    "fpid_categories",
    "generate",
    "plan",
    "poly_area",
    "pts",
    "render_df2_scene",
    "render_fpid_product",
]
