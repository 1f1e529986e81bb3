"""Effort responds to a plan's period: under an annual threshold people push where the threshold is within
reach and ease off where it is out of reach, against a monthly plan of about the same annual cost.

Behavioural, not a tautology: the runs only set the plans; effort comes from the model's best response to
the expected marginal rates that :mod:`sim.comp.marginal` derives from each person's credit to date, and
is read here from the trace against each person's year to date (its months, the threshold)."""

from __future__ import annotations

import pandas as pd

from sim.model import run
from sim.scenario.loader import validate
from sim.scenario.schema import Scenario

THRESHOLD = 120_000   # dollars a year: about ten months of the reference producer's credited GP
TYPICAL = 1_200_000   # cents: the model's initial expected monthly credit ($12,000)


def traces(scenario: Scenario, scheme: str, replications: int) -> tuple[pd.DataFrame, float]:
    """Every person-month of the runs (effort, credited GP) and the commission they paid."""
    runs = [run(scenario, scheme, r, detail=True) for r in range(replications)]
    frames = [pd.DataFrame(out["trace"]).assign(rep=r) for r, out in enumerate(runs)]
    return pd.concat(frames).sort_values(["rep", "person_id", "month"]), sum(o["run"]["commission_paid"] for o in runs)


def test_an_annual_threshold_makes_a_push_where_it_is_within_reach() -> None:
    scenario = validate({
        "name": "period_push", "seed": 7, "horizon_months": 24,
        "firm": {"pods": 4, "recruiters_per_pod": 5, "account_managers_per_pod": 5},
        "schemes": [{"name": "annual", "type": "individual", "rate": 0.30, "threshold": THRESHOLD, "period": "annual"},
                    {"name": "monthly", "type": "individual", "rate": 0.20}]})
    (annual, annual_cost), (monthly, monthly_cost) = traces(scenario, "annual", 3), traces(scenario, "monthly", 3)
    assert abs(annual_cost / monthly_cost - 1) < 0.15   # about the same annual cost
    year = (annual["month"] - 1) // 12
    annual["before"] = annual.groupby(["rep", "person_id", year])["credited_gp_cents"].cumsum() - \
        annual["credited_gp_cents"]
    annual["left"] = 12 - (annual["month"] - 1) % 12
    both = annual.merge(monthly[["rep", "person_id", "month", "effort"]], on=["rep", "person_id", "month"],
                        suffixes=("", "_monthly"))
    # Months of typical credit still needed, per month left of the year.
    need = (THRESHOLD * 100 - both["before"]) / (both["left"] * TYPICAL)
    late = both["left"] <= 6
    within = both[late & (need > 0) & (need <= 1.0)]
    beyond = both[late & (need > 1.5)]
    assert len(within) > 40 and len(beyond) > 20, (len(within), len(beyond))
    push = (within["effort"] - within["effort_monthly"]).mean()
    ease = (beyond["effort"] - beyond["effort_monthly"]).mean()
    assert push > 0.02 and ease < -0.02, (push, ease)
