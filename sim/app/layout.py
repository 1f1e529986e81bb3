"""The workshop page: levers on the left, one view at a time on the right, the session's runs below.

Every lever is built from :data:`sim.app.levers.LEVERS` with the validated scenario's value, and has
its own problem line beside it (what was typed is echoed there). Views: results per run, changes
from the baseline, months, the firm (playback) and the script. Presenter mode is a class on the page
(large type, high contrast, see assets/app.css) and a flag the figures read.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from sim.app.figures import height
from sim.app.levers import LEVERS, Caps, Lever, control_value, live, offered
from sim.app.playback import COLOURS, LINK, MARKS
from sim.app.terms import plan_type
from sim.report.style import fmt
from sim.scenario import Scenario

SHOWN = 4   # runs drawn besides the baseline (the newest ones); every run stays in the table
VIEWS = (("results", "Results"), ("changes", "Change from baseline"), ("months", "Month by month"),
         ("firm", "Watch the firm"), ("script", "Script"))
TABLE_METRICS = (("mean_effort", "Effort", ""), ("mean_cooperation", "Cooperation", ""),
                 ("placements", "Placements", "placements"), ("turnover_rate_annual", "Turnover per year", "share/yr"),
                 ("commission_paid", "Variable pay", "$"), ("profit", "Profit", "$"))


def _control(lv: Lever, value: Any, disabled: bool, lo: float, hi: float) -> Any:
    if lv.kind == "bool":
        return dcc.Checklist(id=lv.name, options=[{"label": " on", "value": "on", "disabled": disabled}],
                             value=control_value(lv, value), inputClassName="check")
    if lv.typed:
        return dcc.Input(id=lv.name, type="text", inputMode="numeric", value=control_value(lv, value),
                         disabled=disabled,
                         debounce=False, className="typed", placeholder="never" if lv.kind == "month" else "")
    pct = lv.kind == "share"
    marks = {v: (f"{round(v * 100):d}%" if pct else f"{v:g}") for v in (lo, hi)}
    return dcc.Slider(id=lv.name, min=lo, max=hi, step=lv.step, value=value if value is not None else lo,
                      marks=marks, disabled=disabled, updatemode="mouseup",
                      tooltip={"placement": "bottom", "always_visible": False,
                               "transform": "asPercent" if pct else None})


def lever_field(lv: Lever, value: Any, disabled: bool, scenario: Scenario, caps: Caps, shown: bool = True) -> html.Div:
    """One lever's label, control and problem line; a lever no scheme of the file has is in the page
    (every Run sends every control) but hidden."""
    lo, hi = caps.limit(lv, scenario)
    return html.Div([html.Label(lv.label, htmlFor=lv.name, className="lever-label"),
                     _control(lv, value, disabled, lo, hi),
                     html.Div(id=f"problem-{lv.name}", className="problem", role="alert")],
                    className="lever", id=f"field-{lv.name}", hidden=not shown)


def controls(scenario: Scenario, values: dict[str, Any], caps: Caps) -> html.Div:
    scheme = scenario.scheme(values["scheme"])
    shown = offered(scenario)
    schemes = [{"label": f"{s.name} ({plan_type(s).replace('_', ' ')})", "value": s.name} for s in scenario.schemes]
    return html.Div([
        html.Div([html.Button("Run", id="run", n_clicks=0, className="run"),
                  html.Button("Cancel", id="cancel", n_clicks=0, disabled=True, className="cancel"),
                  html.Progress(id="progress", max=1, value=0, className="progress"),
                  html.Div(id="status", children="Set the levers and press Run.", role="status")],
                 className="runbar"),
        html.Div(id="problems", role="alert", className="problem"),
        html.Div([html.Label("Scheme", htmlFor="scheme", className="lever-label"),
                  dcc.RadioItems(id="scheme", options=schemes, value=values["scheme"], className="schemes")],
                 className="lever"),
        *(lever_field(lv, values.get(lv.name), not live(lv, scheme, values), scenario, caps,
                      lv.name in shown) for lv in LEVERS),
    ], className="controls")


def page(title: str, scenario: Scenario, values: dict[str, Any], caps: Caps, present: bool) -> html.Div:
    views = html.Div([
        html.Div(graph("fig-results", present), id="view-results", className="view"),
        html.Div(graph("fig-changes", present), id="view-changes", className="view"),
        html.Div(graph("fig-monthly", present), id="view-months", className="view"),
        html.Div(firm_view(present), id="view-firm", className="view"),
        html.Div(script_view(scenario), id="view-script", className="view"),
    ], className="views")
    session = html.Div([
        html.Div([html.Label("Baseline", htmlFor="baseline", className="lever-label"),
                  dcc.Dropdown(id="baseline", options=[], value=None, clearable=False, searchable=False),
                  html.A("Export handout (HTML)", id="handout", href="/_teamsim/handout", download="handout.html",
                         className="handout")], className="baseline-bar"),
        html.Div(id="history-table"),
    ], className="session")
    results = html.Div([
        dcc.RadioItems(id="view", options=[{"label": t, "value": v} for v, t in VIEWS], value="results",
                       className="viewnav", inline=True),
        views, session], className="results")
    return html.Div([
        html.Div("The app's server has stopped: nothing more will run. Restart `teamsim app` and reload this page.",
                 id="server-gone", role="alert", className="server-gone", hidden=True),
        html.Div([html.H1(title), dcc.Checklist(id="present", options=[{"label": " Presenter mode", "value": "on"}],
                                                value=["on"] if present else [], className="present-toggle")],
                 className="header"),
        html.Div([controls(scenario, values, caps), results], className="main"),
        dcc.Store(id="job", data=None), dcc.Store(id="seen", data=-1), dcc.Store(id="drawn", data=None),
        dcc.Interval(id="tick", interval=1000, n_intervals=0),
    ], id="page", className="page present" if present else "page")


#: Each graph's chart (:data:`sim.app.figures.HEIGHTS`).
GRAPHS = {"fig-results": "results", "fig-changes": "changes", "fig-monthly": "months", "fig-firm": "firm"}


def graph_style(graph_id: str, present: bool) -> dict[str, str]:
    """A graph's height on the page: a responsive graph takes its container's, so the container carries the
    chart's own (without it the graph collapses once its view is shown and the session below overlaps it)."""
    return {"height": f"{height(GRAPHS[graph_id], present)}px"}


def graph(graph_id: str, present: bool) -> dcc.Graph:
    return dcc.Graph(id=graph_id, config={"displaylogo": False, "responsive": True},
                     style=graph_style(graph_id, present))


def firm_view(present: bool = False) -> list[Any]:
    """Playback of one run's first replication: which run, play, pause, step, and the month."""
    return [
        html.Div([html.Label("Run to watch", htmlFor="watch", className="lever-label"),
                  dcc.Dropdown(id="watch", options=[], value=None, clearable=False, searchable=False),
                  html.Button("Play", id="play", n_clicks=0), html.Button("Pause", id="pause", n_clicks=0),
                  html.Button("Step", id="step", n_clicks=0)], className="playbar"),
        dcc.Slider(id="month", min=1, max=2, step=1, value=1, marks=None, updatemode="drag",
                   tooltip={"placement": "bottom", "always_visible": False}),
        firm_key(),
        html.Div(id="firm-note", className="note"),
        graph("fig-firm", present),
        dcc.Store(id="firm-figs", data=[]),
        dcc.Interval(id="play-tick", interval=700, disabled=True),
    ]


GLYPHS = {"star": "\u2605", "x": "\u2715"}   # the month figure's marker symbols, as text


def firm_key() -> Any:
    """The firm view's key, drawn once: what sizes, colours, lines and marks mean in every month's figure
    (:mod:`sim.app.playback` draws the months without a legend or colour bar, so a step redraws less)."""
    scale = "linear-gradient(to right, " + ", ".join(f"{c} {100 * at:g}%" for at, c in COLOURS) + ")"
    return html.Div([
        html.Span([html.Span("cooperation 0 "), html.Span(className="firm-key-scale", style={"background": scale}),
                   html.Span(" 1")]),
        html.Span("size: effort"),
        html.Span([html.Span(className="firm-key-line", style={"borderTopColor": LINK}),
                   " a recruiter and an account manager paid on a placement together that month"]),
        *(html.Span([html.Span(GLYPHS[symbol], style={"color": colour}), " " + name])
          for _key, name, symbol, colour in MARKS),
    ], id="firm-key", className="firm-key")


def script_view(scenario: Scenario) -> list[Any]:
    """The guided script: the round's question and prompt, the room's prediction, every round's result."""
    ws = scenario.workshop
    if ws is None:
        return [html.P("This scenario has no workshop: block, so there is no script to follow. "
                       "scenarios/workshop_script.yaml has one for the five questions.")]
    first = ws.rounds[0]
    return [
        html.H2(ws.title or "Script"),
        html.Div([html.Button("Previous round", id="round-prev", n_clicks=0),
                  html.Button("Next round", id="round-next", n_clicks=0),
                  html.Button("Set this round's levers again", id="round-apply", n_clicks=0),
                  html.Span(f"Round 1 of {len(ws.rounds)}", id="round-count")], className="playbar"),
        html.P(first.question, id="round-question", className="question"),
        html.Label(first.prompt, htmlFor="prediction", id="round-prompt", className="lever-label"),
        dcc.Textarea(id="prediction", value="", maxLength=500, className="prediction",
                     placeholder="The room's prediction, typed before pressing Run"),
        html.Div(id="round-results"),
        dcc.Store(id="round", data=0),
    ]


def round_table(scenario: Scenario, runs: list[dict[str, Any]], base: dict[str, Any] | None) -> Any:
    """Each round of the script: its question, the room's prediction and the result of its latest run."""
    ws = scenario.workshop
    if ws is None:
        return None
    rows = []
    for i, r in enumerate(ws.rounds):
        done = [run for run in runs if run.get("round") == i]
        run = done[-1] if done else None
        result: Any = "not run yet"
        if run is not None:
            parts = [f"{title} {fmt(run['metrics'][m][0], unit)}" for m, title, unit in TABLE_METRICS]
            result = [html.B(run["label"]), html.Br(), "; ".join(parts)]
        rows.append(html.Tr([html.Td(str(i + 1)), html.Td(r.question),
                             html.Td(run.get("prediction") or "" if run else ""), html.Td(result)],
                            className="round-row"))
    head = html.Tr([html.Th("Round"), html.Th("Question"), html.Th("The room predicted"), html.Th("Result")])
    return html.Table([html.Thead(head), html.Tbody(rows)], id="rounds", className="runs")


def history_table(runs: list[dict[str, Any]], baseline: int | None) -> html.Table:
    """Every run of the session, newest first: its label, its values with intervals, its size and time."""
    head = html.Tr([html.Th("Run"), html.Th("What changed")] + [html.Th(t) for _m, t, _u in TABLE_METRICS]
                   + [html.Th("Size")])
    rows = []
    for run in reversed(runs):
        cells = [html.Td(f"{run['n']}{' (baseline)' if run['n'] == baseline else ''}"), html.Td(run["label"])]
        for m, _t, unit in TABLE_METRICS:
            mean, lo, hi = run["metrics"][m]
            cells.append(html.Td([fmt(mean, unit), html.Br(), html.Small(f"[{fmt(lo, unit)}, {fmt(hi, unit)}]")]))
        cells.append(html.Td(f"{run['replications']} reps, {run['seconds']:.1f} s"))
        rows.append(html.Tr(cells, className="run-row"))
    return html.Table([html.Thead(head), html.Tbody(rows)], id="runs", className="runs")
