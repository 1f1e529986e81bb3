"""From estimates to a scenario that reproduces them, and the side-by-side check.

Most knobs are read straight off the data: the horizon is the observation window; the firm's
shape comes from the mean head counts (pods of ``pod_size`` producers a side); perm share, perm
fee level and spread (``perm_salary_mean = fee / perm_fee_rate``, ``perm_salary_cv = fee CV``),
contract gross profit per month (total GP over the mean contract length) and the fall-off
probability are copied; the first-year hazard multiplier is the ratio of the two tenure bands.

Two knobs have no direct reading because the model adds to them: the arrival rates
(``job_order_rate`` and ``candidate_rate``, scaled together from their defaults) must produce the
observed placements per recruiter-month *after* matching, conversion and behaviour; and the
baseline quit hazard ``annual_base`` must produce the observed quits *after* the pay and climate
terms raise it. Both are found by re-running the model under the firm's current scheme and
correcting multiplicatively (a few fixed-point steps on a log scale). Placements grow faster than
the arrival rates (more of each side waiting means more matches), so the rates' step divides the
log error by :data:`ARRIVAL_ELASTICITY`; a plain fixed point (elasticity 1) overshoots and swings from
one side of the target to the other.
"""

from __future__ import annotations

import copy
import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sim.calibration.estimate import Estimates
from sim.experiment.stats import mean_ci
from sim.model import run
from sim.model.behaviour import monthly_from_annual
from sim.scenario import Scenario, resolved_dict, validate
from sim.scenario.schema import Market

DEFAULT_SCHEMES = [{"name": "current", "type": "individual", "rate": 0.25}]

ARRIVAL_ELASTICITY = 2.0
"""d log(placements) / d log(arrival rates), both sides scaled together: 1.4 to 1.7 before issue 13's
rework; since effort answers demand (a busier market pays more for effort), the step uses 2.0, with
which the round-trip test converges in its four steps."""


def _clip(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else x


def direct_knobs(est: Estimates, pod_size: int = 5) -> dict[str, Any]:
    """The scenario keys read straight off the estimates (arrival rates and annual_base at defaults)."""
    d = Market()
    pods = max(1, round(max(est.recruiters, est.account_managers) / pod_size))
    raw: dict[str, Any] = {
        "horizon_months": max(6, min(600, round(est.window.months))),
        "firm": {"pods": pods, "recruiters_per_pod": max(1, round(est.recruiters / pods)),
                 "account_managers_per_pod": max(1, round(est.account_managers / pods))},
        "market": {}, "behavior": {"turnover": {}},
    }
    m = raw["market"]
    m["perm_share"] = round(est["perm_share"].value, 4)
    if (fee := est.get("perm_fee_mean")) is not None:
        m["perm_salary_mean"] = round(fee.value / d.perm_fee_rate, 2)
        cv = est["perm_fee_cv"].value
        m["perm_salary_cv"] = round(_clip(cv if not math.isnan(cv) else d.perm_salary_cv, 0.0, 3.0), 4)
        m["falloff_probability"] = round(est["falloff_rate"].value, 4)
    if (gp := est.get("contract_gp_mean")) is not None:
        m["contract_gp_monthly_mean"] = round(max(gp.value / d.contract_months_mean, 0.01), 2)
    if (mult := est.get("first_year_multiplier")) is not None:
        raw["behavior"]["turnover"]["first_year_multiplier"] = round(_clip(mult.value, 1.0, 5.0), 4)
    if (annual := est.get("annual_turnover_later")) is not None:
        raw["behavior"]["turnover"]["annual_base"] = round(_clip(annual.value, 0.001, 0.95), 4)
    return raw


@dataclass(frozen=True, slots=True)
class Simulated:
    """What a batch of replications shows, per replication (for intervals)."""

    placements_per_recruiter_month: list[float]
    placements_per_am_month: list[float]
    quits_per_head_year: list[float]
    recruiters: list[float]
    account_managers: list[float]
    gp_per_placement: list[float]


def simulate(sc: Scenario, scheme: str, replications: int) -> Simulated:
    cols: dict[str, list[float]] = {k: [] for k in Simulated.__slots__}
    for r in range(replications):
        out = run(sc, scheme, r)
        monthly, res = out["monthly"], out["run"]
        rec = statistics.fmean(m["headcount_recruiters"] for m in monthly)
        am = statistics.fmean(m["headcount_ams"] for m in monthly)
        n = len(monthly)
        cols["placements_per_recruiter_month"].append(res["placements"] / (rec * n) if rec else math.nan)
        cols["placements_per_am_month"].append(res["placements"] / (am * n) if am else math.nan)
        cols["quits_per_head_year"].append(res["voluntary_quits"] / ((rec + am) * n) * 12 if rec + am else math.nan)
        cols["recruiters"].append(rec)
        cols["account_managers"].append(am)
        cols["gp_per_placement"].append(res["gross_profit"] / res["placements"] if res["placements"] else math.nan)
    return Simulated(**cols)


def _with(raw: dict[str, Any], scale: float, annual_base: float | None) -> dict[str, Any]:
    out = copy.deepcopy(raw)
    d = Market()
    out["market"]["job_order_rate"] = round(_clip(d.job_order_rate * scale, 0.01, 100.0), 4)
    out["market"]["candidate_rate"] = round(_clip(d.candidate_rate * scale, 0.01, 100.0), 4)
    if annual_base is not None:
        out["behavior"]["turnover"]["annual_base"] = round(_clip(annual_base, 0.001, 0.95), 4)
    return out


def tune(est: Estimates, base: dict[str, Any], scheme: str, *, replications: int = 4, steps: int = 4,
         progress: Callable[[str], None] | None = None) -> Scenario:
    """Scale the arrival rates and the baseline quit hazard until the model reproduces the data."""
    target_rate = est["placements_per_recruiter_month"].value
    quits = est.get("quits_per_head_year")
    scale = 1.0
    annual = base["behavior"]["turnover"].get("annual_base")
    raw = _with(base, scale, annual)
    for step in range(steps):
        sc = validate(raw, source="<calibrated>")
        sim = simulate(sc, scheme, replications)
        got = statistics.fmean(sim.placements_per_recruiter_month)
        if got > 0:
            scale *= (target_rate / got) ** (1.0 / ARRIVAL_ELASTICITY)
        msg = f"step {step + 1}: placements per recruiter-month {got:.3f} (data {target_rate:.3f})"
        if quits is not None and annual is not None:
            sim_q = statistics.fmean(sim.quits_per_head_year)
            if sim_q > 0 and quits.value > 0:
                h = -math.log(1.0 - monthly_from_annual(annual)) * quits.value / sim_q
                annual = 1.0 - math.exp(-12.0 * h)
            msg += f"; quits per head-year {sim_q:.3f} (data {quits.value:.3f})"
        if progress is not None:
            progress(msg)
        raw = _with(base, scale, annual)
    return validate(raw, source="<calibrated>")


def scenario_dict(tuned: Scenario) -> dict[str, Any]:
    """The resolved scenario as plain data, ready for YAML."""
    return resolved_dict(tuned)


def comparison(est: Estimates, sim: Simulated) -> list[tuple[str, tuple[float, float, float], tuple[float, ...]]]:
    """(quantity, data (value, low, high), simulated (mean, low, high)) rows."""
    rows = []
    pairs = (
        ("placements per recruiter-month", est.get("placements_per_recruiter_month"),
         sim.placements_per_recruiter_month),
        ("placements per AM-month", est.get("placements_per_am_month"), sim.placements_per_am_month),
        ("quits per head-year", est.get("quits_per_head_year"), sim.quits_per_head_year),
    )
    for name, e, values in pairs:
        if e is None:
            continue
        m, _sd, lo, hi = mean_ci(values)
        rows.append((name, (e.value, e.low, e.high), (m, lo, hi)))
    for name, data, values in (("recruiters (mean head count)", est.recruiters, sim.recruiters),
                               ("account managers (mean head count)", est.account_managers, sim.account_managers)):
        m, _sd, lo, hi = mean_ci(values)
        rows.append((name, (data, data, data), (m, lo, hi)))
    return rows
