"""Write the validation results: ``validation.html`` (plotly.js inlined), ``validation.csv`` and ``.json``.

The page has one table row per case (what it reproduces, the source, the expected value or band, the
simulated value with its 95% interval, pass or fail) and the charts each check drew.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from sim.export.cells import write_csv
from sim.validation.result import CheckOutcome, Series
from sim.validation.runner import band_text, fmt

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b")
DASHES = ("solid", "dash", "dot", "dashdot")


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, 0o644)   # mkstemp makes files private; a report is meant to be shared
    os.replace(tmp, path)


def rows_frame(outcomes: Sequence[CheckOutcome]) -> pd.DataFrame:
    return pd.DataFrame([r.as_dict() for o in outcomes for r in o.rows])


def figure(title: str, series: Sequence[Series]) -> go.Figure:
    fig = go.Figure()
    for i, s in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        if s.low is not None and s.high is not None:
            fig.add_trace(go.Scatter(x=list(s.x) + list(s.x)[::-1], y=list(s.high) + list(s.low)[::-1],
                                     fill="toself", fillcolor=colour, opacity=0.15, line={"width": 0},
                                     hoverinfo="skip", showlegend=False))
        fig.add_trace(go.Scatter(x=s.x, y=s.y, name=s.name, mode="lines+markers",
                                 line={"color": colour, "dash": DASHES[i % len(DASHES)]},
                                 marker={"symbol": i % 20, "size": 6}))
    fig.update_layout(title=title, height=360, margin={"t": 50, "b": 40})
    return fig


def _table(outcomes: Sequence[CheckOutcome]) -> str:
    head = "".join(f"<th>{h}</th>" for h in ("check", "case", "reproduces", "source", "expected (band)",
                                              "simulated [95% CI]", "result"))
    body = []
    for o in outcomes:
        for r in o.rows:
            ci = "" if fmt(r.ci_low) == fmt(r.ci_high) else f" <small>[{fmt(r.ci_low)}, {fmt(r.ci_high)}]</small>"
            verdict = "<td class='pass'>PASS</td>" if r.passed else "<td class='fail'>FAIL</td>"
            body.append(f"<tr><td>{html.escape(o.title)}</td><td>{html.escape(r.case)}</td>"
                        f"<td>{html.escape(r.reproduces)}</td><td>{html.escape(r.source)}</td>"
                        f"<td>{html.escape(band_text(r))} {html.escape(r.unit)}</td>"
                        f"<td>{fmt(r.simulated)}{ci}</td>{verdict}</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def write(out: Path, outcomes: Sequence[CheckOutcome], size_name: str) -> Path:
    """Write the page and the tables into folder ``out``; returns the page's path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    frame = rows_frame(outcomes)
    write_csv(frame, out / "validation.csv")
    _atomic_write(out / "validation.json", json.dumps(
        {"size": size_name, "checks": [{"name": o.name, "title": o.title, "passed": o.passed,
                                        "seconds": o.seconds, "rows": [r.as_dict() for r in o.rows]}
                                       for o in outcomes]}, indent=2))
    figs = []
    for o in outcomes:
        titles = list(dict.fromkeys(s.figure for s in o.series))
        for t in titles:
            fig = figure(t, [s for s in o.series if s.figure == t])
            figs.append(f"<h3>{html.escape(o.title)}</h3>"
                        + fig.to_html(full_html=False, include_plotlyjs=False))
    passed = int(frame["passed"].sum()) if not frame.empty else 0
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>teamsim: model validation</title>
<script type="text/javascript">{get_plotlyjs()}</script>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;vertical-align:top}} td.pass{{color:#1a7f37;font-weight:bold}}
td.fail{{color:#cf222e;font-weight:bold}}</style></head><body>
<h1>teamsim: model validation</h1>
<p><b>{passed}/{len(frame)}</b> cases passed (size <code>{html.escape(size_name)}</code>). Each row says what the
model should reproduce, where the answer comes from, the band the simulated value must fall in, and the
simulated value with its 95% interval over replications. The mappings from the experiments to the
model's parameters are in docs/validation.md.</p>
<h2>Results</h2>{_table(outcomes)}
<h2>Charts</h2>{''.join(figs)}
</body></html>"""
    path = out / "validation.html"
    _atomic_write(path, page)
    return path
