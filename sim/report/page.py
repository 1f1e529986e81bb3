"""The self-contained HTML report: plotly.js inlined, no network request, every scheme name escaped."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from sim.experiment import store
from sim.experiment.stats import monthly_bands
from sim.metrics import BY_NAME, MONTHLY_METRICS

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


def _fmt(value: float, unit: str) -> str:
    if pd.isna(value):
        return ""
    if unit == "$":
        return f"${value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.3f}"


def summary_table(summary: pd.DataFrame, schemes: list[str]) -> str:
    """Scheme x metric table: mean [95% CI], and the paired difference to the baseline."""
    head = "".join(f"<th>{html.escape(s)}</th>" for s in schemes)
    rows = []
    for metric, g in summary.groupby("metric", sort=False):
        meta = BY_NAME.get(metric)
        unit = meta.unit if meta else ""
        cells = []
        for s in schemes:
            r = g[g["scheme"] == s]
            if r.empty:
                cells.append("<td></td>")
                continue
            r = r.iloc[0]
            txt = f"{_fmt(r['mean'], unit)}<br><small>[{_fmt(r['ci_low'], unit)}, {_fmt(r['ci_high'], unit)}]</small>"
            if not pd.isna(r.get("diff_mean")):
                txt += (f"<br><small>&Delta; {_fmt(r['diff_mean'], unit)} "
                        f"[{_fmt(r['diff_ci_low'], unit)}, {_fmt(r['diff_ci_high'], unit)}]</small>")
            cells.append(f"<td>{txt}</td>")
        desc = html.escape(meta.description) if meta else ""
        rows.append(f"<tr><th title=\"{desc}\">{html.escape(metric)} <small>({html.escape(unit)})</small></th>"
                    + "".join(cells) + "</tr>")
    return f"<table class='summary'><tr><th>metric</th>{head}</tr>{''.join(rows)}</table>"


def monthly_figure(monthly: pd.DataFrame, metric: str, schemes: list[str]) -> go.Figure:
    bands = monthly_bands(monthly, [metric])
    fig = go.Figure()
    for i, s in enumerate(schemes):
        b = bands[bands["scheme"] == s]
        colour = PALETTE[i % len(PALETTE)]
        fig.add_trace(go.Scatter(x=list(b["month"]) + list(b["month"])[::-1],
                                 y=list(b[f"{metric}_high"]) + list(b[f"{metric}_low"])[::-1],
                                 fill="toself", fillcolor=colour, opacity=0.15, line={"width": 0},
                                 hoverinfo="skip", showlegend=False, name=f"{s} 95% band"))
        fig.add_trace(go.Scatter(x=b["month"], y=b[metric], name=s, mode="lines+markers",
                                 line={"color": colour, "dash": DASHES[i % len(DASHES)]},
                                 marker={"symbol": i % 20, "size": 5}))
    meta = next((m for m in MONTHLY_METRICS if m.name == metric), None)
    fig.update_layout(title=f"{metric} per month (mean and 95% band)", xaxis_title="month",
                      yaxis_title=meta.unit if meta else "", height=360, margin={"t": 50, "b": 40})
    return fig


def write_report(out: Path) -> Path:
    """Build ``report.html`` in ``out`` from the stored tables."""
    out = Path(out)
    manifest = store.read_manifest(out)
    summary = pd.read_csv(out / "summary.csv")
    monthly = store.read_table(out, "monthly")
    schemes = list(manifest["schemes"])
    figs = []
    for metric in ("placements", "revenue", "headcount_recruiters", "mean_cooperation", "mean_effort", "quits"):
        if metric in monthly:
            figs.append(monthly_figure(monthly, metric, schemes).to_html(full_html=False, include_plotlyjs=False))
    title = html.escape(f"teamsim: {manifest['scenario']}")
    assumptions = html.escape(json.dumps(manifest.get("resolved_scenario", {}), indent=2))
    body = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>
<script type="text/javascript">{get_plotlyjs()}</script>
<style>body{{font-family:sans-serif;margin:2em}} table.summary{{border-collapse:collapse}}
table.summary td,table.summary th{{border:1px solid #ccc;padding:4px 8px;text-align:right;vertical-align:top}}</style>
</head><body><h1>{title}</h1>
<p>{manifest['replications']} replications per scheme; baseline for differences (&Delta;):
<b>{html.escape(manifest['baseline'])}</b>; scenario hash {html.escape(manifest['scenario_hash'])}.</p>
<h2 id="summary">Summary</h2>{summary_table(summary, schemes)}
<h2 id="over-time">Over time</h2>{''.join(figs)}
<h2 id="assumptions">Assumptions</h2><pre>{assumptions}</pre>
</body></html>"""
    path = out / "report.html"
    store.atomic_write_bytes(path, body.encode("utf-8"))
    return path
