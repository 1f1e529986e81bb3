"""The session as a handout: the app's figures and run table, laid out by :mod:`sim.report.handout`."""

from __future__ import annotations

import time
from typing import Any

import yaml

from sim.app import figures
from sim.app.layout import TABLE_METRICS
from sim.app.terms import scenario_mapping
from sim.report.handout import build_handout
from sim.report.style import fmt
from sim.scenario import Scenario


def handout(scenario: Scenario, runs: list[dict[str, Any]], base: dict[str, Any] | None,
            shown: list[dict[str, Any]]) -> str:
    """The handout page of a session: what was compared, the charts as drawn, every run's numbers."""
    said = [f"Workshop session on {scenario.name}, {time.strftime('%Y-%m-%d')}: {len(runs)} runs.",
            f"Baseline: {base['label']}." if base else "No baseline was pinned.",
            "Bars show each run's mean over its replications with a 95% interval; changes are paired "
            "differences from the baseline over the same replications (common random numbers)."]
    figs = [(figures.results_figure(shown), "Results per run (baseline and the newest runs)."),
            (figures.differences_figure(shown, base), "Change from the baseline, with 95% intervals."),
            (figures.monthly_figure(shown), "Month by month (mean over replications).")]
    head = ["Run", "What changed", *(t for _m, t, _u in TABLE_METRICS), "Replications"]
    rows = [[str(r["n"]), r["label"], *(f"{fmt(r['metrics'][m][0], u)} [{fmt(r['metrics'][m][1], u)}, "
                                        f"{fmt(r['metrics'][m][2], u)}]" for m, _t, u in TABLE_METRICS),
             str(r["replications"])] for r in runs]
    settings = yaml.safe_dump(scenario_mapping(scenario), sort_keys=False, allow_unicode=True)
    return build_handout(f"teamsim workshop: {scenario.name}", said, figs, head, rows, settings)
