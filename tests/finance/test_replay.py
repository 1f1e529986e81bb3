"""teamsim replay: a hand-made history paid to the cent through every plan, the bad-file classes (one line per
problem, exit 2), and the command end to end with its forecast, its statements and its export."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from sim.calibration.synthetic import Truth, generate, write_csv
from sim.cli import main
from sim.experiment import store

PEOPLE = """person_id,role,hire_date,exit_date,pod
1,recruiter,2020-01-01,,A
2,account_manager,2020-01-01,,A
3,recruiter,2024-02-10,2024-03-15,A
"""
# Row 2 is a contract (6,000 of GP over 3 months: March, April, and May after the window); row 3 falls off
# (refunded in April, the window's last month); row 4 starts after the window.
PLACEMENTS = """placement_date,recruiter_id,account_manager_id,kind,fee,start_date,fell_off
2024-01-05,1,2,perm,"$10,000.00",2024-01-20,false
2024-02-15,3,2,contract,6000,2024-03-01,false
2024-03-10,1,2,perm,8000.01,2024-03-25,true
2024-04-20,1,2,perm,1000,2024-05-01,false
"""
SCENARIO = """name: replay_demo
horizon_months: 4
market: {contract_months_mean: 3, guarantee_days: 90}
finance: {payroll_burden: 0.1}
schemes:
  - {name: individual, type: individual, rate: 0.25}
  - {name: salary, type: salary}
  - {name: pool, type: team_pool, rate: 0.2}
"""


def _files(tmp: Path, people: str = PEOPLE, placements: str = PLACEMENTS, scenario: str = SCENARIO) -> list[str]:
    for name, text in (("people.csv", people), ("placements.csv", placements), ("s.yaml", scenario)):
        (tmp / name).write_text(text)
    return [str(tmp / "placements.csv"), "--people", str(tmp / "people.csv"), "--scenario", str(tmp / "s.yaml"),
            "--out", str(tmp / "out")]


@pytest.fixture(scope="module")
def hand(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("replay")
    assert main(["replay", *_files(tmp), "--static-only"]) == 0
    return tmp / "out" / "static"


def test_hand_made_history_pays_hand_computed_cents(hand: Path) -> None:
    runs = store.read_table(hand, "runs").set_index("scheme")
    ind = runs.loc["individual"]
    # Base: Jan 1+2, Feb and Mar 1+2+3 (3 is employed on some day of each), Apr 1+2.
    assert ind["base_pay"] == 8500 + 12500 + 12500 + 8500
    # Commission: Jan 25% of 5,000 each side; Mar 25% of credited 4,000 (1), 5,000.01 (2: 1,000 + 4,000.01,
    # 1,250.0025 -> 1,250.00) and 1,000 (3); Apr 25% of 1,000 (2's side; 3 has left: his side forfeited) less
    # the clawback of row 3 (1,000.00 from 1, and 2's March commission on it: 1,000.00 of 1,250.00 by largest
    # remainder over 1,000 and 4,000.01).
    assert ind["commission_paid"] == 2500 + 2500 + 250 - 2000
    cents = {k: round(ind[k] * 100) for k in ("gross_profit", "gp_credited", "gp_forfeited", "gp_refunded")}
    assert cents == {"gross_profit": 1_000_000 + 200_000 + 800_001 + 200_000 - 800_001,
                     "gp_credited": 2_100_001, "gp_forfeited": 100_000, "gp_refunded": 800_001}
    assert ind["profit"] == 14000 - 45250
    assert ind["payroll_burden"] == pytest.approx(0.1 * 45250, abs=0.02)   # rounded to the cent each month
    assert runs.loc["salary", "commission_paid"] == 0 and runs.loc["salary", "base_pay"] == 42000
    # One pod, a 20% pool of its net GP each month: Jan 2,000; Mar 20% of 10,000.01 = 2,000.00; Apr 20% of
    # 2,000 - 8,000.01 = -1,200.00 (a pool may go negative with clawback on; the leaver's side still counts).
    assert runs.loc["pool", "commission_paid"] == pytest.approx(2000 + 2000 - 1200, abs=0.011)


def test_every_statement_line_ties_to_pay_and_names_a_placement_row(hand: Path) -> None:
    st, runs = store.read_table(hand, "statements"), store.read_table(hand, "runs")
    placements = store.read_table(hand, "placements")
    paid = st.groupby("scheme")["cents"].sum()
    for _, r in runs.iterrows():
        assert paid[r["scheme"]] == round((r["commission_paid"] + r["base_pay"]) * 100)
    named = st[st["kind"].isin(["commission", "clawback"]) & st["placement_id"].notna()]
    assert set(named["placement_id"]) <= set(placements["placement_id"]) == {1, 2, 3, 4}
    claw = st[(st["scheme"] == "individual") & (st["kind"] == "clawback")]
    assert claw[["person_id", "month", "cents", "placement_id"]].values.tolist() == [[1, 4, -100000, 3],
                                                                                      [2, 4, -100000, 3]]


def test_replay_exports_as_a_run_does_and_report_points_to_the_forecast(hand: Path, tmp_path: Path, capsys) -> None:
    assert main(["report", str(hand)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "a static replay (teamsim replay), which has no report" in err[0]
    assert main(["export", str(hand), "--out", str(tmp_path / "x.xlsx")]) == 0
    book = openpyxl.load_workbook(tmp_path / "x.xlsx", read_only=True)
    assert {"summary", "runs", "statements", "payroll individual", "placements", "assumptions"} <= set(book.sheetnames)
    rows = list(book["payroll individual"].values)
    total = rows[0].index("total pay (USD)")
    assert sum(r[total] for r in rows[1:]) == pytest.approx(45250, abs=0.005)


@pytest.mark.parametrize(("people", "placements", "scenario", "expected"), [
    (PEOPLE, PLACEMENTS.replace("8000.01", "lots"), SCENARIO,
     ["placements.csv: row 3, fee: cannot read 'lots' as an amount of dollars"]),
    (PEOPLE, PLACEMENTS.replace("2024-02-15,3,2", "2024-02-15,9,2"), SCENARIO,
     ["placements.csv: row 2, recruiter_id: '9' is not in"]),
    (PEOPLE, PLACEMENTS.replace("2024-01-05,1,2", "2024-01-05,2,2"), SCENARIO,
     ["placements.csv: row 1, recruiter_id: '2' is listed as account_manager in"]),
    (PEOPLE.replace("2024-03-15,A", "2024-03-15,"), PLACEMENTS, SCENARIO,
     ["people.csv: row 3, pod: is empty"]),
    (PEOPLE.replace("2020-01-01,,A\n2", "2020-01-01,2019-01-01,A\n2"), PLACEMENTS.replace("perm,1000", "temp,1000"),
     SCENARIO.replace("rate: 0.25", "rat: 0.25"),
     ["people.csv: row 1, exit_date: exit 2019-01-01 is before the hire", "placements.csv: row 4, kind: 'temp'",
      "s.yaml:6:42: schemes.individual.rat: unknown key"]),
], ids=["bad_fee", "unknown_person", "wrong_role", "missing_pod", "every_file_at_once"])
def test_bad_files_are_one_line_per_problem_and_exit_2(tmp_path: Path, capsys, people, placements, scenario,
                                                       expected) -> None:
    assert main(["replay", *_files(tmp_path, people, placements, scenario), "--static-only"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == len(expected) and all(sum(e in line for line in err) == 1 for e in expected)
    assert not (tmp_path / "out" / "static").exists()


def test_unknown_current_plan_is_refused_and_an_unsolved_cost_match_is_replayed_as_written(tmp_path: Path,
                                                                                           capsys) -> None:
    match = "schemes.pool.match_cost_of=individual"
    assert main(["replay", *_files(tmp_path), "--current", "indiv", "--set", match]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--current: no scheme named 'indiv'" in err[0]
    assert main(["replay", *_files(tmp_path), "--static-only", "--set", match]) == 0
    err = capsys.readouterr().err
    assert "note: schemes.pool.match_cost_of is solved by teamsim run and teamsim match only; this command runs " \
           "pool at its rate as written" in err


def test_replay_end_to_end_sets_static_cost_beside_the_calibrated_forecast(tmp_path: Path, capsys) -> None:
    placements, people = generate(Truth(recruiters=6, account_managers=6, months=12, rate=1.5), seed=5)
    write_csv(tmp_path / "placements.csv", placements)
    write_csv(tmp_path / "people.csv", people)
    (tmp_path / "s.yaml").write_text(SCENARIO.replace("horizon_months: 4\n", ""))
    args = ["replay", str(tmp_path / "placements.csv"), "--people", str(tmp_path / "people.csv"), "--scenario",
            str(tmp_path / "s.yaml"), "--out", str(tmp_path / "out"), "--replications", "3", "--tune-steps", "1",
            "--workers", "1", "--quiet"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "pool: on the history's" in out and "once people respond we expect $" in out and "% [" in out
    table = pd.read_csv(tmp_path / "out" / "replay.csv").set_index("plan")
    static = store.read_table(tmp_path / "out" / "static", "runs").set_index("scheme")
    forecast = store.read_table(tmp_path / "out" / "forecast", "runs")
    assert list(table.index) == ["individual", "salary", "pool"] and len(forecast) == 9
    assert table.loc["pool", "static_pay"] == pytest.approx(static.loc["pool", "commission_paid"]
                                                            + static.loc["pool", "base_pay"])
    ind = forecast[forecast["scheme"] == "individual"]
    assert table.loc["individual", "forecast_variable_pay"] == pytest.approx(ind["commission_paid"].mean())
    assert table.loc["individual", "forecast_pay_low"] < table.loc["individual", "forecast_pay_high"]
    manifest = store.read_manifest(tmp_path / "out" / "forecast")
    assert manifest["resolved_scenario"]["horizon_months"] == 12 and manifest["baseline"] == "individual"


def test_a_quarterly_plan_says_its_quarters_start_with_the_window_and_the_last_is_left_open(tmp_path: Path,
                                                                                          capsys) -> None:
    """The hand history runs 2024-01 to 2024-04: one whole quarter, then April, paid an advance only."""
    scenario = SCENARIO.replace("  - {name: salary, type: salary}\n",
                                "  - {name: quarterly, type: individual, rate: 0.25, period: quarterly}\n")
    assert main(["replay", *_files(tmp_path, scenario=scenario), "--static-only"]) == 0
    err = capsys.readouterr().err
    assert "note: quarterly: its quarters count from 2024-01, the window's first month" in err
    assert "note: quarterly: its last quarter (2024-04 to 2024-04) is still open at the window's end" in err
    assert "note: individual:" not in err and "note: pool:" not in err
    manifest = store.read_manifest(tmp_path / "out" / "static")
    assert any(n.startswith("quarterly: its last quarter") for n in manifest["notes"])
    st = store.read_table(tmp_path / "out" / "static", "statements")
    kinds = st[(st["scheme"] == "quarterly") & (st["month"] == 4)]["kind"]
    assert set(kinds) <= {"base", "advance", "clawback"}   # April: no true-up


@pytest.mark.parametrize(("name", "make", "kind"), [("static", "file", "folder"), ("replay.csv", "folder", "file")])
def test_a_file_or_folder_in_the_way_of_the_replay_is_one_line_and_nothing_is_written(
        tmp_path: Path, capsys, name: str, make: str, kind: str) -> None:
    args = _files(tmp_path)
    blocker = tmp_path / "out" / name
    blocker.parent.mkdir()
    blocker.mkdir() if make == "folder" else blocker.write_text("mine")
    assert main(["replay", *args, *(["--static-only"] if name == "static" else [])]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"{blocker}: is in the way: the replay writes a {kind} there; move it or give another --out"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [name]
