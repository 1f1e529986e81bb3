"""Edge cases of the payout engine: departures, memory, shared roles, two leads, isolation, speed."""

from __future__ import annotations

import pickle
import subprocess
import sys

from comp_helpers import account_manager, by_person, credit, falloff, lead, lines_of, pay_lines, recruiter

from sim.comp import COMMISSION_MEMORY_MONTHS, PeriodLedger, build_plan


def test_departed_people_forfeit_commission_and_clawbacks_but_their_gp_still_funds_the_pod_pool() -> None:
    team = (recruiter(2), account_manager(3))
    # 901 has left: their share of P10 pays nobody commission, but pod 1's GP is the whole 1_000_000.
    ledger = PeriodLedger(0, team, (credit(10, 901, 3, 1_000_000),), (falloff(7, 902, 3, 0, 1.0),))
    individual = build_plan({"type": "individual", "rate": 0.2})
    assert {pid: s.total_cents - s.lines[0].cents
            for pid, s in by_person(pay_lines(individual, ledger, individual.initial_state())[0]).items()} == {
        2: 0, 3: 100_000}  # only the AM's own 500_000 share earns: 0.2 * 500_000
    pool = build_plan({"type": "team_pool", "rate": 0.2})
    shares = by_person(pay_lines(pool, ledger, pool.initial_state())[0])
    assert [lines_of(shares[p])[1:] for p in (2, 3)] == [[("pool", 100_000, None)]] * 2  # 0.2 * 1_000_000 / 2


def test_hybrid_claws_back_a_fraction_of_the_w_scaled_commission_actually_paid() -> None:
    plan = build_plan({"type": "hybrid", "individual_weight": 0.5, "individual": {"rate": 0.25},
                       "team_pool": {"rate": 0.0}})
    team = (recruiter(2), account_manager(3))
    first, state = pay_lines(plan, PeriodLedger(0, team, (credit(10, 2, 3, 1_000_000),)), plan.initial_state())
    assert lines_of(by_person(first)[2])[1:] == [("commission", 62_500, 10)]  # 0.5 * 0.25 * 500_000
    fell, state = pay_lines(plan, PeriodLedger(1, team, (), (falloff(10, 2, 3, 1_000_000, 0.5),)), state)
    assert lines_of(by_person(fell)[2])[1:] == [("clawback", -31_250, 10)]  # 0.5 * 62_500
    again, _ = pay_lines(plan, PeriodLedger(2, team, (), (falloff(10, 2, 3, 0, 1.0),)), state)
    assert lines_of(by_person(again)[2])[1:] == [("clawback", -31_250, 10)]  # only what is left is taken


def test_placement_credited_and_fallen_off_in_the_same_month_is_netted_to_zero() -> None:
    plan = build_plan({"type": "individual", "rate": 0.25})
    team = (recruiter(2), account_manager(3))
    ledger = PeriodLedger(0, team, (credit(10, 2, 3, 1_000_000),), (falloff(10, 2, 3, 1_000_000, 1.0),))
    statements, _ = pay_lines(plan, ledger, plan.initial_state())
    assert lines_of(by_person(statements)[2])[1:] == [("commission", 125_000, 10), ("clawback", -125_000, 10)]


def test_commission_older_than_the_memory_window_is_not_clawed_back() -> None:
    plan = build_plan({"type": "individual", "rate": 0.25})
    team = (recruiter(2), account_manager(3))
    _, state = pay_lines(plan, PeriodLedger(0, team, (credit(10, 2, 3, 1_000_000),)), plan.initial_state())
    last_inside = COMMISSION_MEMORY_MONTHS - 1
    for period in range(1, last_inside):
        _, state = pay_lines(plan, PeriodLedger(period, team), state)
    fell = PeriodLedger(last_inside, team, (), (falloff(10, 2, 3, 1_000_000, 1.0),))
    assert by_person(pay_lines(plan, fell, state)[0])[2].cents_of("clawback") == -125_000
    _, state = pay_lines(plan, PeriodLedger(last_inside, team), state)
    fell_late = PeriodLedger(last_inside + 1, team, (), (falloff(10, 2, 3, 1_000_000, 1.0),))
    assert by_person(pay_lines(plan, fell_late, state)[0])[2].cents_of("clawback") == 0
    assert state.commission_paid == ()  # the history was pruned


def test_one_person_as_recruiter_and_account_manager_gets_one_line_for_the_whole_placement() -> None:
    plan = build_plan({"type": "individual", "rate": 0.25})
    ledger = PeriodLedger(0, (recruiter(2),), (credit(10, 2, 2, 300_101),))
    assert lines_of(pay_lines(plan, ledger, plan.initial_state())[0][0])[1:] == [("commission", 75_025, 10)]
    # 0.25 * (150_050 + 150_051) = 75_025.25 -> 75_025


def test_two_leads_of_one_pod_split_the_override_exactly() -> None:
    plan = build_plan({"type": "salary", "pod_lead": {"override_rate": 0.1}})
    team = (lead(7), lead(1), recruiter(2), account_manager(3))
    pay = by_person(pay_lines(plan, PeriodLedger(0, team, (credit(10, 2, 3, 30_001),)), plan.initial_state())[0])
    # 0.1 * 30_001 = 3_000.1 -> 3_000 = 1_500 + 1_500; with 30_011: 3_001 -> lead 1 (lower id) gets 1_501.
    assert pay[1].cents_of("override") == pay[7].cents_of("override") == 1_500
    pay = by_person(pay_lines(plan, PeriodLedger(0, team, (credit(10, 2, 3, 30_011),)), plan.initial_state())[0])
    assert (pay[1].cents_of("override"), pay[7].cents_of("override")) == (1_501, 1_500)


def test_pool_of_a_pod_without_producers_is_forfeited() -> None:
    plan = build_plan({"type": "team_pool", "rate": 0.1})
    team = (lead(1), recruiter(2, pod=2))
    ledger = PeriodLedger(0, team, (credit(10, 901, 902, 500_000),))  # pod 1 GP from people who left
    statements, _ = pay_lines(plan, ledger, plan.initial_state())
    assert [s.total_cents for s in statements] == [700_000, 400_000]  # pod 1's pool of 50_000 is kept by the firm


def test_importing_the_payout_engine_loads_neither_simpy_nor_other_sim_modules() -> None:
    code = ("import sys, sim.comp; "
            "print(sorted(m for m in sys.modules if m == 'simpy' or (m.startswith('sim.') "
            "and not m.startswith('sim.comp'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_built_plan_pickles_and_pays_the_same_after_the_round_trip() -> None:
    team = (recruiter(2), account_manager(3, tenure=1), lead(4), recruiter(5, pod=2))
    ledger = PeriodLedger(0, team, (credit(10, 2, 3, 1_000_001), credit(11, 5, 3, 7_777, r_pod=2)),
                          (falloff(10, 2, 3, 1_000, 0.5),))
    for params in ({"type": "salary", "pod_lead": {"override_rate": 0.02, "development_bonus": 500}},
                   {"type": "individual", "threshold": 2000, "draw": {}, "tiers": [{"from": 0, "rate": 0.2},
                                                                                  {"from": 20000, "rate": 0.3}]},
                   {"type": "team_pool", "sharing": "role_weights", "role_weights": {"account_manager": 1.5}},
                   {"type": "hybrid", "individual_weight": 0.6, "draw": {}}):
        plan = build_plan(params)
        copy = pickle.loads(pickle.dumps(plan))
        assert pay_lines(copy, ledger, copy.initial_state()) == pay_lines(plan, ledger, plan.initial_state())
        counts = {"recruiter": 2, "account_manager": 2}
        assert copy.marginal_return("recruiter", counts, counts, 1e6) == plan.marginal_return(
            "recruiter", counts, counts, 1e6)
