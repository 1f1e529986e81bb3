"""Plan terms by role and by line, periods with advances and true-ups, attainment gates and SPIFs: statements
computed by hand, and the period's settlement against an exact oracle (Hypothesis)."""

from __future__ import annotations

from fractions import Fraction

from comp_helpers import account_manager, by_person, credit, falloff, lines_of, pay_lines, recruiter
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.comp import LINE_KINDS, LINE_RULES, PeriodLedger, Plan, build_plan

R, A = recruiter(1), account_manager(2)
TEAM = (R, A)
TO_RECRUITER = {"split": {"recruiter": 1.0, "account_manager": 0.0}}


def pay_months(plan: Plan, months: list[list], falloffs: dict[int, list] | None = None) -> list[dict]:
    """Each month's statements by person, paying consecutive periods (``falloffs`` by month)."""
    state, out = plan.initial_state(), []
    for period, credits in enumerate(months):
        ledger = PeriodLedger(period, TEAM, tuple(credits), tuple((falloffs or {}).get(period, ())))
        statements, state = pay_lines(plan, ledger, state)
        out.append(by_person(statements))
    return out


def variable(months: list[dict], person: int = 1) -> int:
    """What the person was paid beyond base over the months."""
    return sum(m[person].total_cents - m[person].lines[0].cents for m in months)


def test_per_role_rate_threshold_and_cap_apply_to_each_role_alone() -> None:
    plan = build_plan({"type": "individual", "rate": {"recruiter": 0.10, "account_manager": 0.15},
                       "threshold": {"recruiter": 1000, "account_manager": 1500},
                       "cap": {"recruiter": 250, "account_manager": 10000}})
    [month] = pay_months(plan, [[credit(7, 1, 2, 800_000)]])   # $8,000: $4,000 credited to each
    # Recruiter: 10% of (4,000 - 1,000) = $300, capped at $250.
    assert lines_of(month[1]) == [("base", 400_000, None), ("commission", 25_000, 7)]
    # Account manager: 15% of (4,000 - 1,500) = $375.
    assert lines_of(month[2]) == [("base", 450_000, None), ("commission", 37_500, 7)]


def test_perm_and_contract_rates_share_the_threshold_pro_rata() -> None:
    plan = build_plan({"type": "individual", "rate": {"perm": 0.12, "contract": 0.08}, "threshold": 2000})
    credits = [credit(1, 1, 2, 600_000, perm=True), credit(2, 1, 2, 200_000, perm=False)]
    [month] = pay_months(plan, [credits])
    # Each is credited $3,000 perm and $1,000 contract: $2,000 over the threshold, of which 3/4 is perm:
    # 2,000 x (0.12 x 3,000 + 0.08 x 1,000) / 4,000 = $220, split 3:1 over the two placements.
    for person in (1, 2):
        assert lines_of(month[person])[1:] == [("commission", 16_500, 1), ("commission", 5_500, 2)]


def test_rates_by_role_then_line() -> None:
    plan = build_plan({"type": "individual",
                       "rate": {"recruiter": {"perm": 0.12, "contract": 0.08}, "account_manager": 0.10}})
    [month] = pay_months(plan, [[credit(1, 1, 2, 600_000, perm=True), credit(2, 1, 2, 200_000, perm=False)]])
    # Recruiter: 12% of $3,000 + 8% of $1,000 = $440; account manager: 10% of $4,000 = $400.
    assert month[1].cents_of("commission") == 44_000
    assert month[2].cents_of("commission") == 40_000


def test_a_quarter_pays_advances_monthly_and_settles_at_its_end() -> None:
    plan = build_plan({"type": "individual", "rate": 0.10, "threshold": 3000, "period": "quarterly", **TO_RECRUITER})
    months = pay_months(plan, [
        [credit(10, 1, 2, 200_000)],   # Q1 m1: $2,000 against 1/3 of the threshold ($1,000): advance $100
        [],                            # m2: $2,000 against $2,000: earned 0, nothing more (no clawback mid-period)
        [credit(11, 1, 2, 50_000)],    # m3: $2,500 against $3,000: earned 0, the $100 advance is clawed back
        [credit(12, 1, 2, 150_000)],   # Q2 m1: $1,500 against $1,000: advance $50
        [credit(13, 1, 2, 250_000)],   # m2: $4,000 against $2,000: $200 earned, advance $150
        [credit(14, 1, 2, 200_000)],   # m3: $6,000 against $3,000: $300 earned, true-up $100
    ])
    recruiter_lines = [lines_of(m[1])[1:] for m in months]
    assert recruiter_lines == [
        [("advance", 10_000, 10)], [], [("advance_clawback", -10_000, None)],
        [("advance", 5_000, 12)], [("advance", 15_000, 13)], [("true_up", 10_000, 14)],
    ]
    assert sum(m[1].total_cents - m[1].lines[0].cents for m in months[3:]) == 30_000   # 10% of (6,000 - 3,000)
    assert all(lines_of(m[2])[1:] == [] for m in months)   # the account manager is credited nothing


def test_a_fall_off_inside_its_quarter_takes_its_credit_out_of_the_quarter() -> None:
    plan = build_plan({"type": "individual", "rate": 0.10, "threshold": 3000, "period": "quarterly", **TO_RECRUITER})
    # The quarter's one placement ($10,000, advance 10% of 10,000 - 1,000) falls off in full in month 2:
    # the advance is clawed back and the quarter then earns nothing, so nothing more is taken back (the
    # true-up used to take a further $200 as if the refunded $10,000 still counted: -$200 for the quarter).
    months = pay_months(plan, [[credit(1, 1, 2, 1_000_000)], [], []], {1: [falloff(1, 1, 2, 1_000_000, 1.0)]})
    assert [lines_of(m[1])[1:] for m in months] == [[("advance", 90_000, 1)], [("clawback", -90_000, 1)], []]
    # Half refunded in month 2, beside a $5,000 placement that stands: advances $933.33 and $466.67 (10% of
    # 15,000 - 1,000, split 10:5 by largest remainder); half of $933.33 ($466.665, to even: $466.66) clawed
    # back; the quarter earns 10% of (5,000 + 10,000 / 2 - 3,000) = $700, so the advances settle down to it.
    months = pay_months(plan, [[credit(1, 1, 2, 1_000_000), credit(2, 1, 2, 500_000)], [], []],
                        {1: [falloff(1, 1, 2, 500_000, 0.5)]})
    assert [lines_of(m[1])[1:] for m in months] == [
        [("advance", 93_333, 1), ("advance", 46_667, 2)], [("clawback", -46_666, 1)],
        [("advance_clawback", -23_334, None)]]
    assert variable(months) == 70_000


def test_a_fall_off_in_the_month_it_is_credited_is_paid_nothing() -> None:
    plan = build_plan({"type": "individual", "rate": 0.10, "threshold": 3000, "period": "quarterly", **TO_RECRUITER})
    months = pay_months(plan, [[credit(1, 1, 2, 1_000_000), credit(2, 1, 2, 500_000)], [], []],
                        {0: [falloff(1, 1, 2, 1_000_000, 1.0)]})
    # Only placement 2 counts: 10% of (5,000 - 1,000) advanced on it, settled to 10% of (5,000 - 3,000).
    assert [lines_of(m[1])[1:] for m in months] == [[("advance", 40_000, 2)], [], [("advance_clawback", -20_000, None)]]


def test_a_fall_off_credited_to_one_person_on_both_sides_takes_both_sides_out() -> None:
    plan = build_plan({"type": "individual", "rate": 0.10, "period": "quarterly",
                       "split": {"recruiter": 0.0, "account_manager": 1.0}})
    # Person 1 is named recruiter and account manager of placement 1 (the recruiter's side holds nothing).
    months = pay_months(plan, [[credit(1, 1, 1, 1_000_000), credit(2, 1, 1, 400_000)], [], []],
                        {0: [falloff(1, 1, 1, 500_000, 0.5)]})
    # Half of placement 1 stands: 10% of 5,000 + 4,000, split 5:4 between the two placements.
    assert [lines_of(m[1])[1:] for m in months] == [[("advance", 50_000, 1), ("advance", 40_000, 2)], [], []]


def test_a_fall_off_of_a_closed_quarter_leaves_the_open_one_alone() -> None:
    plan = build_plan({"type": "individual", "rate": 0.10, "period": "quarterly", **TO_RECRUITER})
    months = pay_months(plan, [[], [], [credit(1, 1, 2, 300_000)], [credit(2, 1, 2, 200_000)], [], []],
                        {3: [falloff(1, 1, 2, 300_000, 1.0)]})
    # Q1's true-up of $300 named placement 1; Q2 claws it back and pays 10% of its own $2,000.
    assert [lines_of(m[1])[1:] for m in months][2:] == [
        [("true_up", 30_000, 1)], [("advance", 20_000, 2), ("clawback", -30_000, 1)], [], []]


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(["quarterly", "annual"]), st.integers(0, 20_000),
       st.lists(st.tuples(st.integers(0, 900_000), st.integers(0, 900_000)), min_size=12, max_size=12),
       st.lists(st.tuples(st.integers(0, 23), st.integers(0, 11), st.sampled_from([0.0, 0.25, 0.5, 1.0])),
                max_size=6))
def test_a_period_with_fall_offs_pays_what_its_credit_net_of_them_earns(period: str, threshold: int,
                                                                         monthly: list[tuple[int, int]],
                                                                         falls: list[tuple[int, int, float]]) -> None:
    """Advances, true-up and the clawbacks of the period's own placements add up to the commission on the
    period's credit less the refunded share of each placement that fell off inside it."""
    plan = build_plan({"type": "individual", "rate": 0.10, "threshold": threshold, "period": period, **TO_RECRUITER})
    n = 3 if period == "quarterly" else 12
    credits = [[credit(2 * i, 1, 2, a), credit(2 * i + 1, 1, 2, b)] for i, (a, b) in enumerate(monthly[:n])]
    gp = {c.placement_id: c.gp_cents for month in credits for c in month}
    by_month: dict[int, list] = {}
    fraction: dict[int, float] = {}
    for placement, delay, f in falls:
        placement %= 2 * n
        month = min(n - 1, placement // 2 + delay % n)
        if placement not in fraction:   # a placement falls off once, in or after its month
            fraction[placement] = f
            by_month.setdefault(month, []).append(falloff(placement, 1, 2, round(gp[placement] * f), f))
    months = pay_months(plan, credits, by_month)
    net = sum(gp.values()) - sum(round(Fraction(f) * gp[k]) for k, f in fraction.items())
    assert variable(months) == earned(Fraction(1, 10), Fraction(1, 10), threshold * 100, None, net, 0)


def test_attainment_gate_and_accelerator_above_quota() -> None:
    plan = build_plan({"type": "individual", "rate": 0.10, "quota": {"recruiter": 10_000}, "gate": 0.5,
                       "accelerators": [{"from": 1.0, "multiplier": 2}], **TO_RECRUITER})
    paid = [pay_months(plan, [[credit(5, 1, 2, gp)]])[0][1].cents_of("commission")
            for gp in (499_999, 500_000, 1_200_000)]
    # Below 50% of quota nothing; at 50%: 10% of $5,000; at 120%: 10% of $10,000 + 20% of $2,000.
    assert paid == [0, 50_000, 140_000]


def test_a_role_left_out_of_the_quota_is_not_gated() -> None:
    plan = build_plan({"type": "individual", "rate": 0.10, "quota": {"recruiter": 10_000}, "gate": 0.5})
    [month] = pay_months(plan, [[credit(5, 1, 2, 400_000)]])   # $2,000 each: 20% of the recruiter's quota
    assert month[1].cents_of("commission") == 0
    assert month[2].cents_of("commission") == 20_000


def test_spifs_pay_per_new_contract_in_their_window_and_once_for_a_goal() -> None:
    plan = build_plan({"type": "individual", "rate": 0.0, "spifs": [
        {"name": "Q contracts", "window": {"from_month": 2, "months": 2}, "kind": "contract", "amount": 500,
         "roles": ["recruiter"]},
        {"name": "two perms", "window": {"from_month": 1, "months": 3}, "kind": "perm", "amount": 1000, "goal": 2}]})
    contract = {"perm": False}
    months = pay_months(plan, [
        [credit(20, 1, 2, 100_000), credit(21, 1, 2, 50_000, **contract)],         # month 1: the contract SPIF not open
        [credit(21, 1, 2, 50_000, **contract), credit(22, 1, 2, 50_000, **contract),  # 21 runs on: not new
         credit(23, 1, 2, 100_000)],                                                # the second perm: goal
        [credit(22, 1, 2, 50_000, **contract), credit(24, 1, 2, 100_000), credit(25, 1, 2, 50_000, **contract)],
        [credit(26, 1, 2, 50_000, **contract)],                                     # month 4: after the window
    ])
    spif = [[(line.cents, line.placement_id) for line in m[person].lines if line.kind == "spif"]
            for m in months for person in (1, 2)]
    assert spif == [[], [], [(50_000, 22), (100_000, None)], [(100_000, None)], [(50_000, 25)], [], [], []]


def test_every_line_kind_has_its_rule_declared_once_and_the_export_reads_it() -> None:
    from sim.export import tables

    assert tuple(LINE_RULES) == LINE_KINDS and all(LINE_RULES.values())
    assert tables.LINE_KINDS is LINE_KINDS


def earned(rate_perm: Fraction, rate_contract: Fraction, threshold: int, cap: int | None, perm: int,
           contract: int) -> int:
    """The oracle: a period's commission on its credited GP by line, from the definition."""
    total = perm + contract
    if not total:
        return 0
    over = max(0, total - threshold)
    value = round(Fraction(over) * (rate_perm * perm + rate_contract * contract) / total)
    return value if cap is None else min(value, cap)


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(["quarterly", "annual"]), st.sampled_from([Fraction(0), Fraction(1, 8), Fraction(1, 3)]),
       st.sampled_from([Fraction(1, 10), Fraction(1, 4)]), st.integers(0, 20_000), st.one_of(st.none(),
       st.integers(0, 5000)), st.lists(st.tuples(st.integers(0, 900_000), st.integers(0, 900_000)), min_size=12,
       max_size=12))
def test_a_period_pays_exactly_what_its_whole_credit_earns(period: str, perm_rate: Fraction, contract_rate: Fraction,
                                                           threshold: int, cap: int | None,
                                                           monthly: list[tuple[int, int]]) -> None:
    """However the advances went, the lines of a whole period add up to the period's commission."""
    plan = build_plan({"type": "individual", "rate": {"perm": float(perm_rate), "contract": float(contract_rate)},
                       "threshold": threshold, "cap": cap, "period": period, **TO_RECRUITER})
    n = 3 if period == "quarterly" else 12
    months = pay_months(plan, [[credit(2 * i, 1, 2, p, perm=True), credit(2 * i + 1, 1, 2, c, perm=False)]
                               for i, (p, c) in enumerate(monthly[:n])])
    paid = sum(m[1].total_cents - m[1].lines[0].cents for m in months)
    perm, contract = sum(p for p, _ in monthly[:n]), sum(c for _, c in monthly[:n])
    assert paid == earned(perm_rate, contract_rate, threshold * 100, None if cap is None else cap * 100, perm,
                          contract)
    assert all(line.kind in ("advance", "true_up", "advance_clawback") for m in months for line in m[1].lines[1:])
