"""The report's decomposition section: why each scheme differs from the baseline (``run --decompose``)."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from sim.metrics import BY_NAME
from sim.report.sections import Section
from sim.report.sections import section as make_section

#: Metrics shown (all are in decomposition.csv).
SHOWN = ("placements", "gross_profit", "profit", "mean_effort", "mean_cooperation", "final_mean_skill",
         "turnover_rate_annual")


def _cell(row: dict, part: str) -> str:
    return (f"{row[f'{part}_mean']:,.4g} <small>[{row[f'{part}_ci_low']:,.4g}, "
            f"{row[f'{part}_ci_high']:,.4g}]</small>")


def section(out: Path) -> Section | None:
    """The section, or None when the run was not decomposed (no decomposition.csv)."""
    path = Path(out) / "decomposition.csv"
    rows = [r for r in pd.read_csv(path).to_dict("records") if r["metric"] in SHOWN] if path.exists() else []
    if not rows:
        return None
    head = ("<tr><th>scheme</th><th>metric</th><th>total difference</th><th>behaviour (workforce fixed)</th>"
            "<th>selection (who stays, who joins)</th><th>selection share</th></tr>")
    body = "".join(
        f"<tr><td>{html.escape(str(r['scheme']))}</td><td>{html.escape(str(r['metric']))} "
        f"<small>({html.escape(BY_NAME[r['metric']].unit)})</small></td><td>{_cell(r, 'total')}</td>"
        f"<td>{_cell(r, 'behaviour')}</td><td>{_cell(r, 'selection')}</td>"
        f"<td>{r['selection_share']:.0%}</td></tr>" for r in rows)
    base = html.escape(str(rows[0]["baseline"]))
    intro = (f"<p>Each scheme against <b>{base}</b>, paired by replication (means, 95% CIs). <i>Behaviour</i>: the "
             f"scheme run with {base}'s workforce frozen (its people, hired and leaving when they did), so only "
             "effort and cooperation differ. <i>Selection</i>: the rest, from who quits, who is managed out and "
             "who applies under the scheme. The two add up to the total.</p>")
    return make_section("decomposition", "Why: behaviour and selection",
                        f"{intro}<table class='facts'>{head}{body}</table>")
