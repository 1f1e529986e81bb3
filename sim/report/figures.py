"""Figures of sections 2 and 3 (over time; people), as plain plotly dicts built from stored tables.

Every chart aggregates over replications before it is drawn (means, bands, quantiles on a fixed
grid), so a report of 100 replications is no bigger than one of 5.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.comp import PRODUCER_ROLES
from sim.experiment.stats import group_bands
from sim.metrics import MONTHLY_METRICS, floor_count_bands
from sim.report.data import producers
from sim.report.style import ROLE_NAMES, Figure, Style, band, label, layout, nums

#: (column, title, unit) of the monthly series in section 2; headcount is recruiters + account managers.
OVER_TIME = (("placements", "Placements per month", "placements"), ("revenue", "Revenue per month", "$"),
             ("headcount", "Headcount (recruiters + account managers)", "people"),
             ("mean_cooperation", "Mean cooperation of producers", "0-1"),
             ("mean_effort", "Mean effort of producers", "effort (1 = standard)"))
GRID = np.linspace(0.0, 1.0, 21)


def with_headcount(monthly: pd.DataFrame) -> pd.DataFrame:
    if "headcount" not in monthly and {"headcount_recruiters", "headcount_ams"} <= set(monthly.columns):
        monthly = monthly.assign(headcount=monthly["headcount_recruiters"] + monthly["headcount_ams"])
    return monthly


def monthly_bands(monthly: pd.DataFrame) -> pd.DataFrame:
    """Per (scheme, month): mean and 95% band of every monthly series the report draws."""
    monthly = with_headcount(monthly)
    cols = [c for c, _t, _u in OVER_TIME if c in monthly] + (["quits"] if "quits" in monthly else [])
    bands = group_bands(monthly, ["scheme", "month"], cols).sort_values(["scheme", "month"], kind="stable")
    return floor_count_bands(bands)


def series_figure(b: pd.DataFrame, column: str, title: str, unit: str, st: dict[str, Style]) -> Figure:
    """Mean per month with its 95% band, one line style per scheme."""
    data = []
    for scheme, s in st.items():
        g = b[b["scheme"] == scheme]
        if g.empty:
            continue
        x = g["month"].tolist()
        data.append(band(x, g[f"{column}_low"], g[f"{column}_high"], s, scheme))
        data.append({"type": "scatter", "mode": "lines+markers", "x": x, "y": nums(g[column]),
                     "name": label(scheme), "legendgroup": label(scheme), "line": s.line(), "marker": s.markers(5)})
    return {"data": data, "layout": layout(f"{title} (mean and 95% band)", "month", unit)}


def over_time(monthly: pd.DataFrame, st: dict[str, Style]) -> list[Figure]:
    b = monthly_bands(monthly)
    return [series_figure(b, c, t, u, st) for c, t, u in OVER_TIME if c in b]


def quits_figure(monthly: pd.DataFrame, st: dict[str, Style]) -> Figure:
    unit = next(m.unit for m in MONTHLY_METRICS if m.name == "quits")
    return series_figure(monthly_bands(monthly), "quits", "Quits per month", unit, st)


def kaplan_meier(durations: np.ndarray, quit: np.ndarray, horizon: int) -> np.ndarray:
    """Share still employed after 0..horizon months; leavers for other reasons and stayers are censored."""
    t = np.arange(horizon + 1)
    at_risk = (durations[None, :] >= t[:, None]).sum(axis=1)
    events = np.bincount(durations[quit], minlength=horizon + 1)[: horizon + 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(at_risk > 0, events / at_risk, 0.0)
    return np.cumprod(1.0 - hazard)


def survival_figure(people: pd.DataFrame, horizon: int, st: dict[str, Style]) -> Figure:
    """Kaplan-Meier curves of time in seat, one panel per role, one line per scheme."""
    p = producers(people)
    data = []
    for i, role in enumerate(PRODUCER_ROLES):
        axis = "" if i == 0 else str(i + 1)
        for scheme, s in st.items():
            g = p[(p["scheme"] == scheme) & (p["role"] == role)]
            if g.empty:
                continue
            quit = (g["exit_reason"] == "quit").fillna(False).to_numpy(dtype=bool)
            curve = kaplan_meier(g["months_employed"].to_numpy(dtype=int).clip(0, horizon), quit, horizon)
            data.append({"type": "scatter", "mode": "lines", "line": {**s.line(), "shape": "hv"},
                         "x": list(range(horizon + 1)), "y": nums(curve), "name": label(scheme),
                         "legendgroup": label(scheme), "showlegend": i == 0, "xaxis": f"x{axis}",
                         "yaxis": f"y{axis}"})
    lay = layout("Share still in their seat, by months employed (Kaplan-Meier)", height=380,
                 xaxis={"domain": [0, 0.47], "title": {"text": "months employed (recruiters)"}},
                 yaxis={"range": [0, 1.02], "title": {"text": "share not yet quit"}},
                 xaxis2={"domain": [0.53, 1], "title": {"text": "months employed (account managers)"}},
                 yaxis2={"range": [0, 1.02], "anchor": "x2"})
    return {"data": data, "layout": lay}


def payout_figure(people: pd.DataFrame, st: dict[str, Style]) -> Figure:
    """Mean monthly pay per person: quartile boxes per role and scheme, whiskers at the 5th and 95th percentile."""
    p = producers(people)
    data = []
    for scheme, s in st.items():
        g = p[p["scheme"] == scheme]
        roles = [r for r in PRODUCER_ROLES if (g["role"] == r).any()]
        if not roles:
            continue
        q = [np.percentile(g.loc[g["role"] == r, "monthly_pay"], [5, 25, 50, 75, 95]) for r in roles]
        means = [g.loc[g["role"] == r, "monthly_pay"].mean() for r in roles]
        data.append({"type": "box", "name": label(scheme), "x": [ROLE_NAMES[r] for r in roles],
                     "lowerfence": nums([v[0] for v in q], 2), "q1": nums([v[1] for v in q], 2),
                     "median": nums([v[2] for v in q], 2), "q3": nums([v[3] for v in q], 2),
                     "upperfence": nums([v[4] for v in q], 2), "mean": nums(means, 2),
                     "marker": s.markers(), "line": {"color": s.colour}, "boxmean": True})
    return {"data": data, "layout": layout("Mean monthly pay per person (box: quartiles; whiskers: 5th-95th "
                                           "percentile; dashed: mean)", "role", "$ per month", boxmode="group")}


def lorenz_figure(people: pd.DataFrame, gini: pd.DataFrame, st: dict[str, Style]) -> Figure:
    """Lorenz curve of producers' mean monthly pay (all replications pooled); Gini per run in the legend."""
    p = producers(people)
    data = [{"type": "scatter", "mode": "lines", "x": [0, 1], "y": [0, 1], "name": "equal pay",
             "line": {"color": "#999", "width": 1}}]
    for scheme, s in st.items():
        pay = np.sort(p.loc[p["scheme"] == scheme, "monthly_pay"].to_numpy(dtype=float))
        if pay.size == 0 or pay.sum() <= 0:
            continue
        cum = np.concatenate([[0.0], np.cumsum(pay) / pay.sum()])
        y = np.interp(GRID, np.linspace(0, 1, cum.size), cum)
        g = gini[gini["scheme"] == scheme]
        tag = (f" (Gini {g['pay_gini'].iloc[0]:.3f} [{g['pay_gini_low'].iloc[0]:.3f}, "
               f"{g['pay_gini_high'].iloc[0]:.3f}])") if not g.empty else ""
        data.append({"type": "scatter", "mode": "lines+markers", "x": nums(GRID), "y": nums(y),
                     "name": label(scheme) + tag, "line": s.line(), "marker": s.markers(5)})
    return {"data": data, "layout": layout("Pay Lorenz curve (Gini: mean over runs [95% interval])",
                                           "share of producers, lowest paid first", "share of pay")}


def production_figure(people: pd.DataFrame, st: dict[str, Style]) -> Figure:
    """Share of credited gross profit made by the top x% of producers (mean over runs, 95% band)."""
    p = producers(people)
    rows = []
    for (scheme, rep), g in p.groupby(["scheme", "replication"], sort=False):
        gp = np.sort(g["credited_gp_cents"].to_numpy(dtype=float))[::-1]
        if gp.size == 0 or gp.sum() <= 0:
            continue
        cum = np.concatenate([[0.0], np.cumsum(gp) / gp.sum()])
        y = np.interp(GRID, np.linspace(0, 1, cum.size), cum)
        rows.extend({"scheme": scheme, "replication": rep, "top": t, "share": v} for t, v in zip(GRID, y, strict=True))
    data = [{"type": "scatter", "mode": "lines", "x": [0, 1], "y": [0, 1], "name": "everyone equal",
             "line": {"color": "#999", "width": 1}}]
    if rows:
        b = group_bands(pd.DataFrame(rows), ["scheme", "top"], ["share"])
        for scheme, s in st.items():
            g = b[b["scheme"] == scheme].sort_values("top")
            if g.empty:
                continue
            x = nums(g["top"])
            data.append(band(x, g["share_low"], g["share_high"], s, scheme))
            data.append({"type": "scatter", "mode": "lines+markers", "x": x, "y": nums(g["share"]),
                         "name": label(scheme), "legendgroup": label(scheme), "line": s.line(),
                         "marker": s.markers(5)})
    lay = layout("Production curve: share of output from the top producers", "top share of producers",
                 "share of credited gross profit",
                 shapes=[{"type": "line", "x0": 0.1, "x1": 0.1, "y0": 0, "y1": 1, "line": {"dash": "dot",
                                                                                         "color": "#666"}}])
    return {"data": data, "layout": lay}
