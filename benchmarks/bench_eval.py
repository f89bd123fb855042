"""Time of `python -m lookbook eval --generator` on 2,000 generated images (target: under a minute on 2 cores).

Run by hand after bench_classifier.py (its FPID cnn run is the default classifier):

    python benchmarks/bench_eval.py [--classifier /tmp/lookbook-bench/runs/fpid_cnn] [--data /tmp/lookbook-bench/fpid64]
                                    [--generator G] [--images 2000]

Without --generator an untrained 64 px generator of the `cs230` GAN preset (the size a real run produces) is saved
and used: speed does not depend on what the weights have learned. Prints the CLI's wall time (TensorFlow import
and model loading included), the in-process breakdown, and the ratio to the baseline measured in the same run:
feature extraction alone for the same number of images (the part no metric can avoid).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET_S = 60.0


def save_generator(folder: Path, image_size_px: int) -> Path:
    """An untrained DCGAN generator of the cs230 preset at `image_size_px`, saved with its sidecar."""
    from lookbook.models.artifacts import GENERATOR_FILE, save_model
    from lookbook.models.gan import build_generator
    from lookbook.train.presets import gan_preset

    cfg = gan_preset("cs230").replace(image_size_px=image_size_px)
    model = build_generator(cfg)
    meta = {
        "kind": "generator",
        "image_size_px": image_size_px,
        "noise_dim": cfg.noise_dim,
        "categories": None,
        "config": cfg.to_dict(),
    }
    return save_model(model, folder / GENERATOR_FILE, meta)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classifier", type=Path, default=Path("/tmp/lookbook-bench/runs/fpid_cnn"))
    parser.add_argument("--data", type=Path, default=Path("/tmp/lookbook-bench/fpid64"))
    parser.add_argument("--generator", type=Path)
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/lookbook-bench"))
    args = parser.parse_args()

    from lookbook.data.dataset import PreparedDataset
    from lookbook.metrics.classification import dataset_labels
    from lookbook.metrics.embedding import embed
    from lookbook.metrics.quality import evaluate_generator, noise_images, reference_split
    from lookbook.models.artifacts import load_classifier, load_generator

    classifier = load_classifier(args.classifier)
    generator_path = args.generator or save_generator(args.work / "bench_generator", classifier.image_size_px)
    cmd = [sys.executable, "-m", "lookbook", "eval", "--classifier", str(args.classifier), "--data", str(args.data)]
    cmd += ["--generator", str(generator_path), "--images", str(args.images)]

    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    cli_s = time.perf_counter() - start
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        return proc.returncode
    out = json.loads(proc.stdout)

    # in-process: the same evaluation with timings, then feature extraction alone for as many images
    ds = PreparedDataset.open(args.data, classifier.image_size_px)
    generator = load_generator(generator_path)
    labels = dataset_labels(ds, classifier.meta.get("label_column", "category")).tolist()
    evaluate_generator(generator, classifier, ds.images, n_images=16, real_labels=labels)  # warm-up: traces, caches
    start = time.perf_counter()
    result = evaluate_generator(generator, classifier, ds.images, n_images=args.images, real_labels=labels)
    inproc_s = time.perf_counter() - start
    ref, held = reference_split(len(ds), args.images, 0)
    n_embedded = len(ref) + args.images + 4 * len(held)
    pool = noise_images(args.images, classifier.image_size_px, "uniform")
    start = time.perf_counter()
    done = 0
    while done < n_embedded:
        take = min(len(pool), n_embedded - done)
        embed(classifier, pool[:take])
        done += take
    features_s = time.perf_counter() - start

    t = result["timing_s"]
    print(f"eval --generator, {args.images} generated images, {n_embedded} images through the classifier in all")
    print(f"  CLI wall time (TF import, loading, generating, metrics, baselines): {cli_s:.1f} s  target < {TARGET_S:.0f} s: "
          f"{'met' if cli_s < TARGET_S else 'MISSED'}")  # fmt: skip
    print(
        f"  in process: {inproc_s:.1f} s = generate {t['generate']:.1f} + embed {t['embed']:.1f} + metrics {t['metrics']:.1f} s"
    )
    print(f"  baseline, feature extraction alone for {n_embedded} images: {features_s:.1f} s")
    print(f"  ratio in-process eval / feature extraction: x{inproc_s / features_s:.2f}")
    print(f"  ratio CLI / feature extraction: x{cli_s / features_s:.2f}")
    m, b = out["metrics"], out["baselines"]
    which = "generator" if args.generator else "untrained generator"
    print(f"  {which}: FCD {m['fcd']:.2f}, KID {m['kid']:.4f}, recognisability {m['recognisability']:.3f}")
    for name, values in b.items():
        print(
            f"  baseline {name}: FCD {values['fcd']:.2f}, KID {values['kid']:.4f}, "
            f"recognisability {values['recognisability']:.3f}, coverage {values['coverage']:.2f}, mix_tv {values['mix_tv']:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
