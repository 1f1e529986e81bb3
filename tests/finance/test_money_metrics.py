"""The money metrics finance asks for, checked against the statements (an oracle kept in the test)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.finance import annual_pnl, with_turnover_costs
from sim.metrics import DERIVED_METRICS, MONTHLY_METRIC_NAMES, RUN_METRIC_NAMES, SUMMARY_METRIC_NAMES

from .conftest import finance_scenario

KEY = ["scheme", "replication"]


@pytest.fixture(scope="module")
def tables(finance_batch: Path) -> dict[str, pd.DataFrame]:
    return {n: pd.read_parquet(finance_batch / f"{n}.parquet") for n in ("runs", "monthly", "people", "statements")}


def _cents(x: float) -> int:
    return round(x * 100)


def test_draws_paid_recovered_written_off_outstanding_tie_to_statements(tables: dict[str, pd.DataFrame]) -> None:
    runs, people, st = tables["runs"], tables["people"], tables["statements"]
    seen_written_off = seen_outstanding = False
    for _, run in runs[runs["scheme"] == "individual"].iterrows():
        lines = st[(st["scheme"] == run["scheme"]) & (st["replication"] == run["replication"])]
        topup = lines[lines["kind"] == "draw_topup"].groupby("person_id")["cents"].sum()
        recovery = -lines[lines["kind"] == "draw_recovery"].groupby("person_id")["cents"].sum()
        balance = topup.sub(recovery, fill_value=0)
        who = people[(people["scheme"] == run["scheme"]) & (people["replication"] == run["replication"])]
        left = set(who.loc[who["exit_month"].notna(), "person_id"])
        written_off = int(balance[balance.index.isin(left)].sum())
        outstanding = int(balance[~balance.index.isin(left)].sum())
        assert _cents(run["draws_paid"]) == int(topup.sum()) > 0
        assert _cents(run["draws_recovered"]) == int(recovery.sum())
        assert _cents(run["draws_written_off"]) == written_off
        assert _cents(run["draws_outstanding"]) == outstanding
        seen_written_off |= written_off > 0
        seen_outstanding |= outstanding > 0
    assert seen_outstanding or seen_written_off
    pool = runs[runs["scheme"] != "individual"]
    assert (pool[["draws_paid", "draws_recovered", "draws_written_off", "draws_outstanding"]] == 0).all().all()


def test_credited_gp_reconciles_to_firm_gp(tables: dict[str, pd.DataFrame]) -> None:
    runs, people, st = tables["runs"], tables["people"], tables["statements"]
    credited = people.groupby(KEY)["credited_gp_cents"].sum()
    for _, run in runs.iterrows():
        key = (run["scheme"], run["replication"])
        assert _cents(run["gp_credited"]) == credited[key]
        assert _cents(run["gp_credited"]) + _cents(run["gp_forfeited"]) - _cents(run["gp_refunded"]) \
            == _cents(run["gross_profit"])
        lines = st[(st["scheme"] == key[0]) & (st["replication"] == key[1])]
        assert _cents(run["lead_override"]) == int(lines.loc[lines["kind"] == "override", "cents"].sum())
    assert (runs["gp_forfeited"] > 0).any() and (runs["gp_refunded"] > 0).any()
    assert (runs.loc[runs["scheme"] == "individual", "lead_override"] > 0).all()


def test_operating_profit_and_annual_pnl(tables: dict[str, pd.DataFrame]) -> None:
    runs, monthly = tables["runs"], tables["monthly"]
    pay = runs["commission_paid"] + runs["base_pay"]
    # Burden is rounded to the cent each month: at most half a cent a month off the rate x pay.
    assert np.allclose(runs["payroll_burden"], 0.0765 * pay, atol=0.005 * 8)
    assert np.allclose(runs["operating_profit"], runs["profit"] - runs["payroll_burden"] - runs["overhead"], atol=1e-6)
    seats = 3 * (3 + 3 + 1)
    assert np.allclose(runs["overhead"], 250 * seats * 8)   # finance.overhead_per_seat_month=250, 8 months
    pnl = annual_pnl(monthly)
    assert list(pnl["months"].drop_duplicates()) == [8] and set(pnl["year"]) == {1}
    totals = pnl.groupby(KEY).sum(numeric_only=True)
    for line in ("revenue", "gross_profit", "commission_paid", "base_pay", "hiring_cost", "payroll_burden",
                 "overhead", "operating_profit"):
        assert np.allclose(totals[line].to_numpy(), runs.set_index(KEY)[line].reindex(totals.index).to_numpy(),
                           atol=1e-6), line


def test_annual_pnl_splits_a_horizon_into_years() -> None:
    monthly = pd.DataFrame({"scheme": "a", "replication": 0, "month": range(1, 31), "revenue": 1.0,
                            "gross_profit": 2.0})
    pnl = annual_pnl(monthly)
    assert pnl["year"].tolist() == [1, 2, 3] and pnl["months"].tolist() == [12, 12, 6]
    assert pnl["gross_profit"].tolist() == [24.0, 24.0, 12.0]


def test_turnover_cost_uses_one_basis_for_every_scheme(tables: dict[str, pd.DataFrame]) -> None:
    runs = tables["runs"]
    costed = with_turnover_costs(runs, "individual")
    base = runs[runs["scheme"] == "individual"]
    basis = base["gross_profit"].sum() / base["producer_months"].sum()
    assert np.allclose(costed["steady_gp_per_seat_month"], basis)
    assert np.allclose(costed["vacancy_cost"], runs["vacant_seat_months"] * basis - runs["base_saved_vacancy"])
    assert np.allclose(costed["turnover_cost"], runs["hiring_cost"] + costed["vacancy_cost"] + costed["ramp_cost"])
    fixed = with_turnover_costs(runs, "individual", steady=20_000.0)
    assert np.allclose(fixed["ramp_cost"], runs["ramp_shortfall_months"] * 20_000.0)
    # The base a vacant seat saves is what its role's base would have been (recruiter 4000, AM 4500 by default).
    assert ((runs["base_saved_vacancy"] >= 4000 * runs["vacant_seat_months"])
            & (runs["base_saved_vacancy"] <= 4500 * runs["vacant_seat_months"])).all()


def test_summary_declares_every_finance_metric(finance_batch: Path) -> None:
    summary = pd.read_csv(finance_batch / "summary.csv")
    assert set(summary["metric"]) == set(SUMMARY_METRIC_NAMES)
    assert {m.name for m in DERIVED_METRICS} <= set(summary["metric"])
    runs = pd.read_parquet(finance_batch / "runs.parquet")
    assert set(RUN_METRIC_NAMES) <= set(runs.columns)
    assert set(MONTHLY_METRIC_NAMES) <= set(pd.read_parquet(finance_batch / "monthly.parquet").columns)


@pytest.mark.parametrize("setting", ["finance.payroll_burden=2", "finance.overhead_per_seat_month=-1",
                                     "finance.steady_gp_per_seat_month=.nan", "finance.burden=0.1"])
def test_bad_finance_knob_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture, setting: str) -> None:
    code = main(["run", str(finance_scenario(tmp_path, hostile=False)), "--out", str(tmp_path / "o"),
                 "--set", setting])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "finance." in err[0] and "Traceback" not in err[0]
    assert not (tmp_path / "o").exists()


def test_stored_annual_pnl_streams_to_the_same_sums(finance_batch: Path) -> None:
    from sim.finance import stored_annual_pnl

    whole = annual_pnl(pd.read_parquet(finance_batch / "monthly.parquet")).sort_values(KEY).reset_index(drop=True)
    streamed = stored_annual_pnl(finance_batch, batch_rows=5).sort_values(KEY).reset_index(drop=True)
    pd.testing.assert_frame_equal(streamed[whole.columns], whole, check_dtype=False)
