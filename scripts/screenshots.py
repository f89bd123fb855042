"""The README's pictures, taken as a new user sees the app: a fresh workspace, the shipped checkpoints, headless Chromium.

    python scripts/screenshots.py [--out docs/screenshots] [--only home,explorer,training,lookbook,export]

- `home.png`: the first visit (no dataset yet), 1440 x 900;
- `explorer.png`: the Dataset Explorer's overview after one click on "Prepare the built-in dataset", 1440 x 2600;
- `training-compare.png`: the Training page's "Runs & comparison" tab on two short `quick` runs of the built-in dataset
  (one at the preset's learning rates, one at half of them), each scored by the shipped classifier, 1440 x 2600;
- `lookbook-default.png`: the Lookbook page as a first visit opens it, 1440 x 900 (what is above the fold);
- `lookbook-export.png`: `python -m lookbook compose --template "date night" --client`, the exported A4 page at half size.

Needs Debian's Chromium (`apt-get install chromium`) and the `playwright` package.
Takes about 10 minutes on 2 cores (the two runs: about 3 minutes each).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lookbook import paths  # noqa: E402
from lookbook.ui.headless import open_app, serve_app  # noqa: E402

SHOTS = ("home", "explorer", "training", "lookbook", "export")
WIDTH_PX = 1440
FOLD_PX = 900
TALL_PX = 2600  # Streamlit scrolls inside its own container: a taller window is what shows more of a page
PREPARE_TIMEOUT_MS = 600_000  # the built-in dataset: about a minute on 2 cores
# the two compared runs: the `quick` preset as the Training page starts it, and the same at half the learning rates
COMPARED_RUNS = {"quick-a": [], "quick-b": ["--set", "g_lr=0.00025", "--set", "d_lr=0.00025"]}
COMPARED_EPOCHS = 6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", default=",".join(SHOTS), help=f"comma-separated subset of {', '.join(SHOTS)}")
    args = parser.parse_args()
    wanted = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(wanted) - set(SHOTS))
    if unknown:
        parser.error(f"unknown screenshot(s) {', '.join(unknown)} (choose from: {', '.join(SHOTS)})")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        if set(wanted) - {"export"}:
            browse(Path(tmp), args.out, wanted)
        if "export" in wanted:
            export_page(Path(tmp), args.out / "lookbook-export.png")


def browse(tmp: Path, out: Path, wanted: list[str]) -> None:
    """Home, Explorer and Lookbook in one browser session on a fresh workspace."""
    from playwright.sync_api import expect

    env = {**os.environ, paths.WORKSPACE_ENV: str(tmp / "workspace"), paths.RUNS_ENV: str(tmp / "runs")}
    env.pop(paths.CHECKPOINTS_ENV, None)  # the shipped models
    window = {"width": WIDTH_PX, "height": FOLD_PX}
    with serve_app(env, tmp / "streamlit.log") as url, open_app(url, viewport=window) as (page, _):
        expect(page.get_by_role("heading", name="Lookbook designer")).to_be_visible()
        if "home" in wanted:
            shoot(page, out / "home.png")
        if "explorer" in wanted:
            page.get_by_role("button", name="Prepare the built-in dataset").first.click()
            expect(page.get_by_text("Ready:")).to_be_visible(timeout=PREPARE_TIMEOUT_MS)
            page.goto(f"{url}/explorer")
            expect(page.get_by_role("heading", name="Dataset Explorer")).to_be_visible()
            shoot_tall(page, out / "explorer.png", window)
        if "training" in wanted:
            train_two_runs(env)
            page.goto(f"{url}/training")
            page.get_by_role("tab", name="Runs & comparison").click()
            shoot_tall(page, out / "training-compare.png", window)
        if "lookbook" in wanted:
            page.goto(f"{url}/lookbook")
            page.get_by_role("button", name="Reroll", exact=True).first.wait_for()
            shoot(page, out / "lookbook-default.png")
    print(f"screenshots in {out}")


def train_two_runs(env: dict[str, str]) -> None:
    """COMPARED_RUNS on the built-in dataset (made here if the explorer shot did not), each scored as the page would."""
    from lookbook.data.builtin import builtin_dataset_dir, ensure_builtin
    from lookbook.train.presets import QUICK

    workspace, runs = Path(env[paths.WORKSPACE_ENV]), Path(env[paths.RUNS_ENV])
    for size in (64, QUICK.image_size_px):  # as Home's "Prepare the built-in dataset" does
        ensure_builtin(workspace, image_size_px=size)
    for name, extra in COMPARED_RUNS.items():
        cmd = [sys.executable, "-m", "lookbook", "train", "gan", "--data", str(builtin_dataset_dir(workspace))]
        cmd += ["--run", str(runs / name), "--preset", "quick", "--set", f"epochs={COMPARED_EPOCHS}", *extra]
        subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        judge = ["--classifier", str(ROOT / "checkpoints" / "classifier.keras")]
        subprocess.run([sys.executable, "-m", "lookbook", "score", *judge, str(runs / name)], cwd=ROOT, env=env, check=True)
        print(f"trained and scored {name}")


def shoot_tall(page, path: Path, window: dict[str, int]) -> None:
    """A page of charts in a TALL_PX window once its first chart is drawn; the window is restored after."""
    page.set_viewport_size({"width": WIDTH_PX, "height": TALL_PX})
    page.locator(".js-plotly-plot").first.wait_for()
    shoot(page, path)
    page.set_viewport_size(window)


def shoot(page, path: Path) -> None:
    """The window once the layout has settled (charts drawn, images decoded), without a tooltip in it."""
    page.mouse.move(0, 0)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(2500)
    page.screenshot(path=str(path))
    print(path)


def export_page(tmp: Path, path: Path) -> None:
    """The first page of a client lookbook of the "date night" template, exported by the CLI, at half size."""
    from PIL import Image

    full = tmp / "export.png"
    cmd = [sys.executable, "-m", "lookbook", "compose", "--template", "date night", "--client", "--out", str(full)]
    subprocess.run(cmd, cwd=ROOT, check=True)  # one page: written to exactly `full`
    with Image.open(full) as im:
        im.resize((im.width // 2, im.height // 2), Image.Resampling.LANCZOS).save(path, optimize=True)
    print(path)


if __name__ == "__main__":
    main()
