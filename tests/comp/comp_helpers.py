"""Builders and Hypothesis strategies shared by the payout engine tests (``tests/comp``)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from sim.comp import (
    ACCOUNT_MANAGER,
    LINE_KINDS,
    POD_LEAD,
    RECRUITER,
    FallOff,
    Member,
    PeriodLedger,
    PlacementCredit,
    Plan,
    PlanState,
    Statement,
)

DEPARTED = 900
"""Person ids from here on are never members: people who have left."""


def recruiter(pid: int, pod: int = 1, tenure: int = 12) -> Member:
    return Member(pid, RECRUITER, pod, tenure)


def account_manager(pid: int, pod: int = 1, tenure: int = 12) -> Member:
    return Member(pid, ACCOUNT_MANAGER, pod, tenure)


def lead(pid: int, pod: int = 1, tenure: int = 24) -> Member:
    return Member(pid, POD_LEAD, pod, tenure)


def credit(placement: int, r: int, a: int, gp_cents: int, r_pod: int = 1, a_pod: int = 1,
           perm: bool = True) -> PlacementCredit:
    return PlacementCredit(placement, r, r_pod, a, a_pod, gp_cents, perm)


def is_perm(placement: int) -> bool:
    """The strategies' rule for which placements are perm (the rest are contracts): one in three is a contract."""
    return placement % 3 != 2


def falloff(placement: int, r: int, a: int, refund_cents: int, fraction: float,
            r_pod: int = 1, a_pod: int = 1) -> FallOff:
    return FallOff(placement, r, r_pod, a, a_pod, refund_cents, fraction)


def lines_of(statement: Statement) -> list[tuple[str, int, int | None]]:
    """A statement's lines as plain tuples, for readable equality assertions."""
    return [(line.kind, line.cents, line.placement_id) for line in statement.lines]


def by_person(statements: tuple[Statement, ...]) -> dict[int, Statement]:
    return {s.person_id: s for s in statements}


def pay_lines(plan: Plan, ledger: PeriodLedger, state: PlanState) -> tuple[tuple[Statement, ...], PlanState]:
    """The statements and next state, checking on the way that the totals agree with the lines and that
    paying without lines gives the same totals and state."""
    paid = plan.pay(ledger, state, lines=True)
    assert paid.total_cents.tolist() == [s.total_cents for s in paid.statements]
    kinds = dict.fromkeys(LINE_KINDS, 0)
    for line in (line for s in paid.statements for line in s.lines):
        kinds[line.kind] += line.cents
    assert paid.by_kind == {**kinds, "total": sum(kinds.values())}
    fast = plan.pay(ledger, state)
    assert fast.total_cents.tolist() == paid.total_cents.tolist() and fast.by_kind == paid.by_kind
    assert fast.state == paid.state and fast.statements == ()
    return paid.statements, paid.state


# ------------------------------------------------------------------------------------------ strategies
rates = st.sampled_from([0.0, 0.05, 0.1, 0.125, 0.2, 0.25, 0.3, 1 / 3, 0.5, 1.0])
fractions = st.sampled_from([0.0, 0.25, 1 / 3, 0.5, 0.7, 1.0])
dollars = st.integers(0, 30_000)


@st.composite
def members(draw: st.DrawFn) -> tuple[Member, ...]:
    """1-4 pods, each with 0-4 producers and 0-1 lead; tenures 0-10; ids shuffled."""
    out: list[Member] = []
    for pod in range(1, draw(st.integers(1, 4)) + 1):
        for _ in range(draw(st.integers(0, 4))):
            role = draw(st.sampled_from([RECRUITER, ACCOUNT_MANAGER]))
            out.append(Member(len(out) + 1, role, pod, draw(st.integers(0, 10))))
        if draw(st.booleans()):
            out.append(Member(len(out) + 1, POD_LEAD, pod, draw(st.integers(0, 10))))
    return tuple(draw(st.permutations(out)))


@st.composite
def ledgers(draw: st.DrawFn, period: int = 0, team: tuple[Member, ...] | None = None,
            max_credits: int = 12, max_falloffs: int = 4) -> PeriodLedger:
    """A period's ledger: credits and fall-offs naming producers, occasionally departed people."""
    team = draw(members()) if team is None else team
    producers = [m for m in team if m.role != POD_LEAD]
    people = st.sampled_from(producers) if producers else st.nothing()
    person = st.one_of(people, st.builds(lambda i, pod: Member(DEPARTED + i, RECRUITER, pod, 0),
                                         st.integers(0, 5), st.integers(1, 4)))
    credits, falloffs = [], []
    if producers:
        for _ in range(draw(st.integers(0, max_credits))):
            r, a = draw(person), draw(person)
            placement = draw(st.integers(0, 40))
            credits.append(credit(placement, r.person_id, a.person_id, draw(st.integers(0, 2_000_000)), r.pod, a.pod,
                                  is_perm(placement)))
        for _ in range(draw(st.integers(0, max_falloffs))):
            r, a = draw(person), draw(person)
            falloffs.append(falloff(draw(st.integers(0, 40)), r.person_id, a.person_id,
                                    draw(st.integers(0, 1_500_000)), draw(fractions), r.pod, a.pod))
    return PeriodLedger(period, team, tuple(credits), tuple(falloffs))


@st.composite
def ledger_runs(draw: st.DrawFn, periods: int = 4) -> list[PeriodLedger]:
    """Consecutive periods of one firm: people age a month each period; some leave."""
    team = draw(members())
    out = []
    for period in range(draw(st.integers(1, periods))):
        out.append(draw(ledgers(period=period, team=team)))
        kept = [m for m in team if draw(st.integers(0, 9)) > 0]
        team = tuple(Member(m.person_id, m.role, m.pod, m.tenure_months + 1) for m in kept)
    return out


@st.composite
def individual_terms(draw: st.DrawFn, simple: bool = False) -> dict[str, Any]:
    terms: dict[str, Any] = {"rate": draw(rates)}
    if simple:
        return terms
    if draw(st.booleans()):
        terms["threshold"] = draw(dollars)
    if draw(st.booleans()):
        starts = sorted(draw(st.sets(st.integers(1, 40_000), max_size=3)))
        terms["tiers"] = [{"from": s, "rate": draw(rates)} for s in [0, *starts]]
        terms["accelerator"] = draw(st.sampled_from(["marginal", "tiered"]))
    if draw(st.booleans()):
        terms["cap"] = draw(dollars)
    return terms


@st.composite
def pool_terms(draw: st.DrawFn) -> dict[str, Any]:
    terms: dict[str, Any] = {"rate": draw(rates), "basis": draw(st.sampled_from(["pod", "firm"])),
                             "sharing": draw(st.sampled_from(["equal", "role_weights"]))}
    if terms["sharing"] == "role_weights":
        weights = st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0])
        terms["role_weights"] = {"recruiter": draw(weights), "account_manager": draw(weights)}
    return terms


@st.composite
def common_terms(draw: st.DrawFn, commission: bool = True) -> dict[str, Any]:
    share = draw(st.sampled_from([0.0, 0.3, 0.5, 0.6, 1.0]))
    terms: dict[str, Any] = {
        "split": {"recruiter": share, "account_manager": round(1 - share, 10)},
        "pod_lead": {"override_rate": draw(rates), "development_bonus": draw(st.integers(0, 2000)),
                     "milestone_months": draw(st.integers(0, 6))},
    }
    if commission:
        terms["clawback"] = draw(st.booleans())
        if draw(st.booleans()):
            terms["draw"] = {"months": draw(st.integers(0, 4)), "amount": draw(st.integers(0, 5000)),
                             "recoverable": draw(st.booleans())}
    return terms


@st.composite
def plan_params(draw: st.DrawFn) -> dict[str, Any]:
    """Parameters of any plan type, as the YAML would give them."""
    kind = draw(st.sampled_from(["salary", "individual", "team_pool", "hybrid"]))
    params = {"type": kind, **draw(common_terms(commission=kind != "salary"))}
    if kind == "individual":
        params |= draw(individual_terms())
    elif kind == "team_pool":
        params |= draw(pool_terms())
    elif kind == "hybrid":
        params |= {"individual_weight": draw(st.sampled_from([0.0, 0.25, 0.5, 0.6, 1.0])),
                   "individual": draw(individual_terms()), "team_pool": draw(pool_terms())}
    return params


@st.composite
def term_variants(draw: st.DrawFn) -> dict[str, Any]:
    """Individual terms of any shape the grammar allows: by role, by line, a period, a quota with a gate
    and accelerators (sim/comp/terms.py)."""
    low_rates = st.sampled_from([0.0, 0.05, 0.1, 0.125, 0.2, 1 / 3, 0.5])
    terms: dict[str, Any] = {}
    shape = draw(st.sampled_from(["value", "line", "role", "role_line"]))
    if shape == "line":
        terms["rate"] = {"perm": draw(low_rates), "contract": draw(low_rates)}
    elif shape == "role":
        terms["rate"] = {"recruiter": draw(low_rates), "account_manager": draw(low_rates)}
    elif shape == "role_line":
        terms["rate"] = {"recruiter": {"perm": draw(low_rates), "contract": draw(low_rates)},
                         "account_manager": draw(low_rates)}
    else:
        terms["rate"] = draw(low_rates)
    if draw(st.booleans()):
        terms["threshold"] = {"recruiter": draw(dollars), "account_manager": draw(dollars)}
    if draw(st.booleans()):
        by_role = st.fixed_dictionaries({"recruiter": dollars, "account_manager": dollars})
        terms["cap"] = draw(st.one_of(dollars, by_role))
    terms["period"] = draw(st.sampled_from(["monthly", "quarterly", "annual"]))
    if draw(st.booleans()):
        terms["quota"] = draw(st.one_of(st.integers(1, 40_000), st.fixed_dictionaries(
            {"recruiter": st.integers(1, 40_000)})))
        terms["gate"] = draw(st.sampled_from([0.0, 0.5, 0.8]))
        if draw(st.booleans()):
            terms["accelerators"] = [{"from": 1.0, "multiplier": 1.5}, {"from": 1.5, "multiplier": 2.0}]
    return terms


@st.composite
def spifs(draw: st.DrawFn) -> list[dict[str, Any]]:
    return [{"name": f"spif {i}", "window": {"from_month": draw(st.integers(1, 3)), "months": draw(st.integers(1, 3))},
             "kind": draw(st.sampled_from(["perm", "contract", "any"])), "amount": draw(st.integers(1, 900)),
             "roles": draw(st.sampled_from([["recruiter"], ["recruiter", "account_manager"]])),
             "goal": draw(st.sampled_from([None, 1, 2]))} for i in range(draw(st.integers(0, 2)))]


@st.composite
def term_plan_params(draw: st.DrawFn) -> dict[str, Any]:
    """Any plan, its individual terms sometimes of the richer shapes, sometimes with SPIFs."""
    params = draw(plan_params())
    if params["type"] == "individual" and draw(st.booleans()):
        params = {k: v for k, v in params.items() if k not in ("rate", "threshold", "tiers", "accelerator", "cap")}
        params |= draw(term_variants())
    elif params["type"] == "hybrid" and draw(st.booleans()):
        params["individual"] = draw(term_variants())
    if params["type"] != "salary" and draw(st.booleans()):
        params["spifs"] = draw(spifs())
    return params
