"""`python -m lookbook compose`: generate a lookbook (or regenerate a saved one) and export it as PNG, PDF or ZIP."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the top-level `compose` command."""
    p = subparsers.add_parser(
        "compose",
        help="compose outfits from a generator and a classifier and export them",
        description=(
            "Fill outfit templates with generated garments labelled by the classifier, and export the pages. "
            "G and C are run directories or .keras files (default: checkpoints/generator.keras and checkpoints/classifier.keras)."
        ),
    )
    p.add_argument("--generator", metavar="G", help="generator run directory or .keras file")
    p.add_argument("--classifier", metavar="C", help="classifier run directory or .keras file")
    p.add_argument(
        "--template",
        metavar="NAME",
        help="outfit template from lookbook/compose/templates.csv, e.g. cs230 or casual (default: the first the models can fill)",
    )
    p.add_argument("--seed", type=int, metavar="S", help="seed of the lookbook's seed stream (default 0)")
    p.add_argument("--pages", type=int, metavar="N", help="number of pages (default 1)")
    p.add_argument("--title", default=None, help="lookbook title printed on every page")
    p.add_argument("--manifest", metavar="FILE", help="regenerate a saved lookbook (manifest JSON) instead of a new one")
    p.add_argument("--save-manifest", metavar="FILE", help="also write the lookbook's manifest JSON here")
    p.add_argument("--dpi", type=int, default=150, help="print resolution of the A4 pages (default 150)")
    p.add_argument(
        "--upscaler",
        choices=("learned", "lanczos"),
        default="learned",
        help="how garments are enlarged: the learned 4x model when checkpoints/upscaler.keras ships (default), or Lanczos",
    )
    p.add_argument(
        "--no-zoom",
        action="store_true",
        help="draw every garment at its generated scale (default: earrings, rings and other small pieces are zoomed "
        "up to 2x to fill their tile)",
    )
    p.add_argument(
        "--client",
        action="store_true",
        help="client version: no seeds, confidences, classifier disagreements or checkpoint hashes on the pages "
        "(a ZIP's manifest.json still records them)",
    )
    p.add_argument("--cover", action="store_true", help="start a PDF or ZIP with a cover page (title, subtitle, date)")
    p.add_argument("--cover-subtitle", default="", metavar="TEXT", help="cover subtitle, e.g. 'Spring 2027 · for Maison X'")
    p.add_argument("--cover-date", default=None, metavar="TEXT", help="date line on the cover (default: today)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="fill setting, e.g. accept_confidence=0.7")
    p.add_argument("--out", required=True, metavar="FILE", help="output: FILE.png (one file per page), FILE.pdf or FILE.zip")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from lookbook.compose import Cover, FillConfig, LookbookEditor, RenderConfig, Studio
    from lookbook.compose.export import export_format
    from lookbook.compose.manifest import check_limits
    from lookbook.errors import LookbookError
    from lookbook.paths import check_output_file

    out = check_output_file(args.out)
    check_limits(args.pages, args.title, where="compose")
    kind = export_format(out)
    fill = FillConfig().with_overrides(args.set)
    render = RenderConfig(dpi=args.dpi, client=args.client, upscaler=args.upscaler, frame_garments=not args.no_zoom)
    render.validate()
    if args.pages is not None and args.pages < 1:
        raise LookbookError(f"--pages must be at least 1, got {args.pages}")
    if args.seed is not None and args.seed < 0:
        raise LookbookError(f"--seed must not be negative, got {args.seed}")

    if args.manifest:
        given = [f"--{n}" for n in ("template", "seed", "pages") if getattr(args, n) is not None]
        if given:
            raise LookbookError(f"--manifest regenerates a saved lookbook; drop {', '.join(given)}")
        studio = Studio.open(args.generator, args.classifier) if args.generator or args.classifier else None
        if studio is not None and not (args.generator and args.classifier):
            raise LookbookError("with --manifest, give both --generator and --classifier, or neither (to use the recorded ones)")
        session = LookbookEditor.open(args.manifest, studio=studio)
        if args.set:
            session.fill_config = fill
        for message in session.warnings:
            print(f"warning: {message}", file=sys.stderr)
    else:
        studio = Studio.open(args.generator, args.classifier)
        session = LookbookEditor.new(
            studio,
            template=args.template,
            pages=args.pages or 1,
            seed=args.seed or 0,
            title=args.title or "Lookbook",
            fill=fill,
            progress=_progress("composing"),
        )
    if args.title is not None:
        session.lookbook.title = args.title
    session.render_config = render
    if args.cover or args.cover_subtitle or args.cover_date:
        session.cover = Cover(session.lookbook.title, args.cover_subtitle, args.cover_date or _today())
    if session.studio.resize_note:
        print(f"note: {session.studio.resize_note}", file=sys.stderr)

    written = _export(session, out, kind)
    if args.save_manifest:
        written.append(session.save(args.save_manifest))
    for i, page in enumerate(session.pages):
        h = session.harmony(i)
        labels = ", ".join(
            f"{s.name}: {s.label} {s.confidence:.0%}{'' if s.status == 'ok' else ' (mismatch)'}" for s in page.slots
        )
        print(f"page {i + 1} [{page.template}] harmony {h.score}/100 ({h.scheme}) · {labels}")
    for path in written:
        print(f"wrote {path}")
    return 0


def _export(session, out: Path, kind: str) -> list[Path]:
    """Write the export; a .png of several pages becomes one zero-padded file per page."""
    from lookbook.compose.export import page_name, write_export

    if kind != ".png":
        return [session.export(out, progress=_progress("rendering"))]
    if len(session.pages) == 1:
        return [session.export(out)]
    report = _progress("rendering")
    paths = []
    for i in range(len(session.pages)):
        target = out.with_name(f"{out.stem}_{page_name(i + 1, len(session.pages))[len('page_') :]}")
        paths.append(write_export(target, session.png(i)))
        report(i + 1, len(session.pages))
    return paths


def _today() -> str:
    import datetime as dt

    return dt.date.today().strftime("%-d %B %Y")


def _progress(label: str):
    """A `(done, total)` callback drawing one self-updating line on stderr."""

    def report(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        print(f"\r{label} page {done}/{total}", end=end, file=sys.stderr, flush=True)

    return report
