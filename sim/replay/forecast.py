"""The behavioural forecast beside the static replay, and the table that sets them side by side.

The forecast is the model calibrated on the same history (:mod:`sim.calibration`): the scenario's plans
and behaviour, with the firm, market and turnover read off the exports and the arrival rates and quit
hazard tuned under the firm's current plan, over as many months as the history has. Every plan then
runs for the same replications under common random numbers (a normal batch, in ``DIR/forecast/``).

The comparison, per plan: the static cost (all pay, and variable pay) and gross profit of the history;
the forecast's mean cost and gross profit with 95% intervals over replications; and the forecast's
change in gross profit against the current plan, paired by replication, as a share of the current
plan's forecast mean (its interval treats that mean as fixed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from sim.calibration import fit
from sim.calibration.estimate import estimate
from sim.calibration.readers import Person, Placement
from sim.scenario import Scenario, resolved_dict
from sim.scenario.library import merged
from sim.scenario.paths import EXPERIMENT_KEYS

PAY = "pay_total"   # base + variable pay: the cost of a plan (a column of the comparison only)


def calibrated(scenario: Scenario, placements: Sequence[Placement], people: Sequence[Person], months: int,
               current: str, replications: int, *, pod_size: int = 5, steps: int = 4,
               tune_replications: int = 4, progress: Callable[[str], None] | None = None) -> Scenario:
    """The scenario with its firm, market and turnover calibrated on the history, over ``months`` months."""
    est = estimate(list(placements), list(people))
    raw = {k: v for k, v in resolved_dict(scenario).items() if k not in EXPERIMENT_KEYS}   # no sweep, no ranges
    knobs = fit.direct_knobs(est, pod_size)
    knobs["horizon_months"] = months
    raw = merged(raw, knobs)
    raw.update(name=f"{scenario.name}-forecast", replications=replications,
               description=f"{scenario.name} calibrated on the replayed history ({months} months).")
    return fit.tune(est, raw, current, replications=tune_replications, steps=steps, progress=progress)


def comparison(static: pd.DataFrame, forecast: pd.DataFrame, current: str) -> pd.DataFrame:
    """One row per plan: static cost and GP next to the forecast's with intervals, and GP's move against
    the current plan (paired)."""
    from sim.experiment.stats import summarise

    runs = forecast.assign(**{PAY: forecast["commission_paid"] + forecast["base_pay"]})
    s = summarise(runs, [PAY, "commission_paid", "gross_profit", "placements"], baseline=current).set_index(
        ["scheme", "metric"])
    rows = []
    base_gp = s.loc[(current, "gross_profit"), "mean"]
    for _, r in static.iterrows():
        name = r["scheme"]
        f = s.loc[name] if name in s.index.get_level_values(0) else None
        row = {"plan": name, "static_pay": r["commission_paid"] + r["base_pay"],
               "static_variable_pay": r["commission_paid"], "static_gross_profit": r["gross_profit"],
               "static_placements": r["placements"]}
        for metric, label in ((PAY, "pay"), ("commission_paid", "variable_pay"), ("gross_profit", "gross_profit"),
                              ("placements", "placements")):
            for col, suffix in (("mean", ""), ("ci_low", "_low"), ("ci_high", "_high")):
                row[f"forecast_{label}{suffix}"] = f.loc[metric, col] if f is not None else float("nan")
        for col, suffix in (("diff_mean", ""), ("diff_ci_low", "_low"), ("diff_ci_high", "_high")):
            value = f.loc["gross_profit", col] if f is not None and name != current else 0.0
            row[f"gp_change_vs_current{suffix}"] = value / base_gp if base_gp else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def sentences(table: pd.DataFrame, current: str, months: int, placements: int) -> list[str]:
    """The comparison in words, one line per plan."""
    out = []
    for _, r in table.iterrows():
        line = (f"{r['plan']}: on the history's {placements:,} deals ({months} months) it would have cost "
                f"${r['static_pay']:,.0f} (${r['static_variable_pay']:,.0f} variable); once people respond we "
                f"expect ${r['forecast_pay']:,.0f} [${r['forecast_pay_low']:,.0f}, ${r['forecast_pay_high']:,.0f}]")
        if r["plan"] == current:
            line += (f", with gross profit ${r['forecast_gross_profit']:,.0f} against ${r['static_gross_profit']:,.0f}"
                     " in the history (the calibration's check)")
        else:
            line += (f", and gross profit to move {100 * r['gp_change_vs_current']:+.1f}% "
                     f"[{100 * r['gp_change_vs_current_low']:+.1f}%, {100 * r['gp_change_vs_current_high']:+.1f}%] "
                     f"against {current}")
        out.append(line + ".")
    return out
