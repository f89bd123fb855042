"""Cold start of the shipped checkpoints: a fresh process loads generator + classifier and composes the first page.

Run by hand: `python benchmarks/bench_cold_start.py [--repeats 3] [--generator G --classifier C]`. Each repeat is a
new Python process (imports, model loading and the first traced calls all included), timed from outside, and also
`python -m lookbook compose --out page.png` end to end. Baseline measured in the same run: a fresh process that only
imports TensorFlow, the floor any TensorFlow app pays. Target: under 10 s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Timed phases inside the fresh process; prints one JSON line.
_PROBE = """
import json, sys, time
t0 = time.perf_counter()
from lookbook.compose import LookbookEditor, Studio
t1 = time.perf_counter()
studio = Studio.open({gen!r}, {clf!r})
t2 = time.perf_counter()
session = LookbookEditor.new(studio, pages=1, seed=0)
image = session.render(0)
t3 = time.perf_counter()
print(json.dumps({{"import_s": t1 - t0, "load_s": t2 - t1, "compose_render_s": t3 - t2}}))
"""


def fresh(code: str) -> tuple[float, str]:
    """(wall seconds, stdout) of `python -c code` in a new process."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)}
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    wall = time.perf_counter() - t
    if proc.returncode:
        raise SystemExit(proc.stderr[-2000:])
    return wall, proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--generator", default=None, help="default: checkpoints/generator.keras")
    parser.add_argument("--classifier", default=None, help="default: checkpoints/classifier.keras")
    args = parser.parse_args()
    baseline = [fresh("import tensorflow")[0] for _ in range(args.repeats)]
    probes, walls, cli = [], [], []
    for _ in range(args.repeats):
        wall, out = fresh(_PROBE.format(gen=args.generator, clf=args.classifier))
        walls.append(wall)
        probes.append(json.loads(out.strip().splitlines()[-1]))
    extra = [a for n in ("generator", "classifier") if getattr(args, n) for a in (f"--{n}", getattr(args, n))]
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeats):
            code = (
                f"from lookbook.cli import main; raise SystemExit(main(['compose', *{extra!r}, '--out', {tmp + '/page.png'!r}]))"
            )
            cli.append(fresh(code)[0])
    med = statistics.median
    floor = med(baseline)
    print(f"baseline: fresh process importing tensorflow           {floor:6.2f} s (median of {args.repeats})")
    for key in ("import_s", "load_s", "compose_render_s"):
        print(f"  phase {key:<18} {med(p[key] for p in probes):6.2f} s")
    print(f"cold start: load both checkpoints + compose page 1    {med(walls):6.2f} s  ({med(walls) / floor:.2f}x baseline)")
    print(f"cold start: `python -m lookbook compose --out page.png` {med(cli):6.2f} s  ({med(cli) / floor:.2f}x baseline)")
    print(f"target < 10 s: {'met' if max(med(walls), med(cli)) < 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
