"""``optimize.html``: the plan search's own small report, from its stored results only.

Reads ``trials.parquet`` and ``optimize.json`` (see :mod:`sim.commands.optimize_results`): the
Pareto front of the trials, the trial history (each trial's objective and the best so far among
those meeting the constraints), and the best plan against the scheme as it stands, re-run with fresh
replications.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from plotly.offline import get_plotlyjs

from sim.experiment import store
from sim.metrics import BY_NAME
from sim.report.page import CSS, DRAW
from sim.report.style import figure_json, label, layout, nums


def front_figure(trials: Any, axes: list[str]) -> dict[str, Any]:
    x, y = axes[1], axes[0]
    data = []
    for name, part, colour in (("trials", trials[~trials["pareto"]], "#999"),
                               ("Pareto front", trials[trials["pareto"]].sort_values(x), "#d62728")):
        data.append({"type": "scatter", "mode": "markers" if name == "trials" else "lines+markers", "name": name,
                     "x": nums(part[x]), "y": nums(part[y]), "text": [f"trial {t}" for t in part["trial"]],
                     "marker": {"color": colour, "size": 8}})
    return {"data": data, "layout": layout(f"{y} against {x}: every trial", x, BY_NAME[x].unit if x in BY_NAME else "")}


def history_figure(trials: Any, objective: str, sign: float) -> dict[str, Any]:
    t = trials.sort_values("trial")
    score = (sign * t[objective]).where(t["feasible"])
    best = (score.cummax() * sign).tolist()
    return {"data": [{"type": "scatter", "mode": "markers", "name": "trial", "x": t["trial"].tolist(),
                      "y": nums(t[objective]), "marker": {"color": "#1f77b4"}},
                     {"type": "scatter", "mode": "lines", "name": "best so far (meeting the constraints)",
                      "x": t["trial"].tolist(), "y": nums(best), "line": {"color": "#2ca02c", "shape": "hv"}}],
            "layout": layout(f"{objective} by trial", "trial", BY_NAME[objective].unit)}


def _fig(n: int, fig: dict[str, Any]) -> str:
    return (f"<figure><div class='fig' id='fig-{n}'></div><script type='application/json' id='fig-{n}-data'>"
            f"{figure_json(fig)}</script></figure>")


def write_optimize_report(out: Path) -> Path:
    out = Path(out)
    info = json.loads((out / "optimize.json").read_text())
    trials = store.read_table(out, "trials")
    objective = info["decision"]["objective"]
    sign = 1.0 if BY_NAME[objective].direction == "max" else -1.0
    settings = info["settings"]
    best = info["best"]
    rows = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(str(best[k]))}</td></tr>"
                   for k in [*(s.split("=")[0] for s in settings["space"]), *info["axes"]] if k in best)
    bounds = info["decision"]["constraints"]
    body = (f"<h1>{label('teamsim optimize: ' + settings['scheme'])}</h1>"
            f"<p>{info['trials']} trials of {html.escape(settings['scheme'])} over "
            f"{html.escape(', '.join(settings['space']))}, each on the same {settings['replications']} replications "
            f"(common random numbers); objective {html.escape(objective)}"
            + (f", subject to {html.escape(' and '.join(bounds))}" if bounds else "") + ".</p>"
            f"<h2>Best plan against the scheme as it stands (fresh replications)</h2>"
            f"<p class='clear'>{html.escape(info['confirm']['sentence'])}</p>"
            f"<table class='summary'><tr><th>setting or metric</th><th>best trial</th></tr>{rows}</table>"
            f"<p class='note'>Written to {html.escape(info['best_file'])}; the rerun's full report is in "
            f"{html.escape(info['confirm']['folder'])}.</p>"
            f"<h2>Pareto front</h2>{_fig(0, front_figure(trials, info['axes']))}"
            f"<h2>Trial history</h2>{_fig(1, history_figure(trials, objective, sign))}")
    page = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>teamsim optimize</title>"
            f"<style>{CSS}</style><script type='text/javascript'>{get_plotlyjs()}</script></head>"
            f"<body>{body}<script>{DRAW}</script></body></html>")
    path = out / "optimize.html"
    store.atomic_write_bytes(path, page.encode("utf-8"))
    return path
