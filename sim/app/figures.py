"""The app's charts as plain plotly dicts: results per run, differences from the baseline, months.

Each run keeps one colour, pattern and dash for as long as it is shown, and is named by what it
changed from the pinned baseline (see :func:`sim.app.levers.label`), on the legend and on its bars.
Titles are human words; every axis of a count or a share starts at zero. Presenter mode (``big``)
uses at least 20 px ticks and 28 px titles, in a two-column grid that fits 1024 px at 150% zoom.
"""

from __future__ import annotations

import math
from typing import Any

from sim.experiment.stats import mean_ci
from sim.report.style import DASHES, MARKERS, PALETTE, label

Figure = dict[str, Any]

#: Human titles of the six panels (run metrics) and the monthly series, in the order drawn.
PANELS = {"mean_effort": "Effort", "mean_cooperation": "Cooperation", "placements": "Placements",
          "turnover_rate_annual": "Turnover per year", "commission_paid": "Variable pay", "profit": "Profit"}
UNITS = {"mean_effort": "1 = standard effort", "mean_cooperation": "0 to 1", "placements": "over the horizon",
         "turnover_rate_annual": "share of headcount", "commission_paid": "$ over the horizon",
         "profit": "$ over the horizon"}
SERIES = {"placements": "Placements per month", "mean_effort": "Effort", "mean_cooperation": "Cooperation",
          "quits": "Quits per month"}
PATTERNS = ("", "/", ".", "x", "\\", "+")
#: Each chart's height in px, (normal, presenter mode): the figure's and its graph's on the page, which must
#: be set on the page too (a responsive graph takes its container's height, and an unsized one collapses).
HEIGHTS = {"results": (520, 700), "changes": (520, 700), "months": (560, 700), "firm": (460, 640)}


def height(chart: str, big: bool) -> int:
    """A chart's height in px in presenter mode (``big``) or not."""
    return HEIGHTS[chart][bool(big)]


def style_of(n: int) -> tuple[str, str, str, str]:
    """Run n (from 1) keeps one colour, dash, marker and bar pattern for as long as it is shown."""
    i = n - 1
    return (PALETTE[i % len(PALETTE)], DASHES[i % len(DASHES)], MARKERS[i % len(MARKERS)],
            PATTERNS[i % len(PATTERNS)])


def _fonts(big: bool) -> tuple[int, int]:
    return (20, 28) if big else (12, 16)


def grid(titles: list[str], cols: int, big: bool, height: int) -> Figure:
    """An empty layout of ``len(titles)`` panels in ``cols`` columns, titles as annotations above each."""
    tick, title = _fonts(big)
    rows = math.ceil(len(titles) / cols)
    gap_x, gap_y = (0.12, 0.30 / rows) if big else (0.08, 0.22 / rows)
    w, h = (1 - gap_x * (cols - 1)) / cols, (1 - gap_y * (rows - 1)) / rows
    layout: dict[str, Any] = {
        "template": "none", "height": height, "showlegend": True, "barmode": "group",
        "font": {"size": tick, "color": "#000" if big else "#222"},
        "margin": {"t": 2 * title + 10, "b": 40, "l": 70 if big else 60, "r": 20},
        # the legend at the figure's foot (plotly makes room for it there): placed below the plots in paper
        # units it met the bottom row's axis titles, which plotly makes room for on their own
        "legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "font": {"size": tick}},
        "annotations": [], "paper_bgcolor": "#fff", "plot_bgcolor": "#fff"}
    for k, text in enumerate(titles):
        r, c = divmod(k, cols)
        x0, y1 = c * (w + gap_x), 1 - r * (h + gap_y)
        ax = "" if k == 0 else str(k + 1)
        layout[f"xaxis{ax}"] = {"domain": [x0, x0 + w], "anchor": f"y{ax}", "tickfont": {"size": tick},
                                "showline": True, "linecolor": "#444", "automargin": True}
        layout[f"yaxis{ax}"] = {"domain": [y1 - h, y1], "anchor": f"x{ax}", "tickfont": {"size": tick},
                                "rangemode": "tozero", "showline": True, "linecolor": "#444", "zeroline": True,
                                "zerolinecolor": "#888", "automargin": True, "gridcolor": "#ddd"}
        layout["annotations"].append({"text": label(text), "x": x0 + w / 2, "y": y1, "xref": "paper",
                                      "yref": "paper", "xanchor": "center", "yanchor": "bottom", "showarrow": False,
                                      "font": {"size": title, "color": "#000"}, "name": "panel-title"})
    return {"data": [], "layout": layout}


def _axes(k: int) -> tuple[str, str]:
    return ("x", "y") if k == 0 else (f"x{k + 1}", f"y{k + 1}")


def results_figure(runs: list[dict[str, Any]], big: bool = False) -> Figure:
    """One panel per metric: a bar per shown run, its 95% interval, named by what it changed."""
    fig = grid(list(PANELS.values()), 2 if big else 3, big, height("results", big))
    tick, _ = _fonts(big)
    for run in runs:
        colour, _dash, _marker, pattern = style_of(run["n"])
        name = label(run["label"])
        for k, m in enumerate(PANELS):
            mean, lo, hi = (v if v is not None else math.nan for v in run["metrics"][m])
            x, y = _axes(k)
            fig["data"].append({
                "type": "bar", "x": [name], "y": [mean], "name": name, "legendgroup": str(run["n"]),
                "showlegend": k == 0, "xaxis": x, "yaxis": y, "text": [name], "textposition": "inside",
                "insidetextanchor": "start", "textangle": -90, "textfont": {"size": tick, "color": "#fff"},
                "marker": {"color": colour, "pattern": {"shape": pattern}, "line": {"color": "#000", "width": 1}},
                "error_y": {"type": "data", "symmetric": False, "array": [hi - mean], "arrayminus": [mean - lo],
                            "color": "#000", "thickness": 2},
                "hovertemplate": f"{name}<br>{PANELS[m]}: %{{y:,.3~r}} ({UNITS[m]})<extra></extra>"})
    for k in range(len(PANELS)):
        fig["layout"][f"xaxis{'' if k == 0 else k + 1}"]["showticklabels"] = False
    return fig


def paired(run: dict[str, Any], base: dict[str, Any], metric: str) -> tuple[float, float, float, int]:
    """Mean paired difference run - baseline over their shared replications (common random numbers)
    with its 95% interval, and how many replications were paired."""
    a = dict(zip(run["seeds"], run["values"][metric], strict=True))
    b = dict(zip(base["seeds"], base["values"][metric], strict=True))
    shared = sorted(set(a) & set(b))
    mean, _sd, lo, hi = mean_ci([a[s] - b[s] for s in shared])
    return mean, lo, hi, len(shared)


def differences_figure(runs: list[dict[str, Any]], base: dict[str, Any] | None, big: bool = False) -> Figure:
    """Each shown run minus the baseline, per metric: the paired mean difference and its 95% interval."""
    fig = grid(list(PANELS.values()), 2 if big else 3, big, height("changes", big))
    if base is None:
        return fig
    tick, _ = _fonts(big)
    for run in runs:
        if run["n"] == base["n"]:
            continue
        colour, _dash, marker, _pattern = style_of(run["n"])
        name = label(run["label"])
        for k, m in enumerate(PANELS):
            mean, lo, hi, n = paired(run, base, m)
            if n == 0:
                continue
            x, y = _axes(k)
            fig["data"].append({
                "type": "scatter", "mode": "markers", "x": [name], "y": [mean], "name": name,
                "legendgroup": str(run["n"]), "showlegend": k == 0, "xaxis": x, "yaxis": y,
                "marker": {"color": colour, "symbol": marker, "size": 16 if big else 10,
                           "line": {"color": "#000", "width": 1}},
                "error_y": {"type": "data", "symmetric": False, "array": [hi - mean], "arrayminus": [mean - lo],
                            "color": colour, "thickness": 3, "width": 8},
                "hovertemplate": f"{name}<br>{PANELS[m]} change: %{{y:,.3~r}} ({n} paired replications)"
                                 "<extra></extra>"})
    for k in range(len(PANELS)):
        ax = "" if k == 0 else k + 1
        fig["layout"][f"xaxis{ax}"]["showticklabels"] = False
        fig["layout"][f"yaxis{ax}"]["zerolinewidth"] = 2
    fig["layout"]["font"]["size"] = tick
    return fig


def monthly_figure(runs: list[dict[str, Any]], big: bool = False) -> Figure:
    """Monthly series per shown run (mean lines; dashes and markers tell runs apart without colour)."""
    fig = grid(list(SERIES.values()), 2, big, height("months", big))
    for run in runs:
        colour, dash, marker, _pattern = style_of(run["n"])
        name = label(run["label"])
        mon = run["monthly"]
        for k, s in enumerate(SERIES):
            if s not in mon:
                continue
            x, y = _axes(k)
            fig["data"].append({
                "type": "scatter", "mode": "lines+markers", "x": mon["month"], "y": mon[s], "name": name,
                "legendgroup": str(run["n"]), "showlegend": k == 0, "xaxis": x, "yaxis": y,
                "line": {"color": colour, "dash": dash, "width": 3 if big else 2},
                "marker": {"symbol": marker, "size": 8 if big else 5, "color": colour},
                "hovertemplate": f"{name}<br>month %{{x}}: %{{y:,.3~r}}<extra></extra>"})
    for k in range(len(SERIES)):
        ax = "" if k == 0 else k + 1
        fig["layout"][f"xaxis{ax}"]["rangemode"] = "tozero"
        if k >= len(SERIES) - 2:   # the bottom row only: a title between rows would meet the next row's
            fig["layout"][f"xaxis{ax}"]["title"] = {"text": "month"}
    return fig
