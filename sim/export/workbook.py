"""``teamsim export``: the stored batch as one Excel workbook (XlsxWriter) or a folder of Excel-ready CSVs.

Workbook: one sheet per table of :mod:`sim.export.tables`, a bold frozen header row with a filter,
money as ``$#,##0.00``, shares as percent, ids as whole numbers. Every text cell goes through
:func:`sim.export.cells.safe_text` and is written as a string (never a formula), so a scheme called
``=HYPERLINK(...)`` is shown, not run. Sheets are written row by row in XlsxWriter's constant-memory
mode; a table longer than a sheet holds continues on the next sheet. CSVs: the same tables, wide and
labelled, UTF-8 with a byte-order mark and CRLF line ends (what Excel opens cleanly).
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from sim.export.cells import safe_text, write_csv
from sim.export.tables import Batch, Sheet, all_sheets

MAX_ROWS = 1_048_576 - 1   # Excel's rows per sheet, less the header
BLOCK_ROWS = 20_000
FORMATS = {"money": "$#,##0.00;[Red]-$#,##0.00", "percent": "0.0%", "int": "0", "number": "#,##0.00##"}
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_name(name: str, taken: set[str]) -> str:
    """A legal, unique sheet name: no []:*?/\\, no leading or trailing apostrophe, at most 31 characters."""
    base = _SHEET_BAD.sub("_", name).strip("'") or "sheet"
    candidate, n = base[:31], 1
    while candidate.lower() in taken:
        n += 1
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


def _cell(ws: Any, row: int, col: int, value: Any, fmt: Any) -> None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)) or value is pd.NA:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, "yes" if value else "no")
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, safe_text(str(value)))


def _write_sheet(book: Any, sheet: Sheet, taken: set[str], formats: dict[str, Any]) -> None:
    frame = sheet.frame
    cols = [str(c) for c in frame.columns]
    kinds = [sheet.kind(c) for c in frame.columns]
    widths = [min(60, max(10, len(c) + 2)) for c in cols]
    n = len(frame)
    for start in range(0, max(n, 1), MAX_ROWS):
        ws = book.add_worksheet(sheet_name(sheet.name, taken))
        for j, c in enumerate(cols):
            ws.set_column(j, j, widths[j])
            ws.write_string(0, j, safe_text(c), formats["header"])
        ws.freeze_panes(1, 0)
        stop = min(n, start + MAX_ROWS)
        ws.autofilter(0, 0, max(stop - start, 1), max(len(cols) - 1, 0))
        # Rows become Python values a block at a time: a whole long table as objects would cost gigabytes.
        for lo in range(start, stop, BLOCK_ROWS):
            hi = min(stop, lo + BLOCK_ROWS)
            columns = [frame.iloc[lo:hi, j].tolist() for j in range(len(cols))]
            for i in range(lo, hi):
                row_kind = sheet.row_kinds[i] if sheet.row_kinds else None
                for j in range(len(cols)):
                    kind = row_kind if kinds[j] == "by_row" else kinds[j]
                    _cell(ws, i - start + 1, j, _plain(columns[j][i - lo]), formats.get(kind))


def _plain(value: Any) -> Any:
    """numpy scalars as Python numbers, missing values as None."""
    if hasattr(value, "item"):
        value = value.item()
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def write_xlsx(batch: Batch, path: Path) -> Path:
    """The workbook of ``batch`` at ``path`` (written to a temporary name, then renamed)."""
    import xlsxwriter

    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    book = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_urls": False, "strings_to_numbers": False})
    try:
        formats = {k: book.add_format({"num_format": v}) for k, v in FORMATS.items()}
        formats["header"] = book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"})
        taken: set[str] = set()
        for sheet in all_sheets(batch):
            _write_sheet(book, sheet, taken, formats)
        book.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def csv_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "table"


def write_csvs(batch: Batch, folder: Path) -> Path:
    """The same tables as Excel-ready CSVs in ``folder`` (created), one file per table."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    for sheet in all_sheets(batch):
        name = csv_name(sheet.name)
        stem, n = name, 1
        while name.lower() in taken:
            n += 1
            name = f"{stem}_{n}"
        taken.add(name.lower())
        write_csv(sheet.frame, folder / f"{name}.csv", excel=True)
    return folder
