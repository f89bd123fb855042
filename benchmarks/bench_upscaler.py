"""The learned 4x upscaler against Lanczos + unsharp: fidelity on held-out real photos, speed, generated garments.

Run by hand: `python benchmarks/bench_upscaler.py [--model checkpoints/upscaler.keras] [--images 300] [--sheet FILE.png]`.
1. Fidelity: each held-out photo (id % 10 == 0, never trained on) as a 256 px white square, shrunk to 64 px with Lanczos
   (how datasets are prepared), enlarged back 4x by each method and compared with the square: PSNR and SSIM.
   Bicubic is printed for reference; the baseline is Lanczos + unsharp (what pages drew before). Target: >= +1.0 dB.
2. Speed: 4 and 40 garments of 64 px enlarged to the 400 px a page tile draws, learned vs the baseline measured in the
   same run (wall and process CPU time; on a loaded machine the CPU time is the steadier figure). Targets: the extra
   time at most 300 ms for a 4-slot page and within the 5 s of a 10-page PDF (about 40 garments).
3. Generated garments (with --generator and --classifier, defaults the shipped ones): the classifier's recognisable
   share (confidence >= 0.8) of the 64 px garments and of their learned enlargements brought back to 64 px, and with
   --sheet a side-by-side picture, one row per category: 64 px (nearest), Lanczos + unsharp, learned.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from PIL import Image

from benchmarks.timing import median_times
from lookbook.data import superres
from lookbook.metrics import fidelity
from lookbook.models.upscaler import SCALE, Upscaler, default_upscaler_path, load_upscaler, resample
from lookbook.train.callbacks import make_grid

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
DEFAULT_DATA = [FIXTURES / "fpid", FIXTURES / "fpid-medium", FIXTURES / "fpid-fullsize"]
TILE_PX = 400  # about the size a garment is drawn on an A4 page at 150 dpi
SHEET_CATEGORIES = ("tshirt", "shirt", "dress", "jeans", "sports_shoes", "heels", "handbag", "watch")


def fidelity_table(learned: Upscaler, data: list[Path], n_images: int) -> None:
    _, held = superres.split_photos(superres.list_photos([d for d in data if d.is_dir()]))
    held = held[:n_images] if n_images else held
    hr, held = superres.load_squares(held, 256)
    lr = superres.downscale(hr)
    import tensorflow as tf

    bicubic = np.clip(np.rint(tf.image.resize(lr.astype(np.float32), (256, 256), method="bicubic").numpy()), 0, 255)
    rows = {
        "bicubic (reference)": bicubic.astype(np.uint8),
        "Lanczos + unsharp (baseline)": Upscaler().upscale(lr),
        learned.method: learned.upscale(lr),
    }
    print(f"\nFidelity on {len(hr)} held-out real photos (256 px squares, 64 px by Lanczos, enlarged 4x back)")
    print(f"{'method':<40} {'PSNR dB':>8} {'SSIM':>7}")
    scores = {name: fidelity.summarise(images, hr) for name, images in rows.items()}
    for name, s in scores.items():
        print(f"{name:<40} {s['psnr_db']:8.2f} {s['ssim']:7.4f}")
    base, ours = scores["Lanczos + unsharp (baseline)"], scores[learned.method]
    gain = ours["psnr_db"] - base["psnr_db"]
    verdict = "met" if gain >= 1 else "MISSED"
    print(f"gain over the baseline: {gain:+.2f} dB PSNR, {ours['ssim'] - base['ssim']:+.4f} SSIM (target >= +1.0 dB: {verdict})")
    per_image = fidelity.psnr(rows[learned.method], hr) - fidelity.psnr(rows["Lanczos + unsharp (baseline)"], hr)
    finite = per_image[np.isfinite(per_image)]
    p10, median = np.percentile(finite, 10), np.median(finite)
    print(f"per photo: learned better on {np.mean(finite > 0):.0%}; gain p10 {p10:+.2f} dB, median {median:+.2f} dB")


def speed_table(learned: Upscaler, repeats: int) -> None:
    garments = np.random.default_rng(0).integers(0, 256, (40, 64, 64, 3), dtype=np.uint8)
    baseline = Upscaler()
    print(f"\nSpeed: 64 px garments enlarged to {TILE_PX} px (median of {repeats}; wall / process CPU)")
    for n, budget_s in ((4, 0.3), (40, 5.0)):
        batch = garments[:n]
        base_wall, base_cpu = median_times(lambda batch=batch: baseline.to_size(batch, TILE_PX), repeats)
        wall, cpu = median_times(lambda batch=batch: learned.to_size(batch, TILE_PX), repeats)
        extra = wall - base_wall
        print(
            f"{n:>2} garments  baseline {base_wall * 1000:7.1f} ms (cpu {base_cpu * 1000:7.1f})  learned {wall * 1000:7.1f} ms "
            f"(cpu {cpu * 1000:7.1f})  {wall / base_wall:5.1f}x baseline  extra {extra * 1000:7.1f} ms "
            f"(budget {budget_s * 1000:.0f} ms: {'met' if extra <= budget_s else 'MISSED'})"
        )


def generated(learned: Upscaler, generator_path: str, classifier_path: str, sheet: Path | None) -> None:
    from lookbook.models.artifacts import load_classifier, load_generator

    gen, clf = load_generator(generator_path), load_classifier(classifier_path)
    seeds = list(range(200))
    cats = [gen.categories[i % len(gen.categories)] for i in seeds] if gen.conditional else None
    small = gen.sample(seeds, cats)
    back = np.stack([resample(im, small.shape[2], small.shape[1]) for im in learned.upscale(small)])
    share = {name: float(np.mean(clf.probabilities(x).max(axis=1) >= 0.8)) for name, x in (("64 px", small), ("learned", back))}
    print(
        f"\nGenerated garments ({len(seeds)}): recognisable share {share['64 px']:.3f} at 64 px, "
        f"{share['learned']:.3f} after the learned 4x (brought back to 64 px for the 64 px classifier)"
    )
    if sheet is None:
        return
    picks = [c for c in SHEET_CATEGORIES if not gen.conditional or c in gen.categories]
    images = gen.sample(list(range(len(picks))), picks if gen.conditional else None)
    nearest = np.repeat(np.repeat(images, SCALE, axis=1), SCALE, axis=2)
    cells = np.stack([nearest, Upscaler().upscale(images), learned.upscale(images)], axis=1).reshape(-1, 256, 256, 3)
    sheet.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(make_grid(cells, 3)).save(sheet)
    print(f"side-by-side sheet ({', '.join(picks)}; columns 64 px, Lanczos + unsharp, learned): {sheet}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="upscaler .keras or run folder (default checkpoints/upscaler.keras)")
    parser.add_argument("--data", type=Path, action="append", help="photo folders (default the FPID fixtures)")
    parser.add_argument("--images", type=int, default=300, help="held-out photos to score (0 = all)")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--generator", default="checkpoints/generator.keras")
    parser.add_argument("--classifier", default="checkpoints/classifier.keras")
    parser.add_argument("--sheet", type=Path, default=None, help="write the side-by-side picture of generated garments here")
    args = parser.parse_args()
    model = args.model or default_upscaler_path()
    if model is None:
        sys.exit("no upscaler: pass --model (checkpoints/upscaler.keras does not exist yet)")
    learned = load_upscaler(model)
    print(f"model {learned.path} ({learned.path.stat().st_size / 2**20:.2f} MB, {learned.model.count_params():,} parameters)")
    fidelity_table(learned, args.data or DEFAULT_DATA, args.images)
    speed_table(learned, args.repeats)
    if Path(args.generator).exists() and Path(args.classifier).exists():
        generated(learned, args.generator, args.classifier, args.sheet)


if __name__ == "__main__":
    main()
