"""Turn a finished replication's state into plain data: run metrics, monthly rows, people, statements."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from sim.model.behaviour import TYPE_NAMES, gini
from sim.model.demand import DEMAND_STATES, demand_factor, demand_state, outside_option_factor
from sim.model.placements import placement_rows

if TYPE_CHECKING:
    from sim.model.monthly import MonthEnd


def build_results(me: MonthEnd) -> dict[str, Any]:
    m, t = me.m, me.tally
    wf = m.wf
    months = len(t.monthly)
    base = t.totals.get("base", 0)
    variable = t.totals.get("total", 0) - base
    profit = t.gp_cents - variable - base - t.hiring_cost
    producers = [r for r in wf.records.values() if r.seat < wf.producers and r.months_employed > 0]
    mean_pay = [r.pay_cents / r.months_employed for r in producers]
    credited = sorted((r.credited_gp_cents for r in producers), reverse=True)
    top = credited[: max(1, math.ceil(len(credited) / 10))] if credited else []
    total_credit = sum(credited)
    mean_headcount = t.headcount_sum / months if months else 0.0
    staff = wf.occ[: wf.producers].nonzero()[0]
    demand = m.sc.market.demand
    for row in t.monthly:   # month 1 is the first measured month (0 in sim.model.demand)
        row["demand_index"] = demand_factor(demand, row["month"] - 1)
        row["outside_option_index"] = outside_option_factor(demand, row["month"] - 1)
    run = {
        "placements": sum(row["placements"] for row in t.monthly),
        "falloffs": sum(row["falloffs"] for row in t.monthly),
        "replacements": m.acc.replacements,
        "revenue": t.revenue_cents / 100,
        "gross_profit": t.gp_cents / 100,
        "commission_paid": variable / 100,
        "base_pay": base / 100,
        "hiring_cost": t.hiring_cost / 100,
        "profit": profit / 100,
        "voluntary_quits": t.quits,
        "managed_out": t.managed_out,
        "turnover_rate_annual": (t.quits / mean_headcount) * 12.0 / months if mean_headcount else 0.0,
        "mean_effort": t.effort_sum / t.prod_months if t.prod_months else 0.0,
        "mean_cooperation": t.coop_sum / t.prod_months if t.prod_months else 0.0,
        "final_cooperation": t.monthly[-1]["mean_cooperation"] if t.monthly else 0.0,
        "final_mean_skill": float(wf.skill[staff].mean()) if len(staff) else 0.0,
        "pay_share_of_gp": (base + variable) / t.gp_cents if t.gp_cents > 0 else 0.0,
        "pay_gini": gini(mean_pay),
        "top_decile_share": sum(top) / total_credit if total_credit > 0 else 0.0,
        "vacant_seat_months": t.vacant_months,
        "ramp_shortfall_months": t.ramp_shortfall,
        "lost_job_orders": t.lost_job_orders,
        "lost_candidates": t.lost_candidates,
        "pay_volatility": t.pay_volatility.coefficient_of_variation(),
        **_variable_share_by_state(t.monthly),
        **(me.promotion.run_metrics() if me.promotion is not None else _NO_PROMOTIONS),
        **me.books.run_metrics(profit),
    }
    placed = m.acc.placed_by
    people = [{
        "person_id": r.person_id, "role": r.role, "pod": r.pod, "seat": r.seat,
        "hire_month": r.hire_month, "tenure_at_start": r.tenure_at_start,
        "exit_month": r.exit_month, "exit_reason": r.exit_reason,
        "cooperation_type": TYPE_NAMES[r.ctype], "skill": r.skill, "months_employed": r.months_employed,
        "pay_cents": r.pay_cents, "credited_gp_cents": r.credited_gp_cents,
        "placements": int(placed[r.person_id]) if r.person_id < len(placed) else 0,
        "final_effort": r.last_effort, "final_cooperation": r.last_cooperation,
        "promoted_month": r.promoted_month, "promoted_from": r.promoted_from, "promotion_reason": r.promotion_reason,
    } for r in wf.records.values()]
    out: dict[str, Any] = {"run": run, "monthly": t.monthly, "people": people}
    if m.detail:
        out["statements"] = [
            {"person_id": st.person_id, "month": month + 1, "role": st.role, "pod": st.pod, "kind": line.kind,
             "cents": line.cents, "placement_id": line.placement_id}
            for month, st in t.statements for line in st.lines]
        out["trace"] = [
            {"person_id": r.person_id, "month": t[0] + 1, "effort": t[1], "cooperation": t[2], "pay_cents": t[3],
             "peer_median_pay_cents": t[4], "credited_gp_cents": round(t[5])}
            for r in wf.records.values() for t in r.trace]
        out["placements"] = placement_rows(m.acc, m.dpm, len(t.monthly), m.sc.warmup_months)
    return out


_NO_PROMOTIONS = {"promotions": 0, "promoted_lead_cooperation": math.nan, "promoted_lead_cooperation_gap": math.nan}


def _variable_share_by_state(monthly: list[dict[str, Any]]) -> dict[str, float]:
    """Variable pay as a share of gross profit over the months of each demand state (NaN if none or no GP)."""
    out = {}
    for state in DEMAND_STATES:
        rows = [r for r in monthly if demand_state(r["demand_index"]) == state]
        gp = sum(r["gross_profit"] for r in rows)
        out[f"variable_pay_share_gp_{state}"] = sum(r["commission_paid"] for r in rows) / gp if gp > 0 else math.nan
    return out
