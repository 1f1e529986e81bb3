"""``Plan.pay_totals`` on ledger columns equals ``Plan.pay`` to the cent, and columns round-trip exactly."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
from comp_helpers import (
    DEPARTED,
    account_manager,
    credit,
    falloff,
    lead,
    ledger_runs,
    ledgers,
    members,
    plan_params,
    recruiter,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.comp import (
    POD_LEAD,
    ROLE_CODES,
    ROLES,
    FallOff,
    Member,
    PeriodLedger,
    PlacementCredit,
    Plan,
    PlanState,
    build_plan,
    columns_of,
    ledger_of,
    payroll_totals,
)
from sim.comp.paid import PaidRecord, paid_in_history
from sim.comp.totals import SAFE
from sim.comp.vectorised import LIMIT, Lookup


def assert_totals_equal_pay(plan: Plan, ledger: PeriodLedger, state: PlanState) -> PlanState:
    """pay_totals on the columns == pay on the ledger: totals per member, by kind, next state."""
    statements, after = plan.pay(ledger, state)
    paid = plan.pay_totals(columns_of(ledger), state)
    assert paid.total_cents.tolist() == [s.total_cents for s in statements]
    assert paid.by_kind == payroll_totals(statements)
    assert list(paid.by_kind) == list(payroll_totals(statements))
    assert paid.state == after
    if all(abs(s.total_cents) < 2**63 for s in statements):
        assert paid.total_cents.dtype == np.int64
    return after


def run_both(plan: Plan, periods: list[PeriodLedger], states_each_period: bool = True) -> None:
    """Consecutive periods, each engine carrying its own state. With ``states_each_period`` off the states
    are compared only at the end (comparing a recorded period reads it whole; here later periods read it
    as pay_totals does)."""
    state_pay, state_totals = plan.initial_state(), plan.initial_state()
    for ledger in periods:
        statements, state_pay = plan.pay(ledger, state_pay)
        paid = plan.pay_totals(columns_of(ledger), state_totals)
        assert paid.total_cents.tolist() == [s.total_cents for s in statements]
        assert paid.by_kind == payroll_totals(statements)
        if states_each_period:
            assert paid.state == state_pay
        state_totals = paid.state
    assert state_totals == state_pay


# ------------------------------------------------------------------------------------------ ledgers
def remap(ledger: PeriodLedger, person: Callable[[int], int], pod: Callable[[int], int]) -> PeriodLedger:
    """The same facts under other person ids and pod numbers (order-changing, negative or huge)."""
    return PeriodLedger(
        ledger.period,
        tuple(Member(person(m.person_id), m.role, pod(m.pod), m.tenure_months) for m in ledger.members),
        tuple(PlacementCredit(c.placement_id, person(c.recruiter_id), pod(c.recruiter_pod),
                              person(c.account_manager_id), pod(c.account_manager_pod), c.gp_cents)
              for c in ledger.credits),
        tuple(FallOff(f.placement_id, person(f.recruiter_id), pod(f.recruiter_pod), person(f.account_manager_id),
                      pod(f.account_manager_pod), f.refund_cents, f.clawback_fraction) for f in ledger.falloffs))


def scale(ledger: PeriodLedger, factor: int) -> PeriodLedger:
    """The same ledger with every GP and refund multiplied by ``factor``."""
    return PeriodLedger(
        ledger.period, ledger.members,
        tuple(PlacementCredit(c.placement_id, c.recruiter_id, c.recruiter_pod, c.account_manager_id,
                              c.account_manager_pod, c.gp_cents * factor) for c in ledger.credits),
        tuple(FallOff(f.placement_id, f.recruiter_id, f.recruiter_pod, f.account_manager_id, f.account_manager_pod,
                      f.refund_cents * factor, f.clawback_fraction) for f in ledger.falloffs))


IDS = {
    "as is": lambda i: i,
    "reversed and negative": lambda i: -7 * i,
    "huge": lambda i: 10**15 + 3 * i,
}
PODS = {
    "as is": lambda p: p,
    "negative": lambda p: -p,
    "huge": lambda p: 10**12 * p,
}


@st.composite
def runs_of_any_ids(draw: st.DrawFn, periods: int = 4) -> list[PeriodLedger]:
    person, pod = IDS[draw(st.sampled_from(sorted(IDS)))], PODS[draw(st.sampled_from(sorted(PODS)))]
    return [remap(ledger, person, pod) for ledger in draw(ledger_runs(periods))]


@st.composite
def placement_runs(draw: st.DrawFn, periods: int = 6) -> list[PeriodLedger]:
    """Runs shaped like the simulation's: every placement credited once a month (perm) or for a few
    months (contract) by two different producers, and fall-offs of placements credited this month or
    up to three months before, naming the people who made them (so clawbacks find commission paid)."""
    team = draw(members())
    producers = [m for m in team if m.role != POD_LEAD]
    if len(producers) < 2:
        team = (*team, recruiter(90, pod=1), account_manager(91, pod=2))
        producers = [m for m in team if m.role != POD_LEAD]
    made: list[tuple[int, int, PlacementCredit]] = []  # (period, months left, credit)
    out, next_id = [], 1000
    for period in range(draw(st.integers(1, periods))):
        credits = []
        for _ in range(draw(st.integers(0, 8))):
            r, a = draw(st.lists(st.sampled_from(producers), min_size=2, max_size=2, unique=True))
            c = PlacementCredit(next_id, r.person_id, r.pod, a.person_id, a.pod, draw(st.integers(0, 2_000_000)))
            next_id += draw(st.integers(1, 3))
            made.append((period, draw(st.integers(1, 3)), c))
        running = [(p, left, c) for p, left, c in made if p + left > period]
        credits = [PlacementCredit(c.placement_id, c.recruiter_id, c.recruiter_pod, c.account_manager_id,
                                   c.account_manager_pod, c.gp_cents) for _, _, c in running]
        recent = [c for p, _, c in made if period - 3 <= p <= period]
        falloffs = []
        if recent:
            for c in draw(st.lists(st.sampled_from(recent), max_size=3, unique_by=lambda c: c.placement_id)):
                falloffs.append(FallOff(c.placement_id, c.recruiter_id, c.recruiter_pod, c.account_manager_id,
                                        c.account_manager_pod, draw(st.integers(0, c.gp_cents)), draw(FRACTIONS)))
        out.append(PeriodLedger(period, team, tuple(credits), tuple(falloffs)))
        if team and draw(st.booleans()):  # someone leaves: their credits and fall-offs are forfeited from now on
            gone = draw(st.sampled_from(team))
            team = tuple(m for m in team if m != gone)
        team = tuple(Member(m.person_id, m.role, m.pod, m.tenure_months + 1) for m in team)
    return out


FRACTIONS = st.sampled_from([0.0, 0.25, 1 / 3, 0.5, 1.0])


# ----------------------------------------------------------------------------------------- properties
@settings(max_examples=250, deadline=None)
@given(plan_params(), ledger_runs())
def test_pay_totals_equal_pay_for_every_plan_over_multi_period_runs(params: dict, periods: list[PeriodLedger]) -> None:
    run_both(build_plan(params), periods)


@settings(max_examples=150, deadline=None)
@given(plan_params(), placement_runs())
def test_pay_totals_equal_pay_when_fall_offs_claw_back_recorded_commission(params: dict,
                                                                           periods: list[PeriodLedger]) -> None:
    run_both(build_plan(params), periods, states_each_period=False)


@settings(max_examples=100, deadline=None)
@given(plan_params(), runs_of_any_ids())
def test_pay_totals_equal_pay_whatever_the_person_ids_and_pods(params: dict, periods: list[PeriodLedger]) -> None:
    run_both(build_plan(params), periods)


@settings(max_examples=100, deadline=None)
@given(plan_params(), st.data())
def test_pay_totals_equal_pay_on_busy_ledgers_with_repeated_placements(params: dict, data: st.DataObject) -> None:
    # Many credits over few placement ids: a person often holds a placement twice, or both of its sides.
    ledger = data.draw(ledgers(max_credits=40, max_falloffs=8))
    plan = build_plan(params)
    state = assert_totals_equal_pay(plan, ledger, plan.initial_state())
    assert_totals_equal_pay(plan, PeriodLedger(1, ledger.members, ledger.credits, ledger.falloffs), state)


ODD_RATES = st.sampled_from([0.123456789, 0.987654321, 1 / 7, 0.3, 1.0])


@st.composite
def plans_with_odd_rates(draw: st.DrawFn) -> dict[str, Any]:
    """Plans whose rates have large denominators (large int64 products)."""
    kind = draw(st.sampled_from(["individual", "team_pool", "hybrid", "salary"]))
    params: dict[str, Any] = {"type": kind, "pod_lead": {"override_rate": draw(ODD_RATES),
                                                         "development_bonus": 100, "milestone_months": 2},
                              "split": draw(st.sampled_from([{"recruiter": 0.123456789,
                                                              "account_manager": 0.876543211},
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
        params |= {"individual_weight": draw(st.sampled_from([0.3333333, 0.5])), "individual": individual,
                   "team_pool": pool}
    return params


@settings(max_examples=150, deadline=None)
@given(st.one_of(plan_params(), plans_with_odd_rates()), st.one_of(ledger_runs(periods=2), placement_runs(3)),
       st.sampled_from([1, 1000, 10**5, 3 * 10**6, 10**9, 10**10, 2**40]))
def test_pay_totals_equal_pay_on_huge_amounts_through_every_overflow_guard(
        params: dict, periods: list[PeriodLedger], factor: int) -> None:
    # Factors take the period's GP from ordinary cents past 2**53 (exact int64 sums instead of float
    # bincount), past int64 products (Python ints per step) and past SAFE (the whole period through pay()).
    run_both(build_plan(params), [scale(ledger, factor) for ledger in periods])


@settings(max_examples=150, deadline=None)
@given(ledgers())
def test_columns_round_trip_exactly(ledger: PeriodLedger) -> None:
    cols = columns_of(ledger)
    assert ledger_of(cols) == ledger
    assert cols.period == ledger.period and cols.falloffs == ledger.falloffs
    assert cols.member_roles.dtype == np.int8
    for name in cols._fields:
        if name.startswith(("member_", "credit_")) and name != "member_roles":
            assert getattr(cols, name).dtype == np.int64, name
    assert [ROLES[code] for code in cols.member_roles.tolist()] == [m.role for m in ledger.members]
    assert cols.credit_gp_cents.tolist() == [c.gp_cents for c in ledger.credits]


def test_role_codes_follow_roles_and_empty_ledgers_round_trip() -> None:
    assert ROLE_CODES == {"recruiter": 0, "account_manager": 1, "pod_lead": 2}
    empty = PeriodLedger(3, ())
    assert ledger_of(columns_of(empty)) == empty
    for params in ({"type": "salary"}, {"type": "individual", "draw": {}}, {"type": "team_pool", "basis": "firm"},
                   {"type": "hybrid", "pod_lead": {"override_rate": 0.1, "development_bonus": 10}}):
        plan = build_plan(params)
        paid = plan.pay_totals(columns_of(empty), plan.initial_state())
        assert paid.total_cents.tolist() == [] and paid.by_kind == payroll_totals(())
        assert paid.state == plan.initial_state()


@settings(max_examples=50, deadline=None)
@given(plan_params(), members())
def test_zero_gp_pays_what_pay_pays(params: dict, team: tuple[Member, ...]) -> None:
    producers = [m for m in team if m.role != "pod_lead"]
    credits = tuple(credit(i, m.person_id, producers[0].person_id, 0, m.pod, producers[0].pod)
                    for i, m in enumerate(producers))
    plan = build_plan(params)
    assert_totals_equal_pay(plan, PeriodLedger(0, team, credits), plan.initial_state())


def test_a_value_beyond_int64_cannot_become_a_column() -> None:
    ledger = PeriodLedger(0, (recruiter(1),), (credit(1, 1, 1, 2**64),))
    try:
        columns_of(ledger)
    except OverflowError:
        pass
    else:
        raise AssertionError("expected OverflowError")
    assert SAFE < LIMIT


# ------------------------------------------------------------------------------------- known answers
def test_pool_leftover_cents_go_to_the_lowest_person_ids() -> None:
    # Pod 1: producers 7, 3, 5 and lead 9. GP 1_000 cents at rate 0.1: a pool of 100 = 33 + 33 + 33,
    # the leftover cent to person 3 (the lowest id). Pod 2's producer 4 shares a credit of GP 10 cents
    # made with departed 901 (pod 2 in the credit): 0.1 * 10 = 1 cent to 4.
    team = (recruiter(7), account_manager(3), recruiter(5), lead(9), account_manager(4, pod=2))
    ledger = PeriodLedger(0, team, (credit(1, 7, 3, 1_000), credit(2, DEPARTED + 1, 4, 10, r_pod=2, a_pod=2)))
    plan = build_plan({"type": "team_pool", "rate": 0.1})
    paid = plan.pay_totals(columns_of(ledger), plan.initial_state())
    assert paid.total_cents.tolist() == [400_000 + 33, 450_000 + 34, 400_000 + 33, 700_000, 450_000 + 1]
    assert paid.by_kind["pool"] == 101 and paid.by_kind["total"] == 2_400_000 + 101
    assert_totals_equal_pay(plan, ledger, plan.initial_state())


def test_tiered_schedule_across_a_tier_boundary_marginal_and_retroactive() -> None:
    # All GP to the recruiter (split 1/0); tiers: 10% from $0, 20% from $1,000 (100_000 cents).
    tiers = [{"from": 0, "rate": 0.1}, {"from": 1000, "rate": 0.2}]
    team = (recruiter(1), recruiter(2), account_manager(3))
    credits = (credit(1, 1, 3, 150_050), credit(2, 2, 3, 99_995))
    ledger = PeriodLedger(0, team, credits)
    split = {"recruiter": 1.0, "account_manager": 0.0}
    marginal = build_plan({"type": "individual", "tiers": tiers, "split": split})
    retro = build_plan({"type": "individual", "tiers": tiers, "accelerator": "tiered", "split": split})
    # Person 1, 150_050: marginal 100_000 * 0.1 + 50_050 * 0.2 = 20_010; retroactive 150_050 * 0.2 = 30_010.
    # Person 2, 99_995 (below the boundary): 9_999.5 -> 10_000 (half-even) under both.
    assert marginal.pay_totals(columns_of(ledger), PlanState()).total_cents.tolist() == [
        400_000 + 20_010, 400_000 + 10_000, 450_000]
    assert retro.pay_totals(columns_of(ledger), PlanState()).total_cents.tolist() == [
        400_000 + 30_010, 400_000 + 10_000, 450_000]
    for plan in (marginal, retro):
        assert_totals_equal_pay(plan, ledger, PlanState())


def test_override_on_net_gp_after_a_refund_split_between_two_leads() -> None:
    # Pod 1 has two leads (8 and 2): net GP 1_000_020 - refund 200_000 = 800_020; 5% = 40_001, split
    # 20_001 to lead 2 (the lower id) and 20_000 to lead 8. Producer 5 reaches the 6-month milestone:
    # a $100 bonus, 5_000 each.
    team = (lead(8), lead(2), recruiter(4), account_manager(5, tenure=6))
    ledger = PeriodLedger(0, team, (credit(1, 4, 5, 1_000_020),), (falloff(0, 4, 5, 200_000, 1.0),))
    plan = build_plan({"type": "salary", "pod_lead": {"override_rate": 0.05, "development_bonus": 100,
                                                      "milestone_months": 6}})
    paid = plan.pay_totals(columns_of(ledger), plan.initial_state())
    assert paid.total_cents.tolist() == [700_000 + 20_000 + 5_000, 700_000 + 20_001 + 5_000, 400_000, 450_000]
    assert paid.by_kind["override"] == 40_001 and paid.by_kind["development_bonus"] == 10_000
    assert_totals_equal_pay(plan, ledger, plan.initial_state())


def test_clawback_takes_back_the_recorded_commission_a_month_later() -> None:
    # Month 0: placement 10, GP 1_000_001 split 500_000 (half-even) / 500_001; 25% = 125_000 and
    # 125_000.25 -> 125_000. Month 1: it falls off with half clawed back: -62_500 each.
    team = (recruiter(1), account_manager(2))
    plan = build_plan({"type": "individual", "rate": 0.25})
    month0 = PeriodLedger(0, team, (credit(10, 1, 2, 1_000_001),))
    first = plan.pay_totals(columns_of(month0), plan.initial_state())
    assert first.total_cents.tolist() == [400_000 + 125_000, 450_000 + 125_000]
    assert first.state.commission_paid == ((0, {1: {10: 125_000}, 2: {10: 125_000}}),)
    month1 = PeriodLedger(1, team, (), (falloff(10, 1, 2, 1_000_001, 0.5),))
    second = plan.pay_totals(columns_of(month1), first.state)
    assert second.total_cents.tolist() == [400_000 - 62_500, 450_000 - 62_500]
    assert second.by_kind["clawback"] == -125_000
    assert_totals_equal_pay(plan, month1, assert_totals_equal_pay(plan, month0, plan.initial_state()))


def test_clawbacks_beyond_int64_take_the_pay_path_and_still_agree() -> None:
    # A state claiming 2**64 cents paid on placement 10: clawing it back cannot be summed in int64, so
    # the period goes through pay(); the member's total is then beyond int64 (an object array).
    team = (recruiter(1), account_manager(2))
    plan = build_plan({"type": "individual", "rate": 0.25})
    for paid in (2**60, 2**64):
        state = PlanState(commission_paid=((0, {1: {10: paid}}),))
        ledger = PeriodLedger(1, team, (credit(11, 1, 2, 1_000),), (falloff(10, 1, 2, 500, 1.0),))
        assert_totals_equal_pay(plan, ledger, state)


@settings(max_examples=100, deadline=None)
@given(plan_params(), placement_runs(), st.lists(st.booleans(), min_size=6, max_size=6))
def test_either_engine_carries_on_from_the_state_the_other_left(params: dict, periods: list[PeriodLedger],
                                                                 use_totals: list[bool]) -> None:
    # Paying some months with pay() and others with pay_totals() gives the same pay and states as pay()
    # throughout: a state holding PaidRecords is read by pay(), and one holding dicts by pay_totals().
    plan = build_plan(params)
    reference, mixed = plan.initial_state(), plan.initial_state()
    for ledger, fast in zip(periods, use_totals, strict=False):
        statements, reference = plan.pay(ledger, reference)
        if fast:
            paid = plan.pay_totals(columns_of(ledger), mixed)
            assert paid.total_cents.tolist() == [s.total_cents for s in statements]
            mixed = paid.state
        else:
            again, mixed = plan.pay(ledger, mixed)
            assert again == statements
        assert mixed == reference


def test_a_recorded_period_reads_compares_and_pickles_as_the_dict_pay_records() -> None:
    team = (recruiter(1), account_manager(2), recruiter(3, pod=2))
    plan = build_plan({"type": "individual", "rate": 0.25})
    ledger = PeriodLedger(0, team, (credit(10, 1, 2, 1_000_001), credit(11, 3, 2, 30_003, r_pod=2),
                                    credit(12, 3, DEPARTED, 999, r_pod=2)))
    _, by_pay = plan.pay(ledger, plan.initial_state())
    by_totals = plan.pay_totals(columns_of(ledger), plan.initial_state()).state
    record, expected = by_totals.commission_paid[0][1], by_pay.commission_paid[0][1]
    assert isinstance(record, PaidRecord) and type(expected) is dict
    assert record == expected and expected == record and record == record and record != 5
    assert dict(record) == expected and len(record) == len(expected) and record[1] == expected[1]
    assert repr(record).startswith("PaidRecord({") and eval(repr(record)[len("PaidRecord("):-1]) == expected
    assert record.cents_on(10, 2) == expected[2][10] and record.cents_on(12, 3) == expected[3][12]
    assert record.cents_on(99, 2) == 0 and record.cents_on(10, 3) == 0
    restored = pickle.loads(pickle.dumps(by_totals))
    assert restored == by_pay and type(restored.commission_paid[0][1]) is dict
    assert copy.deepcopy(by_totals) == by_pay
    assert paid_in_history(by_totals.commission_paid, []) == {}


RECORDING_PLANS = [{"type": "individual", "rate": 0.3}, {"type": "hybrid", "individual_weight": 0.5},
                   {"type": "individual", "tiers": [{"from": 0, "rate": 0.1}, {"from": 50, "rate": 0.7}],
                    "threshold": 5}]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(RECORDING_PLANS), ledgers(max_credits=40, max_falloffs=8))
def test_a_recorded_period_is_looked_up_pair_by_pair_as_pay_records_it(params: dict, ledger: PeriodLedger) -> None:
    # A lookup allocates only the people asked about, in Python ints (the mapping allocates everyone
    # at once, vectorised): every (placement, person) reads what pay() recorded, people credited twice
    # on a placement or on both of its sides, people gone and placements nobody holds included, and
    # the period's own clawbacks (fall-offs of its placements) overwrite the allocation.
    plan = build_plan(params)
    _, by_pay = plan.pay(ledger, plan.initial_state())
    state = plan.pay_totals(columns_of(ledger), plan.initial_state()).state
    if not by_pay.commission_paid:
        assert not state.commission_paid
        return
    expected = by_pay.commission_paid[0][1]
    people = {m.person_id for m in ledger.members} | {DEPARTED + 99}
    people |= {p for c in ledger.credits for p in (c.recruiter_id, c.account_manager_id)}
    placements = {c.placement_id for c in ledger.credits} | {f.placement_id for f in ledger.falloffs} | {-1}
    pairs = [(placement, person) for placement in placements for person in people]
    wanted = {(placement, person): expected.get(person, {}).get(placement, 0) for placement, person in pairs}
    assert paid_in_history(state.commission_paid, pairs) == wanted  # all at once, before any read as a dict
    record = state.commission_paid[0][1]
    assert all(record.cents_on(placement, person) == cents for (placement, person), cents in wanted.items())
    assert record == expected


def test_clawbacks_of_placements_held_twice_and_falling_off_twice() -> None:
    # Month 1: person 1 is both sides of placement 10 and credited twice on placement 11, so the month's
    # record is summed per placement; placement 5 (credited in month 0, outside month 1's placements)
    # falls off half, and again fully in month 2: the second clawback reads what the first left
    # recorded in month 1. Month 3 holds placement 13 twice and it falls off that month. Month 4 pays
    # placement 20, which falls off in month 4 (named once with person 3, who did not make it) and
    # again in month 5; in month 6 placement 21 falls off, naming its account manager only.
    team = (recruiter(1), account_manager(2), recruiter(3))
    plan = build_plan({"type": "individual", "rate": 0.3, "split": {"recruiter": 0.6, "account_manager": 0.4}})
    months = [
        PeriodLedger(0, team, (credit(5, 1, 2, 500_001),)),
        PeriodLedger(1, team, (credit(10, 1, 1, 300_001), credit(11, 1, 2, 7_777), credit(11, 1, 2, 1_001)),
                     (falloff(5, 1, 2, 250_000, 0.5),)),
        PeriodLedger(2, team, (credit(12, 1, 2, 40_000),), (falloff(5, 1, 2, 250_000, 1.0),)),
        PeriodLedger(3, team, (credit(13, 2, 2, 9_999), credit(13, 1, 3, 3_001)),
                     (falloff(11, 1, 2, 0, 1.0), falloff(13, 2, 2, 0, 0.5))),
        PeriodLedger(4, team, (credit(20, 1, 2, 123_457), credit(21, 3, 2, 5_000)),
                     (falloff(20, 1, 2, 1_000, 0.5), falloff(20, 3, 1, 1_000, 1 / 3))),
        PeriodLedger(5, team, (credit(22, 3, 2, 10_000),), (falloff(20, 1, 2, 1_000, 1.0),)),
        PeriodLedger(6, team, (), (falloff(21, 2, 2, 0, 1.0),)),  # 2's month-4 commission is allocated
    ]
    for factor in (1, 10**4, 10**11):  # ordinary cents; bound**2 past 2**62 (a tighter bound); Python ints
        scaled = [scale(ledger, factor) for ledger in months]
        run_both(plan, scaled, states_each_period=False)
        run_both(plan, scaled)
        state = plan.initial_state()
        for ledger in scaled:
            state = assert_totals_equal_pay(plan, ledger, state)


def test_empty_lookups() -> None:
    assert Lookup(np.zeros(0, dtype=np.int64)).find(np.array([3, -1], dtype=np.int64)).tolist() == [0, 0]


def test_periods_too_large_for_int64_sums_are_paid_through_pay() -> None:
    # GP of 2**61 cents (the period's GP past SAFE), and a base salary beyond int64 (fixed pay past SAFE).
    team = (recruiter(1), account_manager(2), lead(3))
    ledger = PeriodLedger(0, team, (credit(1, 1, 2, 2**61),), (falloff(1, 1, 2, 2**60, 0.5),))
    for params in ({"type": "individual", "rate": 0.1}, {"type": "team_pool", "rate": 0.1},
                   {"type": "hybrid", "pod_lead": {"override_rate": 0.1}},
                   {"type": "salary", "base_monthly": {"recruiter": 10**17}}):
        plan = build_plan(params)
        assert_totals_equal_pay(plan, ledger, plan.initial_state())


def test_columns_of_other_integer_types_or_lists_are_read_as_int64() -> None:
    team = (recruiter(1), account_manager(2), lead(3))
    ledger = PeriodLedger(0, team, (credit(10, 1, 2, 1_000_001), credit(11, 1, DEPARTED, 3_000)))
    cols = columns_of(ledger)
    narrow = cols._replace(**{name: getattr(cols, name).astype(np.int32) for name in cols._fields
                              if name.startswith("credit_") or name == "member_ids"},
                           member_pods=cols.member_pods.tolist(), member_roles=cols.member_roles.tolist())
    plan = build_plan({"type": "hybrid", "pod_lead": {"override_rate": 0.05}})
    assert plan.pay_totals(narrow, PlanState()).total_cents.tolist() == \
        plan.pay_totals(cols, PlanState()).total_cents.tolist()


def test_a_firm_of_pod_leads_has_no_pool_to_share() -> None:
    team = (lead(1), lead(2, pod=2))
    ledger = PeriodLedger(0, team, (credit(10, DEPARTED, DEPARTED + 1, 50_000),))
    for params in ({"type": "team_pool", "basis": "firm"}, {"type": "hybrid", "pod_lead": {"override_rate": 0.1}}):
        plan = build_plan(params)
        assert_totals_equal_pay(plan, ledger, plan.initial_state())
    # A fall-off naming only people who have left claws back nothing.
    plan = build_plan({"type": "individual"})
    gone = PeriodLedger(0, (recruiter(3),), (credit(11, 3, 3, 900),), (falloff(10, DEPARTED, DEPARTED + 1, 50, 1.0),))
    assert_totals_equal_pay(plan, gone, plan.initial_state())
