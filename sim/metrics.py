"""Every metric the tool reports, declared once: name, unit, direction and meaning.

The CLI, the summary table and the report all read these declarations, so a metric is named and
explained the same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Direction = Literal["max", "min", "info"]


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    unit: str
    direction: Direction
    description: str

    @property
    def label(self) -> str:
        """The name in words, for people: ``gp_refunded`` -> "GP refunded"."""
        words = self.name.replace("_", " ").split()
        words = [{"gp": "GP", "am": "AM", "ams": "AMs"}.get(w, w) for w in words]
        text = " ".join(words)
        return text[0].upper() + text[1:] if text else text


RUN_METRICS: tuple[Metric, ...] = (
    Metric("placements", "placements", "max", "Placements made over the horizon (perm and contract)."),
    Metric("falloffs", "placements", "info", "Perm placements that fell off within the guarantee period."),
    Metric("replacements", "placements", "info", "Free replacements placed for fallen-off perm hires (no fee)."),
    Metric("revenue", "$", "max", "Revenue billed: perm fees net of refunds plus contract billings."),
    Metric("gross_profit", "$", "max", "Gross profit: perm fees net of refunds plus contract margin."),
    # Pay is a cost, not an achievement: lower is not "better" (salary pays $0 commission by design).
    Metric("commission_paid", "$", "info",
           "Variable pay: commission, pool shares, overrides, bonuses and draws net of recoveries "
           "and clawbacks."),
    Metric("base_pay", "$", "info", "Base salaries paid."),
    Metric("hiring_cost", "$", "min", "Direct cost of filling vacancies left by quits."),
    Metric("profit", "$", "max", "Gross profit minus commission, base pay and hiring cost."),
    Metric("voluntary_quits", "people", "min", "People who quit over the horizon."),
    Metric("managed_out", "people", "info", "Producers managed out under the performance standard."),
    Metric("turnover_rate_annual", "share/yr", "min", "Quits per average headcount, annualised."),
    Metric("mean_effort", "effort", "info", "Mean effort of producers over all months (1 = standard)."),
    Metric("mean_cooperation", "0-1", "max", "Mean cooperation of producers over all months."),
    Metric("final_cooperation", "0-1", "max", "Mean cooperation of producers in the last month."),
    Metric("final_mean_skill", "skill", "info", "Mean skill of the producers employed at the end (1 = market mean)."),
    Metric("pay_share_of_gp", "share", "info", "Total pay (base and variable) over gross profit."),
    Metric("pay_gini", "0-1", "info", "Gini coefficient of producers' mean monthly pay."),
    Metric("top_decile_share", "share", "info", "Share of credited gross profit made by the top 10% of producers."),
    Metric("vacant_seat_months", "seat-months", "min", "Producer seat-months left empty while vacancies were filled."),
    Metric("ramp_shortfall_months", "person-months", "min",
           "Producer-months of output lost while new hires ramped up (1 - ramp, summed)."),
    Metric("lost_job_orders", "job orders", "min", "Open job orders lost when the account manager left."),
    Metric("lost_candidates", "candidates", "min", "Waiting candidates lost when the recruiter left."),
    # Finance (docs/finance.md): draws, credited GP reconciled to firm GP, burden, overhead, operating profit.
    Metric("draws_paid", "$", "info", "Draw top-ups paid to new hires (inside commission_paid)."),
    Metric("draws_recovered", "$", "info", "Recoverable draws repaid out of later variable pay."),
    Metric("draws_written_off", "$", "info",
           "Recoverable draws never repaid because the person left (the balance dropped at exit)."),
    Metric("draws_outstanding", "$", "info", "Recoverable draw balances still owed at the end of the horizon."),
    Metric("gp_credited", "$", "info",
           "GP credited to the people who placed (gross of refunds); gross_profit = gp_credited + "
           "gp_forfeited - gp_refunded."),
    Metric("gp_forfeited", "$", "info",
           "GP credited to nobody: running contracts of people who left (and the split's rounding to cents)."),
    Metric("gp_refunded", "$", "info", "Perm fees refunded to clients after fall-offs (credit is gross of them)."),
    Metric("lead_override", "$", "info", "Pod leads' override on their pods' net GP (inside commission_paid)."),
    Metric("producer_months", "person-months", "info", "Recruiter and AM months worked (filled producer seats)."),
    Metric("base_saved_vacancy", "$", "info", "Base pay not paid while producer seats were empty."),
    Metric("payroll_burden", "$", "info", "Employer cost on top of pay: finance.payroll_burden x all pay."),
    Metric("overhead", "$", "info", "finance.overhead_per_seat_month x seats x months (the same for every scheme)."),
    Metric("operating_profit", "$", "max", "Profit minus payroll burden and overhead."),
    Metric("pay_volatility", "CV", "info",
           "Pay volatility: coefficient of variation of each person's monthly pay, months-weighted mean."),
    *(Metric(f"variable_pay_share_gp_{state}", "share", "info",
             f"Variable pay as a share of gross profit in months of demand {what} (blank if none).")
      for state, what in (("down", "below plan"), ("normal", "at plan"), ("up", "above plan"))),
    Metric("promotions", "people", "info", "Producers promoted to pod lead from within (policy.promotion)."),
    Metric("promoted_lead_cooperation", "0-1", "info",
           "Mean cooperation of the leads promoted from within, at promotion (blank if none)."),
    Metric("promoted_lead_cooperation_gap", "0-1", "info",
           "Promoted leads' cooperation minus their pod's mean at promotion: the pod's climate (blank if none)."),
)

DERIVED_METRICS: tuple[Metric, ...] = (
    Metric("steady_gp_per_seat_month", "$", "info",
           "The basis that values lost output, the same for every scheme: finance.steady_gp_per_seat_month, or "
           "the baseline scheme's gross profit per filled producer seat-month at the same point."),
    Metric("vacancy_cost", "$", "min",
           "Empty producer seat-months x the steady GP per seat-month, net of the base pay they saved."),
    Metric("ramp_cost", "$", "min", "Ramp-up shortfall (producer-months) x the steady GP per seat-month."),
    Metric("turnover_cost", "$", "min",
           "hiring_cost + vacancy_cost + ramp_cost: all three are already inside profit (docs/finance.md)."),
)
"""Metrics of a run that need the whole batch (one basis for every scheme): in summary.csv and the
exports, computed by :func:`sim.finance.with_turnover_costs` from runs.parquet."""

MONTHLY_METRICS: tuple[Metric, ...] = (
    Metric("headcount_recruiters", "people", "info", "Recruiters employed at month end."),
    Metric("headcount_ams", "people", "info", "Account managers employed at month end."),
    Metric("hires", "people", "info", "People who started this month."),
    Metric("quits", "people", "min", "People who quit at the end of this month."),
    Metric("placements", "placements", "max", "Placements made this month."),
    Metric("job_orders_arrived", "job orders", "info", "Job orders won this month."),
    Metric("candidates_arrived", "candidates", "info", "Placeable candidates sourced this month."),
    Metric("open_job_orders", "job orders", "info", "Job orders open (unfilled, unexpired) at month end."),
    Metric("falloffs", "placements", "info", "Perm placements that fell off this month."),
    Metric("revenue", "$", "max", "Revenue recognised this month."),
    Metric("gross_profit", "$", "max", "Gross profit recognised this month."),
    Metric("commission_paid", "$", "info", "Variable pay this month."),
    Metric("mean_effort", "effort", "info", "Mean producer effort this month."),
    Metric("mean_cooperation", "0-1", "max", "Mean producer cooperation this month."),
    Metric("base_pay", "$", "info", "Base salaries paid this month."),
    Metric("hiring_cost", "$", "min", "Direct cost of the hires who started this month."),
    Metric("draws_paid", "$", "info", "Draw top-ups paid this month."),
    Metric("payroll_burden", "$", "info", "Employer cost on top of this month's pay."),
    Metric("overhead", "$", "info", "Overhead of every seat this month."),
    Metric("operating_profit", "$", "max", "Gross profit minus all pay, hiring, burden and overhead this month."),
    Metric("demand_index", "x plan", "info", "Job-order demand this month relative to plan (market.demand)."),
    Metric("outside_option_index", "x plan", "info",
           "Outside offers this month relative to plan: lagged demand (quit base rate and market pay)."),
)

RUN_METRIC_NAMES: tuple[str, ...] = tuple(m.name for m in RUN_METRICS)
SUMMARY_METRICS: tuple[Metric, ...] = RUN_METRICS + DERIVED_METRICS
SUMMARY_METRIC_NAMES: tuple[str, ...] = tuple(m.name for m in SUMMARY_METRICS)
MONTHLY_METRIC_NAMES: tuple[str, ...] = tuple(m.name for m in MONTHLY_METRICS)
BY_NAME: dict[str, Metric] = {m.name: m for m in RUN_METRICS}
SUMMARY_BY_NAME: dict[str, Metric] = {m.name: m for m in SUMMARY_METRICS}

COUNT_UNITS = frozenset({"placements", "people", "seat-months", "person-months", "job orders", "candidates"})
"""Units of counts: their means are never negative, so neither is the low end of their intervals."""
COUNTS: frozenset[str] = frozenset(m.name for m in (*SUMMARY_METRICS, *MONTHLY_METRICS) if m.unit in COUNT_UNITS) \
    | {"headcount"}


def floor_count_intervals(summary: Any) -> Any:
    """A summary table (``metric``, ``ci_low`` columns, as :func:`sim.experiment.stats.summarise` gives) with the
    interval of every count floored at 0: a t interval of a small, skewed count can dip below 0, which no
    count can. Differences keep their sign."""
    out = summary.copy()
    rows = out["metric"].isin(COUNTS)
    out.loc[rows, "ci_low"] = out.loc[rows, "ci_low"].clip(lower=0)
    return out


def floor_count_bands(bands: Any) -> Any:
    """A band table (``m``, ``m_low``, ``m_high`` columns) with the low end of every count's band floored at 0."""
    out = bands.copy()
    for name in COUNTS:
        if f"{name}_low" in out.columns:
            out[f"{name}_low"] = out[f"{name}_low"].clip(lower=0)
    return out
