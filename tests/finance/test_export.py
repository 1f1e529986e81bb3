"""``teamsim export``: the workbook opens with openpyxl, its totals equal runs.parquet, every text cell is
safe, and bad input is one line (exit 2)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from sim.cli import main
from sim.export.cells import safe_text
from sim.export.tables import Batch
from sim.export.workbook import sheet_name, write_xlsx

from .conftest import HOSTILE

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def workbook(finance_batch: Path) -> openpyxl.Workbook:
    assert main(["export", str(finance_batch), "--out", str(finance_batch / "book.xlsx")]) == 0
    return openpyxl.load_workbook(finance_batch / "book.xlsx")


def _frame(ws) -> pd.DataFrame:
    rows = list(ws.iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def _unsafe(value: object) -> bool:
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return False
    try:
        float(value)
        return False
    except ValueError:
        return True


def test_workbook_has_every_sheet_with_frozen_headers(workbook: openpyxl.Workbook, finance_batch: Path) -> None:
    schemes = pd.read_parquet(finance_batch / "runs.parquet")["scheme"].unique().tolist()
    names = workbook.sheetnames
    assert names[:4] == ["summary", "runs", "annual P&L", "statements"]
    assert {"placements", "assumptions"} <= set(names)
    assert sum(n.startswith("payroll ") for n in names) == len(schemes)
    for ws in workbook.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref


def test_runs_sheet_totals_equal_runs_parquet(workbook: openpyxl.Workbook, finance_batch: Path) -> None:
    runs = pd.read_parquet(finance_batch / "runs.parquet")
    sheet = _frame(workbook["runs"])
    assert len(sheet) == len(runs)
    for label, col in (("Gross profit (USD)", "gross_profit"), ("Commission paid (USD)", "commission_paid"),
                       ("Profit (USD)", "profit"), ("Operating profit (USD)", "operating_profit"),
                       ("Draws paid (USD)", "draws_paid"), ("Placements (placements)", "placements")):
        assert sheet[label].sum() == pytest.approx(runs[col].sum(), abs=1e-6), label
    summary = _frame(workbook["summary"]).set_index("metric")
    for scheme, g in runs.groupby("scheme"):
        assert summary.loc["profit", safe_text(f"{scheme}: mean")] == pytest.approx(g["profit"].mean())
        assert summary.loc["gp_refunded", "unit"] == "USD"


def test_payroll_sheets_pay_what_the_statements_and_runs_say(workbook: openpyxl.Workbook,
                                                             finance_batch: Path) -> None:
    runs = pd.read_parquet(finance_batch / "runs.parquet")
    statements = pd.read_parquet(finance_batch / "statements.parquet")
    for name in [n for n in workbook.sheetnames if n.startswith("payroll ")]:
        pay = _frame(workbook[name])
        scheme = statements["scheme"].unique()[[sheet_name(f"payroll {s}", set()) == name
                                                for s in statements["scheme"].unique()]][0]
        lines = statements[statements["scheme"] == scheme]
        assert round(pay["total pay (USD)"].sum() * 100) == int(lines["cents"].sum())
        mine = runs[runs["scheme"] == scheme]
        assert pay["total pay (USD)"].sum() == pytest.approx((mine["commission_paid"] + mine["base_pay"]).sum())
    deals = _frame(workbook["statements"])
    commission = deals[deals["line"] == "commission"]
    assert commission["placement id"].notna().all() and set(commission["deal kind"]) <= {"perm", "contract"}


def test_number_formats_money_and_percent(workbook: openpyxl.Workbook) -> None:
    ws = workbook["runs"]
    header = [c.value for c in ws[1]]
    money = ws.cell(2, header.index("Gross profit (USD)") + 1)
    share = ws.cell(2, header.index("Turnover rate annual (% a year)") + 1)
    assert "$" in money.number_format and "%" in share.number_format
    summary = workbook["summary"]
    head = [c.value for c in summary[1]]
    rows = {summary.cell(r, 1).value: r for r in range(2, summary.max_row + 1)}
    col = head.index([h for h in head if h.endswith(": mean")][0]) + 1
    assert "$" in summary.cell(rows["profit"], col).number_format
    assert "%" in summary.cell(rows["top_decile_share"], col).number_format


def test_no_cell_in_the_workbook_or_the_csvs_can_run_as_a_formula(workbook: openpyxl.Workbook,
                                                                   finance_batch: Path) -> None:
    hostile = HOSTILE in pd.read_parquet(finance_batch / "runs.parquet")["scheme"].unique()
    seen = False
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f" and not _unsafe(c.value), (ws.title, c.coordinate, c.value)
                seen |= isinstance(c.value, str) and c.value.startswith("'" + HOSTILE)
    folder = finance_batch / "csvs"
    assert main(["export", str(finance_batch), "--format", "csv", "--out", str(folder)]) == 0
    files = sorted(folder.glob("*.csv"))
    assert {"summary.csv", "runs.csv", "placements.csv", "assumptions.csv", "statements.csv"} <= {f.name for f in files}
    for f in files + [finance_batch / "summary.csv"]:
        raw = f.read_bytes()
        assert f.parent != folder or raw.startswith(b"\xef\xbb\xbf")   # Excel-ready: UTF-8 with BOM
        with open(f, newline="", encoding="utf-8-sig") as fh:
            cells = [c for row in csv.reader(fh) for c in row]
        assert not [c for c in cells if _unsafe(c)], f.name
        seen |= any(c.startswith("'" + HOSTILE) for c in cells)
    assert seen == hostile
    runs = pd.read_parquet(finance_batch / "runs.parquet")
    exported = pd.read_csv(folder / "runs.csv", encoding="utf-8-sig")
    assert exported["Gross profit (USD)"].sum() == pytest.approx(runs["gross_profit"].sum())


def test_writer_neutralises_a_hostile_scheme_directly(finance_batch: Path, tmp_path: Path) -> None:
    """Whatever names the scenario allows, the writer itself never lets a formula through."""
    batch = Batch.read(finance_batch)
    first = batch.schemes[0]
    batch.runs = batch.runs.replace({"scheme": {first: "@evil"}})
    batch.schemes = ["@evil", *batch.schemes[1:]]
    batch.baseline = "@evil"
    path = write_xlsx(batch, tmp_path / "x.xlsx")
    wb = openpyxl.load_workbook(path)
    values = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert "'@evil" in values and "@evil" not in values and not any(map(_unsafe, values))
    assert "'@evil: mean" in values


def test_sheet_names_are_legal_and_unique() -> None:
    taken: set[str] = set()
    a = sheet_name("payroll a/b:c*d?[e]" + "x" * 40, taken)
    b = sheet_name("payroll a/b:c*d?[e]" + "x" * 40, taken)
    assert len(a) <= 31 and len(b) <= 31 and a != b and not set("[]:*?/\\") & set(a + b)


def _one_line(capsys: pytest.CaptureFixture) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]
    return err[0]


def test_export_of_a_folder_that_is_not_a_batch(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["export", str(tmp_path)]) == 2
    assert "not a stored batch" in _one_line(capsys)
    assert main(["export", str(tmp_path / "missing")]) == 2
    assert "not a folder" in _one_line(capsys)
    (tmp_path / "manifest.json").write_text("{not json")
    pd.DataFrame({"scheme": ["a"], "replication": [0]}).to_parquet(tmp_path / "runs.parquet")
    assert main(["export", str(tmp_path)]) == 2
    assert "cannot be read" in _one_line(capsys)


def test_export_of_a_batch_with_a_truncated_table(finance_batch: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(finance_batch, copy, ignore=shutil.ignore_patterns("parts", "*.xlsx", "csvs"))
    data = (copy / "statements.parquet").read_bytes()
    (copy / "statements.parquet").write_bytes(data[: len(data) // 2])
    assert main(["export", str(copy)]) == 2
    assert "statements.parquet: cannot be read" in _one_line(capsys)
    assert not (copy / "export.xlsx").exists()


def test_export_unknown_format(finance_batch: Path, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["export", str(finance_batch), "--format", "ods"])
    assert exc.value.code == 2 and "--format" in _one_line(capsys)


def test_export_to_an_unwritable_target(finance_batch: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["export", str(finance_batch), "--out", str(blocker / "book.xlsx")]) == 2
    assert "cannot write" in _one_line(capsys)
    assert main(["export", str(finance_batch), "--format", "csv", "--out", str(blocker)]) == 2
    assert "must be a folder" in _one_line(capsys)
    assert main(["export", str(finance_batch), "--out", str(tmp_path)]) == 2
    assert "is a folder" in _one_line(capsys)
    assert not list(tmp_path.glob(".*tmp*"))


def test_summary_intervals_of_counts_are_never_below_zero(workbook: openpyxl.Workbook) -> None:
    summary = _frame(workbook["summary"]).set_index("metric")
    lows = [c for c in summary.columns if c.endswith("95% CI low")]
    for metric in ("placements", "falloffs", "voluntary_quits", "lost_job_orders"):
        assert (summary.loc[metric, lows].astype(float) >= 0).all(), metric
    assert np.isfinite(summary.loc["profit", lows].astype(float)).all()


def test_a_long_table_continues_on_the_next_sheet(finance_batch: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.export.workbook as wbmod

    monkeypatch.setattr(wbmod, "MAX_ROWS", 500)
    monkeypatch.setattr(wbmod, "BLOCK_ROWS", 70)
    wb = openpyxl.load_workbook(write_xlsx(Batch.read(finance_batch), tmp_path / "long.xlsx"))
    parts = [n for n in wb.sheetnames if n == "statements" or n.startswith("statements (")]
    statements = pd.read_parquet(finance_batch / "statements.parquet")
    assert len(parts) == -(-len(statements) // 500) > 1
    cents = sum(round(v * 100) for n in parts for v in _frame(wb[n])["amount (USD)"])
    assert cents == int(statements["cents"].sum())


def _cents_exact(value: object) -> bool:
    """A money cell holds a whole number of cents as written (no float noise such as 9014.130000000001)."""
    from decimal import Decimal

    if value is None or (isinstance(value, float) and value != value):
        return True
    exponent = Decimal(repr(value) if isinstance(value, float) else str(value)).as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -2


def test_payroll_and_statement_amounts_are_whole_cents_in_the_workbook_and_the_csvs(
        workbook: openpyxl.Workbook, finance_batch: Path) -> None:
    for name in [n for n in workbook.sheetnames if n.startswith("payroll ") or n == "statements"]:
        sheet = _frame(workbook[name])
        money = [c for c in sheet.columns if "USD" in c]
        bad = [(c, v) for c in money for v in sheet[c] if isinstance(v, float) and not _cents_exact(v)]
        assert not bad, (name, bad[:3])
        if name.startswith("payroll "):   # each row's total is its lines to the cent
            lines = [c for c in money if c != "total pay (USD)"]
            cents = sheet[lines].map(lambda v: round(v * 100)).sum(axis=1)
            assert (sheet["total pay (USD)"].map(lambda v: round(v * 100)) == cents).all()
    folder = finance_batch / "csvs_cents"
    assert main(["export", str(finance_batch), "--format", "csv", "--out", str(folder)]) == 0
    for f in [*folder.glob("payroll_*.csv"), folder / "statements.csv", folder / "annual_P_L.csv"]:
        with open(f, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
        for column in rows[0]:
            cells = [r[column] for r in rows if r[column]]
            if "USD" in column and "P_L" not in f.name:
                assert all(_cents_exact(c) for c in cells), (f.name, column, [c for c in cells if not _cents_exact(c)])
            if column in ("placement id", "person id", "month", "months"):   # ids and counts as whole numbers
                assert all(c.isdigit() for c in cells), (f.name, column, cells[:3])
