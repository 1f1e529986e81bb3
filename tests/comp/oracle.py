"""A readable payout engine on dicts and Fractions: the oracle the columnar engine is checked against.

It restates the rules of :mod:`sim.comp.engine` and :mod:`sim.comp.pools` one person and one pod at a
time, from the validated parameters, with exact ``Fraction`` arithmetic and Python's half-even
``round``; it shares nothing with the engine but the records and the statement types.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from sim.comp import (
    COMMISSION_MEMORY_MONTHS,
    LINE_KINDS,
    POD_LEAD,
    Line,
    PeriodLedger,
    PlanState,
    Statement,
    parse_plan_params,
)

Lines = dict[int, list[Line]]


def exact(value: Any) -> Fraction:
    return Fraction(str(value))


def cents(dollars: Any) -> int:
    return round(exact(dollars) * 100)


def split(total: int, weights: dict[int, Fraction]) -> dict[int, int]:
    """Largest remainder: floors, then a cent each to the largest remainders, ties to the lower key."""
    weights = {k: Fraction(w) for k, w in weights.items()}   # exact quotas whatever the weights' type
    weight_sum = sum(weights.values())
    if not weight_sum or not total:
        return dict.fromkeys(weights, 0)
    quota = {k: abs(total) * w / weight_sum for k, w in weights.items()}
    shares = {k: int(q) for k, q in quota.items()}
    ranked = sorted(weights, key=lambda k: (-(quota[k] - shares[k]), k))
    for k in ranked[:abs(total) - sum(shares.values())]:
        shares[k] += 1
    return {k: s if total > 0 else -s for k, s in shares.items()}


def schedule(terms: Any, credited: int) -> int:
    c = max(0, credited - cents(terms.threshold))
    tiers = [(cents(t.from_), exact(t.rate)) for t in terms.tiers] if terms.tiers else [(0, exact(terms.rate))]
    if terms.accelerator == "tiered":
        amount = c * [rate for start, rate in tiers if start <= c][-1]
    else:
        ends = [start for start, _ in tiers[1:]] + [c]
        amount = sum((min(end, c) - start) * rate for (start, rate), end in zip(tiers, ends, strict=True) if start < c)
    amount = round(amount)
    return amount if terms.cap is None else min(amount, cents(terms.cap))


def pay(params: dict[str, Any], ledger: PeriodLedger, state: PlanState) -> tuple[tuple[Statement, ...], PlanState]:
    """One statement per member and the next state, by the rules stated in the engine's docstrings."""
    plan = parse_plan_params(params)
    w = exact(getattr(plan, "individual_weight", 1)) if plan.type != "team_pool" else Fraction(0)
    individual = {"individual": plan, "hybrid": getattr(plan, "individual", None)}.get(plan.type)
    pool = {"team_pool": plan, "hybrid": getattr(plan, "team_pool", None)}.get(plan.type)
    pool_rate = exact(pool.rate) * (1 - w if plan.type == "hybrid" else 1) if pool is not None else Fraction(0)
    clawback = getattr(plan, "clawback", False)
    members = {m.person_id: m for m in ledger.members}
    producers = [m for m in ledger.members if m.role != POD_LEAD]
    share = exact(plan.split.recruiter)
    pod_net: dict[int, int] = {}
    credited: dict[int, dict[int, int]] = {}
    perm: set[int] = set()
    for c in ledger.credits:
        r = round(c.gp_cents * share)
        for person, pod, gp in ((c.recruiter_id, c.recruiter_pod, r), (c.account_manager_id, c.account_manager_pod,
                                                                      c.gp_cents - r)):
            pod_net[pod] = pod_net.get(pod, 0) + gp
            if gp and person in members:
                credited.setdefault(person, {})[c.placement_id] = credited.get(person, {}).get(c.placement_id, 0) + gp
        if c.perm:
            perm.add(c.placement_id)
    for f in ledger.falloffs:
        r = round(f.refund_cents * share)
        pod_net[f.recruiter_pod] = pod_net.get(f.recruiter_pod, 0) - r
        pod_net[f.account_manager_pod] = pod_net.get(f.account_manager_pod, 0) - (f.refund_cents - r)
    lines: Lines = {pid: [] for pid in members}
    paid_now: dict[tuple[int, int], int] = {}
    if individual is not None and w:
        for person, placements in credited.items():
            commission = round(w * schedule(individual, sum(placements.values())))
            amounts = split(commission, {k: Fraction(v) for k, v in placements.items()})
            lines[person] += [Line("commission", c, k) for k, c in sorted(amounts.items()) if c]
            if clawback:
                paid_now.update({(k, person): c for k, c in amounts.items() if c and k in perm})
        if clawback:
            claims = {(f.placement_id, p, f.clawback_fraction) for f in ledger.falloffs
                      for p in (f.recruiter_id, f.account_manager_id) if p in members}
            for placement, person, fraction in sorted(claims):
                here = paid_now.get((placement, person), 0)
                before = sum(paid.get((placement, person), 0) for _, paid in state.commission_paid)
                taken = round(exact(fraction) * (before + here))
                if taken:
                    lines[person].append(Line("clawback", -taken, placement))
                    paid_now[placement, person] = here - taken
    if pool is not None and pool_rate:
        bases = [(None, sum(pod_net.values()), producers)] if pool.basis == "firm" else [
            (pod, net, [m for m in producers if m.pod == pod]) for pod, net in pod_net.items()]
        for _, net, people in bases:
            held = round(pool_rate * net)
            held = held if clawback or held > 0 else 0
            if pool.sharing == "equal":
                weights = {m.person_id: Fraction(1) for m in people}
            else:
                weights = {m.person_id: exact(getattr(pool.role_weights, m.role)) for m in people}
            for person, c in split(held, weights).items():
                if c:
                    lines[person].append(Line("pool" if c > 0 else "clawback", c))
    lead = plan.pod_lead
    for pod in {m.pod for m in ledger.members if m.role == POD_LEAD}:
        leads = {m.person_id: Fraction(1) for m in ledger.members if m.role == POD_LEAD and m.pod == pod}
        reached = sum(1 for m in producers if m.pod == pod and m.tenure_months == lead.milestone_months)
        for kind, amount in (("override", round(exact(lead.override_rate) * max(0, pod_net.get(pod, 0)))),
                             ("development_bonus", cents(lead.development_bonus) * reached)):
            for person, c in split(amount, leads).items():
                if c:
                    lines[person].append(Line(kind, c))
    balances: dict[int, int] = {}
    draw = getattr(plan, "draw", None)
    for m in producers if draw is not None else ():
        balance = state.draw_balances.get(m.person_id, 0)
        if m.tenure_months >= draw.months and not balance:
            continue
        variable = sum(line.cents for line in lines[m.person_id])
        guarantee = cents(draw.amount) if m.tenure_months < draw.months else 0
        topup = max(0, guarantee - max(0, variable))
        recovery = min(balance, max(0, variable - guarantee)) if draw.recoverable else 0
        if draw.recoverable and balance + topup - recovery > 0:
            balances[m.person_id] = balance + topup - recovery
        lines[m.person_id] += [Line(k, c) for k, c in (("draw_topup", topup), ("draw_recovery", -recovery)) if c]
    statements = tuple(Statement(m.person_id, ledger.period, m.role, m.pod,
                                 (Line("base", cents(getattr(plan.base_monthly, m.role))), *lines[m.person_id]))
                       for m in ledger.members)
    if not paid_now and not balances and not state.commission_paid and not state.draw_balances:
        return statements, state
    history = tuple(e for e in state.commission_paid if e[0] >= ledger.period + 2 - COMMISSION_MEMORY_MONTHS)
    return statements, PlanState(balances, history + (((ledger.period, paid_now),) if paid_now else ()))


def by_kind(statements: tuple[Statement, ...]) -> dict[str, int]:
    """Cents by line kind over the statements, every kind in order, plus ``"total"``."""
    totals = dict.fromkeys(LINE_KINDS, 0)
    for s in statements:
        for line in s.lines:
            totals[line.kind] += line.cents
    totals["total"] = sum(totals.values())
    return totals
