"""The workshop page: lever controls on the left, the last few runs side by side on the right.

Figures are plain plotly dicts. Each run in the history keeps one colour and dash style, so the
room can point at "before" and "after" on every chart, in colour or not.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html
from plotly.subplots import make_subplots

from sim.app.levers import PLAN_TYPES
from sim.app.runner import APP_METRICS
from sim.metrics import BY_NAME
from sim.report.style import DASHES, MARKERS, PALETTE, fmt

HISTORY = 4   # runs kept side by side
SERIES_TITLES = {"placements": "Placements per month", "mean_cooperation": "Mean cooperation",
                 "headcount": "Headcount (recruiters + AMs)"}


def _slider(ident: str, lo: float, hi: float, step: float, value: float, pct: bool = True) -> dcc.Slider:
    marks = {v: (f"{v:.0%}" if pct else str(int(v))) for v in (lo, (lo + hi) / 2, hi)} if pct else {
        v: str(v) for v in range(int(lo), int(hi) + 1)}
    return dcc.Slider(id=ident, min=lo, max=hi, step=step, value=value, marks=marks,
                      tooltip={"placement": "bottom", "always_visible": False})


def _field(text: str, control: Any) -> html.Div:
    return html.Div([html.Label(text, style={"fontWeight": "bold"}), control], style={"marginBottom": "14px"})


def controls(v: dict[str, Any]) -> html.Div:
    return html.Div([
        _field("Plan", dcc.RadioItems(id="plan", options=[{"label": p, "value": p} for p in PLAN_TYPES],
                                      value=v["plan"], inline=True, inputStyle={"marginRight": "4px",
                                                                                "marginLeft": "10px"})),
        _field("Commission rate (individual part)", _slider("rate", 0, 0.5, 0.01, v["rate"])),
        _field("Pool rate (share of pod GP)", _slider("pool_rate", 0, 0.5, 0.01, v["pool_rate"])),
        _field("Pool share of a hybrid plan", _slider("pool_share", 0, 1, 0.05, v["pool_share"])),
        _field("Recruiter's share of each placement's credit", _slider("split", 0, 1, 0.05, v["split"])),
        _field("Recruiters per pod", _slider("recruiters_per_pod", 1, 10, 1, v["recruiters_per_pod"], pct=False)),
        _field("Account managers per pod",
               _slider("account_managers_per_pod", 1, 10, 1, v["account_managers_per_pod"], pct=False)),
        _field("Leaderboard", dcc.Checklist(id="leaderboard", options=[{"label": " publish a leaderboard",
                                                                        "value": "on"}],
                                            value=["on"] if v["leaderboard"] else [])),
        _field("Partnership time (share of selling time)", _slider("partnership_time", 0, 0.5, 0.05,
                                                                   v["partnership_time"])),
        _field("Hiring for cooperation", _slider("hiring_for_cooperation", 0, 1, 0.1, v["hiring_for_cooperation"])),
        _field("Replications", dcc.Input(id="replications", type="number", min=1, max=500, step=1,
                                         value=v["replications"], style={"width": "6em"})),
        html.Button("Run", id="run", n_clicks=0, style={"fontSize": "1.2em", "padding": "6px 28px"}),
        html.Div(id="problems", role="alert", style={"color": "#b00", "whiteSpace": "pre-wrap", "marginTop": "8px"}),
    ], style={"flex": "0 0 340px", "padding": "12px", "background": "#f6f6f6"})


def page(title: str, v: dict[str, Any]) -> html.Div:
    results = html.Div([
        dcc.Loading(html.Div(id="status", children="Set the levers and press Run."), type="dot"),
        dcc.Graph(id="fig-metrics", figure=metrics_figure([]), config={"displaylogo": False}),
        dcc.Graph(id="fig-monthly", figure=monthly_figure([]), config={"displaylogo": False}),
        html.Div(id="history-table"),
    ], style={"flex": "1 1 auto", "padding": "0 16px", "minWidth": 0})
    return html.Div([
        html.H1(title, style={"fontSize": "1.5em"}),
        html.Div([controls(v), results], style={"display": "flex", "alignItems": "flex-start"}),
        dcc.Store(id="history", data=[]),
    ], style={"fontFamily": "system-ui, sans-serif", "margin": "0 16px"})


def _run_style(n: int) -> tuple[str, str, str]:
    """Run n (from 1) keeps one colour, dash and marker for as long as it is shown."""
    i = n - 1
    return PALETTE[i % len(PALETTE)], DASHES[i % len(DASHES)], MARKERS[i % len(MARKERS)]


def metrics_figure(history: list[dict[str, Any]]) -> dict[str, Any]:
    """One panel per metric; in each, a bar per run with its 95% interval."""
    fig = make_subplots(rows=2, cols=3, subplot_titles=[f"{m} ({BY_NAME[m].unit})" for m in APP_METRICS])
    for run in history:
        colour, _dash, _marker = _run_style(run["n"])
        pattern = {"shape": ("", "/", ".", "x")[(run["n"] - 1) % 4]}
        for k, m in enumerate(APP_METRICS):
            mean, lo, hi = run["metrics"][m]
            fig.add_bar(x=[f"run {run['n']}"], y=[mean], name=f"run {run['n']}", legendgroup=str(run["n"]),
                        showlegend=k == 0, marker={"color": colour, "pattern": pattern},
                        error_y={"type": "data", "symmetric": False, "array": [hi - mean], "arrayminus": [mean - lo]},
                        row=k // 3 + 1, col=k % 3 + 1)
    fig.update_layout(height=500, margin={"t": 70, "b": 30}, template="none", legend={"orientation": "h"},
                      title={"text": "Results per run: mean and 95% interval over replications"})
    return fig.to_plotly_json()


def monthly_figure(history: list[dict[str, Any]]) -> dict[str, Any]:
    """Monthly series per run (mean lines; dashes tell runs apart without colour)."""
    names = list(SERIES_TITLES)
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=[SERIES_TITLES[n] for n in names])
    for run in history:
        colour, dash, marker = _run_style(run["n"])
        mon = run["monthly"]
        for k, n in enumerate(names):
            if n not in mon:
                continue
            fig.add_scatter(x=mon["month"], y=mon[n], mode="lines+markers", name=f"run {run['n']}",
                            legendgroup=str(run["n"]), showlegend=k == 0,
                            line={"color": colour, "dash": dash}, marker={"symbol": marker, "size": 5},
                            row=1, col=k + 1)
    fig.update_layout(height=340, margin={"t": 70, "b": 30}, template="none", legend={"orientation": "h"},
                      title={"text": "Over time (mean over replications)"})
    return fig.to_plotly_json()


def history_table(history: list[dict[str, Any]]) -> html.Table:
    head = html.Tr([html.Th("run"), html.Th("levers")] + [html.Th(m) for m in APP_METRICS] + [html.Th("time")])
    rows = []
    for run in reversed(history):
        cells = [html.Td(f"run {run['n']}"), html.Td(run["label"])]
        for m in APP_METRICS:
            mean, lo, hi = run["metrics"][m]
            unit = BY_NAME[m].unit
            cells.append(html.Td([fmt(mean, unit), html.Br(), html.Small(f"[{fmt(lo, unit)}, {fmt(hi, unit)}]")]))
        cells.append(html.Td(f"{run['replications']} reps, {run['seconds']:.1f} s"))
        rows.append(html.Tr(cells, className="run-row"))
    return html.Table([html.Thead(head), html.Tbody(rows)], id="runs",
                      style={"borderCollapse": "collapse", "fontSize": "0.9em"})
