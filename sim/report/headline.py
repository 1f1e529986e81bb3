"""Section 1: one plain sentence per scheme against the baseline, then the scheme x metric table.

Differences are *paired* (replication r of every scheme sees the same market), computed by
:func:`sim.experiment.stats.summarise` from the stored runs. Relative differences divide the paired
difference and its interval by the baseline's mean, which is treated as fixed.
"""

from __future__ import annotations

import html
import math

import pandas as pd

from sim.experiment.stats import summarise
from sim.metrics import BY_NAME, RUN_METRICS
from sim.report.style import fmt, signed

#: (metric, phrase, how the difference is shown): "pct" relative to the baseline, "points" x100, "abs".
HEADLINE = (("profit", "profit", "pct"), ("placements", "placements", "pct"),
            ("turnover_rate_annual", "voluntary turnover", "points"),
            ("mean_cooperation", "cooperation", "points"), ("pay_gini", "pay Gini", "abs"))


def summary_of(runs: pd.DataFrame, baseline: str) -> pd.DataFrame:
    metrics = [m.name for m in RUN_METRICS if m.name in runs.columns]
    return summarise(runs, metrics, baseline=baseline)


def _difference(row: pd.Series, base_mean: float, how: str, unit: str) -> str:
    d, lo, hi = row["diff_mean"], row["diff_ci_low"], row["diff_ci_high"]
    if how == "pct" and base_mean > 0 and not math.isnan(base_mean):
        k = 100.0 / base_mean
        return f"{d * k:+.0f}% [{lo * k:+.0f}%, {hi * k:+.0f}%]"
    if how == "points":
        return f"{100 * d:+.1f} points [{100 * lo:+.1f}, {100 * hi:+.1f}]"
    return f"{signed(d, unit)} [{signed(lo, unit)}, {signed(hi, unit)}]"


def sentences(summary: pd.DataFrame, schemes: list[str], baseline: str) -> str:
    """HTML list: one sentence per non-baseline scheme, each difference with its 95% interval."""
    by = summary.set_index(["scheme", "metric"])
    items = []
    for scheme in schemes:
        if scheme == baseline:
            continue
        parts = []
        for metric, phrase, how in HEADLINE:
            if (scheme, metric) not in by.index or (baseline, metric) not in by.index:
                continue
            row = by.loc[(scheme, metric)]
            if math.isnan(row["diff_mean"]):
                continue
            clear = row["diff_ci_low"] > 0 or row["diff_ci_high"] < 0
            unit = BY_NAME[metric].unit
            text = f"{phrase} {_difference(row, by.loc[(baseline, metric)]['mean'], how, unit)}"
            parts.append(f"<span class='{'clear' if clear else 'unclear'}'>{html.escape(text)}</span>")
        if parts:
            items.append(f"<li><b>{html.escape(scheme)}</b> vs {html.escape(baseline)}: " + "; ".join(parts) + ".</li>")
    if not items:
        return f"<p>Only one scheme ({html.escape(baseline)}): nothing to compare against.</p>"
    return ("<ul class='headline'>" + "".join(items) + "</ul><p class='note'>Brackets: 95% interval of the "
            "paired difference over replications (same market in replication r of every scheme). "
            "<span class='clear'>Bold</span>: the interval excludes zero; plain: not distinguishable from "
            "no difference. Percentages are relative to the baseline's mean.</p>")


def _best(g: pd.DataFrame, direction: str) -> str | None:
    if direction not in ("max", "min") or g["mean"].isna().all() or g["scheme"].nunique() < 2:
        return None
    idx = g["mean"].idxmax() if direction == "max" else g["mean"].idxmin()
    return str(g.loc[idx, "scheme"])


def table(summary: pd.DataFrame, schemes: list[str], baseline: str) -> str:
    """Metrics as rows, schemes as columns: mean [95% CI] and the paired difference; best marked."""
    head = "".join(f"<th>{html.escape(s)}{' (baseline)' if s == baseline else ''}</th>" for s in schemes)
    rows = []
    for metric in [m.name for m in RUN_METRICS]:
        g = summary[summary["metric"] == metric]
        if g.empty:
            continue
        meta = BY_NAME[metric]
        best = _best(g, meta.direction)
        cells = []
        for s in schemes:
            r = g[g["scheme"] == s]
            if r.empty:
                cells.append("<td></td>")
                continue
            r = r.iloc[0]
            txt = (f"{fmt(r['mean'], meta.unit)}<br><small>[{fmt(r['ci_low'], meta.unit)}, "
                   f"{fmt(r['ci_high'], meta.unit)}]</small>")
            if not math.isnan(r["diff_mean"]):
                txt += (f"<br><small>&Delta; {signed(r['diff_mean'], meta.unit)} [{signed(r['diff_ci_low'], meta.unit)}"
                        f", {signed(r['diff_ci_high'], meta.unit)}]</small>")
            mark = " class='best' title='best mean for this metric'" if s == best else ""
            star = "<span class='star' aria-label='best'>&#9733;</span> " if s == best else ""
            cells.append(f"<td{mark}>{star}{txt}</td>")
        arrow = {"max": "higher is better", "min": "lower is better", "info": "descriptive"}[meta.direction]
        rows.append(f"<tr><th title='{html.escape(meta.description)}'>{html.escape(metric)}<br><small>"
                    f"{html.escape(meta.unit)}; {arrow}</small></th>{''.join(cells)}</tr>")
    return (f"<table class='summary'><thead><tr><th>metric</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
            "</table><p class='note'>Each cell: mean over replications, [95% interval], and &Delta; the paired "
            "difference to the baseline [95% interval]. &#9733; marks the best mean where a direction is "
            "declared (sim/metrics.py); hover a metric for its meaning.</p>")
