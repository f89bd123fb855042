"""Does the `quick` preset teach on the built-in data? Its garments' asked-for-class accuracy against real images'.

Run by hand (on an idle 2-core machine: about 2 minutes of data, 10 of judge, 10 of GAN, 1 of scoring; add
`--set max_minutes=4` for the first 4 minutes of the GAN only):
    python benchmarks/bench_quick.py --out workspace/quick [--images 3000] [--seed 5] [--judge-minutes 10] [--set k=v]...

Steps, each skipped when its output exists (so a second call with other `--set`s reuses the data and the judge):
1. `data synth --images N --seed S`, `data prepare --size 32`, `data split` 80/20 (the judge's test split is held out);
2. a `cnn` judge trained on the 80% part (`--judge-minutes` budget); its accuracy on the 20% part is the real figure;
3. a `quick` GAN on the 80% part (with `--set` overrides), timed;
4. `score`: the judge's asked-for-class accuracy on 1,000 generated garments, asked in the real category mix.
Prints one JSON object: the ratio (target >= 0.8 within about 4 minutes of training on an idle machine), GAN training
minutes and the other scores. Training minutes scale with how busy the machine is: the images/s figure says how fast it ran.

Figures (3,000 images, seed 5: 4,475 garments of 39 categories, 3,570 for training, 905 held out), on a slow x86-64
machine (the `quick` GAN trains at about 175 images/s on 2 idle cores: 4 minutes reach step 1,326, 12 epochs):
- judge: `cnn` with a 10-minute budget (6 epochs): 70.9% on the 905 held-out real images;
- `python benchmarks/bench_quick.py --run q4b32 --set max_minutes=4` (2 idle cores): after 4.06 minutes (step 1,326)
  74.3% of 1,000 garments classified as asked, **1.05x** the real figure (target 0.8x), FCD 6.6, within-class
  diversity 0.68;
- `python benchmarks/bench_quick.py --run q --set max_steps=1156 [--set seed=1]` (37k images, one pinned core, 5.4
  minutes there): 0.93x and 0.96x, FCD 7.3 and 6.5, diversity 0.72 and 0.71;
- the whole preset (30 epochs, 13.4 minutes on one busy core): 76.3%, **1.08x**, FCD 5.1, diversity 0.67;
- the recipe before, at batch 64: 0.90x and 0.76x at 37k images, 0.78x after 4.08 idle minutes, 1.03x after its 30
  epochs (11.4 minutes); learning rates 2e-4 and AC-GAN weight 0.3: 0.50x (0.62x in an earlier run); the v1 `quick`
  (input conditioning, 30 epochs, 98 s on a faster idle machine): 27% against 84%, 0.32x.
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

from lookbook.run import reader  # noqa: E402
from lookbook.train import scoring  # noqa: E402


def cli(*args: str) -> None:
    """`python -m lookbook ARGS`, output passed through; a failure stops the benchmark."""
    print("$ python -m lookbook", " ".join(args), file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "lookbook", *args], cwd=ROOT, check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "workspace" / "quick", help="working folder")
    parser.add_argument("--images", type=int, default=3000, help="built-in images to draw (default 3000, the app's)")
    parser.add_argument("--seed", type=int, default=5, help="seed of the built-in data (default 5)")
    parser.add_argument("--judge-minutes", type=float, default=10.0, help="training budget of the cnn judge")
    parser.add_argument("--run", default="gan-quick", help="GAN run folder name under OUT/runs")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override of the quick preset")
    args = parser.parse_args()
    out = args.out.resolve()
    raw, full, train, test, runs = out / "raw", out / "ds32", out / "train32", out / "test32", out / "runs"
    if not (full / "index.parquet").is_file():
        cli("data", "synth", "--out", str(raw), "--images", str(args.images), "--seed", str(args.seed))
        sources = ["--df2", str(raw / "deepfashion2"), "--fpid", str(raw / "fpid")]
        cli("data", "prepare", "--out", str(full), "--size", "32", *sources)
    if not (train / "index.parquet").is_file():
        cli("data", "split", str(full), "--train-out", str(train), "--test-out", str(test), "--test-share", "0.2")
    judge = runs / "judge"
    if not (judge / "classifier.keras").is_file():
        budget = f"max_minutes={args.judge_minutes:g}"
        cli("train", "classifier", "--data", str(train), "--run", str(judge), "--preset", "cnn", "--set", budget)
    gan = runs / args.run
    started = time.monotonic()
    if not (gan / "generator.keras").is_file():
        cli("train", "gan", "--data", str(train), "--run", str(gan), "--preset", "quick", *_sets(args.set))
    elapsed_min = (time.monotonic() - started) / 60
    real = _real_accuracy(judge, test)
    score = scoring.score_run(gan, judge / "classifier.keras")
    status = reader.run_status(gan)
    asked = score["metrics"]["conditional_accuracy"]
    result = {
        "ratio": round(asked / real, 3),
        "asked_for_class_accuracy": round(asked, 4),
        "real_accuracy": round(real, 4),
        "gan_training_minutes": round(float(status.get("wall_time_s") or elapsed_min * 60) / 60, 2),
        "images_per_s": status.get("images_per_s"),
        "epochs": status.get("epoch"),
        "steps": status.get("step"),
        "scores": {k: round(v, 4) for k, v in score["metrics"].items() if isinstance(v, float)},
        "overrides": args.set,
    }
    print(json.dumps(result, indent=1))
    return 0


def _sets(items: list[str]) -> list[str]:
    return [part for item in items for part in ("--set", item)]


def _real_accuracy(judge: Path, test: Path) -> float:
    """The judge's accuracy on the held-out real images (`eval` without a generator)."""
    done = subprocess.run(
        [sys.executable, "-m", "lookbook", "eval", "--classifier", str(judge), "--data", str(test), "--split", "all"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return float(json.loads(done.stdout)["accuracy"])


if __name__ == "__main__":
    raise SystemExit(main())
