"""The mechanisms answer stakes, marginal products and selection (issue 13), paired under common random numbers.

Small firms and short horizons keep this fast; every comparison pairs replication r of one scheme
with replication r of another (the same market draws).
"""

from __future__ import annotations

import statistics
from typing import Any

import pytest

from sim.experiment.plan import apply_point
from sim.model import run
from sim.model.decompose import decompose
from sim.scenario import Scenario, resolved_dict, validate

REPS = 20
IND = {"rate": 0.25, "threshold": 6000}


def small(schemes: list[dict[str, Any]], horizon: int = 9, **extra: Any) -> Scenario:
    firm = {"pods": 3, "recruiters_per_pod": 2, "account_managers_per_pod": 2, **extra.pop("firm", {})}
    return validate({"name": "mechanisms", "seed": 7, "replications": 1, "horizon_months": horizon,
                     "warmup_months": 0, "firm": firm, "schemes": schemes, **extra})


def mean(sc: Scenario, scheme: str, metric: str, reps: int = REPS) -> float:
    return statistics.fmean(run(sc, scheme, r)["run"][metric] for r in range(reps))


def paired_change(sc: Scenario, base: str, other: str, metric: str = "placements") -> float:
    """Mean over replications of other / base - 1 (paired)."""
    return statistics.fmean(run(sc, other, r)["run"][metric] / run(sc, base, r)["run"][metric] - 1
                            for r in range(REPS))


@pytest.mark.parametrize("variant, leads", [
    # 0.1% of pod GP: a 25% pool at weight 1 - 0.996 (the individual part scaled by 0.996)
    ({"type": "hybrid", "individual_weight": 0.996, "individual": IND, "team_pool": {"rate": 0.25}}, False),
    ({"type": "individual", **IND, "pod_lead": {"override_rate": 0.0001}}, True),
    ({"type": "individual", **IND, "pod_lead": {"development_bonus": 1}}, True),
], ids=["pool 0.1%", "lead override 0.01%", "development bonus $1"])
def test_a_vanishing_stake_has_a_vanishing_effect(variant: dict[str, Any], leads: bool) -> None:
    sc = small([{"name": "individual", "type": "individual", **IND}, {"name": "variant", **variant}],
               firm={"pod_leads": leads})
    assert abs(paired_change(sc, "individual", "variant")) < 0.02


def test_a_pool_at_a_vanishing_rate_is_salary_and_moves_placements_by_almost_nothing() -> None:
    """Against salary-only pay (same base): a pool at rate 0 is the salary run exactly, at 0.1% of pod GP
    it changes placements by less than 2%."""
    sc = small([{"name": "salary", "type": "salary"}, {"name": "pool_0", "type": "team_pool", "rate": 0.0},
                {"name": "pool_0001", "type": "team_pool", "rate": 0.001}])
    for r in range(3):
        assert run(sc, "pool_0", r)["run"]["placements"] == run(sc, "salary", r)["run"]["placements"]
    assert abs(paired_change(sc, "salary", "pool_0001")) < 0.02


def test_cooperation_grows_with_the_pooled_share_of_pay() -> None:
    coop = []
    for w in (1.0, 0.9, 0.6, 0.0):
        sc = small([{"name": "h", "type": "hybrid", "individual_weight": w, "individual": IND,
                     "team_pool": {"rate": 0.25}}])
        coop.append(mean(sc, "h", "mean_cooperation"))
    assert all(a < b for a, b in zip(coop, coop[1:], strict=False)), coop


def test_a_leads_push_grows_with_the_override() -> None:
    effort = []
    for rate in (0.0, 0.01, 0.05, 0.15):
        sc = small([{"name": "o", "type": "individual", **IND, "pod_lead": {"override_rate": rate}}],
                   firm={"pod_leads": True})
        effort.append(mean(sc, "o", "mean_effort"))
    assert all(a < b for a, b in zip(effort, effort[1:], strict=False)), effort


def test_effort_falls_when_demand_falls() -> None:
    flat = [{"name": "flat", "type": "individual", "rate": 0.25, "threshold": 0}]
    busy = mean(small(flat), "flat", "mean_effort", 5)
    dry = mean(small(flat, market={"job_order_rate": 0.12, "candidate_rate": 0.12}), "flat", "mean_effort", 5)
    assert dry < busy - 0.1, (dry, busy)


def test_under_a_pool_cooperation_rises_with_the_conversion_lift() -> None:
    pool = [{"name": "pool", "type": "team_pool", "rate": 0.25}]
    coop = [mean(small(pool, market={"conversion_min": lo, "conversion_max": hi}), "pool", "mean_cooperation", 10)
            for lo, hi in ((0.75, 0.75), (0.6, 0.9), (0.45, 1.0))]
    assert coop[0] < coop[1] < coop[2], coop


def test_individual_commission_ends_with_a_more_skilled_workforce_than_salary() -> None:
    sc = small([{"name": "individual", "type": "individual", **IND}, {"name": "salary", "type": "salary"}],
               horizon=24)
    diffs = [run(sc, "individual", r)["run"]["final_mean_skill"] - run(sc, "salary", r)["run"]["final_mean_skill"]
             for r in range(8)]
    assert statistics.fmean(diffs) > 0.05 and sum(d > 0 for d in diffs) >= 7, diffs


def test_the_decomposition_adds_up_and_a_scheme_against_itself_is_all_zero() -> None:
    sc = small([{"name": "salary", "type": "salary"}, {"name": "individual", "type": "individual", **IND}],
               horizon=12)
    metrics = ["placements", "gross_profit", "mean_effort", "final_mean_skill"]
    for r in range(2):
        parts = decompose(sc, "salary", "individual", r, metrics)
        for p in parts.values():
            assert p["behaviour"] + p["selection"] == pytest.approx(p["total"], abs=1e-6)
        assert parts["final_mean_skill"]["behaviour"] == 0.0   # the workforce held fixed is the baseline's
        assert parts["placements"]["selection"] != 0.0
    same = decompose(sc, "salary", "salary", 0, metrics)
    assert all(v == 0.0 for p in same.values() for v in p.values())


def test_a_swept_top_level_policy_key_reaches_every_scheme() -> None:
    sc = small([{"name": "a", "type": "individual", **IND},
                {"name": "b", "type": "individual", **IND, "policy": {"leaderboard": True}}])
    base = resolved_dict(sc)
    points = [Scenario.model_validate(apply_point(base, {"policy.partnership_time": t})) for t in (0.0, 0.2)]
    assert [p.scheme("a").policy.partnership_time for p in points] == [0.0, 0.2]
    assert points[1].scheme("b").policy.leaderboard is True   # a scheme's own key stays its own
    assert run(points[0], "a", 0)["run"]["placements"] != run(points[1], "a", 0)["run"]["placements"]


def test_warm_up_months_appear_in_no_metric() -> None:
    schemes = [{"name": "individual", "type": "individual", **IND}]
    long = run(small(schemes, horizon=9), "individual", 1)
    warm = run(small(schemes, horizon=6, warmup_months=3), "individual", 1)
    assert [m["month"] for m in warm["monthly"]] == list(range(1, 7))
    strip = [{k: v for k, v in m.items() if k != "month"} for m in long["monthly"][3:]]
    assert [{k: v for k, v in m.items() if k != "month"} for m in warm["monthly"]] == strip
    assert warm["run"]["placements"] == sum(m["placements"] for m in strip)
    assert warm["run"]["hiring_cost"] <= long["run"]["hiring_cost"]
    assert all(p["exit_month"] is None or p["exit_month"] >= 1 for p in warm["people"])
    assert sum(p["months_employed"] for p in warm["people"]) == sum(
        m["headcount_recruiters"] + m["headcount_ams"] for m in warm["monthly"])
