"""`data synth | prepare | stats` commands: build the built-in dataset, prepare sources into a cache, describe a cache."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from lookbook.data.dataset import IMAGE_SIZES_PX
from lookbook.errors import LookbookError

if TYPE_CHECKING:  # imported lazily at run time: `--help` should not load the data stack
    from lookbook.data.sources import SourceSpec


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `data` sub-commands."""
    synth = subparsers.add_parser("synth", help="write the built-in synthetic dataset (DeepFashion2 + FPID layouts)")
    synth.add_argument("--out", required=True, type=Path, help="folder to write deepfashion2/ and fpid/ into")
    synth.add_argument("--images", type=int, default=5000, help="number of images (default 5000)")
    synth.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    synth.set_defaults(func=run_synth)

    prepare = subparsers.add_parser(
        "prepare",
        help="decode, crop and cache sources into a prepared dataset",
        description="Load one or more sources, then decode, crop (square, padded) and resize every record once into "
        "DATASET/images_<size>.npy + index.parquet. Resumable: rerun the same command after an interruption.",
    )
    prepare.add_argument("--out", required=True, type=Path, metavar="DATASET", help="prepared dataset folder to write")
    prepare.add_argument("--size", type=int, default=64, choices=IMAGE_SIZES_PX, help="image size in px (default 64)")
    prepare.add_argument("--fpid", action="append", default=[], metavar="DIR", help="FPID folder: styles.csv + images/")
    prepare.add_argument(
        "--df2", action="append", default=[], metavar="DIR", help="DeepFashion2 raw folder: <split>/{image,annos}"
    )
    prepare.add_argument("--df2-coco", action="append", default=[], metavar="JSON", help="DeepFashion2 COCO annotation file")
    prepare.add_argument(
        "--df2-coco-images",
        action="append",
        default=[],
        metavar="DIR",
        help="image folder of each --df2-coco, in order (default <json dir>/../image)",
    )
    prepare.add_argument("--folder", action="append", default=[], metavar="DIR", help="folder of class subfolders")
    prepare.add_argument("--max-per-source", type=int, default=None, metavar="N", help="cap each source at N records")
    prepare.add_argument("--seed", type=int, default=0, help="seed of the per-source sampling (default 0)")
    prepare.add_argument("--workers", type=int, default=2, help="decoding processes (default 2)")
    df2 = prepare.add_argument_group("DeepFashion2 filters (apply to --df2 and --df2-coco)")
    df2.add_argument("--split", action="append", default=[], help="keep only this split (train, validation, test); repeatable")
    df2.add_argument("--df2-category", action="append", default=[], metavar="CAT", help="keep only this category; repeatable")
    df2.add_argument("--max-occlusion", type=int, default=3, choices=(1, 2, 3), help="drop items more occluded (default 3)")
    df2.add_argument("--max-zoom-in", type=int, default=3, choices=(1, 2, 3), help="drop items zoomed in more (default 3)")
    df2.add_argument("--viewpoint", action="append", type=int, default=[], choices=(1, 2, 3), help="keep only this viewpoint")
    df2.add_argument("--min-box-px", type=int, default=0, metavar="PX", help="drop items with a box side under PX pixels")
    prepare.set_defaults(func=run_prepare)

    stats = subparsers.add_parser("stats", help="describe a prepared dataset")
    stats.add_argument("dataset", type=Path, metavar="DATASET", help="prepared dataset folder")
    stats.set_defaults(func=run_stats)

    split = subparsers.add_parser("split", help="split a prepared dataset into train and held-out test datasets")
    split.add_argument("dataset", type=Path, metavar="DATASET", help="prepared dataset folder")
    split.add_argument("--train-out", required=True, type=Path, metavar="DIR", help="where to write the train part")
    split.add_argument("--test-out", required=True, type=Path, metavar="DIR", help="where to write the test part")
    split.add_argument("--test-share", type=float, default=0.2, help="share of every category held out (default 0.2)")
    split.add_argument(
        "--seed", type=int, default=0, help="seeds the split, which depends only on record ids and category sizes (default 0)"
    )
    split.set_defaults(func=run_split)

    merge = subparsers.add_parser("merge", help="merge prepared datasets of one image size into one")
    merge.add_argument("datasets", type=Path, nargs="+", metavar="DATASET", help="prepared dataset folders, in order")
    merge.add_argument("--out", required=True, type=Path, metavar="DIR", help="where to write the merged dataset")
    merge.set_defaults(func=run_merge)


class ProgressBar:
    """A `(done, total)` callback drawing one progress line on stderr; a new phase (total changes) starts a new line."""

    def __init__(self, label: str, stream: TextIO | None = None, min_interval_s: float = 0.2):
        self.label = label
        self.stream = stream or sys.stderr
        self.min_interval_s = min_interval_s if self.stream.isatty() else 2.0  # logs get a line every few seconds
        self._phase = (time.monotonic(), 0)  # (start time, done at start) of the current phase, for the rate
        self._last_draw = 0.0
        self._last = (-1, -1)

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if total != self._last[1] or done < self._last[0]:
            if 0 <= self._last[0] < self._last[1]:
                self.stream.write("\n")  # the previous phase stopped short of its total
            self._phase, self._last_draw = (now, done), 0.0
        finished = done >= total
        self._last = (done, total)
        if not finished and now - self._last_draw < self.min_interval_s:
            return
        self._last_draw = now
        fraction = done / total if total else 1.0
        elapsed = now - self._phase[0]
        rate = f" {(done - self._phase[1]) / elapsed:,.0f}/s" if elapsed > 0.5 else ""
        end = "\n" if finished or not self.stream.isatty() else "\r"
        self.stream.write(f"{self.label} [{'#' * int(fraction * 30):<30}] {done}/{total} {fraction:4.0%}{rate}{end}")
        self.stream.flush()


def run_synth(args: argparse.Namespace) -> int:
    """`data synth`: write the built-in dataset in the real raw layouts."""
    if args.images < 1:
        raise LookbookError(f"--images must be at least 1, got {args.images}")
    synth = _optional_module("lookbook.data.synth", "data synth")
    summary = synth.generate(args.out, n_images=args.images, seed=args.seed)  # it draws its own progress line
    print(json.dumps(summary, indent=2, default=str))
    print(f"next: python -m lookbook data prepare --out DATASET --df2 {args.out / 'deepfashion2'} --fpid {args.out / 'fpid'}")
    return 0


def run_prepare(args: argparse.Namespace) -> int:
    """`data prepare`: load the sources, prepare the cache, print a summary of what was kept and skipped."""
    from lookbook.data.prepare import dataset_meta, prepare_dataset
    from lookbook.data.sources import load_sources

    specs = sources_from_args(args)
    started = time.monotonic()
    records, report = load_sources(specs, args.max_per_source, args.seed, progress=ProgressBar("loading"))
    ds = prepare_dataset(
        args.out,
        records,
        report,
        image_size_px=args.size,
        workers=args.workers,
        progress=ProgressBar(f"preparing {args.size} px"),
        meta=dataset_meta(specs, args.seed, args.max_per_source),
    )
    print(format_summary(ds.meta, ds.report, time.monotonic() - started, ds.root))
    if len(ds) == 0:
        raise LookbookError(f"no usable images in {ds.root} (see the skip reasons above)")
    return 0


def sources_from_args(args: argparse.Namespace) -> list[SourceSpec]:
    """SourceSpecs for the prepare flags, in flag-group order (fpid, df2, df2-coco, folder)."""
    from lookbook.data.deepfashion2 import Df2Filter
    from lookbook.data.sources import SourceSpec

    flt = Df2Filter(
        splits=tuple(args.split),
        categories=tuple(args.df2_category),
        max_occlusion=args.max_occlusion,
        max_zoom_in=args.max_zoom_in,
        viewpoints=tuple(args.viewpoint),
        min_box_px=args.min_box_px,
    )
    flt.validate()
    df2_filter = None if flt == Df2Filter() else flt
    coco_images = args.df2_coco_images
    if coco_images and len(coco_images) not in (1, len(args.df2_coco)):
        raise LookbookError(f"give --df2-coco-images once, or once per --df2-coco ({len(args.df2_coco)}), not {len(coco_images)}")
    if len(coco_images) == 1:
        coco_images = coco_images * len(args.df2_coco)
    specs = [SourceSpec("fpid", str(p)) for p in args.fpid]
    specs += [SourceSpec("deepfashion2", str(p), df2_filter) for p in args.df2]
    specs += [
        SourceSpec("deepfashion2-coco", str(p), df2_filter, coco_images[i] if coco_images else None)
        for i, p in enumerate(args.df2_coco)
    ]
    specs += [SourceSpec("folder", str(p)) for p in args.folder]
    if not specs:
        raise LookbookError("no sources given: add at least one of --fpid, --df2, --df2-coco, --folder")
    if df2_filter is not None and not (args.df2 or args.df2_coco):
        raise LookbookError("DeepFashion2 filters (--split, --df2-category, ...) need a --df2 or --df2-coco source")
    return specs


def format_summary(meta: dict, report: dict, seconds: float, root: Path) -> str:
    """Kept and skipped counts by reason, as printed after `data prepare`."""
    lines = [
        f"prepared {meta.get('count', 0)} of {meta.get('records_total', 0)} records at {meta.get('image_size_px')} px "
        f"in {seconds:.1f} s -> {root}"
    ]
    for title, key in (
        ("skipped", "skipped"),
        ("repaired", "repaired"),
        ("unmapped labels (kept as 'unmapped')", "unmapped_labels"),
    ):
        counts = report.get(key) or {}
        if counts:
            lines.append(f"{title}: {sum(counts.values())}")
            lines.extend(f"  {count:>8}  {reason}" for reason, count in counts.items())
    return "\n".join(lines)


def run_stats(args: argparse.Namespace) -> int:
    """`data stats`: print the statistics of a prepared dataset."""
    root = args.dataset.expanduser()
    if not root.is_dir():
        raise LookbookError(f"{root} {'is not a folder' if root.exists() else 'does not exist'} (expected a prepared dataset)")
    stats = _optional_module("lookbook.data.stats", "data stats")
    print(stats.format_stats(root))
    return 0


def run_split(args: argparse.Namespace) -> int:
    """`data split`: write category-stratified train and test datasets."""
    from lookbook.data.split import split_dataset

    train, test = split_dataset(args.dataset, args.train_out, args.test_out, args.test_share, args.seed)
    print(f"train: {len(train)} images -> {train.root}\ntest: {len(test)} images -> {test.root}")
    return 0


def run_merge(args: argparse.Namespace) -> int:
    """`data merge`: one dataset from several, e.g. a train split plus consumer photos."""
    from lookbook.data.split import merge_datasets

    merged = merge_datasets(args.datasets, args.out)
    print(f"merged {len(args.datasets)} datasets: {len(merged)} images -> {merged.root}")
    return 0


def _optional_module(name: str, command: str):
    """Import a module another part of the project provides; its absence is a one-line error, not a traceback."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        raise LookbookError(f"`{command}` is not available in this installation ({name} is missing)") from None
