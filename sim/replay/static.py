"""The static replay: a firm's history paid through one plan by the payout engine, month by month.

No behaviour responds: the same people place the same deals under every plan, so the difference between
plans is what each would have cost on those deals. Every amount comes from
:meth:`sim.comp.Plan.pay` (the one payout engine); this module only sums its lines into the tables a
run writes (``runs``, ``monthly``, ``statements``), in the same columns and units, so reports and
``teamsim export`` read a replay as they read a batch. The metrics it cannot know (revenue, hiring
cost, effort, turnover) are left out rather than guessed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from sim.comp import Plan, build_plan
from sim.comp.money import half_even
from sim.replay.history import History, month_index


def _credited(plan: Plan, history: History) -> tuple[int, int]:
    """(GP credited to members, GP of credits in the window) in cents, split by the plan's crediting rule."""
    credited = gross = 0
    for ledger in history.ledgers:
        if not ledger.credits:
            continue
        ids = {m.person_id for m in ledger.members}
        gp = np.array([c.gp_cents for c in ledger.credits], dtype=np.int64)
        rec = half_even(gp, plan.split, int(gp.sum()))
        gross += int(gp.sum())
        for c, r, total in zip(ledger.credits, rec.tolist(), gp.tolist(), strict=True):
            credited += r * (c.recruiter_id in ids) + (total - r) * (c.account_manager_id in ids)
    return credited, gross


def period_notes(history: History, scheme: str, plan: Plan) -> list[str]:
    """What a quarterly or annual plan's periods are in the replay: they count from the window's first
    month (not the calendar's or a fiscal year's), and a last period still open at the window's end has
    paid advances only, never settled by a true-up."""
    months = plan.terms.months if plan.terms is not None and plan.terms.schedules else 1
    if months == 1:
        return []
    word = {3: "quarters", 12: "years"}[months]
    notes = [f"{scheme}: its {word} count from {history.months[0]:%Y-%m}, the window's first month"]
    left = len(history.months) % months
    if left:
        notes.append(f"{scheme}: its last {word[:-1]} ({history.months[-left]:%Y-%m} to {history.months[-1]:%Y-%m}) is "
                     "still open at the window's end: advances only, no true-up or clawback of over-advances")
    return notes


def replay_plan(history: History, scheme: str, params: Any, payroll_burden: float,
                overhead_per_seat_month: float) -> dict[str, Any]:
    """One plan over the history: ``run`` (metrics, dollars), ``monthly`` rows, ``statements`` lines and
    ``notes`` (:func:`period_notes`)."""
    plan = build_plan(params)
    state = plan.initial_state()
    statements: list[dict[str, Any]] = []
    monthly: list[dict[str, Any]] = []
    sums = dict.fromkeys(("total", "base", "draw_topup", "draw_recovery", "override", "burden", "overhead",
                          "refunded", "member_months"), 0)
    placed = np.bincount([month_index(history.months[0], dt.date.fromisoformat(r["placement_date"]))
                          for r in history.placements], minlength=len(history.ledgers))
    overhead_cents = round(overhead_per_seat_month * 100)
    for k, ledger in enumerate(history.ledgers):
        paid = plan.pay(ledger, state, lines=True)
        state = paid.state
        for st in paid.statements:
            statements += [{"person_id": st.person_id, "month": k + 1, "role": st.role, "pod": st.pod,
                            "kind": line.kind, "cents": line.cents, "placement_id": line.placement_id}
                           for line in st.lines]
        totals = paid.by_kind
        gp = sum(c.gp_cents for c in ledger.credits) - sum(f.refund_cents for f in ledger.falloffs)
        burden = round(payroll_burden * totals["total"])
        overhead = overhead_cents * len(ledger.members)
        for kind in ("total", "base", "draw_topup", "draw_recovery", "override"):
            sums[kind] += totals.get(kind, 0)
        sums["burden"] += burden
        sums["overhead"] += overhead
        sums["refunded"] += sum(f.refund_cents for f in ledger.falloffs)
        sums["member_months"] += len(ledger.members)
        roles = [m.role for m in ledger.members]
        monthly.append({
            "month": k + 1, "headcount_recruiters": roles.count("recruiter"), "headcount_ams": roles.count(
                "account_manager"), "placements": int(placed[k]),
            "falloffs": len(ledger.falloffs), "gross_profit": gp / 100,
            "commission_paid": (totals["total"] - totals["base"]) / 100, "base_pay": totals["base"] / 100,
            "draws_paid": totals.get("draw_topup", 0) / 100, "payroll_burden": burden / 100,
            "overhead": overhead / 100, "operating_profit": (gp - totals["total"] - burden - overhead) / 100})
    credited, gross = _credited(plan, history)
    gp = gross - sums["refunded"]
    recoverable = plan.draw is not None and plan.draw.recoverable
    outstanding = sum(state.draw_balances.values()) if recoverable else 0
    recovered = -sums["draw_recovery"]
    pay = sums["total"]
    run = {
        "scheme": scheme, "replication": 0, "placements": len(history.placements),
        "falloffs": sum(r["refund_cents"] > 0 for r in history.placements), "gross_profit": gp / 100,
        "commission_paid": (pay - sums["base"]) / 100, "base_pay": sums["base"] / 100,
        "profit": (gp - pay) / 100, "pay_share_of_gp": pay / gp if gp > 0 else np.nan,
        "draws_paid": sums["draw_topup"] / 100, "draws_recovered": recovered / 100,
        "draws_written_off": (sums["draw_topup"] - recovered - outstanding) / 100 if recoverable else 0.0,
        "draws_outstanding": outstanding / 100, "gp_credited": credited / 100,
        "gp_forfeited": (gross - credited) / 100, "gp_refunded": sums["refunded"] / 100,
        "lead_override": sums["override"] / 100, "payroll_burden": sums["burden"] / 100,
        "overhead": sums["overhead"] / 100,
        "operating_profit": (gp - pay - sums["burden"] - sums["overhead"]) / 100,
    }
    return {"run": run, "monthly": [{"scheme": scheme, "replication": 0, **row} for row in monthly],
            "statements": [{"scheme": scheme, "replication": 0, **row} for row in statements],
            "notes": period_notes(history, scheme, plan)}
