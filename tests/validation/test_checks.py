"""The validation checks reproduce the known results at test size, and can fail when the model is wrong."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.model import run
from sim.scenario.schema import Cooperation, Effort, Turnover
from sim.validation import cooperation_decay, flow, free_riding, relative_pay, restart, social_weight, vcm
from sim.validation.queue import PairQueue
from sim.validation.result import QUICK


def _failures(outcome) -> list[str]:
    return [f"{r.case}: {r.simulated} not in [{r.low}, {r.high}]" for r in outcome.rows if not r.passed]


@pytest.mark.parametrize("n", range(1, 9))
def test_pool_of_n_gives_one_nth_of_individual_effort(n: int) -> None:
    assert free_riding.pure_ratio(n) == pytest.approx(1.0 / n, abs=1e-12)


def test_free_riding_check_passes_in_the_rule_and_the_firm_with_surplus_2n_minus_1_over_n_squared() -> None:
    out = free_riding.check(QUICK)
    assert not _failures(out)
    surplus = {r.case: r.simulated for r in out.rows if r.case.endswith("surplus")}
    assert surplus["rule, N=4 surplus"] == pytest.approx(0.4375, abs=1e-12)
    assert {r.case for r in out.rows} >= {f"firm, N={n}" for n in range(2, 9)}


def test_social_weight_in_pairs_gives_one_plus_w_over_two() -> None:
    for w in social_weight.WEIGHTS:
        assert social_weight.pure_ratio(w) == pytest.approx((1 + w) / 2, abs=1e-12)
    assert not _failures(social_weight.check(QUICK))


def test_vcm_cooperation_decays_without_enforcement_and_rises_with_it() -> None:
    out = cooperation_decay.check(QUICK)
    assert not _failures(out)
    change = {r.case: r.simulated for r in out.rows if r.case.endswith("change 1->10")}
    assert change["no enforcement, change 1->10"] < 0 < change["enforcement, change 1->10"]


def test_decay_check_fails_when_conditional_cooperators_match_fully() -> None:
    """With slope 1 and no private cost of helping, nothing decays: the check must say so."""
    coop = Cooperation(slope=1.0, incentive_gain=0.0)
    failed = {r.case for r in cooperation_decay.check(QUICK, coop=coop).rows if not r.passed}
    assert "no enforcement, period 10" in failed


def test_restart_makes_cooperation_jump_back_then_decay_again() -> None:
    assert not _failures(restart.check(QUICK))


def test_restart_check_fails_when_newcomers_bring_the_decayed_level() -> None:
    out = restart.check(QUICK, coop=Cooperation(restart_on_new_team=False))
    assert "restart level" in {r.case for r in out.rows if not r.passed}


def test_vcm_incentive_maps_mpcr_04_to_minus_042_with_default_social_weight() -> None:
    assert vcm.incentive(vcm.Game(), Effort()) == pytest.approx(-0.6 + 0.3 * 0.6)


def test_pair_queue_stationary_state_obeys_littles_law() -> None:
    q = PairQueue(0.2, 0.15, 40.0, 21.0, 0.7)
    rate, waiting = q.stationary()
    assert waiting == pytest.approx(q.job_order_life * (q.job_order_rate - rate), rel=1e-6)


def test_pair_queue_transient_rate_tends_to_the_stationary_rate() -> None:
    q = PairQueue(0.2, 0.2, 40.0, 21.0, 0.75)
    p1, _ = q.transient(3000.0)
    p2, _ = q.transient(6000.0)
    assert (p2 - p1) / 3000.0 == pytest.approx(q.stationary()[0], rel=1e-6)


def test_flow_matches_thinning_queue_and_littles_law() -> None:
    assert not _failures(flow.check(QUICK))


def test_flow_comparison_detects_a_firm_converting_at_another_rate_than_the_queue() -> None:
    """A firm converting at 0.5 is more than the stated tolerance away from the queue at 0.75."""
    sc = flow.pair_scenario(dataclasses.replace(QUICK, flow_months=6, flow_pods=40),
                            {"conversion_min": 0.5, "conversion_max": 0.5})
    sim = np.mean([run(sc, "individual", r)["run"]["placements"] / 40 for r in range(2)])
    m = sc.market
    exact, _ = PairQueue(m.job_order_rate / 30, m.candidate_rate / 30, m.job_order_life_days,
                         m.candidate_life_days, 0.75).transient(180.0)
    assert abs(sim - exact) / exact > flow.COUNT_TOLERANCE


def test_wider_pay_dispersion_raises_quits_below_the_median_only() -> None:
    out = relative_pay.check(QUICK)
    assert not _failures(out)
    below, above = out.rows
    assert below.ci_low > 0 and above.simulated == pytest.approx(0.0, abs=0.01)


def test_relative_pay_check_fails_without_peer_comparison() -> None:
    out = relative_pay.check(QUICK, turnover=Turnover(peer_pay_sensitivity=0.0, market_pay_sensitivity=0.0))
    assert not out.rows[0].passed


def test_the_hno_case_compares_piece_rates_that_pay_the_same_on_every_dollar() -> None:
    """Koret's individual and group piece rates paid one rate per unit: a pair's variable pay on a dollar of
    its GP is the same under both plans, from the first dollar (no threshold on the individual side)."""
    from sim.comp import ACCOUNT_MANAGER, RECRUITER, build_plan
    from sim.validation import field

    pair = {RECRUITER: 1, ACCOUNT_MANAGER: 1}
    for credit_cents in (0, 300_000, 2_000_000):
        paid = []
        for scheme in field.hno_scenario().schemes:
            mr = build_plan(scheme.plan).marginal_return(RECRUITER, pair, pair, credit_cents)
            paid.append(mr.own + mr.teammates * mr.teammate)
        assert paid == pytest.approx([0.25, 0.25]), (credit_cents, paid)
