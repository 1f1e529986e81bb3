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
from itertools import repeat

import numpy as np

from sim.scenario.schema import Market

#: Productivity multipliers above this are truncated (keeps the thinning ceiling finite).
SKILL_CAP = 3.0


@dataclass(frozen=True, slots=True)
class Block:
    """Arrivals kept this month: times and seats as arrays, and one plain tuple per arrival.

    Job order tuple: (expires, opened, perm, value_cents, contract_months, is_replacement) where
    value_cents is the perm fee or the contract's gross profit per month.
    Candidate tuple: (expires, convert_u, falloff_u, falloff_at, remedy_u, arrived): a match places
    if convert_u < conversion probability; a perm placement falls off if falloff_u < its probability,
    at falloff_at (a share of the guarantee period), with the remedy chosen by remedy_u.
    """

    time: np.ndarray
    seat: np.ndarray
    items: list[tuple]


def _potential(rng: np.random.Generator, ceiling_per_month: float, seats: int, start: float,
               days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    counts = rng.poisson(ceiling_per_month, size=seats)
    seat = np.arange(seats).repeat(counts)
    time = start + rng.random(seat.size) * days
    keep_u = rng.random(seat.size)
    return seat, time, keep_u


def draw_job_orders(rng: np.random.Generator, market: Market, ceiling: float, rates: np.ndarray,
                    start: float, days: int) -> Block:
    """Job orders of one month. ``rates[s]`` is seat s's rate relative to standard (0 if vacant)."""
    seat, time, keep_u = _potential(rng, market.job_order_rate * ceiling, rates.size, start, days)
    n = seat.size
    life = rng.exponential(market.job_order_life_days, n)
    perm_u = rng.random(n)
    sigma = np.sqrt(np.log1p(market.perm_salary_cv ** 2))
    salary_z = rng.normal(-0.5 * sigma * sigma, sigma, n)
    gp_z = rng.normal(-0.5 * 0.3 ** 2, 0.3, n)
    months = rng.geometric(1.0 / market.contract_months_mean, n)
    # Every potential arrival drew its attributes above (common random numbers); only the kept ones
    # are worked out further.
    keep = (keep_u * ceiling < rates[seat]).nonzero()[0]
    t = time[keep]
    perm = perm_u[keep] < market.perm_share
    value = np.where(perm, np.rint(market.perm_salary_mean * np.exp(salary_z[keep]) * market.perm_fee_rate * 100.0),
                     np.rint(market.contract_gp_monthly_mean * np.exp(gp_z[keep]) * 100.0))
    items = list(zip((t + life[keep]).tolist(), t.tolist(), perm.tolist(), value.astype(np.int64).tolist(),
                     np.where(perm, 0, months[keep]).tolist(), repeat(False, keep.size), strict=True))
    return Block(t, seat[keep], items)


def draw_candidates(rng: np.random.Generator, market: Market, ceiling: float, rates: np.ndarray,
                    start: float, days: int) -> Block:
    """Placeable candidates of one month for each recruiter seat."""
    seat, time, keep_u = _potential(rng, market.candidate_rate * ceiling, rates.size, start, days)
    n = seat.size
    life = rng.exponential(market.candidate_life_days, n)
    u = rng.random((4, n))
    keep = (keep_u * ceiling < rates[seat]).nonzero()[0]
    t = time[keep]
    u = u[:, keep].tolist()
    items = list(zip((t + life[keep]).tolist(), u[0], u[1], u[2], u[3], t.tolist(), strict=True))
    return Block(t, seat[keep], items)
