"""The money section: cost of sales, what turnover cost, draws, GP reconciliation, operating profit, P&L.

Turnover's lost output is valued at one basis for every scheme (:mod:`sim.finance`), stated on the
page with the parts that are already inside profit. Lost job orders and candidates are shown as
counts: the model records no dollar value for them. Everything is read from the stored runs.
"""

from __future__ import annotations

import html

import pandas as pd

from sim.experiment.stats import group_bands
from sim.finance import PNL, TURNOVER_INPUTS, with_turnover_costs
from sim.metrics import MONTHLY_METRICS, SUMMARY_BY_NAME, floor_count_bands
from sim.report.style import Figure, Style, fmt, label, layout, nums

COST_PARTS = (("commission_paid", "commission"), ("base_pay", "base pay"), ("hiring_cost", "hiring cost"))
TURNOVER_PARTS = (("hiring_cost", "hiring"), ("vacancy_cost", "empty seats (lost GP net of base saved)"),
                  ("ramp_cost", "ramp-up (lost GP)"))
PATTERNS = ("", "/", ".")
DRAWS = ("draws_paid", "draws_recovered", "draws_written_off", "draws_outstanding")
RECONCILIATION = ("gp_credited", "gp_forfeited", "gp_refunded", "gross_profit", "lead_override")
OPERATING = ("profit", "payroll_burden", "overhead", "operating_profit")


def turnover_costs(runs: pd.DataFrame, baseline: str, steady: float | None = None) -> pd.DataFrame:
    """Per run: hiring cost, the value of empty seat-months and ramp shortfall at one basis, and the total,
    with the lost job orders and candidates shown beside them (only those columns: the section's other
    tables read their own, so a big batch's runs are never held whole)."""
    shown = ["scheme", "replication", *TURNOVER_INPUTS, "lost_job_orders", "lost_candidates"]
    return with_turnover_costs(runs[[c for c in dict.fromkeys(shown) if c in runs.columns]], baseline, steady=steady)


def cost_of_sales_figure(runs: pd.DataFrame, st: dict[str, Style]) -> Figure:
    """Commission, base pay and hiring cost as shares of gross profit (ratio of means), stacked per scheme."""
    cols = [c for c, _ in COST_PARTS] + ["gross_profit"]
    means = runs[["scheme", *cols]].groupby("scheme", sort=False)[cols].mean()
    schemes = [s for s in st if s in means.index]
    shares = {col: [means.loc[s, col] / means.loc[s, "gross_profit"] if means.loc[s, "gross_profit"] > 0
                    else float("nan") for s in schemes] for col, _ in COST_PARTS}
    # The total is written under each bar: labels inside patterned segments would not be legible.
    x = [f"{label(s)}<br>total {fmt(sum(v[i] for v in shares.values()), 'share')}" for i, s in enumerate(schemes)]
    data = []
    for i, (col, name) in enumerate(COST_PARTS):
        data.append({"type": "bar", "name": name, "x": x, "y": nums(shares[col]),
                     "hovertemplate": f"{name}: %{{y:.1%}} of gross profit<extra></extra>",
                     "marker": {"color": [st[s].colour for s in schemes], "opacity": 1 - 0.3 * i,
                                "pattern": {"shape": PATTERNS[i]}}})
    return {"data": data, "layout": layout("Cost of sales as a share of gross profit (means over runs)", "scheme",
                                           "share of gross profit", barmode="stack")}


def turnover_figure(costs: pd.DataFrame, st: dict[str, Style]) -> Figure:
    """What turnover cost per scheme: stacked means; the error bar is the 95% interval of the total."""
    cols = [c for c, _ in TURNOVER_PARTS] + ["turnover_cost"]
    b = group_bands(costs, ["scheme"], cols).set_index("scheme")
    schemes = [s for s in st if s in b.index]
    data = []
    for i, (col, name) in enumerate(TURNOVER_PARTS):
        trace = {"type": "bar", "name": name, "x": [label(s) for s in schemes], "y": nums(b.loc[schemes, col], 2),
                 "marker": {"color": [st[s].colour for s in schemes], "opacity": 1 - 0.3 * i,
                            "pattern": {"shape": PATTERNS[i]}}}
        if i == len(TURNOVER_PARTS) - 1:
            total = b.loc[schemes, "turnover_cost"]
            trace["error_y"] = {"type": "data", "symmetric": False,
                                "array": nums(b.loc[schemes, "turnover_cost_high"] - total, 2),
                                "arrayminus": nums(total - b.loc[schemes, "turnover_cost_low"], 2)}
        data.append(trace)
    return {"data": data, "layout": layout("What turnover cost over the horizon (mean per run; bar: 95% interval "
                                           "of the total)", "scheme", "$", barmode="stack")}


def bands_table(runs: pd.DataFrame, cols: tuple[str, ...], schemes: list[str]) -> str:
    """Schemes as rows, ``cols`` (metrics declared in sim/metrics.py) as columns: mean and [95% interval]."""
    cols = tuple(c for c in cols if c in runs.columns)
    if not cols:
        return ""
    b = floor_count_bands(group_bands(runs[["scheme", *cols]], ["scheme"], list(cols))).set_index("scheme")
    head = "".join(f"<th title='{html.escape(SUMMARY_BY_NAME[c].description)}'>{html.escape(SUMMARY_BY_NAME[c].label)}"
                   f"</th>" for c in cols)
    rows = []
    for s in schemes:
        if s not in b.index:
            continue
        unit = {c: SUMMARY_BY_NAME[c].unit for c in cols}
        cells = "".join(f"<td>{fmt(b.loc[s, c], unit[c])}<br><small>[{fmt(b.loc[s, c + '_low'], unit[c])}, "
                        f"{fmt(b.loc[s, c + '_high'], unit[c])}]</small></td>" for c in cols)
        rows.append(f"<tr><th>{html.escape(s)}</th>{cells}</tr>")
    return f"<table class='summary'><thead><tr><th>scheme</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def turnover_table(costs: pd.DataFrame, schemes: list[str]) -> str:
    return bands_table(costs, ("steady_gp_per_seat_month", "hiring_cost", "vacancy_cost", "ramp_cost",
                               "turnover_cost", "lost_job_orders", "lost_candidates"), schemes)


def pnl_table(pnl: pd.DataFrame, schemes: list[str]) -> str:
    """Per scheme and year of the horizon (``pnl``: :func:`sim.finance.stored_annual_pnl`): the mean over
    replications of each P&L line."""
    if pnl.empty or "operating_profit" not in pnl.columns:
        return ""
    means = pnl.groupby(["scheme", "year"], sort=False).mean(numeric_only=True)
    lines = [c for c in PNL if c in means.columns]
    names = {m.name: m.label for m in MONTHLY_METRICS}
    head = "".join(f"<th>{html.escape(names.get(c, c))}</th>" for c in lines)
    rows = []
    for s in schemes:
        for (scheme, year), r in means.iterrows():
            if scheme != s:
                continue
            months = int(r["months"])
            cells = "".join(f"<td>{fmt(r[c], '$')}</td>" for c in lines)
            rows.append(f"<tr><th>{html.escape(s)}</th><td>{int(year)}{'' if months == 12 else f' ({months} mo)'}"
                        f"</td>{cells}</tr>")
    return (f"<table class='summary pnl'><thead><tr><th>scheme</th><th>year</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")
