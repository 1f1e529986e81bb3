"""The columnar engine pays what the readable oracle (``oracle.py``) pays, to the cent, line for line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import oracle
import pytest
from comp_helpers import (
    DEPARTED,
    account_manager,
    credit,
    falloff,
    is_perm,
    lead,
    ledger_runs,
    ledgers,
    members,
    pay_lines,
    plan_params,
    recruiter,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.comp import (
    ROLE_CODES,
    ROLES,
    FallOff,
    Member,
    PeriodLedger,
    PlacementCredit,
    PlanState,
    build_plan,
    columns_of,
    ledger_of,
)
from sim.comp.money import MAX_CENTS, floor_div, largest_remainder


def agree(params: dict, periods: list[PeriodLedger]) -> None:
    """Consecutive periods, engine and oracle each carrying its own state: the same statements and states."""
    plan = build_plan(params)
    mine = theirs = plan.initial_state()
    for ledger in periods:
        statements, mine = pay_lines(plan, ledger, mine)
        expected, theirs = oracle.pay(params, ledger, theirs)
        assert statements == expected
        assert mine == theirs


def remap(ledger: PeriodLedger, person: Callable[[int], int], pod: Callable[[int], int]) -> PeriodLedger:
    """The same facts under other person ids and pod numbers (order-changing, negative or huge)."""
    return PeriodLedger(
        ledger.period,
        tuple(Member(person(m.person_id), m.role, pod(m.pod), m.tenure_months) for m in ledger.members),
        tuple(PlacementCredit(c.placement_id, person(c.recruiter_id), pod(c.recruiter_pod),
                              person(c.account_manager_id), pod(c.account_manager_pod), c.gp_cents, c.perm)
              for c in ledger.credits),
        tuple(FallOff(f.placement_id, person(f.recruiter_id), pod(f.recruiter_pod), person(f.account_manager_id),
                      pod(f.account_manager_pod), f.refund_cents, f.clawback_fraction) for f in ledger.falloffs))


def scale(ledger: PeriodLedger, factor: int) -> PeriodLedger:
    """The same ledger with every GP and refund multiplied by ``factor``."""
    return PeriodLedger(
        ledger.period, ledger.members,
        tuple(PlacementCredit(c.placement_id, c.recruiter_id, c.recruiter_pod, c.account_manager_id,
                              c.account_manager_pod, c.gp_cents * factor, c.perm) for c in ledger.credits),
        tuple(FallOff(f.placement_id, f.recruiter_id, f.recruiter_pod, f.account_manager_id, f.account_manager_pod,
                      f.refund_cents * factor, f.clawback_fraction) for f in ledger.falloffs))


IDS = {"as is": lambda i: i, "reversed and negative": lambda i: -7 * i, "huge": lambda i: 10**15 + 3 * i}
PODS = {"as is": lambda p: p, "negative": lambda p: -p, "huge": lambda p: 10**12 * p}


@st.composite
def runs_of_any_ids(draw: st.DrawFn) -> list[PeriodLedger]:
    person, pod = IDS[draw(st.sampled_from(sorted(IDS)))], PODS[draw(st.sampled_from(sorted(PODS)))]
    return [remap(ledger, person, pod) for ledger in draw(ledger_runs())]


@st.composite
def placement_runs(draw: st.DrawFn, periods: int = 6) -> list[PeriodLedger]:
    """Runs shaped like the simulation's: perm placements credited once, contracts for a few months, and
    fall-offs of placements credited up to three months before by the people who made them."""
    team = draw(members())
    producers = [m for m in team if m.role != "pod_lead"]
    if len(producers) < 2:
        team = (*team, recruiter(90, pod=1), account_manager(91, pod=2))
        producers = [m for m in team if m.role != "pod_lead"]
    made: list[tuple[int, int, PlacementCredit]] = []  # (period, months billed, credit)
    out, next_id = [], 1000
    for period in range(draw(st.integers(1, periods))):
        for _ in range(draw(st.integers(0, 8))):
            r, a = draw(st.lists(st.sampled_from(producers), min_size=2, max_size=2, unique=True))
            perm = is_perm(next_id)
            gp = draw(st.integers(0, 2_000_000))
            made.append((period, 1 if perm else draw(st.integers(1, 3)),
                         credit(next_id, r.person_id, a.person_id, gp, r.pod, a.pod, perm)))
            next_id += draw(st.integers(1, 3))
        credits = tuple(c for p, months, c in made if p + months > period)
        recent = [c for p, _, c in made if period - 3 <= p <= period and c.perm]
        falling = draw(st.lists(st.sampled_from(recent), max_size=3, unique_by=lambda c: c.placement_id)) \
            if recent else []
        falloffs = tuple(FallOff(c.placement_id, c.recruiter_id, c.recruiter_pod, c.account_manager_id,
                                 c.account_manager_pod, draw(st.integers(0, c.gp_cents)),
                                 draw(st.sampled_from([0.0, 0.25, 1 / 3, 0.5, 1.0]))) for c in falling)
        out.append(PeriodLedger(period, team, credits, falloffs))
        if team and draw(st.booleans()):  # someone leaves: their credits and fall-offs are forfeited from now on
            gone = draw(st.sampled_from(team))
            team = tuple(m for m in team if m != gone)
        team = tuple(Member(m.person_id, m.role, m.pod, m.tenure_months + 1) for m in team)
    return out


ODD_RATES = st.sampled_from([0.123456789, 0.987654321, 1 / 7, 0.3, 1.0])


@st.composite
def plans_with_odd_rates(draw: st.DrawFn) -> dict[str, Any]:
    """Plans whose rates have nine decimal places (products beyond int64 at large amounts)."""
    kind = draw(st.sampled_from(["individual", "team_pool", "hybrid", "salary"]))
    params: dict[str, Any] = {"type": kind, "pod_lead": {"override_rate": draw(ODD_RATES),
                                                         "development_bonus": 100, "milestone_months": 2},
                              "split": draw(st.sampled_from([{"recruiter": 0.123456789, "account_manager": 0.876543211},
                                                             {"recruiter": 0.5, "account_manager": 0.5}]))}
    individual = {"tiers": [{"from": 0, "rate": draw(ODD_RATES)}, {"from": 5000, "rate": draw(ODD_RATES)}],
                  "accelerator": draw(st.sampled_from(["marginal", "tiered"])), "threshold": 100}
    pool = {"rate": draw(ODD_RATES), "basis": draw(st.sampled_from(["pod", "firm"])),
            "sharing": "role_weights", "role_weights": {"recruiter": 1.000001, "account_manager": 2.5}}
    if kind != "salary":
        params |= {"clawback": draw(st.booleans()), "draw": {"months": 3, "amount": 1000}}
    if kind == "individual":
        params |= individual
    elif kind == "team_pool":
        params |= pool
    elif kind == "hybrid":
        params |= {"individual_weight": draw(st.sampled_from([0.333333333, 0.5])), "individual": individual,
                   "team_pool": pool}
    return params


@settings(max_examples=200, deadline=None)
@given(plan_params(), ledger_runs())
def test_engine_pays_what_the_oracle_pays_for_every_plan_over_multi_period_runs(params: dict, periods: list) -> None:
    agree(params, periods)


@settings(max_examples=150, deadline=None)
@given(plan_params(), placement_runs())
def test_engine_claws_back_what_the_oracle_claws_back_of_commission_paid_earlier(params: dict, periods: list) -> None:
    agree(params, periods)


@settings(max_examples=80, deadline=None)
@given(plan_params(), runs_of_any_ids())
def test_engine_pays_what_the_oracle_pays_whatever_the_person_ids_and_pods(params: dict, periods: list) -> None:
    agree(params, periods)


@settings(max_examples=80, deadline=None)
@given(plan_params(), ledgers(max_credits=40, max_falloffs=8))
def test_engine_pays_what_the_oracle_pays_on_busy_ledgers_with_repeated_placements(params: dict,
                                                                                  ledger: PeriodLedger) -> None:
    # Many credits over few placement ids: a person often holds a placement twice, or both of its sides.
    agree(params, [ledger, PeriodLedger(1, ledger.members, ledger.credits, ledger.falloffs)])


@settings(max_examples=120, deadline=None)
@given(st.one_of(plan_params(), plans_with_odd_rates()), st.one_of(ledger_runs(periods=2), placement_runs(3)),
       st.sampled_from([1, 1000, 10**5, 3 * 10**6, 10**7]))
def test_engine_is_exact_up_to_its_bound_with_any_rates(params: dict, periods: list, factor: int) -> None:
    # GP up to some 2**47 cents a period: products of amounts and rates far beyond int64.
    agree(params, [scale(ledger, factor) for ledger in periods])


def test_a_period_beyond_the_bound_is_refused_with_a_clear_error() -> None:
    team = (recruiter(1), account_manager(2))
    plan = build_plan({"type": "individual", "rate": 0.1})
    with pytest.raises(ValueError, match="bound of 2\\*\\*50 cents"):
        plan.pay(PeriodLedger(0, team, (credit(1, 1, 2, MAX_CENTS),)), plan.initial_state())
    plan.pay(PeriodLedger(0, team, (credit(1, 1, 2, MAX_CENTS // 2),)), plan.initial_state())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 10**15)), min_size=1, max_size=12),
       st.lists(st.integers(0, MAX_CENTS - 1), min_size=4, max_size=4))
def test_largest_remainder_is_exact_for_any_amounts_below_the_bound(entries: list, totals: list) -> None:
    entries = sorted(entries, key=lambda e: e[0])  # by group; keys (descending positions) within a group
    group = np.array([g for g, _ in entries])
    weight = np.array([w for _, w in entries])
    key = np.arange(len(entries))
    weight_sum = np.array([sum(w for g, w in entries if g == k) for k in range(4)], dtype=np.int64)
    got = largest_remainder(group, key, np.array(totals), weight, weight_sum).tolist()
    for g in range(4):
        wanted = oracle.split(totals[g], {int(key[i]): int(weight[i]) for i in range(len(entries)) if group[i] == g})
        assert {int(key[i]): got[i] for i in range(len(entries)) if group[i] == g} == wanted
    values = np.array(totals)
    for num, den in ((1, 3), (123456789, 10**9), (10**18 - 1, 10**18), (0, 7)):
        q, r = floor_div(values, num, den, MAX_CENTS)
        assert list(zip(q.tolist(), r.tolist(), strict=True)) == [divmod(v * num, den) for v in totals]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from([0, 1, 2, 3, 10**9]), min_size=17, max_size=60), st.integers(0, 10**6))
def test_largest_remainder_is_exact_in_large_groups_with_many_ties(weights: list, total: int) -> None:
    key = np.arange(len(weights))
    got = largest_remainder(np.zeros(len(weights), dtype=np.int64), key, np.array([total]), np.array(weights),
                            np.array([sum(weights)]))
    assert dict(zip(key.tolist(), got.tolist(), strict=True)) == oracle.split(
        total, dict(zip(key.tolist(), weights, strict=True)))
    equal = largest_remainder(np.zeros(len(weights), dtype=np.int64), key, np.array([total]))
    assert dict(zip(key.tolist(), equal.tolist(), strict=True)) == oracle.split(total, dict.fromkeys(key.tolist(), 1))


def test_commission_on_contracts_is_not_remembered_and_so_never_clawed_back() -> None:
    team = (recruiter(1), account_manager(2))
    plan = build_plan({"type": "individual", "rate": 0.25})
    month0 = PeriodLedger(0, team, (credit(10, 1, 2, 1_000_000), credit(11, 1, 2, 40_000, perm=False)))
    _, state = pay_lines(plan, month0, plan.initial_state())
    assert state.commission_paid == ((0, {(10, 1): 125_000, (10, 2): 125_000}),)
    month1 = PeriodLedger(1, team, (), (falloff(10, 1, 2, 0, 1.0), falloff(11, 1, 2, 0, 1.0)))
    statements, _ = pay_lines(plan, month1, state)
    assert [s.cents_of("clawback") for s in statements] == [-125_000, -125_000]


@settings(max_examples=100, deadline=None)
@given(ledgers())
def test_columns_round_trip_exactly(ledger: PeriodLedger) -> None:
    cols = columns_of(ledger)
    assert ledger_of(cols) == ledger
    assert [ROLES[code] for code in cols.member_roles.tolist()] == [m.role for m in ledger.members]
    assert ROLE_CODES == {"recruiter": 0, "account_manager": 1, "pod_lead": 2}
    assert ledger_of(cols._replace(credit_perm=None)).credits == tuple(replace(c, perm=True) for c in ledger.credits)


def test_empty_ledgers_and_columns_of_other_integer_types_pay_as_int64() -> None:
    team = (recruiter(1), account_manager(2), lead(3))
    ledger = PeriodLedger(0, team, (credit(10, 1, 2, 1_000_001), credit(11, 1, DEPARTED, 3_000)))
    cols = columns_of(ledger)
    narrow = cols._replace(**{name: getattr(cols, name).astype(np.int32) for name in cols._fields
                              if name.startswith("credit_") and name != "credit_perm"},
                           member_pods=cols.member_pods.tolist(), member_roles=cols.member_roles.tolist())
    plan = build_plan({"type": "hybrid", "pod_lead": {"override_rate": 0.05}})
    assert plan.pay(narrow, PlanState()).total_cents.tolist() == plan.pay(cols, PlanState()).total_cents.tolist()
    for params in ({"type": "salary"}, {"type": "individual", "draw": {}}, {"type": "team_pool", "basis": "firm"},
                   {"type": "hybrid", "pod_lead": {"override_rate": 0.1, "development_bonus": 10}}):
        plan = build_plan(params)
        paid = plan.pay(PeriodLedger(3, ()), plan.initial_state(), lines=True)
        assert paid.total_cents.tolist() == [] and paid.statements == () and paid.by_kind["total"] == 0
        assert paid.state == plan.initial_state()
