"""Prepare a dataset: decode, crop and resize every record once, in parallel and resumably, into a memory-mapped cache."""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import json
import math
import multiprocessing
import os
import shutil
import signal
import warnings
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lookbook import atomic
from lookbook.data.dataset import (
    IMAGE_SIZES_PX,
    INDEX_FILE,
    META_FILE,
    REPORT_FILE,
    PreparedDataset,
    images_file,
    read_index_file,
)
from lookbook.data.images import decode_batch
from lookbook.data.loader import Progress
from lookbook.data.report import IngestReport
from lookbook.data.schema import BOX_COLUMNS, conform
from lookbook.data.sources import SourceSpec, load_sources
from lookbook.errors import LookbookError

PREPARE_VERSION = 1  # bump when decoding changes what a cache holds, so old caches are rebuilt
CHUNK_RECORDS = 256  # records per work unit: the resume granularity and the size of one worker result
JOB_FILE = "job.json"
DONE_FILE = "chunks.jsonl"  # one line per finished chunk, appended after its images are on disk
WORK_IMAGES = "images.npy"


def prepare_dataset(
    out: str | os.PathLike,
    records: pd.DataFrame,
    report: IngestReport | None,
    image_size_px: int = 64,
    workers: int = 2,
    progress: Progress | None = None,
    meta: dict[str, Any] | None = None,
    *,
    chunk_records: int = CHUNK_RECORDS,
) -> PreparedDataset:
    """Decode `records` into `<out>/images_<size>.npy` + `index.parquet` (usable records only, row i = image i).

    Work goes to `<out>/.partial-<size>/` chunk by chunk, so a killed run continues where it stopped; a
    finished dataset with the same records is returned as is. `report` (the loaders') is merged with the
    decoding skips and repairs into `report.json`.
    """
    if image_size_px not in IMAGE_SIZES_PX:
        raise LookbookError(f"image size must be one of {', '.join(map(str, IMAGE_SIZES_PX))} px, got {image_size_px}")
    if workers < 1:
        raise LookbookError(f"workers must be at least 1, got {workers}")
    if chunk_records < 1:
        raise ValueError(f"chunk_records must be at least 1, got {chunk_records}")
    records = conform(records)
    if records.empty:
        raise _nothing_to_prepare(out, report or IngestReport())
    duplicated = records["record_id"].duplicated()
    if duplicated.any():
        raise LookbookError(f"record ids must be unique; {records['record_id'][duplicated].iloc[0]!r} repeats")
    out = _make_dir(out)
    fingerprint = records_fingerprint(records)
    if _is_finished(out, fingerprint, image_size_px):
        return PreparedDataset.open(out, image_size_px)
    work = _Work.open(out / f".partial-{image_size_px}", fingerprint, len(records), image_size_px, chunk_records)
    _decode_pending(work, records, workers, progress)
    return _finalize(out, work, records, report or IngestReport(), fingerprint, meta or {})


def build_dataset(
    out: str | os.PathLike,
    specs: list[SourceSpec],
    image_size_px: int = 64,
    max_per_source: int | None = None,
    seed: int = 0,
    workers: int = 2,
    progress: Progress | None = None,
) -> PreparedDataset:
    """Load `specs` (see `load_sources`) and prepare them into `out`."""
    records, report = load_sources(specs, max_per_source=max_per_source, seed=seed, progress=progress)
    meta = dataset_meta(specs, seed, max_per_source)
    return prepare_dataset(out, records, report, image_size_px=image_size_px, workers=workers, progress=progress, meta=meta)


def dataset_meta(specs: list[SourceSpec], seed: int, max_per_source: int | None) -> dict[str, Any]:
    """What `dataset.json` records about how the records were chosen."""
    return {"sources": [s.describe() for s in specs], "seed": seed, "max_per_source": max_per_source}


def records_fingerprint(records: pd.DataFrame) -> str:
    """Hash of every record value (and the decoder version): equal fingerprints give identical caches."""
    digest = hashlib.sha256(f"v{PREPARE_VERSION}:{','.join(records.columns)}".encode())
    digest.update(pd.util.hash_pandas_object(records, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:32]


def _nothing_to_prepare(out: str | os.PathLike, report: IngestReport) -> LookbookError:
    """The error for sources that leave no record, after writing their report so no skip reason is lost.

    An existing dataset in `out` is left alone: its report describes its own records.
    """
    out = _make_dir(out)
    where = out / REPORT_FILE
    if not (out / INDEX_FILE).exists():
        atomic.write_json(where, report.to_dict())
    top = report.skipped.most_common(3)
    if top:
        more = ", ..." if len(report.skipped) > len(top) else ""
        why = f"all {report.n_skipped} items were skipped ({', '.join(f'{reason}: {n}' for reason, n in top)}{more})"
    else:
        why = "the sources list no items"
    return LookbookError(f"no records to prepare: {why}; see {where}")


def _make_dir(out: str | os.PathLike) -> Path:
    out = Path(out).expanduser()
    if out.exists() and not out.is_dir():
        raise LookbookError(f"{out} exists and is not a folder (choose another --out)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LookbookError(f"cannot create {out}: {exc.strerror or exc}") from None
    if not os.access(out, os.W_OK):
        raise LookbookError(f"{out} is not writable")
    return out


def _read_meta(out: Path) -> dict[str, Any]:
    try:
        return json.loads((out / META_FILE).read_text())
    except (OSError, ValueError):
        return {}


def _is_finished(out: Path, fingerprint: str, image_size_px: int) -> bool:
    meta = _read_meta(out)
    return (
        meta.get("records_fingerprint") == fingerprint
        and image_size_px in meta.get("image_sizes_px", [])
        and (out / images_file(image_size_px)).is_file()
        and (out / INDEX_FILE).is_file()
    )


class _Work:
    """The `.partial-<size>/` folder: an all-records image file plus a log of finished chunks."""

    def __init__(self, folder: Path, count: int, image_size_px: int, chunk_records: int, offset: int):
        self.folder = folder
        self.count = count
        self.image_size_px = image_size_px
        self.chunk_records = chunk_records
        self.offset = offset  # bytes before the first image in the .npy file (its header)
        self.done: dict[int, dict[str, Any]] = {}

    @property
    def images_path(self) -> Path:
        return self.folder / WORK_IMAGES

    @property
    def n_chunks(self) -> int:
        return math.ceil(self.count / self.chunk_records)

    def bounds(self, chunk: int) -> tuple[int, int]:
        start = chunk * self.chunk_records
        return start, min(self.count, start + self.chunk_records)

    @classmethod
    def open(cls, folder: Path, fingerprint: str, count: int, image_size_px: int, chunk_records: int) -> _Work:
        """Resume the work in `folder` if it was started for the same job, else start afresh."""
        job = {"fingerprint": fingerprint, "count": count, "image_size_px": image_size_px, "chunk_records": chunk_records}
        try:
            saved = json.loads((folder / JOB_FILE).read_text())
        except (OSError, ValueError):
            saved = {}
        if {k: saved.get(k) for k in job} == job and (folder / WORK_IMAGES).is_file():
            work = cls(folder, count, image_size_px, chunk_records, int(saved["offset"]))
            work.done = _read_done(folder / DONE_FILE)
            return work
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        shape = (count, image_size_px, image_size_px, 3)
        images = np.lib.format.open_memmap(folder / WORK_IMAGES, mode="w+", dtype=np.uint8, shape=shape)
        offset = int(images.offset)
        del images  # the file is sparse until chunks land; nothing is held in memory
        atomic.write_json(folder / JOB_FILE, {**job, "offset": offset})
        return cls(folder, count, image_size_px, chunk_records, offset)

    def window(self, path: Path, offset: int, start: int, stop: int, mode: str) -> np.memmap:
        """Rows [start, stop) of an image file as a memory map of just those rows (so RSS stays small)."""
        s = self.image_size_px
        row_bytes = s * s * 3
        return np.memmap(path, dtype=np.uint8, mode=mode, offset=offset + start * row_bytes, shape=(stop - start, s, s, 3))

    def record(self, chunk: int, images: np.ndarray, failed: list[int], report: dict[str, Any]) -> None:
        """Store one finished chunk: images first, then its line in the log (so a logged chunk is always on disk)."""
        start, stop = self.bounds(chunk)
        if stop > start:
            rows = self.window(self.images_path, self.offset, start, stop, "r+")
            rows[:] = images
            rows.flush()
            del rows
        entry = {"chunk": chunk, "failed": failed, "report": report}
        with open(self.folder / DONE_FILE, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")
            f.flush()
            os.fsync(f.fileno())
        self.done[chunk] = entry


def _read_done(path: Path) -> dict[int, dict[str, Any]]:
    """Finished chunks from the log; a line cut short by a kill is dropped (that chunk is simply redone)."""
    if not path.is_file():
        return {}
    data = path.read_bytes()
    complete = data[: data.rfind(b"\n") + 1]
    if len(complete) != len(data):
        with open(path, "r+b") as f:  # so the next appended line does not join the broken one
            f.truncate(len(complete))
    done = {}
    for line in complete.decode("utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
            done[int(entry["chunk"])] = entry
        except (ValueError, KeyError, TypeError):
            continue
    return done


def _tasks(work: _Work, records: pd.DataFrame, pending: list[int]) -> Iterator[tuple]:
    paths = records["image_path"].fillna("").to_numpy(dtype=object)
    boxes = records[BOX_COLUMNS].to_numpy(dtype=np.float64)
    ids = records["record_id"].to_numpy(dtype=object)
    for chunk in pending:
        start, stop = work.bounds(chunk)
        yield chunk, list(paths[start:stop]), boxes[start:stop], list(ids[start:stop]), work.image_size_px


def _decode_pending(work: _Work, records: pd.DataFrame, workers: int, progress: Progress | None) -> None:
    pending = [c for c in range(work.n_chunks) if c not in work.done]
    done = sum(work.bounds(c)[1] - work.bounds(c)[0] for c in work.done)
    if progress:
        progress(done, work.count)
    tasks = _tasks(work, records, pending)
    parallel = workers > 1 and len(pending) > 1
    results = _decode_parallel(tasks, min(workers, len(pending))) if parallel else map(decode_batch, tasks)
    with contextlib.closing(iter(results)) if parallel else contextlib.nullcontext(results) as stream:
        for chunk, images, failed, report in stream:
            work.record(chunk, images, failed, report)
            start, stop = work.bounds(chunk)
            done += stop - start
            if progress:
                progress(done, work.count)


def _decode_parallel(tasks: Iterator[tuple], workers: int) -> Iterator[tuple]:
    """decode_batch over spawned workers, results in completion order, a few tasks in flight per worker.

    Spawned, not forked: forking a threaded parent (Streamlit, TensorFlow) can deadlock. A pool that
    cannot start (e.g. a parent whose main module cannot be re-imported) falls back to this process.
    """
    in_flight: dict[cf.Future, tuple] = {}
    pool = cf.ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        # Ctrl-C is the parent's to handle (it stops cleanly and keeps finished chunks); workers just finish theirs
        initializer=signal.signal,
        initargs=(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        for task in tasks:
            in_flight[pool.submit(decode_batch, task)] = task
            while len(in_flight) >= 2 * workers:
                yield from _collect(in_flight)
        while in_flight:
            yield from _collect(in_flight)
    except cf.process.BrokenProcessPool:
        warnings.warn("image workers could not run; decoding in this process instead", RuntimeWarning, stacklevel=2)
        for task in [*in_flight.values(), *tasks]:
            yield decode_batch(task)
    finally:
        # a stopped consumer (error, Ctrl-C) must not wait for queued chunks; running ones finish
        pool.shutdown(wait=True, cancel_futures=True)


def _collect(in_flight: dict[cf.Future, tuple]) -> Iterator[tuple]:
    finished, _ = cf.wait(in_flight, return_when=cf.FIRST_COMPLETED)
    for future in finished:
        result = future.result()  # a broken pool raises here, with the future still in flight
        del in_flight[future]
        yield result


def _finalize(
    out: Path, work: _Work, records: pd.DataFrame, report: IngestReport, fingerprint: str, extra_meta: dict[str, Any]
) -> PreparedDataset:
    """Compact the usable rows into the final cache, then write index, report and meta (meta last: it marks completion)."""
    full = IngestReport().merge(report)
    keep = np.ones(work.count, bool)
    for chunk in range(work.n_chunks):  # chunk order, so the report is the same however workers finished
        entry = work.done[chunk]
        full.merge(IngestReport.from_dict(entry["report"]))
        start, _ = work.bounds(chunk)
        keep[[start + i for i in entry["failed"]]] = False
    size = work.image_size_px
    target = out / images_file(size)
    if keep.all():
        with open(work.images_path, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(work.images_path, target)
    else:
        _compact(work, keep, target)
    index = records[keep].reset_index(drop=True)
    old_meta = _read_meta(out)
    sizes = [size]
    if old_meta.get("records_fingerprint") == fingerprint and _same_index(out, index):
        sizes = sorted({*old_meta.get("image_sizes_px", []), size} & set(IMAGE_SIZES_PX))
    for other in IMAGE_SIZES_PX:
        if other not in sizes:  # a cache of other records would no longer match the index
            (out / images_file(other)).unlink(missing_ok=True)
    with atomic.atomic_path(out / INDEX_FILE) as tmp:
        conform(index).to_parquet(tmp, index=False)
    atomic.write_json(out / REPORT_FILE, full.to_dict())
    meta = {
        "image_size_px": size,
        "image_sizes_px": sizes,
        "count": int(keep.sum()),
        "records_total": work.count,
        "skipped_total": full.n_skipped,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "category_counts": {str(k): int(v) for k, v in index["category"].value_counts(dropna=False).items()},
        "source_counts": {str(k): int(v) for k, v in index["source"].value_counts(dropna=False).items()},
        "sources": _sources_of(records),
        "seed": None,
        **extra_meta,
        "records_fingerprint": fingerprint,
        "prepare_version": PREPARE_VERSION,
    }
    atomic.write_json(out / META_FILE, meta)
    shutil.rmtree(work.folder, ignore_errors=True)
    return PreparedDataset.open(out, size)


def _sources_of(records: pd.DataFrame) -> list[dict[str, str]]:
    """SourceSpec.describe()-shaped entries for records prepared without specs (callers with specs pass their own)."""
    pairs = records[["source", "source_root"]].drop_duplicates().itertuples(index=False)
    return [
        {"kind": "deepfashion2-coco" if str(root).endswith(".json") else str(source), "path": str(root)} for source, root in pairs
    ]


def _compact(work: _Work, keep: np.ndarray, target: Path) -> None:
    """Copy the kept rows chunk by chunk through memory maps (never the whole cache in memory)."""
    s = work.image_size_px
    with atomic.atomic_path(target) as tmp:
        final = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.uint8, shape=(int(keep.sum()), s, s, 3))
        offset = int(final.offset)
        del final
        cursor = 0
        for chunk in range(work.n_chunks):
            start, stop = work.bounds(chunk)
            rows = keep[start:stop]
            n = int(rows.sum())
            if n == 0:
                continue
            src = work.window(work.images_path, work.offset, start, stop, "r")
            dst = work.window(tmp, offset, cursor, cursor + n, "r+")
            dst[:] = src[rows]
            dst.flush()
            del src, dst
            cursor += n


def _same_index(out: Path, index: pd.DataFrame) -> bool:
    try:
        old = read_index_file(out / INDEX_FILE, columns=["record_id"])["record_id"]
    except (OSError, ValueError, KeyError):
        return False
    return old.astype(str).tolist() == index["record_id"].astype(str).tolist()
