"""Section 4: cost of sales per scheme and what turnover cost, from the stored runs.

Months of lost output (empty seats, ramp-up) are valued at each run's own gross profit per
producer-month (:func:`sim.report.data.gp_per_producer_month`); the page says so. Lost job orders
and candidates are shown as counts: the model records no dollar value for them.
"""

from __future__ import annotations

import html

import pandas as pd

from sim.experiment.stats import group_bands
from sim.report.data import gp_per_producer_month
from sim.report.style import Figure, Style, fmt, label, layout, nums

COST_PARTS = (("commission_paid", "commission"), ("base_pay", "base pay"), ("hiring_cost", "hiring cost"))
TURNOVER_PARTS = (("hiring_cost", "hiring"), ("vacancy_cost", "empty seats (lost output)"),
                  ("ramp_cost", "ramp-up (lost output)"))
PATTERNS = ("", "/", ".")


def turnover_costs(runs: pd.DataFrame, seats: pd.Series) -> pd.DataFrame:
    """Per run: hiring cost, value of empty seat-months and ramp shortfall, and their total (dollars).

    ``seats``: each run's producer-months (:func:`sim.report.data.read_monthly`)."""
    rate = gp_per_producer_month(runs, seats)
    out = runs[["scheme", "replication", "hiring_cost", "lost_job_orders", "lost_candidates"]].copy()
    out["gp_per_producer_month"] = rate
    out["vacancy_cost"] = runs["vacant_seat_months"] * rate
    out["ramp_cost"] = runs["ramp_shortfall_months"] * rate
    out["turnover_cost"] = out["hiring_cost"] + out["vacancy_cost"] + out["ramp_cost"]
    return out


def cost_of_sales_figure(runs: pd.DataFrame, st: dict[str, Style]) -> Figure:
    """Commission, base pay and hiring cost as shares of gross profit (ratio of means), stacked per scheme."""
    means = runs.groupby("scheme", sort=False)[[c for c, _ in COST_PARTS] + ["gross_profit"]].mean()
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


def turnover_table(costs: pd.DataFrame, schemes: list[str]) -> str:
    cols = (("gp_per_producer_month", "GP per producer-month", "$"), ("hiring_cost", "hiring", "$"),
            ("vacancy_cost", "empty seats", "$"), ("ramp_cost", "ramp-up", "$"),
            ("turnover_cost", "total", "$"), ("lost_job_orders", "job orders lost", ""),
            ("lost_candidates", "candidates lost", ""))
    b = group_bands(costs, ["scheme"], [c for c, _, _ in cols]).set_index("scheme")
    head = "".join(f"<th>{html.escape(t)}</th>" for _, t, _ in cols)
    rows = []
    for s in schemes:
        if s not in b.index:
            continue
        cells = "".join(f"<td>{fmt(b.loc[s, c], u)}<br><small>[{fmt(b.loc[s, c + '_low'], u)}, "
                        f"{fmt(b.loc[s, c + '_high'], u)}]</small></td>" for c, _, u in cols)
        rows.append(f"<tr><th>{html.escape(s)}</th>{cells}</tr>")
    return f"<table class='summary'><thead><tr><th>scheme</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
