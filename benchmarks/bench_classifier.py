"""Classifier accuracy on the real fixtures: `cnn` against `ann` (the CS230 original) on the same held-out splits.

Run by hand (it trains six classifiers; about 1.5 hours on 2 cores, most of it the three cnn runs):

    python benchmarks/bench_classifier.py [--fixtures ../shared/fixtures] [--work /tmp/lookbook-bench]
                                          [--tasks fpid,folders,article_type] [--set key=value]...

Tasks (all at 64 px, 80/10/10-style stratified split: 20% test, 10% validation for early stopping):
- fpid: unified categories of the FPID product images (target: cnn >= 95% test accuracy; the original reported 85.71%);
- folders: the consumer photos of clothing-folders (target: cnn >= 80%);
- article_type: FPID article types with at least 40 images (reference: a plain 4-layer CNN, 2.5 CPU-min, 79.5%).
Each line prints the measured accuracy and its ratio to the `ann` baseline trained in the same run on the same split.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lookbook.data.prepare import build_dataset
from lookbook.data.sources import SourceSpec
from lookbook.models.classifier_config import preset_config

TASKS = {
    "fpid": ("fpid", "fpid", []),
    "folders": ("folders", "clothing-folders", []),
    "article_type": ("fpid", "fpid", ["label_column=article_type", "min_images_per_class=40"]),
}
REFERENCE = {"fpid": 0.8571, "article_type": 0.795}  # CS230's reported accuracy; the plain 4-layer CNN on article types
TARGET = {"fpid": 0.95, "folders": 0.80}


def cpu_seconds() -> float:
    """User + system CPU time of this process (all threads) so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def prepare(fixtures: Path, work: Path) -> dict[str, Path]:
    """Prepared 64 px datasets of the FPID images and the clothing folders (cached in `work`)."""
    out = {}
    for name, kind, folder in (("fpid", "fpid", "fpid"), ("folders", "folder", "clothing-folders")):
        ds = build_dataset(work / f"{name}64", [SourceSpec(kind, str(fixtures / folder))], image_size_px=64, workers=2)
        print(f"[prepare] {name}: {len(ds)} images, {len(ds.categories())} categories", file=sys.stderr)
        out[name] = ds.root
    return out


def train(task: str, preset: str, data: Path, work: Path, sets: list[str]) -> dict:
    from lookbook.train.classifier_trainer import train_classifier

    config = preset_config(preset).with_overrides(sets)
    run = work / "runs" / f"{task}_{preset}"
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    summary = train_classifier(config, data, run, preset=preset, verbose=True)
    cpu, wall = cpu_seconds() - cpu0, time.perf_counter() - wall0
    report = json.loads((run / "report.json").read_text())
    return {
        "task": task,
        "preset": preset,
        "run": str(run),
        "n_labels": len(report["categories"]),
        "n_test": report["n_images"]["test"],
        "test_accuracy": report["accuracy"]["test"],
        "train_accuracy": report["accuracy"]["train"],
        "macro_f1": report["test"]["macro_f1"],
        "balanced_accuracy": report["test"]["balanced_accuracy"],
        "epochs_run": summary["epochs_run"],
        "best_epoch": summary["best_epoch"],
        "cpu_minutes": cpu / 60,
        "wall_minutes": wall / 60,
        "report": report,
    }


def print_details(result: dict) -> None:
    report = result["report"]["test"]
    print(f"\n{result['task']} / {result['preset']}: per-class test numbers")
    print(f"  {'category':<22}{'precision':>10}{'recall':>8}{'f1':>7}{'support':>9}")
    for row in sorted(report["per_class"], key=lambda r: -r["support"]):
        p = "-" if row["precision"] is None else f"{row['precision']:.3f}"
        r = "-" if row["recall"] is None else f"{row['recall']:.3f}"
        f = "-" if row["f1"] is None else f"{row['f1']:.3f}"
        print(f"  {row['category']:<22}{p:>10}{r:>8}{f:>7}{row['support']:>9}")
    print("  most frequent confusions (true -> predicted: count, share of true):")
    for c in report["top_confusions"][:10]:
        print(f"    {c['true']} -> {c['predicted']}: {c['count']} ({c['share_of_true']:.0%})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "fixtures")
    parser.add_argument("--work", type=Path, default=Path("/tmp/lookbook-bench"))
    parser.add_argument("--tasks", default=",".join(TASKS), help="comma-separated subset of: " + ", ".join(TASKS))
    parser.add_argument("--presets", default="cnn,ann")
    parser.add_argument("--set", dest="sets", action="append", default=[], help="extra key=value for every run")
    args = parser.parse_args()
    if not args.fixtures.is_dir():
        print(f"no fixtures at {args.fixtures}", file=sys.stderr)
        return 2
    data = prepare(args.fixtures, args.work)
    results = []
    for task in args.tasks.split(","):
        dataset, _, task_sets = TASKS[task]
        for preset in args.presets.split(","):
            print(f"\n[train] {task} / {preset}", file=sys.stderr)
            results.append(train(task, preset, data[dataset], args.work, [*task_sets, *args.sets]))
            r = results[-1]
            print(
                f"[result] {task} / {preset}: test accuracy {r['test_accuracy']:.4f} in {r['cpu_minutes']:.1f} CPU-min",
                file=sys.stderr,
            )

    print(f"\n{'task':<13}{'preset':<7}{'labels':>7}{'test n':>7}{'test acc':>10}{'macro F1':>10}{'train acc':>10}"
          f"{'epochs':>7}{'CPU min':>9}{'wall min':>9}  vs ann")  # fmt: skip
    by_key = {(r["task"], r["preset"]): r for r in results}
    for r in results:
        base = by_key.get((r["task"], "ann"))
        ratio = f"x{r['test_accuracy'] / base['test_accuracy']:.3f} acc" if base and r["preset"] != "ann" else ""
        if base and r["preset"] != "ann" and base["test_accuracy"] < 1:
            ratio += f", error x{(1 - r['test_accuracy']) / (1 - base['test_accuracy']):.2f}"
        print(
            f"{r['task']:<13}{r['preset']:<7}{r['n_labels']:>7}{r['n_test']:>7}{r['test_accuracy']:>10.4f}{r['macro_f1']:>10.4f}"
            f"{r['train_accuracy']:>10.4f}{r['epochs_run']:>7}{r['cpu_minutes']:>9.1f}{r['wall_minutes']:>9.1f}  {ratio}"
        )
    for task, ref in REFERENCE.items():
        if (task, "cnn") in by_key:
            print(f"{task}: cnn {by_key[task, 'cnn']['test_accuracy']:.4f} vs reference {ref:.4f}")
    for task, target in TARGET.items():
        if (task, "cnn") in by_key:
            acc = by_key[task, "cnn"]["test_accuracy"]
            print(f"{task}: target {target:.0%} {'met' if acc >= target else 'MISSED'} ({acc:.2%})")
    for r in results:
        if r["preset"] == "cnn":
            print_details(r)
    out = args.work / "bench_classifier.json"
    out.write_text(json.dumps([{k: v for k, v in r.items() if k != "report"} for r in results], indent=1))
    print(f"\nsummary written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
