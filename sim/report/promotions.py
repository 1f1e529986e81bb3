"""The people section's table of promotions from within: how many, and how the promoted leads cooperate."""

from __future__ import annotations

import html

import pandas as pd

from sim.experiment.stats import group_bands
from sim.report.style import fmt

METRICS = ("promotions", "promoted_lead_cooperation", "promoted_lead_cooperation_gap")


def _cell(row: pd.Series, metric: str) -> str:
    mean, low, high = row[metric], row[f"{metric}_low"], row[f"{metric}_high"]
    if mean != mean:
        return "<td>n/a</td>"
    return f"<td>{fmt(mean)} [{fmt(low)}, {fmt(high)}]</td>"


def table(runs: pd.DataFrame, schemes: list[str]) -> str:
    """Per scheme with promotions: promotions a run and the promoted leads' cooperation at promotion, alone and
    against their pod's mean (mean over runs, 95% interval); empty when no scheme promotes."""
    if "promotions" not in runs.columns or not (runs["promotions"] > 0).any():
        return ""
    bands = group_bands(runs[["scheme", *METRICS]], ["scheme"], list(METRICS)).set_index("scheme")
    rows = "".join(f"<tr><th>{html.escape(s)}</th>{''.join(_cell(bands.loc[s], m) for m in METRICS)}</tr>"
                   for s in schemes if s in bands.index and bands.loc[s, "promotions"] > 0)
    return ("<h3>Promotions from within</h3><table class='summary'><thead><tr><th>scheme</th>"
            "<th>promotions a run</th><th>promoted leads' cooperation at promotion</th>"
            "<th>... minus their pod's mean</th></tr></thead><tbody>" + rows + "</tbody></table>"
            "<p class='caption'>Mean over runs and its 95% interval. A lead's cooperation is the level they "
            "showed as a producer when promoted; above the pod's mean it raises pod mates' cooperation "
            "targets, below it lowers them (docs/model.md, \"Promotion from within\").</p>")
