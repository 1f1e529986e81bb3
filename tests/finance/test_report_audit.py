"""Audit trail and report marks: the manifest records the command line and every --set, the page states
resolved values, stars and bold only for clear, meaningful differences, count intervals >= 0, sections
numbered 1, 2, 3... over the sections present."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.cli import main
from sim.metrics import COUNTS
from sim.report.headline import clear_best, sentences, summary_of, table
from sim.report.page import build_html

from .conftest import ROOT


def test_manifest_records_command_line_and_overrides(finance_batch: Path) -> None:
    m = json.loads((finance_batch / "manifest.json").read_text())
    assert m["overrides"] == ["firm.pods=3", "finance.overhead_per_seat_month=250"]
    assert m["command_line"][:2] == ["teamsim", "run"] and "--set" in m["command_line"]
    assert m["resolved_scenario"]["firm"]["pods"] == 3


def test_report_says_the_resolved_values_not_the_description(tmp_path: Path) -> None:
    out = tmp_path / "o"
    assert main(["run", str(ROOT / "scenarios" / "individual_vs_team.yaml"), "--out", str(out), "--workers", "1",
                 "--quiet", "--replications", "2", "--set", "firm.pods=2", "--set", "horizon_months=2"]) == 0
    page = (out / "report.html").read_text()
    assert "10 pods" not in page
    assert "2 pods of 5 recruiters and 5 account managers" in page and "<code>firm.pods=2</code>" in page
    assert "teamsim run" in page   # the command line, in the assumptions


def _sections(page: str) -> list[int]:
    return [int(n) for n in re.findall(r"<h2>(\d+)\. ", page)]


def test_sections_are_numbered_consecutively(finance_batch: Path, tmp_path: Path) -> None:
    plain = build_html(finance_batch)
    assert _sections(plain) == list(range(1, 7)) and "<section id='sweeps'>" not in plain
    data = yaml.safe_load((ROOT / "scenarios" / "workshop_demo.yaml").read_text())
    data.update(replications=1, horizon_months=2, sweep={"grid": {"market.job_order_rate": [4.0, 6.0]}})
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(data))
    assert main(["run", str(path), "--out", str(tmp_path / "s"), "--workers", "1", "--quiet", "--no-report"]) == 0
    swept = build_html(tmp_path / "s")
    assert _sections(swept) == list(range(1, 8)) and "<section id='sweeps'>" in swept
    nav = re.findall(r"<a href='#[a-z-]+'>(\d+)\. ", swept)
    assert [int(n) for n in nav] == list(range(1, 8))


def _runs(values: dict[str, list[float]], metric: str) -> pd.DataFrame:
    return pd.DataFrame([{"scheme": s, "replication": r, metric: v} for s, vs in values.items()
                         for r, v in enumerate(vs)])


def test_star_only_for_a_clear_paired_difference() -> None:
    clear = _runs({"a": [10, 11, 12, 13], "b": [12, 13, 14, 15], "c": [11, 12, 13, 14]}, "profit")
    assert clear_best(clear, "profit", ["a", "b", "c"]) == "b"
    # b has the best mean but is not clear of c (differences +3, -1, +3, -1): no star.
    noisy = _runs({"a": [10, 11, 12, 13], "b": [14, 12, 16, 14], "c": [11, 13, 13, 15]}, "profit")
    assert clear_best(noisy, "profit", ["a", "b", "c"]) is None
    assert clear_best(_runs({"a": [1.0], "b": [2.0]}, "profit"), "profit", ["a", "b"]) is None   # one replication


def test_no_star_where_better_means_nothing() -> None:
    """Salary pays $0 commission: lowest, clearly, and no achievement."""
    runs = _runs({"individual": [100.0, 120, 110], "salary": [0.0, 0, 0]}, "commission_paid")
    runs["voluntary_quits"] = [5, 6, 7, 1, 2, 1]
    assert clear_best(runs, "commission_paid", ["individual", "salary"]) is None
    summary = summary_of(runs, "individual")
    html = table(summary, ["individual", "salary"], "individual", runs)
    row = re.search(r"commission_paid.*?</tr>", html, re.S).group(0)
    assert "&#9733;" not in row and "class='best'" not in row
    quits = re.search(r"voluntary_quits.*?</tr>", html, re.S).group(0)
    assert quits.count("&#9733;") == 1   # fewer quits, clearly: a real achievement


def test_bold_only_for_clear_meaningful_differences() -> None:
    runs = _runs({"base": [1.0, 2, 3, 4], "other": [1.5, 2.4, 3.6, 4.5]}, "pay_gini")
    runs["profit"] = [10.0, 20, 30, 40, 20, 30, 40, 50]
    text = sentences(summary_of(runs, "base"), ["base", "other"], "base")
    assert "<span class='clear'>profit" in text            # +10 every replication: clear, and more is better
    assert "<span class='unclear'>pay Gini" in text         # clear too, but descriptive: not bold


def test_count_intervals_are_never_below_zero(finance_batch: Path) -> None:
    runs = _runs({"a": [0.0, 0, 3, 0], "b": [1.0, 0, 0, 0]}, "voluntary_quits")
    runs["profit"] = [-5.0, 1, 9, -3, 2, 4, -8, 1]
    s = summary_of(runs, "a").set_index(["scheme", "metric"])
    assert (s.xs("voluntary_quits", level="metric")["ci_low"] >= 0).all()
    assert (s.xs("profit", level="metric")["ci_low"] < 0).all()   # money can be negative: left alone
    summary = pd.read_csv(finance_batch / "summary.csv")
    counts = summary[summary["metric"].isin(COUNTS)]
    assert len(counts) and (counts["ci_low"] >= 0).all()
    # A stationary market has no months below or above plan, and nobody is promoted: those are blank, no others.
    blank = summary["metric"].isin(["variable_pay_share_gp_down", "variable_pay_share_gp_up",
                                    "promoted_lead_cooperation", "promoted_lead_cooperation_gap"])
    assert np.isfinite(summary.loc[~blank, "mean"]).all() and summary.loc[blank, "mean"].isna().all()


def test_report_reads_only_the_first_replications_statements(finance_batch: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.report import data

    full = pd.read_parquet(finance_batch / "statements.parquet")
    assert full["replication"].nunique() > 1     # --statements all
    monkeypatch.setattr(data, "READ_ROWS", 100)   # many batches, so the first replication is found across them
    first = data.read_small(finance_batch, "statements")
    expected = full[full["replication"] == full["replication"].min()].reset_index(drop=True)
    pd.testing.assert_frame_equal(first, expected)
