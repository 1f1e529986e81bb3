"""Properties of the payout engine over random ledgers, plans and multi-period runs (Hypothesis)."""

from __future__ import annotations

import copy
import pickle
from fractions import Fraction
from typing import Any

from comp_helpers import (
    by_person,
    individual_terms,
    ledger_runs,
    ledgers,
    members,
    pay_lines,
    pool_terms,
    term_plan_params,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.comp import (
    CLAWBACK_KINDS,
    LINE_KINDS,
    POD_LEAD,
    Member,
    PeriodLedger,
    PlacementCredit,
    Plan,
    PlanState,
    Statement,
    build_plan,
)

NON_NEGATIVE_KINDS = set(LINE_KINDS) - set(CLAWBACK_KINDS)


def run(plan: Plan, periods: list[PeriodLedger]) -> list[tuple[tuple[Statement, ...], PlanState]]:
    """Pay consecutive periods, returning each period's statements and the state after it."""
    state, out = plan.initial_state(), []
    for ledger in periods:
        statements, state = pay_lines(plan, ledger, state)
        out.append((statements, state))
    return out


def round_half_even(x: Fraction) -> int:
    return round(x)  # Python rounds a Fraction half to even


@settings(max_examples=150, deadline=None)
@given(term_plan_params(), ledger_runs())
def test_only_clawback_and_draw_recovery_are_negative_and_pay_stays_above_base_without_clawback(
        params: dict, periods: list[PeriodLedger]) -> None:
    plan = build_plan(params)
    for statements, _ in run(plan, periods):
        for s in statements:
            assert s.lines[0].kind == "base"
            assert all(line.cents > 0 for line in s.lines if line.kind in NON_NEGATIVE_KINDS - {"base"})
            assert all(line.cents < 0 for line in s.lines if line.kind not in NON_NEGATIVE_KINDS)
            if not any(line.kind in ("clawback", "advance_clawback") for line in s.lines):
                assert s.total_cents >= s.lines[0].cents


@settings(max_examples=150, deadline=None)
@given(st.one_of(pool_terms(), st.builds(dict)), st.sampled_from(["team_pool", "hybrid"]), st.booleans(),
       ledgers())
def test_every_pool_pays_out_exactly_round_rate_times_net_gp_or_is_forfeited(terms: dict, kind: str, clawback: bool,
                                                              ledger: PeriodLedger) -> None:
    params: dict[str, Any] = {"type": kind, "clawback": clawback}
    if kind == "hybrid":
        params |= {"individual_weight": 0.25, "team_pool": terms}
    else:
        params |= terms
    plan = build_plan(params)
    statements = by_person(pay_lines(plan, ledger, plan.initial_state())[0])
    rate = Fraction(str(terms.get("rate", 0.25))) * (Fraction(3, 4) if kind == "hybrid" else 1)
    producers = {m.person_id: m for m in ledger.members if m.role != POD_LEAD}
    net: dict[int, int] = {}  # net GP by pod, by the default 50/50 split
    for pod_r, pod_a, gp in [(c.recruiter_pod, c.account_manager_pod, c.gp_cents) for c in ledger.credits] + [
            (f.recruiter_pod, f.account_manager_pod, -f.refund_cents) for f in ledger.falloffs]:
        net[pod_r] = net.get(pod_r, 0) + round(Fraction(gp, 2))
        net[pod_a] = net.get(pod_a, 0) + gp - round(Fraction(gp, 2))
    bases = [(None, sum(net.values()))] if terms.get("basis") == "firm" else list(net.items())
    for pod, net_gp in bases:
        expected = round_half_even(rate * net_gp)
        held = expected if clawback else max(0, expected)
        basis = [pid for pid, m in producers.items() if pod is None or m.pod == pod]
        paid = sum(line.cents for pid in basis for line in statements[pid].lines
                   if line.kind in ("pool", "clawback") and line.placement_id is None)
        if basis and (terms.get("sharing") != "role_weights" or any(
                terms["role_weights"][producers[p].role] for p in basis)):
            assert paid == held  # somebody to pay: the pool pays out to the cent
        else:
            assert paid == 0  # nobody to pay: the pool is forfeited


@settings(max_examples=100, deadline=None)
@given(term_plan_params(), ledger_runs(), st.randoms(use_true_random=False))
def test_pay_is_independent_of_the_order_of_credits_and_falloffs(params: dict, periods: list[PeriodLedger],
                                                                 rnd: Any) -> None:
    shuffled = []
    for ledger in periods:
        credits, falloffs = list(ledger.credits), list(ledger.falloffs)
        rnd.shuffle(credits)
        rnd.shuffle(falloffs)
        shuffled.append(PeriodLedger(ledger.period, ledger.members, tuple(credits), tuple(falloffs)))
    assert run(build_plan(params), periods) == run(build_plan(params), shuffled)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([0.05, 0.25, 1 / 3]), st.lists(st.integers(0, 2_000_000), max_size=6),
       st.sampled_from(["recruiter", "account_manager"]), members())
def test_team_of_one_pool_pays_exactly_what_the_individual_plan_pays(rate: float, gps: list[int], role: str,
                                                                    others: tuple) -> None:
    # Pod 99 holds one producer (id 500); every credit pairs them with producers of other pods, so the
    # pod's GP is exactly their credited GP.
    solo = Member(500, role, 99, 3)
    partners = [m for m in others if m.role != POD_LEAD] or [Member(501, "recruiter", 1, 3)]
    team = (*others, solo) if partners[0] in others else (*others, solo, partners[0])
    credits = []
    for i, gp in enumerate(gps):
        p = partners[i % len(partners)]
        if role == "recruiter":
            credits.append(credit_of(i, solo, p, gp))
        else:
            credits.append(credit_of(i, p, solo, gp))
    ledger = PeriodLedger(0, team, tuple(credits))
    individual = build_plan({"type": "individual", "rate": rate})
    pool = build_plan({"type": "team_pool", "rate": rate})
    solo_individual = by_person(pay_lines(individual, ledger, individual.initial_state())[0])[500]
    solo_pool = by_person(pay_lines(pool, ledger, pool.initial_state())[0])[500]
    assert solo_pool.total_cents == solo_individual.total_cents


def credit_of(placement: int, r: Member, a: Member, gp: int) -> PlacementCredit:
    return PlacementCredit(placement, r.person_id, r.pod, a.person_id, a.pod, gp)


@settings(max_examples=100, deadline=None)
@given(individual_terms(), pool_terms(), st.data(), ledger_runs())
def test_hybrid_at_w_one_is_individual_and_at_w_zero_is_team_pool(ind: dict, pool: dict, data: st.DataObject,
                                                                  periods: list[PeriodLedger]) -> None:
    common = {"clawback": data.draw(st.booleans()),
              "draw": data.draw(st.sampled_from([None, {"months": 2, "amount": 1500}]))}
    as_individual = run(build_plan({"type": "individual", **ind, **common}), periods)
    as_pool = run(build_plan({"type": "team_pool", **pool, **common}), periods)
    at_one = run(build_plan({"type": "hybrid", "individual_weight": 1, "individual": ind, "team_pool": pool,
                             **common}), periods)
    at_zero = run(build_plan({"type": "hybrid", "individual_weight": 0, "individual": ind, "team_pool": pool,
                              **common}), periods)
    assert [s for s, _ in at_one] == [s for s, _ in as_individual]
    assert [s for s, _ in at_zero] == [s for s, _ in as_pool]


RATE_STEPS = [0.0, 0.1, 0.2, 0.25, 0.3, 0.5, 1.0]


@settings(max_examples=100, deadline=None)
@given(st.integers(0, len(RATE_STEPS) - 2), st.data(), ledgers())
def test_a_higher_rate_never_pays_anyone_less(low: int, data: st.DataObject, ledger: PeriodLedger) -> None:
    high = data.draw(st.integers(low + 1, len(RATE_STEPS) - 1))
    kind = data.draw(st.sampled_from(["individual", "individual_tiers", "team_pool", "hybrid"]))
    extra = data.draw(st.fixed_dictionaries({"threshold": st.integers(0, 5000), "cap": st.integers(0, 20_000)}))

    def params(rate: float) -> dict:
        if kind == "individual":
            return {"type": "individual", "rate": rate, **extra}
        if kind == "individual_tiers":
            return {"type": "individual", "tiers": [{"from": 0, "rate": rate / 2}, {"from": 3000, "rate": rate}]}
        if kind == "team_pool":  # clawback off: a bigger negative pool would rightly take more back
            return {"type": "team_pool", "rate": rate, "clawback": False, "draw": {}}
        return {"type": "hybrid", "individual": {"rate": rate}, "team_pool": {"rate": rate}, "clawback": False}

    lower, higher = build_plan(params(RATE_STEPS[low])), build_plan(params(RATE_STEPS[high]))
    for a, b in zip(pay_lines(lower, ledger, lower.initial_state())[0],
                    pay_lines(higher, ledger, higher.initial_state())[0], strict=True):
        assert b.total_cents >= a.total_cents


@settings(max_examples=100, deadline=None)
@given(term_plan_params(), ledger_runs())
def test_pay_mutates_neither_ledger_nor_state_nor_params_and_state_pickles(params: dict,
                                                                          periods: list[PeriodLedger]) -> None:
    params_before = copy.deepcopy(params)
    plan = build_plan(params)
    assert params == params_before
    state = plan.initial_state()
    for ledger in periods:
        ledger_before, state_before = copy.deepcopy(ledger), copy.deepcopy(state)
        statements, new_state = pay_lines(plan, ledger, state)
        assert ledger == ledger_before and state == state_before
        assert pay_lines(plan, ledger, state) == (statements, new_state)  # pure: same answer twice
        assert pickle.loads(pickle.dumps(new_state)) == new_state
        state = new_state


@settings(max_examples=100, deadline=None)
@given(term_plan_params(), ledger_runs())
def test_departed_people_get_no_lines_and_draw_balances_only_for_members(params: dict,
                                                                         periods: list[PeriodLedger]) -> None:
    plan = build_plan(params)
    for ledger, (statements, state) in zip(periods, run(plan, periods), strict=True):
        member_ids = {m.person_id for m in ledger.members}
        assert {s.person_id for s in statements} == member_ids
        assert set(state.draw_balances) <= member_ids
        assert all(balance > 0 for balance in state.draw_balances.values())
