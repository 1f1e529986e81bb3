"""Every metric the tool reports, declared once: name, unit, direction and meaning.

The CLI, the summary table and the report all read these declarations, so a metric is named and
explained the same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Direction = Literal["max", "min", "info"]


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    unit: str
    direction: Direction
    description: str


RUN_METRICS: tuple[Metric, ...] = (
    Metric("placements", "placements", "max", "Placements made over the horizon (perm and contract)."),
    Metric("falloffs", "placements", "min", "Perm placements that fell off within the guarantee period."),
    Metric("replacements", "placements", "min", "Free replacements placed for fallen-off perm hires (no fee)."),
    Metric("revenue", "$", "max", "Revenue billed: perm fees net of refunds plus contract billings."),
    Metric("gross_profit", "$", "max", "Gross profit: perm fees net of refunds plus contract margin."),
    Metric("commission_paid", "$", "min",
           "Variable pay: commission, pool shares, overrides, bonuses and draws net of recoveries "
           "and clawbacks."),
    Metric("base_pay", "$", "min", "Base salaries paid."),
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
)

MONTHLY_METRICS: tuple[Metric, ...] = (
    Metric("headcount_recruiters", "people", "info", "Recruiters employed at month end."),
    Metric("headcount_ams", "people", "info", "Account managers employed at month end."),
    Metric("hires", "people", "info", "People who started this month."),
    Metric("quits", "people", "min", "People who quit at the end of this month."),
    Metric("placements", "placements", "max", "Placements made this month."),
    Metric("job_orders_arrived", "job orders", "info", "Job orders won this month."),
    Metric("candidates_arrived", "candidates", "info", "Placeable candidates sourced this month."),
    Metric("open_job_orders", "job orders", "info", "Job orders open (unfilled, unexpired) at month end."),
    Metric("falloffs", "placements", "min", "Perm placements that fell off this month."),
    Metric("revenue", "$", "max", "Revenue recognised this month."),
    Metric("gross_profit", "$", "max", "Gross profit recognised this month."),
    Metric("commission_paid", "$", "min", "Variable pay this month."),
    Metric("mean_effort", "effort", "info", "Mean producer effort this month."),
    Metric("mean_cooperation", "0-1", "max", "Mean producer cooperation this month."),
)

RUN_METRIC_NAMES: tuple[str, ...] = tuple(m.name for m in RUN_METRICS)
MONTHLY_METRIC_NAMES: tuple[str, ...] = tuple(m.name for m in MONTHLY_METRICS)
BY_NAME: dict[str, Metric] = {m.name: m for m in RUN_METRICS}
