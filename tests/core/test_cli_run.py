"""End to end: `teamsim run` writes every output file with every column, identically for any worker count."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.metrics import MONTHLY_METRIC_NAMES, RUN_METRIC_NAMES, SUMMARY_METRIC_NAMES
from sim.model import RESULTS_VERSION

from .conftest import SCENARIOS


@pytest.fixture(scope="module")
def workshop_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    outs = {}
    for workers in (1, 2):
        out = tmp_path_factory.mktemp(f"w{workers}")
        code = main(["run", str(SCENARIOS / "workshop_demo.yaml"), "--out", str(out), "--workers", str(workers),
                     "--replications", "4", "--quiet"])
        assert code == 0
        outs[workers] = out
    return outs


def test_run_writes_every_file_and_column(workshop_runs: dict[int, Path]) -> None:
    out = workshop_runs[2]
    for name in ("runs.parquet", "monthly.parquet", "summary.csv", "report.html", "manifest.json"):
        assert (out / name).stat().st_size > 0, name
    runs = pd.read_parquet(out / "runs.parquet")
    assert {"scheme", "replication", "seed", *RUN_METRIC_NAMES} <= set(runs.columns)
    # A stationary market has no months below or above plan, and nobody is promoted: those are blank, no others.
    blank = ["variable_pay_share_gp_down", "variable_pay_share_gp_up",
             "promoted_lead_cooperation", "promoted_lead_cooperation_gap"]   # nobody promoted from within
    assert len(runs) == 3 * 4 and runs.drop(columns=blank).notna().all().all() and runs[blank].isna().all().all()
    monthly = pd.read_parquet(out / "monthly.parquet")
    assert {"scheme", "replication", "month", *MONTHLY_METRIC_NAMES} <= set(monthly.columns)
    assert len(monthly) == 3 * 4 * 12
    summary = pd.read_csv(out / "summary.csv")
    assert {"scheme", "metric", "mean", "ci_low", "ci_high", "diff_mean", "diff_ci_low", "diff_ci_high"} <= set(
        summary.columns)
    assert set(summary["metric"]) == set(SUMMARY_METRIC_NAMES)
    baseline = summary[summary["scheme"] == "individual"]
    assert baseline["diff_mean"].isna().all()
    others = summary[summary["scheme"] != "individual"]
    assert others.loc[~others["metric"].isin(blank), "diff_mean"].notna().all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario_hash"] and manifest["resolved_scenario"]["name"] == "workshop_demo"
    assert manifest["versions"]["simpy"] and manifest["wall_seconds"] > 0
    assert manifest["results_version"] == RESULTS_VERSION
    assert len(manifest["replication_seeds"]) == 4
    html = (out / "report.html").read_text()
    assert "<script src=" not in html and "<script" in html  # plotly.js inlined, nothing fetched


def test_worker_count_does_not_change_results(workshop_runs: dict[int, Path]) -> None:
    for table in ("runs", "monthly", "people", "statements"):
        one = pd.read_parquet(workshop_runs[1] / f"{table}.parquet")
        two = pd.read_parquet(workshop_runs[2] / f"{table}.parquet")
        if "wall_seconds" in one:
            one, two = one.drop(columns="wall_seconds"), two.drop(columns="wall_seconds")
        pd.testing.assert_frame_equal(one, two)


def test_report_rebuilds_from_stored_results(workshop_runs: dict[int, Path]) -> None:
    out = workshop_runs[1]
    (out / "report.html").unlink()
    assert main(["report", str(out)]) == 0
    assert (out / "report.html").exists()


def test_report_on_empty_folder_is_bad_input(tmp_path: Path) -> None:
    assert main(["report", str(tmp_path)]) == 2


def test_run_decompose_writes_parts_that_add_up_in_decomposition_summary_and_report(tmp_path: Path) -> None:
    out = tmp_path / "dec"
    code = main(["run", str(SCENARIOS / "workshop_demo.yaml"), "--out", str(out), "--replications", "3",
                 "--baseline", "individual", "--decompose", "--workers", "2", "--quiet",
                 "--set", "horizon_months=6"])
    assert code == 0
    table = pd.read_csv(out / "decomposition.csv")
    assert set(table["scheme"]) == {"team_pool", "hybrid"} and set(table["baseline"]) == {"individual"}
    # A stationary market has no months below or above plan, and nobody is promoted: those are blank, no others.
    blank = table["total_mean"].isna()
    assert set(table.loc[blank, "metric"]) == {"variable_pay_share_gp_down", "variable_pay_share_gp_up",
                                               "promoted_lead_cooperation", "promoted_lead_cooperation_gap"}
    table = table[~blank]
    assert ((table["behaviour_mean"] + table["selection_mean"] - table["total_mean"]).abs() < 1e-6).all()
    summary = pd.read_csv(out / "summary.csv").set_index(["scheme", "metric"])
    diff = table.set_index(["scheme", "metric"])["total_mean"]
    joined = summary.loc[diff.index]
    assert ((joined["behaviour_mean"] + joined["selection_mean"] - joined["diff_mean"]).abs()
            <= 1e-6 * (1 + joined["diff_mean"].abs())).all()
    assert "Why: behaviour and selection" in (out / "report.html").read_text()
