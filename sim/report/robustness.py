"""The "Robustness" section: which scheme wins across plausible worlds, shown when ``teamsim robust`` ran.

Reads only what the robust analysis stored (``robust.csv``, ``robust.json``, ``robust_worlds.parquet``,
see :mod:`sim.experiment.robust_analysis`): the headline sentences carrying both uncertainties (the
spread of worlds and the replications' noise), the win share of each scheme with its interval, the
distribution of the paired difference across worlds, its drivers and the PRIM boxes where it loses.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from sim.experiment import store
from sim.metrics import BY_NAME
from sim.report.sections import Section, section
from sim.report.style import label, layout, nums, signed, styles


class Collector(Protocol):
    def add(self, fig: dict[str, Any], caption: str = "") -> str: ...


def _pct(x: Any) -> str:
    return "n/a" if x != x else f"{100 * float(x):.0f}%"


def _unit(metric: str, objective: str) -> str:
    return BY_NAME[objective if metric == "decision" else metric].unit if (metric in BY_NAME or metric == "decision") \
        else ""


def _table(table: pd.DataFrame, objective: str) -> str:
    head = ("<tr><th>scheme</th><th>metric</th><th>wins in (95% CI)</th><th>median difference</th>"
            "<th>5-95% of worlds</th><th>worst world</th><th>max regret</th></tr>")
    rows = []
    for _, r in table.iterrows():
        u = _unit(str(r["metric"]), objective)
        rows.append(f"<tr><td>{html.escape(str(r['scheme']))}</td><td>{html.escape(str(r['metric']))}</td>"
                    f"<td>{_pct(r['win_share'])} [{_pct(r['win_share_low'])}, {_pct(r['win_share_high'])}]</td>"
                    f"<td>{html.escape(signed(r['median_diff'], u))}</td>"
                    f"<td>{html.escape(signed(r['p05_diff'], u))} to {html.escape(signed(r['p95_diff'], u))}</td>"
                    f"<td>{html.escape(signed(r['worst_diff'], u))}</td>"
                    f"<td>{html.escape(signed(r['max_regret'], u))}</td></tr>")
    return f"<table class='summary'>{head}{''.join(rows)}</table>"


def _drivers(drivers: list[dict[str, Any]]) -> str:
    if not drivers:
        return ""
    d = pd.DataFrame(drivers).sort_values(["scheme", "delta"], ascending=[True, False])
    head = "<tr><th>scheme</th><th>parameter</th><th>delta (95% CI)</th><th>first-order S1 (95% CI)</th></tr>"
    rows = "".join(
        f"<tr><td>{html.escape(str(r['scheme']))}</td><td>{html.escape(str(r['parameter']))}</td>"
        f"<td>{_ci(r['delta'], r['delta_conf'])}</td><td>{_ci(r['S1'], r['S1_conf'])}</td></tr>"
        for _, r in d.iterrows())
    return f"<table class='summary'>{head}{rows}</table>"


def _ci(v: Any, h: Any) -> str:
    if v is None or v != v:
        return "n/a"
    return f"{float(v):.2f} &plusmn; {float(h):.2f}" if h is not None and h == h else f"{float(v):.2f}"


def difference_figure(worlds: pd.DataFrame, schemes: list[str], baseline: str, objective: str) -> dict[str, Any]:
    """One box of the paired difference across worlds per scheme, each world a point."""
    st = styles(schemes)
    data = []
    for scheme in schemes:
        if scheme == baseline:
            continue
        y = worlds.loc[worlds["scheme"] == scheme, f"{objective}_diff"]
        data.append({"type": "box", "y": nums(y), "name": label(scheme), "boxpoints": "all", "jitter": 0.4,
                     "pointpos": 0, "marker": {"color": st[scheme].colour, "size": 5},
                     "line": {"color": st[scheme].colour}})
    title = f"{objective}: difference to {baseline} in each plausible world (mean over its replications)"
    return {"data": data, "layout": layout(title, "", BY_NAME[objective].unit, showlegend=False)}


def robustness_section(out: Path, figs: Collector) -> Section | None:
    """The section, or None when the folder holds no robust analysis."""
    path = Path(out) / "robust.json"
    if not path.exists():
        return None
    info = json.loads(path.read_text())
    table = pd.read_csv(Path(out) / "robust.csv")
    worlds = store.read_table(out, "robust_worlds")
    objective = info["decision"]["objective"]
    bounds = info["decision"].get("constraints") or []
    said = "".join(f"<p class='clear'>{html.escape(s)}</p>" for s in info["headline"])
    intro = (f"<p>{info['worlds']} plausible worlds drawn from the scenario's uncertain ranges (a Latin hypercube), "
             f"{info['replications']} replications of every scheme in each, the same markets for every scheme "
             f"(paired). Better means {html.escape(objective)}"
             + (f" while meeting {html.escape(' and '.join(bounds))}" if bounds else "")
             + f"; baseline <b>{html.escape(info['baseline'])}</b>. The win share's interval is "
             f"{html.escape(info['win_interval'])}.</p>")
    warn = "".join(f"<p class='bad'>{html.escape(w)}</p>" for w in info.get("warnings", []))
    boxes = "".join(f"<li>{html.escape(b['sentence'])}</li>" for b in info["boxes"])
    fig = figs.add(difference_figure(worlds, info["schemes"], info["baseline"], objective),
                   "Each point is one world; its value is the mean paired difference over the replications.") \
        if len(worlds) else ""
    ranges = "".join(f"<li>{html.escape(k)}: {v[0]:g} to {v[1]:g}</li>" for k, v in info["uncertain"].items())
    body = (f"{intro}{said}{_table(table, objective)}{fig}<h3>Where each scheme loses (PRIM)</h3><ul>{boxes}</ul>"
            f"<h3>What drives the difference (SALib delta on the worlds sampled)</h3>{warn}{_drivers(info['drivers'])}"
            f"<details><summary>Uncertain ranges</summary><ul>{ranges}</ul></details>")
    return section("robustness", "Robustness", body)
