"""Fashion Product Images (Kaggle) loader: a tolerant `styles.csv` reader and records for rows that have an image."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from lookbook.data.images import image_files
from lookbook.data.loader import SKIP_NO_IMAGE, Progress, categorize, require_dir, throttled
from lookbook.data.report import IngestReport
from lookbook.data.schema import make_records
from lookbook.errors import LookbookError

SOURCE = "fpid"
STYLES_FILE = "styles.csv"
IMAGES_DIR = "images"
# styles.csv header -> record column (matched case- and separator-insensitively)
COLUMNS: dict[str, str] = {
    "id": "product_id",
    "gender": "gender",
    "mastercategory": "master_category",
    "subcategory": "sub_category",
    "articletype": "article_type",
    "basecolour": "base_colour",
    "season": "season",
    "year": "year",
    "usage": "usage",
    "productdisplayname": "product_name",
}
REQUIRED = ("product_id", "article_type")
MISSING_VALUES = frozenset({"", "NA"})  # Kaggle's file spells missing values both ways
MAX_ID = 2**53  # ids and years beyond this are corrupt (and would overflow the Int64 columns)

REPAIR_MALFORMED = "malformed CSV line recovered"
REPAIR_ENCODING = "non-UTF-8 bytes replaced"
REPAIR_YEAR = "unreadable year dropped"
SKIP_MALFORMED = "malformed CSV line"
SKIP_BAD_ID = "bad product id"
SKIP_DUPLICATE_ID = "duplicate product id"


def read_styles(path: str | os.PathLike) -> tuple[pd.DataFrame, IngestReport]:
    """Every row of a `styles.csv` (record column names, product_id/year as Int64), recovering malformed lines.

    Lines with unquoted commas in the product name (the last column) get the extra fields joined back
    into the name; non-UTF-8 bytes are replaced; `NA` and empty fields become missing values.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise LookbookError(f"{path} {'is not a file' if path.exists() else 'does not exist'} (expected FPID styles.csv)")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LookbookError(f"cannot read {path}: {exc.strerror or exc}") from None
    report = IngestReport()
    lines, bad_lines = _decode_lines(raw)
    if not lines or not lines[0].strip():
        raise LookbookError(f"{path} is empty (expected a header line: id,gender,masterCategory,...)")
    try:
        header = [COLUMNS.get(re.sub(r"[^a-z]", "", h.lower()), "") for h in next(csv.reader([lines[0]]))]
    except csv.Error as exc:
        raise LookbookError(f"{path} has an unreadable header line ({exc})") from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise LookbookError(f"{path} has no {' or '.join(missing)} column (header: {lines[0][:120]})")
    width = len(header)
    joinable = header[-1] == "product_name"  # extra commas can only be put back into a free-text last column
    columns: dict[str, list[Any]] = {c: [] for c in COLUMNS.values()}
    seen: set[int] = set()
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        where = f"{path.name} line {number}"
        fields = line.split(",")
        if len(fields) != width and '"' in line:
            try:
                fields = next(csv.reader([line]))  # properly quoted commas are not malformed
            except csv.Error:  # a field over the csv module's size limit, or a stray NUL
                fields = []
        if len(fields) > width and joinable:
            fields = [*fields[: width - 1], ",".join(fields[width - 1 :])]
            report.repair(REPAIR_MALFORMED, where)
        elif len(fields) != width:
            report.skip(SKIP_MALFORMED, f"{where}: {len(fields)} fields, expected {width}")
            continue
        if number in bad_lines:
            report.repair(REPAIR_ENCODING, where)
        row = dict(zip(header, fields))
        product_id = _to_int(row.get("product_id"))
        if product_id is None:
            report.skip(SKIP_BAD_ID, f"{where}: {row.get('product_id')!r}")
            continue
        if product_id in seen:
            report.skip(SKIP_DUPLICATE_ID, f"{where}: {product_id}")
            continue
        seen.add(product_id)
        year_text = row.get("year", "").strip()
        year = _to_int(year_text)
        if year is None and year_text not in MISSING_VALUES:
            report.repair(REPAIR_YEAR, f"{where}: {year_text!r}")
        for col, values in columns.items():
            if col == "product_id":
                values.append(product_id)
            elif col == "year":
                values.append(year)
            else:
                text = row.get(col, "").strip()
                values.append(None if text in MISSING_VALUES else text)
    frame = pd.DataFrame(columns)
    frame["product_id"] = frame["product_id"].astype("Int64")
    frame["year"] = pd.array(frame["year"], dtype="Int64")
    for col in frame.columns:
        if col not in ("product_id", "year"):
            frame[col] = frame[col].astype("string")
    return frame, report


def _decode_lines(raw: bytes) -> tuple[list[str], set[int]]:
    """Text lines and the 1-based numbers of lines whose bytes were not valid UTF-8."""
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8")
        bad: set[int] = set()
    except UnicodeDecodeError:
        parts = raw.split(b"\n")
        bad = set()
        decoded = []
        for i, part in enumerate(parts, start=1):
            try:
                decoded.append(part.decode("utf-8"))
            except UnicodeDecodeError:
                decoded.append(part.decode("utf-8", errors="replace"))
                bad.add(i)
        text = "\n".join(decoded)
    # split on newlines only: str.splitlines would also break names at \x0b, \x1c or U+2028
    return [line.removesuffix("\r") for line in text.split("\n")], bad


def _to_int(text: Any) -> int | None:
    """Integers, also written as floats ("2012.0"); None for anything else."""
    if text is None:
        return None
    text = str(text).strip()
    if len(text) > 24:  # int() refuses more than 4300 digits, and no id or year has more than 16
        return None
    try:
        value = int(text)
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            return None
        if not number.is_integer():
            return None
        value = int(number)
    return value if abs(value) <= MAX_ID else None


def load_fpid(root: str | os.PathLike, progress: Progress | None = None) -> tuple[pd.DataFrame, IngestReport]:
    """Records for the `styles.csv` rows of `<root>` that have an image in `<root>/images/` (others counted as skipped)."""
    root = require_dir(root, f"an FPID folder with {STYLES_FILE} and {IMAGES_DIR}/")
    styles, report = read_styles(root / STYLES_FILE)
    files = image_files(require_dir(root / IMAGES_DIR, f"the FPID images beside {STYLES_FILE} ({IMAGES_DIR}/<id>.jpg)"))
    tick = throttled(progress, len(styles))
    rows = []
    for i, row in enumerate(styles.itertuples(index=False), start=1):
        tick(i)
        fields = {k: (None if v is pd.NA else v) for k, v in row._asdict().items()}
        image_path = files.get(str(fields["product_id"]))
        if image_path is None:
            report.skip(SKIP_NO_IMAGE, f"{STYLES_FILE} id {fields['product_id']}")
            continue
        category, slot = categorize(SOURCE, fields["article_type"], report)
        rows.append(
            {
                "record_id": f"{SOURCE}:all:{fields['product_id']}",
                "source": SOURCE,
                "source_root": os.fspath(root),
                "split": "all",
                "image_path": image_path,
                "source_label": fields["article_type"],
                "category": category,
                "slot": slot,
                **fields,
            }
        )
    return make_records(rows), report
