"""The reference scenario (what ``make demo`` runs) compares its pool and hybrid at equal cost: its solve meets
its stated tolerance in a few evaluations; a knob given with --set overrides the match (the precedence rule);
and its results are the same whatever the worker count, and the same as a fresh run of the solved scenario
(the runs the solve made and the batch stored are the runs it would have made)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.cli import main
from sim.experiment.executors import ExecutorSpec
from sim.experiment.matching import NEGLIGIBLE, solve
from sim.experiment.matching_search import MAX_EVALUATIONS
from sim.scenario import load_scenario
from tests.experiment.conftest import assert_same_tables, tables

REFERENCE = Path(__file__).resolve().parents[2] / "scenarios" / "individual_vs_team.yaml"
SMALL = ["--replications", "4", "--set", "horizon_months=12", "--quiet", "--no-report"]


def test_the_demo_scenario_is_solved_within_its_stated_tolerance() -> None:
    sc = load_scenario(REFERENCE)
    solution = solve(sc, ExecutorSpec("pool", 2))
    assert [m.scheme for m in solution.matches] == ["team_pool", "hybrid"]
    for m in solution.matches:
        assert m.match_cost_of == "individual" and m.replications == sc.replications == 30
        assert m.matched and abs(m.gap) <= m.tolerance and m.evaluations <= MAX_EVALUATIONS
        assert m.tolerance == pytest.approx(max(0.01, NEGLIGIBLE * m.standard_error), abs=1e-3)
        assert abs(m.gap) < 2e-3 * m.target_variable_pay   # two thousandths of the pay, at most (0.11% seen)
    # The target's 30 runs and each scheme's 30 at its solved value go to the batch: 90 runs not run again.
    assert len(solution.ready) == 90


@pytest.mark.parametrize(("overrides", "matched"), [
    (["schemes.team_pool.rate=0.25"], ["hybrid"]),
    (["schemes.hybrid.team_pool={rate: 0.2, basis: pod, sharing: equal}"], ["team_pool"]),
    (["schemes.hybrid.team_pool.rate=0.2", "schemes.team_pool.match_cost_of=null"], []),
    (["schemes.team_pool.match_cost_of=individual", "schemes.team_pool.rate=0.3"], ["team_pool", "hybrid"]),
    (["schemes.team_pool.basis=firm"], ["team_pool", "hybrid"]),
], ids=["rate-stated", "hybrid-pool-stated", "both-off", "match-given-with-set-wins", "other-key"])
def test_a_knob_given_with_set_overrides_the_files_match(overrides: list[str], matched: list[str]) -> None:
    sc = load_scenario(REFERENCE, overrides)
    assert [s.name for s in sc.schemes if s.match_cost_of is not None] == matched
    stated = list(sc.stated_over_match)
    assert len(stated) == sum("match_cost_of=" not in o for o in overrides if o.split(".")[1] not in matched
                              and ".basis=" not in o)
    if "schemes.team_pool.rate=0.25" in overrides:
        assert float(sc.scheme("team_pool").rate) == 0.25
        assert stated == ["team_pool: rate is stated with --set, which sets aside its match_cost_of: individual; "
                          "it runs at the value given"]


def test_run_states_an_overridden_match_in_its_output_and_manifest(tmp_path: Path, capsys) -> None:
    out = tmp_path / "o"
    assert main(["run", str(REFERENCE), "--out", str(out), "--workers", "1", "--replications", "2", "--set",
                 "horizon_months=3", "--set", "firm.pods=2", "--set", "schemes.team_pool.rate=0.25", "--quiet",
                 "--no-report"]) == 0
    captured = capsys.readouterr()
    assert "not cost-matched: team_pool: rate is stated with --set" in captured.err
    assert "cost-matched: hybrid team_pool.rate = " in captured.out
    manifest = json.loads((out / "manifest.json").read_text())
    assert [m["scheme"] for m in manifest["cost_matching"]] == ["hybrid"]
    assert manifest["cost_matching_stated"][0].startswith("team_pool: rate is stated with --set")
    pool = next(s for s in manifest["resolved_scenario"]["schemes"] if s["name"] == "team_pool")
    assert pool["rate"] == 0.25 and pool["match_cost_of"] is None


def test_the_reference_run_is_the_same_whatever_the_worker_count_and_as_a_fresh_run(tmp_path: Path) -> None:
    for workers in ("1", "2"):
        assert main(["run", str(REFERENCE), "--out", str(tmp_path / workers), "--workers", workers, *SMALL]) == 0
    one, two = (json.loads((tmp_path / w / "manifest.json").read_text()) for w in ("1", "2"))
    assert one["cost_matching"] == two["cost_matching"] and len(one["cost_matching"]) == 2
    assert one["runs_from_cost_matching"] == 12   # the target's 4 runs and each scheme's 4 at its solved value
    first = tables(tmp_path / "1")
    assert_same_tables(first, tables(tmp_path / "2"))
    # The solved scenario run afresh (nothing reused) gives the same tables: the stored solve runs are exact.
    solved = tmp_path / "solved.yaml"
    assert main(["match", str(REFERENCE), "--replications", "4", "--set", "horizon_months=12", "--quiet",
                 "--workers", "1", "--out", str(solved)]) == 0
    assert main(["run", str(solved), "--out", str(tmp_path / "fresh"), "--workers", "2", *SMALL]) == 0
    fresh = json.loads((tmp_path / "fresh" / "manifest.json").read_text())
    assert "runs_from_cost_matching" not in fresh and fresh["runs_executed"] == 16
    assert_same_tables(first, tables(tmp_path / "fresh"))
