"""The market: job orders won by account managers and candidates sourced by recruiters.

Arrivals are drawn a month at a time, in vectorised blocks, by *thinning*: each seat gets a Poisson
number of potential arrivals at a fixed ceiling rate, and each is kept with probability
``actual rate / ceiling``. The draws depend only on the scenario, the replication and the seat,
never on anyone's behaviour, so replication r of every scheme sees the same potential market
(common random numbers); behaviour only decides which potential arrivals become real.

Every potential arrival carries its own pre-drawn attributes (life, kind, value; for candidates
the uniforms that decide conversion and fall-off), again so schemes are compared on the same
candidates and the same job orders.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.scenario.schema import Market

#: Productivity multipliers above this are truncated (keeps the thinning ceiling finite).
SKILL_CAP = 3.0


@dataclass(frozen=True, slots=True)
class JobOrderBlock:
    """Kept job orders of one month, as plain Python lists sorted by nothing in particular."""

    time: list[float]
    seat: list[int]
    expires: list[float]
    perm: list[bool]
    value_cents: list[int]     # perm: the fee; contract: gross profit per month
    months: list[int]          # contract length in months (perm: 0)


@dataclass(frozen=True, slots=True)
class CandidateBlock:
    time: list[float]
    seat: list[int]
    expires: list[float]
    convert_u: list[float]     # placement happens if convert_u < conversion probability
    falloff_u: list[float]     # perm placement falls off if falloff_u < falloff probability
    falloff_at: list[float]    # when in the guarantee period (share of it)
    remedy_u: list[float]      # which remedy applies


def _potential(rng: np.random.Generator, ceiling_per_month: float, seats: int, start: float,
               days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    counts = rng.poisson(ceiling_per_month, size=seats)
    seat = np.repeat(np.arange(seats), counts)
    time = start + rng.random(seat.size) * days
    keep_u = rng.random(seat.size)
    return seat, time, keep_u


def draw_job_orders(rng: np.random.Generator, market: Market, ceiling: float, rates: np.ndarray,
                    start: float, days: int) -> JobOrderBlock:
    """Job orders of one month. ``rates[s]`` is seat s's rate relative to standard (0 if vacant)."""
    seat, time, keep_u = _potential(rng, market.job_order_rate * ceiling, rates.size, start, days)
    n = seat.size
    life = rng.exponential(market.job_order_life_days, n)
    perm = rng.random(n) < market.perm_share
    sigma = np.sqrt(np.log1p(market.perm_salary_cv ** 2))
    salary = market.perm_salary_mean * np.exp(rng.normal(-0.5 * sigma * sigma, sigma, n))
    gp_month = market.contract_gp_monthly_mean * np.exp(rng.normal(-0.5 * 0.3 ** 2, 0.3, n))
    months = rng.geometric(1.0 / market.contract_months_mean, n)
    keep = keep_u * ceiling < rates[seat]
    value = np.where(perm, np.rint(salary * market.perm_fee_rate * 100.0), np.rint(gp_month * 100.0))
    return JobOrderBlock(
        time=time[keep].tolist(), seat=seat[keep].tolist(), expires=(time + life)[keep].tolist(),
        perm=perm[keep].tolist(), value_cents=value[keep].astype(np.int64).tolist(),
        months=np.where(perm, 0, months)[keep].tolist())


def draw_candidates(rng: np.random.Generator, market: Market, ceiling: float, rates: np.ndarray,
                    start: float, days: int) -> CandidateBlock:
    """Placeable candidates of one month for each recruiter seat."""
    seat, time, keep_u = _potential(rng, market.candidate_rate * ceiling, rates.size, start, days)
    n = seat.size
    life = rng.exponential(market.candidate_life_days, n)
    u = rng.random((4, n))
    keep = keep_u * ceiling < rates[seat]
    return CandidateBlock(
        time=time[keep].tolist(), seat=seat[keep].tolist(), expires=(time + life)[keep].tolist(),
        convert_u=u[0][keep].tolist(), falloff_u=u[1][keep].tolist(), falloff_at=u[2][keep].tolist(),
        remedy_u=u[3][keep].tolist())
