"""The run's metrics accumulator: what the month end reports, kept apart from what it decides.

The month end's decisions (pay, effort, cooperation, quits, hires) read and write the firm's state;
everything reported is added here. A warm-up (``warmup_months``) writes into a tally that is then
thrown away, so no warm-up month reaches any metric.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sim.model.volatility import PayVolatility


@dataclass(slots=True)
class Tally:
    """Running totals of one replication's measured months (money in integer cents)."""

    monthly: list[dict[str, Any]] = field(default_factory=list)
    statements: list[tuple] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)   # pay by line kind
    gp_cents: int = 0
    revenue_cents: int = 0
    hiring_cost: int = 0
    ramp_shortfall: float = 0.0     # producer-months of output lost to ramp-up
    vacant_months: int = 0          # producer seat-months left empty
    lost_job_orders: int = 0        # open job orders lost when their AM left
    lost_candidates: int = 0        # waiting candidates lost when their recruiter left
    coop_sum: float = 0.0
    effort_sum: float = 0.0
    prod_months: int = 0
    quits: int = 0
    managed_out: int = 0
    headcount_sum: int = 0
    pay_volatility: PayVolatility = field(default_factory=PayVolatility)   # monthly pay moments per person

    def add_pay(self, by_kind: dict[str, int]) -> None:
        for k, v in by_kind.items():
            self.totals[k] = self.totals.get(k, 0) + v
