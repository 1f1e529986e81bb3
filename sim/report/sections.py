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
from sim.finance import stored_annual_pnl
from sim.report import explain, figures, headline, money, promotions, sweep
from sim.report.audit import audit_facts, shown_resolved
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
    ("Promotion from within: who is promoted, the lead's climate, the promotion stake", "sim/model/promotion.py"),
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


@dataclass(frozen=True)
class Section:
    """One section of the page; it gets its number when the page is put together, so that numbers run
    1, 2, 3... over the sections present (the sweep section only exists for sweeps)."""

    ident: str
    title: str
    body: str

    def html(self, number: int) -> str:
        return f"<section id='{self.ident}'><h2>{number}. {html.escape(self.title)}</h2>{self.body}</section>"


def section(ident: str, title: str, body: str) -> Section:
    return Section(ident, title, body)


def headline_section(res: Results) -> Section:
    summary = headline.summary_of(res.runs, res.baseline)
    n = int(res.runs[["scheme"]].groupby("scheme").size().min()) if len(res.runs) else 0
    note = f"<p class='note'>{html.escape(res.point_note)}</p>" if res.point_note else ""
    said = headline.sentences(summary, res.schemes, res.baseline)
    return section("headline", "Headline", f"<p>{n} replications per scheme; baseline "
                   f"<b>{html.escape(res.baseline)}</b>.</p>{note}{said}"
                   f"{headline.table(summary, res.schemes, res.baseline, res.runs)}")


def over_time_section(res: Results, figs: Figures) -> Section:
    st = styles(res.schemes)
    body = "".join(figs.add(f) for f in figures.over_time(res.bands, st))
    return section("over-time", "Over time", "<p>Each line is the mean over replications; the shaded band "
                   "its 95% interval.</p>" + body)


def people_section(res: Results, figs: Figures) -> Section:
    st = styles(res.schemes)
    gini = group_bands(res.runs[["scheme", "pay_gini"]], ["scheme"], ["pay_gini"])
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
        promotions.table(res.runs, res.schemes),
    ])
    return section("people", "People", body)


def money_section(res: Results, figs: Figures) -> Section:
    st = styles(res.schemes)
    finance = (res.manifest.get("resolved_scenario") or {}).get("finance") or {}
    body = figs.add(money.cost_of_sales_figure(res.runs, st))
    costs = money.turnover_costs(res.runs, res.baseline, finance.get("steady_gp_per_seat_month"))
    if "turnover_cost" not in costs.columns:
        return section("money", "Money", body + "<p class='note'>These results were stored before the finance "
                       "metrics existed; run the batch again for turnover cost, draws and operating profit.</p>")
    burden, overhead = 100 * float(finance.get("payroll_burden", 0)), float(finance.get("overhead_per_seat_month", 0))
    basis = ("finance.steady_gp_per_seat_month" if finance.get("steady_gp_per_seat_month") is not None
             else f"the baseline scheme's ({html.escape(res.baseline)}) gross profit per filled producer seat-month")
    body += (figs.add(money.turnover_figure(costs, st),
                      f"One basis for every scheme: empty seat-months and ramp-up shortfall (producer-months of output "
                      f"lost) are valued at {basis}, shown in the table; empty seats net of the base pay they did "
                      "not draw. Hiring is the direct cost recorded by the model. All three are already inside "
                      "profit (hiring is deducted from it; the lost GP never entered it): they say where profit "
                      "went and must not be subtracted again. Lost job orders and candidates are counts with no "
                      "dollar value.")
             + money.turnover_table(costs, res.schemes))
    del costs   # each table below reads its own columns of the runs
    body += ("<h3>Draws</h3><p>Paid to new hires, repaid out of later commission, written off when the person "
             "left owing, and still owed at the end (inside commission paid).</p>"
             + money.bands_table(res.runs, money.DRAWS, res.schemes)
             + "<h3>Credited GP reconciled to the firm's GP</h3><p>gross profit = GP credited to the people who "
               "placed + GP forfeited (running contracts of people who left) - refunds (credit is gross of them). "
               "The pod leads' override is paid on their pods' net GP, inside commission paid.</p>"
             + money.bands_table(res.runs, money.RECONCILIATION, res.schemes)
             + f"<h3>Operating profit</h3><p>Profit less payroll burden ({burden:.2f}% of all pay) and overhead "
               f"(${overhead:,.0f} per seat-month), from <code>finance.*</code> in the scenario.</p>"
             + money.bands_table(res.runs, money.OPERATING, res.schemes)
             + "<h3>Annual P&amp;L</h3><p>Mean over replications of each year's sums.</p>"
             + money.pnl_table(stored_annual_pnl(res.out, res.point), res.schemes))
    return section("money", "Money", body)


def sweep_section(res: Results, figs: Figures) -> Section | None:
    if not res.sweep_keys and res.sensitivity.empty:
        return None
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
    return section("sweeps", "Sweeps and sensitivity", "".join(parts))


def explain_section(res: Results) -> Section:
    turnover = res.manifest.get("resolved_scenario", {}).get("behavior", {}).get("turnover", {})
    paid = [c for c in ("scheme", "replication", "commission_paid", "base_pay") if c in res.runs.columns]
    body = explain.section(res.runs[paid], res.people.rep0, res.statements, res.trace, res.schemes,
                           turnover.get("market_pay", {}))
    return section("explain", "Explain a person", body)


def assumptions_section(res: Results) -> Section:
    m = res.manifest
    resolved = yaml.safe_dump(shown_resolved(m), sort_keys=False, allow_unicode=True)
    versions = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                       for k, v in (m.get("versions") or {}).items())
    seeds = json.dumps(m.get("replication_seeds", {}))
    facts = (("scenario", m.get("scenario")), ("scenario hash", m.get("scenario_hash")), ("seed", m.get("seed")),
             ("replications", m.get("replications")), ("runs", m.get("runs")), ("workers", m.get("workers")),
             ("wall time (s)", m.get("wall_seconds")), ("created", m.get("created")),
             ("failed runs", len(m.get("failures") or [])), ("results folder", res.out.name), *audit_facts(m))
    fact_rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in facts)
    mech = "".join(f"<li>{html.escape(t)}: docs/model.md (code: {html.escape(c)})</li>" for t, c in MECHANISMS)
    body = (f"<table class='facts'>{fact_rows}</table><h3>Where each mechanism is documented</h3><ul>{mech}</ul>"
            f"<h3>Seeds of each replication (scenario seed / replication)</h3><pre class='seeds'>{html.escape(seeds)}"
            f"</pre><h3>Versions</h3><table class='facts'>{versions}</table>"
            f"<h3>Every parameter used (the resolved scenario)</h3><pre class='scenario'>{html.escape(resolved)}</pre>")
    return section("assumptions", "Assumptions", body)
