"""Marginal returns, through the vector path the model calls: known values for flat plans and pools, and the
expected margin under uncertainty."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from sim.comp import OUTCOME_CV, MarginalReturn, build_plan
from sim.comp.commission import Schedule
from sim.comp.marginal import ExpectedMarginal, expected_marginal_rates
from sim.comp.params import IndividualTerms

POD = {"recruiter": 2, "account_manager": 2}
FIRM = {"recruiter": 12, "account_manager": 8}


def test_salary_returns_nothing_on_the_margin() -> None:
    assert build_plan({"type": "salary"}).marginal_return("recruiter", POD, FIRM, 2_000_000) == (0.0, 0.0, 0)


def test_flat_individual_returns_the_rate_and_nothing_to_teammates() -> None:
    plan = build_plan({"type": "individual", "rate": 0.25})
    for expected in (0, 1, 50_000, 2_000_000, 10**9):
        assert plan.marginal_return("account_manager", POD, FIRM, expected) == MarginalReturn(0.25, 0.0, 0)


def test_equal_pod_pool_returns_rate_over_n_to_self_and_each_of_n_minus_one_teammates() -> None:
    plan = build_plan({"type": "team_pool", "rate": 0.2})
    assert plan.marginal_return("recruiter", POD, FIRM, 1_000_000) == pytest.approx((0.05, 0.05, 3))
    firm = build_plan({"type": "team_pool", "rate": 0.2, "basis": "firm"})
    assert firm.marginal_return("recruiter", POD, FIRM, 1_000_000) == pytest.approx((0.01, 0.01, 19))


def test_role_weighted_pool_returns_own_weight_share_and_mean_teammate_share() -> None:
    plan = build_plan({"type": "team_pool", "rate": 0.2, "sharing": "role_weights",
                       "role_weights": {"recruiter": 1.0, "account_manager": 1.5}})
    counts = {"recruiter": 2, "account_manager": 1}  # W = 2 * 1 + 1 * 1.5 = 3.5
    # A recruiter: 0.2 * 1 / 3.5; the other two share the rest: (0.2 - 0.2/3.5) / 2 each on average.
    own, teammate, teammates = plan.marginal_return("recruiter", counts, FIRM, 0)
    assert (own, teammate, teammates) == pytest.approx((0.2 / 3.5, (0.2 - 0.2 / 3.5) / 2, 2))
    assert plan.marginal_return("account_manager", counts, FIRM, 0).own == pytest.approx(0.2 * 1.5 / 3.5)


def test_hybrid_mixes_w_individual_rate_with_the_pool_at_rate_times_one_minus_w() -> None:
    plan = build_plan({"type": "hybrid", "individual_weight": 0.6, "individual": {"rate": 0.25},
                       "team_pool": {"rate": 0.2}})
    # own = 0.6 * 0.25 + 0.4 * 0.2 / 4; each of 3 teammates gets 0.4 * 0.2 / 4.
    assert plan.marginal_return("recruiter", POD, FIRM, 10**6) == pytest.approx((0.17, 0.02, 3))


def test_pod_lead_and_empty_pods_return_nothing() -> None:
    plan = build_plan({"type": "team_pool", "rate": 0.2})
    assert plan.marginal_return("pod_lead", POD, FIRM, 10**6) == (0.0, 0.0, 0)
    assert plan.marginal_return("recruiter", {}, FIRM, 10**6) == (0.0, 0.0, 0)


def reference_margin(terms: dict, mean: float) -> float:
    """Independent check: ``d/dδ E[f(X + δ)]`` by quadrature of a float schedule and a central difference."""
    threshold = 100 * terms.get("threshold", 0)
    tiers = [(100 * t["from"], t["rate"]) for t in terms.get("tiers", [{"from": 0, "rate": terms.get("rate")}])]
    cap = 100 * terms["cap"] if "cap" in terms else math.inf

    def f(x: float) -> float:
        c = max(0.0, x - threshold)
        if terms.get("accelerator") == "tiered":
            value = c * [rate for start, rate in tiers if start <= c][-1]
        else:
            ends = [start for start, _ in tiers[1:]] + [math.inf]
            value = sum((min(end, c) - start) * rate for (start, rate), end in zip(tiers, ends, strict=True)
                        if start < c)
        return min(value, cap)

    shape = 1 / OUTCOME_CV**2
    density = stats.gamma(shape, scale=mean / shape).pdf
    kinks = sorted({threshold + s for s, _ in tiers} | ({threshold + cap / tiers[0][1]} if cap < math.inf
                                                                                             else set()))

    def expectation(shift: float) -> float:
        points = [k - shift for k in kinks if 0 < k - shift < 20 * mean]
        value, _ = integrate.quad(lambda x: f(x + shift) * density(x), 0, 20 * mean, points=points or None,
                                  limit=200, epsabs=1e-9, epsrel=1e-11)
        return value

    h = mean * 1e-3
    return (expectation(h) - expectation(-h if mean > 0 else 0)) / (2 * h)


CASES = [
    {"rate": 0.25, "threshold": 20_000},
    {"tiers": [{"from": 0, "rate": 0.2}, {"from": 20_000, "rate": 0.3}]},
    {"tiers": [{"from": 0, "rate": 0.2}, {"from": 20_000, "rate": 0.3}], "accelerator": "tiered"},
    {"rate": 0.3, "cap": 6_000},
    {"tiers": [{"from": 0, "rate": 0.1}, {"from": 10_000, "rate": 0.25}, {"from": 30_000, "rate": 0.15}],
     "accelerator": "tiered", "threshold": 5_000, "cap": 9_000},
]


@pytest.mark.parametrize("terms", CASES)
@pytest.mark.parametrize("mean_dollars", [2_000, 10_000, 25_000, 60_000])
def test_expected_margin_matches_an_independent_quadrature(terms: dict, mean_dollars: int) -> None:
    plan = build_plan({"type": "individual", **terms})
    own = plan.marginal_return("recruiter", POD, FIRM, 100 * mean_dollars).own
    assert own == pytest.approx(reference_margin(terms, 100 * mean_dollars), abs=2e-4)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(CASES), st.floats(1e3, 1e9))
def test_tabulated_margin_is_within_1e4_of_the_exact_expectation(terms: dict, mean: float) -> None:
    schedule = Schedule.from_terms(IndividualTerms.model_validate(terms))
    exact = float(expected_marginal_rates(schedule, np.array([mean]))[0])
    assert ExpectedMarginal(schedule)(np.array([mean]))[0] == pytest.approx(exact, abs=1e-4)


def test_below_a_threshold_there_is_still_some_incentive_rising_with_expected_credit() -> None:
    plan = build_plan({"type": "individual", "rate": 0.25, "threshold": 20_000})
    margins = [plan.marginal_return("recruiter", POD, FIRM, 100 * dollars).own
               for dollars in (5_000, 10_000, 20_000, 80_000)]
    assert 0.0 < margins[0] < margins[1] < margins[2] < margins[3] < 0.25
    # Expecting half the threshold: P(X > 2 * mean) is about 6 % under CV 0.6, so about 0.25 * 0.06.
    assert margins[1] > 0.01
    assert plan.marginal_return("recruiter", POD, FIRM, 0).own == 0.0


def test_a_cap_far_above_expectations_leaves_the_rate_and_far_below_removes_it() -> None:
    plan = build_plan({"type": "individual", "rate": 0.25, "cap": 10_000})
    assert plan.marginal_return("recruiter", POD, FIRM, 100 * 2_000).own == pytest.approx(0.25, abs=1e-3)
    assert plan.marginal_return("recruiter", POD, FIRM, 100 * 1_000_000).own == pytest.approx(0.0, abs=1e-3)




def test_a_firm_at_once_gets_what_each_producer_gets_alone() -> None:
    plan = build_plan({"type": "hybrid", "individual": {"rate": 0.25, "threshold": 6000},
                       "team_pool": {"rate": 0.13, "sharing": "role_weights", "role_weights": {"recruiter": 2}}})
    is_recruiter = np.array([True, False, True, False])
    pod_r, pod_a = np.array([2, 1, 1, 1]), np.array([1, 1, 3, 3])
    expected = np.array([0.0, 4e5, 9e5, 2.5e6])
    own, teammate, teammates = plan.marginal_returns(is_recruiter, pod_r, pod_a, 9, 9, expected)
    for i in range(4):
        role = "recruiter" if is_recruiter[i] else "account_manager"
        pod = {"recruiter": int(pod_r[i]), "account_manager": int(pod_a[i])}
        alone = plan.marginal_return(role, pod, FIRM, float(expected[i]))
        assert alone == (own[i], teammate[i], teammates[i])
