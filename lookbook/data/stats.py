"""Dataset statistics as DataFrames (splits, categories, attributes, FPID breakdowns) and as text for the CLI.

Each function takes a records DataFrame (lookbook.data.schema), a PreparedDataset or a prepared
dataset folder, and is vectorised so a 100k-record index takes milliseconds, not seconds.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from lookbook.data.dataset import INDEX_FILE, REPORT_FILE, PreparedDataset, read_index_file
from lookbook.data.report import IngestReport
from lookbook.data.taxonomy import DF2_CATEGORY_NAMES, SLOTS, categories, category_for, display_name
from lookbook.errors import LookbookError

Records = pd.DataFrame | PreparedDataset | str | os.PathLike

SPLIT_ORDER: tuple[str, ...] = ("train", "validation", "test", "all")
SOURCE_ORDER: tuple[str, ...] = ("deepfashion2", "fpid", "folder")

# DeepFashion2 attribute codes -> labels (DeepFashion2 README)
DF2_ATTRIBUTES: dict[str, dict[int, str]] = {
    "scale": {1: "small", 2: "modest", 3: "large"},
    "occlusion": {1: "slight", 2: "medium", 3: "heavy"},
    "zoom_in": {1: "none", 2: "medium", 3: "large"},
    "viewpoint": {1: "no wear", 2: "frontal", 3: "side or back"},
}
ATTRIBUTE_TITLES: dict[str, str] = {
    "scale": "Scale",
    "occlusion": "Occlusion",
    "zoom_in": "Zoom-in",
    "viewpoint": "Viewpoint",
    "df2_source": "Source (shop / user)",
}
# FPID columns worth a breakdown, with the styles.csv spelling they may arrive in
FPID_COLUMNS: dict[str, str] = {
    "gender": "gender",
    "masterCategory": "master_category",
    "subCategory": "sub_category",
    "articleType": "article_type",
    "baseColour": "base_colour",
    "season": "season",
    "year": "year",
    "usage": "usage",
    "productDisplayName": "product_name",
    "id": "product_id",
}
FPID_BREAKDOWNS: tuple[str, ...] = ("gender", "season", "base_colour", "usage")


def records_of(data: Records, columns: list[str] | None = None) -> pd.DataFrame:
    """The records behind `data`: a DataFrame as is, a PreparedDataset's index, or a dataset folder's `index.parquet`."""
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, PreparedDataset):
        return data.index
    return read_index(data, columns)


def read_index(root: str | os.PathLike, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a prepared dataset's `index.parquet` (optionally some columns) without opening its image cache."""
    root = Path(root).expanduser()
    path = root / INDEX_FILE
    if not root.is_dir():
        raise LookbookError(f"{root} is not a folder (expected a prepared dataset; run `python -m lookbook data prepare`)")
    if not path.is_file():
        raise LookbookError(
            f"{root} is not a prepared dataset: no {INDEX_FILE} (run `python -m lookbook data prepare --out {root} ...`)"
        )
    try:
        return read_index_file(path, columns=columns)
    except Exception as exc:  # pyarrow raises several types for truncated or foreign files
        raise LookbookError(f"cannot read {path}: {str(exc).splitlines()[0][:200]}") from None


def _ordered(values: pd.Series, order: tuple[str, ...]) -> pd.Series:
    """Sort key: known values in `order`, others after them alphabetically."""
    rank = {v: i for i, v in enumerate(order)}
    return values.map(lambda v: (rank.get(v, len(order)), str(v)))


def split_table(data: Records, total: bool = True) -> pd.DataFrame:
    """Images, garments, boxes and labelled landmarks per (source, split): the original project's Figure 1.

    images = distinct image files; garments = records; boxes = records with a bounding box;
    landmarks = labelled landmark points (visible or occluded).
    """
    rec = records_of(data)
    cols = ["source", "split", "images", "garments", "boxes", "landmarks"]
    if rec.empty:
        return pd.DataFrame(columns=cols).astype({c: "int64" for c in cols[2:]})
    frame = pd.DataFrame(
        {
            "source": rec["source"].fillna("?").astype(str),
            "split": rec["split"].fillna("?").astype(str),
            "image_path": rec["image_path"],
            "box": rec["box_x1"].notna(),
            "n_landmarks": pd.to_numeric(rec["n_landmarks"], errors="coerce").fillna(0).astype("int64"),
        }
    )
    grouped = frame.groupby(["source", "split"], sort=False)
    table = grouped.agg(
        images=("image_path", "nunique"), garments=("box", "size"), boxes=("box", "sum"), landmarks=("n_landmarks", "sum")
    ).reset_index()
    table = table.sort_values(
        ["source", "split"], key=lambda s: _ordered(s, SOURCE_ORDER if s.name == "source" else SPLIT_ORDER)
    ).reset_index(drop=True)
    if total and len(table) > 1:
        row = {"source": "total", "split": "", "images": frame["image_path"].nunique(), "garments": len(frame)}
        row |= {"boxes": int(frame["box"].sum()), "landmarks": int(frame["n_landmarks"].sum())}
        table = pd.concat([table, pd.DataFrame([row])], ignore_index=True)
    return table.astype({c: "int64" for c in cols[2:]})[cols]


def df2_category_id(label: Any) -> int | None:
    """DeepFashion2 category id (1-13) of a source label given as an id or a raw/COCO name, else None."""
    text = str(label).strip().lower()
    if text.isdigit():
        value = int(text)
        return value if value in DF2_CATEGORY_NAMES else None
    text = text.replace("_", " ").replace("-", " ").replace("sleeved", "sleeve")
    return _DF2_BY_NAME.get(" ".join(text.split()))


_DF2_BY_NAME = {name: cid for cid, name in DF2_CATEGORY_NAMES.items()}


def _df2(rec: pd.DataFrame) -> pd.DataFrame:
    return rec[rec["source"] == "deepfashion2"]


def df2_category_counts(data: Records) -> pd.DataFrame:
    """Garments per DeepFashion2 category (all 13, zeros included) and split: the original's Figure 2.

    Columns: category_id, df2_category, split, count. Empty when there are no DeepFashion2 records.
    """
    rec = _df2(records_of(data))
    cols = ["category_id", "df2_category", "split", "count"]
    if rec.empty:
        return pd.DataFrame(columns=cols)
    labels = rec["source_label"].astype(str)
    ids = labels.map({lab: df2_category_id(lab) for lab in labels.unique()})
    frame = pd.DataFrame({"category_id": ids, "split": rec["split"].fillna("?").astype(str)}).dropna()
    counts = frame.groupby(["category_id", "split"]).size()
    splits = sorted(frame["split"].unique(), key=lambda s: (SPLIT_ORDER.index(s) if s in SPLIT_ORDER else 99, s))
    full = pd.MultiIndex.from_product([list(DF2_CATEGORY_NAMES), splits or ["all"]], names=["category_id", "split"])
    table = counts.reindex(full, fill_value=0).rename("count").reset_index()
    table["category_id"] = table["category_id"].astype("int64")
    table["df2_category"] = table["category_id"].map(DF2_CATEGORY_NAMES)
    return table[cols].astype({"count": "int64"})


def category_counts(data: Records) -> pd.DataFrame:
    """Records per unified category, most frequent first. Columns: category, display, slot, count, share."""
    rec = records_of(data)
    counts = rec["category"].fillna("unmapped").astype(str).value_counts()
    table = counts.rename_axis("category").rename("count").reset_index()
    cats = categories()
    table["display"] = table["category"].map(display_name)
    table["slot"] = table["category"].map(lambda c: cats[c].slot if c in cats else "none")
    table["share"] = table["count"] / max(len(rec), 1)
    return table[["category", "display", "slot", "count", "share"]]


def slot_counts(data: Records) -> pd.DataFrame:
    """Records per outfit slot (slots in SLOTS order, then `none`). Columns: slot, count, share."""
    rec = records_of(data)
    counts = rec["slot"].fillna("none").astype(str).value_counts()
    order = [s for s in SLOTS if s in counts.index] + sorted(set(counts.index) - set(SLOTS))
    table = counts.reindex(order).rename_axis("slot").rename("count").reset_index()
    table["share"] = table["count"] / max(len(rec), 1)
    return table


def attribute_counts(data: Records) -> pd.DataFrame:
    """DeepFashion2 scale, occlusion, zoom-in, viewpoint and shop/user counts (the original's Figure 3).

    Long form: attribute, value, label, count (all three codes of each attribute, zeros included).
    Empty when there are no DeepFashion2 records.
    """
    rec = _df2(records_of(data))
    cols = ["attribute", "value", "label", "count"]
    if rec.empty:
        return pd.DataFrame(columns=cols)
    parts = []
    for attr, labels in DF2_ATTRIBUTES.items():
        counts = pd.to_numeric(rec[attr], errors="coerce").dropna().astype("int64").value_counts()
        values = list(labels) + sorted(set(counts.index) - set(labels))
        parts.append(
            pd.DataFrame(
                {
                    "attribute": attr,
                    "value": [str(v) for v in values],
                    "label": [labels.get(v, str(v)) for v in values],
                    "count": [int(counts.get(v, 0)) for v in values],
                }
            )
        )
    src = rec["df2_source"].dropna().astype(str).value_counts()
    values = ["shop", "user", *sorted(set(src.index) - {"shop", "user"})]
    parts.append(
        pd.DataFrame({"attribute": "df2_source", "value": values, "label": values, "count": [int(src.get(v, 0)) for v in values]})
    )
    return pd.concat(parts, ignore_index=True)[cols]


def fpid_frame(data: Records | pd.DataFrame) -> pd.DataFrame:
    """FPID rows with record-schema column names: the FPID records of a dataset, or a raw styles.csv table."""
    if isinstance(data, pd.DataFrame) and "source" not in data.columns:
        return data.rename(columns={k: v for k, v in FPID_COLUMNS.items() if k in data.columns})
    rec = records_of(data)
    return rec[rec["source"] == "fpid"]


def article_type_counts(data: Records | pd.DataFrame) -> pd.DataFrame:
    """FPID articleType counts, most frequent first, with the long tail: the original's Figure 4.

    Columns: article_type, count, rank (1 = most frequent), category (unified), share, cumulative_share.
    Also accepts the raw styles.csv table (e.g. from lookbook.data.fpid.read_styles).
    """
    fp = fpid_frame(data)
    cols = ["article_type", "count", "rank", "category", "share", "cumulative_share"]
    if fp.empty or "article_type" not in fp.columns:
        return pd.DataFrame(columns=cols)
    counts = fp["article_type"].dropna().astype(str).value_counts()
    table = counts.rename_axis("article_type").rename("count").reset_index()
    table["rank"] = range(1, len(table) + 1)
    table["category"] = table["article_type"].map(lambda t: category_for("fpid", t))
    total = max(int(table["count"].sum()), 1)
    table["share"] = table["count"] / total
    table["cumulative_share"] = table["count"].cumsum() / total
    return table[cols]


def fpid_breakdown(data: Records | pd.DataFrame, column: str) -> pd.DataFrame:
    """FPID counts of one attribute (gender, season, base_colour, usage...), most frequent first.

    Columns: value, count, share; missing values are counted as "unknown". Empty when no row has a value.
    """
    fp = fpid_frame(data)
    if fp.empty or column not in fp.columns or fp[column].isna().all():
        return pd.DataFrame(columns=["value", "count", "share"])
    values = fp[column].astype("string").str.strip().replace({"": pd.NA, "NA": pd.NA}).fillna("unknown")
    table = values.value_counts().rename_axis("value").rename("count").reset_index()
    table["value"] = table["value"].astype(str)
    table["share"] = table["count"] / max(len(fp), 1)
    return table


def source_counts(data: Records) -> pd.DataFrame:
    """Records and distinct images per source and source root. Columns: source, source_root, records, images."""
    rec = records_of(data)
    frame = pd.DataFrame(
        {
            "source": rec["source"].fillna("?").astype(str),
            "source_root": rec["source_root"].fillna("").astype(str),
            "image_path": rec["image_path"],
        }
    )
    table = frame.groupby(["source", "source_root"], sort=True).agg(
        records=("image_path", "size"), images=("image_path", "nunique")
    )
    return table.reset_index()


def report_table(report: dict[str, Any] | IngestReport) -> pd.DataFrame:
    """Skipped and repaired items by reason with examples. Columns: outcome, reason, count, examples."""
    rep = report if isinstance(report, IngestReport) else IngestReport.from_dict(report or {})
    rows = []
    for outcome, counter in (("skipped", rep.skipped), ("repaired", rep.repaired)):
        for reason, count in counter.most_common():
            rows.append(
                {
                    "outcome": outcome,
                    "reason": reason,
                    "count": int(count),
                    "examples": list(rep.examples.get(f"{outcome}: {reason}", [])),
                }
            )
    return pd.DataFrame(rows, columns=["outcome", "reason", "count", "examples"])


def unmapped_table(report: dict[str, Any] | IngestReport) -> pd.DataFrame:
    """Source labels that map to no unified category. Columns: source, label, count."""
    rep = report if isinstance(report, IngestReport) else IngestReport.from_dict(report or {})
    rows = [
        {"source": k.partition(":")[0], "label": k.partition(":")[2], "count": int(v)}
        for k, v in rep.unmapped_labels.most_common()
    ]
    return pd.DataFrame(rows, columns=["source", "label", "count"])


def source_name(source: str, root: str) -> str:
    """Short name of one source root for tables and legends, e.g. "fpid · fpid-small"."""
    return f"{source} · {Path(root).name}" if root else source


def _source_names(rec: pd.DataFrame) -> pd.Series:
    sources, roots = rec["source"].fillna("?").astype(str), rec["source_root"].fillna("").astype(str)
    return pd.Series([source_name(s, r) for s, r in zip(sources, roots)], index=rec.index, dtype="string")


def category_source_counts(data: Records) -> pd.DataFrame:
    """Records per unified category and source root. Columns: category, display, source_name, count."""
    rec = records_of(data)
    frame = pd.DataFrame({"category": rec["category"].fillna("unmapped").astype(str), "source_name": _source_names(rec)})
    table = frame.groupby(["category", "source_name"], sort=False).size().rename("count").reset_index()
    table["display"] = table["category"].map(display_name)
    return table[["category", "display", "source_name", "count"]].sort_values(["category", "source_name"], ignore_index=True)


def image_size_table(data: Records, per_source: int = 300, seed: int = 0) -> pd.DataFrame:
    """Original image sizes per source root, from the file headers of a seeded sample of each root's images.

    Columns: source_name, images, sampled, common_sizes ("60x80 100%"), min_side_px, median_side_px, max_side_px
    (sides are the longer side of each image). Unreadable headers are left out of the sample.
    """
    from PIL import Image  # local: the rest of the module needs only pandas

    rec = records_of(data)
    frame = pd.DataFrame({"source_name": _source_names(rec), "image_path": rec["image_path"].astype(str)}).drop_duplicates()
    rows = []
    for name, part in frame.groupby("source_name", sort=True):
        sample = part["image_path"].sample(min(per_source, len(part)), random_state=seed)
        sizes = []
        for path in sample:
            try:
                with Image.open(path) as im:
                    sizes.append(im.size)
            except (OSError, ValueError, Image.DecompressionBombError):
                continue
        if not sizes:
            rows.append({"source_name": name, "images": len(part), "sampled": 0, "common_sizes": "unreadable"})
            continue
        common = pd.Series([f"{w}x{h}" for w, h in sizes]).value_counts(normalize=True).head(3)
        longer = pd.Series([max(w, h) for w, h in sizes])
        rows.append(
            {
                "source_name": name,
                "images": len(part),
                "sampled": len(sizes),
                "common_sizes": ", ".join(f"{k} {v:.0%}" for k, v in common.items()),
                "min_side_px": int(longer.min()),
                "median_side_px": int(longer.median()),
                "max_side_px": int(longer.max()),
            }
        )
    columns = ["source_name", "images", "sampled", "common_sizes", "min_side_px", "median_side_px", "max_side_px"]
    return pd.DataFrame(rows, columns=columns).astype({"min_side_px": "Int64", "median_side_px": "Int64", "max_side_px": "Int64"})


def summary(data: Records) -> dict[str, Any]:
    """Headline numbers: records, images, sources, categories, slots, splits."""
    rec = records_of(data)
    return {
        "records": len(rec),
        "images": int(rec["image_path"].nunique()),
        "sources": sorted(rec["source"].dropna().astype(str).unique()),
        "categories": int(rec["category"].nunique()),
        "slots": int(rec["slot"].nunique()),
        "splits": sorted(
            rec["split"].dropna().astype(str).unique(), key=lambda s: (SPLIT_ORDER.index(s) if s in SPLIT_ORDER else 99, s)
        ),
    }


def format_stats(dataset_root: str | os.PathLike, top_article_types: int = 25) -> str:
    """Text tables of a prepared dataset's statistics, for `python -m lookbook data stats DATASET`."""
    root = Path(dataset_root).expanduser()
    rec = read_index(root)
    meta_sizes = sorted(int(p.stem.split("_")[1]) for p in root.glob("images_*.npy") if p.stem.split("_")[1].isdigit())
    head = summary(rec)
    out = [
        f"dataset {root}",
        f"{head['records']:,} garments from {head['images']:,} images; sources: {', '.join(head['sources']) or 'none'}; "
        f"image cache: {', '.join(f'{s} px' for s in meta_sizes) or 'none'}",
    ]

    def section(title: str, table: pd.DataFrame, note: str = "") -> None:
        out.extend(["", f"== {title} ==" + (f" ({note})" if note else "")])
        out.append(_text(table) if not table.empty else "  (none)")

    section("splits", split_table(rec))
    df2 = df2_category_counts(rec)
    if not df2.empty:
        wide = df2.pivot_table(index=["category_id", "df2_category"], columns="split", values="count", aggfunc="sum", sort=False)
        wide = wide.reset_index()
        wide.columns.name = None
        section("DeepFashion2 categories", wide)
    section(
        "unified categories",
        category_counts(rec).assign(share=lambda t: (t["share"] * 100).round(1)).rename(columns={"share": "%"}),
    )
    by_source = category_source_counts(rec)
    if by_source["source_name"].nunique() > 1:
        wide = by_source.pivot_table(index="category", columns="source_name", values="count", aggfunc="sum", fill_value=0)
        wide = wide.loc[wide.sum(axis=1).sort_values(ascending=False).index].reset_index()
        wide.columns.name = None
        section("categories per source", wide)
    section("image sizes per source", image_size_table(rec), "longer side of a sample of each source's files")
    section("outfit slots", slot_counts(rec).assign(share=lambda t: (t["share"] * 100).round(1)).rename(columns={"share": "%"}))
    attrs = attribute_counts(rec)
    if not attrs.empty:
        wide = (
            attrs.assign(item=attrs["label"] + "=" + attrs["count"].astype(str))
            .groupby("attribute", sort=False)["item"]
            .agg("  ".join)
        )
        section("DeepFashion2 attributes", wide.rename("counts").reset_index())
    arts = article_type_counts(rec)
    if not arts.empty:
        shown = arts.head(top_article_types)[["rank", "article_type", "category", "count"]]
        section("FPID article types", shown, f"top {len(shown)} of {len(arts)}")
        for column in FPID_BREAKDOWNS:
            table = fpid_breakdown(rec, column)
            section(
                f"FPID {column.replace('_', ' ')}",
                table.assign(share=(table["share"] * 100).round(1)).rename(columns={"share": "%"}),
            )
    report = report_table(_read_report(root))
    section("ingestion report", report.drop(columns="examples") if not report.empty else report, "skipped or repaired items")
    return "\n".join(out) + "\n"


def _read_report(root: Path) -> dict[str, Any]:
    path = root / REPORT_FILE
    try:
        return json.loads(path.read_text()) if path.is_file() else {}
    except (OSError, json.JSONDecodeError):
        return {}


def _text(table: pd.DataFrame) -> str:
    formatters = {c: (lambda v: f"{v:,}") for c in table.columns if pd.api.types.is_integer_dtype(table[c])}
    return table.to_string(index=False, formatters=formatters)
