"""Demand that moves (market.demand): the index, common random numbers, downturns, outside options, metrics."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.cli import main
from sim.model import run
from sim.model.demand import candidate_factor, demand_factor, demand_state, outside_option_factor, peaks
from sim.model.volatility import PayVolatility
from sim.scenario import Scenario, validate
from sim.scenario.loader import resolved_dict
from sim.scenario.schema import Demand

from .conftest import SCENARIOS, scenario


def _with_demand(sc: Scenario, demand: dict[str, Any], **top: Any) -> Scenario:
    data = resolved_dict(sc)
    data["market"]["demand"] = {**data["market"]["demand"], **demand}
    data.update(top)
    data.pop("sweep", None)
    return validate(data)


def _same(a: dict[str, Any], b: dict[str, Any]) -> None:
    ra, rb = ({k: v for k, v in r["run"].items() if k != "wall_seconds"} for r in (a, b))
    assert ra.keys() == rb.keys()
    for k in ra:   # NaN (a demand state with no months) equals NaN here
        assert ra[k] == rb[k] or (math.isnan(ra[k]) and math.isnan(rb[k])), k
    assert a["monthly"] == b["monthly"]
    assert a["people"] == b["people"]


# ------------------------------------------------------------------ the index, as pure functions
def test_demand_factor_is_the_period_times_the_season() -> None:
    d = Demand(periods=[{"from_month": 3, "months": 2, "factor": 0.5}], seasonality=[1.0] * 11 + [2.0])
    assert [demand_factor(d, m) for m in range(6)] == [1.0, 1.0, 0.5, 0.5, 1.0, 1.0]
    assert demand_factor(d, 11) == 2.0 and demand_factor(d, 23) == 2.0 and demand_factor(d, -1) == 2.0
    assert peaks(d, 6) == (1.0, 0.5 ** -d.candidate_elasticity)


def test_candidate_supply_moves_against_demand_with_its_elasticity() -> None:
    d = Demand(periods=[{"from_month": 1, "months": 1, "factor": 0.7}], candidate_elasticity=0.4)
    assert candidate_factor(d, 0) == pytest.approx(0.7 ** -0.4) and candidate_factor(d, 0) > 1.0
    assert candidate_factor(d, 1) == 1.0


def test_outside_options_are_demand_lagged_to_their_elasticity() -> None:
    d = Demand(periods=[{"from_month": 4, "months": 3, "factor": 0.6}], outside_option_lag_months=2,
               outside_option_elasticity=0.5)
    assert [outside_option_factor(d, m) for m in range(10)] == [
        demand_factor(d, m - 2) ** 0.5 for m in range(10)]
    assert [outside_option_factor(d, m) < 1 for m in range(10)] == [m in (5, 6, 7) for m in range(10)]


def test_a_stationary_market_is_exactly_one_everywhere() -> None:
    d = Demand()
    assert {demand_factor(d, m) for m in range(-5, 40)} == {1.0}
    assert {candidate_factor(d, m) for m in range(40)} == {outside_option_factor(d, m) for m in range(40)} == {1.0}
    assert [demand_state(x) for x in (0.7, 1.0, 1.2)] == ["down", "normal", "up"]


# ---------------------------------------------------------------- common random numbers
@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_a_demand_factor_of_one_everywhere_is_the_stationary_market(path: Path) -> None:
    sc = scenario(path.stem)
    stationary = _with_demand(sc, {"periods": [], "seasonality": None}, horizon_months=6)
    at_one = _with_demand(sc, {"periods": [{"from_month": 1, "months": 3, "factor": 1.0},
                                           {"from_month": 4, "months": 3, "factor": 1.0}],
                               "seasonality": [1.0] * 12}, horizon_months=6)
    for scheme in sc.schemes:
        _same(run(stationary, scheme.name, 0), run(at_one, scheme.name, 0))


@pytest.mark.parametrize("factor", [0.6, 1.3])
def test_months_before_demand_moves_are_the_stationary_months(factor: float) -> None:
    sc = scenario("downturn", "firm.pods=2")
    stationary = run(_with_demand(sc, {"periods": []}, horizon_months=8), "individual", 0)
    moved = run(_with_demand(sc, {"periods": [{"from_month": 5, "months": 4, "factor": factor}]}, horizon_months=8),
                "individual", 0)
    assert moved["monthly"][:4] == stationary["monthly"][:4]
    ratio = (sum(r["job_orders_arrived"] for r in moved["monthly"][4:])
             / sum(r["job_orders_arrived"] for r in stationary["monthly"][4:]))
    assert ratio == pytest.approx(factor, rel=0.2)


def test_demand_periods_count_measured_months_and_the_warm_up_runs_at_plan() -> None:
    sc = scenario("downturn", "firm.pods=2")
    stationary = run(_with_demand(sc, {"periods": []}, horizon_months=6, warmup_months=4), "individual", 0)
    moved = run(_with_demand(sc, {"periods": [{"from_month": 3, "months": 2, "factor": 0.5}]}, horizon_months=6,
                             warmup_months=4), "individual", 0)
    assert len(moved["monthly"]) == 6 and [r["month"] for r in moved["monthly"]] == list(range(1, 7))
    assert [r["demand_index"] for r in moved["monthly"]] == [1.0, 1.0, 0.5, 0.5, 1.0, 1.0]
    assert moved["monthly"][:2] == stationary["monthly"][:2]   # the warm-up and months 1-2 are at plan
    assert sum(r["job_orders_arrived"] for r in moved["monthly"][2:4]) < sum(
        r["job_orders_arrived"] for r in stationary["monthly"][2:4])


# ------------------------------------------------------------------------------- downturn
def _placements(out: list[dict[str, Any]], months: range) -> int:
    return sum(r["placements"] for out_ in out for r in out_["monthly"] if r["month"] in months)


def test_in_a_downturn_placements_fall_in_its_months_and_recover_after() -> None:
    sc = scenario("downturn", "firm.pods=2")
    down = _with_demand(sc, {})          # months 10-18 at 0.7
    control = _with_demand(sc, {"periods": []})
    reps = range(4)
    d = [run(down, "individual", r) for r in reps]
    c = [run(control, "individual", r) for r in reps]
    before, during, after = range(1, 10), range(10, 19), range(22, 37)
    assert _placements(d, before) == _placements(c, before)
    during_ratio = _placements(d, during) / _placements(c, during)
    after_ratio = _placements(d, after) / _placements(c, after)
    # Effort follows each person's measured marginal product, an average over past months, so it (and with
    # it job orders won) comes back over months after demand does: the recovery is partial, not instant.
    assert during_ratio < 0.9 and after_ratio > 0.9 and after_ratio > during_ratio + 0.05
    assert {r["demand_index"] for r in d[0]["monthly"] if r["month"] in during} == {0.7}


def test_outside_options_follow_demand_and_quits_fall_when_demand_falls() -> None:
    sc = scenario("downturn", "firm.pods=2")
    path = {"periods": [{"from_month": 10, "months": 9, "factor": 0.5}], "outside_option_lag_months": 3}
    follows = _with_demand(sc, {**path, "outside_option_elasticity": 1.0})
    fixed = _with_demand(sc, {**path, "outside_option_elasticity": 0.0})   # other things equal
    reps = range(6)
    f = [run(follows, "individual", r) for r in reps]
    x = [run(fixed, "individual", r) for r in reps]
    index = [r["demand_index"] for r in f[0]["monthly"]]
    assert [r["outside_option_index"] for r in f[0]["monthly"]] == [1.0] * 3 + index[:-3]
    quits = [[sum(r["quits"] for r in out["monthly"] if r["month"] in range(13, 22)) for out in runs]
             for runs in (f, x)]
    assert sum(quits[0]) < 0.8 * sum(quits[1])
    for a, b in zip(f, x, strict=True):   # nothing differs until outside offers dry up (month 13)
        assert a["monthly"][:12] == b["monthly"][:12]


# --------------------------------------------------------------------------------- metrics
def test_pay_volatility_is_the_months_weighted_mean_cv_of_monthly_pay() -> None:
    rng = np.random.default_rng(3)
    pay = {0: rng.integers(1, 10**6, 7), 1: rng.integers(1, 10**6, 3), 2: np.array([500])}
    acc = PayVolatility()
    for month in range(7):
        ids = [p for p, v in pay.items() if month < len(v)]
        acc.add(np.array(ids), np.array([pay[p][month] for p in ids], dtype=np.int64))
    cvs = [(np.std(v) / np.mean(v), len(v)) for v in pay.values() if len(v) >= 2]
    expected = sum(c * n for c, n in cvs) / sum(n for _c, n in cvs)
    assert acc.coefficient_of_variation() == pytest.approx(expected, rel=1e-9)
    assert math.isnan(PayVolatility().coefficient_of_variation())


def test_salary_pay_does_not_vary_and_commission_does() -> None:
    sc = scenario("downturn", "firm.pods=2", "horizon_months=12")
    assert run(sc, "salary", 0)["run"]["pay_volatility"] < 1e-6
    assert run(sc, "individual", 0)["run"]["pay_volatility"] > 0.05


def test_variable_pay_share_of_gp_is_split_by_demand_state() -> None:
    sc = _with_demand(scenario("downturn", "firm.pods=2", "horizon_months=12"),
                      {"periods": [{"from_month": 4, "months": 3, "factor": 0.7},
                                   {"from_month": 9, "months": 2, "factor": 1.2}]})
    out = run(sc, "individual", 0)
    for state, months in (("down", range(4, 7)), ("up", range(9, 11)), ("normal", (1, 2, 3, 7, 8, 11, 12))):
        rows = [r for r in out["monthly"] if r["month"] in months]
        share = sum(r["commission_paid"] for r in rows) / sum(r["gross_profit"] for r in rows)
        assert out["run"][f"variable_pay_share_gp_{state}"] == pytest.approx(share)
    assert math.isnan(run(_with_demand(sc, {"periods": []}), "individual", 0)["run"]["variable_pay_share_gp_down"])


# ------------------------------------------------------------------------------- bad input
GOOD = """\
name: tiny
horizon_months: 12
firm: {pods: 1, recruiters_per_pod: 1, account_managers_per_pod: 1}
market:
  demand:
    periods:
      - {from_month: 3, months: 4, factor: 0.7}
      - {from_month: 8, months: 2, factor: 1.2}
    seasonality: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
schemes:
  - name: individual
    type: individual
    rate: 0.25
"""


def _refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str) -> str:
    path = tmp_path / "s.yaml"
    path.write_text(GOOD.replace(old, new, 1))
    code = main(["validate", str(path)])
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith(f"{path}:") and "Traceback" not in lines[0]
    return lines[0]


def test_the_good_demand_block_validates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "s.yaml").write_text(GOOD)
    assert main(["validate", str(tmp_path / "s.yaml")]) == 0


@pytest.mark.parametrize("factor", ["0", "-0.5"])
def test_a_factor_of_zero_or_below_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], factor: str) -> None:
    line = _refused(tmp_path, capsys, "factor: 0.7", f"factor: {factor}")
    assert ":7:" in line and "market.demand.periods[0].factor" in line and "greater than 0" in line


def test_overlapping_periods_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = _refused(tmp_path, capsys, "from_month: 8", "from_month: 6")
    assert ":8:" in line and "market.demand.periods[1]" in line and "overlaps period 0" in line


def test_from_month_beyond_the_horizon_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = _refused(tmp_path, capsys, "from_month: 8", "from_month: 13")
    assert ":8:" in line and "market.demand.periods[1].from_month" in line and "beyond the horizon of 12" in line


@pytest.mark.parametrize("n", [11, 13])
def test_seasonality_of_other_than_12_factors_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          n: int) -> None:
    line = _refused(tmp_path, capsys, "[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]", str([1] * n))
    assert ":9:" in line and "market.demand.seasonality" in line
    assert "12 monthly factors" in line and f"(got {n})" in line
