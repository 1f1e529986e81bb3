"""Turn a finished replication's state into plain data: run metrics, monthly rows, people, statements."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from sim.model.behaviour import TYPE_NAMES, gini
from sim.model.placements import placement_rows

if TYPE_CHECKING:
    from sim.model.monthly import MonthEnd


def build_results(me: MonthEnd) -> dict[str, Any]:
    m = me.m
    wf = m.wf
    months = len(me.monthly)
    base = me.totals.get("base", 0)
    variable = me.totals.get("total", 0) - base
    profit = me.gp_cents - variable - base - me.hiring_cost
    producers = [r for r in wf.records.values() if r.seat < wf.producers and r.months_employed > 0]
    mean_pay = [r.pay_cents / r.months_employed for r in producers]
    credited = sorted((r.credited_gp_cents for r in producers), reverse=True)
    top = credited[: max(1, math.ceil(len(credited) / 10))] if credited else []
    total_credit = sum(credited)
    mean_headcount = me.headcount_sum / months if months else 0.0
    run = {
        "placements": sum(row["placements"] for row in me.monthly),
        "falloffs": sum(row["falloffs"] for row in me.monthly),
        "replacements": m.acc.replacements,
        "revenue": me.revenue_cents / 100,
        "gross_profit": me.gp_cents / 100,
        "commission_paid": variable / 100,
        "base_pay": base / 100,
        "hiring_cost": me.hiring_cost / 100,
        "profit": profit / 100,
        "voluntary_quits": me.quits,
        "turnover_rate_annual": (me.quits / mean_headcount) * 12.0 / months if mean_headcount else 0.0,
        "mean_effort": me.effort_sum / me.prod_months if me.prod_months else 0.0,
        "mean_cooperation": me.coop_sum / me.prod_months if me.prod_months else 0.0,
        "final_cooperation": me.monthly[-1]["mean_cooperation"] if me.monthly else 0.0,
        "pay_gini": gini(mean_pay),
        "top_decile_share": sum(top) / total_credit if total_credit > 0 else 0.0,
        "vacant_seat_months": me.vacant_months,
        "ramp_shortfall_months": me.ramp_shortfall,
        "lost_job_orders": me.lost_job_orders,
        "lost_candidates": me.lost_candidates,
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
    } for r in wf.records.values()]
    out: dict[str, Any] = {"run": run, "monthly": me.monthly, "people": people}
    if m.detail:
        out["statements"] = [
            {"person_id": st.person_id, "month": month + 1, "role": st.role, "pod": st.pod, "kind": line.kind,
             "cents": line.cents, "placement_id": line.placement_id}
            for month, st in me.statements for line in st.lines]
        out["trace"] = [
            {"person_id": r.person_id, "month": t[0] + 1, "effort": t[1], "cooperation": t[2], "pay_cents": t[3],
             "peer_median_pay_cents": t[4], "credited_gp_cents": round(t[5])}
            for r in wf.records.values() for t in r.trace]
        out["placements"] = placement_rows(m.acc, m.dpm, len(me.monthly))
    return out
