"""Explorer first paint on a large index: time the Dataset Explorer page (AppTest) with warm caches, against reading the index.

    python benchmarks/bench_explorer.py [--records 100000] [--repeat 3]

Builds a prepared dataset of N records by repeating the built-in dataset's records and images (made from
BASE_IMAGES synthetic images in a scratch workspace; record ids kept unique), then times, in one process:
- baseline: `pd.read_parquet(index.parquet)` alone;
- cold: the explorer's first run (reads the index, computes every statistic and figure, fills the caches);
- warm: the explorer run in a new session once the caches hold the index (the target: under 3 s).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

TARGET_S = 3.0
BASE_IMAGES = 300  # synthetic images behind the repeated records: enough for every category and source


def _explorer_run(app: str) -> tuple[float, int]:
    """Seconds for one explorer run in a fresh session (after the router's home run), and its chart count."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(app, default_timeout=600).run()
    at.switch_page("pages/explorer.py")
    start = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - start
    if at.exception:
        raise SystemExit(f"the explorer raised: {at.exception[0].value}")
    return seconds, len(at.get("plotly_chart"))


def _repeated_builtin(root: Path, n: int, scratch: Path) -> Path:
    """A prepared dataset of `n` records at 32 px: the built-in dataset's records and images, repeated."""
    import json

    import numpy as np

    from lookbook.data.builtin import ensure_builtin
    from lookbook.data.dataset import REPORT_FILE, write_prepared

    base = ensure_builtin(scratch, n_images=BASE_IMAGES, image_size_px=32)
    rows = np.arange(n) % len(base.index)
    records = base.index.iloc[rows].reset_index(drop=True)
    records["record_id"] = records["record_id"].astype(str) + ":" + (np.arange(n) // len(base.index)).astype(str)
    write_prepared(root, records, np.asarray(base.images)[rows], json.loads((base.root / REPORT_FILE).read_text()))
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000, help="records in the index")
    parser.add_argument("--repeat", type=int, default=3, help="warm runs (the median is reported)")
    args = parser.parse_args()

    import logging

    import pandas as pd

    from lookbook.data import stats

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # AppTest warns about a missing ScriptRunContext
    with tempfile.TemporaryDirectory(prefix="bench-explorer-") as tmp:
        ws = Path(tmp) / "workspace"
        start = time.perf_counter()
        root = _repeated_builtin(ws / "datasets" / "bench", args.records, Path(tmp) / "base")
        size_mb = (root / "index.parquet").stat().st_size / 1e6
        built_s = time.perf_counter() - start
        print(f"dataset: {args.records:,} records, index.parquet {size_mb:.1f} MB, built in {built_s:.1f} s")
        os.environ["LOOKBOOK_WORKSPACE"] = str(ws)
        os.environ["LOOKBOOK_RUNS"] = str(Path(tmp) / "runs")

        start = time.perf_counter()
        index = pd.read_parquet(root / "index.parquet")
        baseline = time.perf_counter() - start
        start = time.perf_counter()
        for fn in (stats.split_table, stats.df2_category_counts, stats.category_counts, stats.slot_counts):
            fn(index)
        stats.attribute_counts(index), stats.article_type_counts(index)
        for column in ("gender", "season", "base_colour"):
            stats.fpid_breakdown(index, column)
        stats_s = time.perf_counter() - start

        app = str(REPO / "app.py")
        cold, n_charts = _explorer_run(app)
        warm_runs = [_explorer_run(app) for _ in range(args.repeat)]
        if any(n != n_charts for _, n in warm_runs):
            raise SystemExit(f"a warm run drew {[n for _, n in warm_runs]} charts, the cold one {n_charts}")
        warm = [s for s, _ in warm_runs]
        warm_s = statistics.median(warm)

    print(f"baseline  read_parquet(index)           {baseline:6.2f} s")
    print(f"          every statistic (pandas)      {stats_s:6.2f} s")
    print(f"cold      explorer first run            {cold:6.2f} s  ({n_charts} charts)")
    runs = ", ".join(f"{w:.2f}" for w in warm)
    print(f"warm      explorer run, cached index    {warm_s:6.2f} s  (median of {args.repeat}: {runs})")
    print(f"ratio     warm / read_parquet           {warm_s / baseline:6.2f}x")
    print(f"target    warm under {TARGET_S:.0f} s: {'met' if warm_s < TARGET_S else 'MISSED'}")


if __name__ == "__main__":
    main()
