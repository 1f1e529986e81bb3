"""The report's seven sections as HTML fragments; figures go through a :class:`Figures` collector.

Every string that comes from a scenario or a stored table is escaped here (``html.escape``) or in
:mod:`sim.report.style` (plotly labels), so a scheme called ``<script>alert(1)</script>`` is text.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field

import yaml

from sim.experiment.stats import group_bands
from sim.report import explain, figures, headline, money, sweep
from sim.report.data import Results
from sim.report.style import Figure, figure_json, styles

MECHANISMS = (
    ("Market: job orders, candidates, matching, placements and fall-offs", "sim/model/market.py"),
    ("Effort: best response to the plan's marginal pay, social weight and peer pressure", "sim/model/behaviour.py"),
    ("Cooperation: conditional cooperators, decay, sanctions and restarts", "sim/model/behaviour.py"),
    ("Quits: hazard from pay against peers and market, first year and pod climate", "sim/model/behaviour.py"),
    ("Hiring, vacancies, ramp-up and lost pipeline", "sim/model/people.py"),
    ("Compensation plans and statements (integer cents)", "sim/comp/"),
    ("Policy levers: leaderboard, partnership time, hiring for cooperation", "sim/model/behaviour.py"),
)


@dataclass
class Figures:
    """Collects figures; each becomes an empty div plus its JSON, drawn by one script at load time."""

    specs: list[Figure] = field(default_factory=list)

    def add(self, fig: Figure, caption: str = "") -> str:
        n = len(self.specs)
        self.specs.append(fig)
        cap = f"<p class='caption'>{caption}</p>" if caption else ""
        return (f"<figure><div class='fig' id='fig-{n}'></div><script type='application/json' id='fig-{n}-data'>"
                f"{figure_json(fig)}</script>{cap}</figure>")


def section(ident: str, number: int, title: str, body: str) -> str:
    return f"<section id='{ident}'><h2>{number}. {html.escape(title)}</h2>{body}</section>"


def headline_section(res: Results) -> str:
    summary = headline.summary_of(res.runs, res.baseline)
    n = int(res.runs.groupby("scheme").size().min()) if len(res.runs) else 0
    note = f"<p class='note'>{html.escape(res.point_note)}</p>" if res.point_note else ""
    said = headline.sentences(summary, res.schemes, res.baseline)
    return section("headline", 1, "Headline", f"<p>{n} replications per scheme; baseline "
                   f"<b>{html.escape(res.baseline)}</b>.</p>{note}{said}"
                   f"{headline.table(summary, res.schemes, res.baseline)}")


def over_time_section(res: Results, figs: Figures) -> str:
    st = styles(res.schemes)
    body = "".join(figs.add(f) for f in figures.over_time(res.bands, st))
    return section("over-time", 2, "Over time", "<p>Each line is the mean over replications; the shaded band "
                   "its 95% interval.</p>" + body)


def people_section(res: Results, figs: Figures) -> str:
    st = styles(res.schemes)
    gini = group_bands(res.runs, ["scheme"], ["pay_gini"])
    body = "".join([
        figs.add(figures.quits_figure(res.bands, st)),
        figs.add(figures.survival_figure(res.people, st),
                 "Months employed counted from hire, or from the start of the run for people already there; "
                 "people who stay to the end are censored."),
        figs.add(figures.payout_figure(res.people, st), "All replications pooled; pay is total pay over months "
                 "employed."),
        figs.add(figures.lorenz_figure(res.people, gini, st)),
        figs.add(figures.production_figure(res.people, st), "The dotted line marks the top 10% of producers: "
                 "read off it how much of the output a few stars carry."),
    ])
    return section("people", 3, "People", body)


def money_section(res: Results, figs: Figures) -> str:
    st = styles(res.schemes)
    costs = money.turnover_costs(res.runs, res.seats)
    body = (figs.add(money.cost_of_sales_figure(res.runs, st))
            + figs.add(money.turnover_figure(costs, st),
                       "Hiring is the direct cost recorded by the model. Empty seat-months and ramp-up shortfall "
                       "(producer-months of output lost) are valued at each run's own mean gross profit per "
                       "producer-month (gross profit / summed month-end headcount of recruiters and account "
                       "managers). Lost job orders and candidates are counts with no dollar value.")
            + money.turnover_table(costs, res.schemes))
    return section("money", 4, "Money", body)


def sweep_section(res: Results, figs: Figures) -> str:
    if not res.sweep_keys and res.sensitivity.empty:
        return ""
    st = styles(res.schemes)
    parts = []
    if res.sweep_keys:
        keys = ", ".join(html.escape(k) for k in res.sweep_keys)
        parts.append(f"<h3>Sweep over {keys}</h3>")
        parts += [figs.add(f) for f in sweep.line_figures(res.sweep_runs, res.sweep_keys, st)]
        parts += [figs.add(f) for f in sweep.heatmaps(res.sweep_runs, res.sweep_keys, st)]
    if not res.sensitivity.empty:
        parts.append("<h3>Sensitivity</h3><p>Which parameters move each metric most: Sobol indices (S1: alone; "
                     "ST: with interactions) or Morris mu*, ranked, with 95% confidence.</p>")
        parts += [figs.add(f) for f in sweep.sensitivity_figures(res.sensitivity)]
    return section("sweeps", 5, "Sweeps and sensitivity", "".join(parts))


def explain_section(res: Results) -> str:
    turnover = res.manifest.get("resolved_scenario", {}).get("behavior", {}).get("turnover", {})
    body = explain.section(res.runs, res.people.rep0, res.statements, res.trace, res.schemes,
                           turnover.get("market_pay", {}))
    return section("explain", 6, "Explain a person", body)


def assumptions_section(res: Results) -> str:
    m = res.manifest
    resolved = yaml.safe_dump(m.get("resolved_scenario", {}), sort_keys=False, allow_unicode=True)
    versions = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                       for k, v in (m.get("versions") or {}).items())
    seeds = json.dumps(m.get("replication_seeds", {}))
    facts = (("scenario", m.get("scenario")), ("scenario hash", m.get("scenario_hash")), ("seed", m.get("seed")),
             ("replications", m.get("replications")), ("runs", m.get("runs")), ("workers", m.get("workers")),
             ("wall time (s)", m.get("wall_seconds")), ("created", m.get("created")),
             ("failed runs", len(m.get("failures") or [])), ("results folder", res.out.name))
    fact_rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in facts)
    mech = "".join(f"<li>{html.escape(t)}: docs/model.md (code: {html.escape(c)})</li>" for t, c in MECHANISMS)
    body = (f"<table class='facts'>{fact_rows}</table><h3>Where each mechanism is documented</h3><ul>{mech}</ul>"
            f"<h3>Seeds of each replication (scenario seed / replication)</h3><pre class='seeds'>{html.escape(seeds)}"
            f"</pre><h3>Versions</h3><table class='facts'>{versions}</table>"
            f"<h3>Every parameter used (the resolved scenario)</h3><pre class='scenario'>{html.escape(resolved)}</pre>")
    return section("assumptions", 7, "Assumptions", body)
