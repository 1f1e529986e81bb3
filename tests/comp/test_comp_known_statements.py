"""Known answers: statements worked out by hand, with the arithmetic written next to each number.

Amounts in the arithmetic are cents. "half-even" marks a rounding where a .5 went to the even cent;
"LR" marks a largest-remainder allocation of leftover cents.
"""

from __future__ import annotations

from comp_helpers import account_manager, by_person, credit, falloff, lead, lines_of, pay_lines, recruiter

from sim.comp import PeriodLedger, build_plan

# Pod 1: lead 1, recruiter 2, account manager 3; pod 2: account manager 4.
TEAM = (lead(1), recruiter(2), account_manager(3), account_manager(4, pod=2))
# P10: $10,000.00 by 2 and 3. P11: $3,001.01 by 2 (pod 1) and 4 (pod 2).
LEDGER = PeriodLedger(0, TEAM, (credit(10, 2, 3, 1_000_000), credit(11, 2, 4, 300_101, a_pod=2)))


def test_salary_pays_base_by_role_and_nothing_for_production() -> None:
    plan = build_plan({"type": "salary"})
    pay = by_person(pay_lines(plan, LEDGER, plan.initial_state())[0])
    assert [(pid, lines_of(s)) for pid, s in pay.items()] == [
        (1, [("base", 700_000, None)]),
        (2, [("base", 400_000, None)]),
        (3, [("base", 450_000, None)]),
        (4, [("base", 450_000, None)]),
    ]


def test_individual_flat_rate_pays_rate_on_credited_gp_split_half_even_with_lr_lines() -> None:
    plan = build_plan({"type": "individual", "rate": 0.25})
    statements, _ = pay_lines(plan, LEDGER, plan.initial_state())
    pay = by_person(statements)
    # P11 split: 300_101 * 0.5 = 150_050.5 -> 150_050 to the recruiter (half-even), 150_051 to the AM.
    # Person 2: credited 500_000 + 150_050 = 650_050; 0.25 * 650_050 = 162_512.5 -> 162_512 (half-even).
    #   quotas 162_512 * 500_000 / 650_050 = 125_000.38, * 150_050 / 650_050 = 37_511.62; floors sum to
    #   162_511, so LR gives the last cent to P11 (.62 > .38).
    assert lines_of(pay[2]) == [("base", 400_000, None), ("commission", 125_000, 10), ("commission", 37_512, 11)]
    assert pay[2].total_cents == 400_000 + 162_512
    # Person 3: 0.25 * 500_000 = 125_000.
    assert lines_of(pay[3]) == [("base", 450_000, None), ("commission", 125_000, 10)]
    # Person 4: 0.25 * 150_051 = 37_512.75 -> 37_513.
    assert lines_of(pay[4]) == [("base", 450_000, None), ("commission", 37_513, 11)]
    assert pay[1].total_cents == 700_000
    assert plan.pay(LEDGER, plan.initial_state()).by_kind == {
        "base": 2_000_000, "commission": 162_512 + 125_000 + 37_513, "pool": 0, "override": 0,
        "development_bonus": 0, "draw_topup": 0, "draw_recovery": 0, "clawback": 0,
        "advance": 0, "true_up": 0, "advance_clawback": 0, "spif": 0, "total": 2_000_000 + 325_025,
    }


def test_individual_threshold_pays_only_on_the_excess_and_nothing_below_it() -> None:
    plan = build_plan({"type": "individual", "rate": 0.25, "threshold": 2000})
    pay = by_person(pay_lines(plan, LEDGER, plan.initial_state())[0])
    # Person 2: (650_050 - 200_000) * 0.25 = 112_512.5 -> 112_512 (half-even);
    #   quotas 112_512 * 500_000 / 650_050 = 86_541.04, * 150_050 / 650_050 = 25_970.96 -> LR: P11 +1.
    assert lines_of(pay[2])[1:] == [("commission", 86_541, 10), ("commission", 25_971, 11)]
    # Person 3: (500_000 - 200_000) * 0.25 = 75_000. Person 4: 150_051 < 200_000: nothing.
    assert lines_of(pay[3])[1:] == [("commission", 75_000, 10)]
    assert lines_of(pay[4]) == [("base", 450_000, None)]


def test_tiers_marginal_pays_each_slice_at_its_rate_and_tiered_pays_all_at_the_top_rate() -> None:
    tiers = [{"from": 0, "rate": 0.2}, {"from": 5000, "rate": 0.3}]
    sole_credit = {"split": {"recruiter": 1.0, "account_manager": 0.0}}  # credited GP = GP, to recruiters
    team = (recruiter(2), recruiter(5), account_manager(3))
    ledger = PeriodLedger(0, team, (credit(10, 2, 3, 800_000), credit(12, 5, 3, 400_000)))
    marginal = build_plan({"type": "individual", "tiers": tiers, **sole_credit})
    tiered = build_plan({"type": "individual", "tiers": tiers, "accelerator": "tiered", **sole_credit})
    by_marginal = by_person(pay_lines(marginal, ledger, marginal.initial_state())[0])
    by_tiered = by_person(pay_lines(tiered, ledger, tiered.initial_state())[0])
    # $8,000: marginal 0.2 * 500_000 + 0.3 * 300_000 = 190_000; tiered 0.3 * 800_000 = 240_000.
    assert lines_of(by_marginal[2])[1:] == [("commission", 190_000, 10)]
    assert lines_of(by_tiered[2])[1:] == [("commission", 240_000, 10)]
    # $4,000 is inside the first tier either way: 0.2 * 400_000 = 80_000.
    assert by_marginal[5].total_cents == by_tiered[5].total_cents == 400_000 + 80_000
    # The account manager is credited nothing under a 100/0 split.
    assert lines_of(by_marginal[3]) == [("base", 450_000, None)]


def test_cap_limits_the_month_and_lines_share_the_capped_amount() -> None:
    plan = build_plan({"type": "individual", "rate": 0.25, "cap": 1500,
                       "split": {"recruiter": 1.0, "account_manager": 0.0}})
    ledger = PeriodLedger(0, (recruiter(2), account_manager(3)),
                          (credit(10, 2, 3, 600_000), credit(11, 2, 3, 200_000)))
    pay = by_person(pay_lines(plan, ledger, plan.initial_state())[0])
    # 0.25 * 800_000 = 200_000 > cap 150_000; lines 150_000 * 6/8 = 112_500 and * 2/8 = 37_500.
    assert lines_of(pay[2])[1:] == [("commission", 112_500, 10), ("commission", 37_500, 11)]


def _draw_months(recoverable: bool) -> list[list[tuple[str, int, int | None]]]:
    """A new recruiter's months 0-4 on rate 0.25 with a $2,000 draw for 3 months; GP by month below."""
    plan = build_plan({"type": "individual", "rate": 0.25, "split": {"recruiter": 1.0, "account_manager": 0.0},
                       "draw": {"months": 3, "amount": 2000, "recoverable": recoverable}})
    gp_by_month = [0, 400_000, 1_200_000, 600_000, 1_000_000]
    state, out = plan.initial_state(), []
    for month, gp in enumerate(gp_by_month):
        credits = (credit(100 + month, 2, 3, gp),) if gp else ()
        ledger = PeriodLedger(month, (recruiter(2, tenure=month), account_manager(3)), credits)
        statements, state = pay_lines(plan, ledger, state)
        out.append(lines_of(by_person(statements)[2])[1:])
    assert state.draw_balances == {}
    return out


def test_recoverable_draw_tops_up_new_hire_then_recovers_from_later_commission() -> None:
    assert _draw_months(recoverable=True) == [
        # m0: no commission: top-up 200_000; balance 200_000.
        [("draw_topup", 200_000, None)],
        # m1: commission 100_000 < 200_000: top-up 100_000; balance 300_000.
        [("commission", 100_000, 101), ("draw_topup", 100_000, None)],
        # m2: commission 300_000: excess over the guarantee 100_000 repays; balance 200_000.
        [("commission", 300_000, 102), ("draw_recovery", -100_000, None)],
        # m3: out of the window: min(200_000, 150_000) repaid, variable pay 0; balance 50_000.
        [("commission", 150_000, 103), ("draw_recovery", -150_000, None)],
        # m4: the last 50_000 repaid; balance 0.
        [("commission", 250_000, 104), ("draw_recovery", -50_000, None)],
    ]


def test_non_recoverable_draw_only_tops_up_and_is_never_repaid() -> None:
    assert _draw_months(recoverable=False) == [
        [("draw_topup", 200_000, None)],
        [("commission", 100_000, 101), ("draw_topup", 100_000, None)],
        [("commission", 300_000, 102)],
        [("commission", 150_000, 103)],
        [("commission", 250_000, 104)],
    ]


def _clawback_lines(fraction: float, clawback: bool = True) -> dict[int, list[tuple[str, int, int | None]]]:
    """Commission 125_000 each to 2 and 3 on P10 in month 0; P10 falls off in month 2."""
    plan = build_plan({"type": "individual", "rate": 0.25, "clawback": clawback})
    team = (recruiter(2), account_manager(3))
    _, state = pay_lines(plan, PeriodLedger(0, team, (credit(10, 2, 3, 1_000_000),)), plan.initial_state())
    _, state = pay_lines(plan, PeriodLedger(1, team), state)
    fell = PeriodLedger(2, team, (), (falloff(10, 2, 3, 1_000_000, fraction),))
    return {pid: lines_of(s)[1:] for pid, s in by_person(pay_lines(plan, fell, state)[0]).items()}


def test_full_clawback_takes_back_all_commission_paid_on_the_placement() -> None:
    assert _clawback_lines(1.0) == {2: [("clawback", -125_000, 10)], 3: [("clawback", -125_000, 10)]}


def test_prorated_clawback_takes_back_the_fraction_rounded_half_even() -> None:
    # 125_000 / 3 = 41_666.67 -> 41_667; 0.5 * 125_000 = 62_500.
    assert _clawback_lines(1 / 3) == {2: [("clawback", -41_667, 10)], 3: [("clawback", -41_667, 10)]}
    assert _clawback_lines(0.5)[2] == [("clawback", -62_500, 10)]


def test_clawback_off_or_replacement_takes_nothing_back() -> None:
    assert _clawback_lines(1.0, clawback=False) == {2: [], 3: []}
    assert _clawback_lines(0.0) == {2: [], 3: []}


# Pool team: pod 1 has recruiters 2 and 5, account manager 3 and lead 1; pod 2 has account manager 4.
POOL_TEAM = (lead(1), recruiter(2), account_manager(3), account_manager(4, pod=2), recruiter(5))
# P10: 1_000_020 all in pod 1. P11: 300_101 split 150_050 (pod 1, half-even) / 150_051 (pod 2).
POOL_LEDGER = PeriodLedger(0, POOL_TEAM, (credit(10, 2, 3, 1_000_020), credit(11, 2, 4, 300_101, a_pod=2)))


def _pool_lines(params: dict, ledger: PeriodLedger = POOL_LEDGER) -> dict[int, list[tuple[str, int, int | None]]]:
    plan = build_plan({"type": "team_pool", **params})
    return {pid: lines_of(s)[1:] for pid, s in by_person(pay_lines(plan, ledger, plan.initial_state())[0]).items()}


def test_pod_pool_equal_shares_leftover_cents_to_lowest_ids() -> None:
    # Pod 1 GP 1_000_020 + 150_050 = 1_150_070; 0.1 * that = 115_007 = 3 * 38_335 + 2 -> ids 2, 3 get +1.
    # Pod 2 GP 150_051; 0.1 * that = 15_005.1 -> 15_005, all to person 4. The lead is not in the pool.
    assert _pool_lines({"rate": 0.1}) == {
        1: [], 2: [("pool", 38_336, None)], 3: [("pool", 38_336, None)], 4: [("pool", 15_005, None)],
        5: [("pool", 38_335, None)],
    }


def test_firm_pool_equal_shares_the_whole_firm_gp() -> None:
    # Firm GP 1_000_020 + 300_101 = 1_300_121; 0.1 * that = 130_012.1 -> 130_012 = 4 * 32_503 exactly.
    assert _pool_lines({"rate": 0.1, "basis": "firm"}) == {
        1: [], 2: [("pool", 32_503, None)], 3: [("pool", 32_503, None)], 4: [("pool", 32_503, None)],
        5: [("pool", 32_503, None)],
    }
    # With P11 at 300_131 the pool is 0.1 * 1_300_151 = 130_015.1 -> 130_015 = 4 * 32_503 + 3: ids 2, 3, 4.
    ledger = PeriodLedger(0, POOL_TEAM, (credit(10, 2, 3, 1_000_020), credit(11, 2, 4, 300_131, a_pod=2)))
    shares = _pool_lines({"rate": 0.1, "basis": "firm"}, ledger)
    assert [shares[pid][0][1] for pid in (2, 3, 4, 5)] == [32_504, 32_504, 32_504, 32_503]


def test_role_weighted_pool_shares_by_weight_with_largest_remainder() -> None:
    # Weights recruiter 1.0, AM 1.5 -> integers 2 and 3; pod 1 W = 2 + 2 + 3 = 7; pool 115_007.
    # Quotas: recruiters 115_007 * 2/7 = 32_859.14 each, AM 115_007 * 3/7 = 49_288.71; floors sum to
    # 115_006 -> LR: the AM (.71) gets the last cent.
    lines = _pool_lines({"rate": 0.1, "sharing": "role_weights",
                         "role_weights": {"recruiter": 1.0, "account_manager": 1.5}})
    assert lines[2] == lines[5] == [("pool", 32_859, None)]
    assert lines[3] == [("pool", 49_289, None)]
    assert lines[4] == [("pool", 15_005, None)]


def test_negative_pool_is_clawed_back_when_on_and_floored_when_off() -> None:
    # Pod 1: GP 100_000 - refund 400_000 = -300_000; 0.1 * that = -30_000 = 3 * -10_000.
    ledger = PeriodLedger(0, POOL_TEAM, (credit(10, 2, 3, 100_000),), (falloff(9, 5, 3, 400_000, 1.0),))
    assert _pool_lines({"rate": 0.1}, ledger)[5] == [("clawback", -10_000, None)]
    assert _pool_lines({"rate": 0.1, "clawback": False}, ledger)[5] == []


def test_hybrid_pays_w_times_individual_plus_pool_at_rate_times_one_minus_w() -> None:
    plan = build_plan({"type": "hybrid", "individual_weight": 0.5, "individual": {"rate": 0.2},
                       "team_pool": {"rate": 0.1}})
    pay = {pid: lines_of(s)[1:] for pid, s in by_person(pay_lines(plan, POOL_LEDGER, plan.initial_state())[0]).items()}
    # Individual part: person 2 credited 500_010 + 150_050 = 650_060 -> 0.2 * = 130_012 -> w: 65_006,
    #   lines 65_006 * 500_010 / 650_060 = 50_001 and 15_005 exactly. Person 3: 0.2 * 500_010 = 100_002
    #   -> 50_001. Person 4: 0.2 * 150_051 = 30_010.2 -> 30_010 -> w: 15_005.
    # Pool part at 0.1 * 0.5 = 0.05: pod 1 0.05 * 1_150_070 = 57_503.5 -> 57_504 (half-even) = 3 * 19_168;
    #   pod 2 0.05 * 150_051 = 7_502.55 -> 7_503.
    assert pay == {
        1: [],
        2: [("commission", 50_001, 10), ("commission", 15_005, 11), ("pool", 19_168, None)],
        3: [("commission", 50_001, 10), ("pool", 19_168, None)],
        4: [("commission", 15_005, 11), ("pool", 7_503, None)],
        5: [("pool", 19_168, None)],
    }


def test_pod_lead_gets_override_on_net_pod_gp_and_bonus_per_producer_at_milestone() -> None:
    team = (lead(1), recruiter(2, tenure=6), account_manager(3, tenure=6), recruiter(5, tenure=7),
            lead(6, pod=2), account_manager(4, pod=2, tenure=6))
    ledger = PeriodLedger(0, team, (credit(10, 2, 3, 1_000_020), credit(11, 2, 4, 300_101, a_pod=2)),
                          (falloff(9, 2, 4, 2_000_000, 1.0, a_pod=2),))
    plan = build_plan({"type": "salary",
                       "pod_lead": {"override_rate": 0.05, "development_bonus": 1000, "milestone_months": 6}})
    pay = {pid: lines_of(s)[1:] for pid, s in by_person(pay_lines(plan, ledger, plan.initial_state())[0]).items()}
    # Pod 1 net GP: 1_150_070 - 1_000_000 (refund half) = 150_070; 0.05 * = 7_503.5 -> 7_504 (half-even).
    #   Producers 2 and 3 reach 6 months: 2 * 100_000.
    assert pay[1] == [("override", 7_504, None), ("development_bonus", 200_000, None)]
    # Pod 2 net GP: 150_051 - 1_000_000 < 0: no override; producer 4 reaches 6 months: 100_000.
    assert pay[6] == [("development_bonus", 100_000, None)]
    assert pay[2] == pay[3] == pay[4] == pay[5] == []
