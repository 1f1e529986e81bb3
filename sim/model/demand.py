"""The demand index: how far the market is off plan in a month, as small pure functions.

``market.demand`` moves job-order arrivals month by month: the factor of the period the month lies in
(1 outside every period) times the season's factor (``seasonality[(month) mod 12]``, the first for
month 1). Candidate supply moves the other way, as ``demand ** -candidate_elasticity``: when clients
stop hiring, more people are looking. Outside options follow demand with a lag: the outside-option
factor is the demand index ``outside_option_lag_months`` earlier, to the power
``outside_option_elasticity``; it scales the quit rule's base rate and its market pay reference, so
people quit less when nobody is hiring. Months are 0-based here and count measured months: month 0 is
the scenario's month 1, the first after the warm-up (``warmup_months``), as in every output. Warm-up
months are negative: they, and the months before them that the lag reaches, are at plan, with their
season (``seasonality[month mod 12]``, so the calendar runs on through the warm-up).

Every function returns exactly 1.0 for a stationary market (no periods, no seasonality), so a run at
plan is the same, float for float, as one without a demand block.
"""

from __future__ import annotations

from sim.scenario.schema import Demand


def demand_factor(demand: Demand, month: int) -> float:
    """Job-order demand in 0-based ``month`` relative to plan (the demand index)."""
    factor = 1.0
    for period in demand.periods:
        if period.from_month - 1 <= month < period.from_month - 1 + period.months:
            factor = period.factor
            break
    if demand.seasonality is not None:
        factor *= demand.seasonality[month % 12]
    return factor


def candidate_factor(demand: Demand, month: int) -> float:
    """Candidate supply in ``month`` relative to plan: it moves against demand with the stated elasticity."""
    return demand_factor(demand, month) ** -demand.candidate_elasticity


def outside_option_factor(demand: Demand, month: int) -> float:
    """Outside offers in ``month`` relative to plan: lagged demand to the stated elasticity."""
    return demand_factor(demand, month - demand.outside_option_lag_months) ** demand.outside_option_elasticity


def peaks(demand: Demand, horizon_months: int, warmup_months: int = 0) -> tuple[float, float]:
    """The largest job-order and candidate factors over the warm-up and the horizon (at least 1): what
    thinning must cover."""
    months = range(-warmup_months, horizon_months)
    return (max([1.0, *(demand_factor(demand, m) for m in months)]),
            max([1.0, *(candidate_factor(demand, m) for m in months)]))


#: The demand states months are grouped by: below, at and above plan.
DEMAND_STATES = ("down", "normal", "up")


def demand_state(index: float) -> str:
    """``down``, ``normal`` or ``up``: a month's demand index below, at or above plan."""
    if index < 1.0 - 1e-9:
        return "down"
    return "up" if index > 1.0 + 1e-9 else "normal"
