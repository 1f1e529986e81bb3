"""match_cost_of: the solver hits its target within TOLERANCE dollars of the mean variable pay over the fixed
replications (common random numbers) where the cost curve allows, and within its stated tolerance on the
reference firm, in a few evaluations; the batch stores the solve's runs instead of running them again, with
the same numbers whatever the worker count; a knob given with --set overrides the match; bad keys are one
line each; commands that do not solve run the rate as written and say so."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.experiment.batch import BatchRequest, run_batch
from sim.experiment.executors import ExecutorSpec
from sim.experiment.matching import TOLERANCE, mean_variable_pay, solve_matches
from sim.experiment.matching_search import MAX_EVALUATIONS
from sim.scenario import ScenarioError, load_scenario, resolved_dict

ROOT = Path(__file__).resolve().parents[2]
WORKSHOP = ROOT / "scenarios" / "workshop_demo.yaml"


def _workshop(*overrides: str):
    return load_scenario(WORKSHOP, ["replications=4", *overrides])


def test_pool_rate_is_solved_to_the_cent_of_the_mean_variable_pay() -> None:
    sc = _workshop("schemes.team_pool.match_cost_of=individual")
    solved, (m,) = solve_matches(sc)
    target = mean_variable_pay(sc, "individual", 4)
    got = mean_variable_pay(solved, "team_pool", 4)   # recomputed from the solved scenario, not the solver's memo
    assert abs(got - target) <= TOLERANCE and abs(m.gap) <= TOLERANCE
    pool = solved.scheme("team_pool")
    assert float(pool.rate) == m.value != 0.13 and pool.match_cost_of is None
    assert m.key == "rate" and m.replications == 4 and m.evaluations <= 4   # was 27 with brentq to 1e-10
    assert m.matched and m.tolerance == TOLERANCE
    below, above = m.crossing   # the last bracket's ends: values tried below and at or above the target
    assert below < 0 <= above


def test_individual_scale_on_a_jumpy_curve_states_its_gap_and_the_bound_it_met() -> None:
    # Individual commission above a threshold: at 4 replications its cost curve jumps where a placement flips,
    # so the cent is out of reach; the solve stops within its stated bound or its budget, and says which.
    sc = _workshop("schemes.individual.match_cost_of=hybrid")
    solved, (m,) = solve_matches(sc)
    assert m.key == "scale" and m.rates == [pytest.approx(0.25 * m.value, abs=1e-9)]
    gap = mean_variable_pay(solved, "individual", 4) - mean_variable_pay(sc, "hybrid", 4)
    assert gap == pytest.approx(m.gap, abs=1e-6) and m.evaluations <= MAX_EVALUATIONS
    assert m.matched == (abs(m.gap) <= m.tolerance)
    assert m.matched or m.evaluations == MAX_EVALUATIONS
    below, above = m.crossing
    assert below <= m.gap <= above and abs(m.gap) == min(abs(below), abs(above), abs(m.gap))


def test_a_rate_by_role_and_business_line_is_scaled_number_by_number() -> None:
    sc = _workshop("schemes.individual.rate={recruiter: {perm: 0.3, contract: 0.2}, account_manager: 0.25}",
                   "schemes.individual.match_cost_of=hybrid")
    solved, (m,) = solve_matches(sc)
    assert m.key == "scale" and 0 < m.value
    rate = next(s for s in resolved_dict(solved)["schemes"] if s["name"] == "individual")["rate"]
    numbers = sorted([rate["recruiter"]["perm"], rate["recruiter"]["contract"], rate["account_manager"]])
    assert numbers == pytest.approx(sorted(r * m.value for r in (0.3, 0.2, 0.25)), abs=1e-9)
    assert sorted(m.rates) == pytest.approx(numbers, abs=1e-9)
    gap = mean_variable_pay(solved, "individual", 4) - mean_variable_pay(sc, "hybrid", 4)
    assert gap == pytest.approx(m.gap, abs=1e-6)


def test_a_target_no_rate_reaches_is_one_line() -> None:
    sc = _workshop("schemes.individual.draw={months: 1000, amount: 100000, recoverable: false}",
                   "schemes.team_pool.match_cost_of=individual")
    with pytest.raises(ScenarioError) as err:
        solve_matches(sc)
    assert len(err.value.problems) == 1
    assert "schemes.team_pool.match_cost_of: even at rate 1 team_pool pays" in str(err.value)


@pytest.mark.parametrize(("override", "message"), [
    ("schemes.team_pool.match_cost_of=indiv", "no scheme named 'indiv' (did you mean 'individual'?)"),
    ("schemes.team_pool.match_cost_of=team_pool", "a scheme cannot match its own cost"),
    ("schemes.hybrid.match_cost_of=team_pool", "'team_pool' is cost-matched itself"),
], ids=["unknown", "itself", "chain"])
def test_bad_match_cost_of_is_one_line(override: str, message: str, capsys) -> None:
    extra = ["--set", "schemes.team_pool.match_cost_of=individual"] if "cost-matched itself" in message else []
    assert main(["show", str(WORKSHOP), "--set", override, *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_a_salary_plan_cannot_be_matched(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: s\nschemes:\n  - {name: a, type: individual}\n  - {name: b, type: salary, "
                    "match_cost_of: a}\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert str(err.value).startswith(f"{path}:4:29: schemes.b.match_cost_of: a salary plan has no variable pay")


def test_run_solves_records_and_reports_the_match(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["run", str(WORKSHOP), "--replications", "3", "--set", "schemes.hybrid.match_cost_of=individual",
                 "--out", str(out), "--workers", "1", "--quiet"]) == 0
    assert "cost-matched: hybrid team_pool.rate = " in capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text())
    (m,) = manifest["cost_matching"]
    assert m["scheme"] == "hybrid" and m["match_cost_of"] == "individual" and m["replications"] == 3
    hybrid = next(s for s in manifest["resolved_scenario"]["schemes"] if s["name"] == "hybrid")
    assert hybrid["team_pool"]["rate"] == m["value"]
    pay = pd.read_parquet(out / "runs.parquet").groupby("scheme")["commission_paid"].mean()
    assert m["matched"] and abs(pay["hybrid"] - pay["individual"]) <= m["tolerance"]   # the stored means' gap
    assert pay["hybrid"] - pay["individual"] == pytest.approx(m["gap"], abs=1e-3)
    assert "Compared at equal cost: hybrid&#x27;s team_pool.rate was solved to" in (out / "report.html").read_text()


def test_a_batch_that_does_not_solve_runs_the_rate_as_written_and_says_so(tmp_path: Path) -> None:
    sc = _workshop("schemes.team_pool.match_cost_of=individual", "replications=1", "horizon_months=3")
    result = run_batch(BatchRequest(sc, tmp_path / "b", ExecutorSpec("serial", 1)))
    (note,) = result.notes
    assert note.startswith("note: schemes.team_pool.match_cost_of is solved by teamsim run and teamsim match only")
    assert "runs team_pool at its rate as written (rate 0.13)" in note
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["cost_matching_not_solved"] == ["team_pool"]
    swept = _workshop("schemes.team_pool.match_cost_of=individual", "sweep={grid: {firm.pods: [2, 3]}}")
    with pytest.raises(ScenarioError, match="a cost-matched scheme cannot be swept"):
        solve_matches(swept)


def test_match_command_writes_a_solved_scenario_other_commands_can_run(tmp_path: Path, capsys) -> None:
    out = tmp_path / "solved.yaml"
    assert main(["match", str(WORKSHOP), "--set", "schemes.team_pool.match_cost_of=individual", "--replications", "2",
                 "--quiet", "--out", str(out)]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    solved = load_scenario(out)
    assert solved.scheme("team_pool").match_cost_of is None and f"rate = {float(solved.scheme('team_pool').rate):.9g}" \
        in line
    assert main(["match", str(WORKSHOP)]) == 2 and "nothing to solve" in capsys.readouterr().err


def test_match_out_under_a_file_is_refused_before_anything_is_solved(tmp_path: Path, capsys) -> None:
    (tmp_path / "notes").write_text("mine")
    out = tmp_path / "notes" / "solved.yaml"
    assert main(["match", str(WORKSHOP), "--set", "schemes.team_pool.match_cost_of=individual", "--replications", "2",
                 "--quiet", "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""   # no cost-matched line: nothing was solved, so nothing solved was lost
    assert captured.err.splitlines() == [f"{tmp_path / 'notes'}: --out's folder must be a folder, and this is a file"]
