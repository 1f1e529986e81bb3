"""Section 1: one plain sentence per scheme against the baseline, then the scheme x metric table.

Differences are *paired* (replication r of every scheme sees the same market), computed by
:func:`sim.experiment.stats.summarise` from the stored runs. Relative differences divide the paired
difference and its interval by the baseline's mean, which is treated as fixed.
"""

from __future__ import annotations

import html
import math

import pandas as pd

from sim.experiment.stats import mean_ci, summarise
from sim.metrics import BY_NAME, RUN_METRICS, floor_count_intervals
from sim.report.style import fmt, signed

#: (metric, phrase, how the difference is shown): "pct" relative to the baseline, "points" x100, "abs".
HEADLINE = (("profit", "profit", "pct"), ("placements", "placements", "pct"),
            ("turnover_rate_annual", "voluntary turnover", "points"),
            ("mean_cooperation", "cooperation", "points"), ("pay_gini", "pay Gini", "abs"))


def summary_of(runs: pd.DataFrame, baseline: str) -> pd.DataFrame:
    metrics = [m.name for m in RUN_METRICS if m.name in runs.columns]
    return floor_count_intervals(summarise(runs, metrics, baseline=baseline))


def ranked(metric: str) -> bool:
    """Whether "better" means something for ``metric``: it declares a direction (sim/metrics.py)."""
    return BY_NAME[metric].direction in ("max", "min")


def clear_best(runs: pd.DataFrame, metric: str, schemes: list[str]) -> str | None:
    """The scheme with the best mean of ``metric``, if its paired difference to *every* other scheme is
    distinguishable from zero in the better direction (95% interval over common replications); else None.

    A metric without a direction has no best; neither does a tie or a difference the runs cannot tell from
    noise. Replication r of every scheme sees the same market, so the differences are paired.
    """
    direction = BY_NAME[metric].direction
    if direction not in ("max", "min") or metric not in runs.columns:
        return None
    values = runs[["replication", "scheme", metric]].pivot_table(index="replication", columns="scheme", values=metric,
                                                                  aggfunc="first")
    present = [s for s in schemes if s in values.columns]
    if len(present) < 2:
        return None
    means = values[present].mean()
    if means.isna().all():
        return None
    best = str(means.idxmax() if direction == "max" else means.idxmin())
    for other in present:
        if other == best:
            continue
        diff = (values[best] - values[other]).dropna()
        if len(diff) < 2:
            return None
        _, _, lo, hi = mean_ci(diff.to_numpy())
        if not (lo > 0 if direction == "max" else hi < 0):
            return None
    return best


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
            # Bold only where the difference is distinguishable from zero and "better" means something.
            clear = ranked(metric) and (row["diff_ci_low"] > 0 or row["diff_ci_high"] < 0)
            unit = BY_NAME[metric].unit
            text = f"{phrase} {_difference(row, by.loc[(baseline, metric)]['mean'], how, unit)}"
            parts.append(f"<span class='{'clear' if clear else 'unclear'}'>{html.escape(text)}</span>")
        if parts:
            items.append(f"<li><b>{html.escape(scheme)}</b> vs {html.escape(baseline)}: " + "; ".join(parts) + ".</li>")
    if not items:
        return f"<p>Only one scheme ({html.escape(baseline)}): nothing to compare against.</p>"
    return ("<ul class='headline'>" + "".join(items) + "</ul><p class='note'>Brackets: 95% interval of the "
            "paired difference over replications (same market in replication r of every scheme). "
            "<span class='clear'>Bold</span>: the interval excludes zero, on a metric where higher or lower is "
            "better; plain: not distinguishable from no difference, or a descriptive metric (pay Gini). "
            "Percentages are relative to the baseline's mean.</p>")


def table(summary: pd.DataFrame, schemes: list[str], baseline: str, runs: pd.DataFrame) -> str:
    """Metrics as rows, schemes as columns: mean [95% CI] and the paired difference; a clear best marked."""
    head = "".join(f"<th>{html.escape(s)}{' (baseline)' if s == baseline else ''}</th>" for s in schemes)
    rows = []
    for metric in [m.name for m in RUN_METRICS]:
        g = summary[summary["metric"] == metric]
        if g.empty:
            continue
        meta = BY_NAME[metric]
        best = clear_best(runs, metric, schemes)
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
            mark = " class='best' title='best, clear of every other scheme'" if s == best else ""
            star = "<span class='star' aria-label='best'>&#9733;</span> " if s == best else ""
            cells.append(f"<td{mark}>{star}{txt}</td>")
        arrow = {"max": "higher is better", "min": "lower is better", "info": "descriptive"}[meta.direction]
        rows.append(f"<tr><th title='{html.escape(meta.description)}'>{html.escape(metric)}<br><small>"
                    f"{html.escape(meta.unit)}; {arrow}</small></th>{''.join(cells)}</tr>")
    return (f"<table class='summary'><thead><tr><th>metric</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
            "</table><p class='note'>Each cell: mean over replications, [95% interval], and &Delta; the paired "
            "difference to the baseline [95% interval]. &#9733; and bold mark the best mean only where the metric "
            "declares that higher or lower is better (sim/metrics.py) and its paired difference to every other "
            "scheme excludes zero; intervals of counts are floored at 0. Hover a metric for its meaning.</p>")
