"""Figures of sections 2 and 3 (over time; people), as plain plotly dicts built from stored results.

Every chart draws aggregates over replications (means, bands, quantiles on a fixed grid), computed
while the stored tables stream past (:mod:`sim.report.data`), so a report of 10,000 replications
is no bigger, and needs no more memory, than one of 5.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.metrics import MONTHLY_METRICS
from sim.report.data import GRID, OVER_TIME, PRODUCER_ROLES, People, curve
from sim.report.style import ROLE_NAMES, Figure, Style, band, label, layout, nums


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


def over_time(bands: pd.DataFrame, st: dict[str, Style]) -> list[Figure]:
    """``bands``: per (scheme, month), as :func:`sim.report.data.read_monthly` gives them."""
    # A stationary market's demand index is 1 throughout: its chart is drawn only when demand moves.
    moves = "demand_index" in bands and bands["demand_index"].nunique() > 1
    return [series_figure(bands, c, t, u, st) for c, t, u in OVER_TIME
            if c in bands and (c != "demand_index" or moves)]


def quits_figure(bands: pd.DataFrame, st: dict[str, Style]) -> Figure:
    unit = next(m.unit for m in MONTHLY_METRICS if m.name == "quits")
    return series_figure(bands, "quits", "Quits per month", unit, st)


def kaplan_meier_counts(seen: np.ndarray, quits: np.ndarray) -> np.ndarray:
    """Share still employed after 0..horizon months from counts by months employed (``seen``: everyone,
    ``quits``: those who quit); leavers for other reasons and stayers are censored."""
    at_risk = np.cumsum(seen[::-1])[::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(at_risk > 0, quits / at_risk, 0.0)
    return np.cumprod(1.0 - hazard)


def kaplan_meier(durations: np.ndarray, quit: np.ndarray, horizon: int) -> np.ndarray:
    """:func:`kaplan_meier_counts` of individual durations (months employed, 0..horizon) and quit flags."""
    return kaplan_meier_counts(np.bincount(durations, minlength=horizon + 1)[: horizon + 1],
                               np.bincount(durations[quit], minlength=horizon + 1)[: horizon + 1])


def survival_figure(people: People, st: dict[str, Style]) -> Figure:
    """Kaplan-Meier curves of time in seat, one panel per role, one line per scheme."""
    horizon = people.horizon
    data = []
    for i, role in enumerate(PRODUCER_ROLES):
        axis = "" if i == 0 else str(i + 1)
        for scheme, s in st.items():
            if (scheme, role) not in people.tenure:
                continue
            curve = kaplan_meier_counts(*people.tenure[(scheme, role)])
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


def payout_figure(people: People, st: dict[str, Style]) -> Figure:
    """Mean monthly pay per person: quartile boxes per role and scheme, whiskers at the 5th and 95th percentile."""
    data = []
    for scheme, s in st.items():
        roles = [r for r in PRODUCER_ROLES if people.pay.get((scheme, r), np.empty(0)).size]
        if not roles:
            continue
        q = [np.percentile(people.pay[(scheme, r)], [5, 25, 50, 75, 95]) for r in roles]
        means = [people.pay[(scheme, r)].mean() for r in roles]
        data.append({"type": "box", "name": label(scheme), "x": [ROLE_NAMES[r] for r in roles],
                     "lowerfence": nums([v[0] for v in q], 2), "q1": nums([v[1] for v in q], 2),
                     "median": nums([v[2] for v in q], 2), "q3": nums([v[3] for v in q], 2),
                     "upperfence": nums([v[4] for v in q], 2), "mean": nums(means, 2),
                     "marker": s.markers(), "line": {"color": s.colour}, "boxmean": True})
    return {"data": data, "layout": layout("Mean monthly pay per person (box: quartiles; whiskers: 5th-95th "
                                           "percentile; dashed: mean)", "role", "$ per month", boxmode="group")}


def lorenz_figure(people: People, gini: pd.DataFrame, st: dict[str, Style]) -> Figure:
    """Lorenz curve of producers' mean monthly pay (all replications pooled); Gini per run in the legend."""
    data = [{"type": "scatter", "mode": "lines", "x": [0, 1], "y": [0, 1], "name": "equal pay",
             "line": {"color": "#999", "width": 1}}]
    for scheme, s in st.items():
        pay = np.sort(np.concatenate([people.pay.get((scheme, r), np.empty(0)) for r in PRODUCER_ROLES]))
        if pay.size == 0 or pay.sum() <= 0:
            continue
        y = curve(pay)
        g = gini[gini["scheme"] == scheme]
        tag = (f" (Gini {g['pay_gini'].iloc[0]:.3f} [{g['pay_gini_low'].iloc[0]:.3f}, "
               f"{g['pay_gini_high'].iloc[0]:.3f}])") if not g.empty else ""
        data.append({"type": "scatter", "mode": "lines+markers", "x": nums(GRID), "y": nums(y),
                     "name": label(scheme) + tag, "line": s.line(), "marker": s.markers(5)})
    return {"data": data, "layout": layout("Pay Lorenz curve (Gini: mean over runs [95% interval])",
                                           "share of producers, lowest paid first", "share of pay")}


def production_figure(people: People, st: dict[str, Style]) -> Figure:
    """Share of credited gross profit made by the top x% of producers (mean over runs, 95% band)."""
    data = [{"type": "scatter", "mode": "lines", "x": [0, 1], "y": [0, 1], "name": "everyone equal",
             "line": {"color": "#999", "width": 1}}]
    b = people.production
    if len(b):
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
