"""Properties of the payout engine over random ledgers, plans and multi-period runs (Hypothesis)."""

from __future__ import annotations

import copy
import pickle
from fractions import Fraction
from typing import Any

import pytest
from comp_helpers import by_person, individual_terms, ledger_runs, ledgers, members, plan_params, pool_terms
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.comp import (
    LINE_KINDS,
    POD_LEAD,
    Member,
    PeriodLedger,
    PlacementCredit,
    Plan,
    PlanState,
    Statement,
    build_plan,
    payroll_totals,
)
from sim.comp.money import allocate, allocate_one

NON_NEGATIVE_KINDS = set(LINE_KINDS) - {"clawback", "draw_recovery"}


def run(plan: Plan, periods: list[PeriodLedger]) -> list[tuple[tuple[Statement, ...], PlanState]]:
    """Pay consecutive periods, returning each period's statements and the state after it."""
    state, out = plan.initial_state(), []
    for ledger in periods:
        statements, state = plan.pay(ledger, state)
        out.append((statements, state))
    return out


def round_half_even(x: Fraction) -> int:
    return round(x)  # Python rounds a Fraction half to even


@settings(max_examples=150)
@given(plan_params(), ledger_runs())
def test_statements_reconcile_one_per_member_in_member_order(params: dict, periods: list[PeriodLedger]) -> None:
    for ledger, (statements, _) in zip(periods, run(build_plan(params), periods), strict=True):
        assert [s.person_id for s in statements] == [m.person_id for m in ledger.members]
        for s in statements:
            assert s.total_cents == sum(line.cents for line in s.lines)
            assert all(type(line.cents) is int and line.kind in LINE_KINDS for line in s.lines)
        totals = payroll_totals(statements)
        assert totals["total"] == sum(s.total_cents for s in statements)
        assert totals["total"] == sum(totals[k] for k in LINE_KINDS)


@settings(max_examples=150)
@given(plan_params(), ledger_runs())
def test_only_clawback_and_draw_recovery_are_negative_and_pay_stays_above_base_without_clawback(
        params: dict, periods: list[PeriodLedger]) -> None:
    plan = build_plan(params)
    for statements, _ in run(plan, periods):
        for s in statements:
            assert s.lines[0].kind == "base"
            assert all(line.cents > 0 for line in s.lines if line.kind in NON_NEGATIVE_KINDS - {"base"})
            assert all(line.cents < 0 for line in s.lines if line.kind not in NON_NEGATIVE_KINDS)
            if not any(line.kind == "clawback" for line in s.lines):
                assert s.total_cents >= s.lines[0].cents


@settings(max_examples=150)
@given(st.one_of(pool_terms(), st.builds(dict)), st.sampled_from(["team_pool", "hybrid"]), st.booleans(),
       ledgers())
def test_every_pool_pays_out_exactly_round_rate_times_net_gp(terms: dict, kind: str, clawback: bool,
                                                              ledger: PeriodLedger) -> None:
    params: dict[str, Any] = {"type": kind, "clawback": clawback}
    if kind == "hybrid":
        params |= {"individual_weight": 0.25, "team_pool": terms}
    else:
        params |= terms
    plan = build_plan(params)
    statements = by_person(plan.pay(ledger, plan.initial_state())[0])
    rate = Fraction(str(terms.get("rate", 0.25))) * (Fraction(3, 4) if kind == "hybrid" else 1)
    producers = {m.person_id: m for m in ledger.members if m.role != POD_LEAD}
    for account in plan.pool_accounts(ledger):
        expected = round_half_even(rate * account.net_gp_cents)
        assert account.pool_cents == (expected if clawback else max(0, expected))
        basis = [pid for pid, m in producers.items() if account.pod is None or m.pod == account.pod]
        paid = sum(line.cents for pid in basis for line in statements[pid].lines
                   if line.kind in ("pool", "clawback") and line.placement_id is None)
        assert paid == account.paid_cents
        if basis and (terms.get("sharing") != "role_weights" or any(
                terms["role_weights"][producers[p].role] for p in basis)):
            assert paid == account.pool_cents  # somebody to pay: the pool pays out to the cent
        else:
            assert paid == 0  # nobody to pay: the pool is forfeited


@settings(max_examples=150)
@given(individual_terms(), st.sampled_from([1.0, 0.6, 0.25]), ledgers(max_falloffs=0))
def test_commission_lines_sum_to_w_times_the_schedule_on_credited_gp(terms: dict, w: float,
                                                                      ledger: PeriodLedger) -> None:
    plan = build_plan({"type": "hybrid", "individual_weight": w, "individual": terms, "team_pool": {"rate": 0}})
    statements = plan.pay(ledger, plan.initial_state())[0]
    credited: dict[int, int] = {}
    for c in ledger.credits:
        recruiter_share = round_half_even(Fraction(c.gp_cents, 2))
        for pid, share in ((c.recruiter_id, recruiter_share), (c.account_manager_id, c.gp_cents - recruiter_share)):
            credited[pid] = credited.get(pid, 0) + share
    for s in statements:
        commission = schedule_reference(terms, credited.get(s.person_id, 0))
        assert s.cents_of("commission") == round_half_even(Fraction(str(w)) * commission)


def schedule_reference(terms: dict, credited: int) -> int:
    """An independent statement of the commission schedule, in exact fractions."""
    c = max(0, credited - 100 * terms.get("threshold", 0))
    tiers = [(100 * t["from"], Fraction(str(t["rate"]))) for t in terms.get("tiers") or [{"from": 0,
                                                                                        "rate": terms["rate"]}]]
    if terms.get("accelerator") == "tiered":
        exact = c * [rate for start, rate in tiers if start <= c][-1]
    else:
        ends = [start for start, _ in tiers[1:]] + [c]
        exact = sum((min(end, c) - start) * rate for (start, rate), end in zip(tiers, ends, strict=True)
                    if start < c)
    amount = round_half_even(Fraction(exact))
    return amount if "cap" not in terms else min(amount, 100 * terms["cap"])


@settings(max_examples=100)
@given(plan_params(), ledger_runs(), st.randoms(use_true_random=False))
def test_pay_is_independent_of_the_order_of_credits_and_falloffs(params: dict, periods: list[PeriodLedger],
                                                                 rnd: Any) -> None:
    shuffled = []
    for ledger in periods:
        credits, falloffs = list(ledger.credits), list(ledger.falloffs)
        rnd.shuffle(credits)
        rnd.shuffle(falloffs)
        shuffled.append(PeriodLedger(ledger.period, ledger.members, tuple(credits), tuple(falloffs)))
    assert run(build_plan(params), periods) == run(build_plan(params), shuffled)


@settings(max_examples=100)
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
    solo_individual = by_person(individual.pay(ledger, individual.initial_state())[0])[500]
    solo_pool = by_person(pool.pay(ledger, pool.initial_state())[0])[500]
    assert solo_pool.total_cents == solo_individual.total_cents


def credit_of(placement: int, r: Member, a: Member, gp: int) -> PlacementCredit:
    return PlacementCredit(placement, r.person_id, r.pod, a.person_id, a.pod, gp)


@settings(max_examples=100)
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


@settings(max_examples=100)
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
    for a, b in zip(lower.pay(ledger, lower.initial_state())[0], higher.pay(ledger, higher.initial_state())[0],
                    strict=True):
        assert b.total_cents >= a.total_cents


@settings(max_examples=100)
@given(plan_params(), ledger_runs())
def test_pay_mutates_neither_ledger_nor_state_nor_params_and_state_pickles(params: dict,
                                                                          periods: list[PeriodLedger]) -> None:
    params_before = copy.deepcopy(params)
    plan = build_plan(params)
    assert params == params_before
    state = plan.initial_state()
    for ledger in periods:
        ledger_before, state_before = copy.deepcopy(ledger), copy.deepcopy(state)
        statements, new_state = plan.pay(ledger, state)
        assert ledger == ledger_before and state == state_before
        assert plan.pay(ledger, state) == (statements, new_state)  # pure: same answer twice
        assert pickle.loads(pickle.dumps(new_state)) == new_state
        state = new_state


@settings(max_examples=100)
@given(plan_params(), ledger_runs())
def test_departed_people_get_no_lines_and_draw_balances_only_for_members(params: dict,
                                                                         periods: list[PeriodLedger]) -> None:
    plan = build_plan(params)
    for ledger, (statements, state) in zip(periods, run(plan, periods), strict=True):
        member_ids = {m.person_id for m in ledger.members}
        assert {s.person_id for s in statements} == member_ids
        assert set(state.draw_balances) <= member_ids
        assert all(balance > 0 for balance in state.draw_balances.values())


@settings(max_examples=300)
@given(st.integers(-10**15, 10**15),
       st.dictionaries(st.integers(-40, 40), st.one_of(st.integers(0, 6), st.integers(0, 10**12)), min_size=1,
                       max_size=12))
def test_allocate_one_is_the_share_allocate_gives_each_key(total: int, weights: dict[int, int]) -> None:
    # Small weights (and repeated ones) make ties of remainders, broken by the lower key in both.
    try:
        shares = allocate(total, weights)
    except ValueError:
        for key in weights:
            with pytest.raises(ValueError):
                allocate_one(total, weights, key)
        return
    assert {key: allocate_one(total, weights, key) for key in weights} == shares
