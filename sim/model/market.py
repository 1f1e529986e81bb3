"""The market: job orders won by account managers and candidates sourced by recruiters.

Arrivals are drawn a month at a time, in vectorised blocks, by *thinning*: each seat gets a Poisson
number of potential arrivals at a fixed ceiling rate, and each is kept with probability
``actual rate / ceiling``. The draws depend only on the scenario, the replication and the seat,
never on anyone's behaviour, so replication r of every scheme sees the same potential market
(common random numbers); behaviour only decides which potential arrivals become real.

Every potential arrival carries its own pre-drawn attributes (life, kind, value; for candidates
the uniforms that decide conversion and fall-off), again so schemes are compared on the same
candidates and the same job orders. They are uniforms, seven per potential arrival, the block
``rng.random((7, n))`` would draw in one call, and they are turned into their distributions
(exponential, lognormal through Box-Muller, geometric) by inverse transforms for the kept arrivals only:
most potential arrivals are thinned away, and a uniform costs a third of a normal or a geometric draw.
Of the thinned ones only the thinning uniform is read: :mod:`sim.model.pcg64` steps the generator past
the rest without making doubles of them. The thinning and the transforms run compiled (numba), one
pass over a month's potential arrivals per side.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from numba import njit

from sim.model import pcg64
from sim.scenario.schema import Market

#: Productivity multipliers above this are truncated (keeps the thinning ceiling finite).
SKILL_CAP = 3.0
#: Log-sd of a contract's monthly gross profit (lognormal, mean contract_gp_monthly_mean).
CONTRACT_GP_SIGMA = 0.3
#: Uniforms drawn for every potential arrival: its time, its thinning, and five attributes.
UNIFORMS = 7


class JobOrder(IntEnum):
    """Named fields of a job order row (:attr:`Block.items` of the job order side)."""

    EXPIRES = 0
    OPENED = 1
    PERM = 2               # 1.0 perm, 0.0 contract
    VALUE = 3              # perm fee, or a contract's gross profit a month (whole cents)
    CONTRACT_MONTHS = 4    # 0.0 for a perm job order
    REPLACEMENT = 5        # 1.0 for a free replacement after a fall-off


class Candidate(IntEnum):
    """Named fields of a candidate row (:attr:`Block.items` of the candidate side)."""

    EXPIRES = 0
    CONVERT_U = 1
    FALLOFF_U = 2
    FALLOFF_AT = 3
    REMEDY_U = 4
    ARRIVED = 5


@dataclass(frozen=True, slots=True)
class Block:
    """Arrivals kept this month: times, seats, and one row of six floats per arrival (``items``).

    Job order row: (expires, opened, perm, value_cents, contract_months, is_replacement) where
    value_cents is the perm fee or the contract's gross profit per month (whole cents), perm and
    is_replacement 1.0 or 0.0.
    Candidate row: (expires, convert_u, falloff_u, falloff_at, remedy_u, arrived): a match places
    if convert_u < conversion probability; a perm placement falls off if falloff_u < its probability,
    at falloff_at (a share of the guarantee period), with the remedy chosen by remedy_u.
    """

    time: np.ndarray
    seat: np.ndarray
    items: np.ndarray


def _potential(rng: np.random.Generator, ceiling_per_month: float, seats: int,
               rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Potential arrivals of one month: their seats, and the generator state from which ``rows`` uniforms
    each come, as ``rng.random((rows, seat.size))`` would draw them (``rng`` is moved past them; the ones
    read are read by :func:`_kept`): row 0 places the arrival in the month, row 1 thins it, the others
    are its attributes."""
    counts = rng.poisson(ceiling_per_month, size=seats)
    seat = np.arange(seats).repeat(counts)
    return seat, pcg64.reserve(rng, rows * seat.size)


@njit(cache=True)
def exponential(mean: float, u: np.ndarray) -> np.ndarray:
    """Exponential with ``mean`` from uniforms on [0, 1) (the inverse of its distribution function)."""
    return -mean * np.log1p(-u)


@njit(cache=True)
def standard_normal(u1: np.ndarray, u2: np.ndarray) -> np.ndarray:
    """Standard normal from two uniforms on [0, 1) (Box & Muller 1958)."""
    return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)


@njit(cache=True)
def geometric(p: float, u: np.ndarray) -> np.ndarray:
    """Geometric on 1, 2, ... (trials to the first success of chance p) from uniforms on [0, 1)."""
    return np.floor(np.log1p(-u) / np.log1p(-p)) + 1.0


@njit(cache=True)
def _kept(state, rows, seat, rates, ceiling):   # pragma: no cover - compiled
    """The potential arrivals kept, and their uniforms (``rows`` x kept) of the block drawn from ``state``:
    an arrival is kept if its thinning uniform (row 1) x ceiling is below its seat's rate."""
    n = seat.size
    thin = pcg64.block_uniforms(state, n, 1, np.arange(n))
    keep = np.empty(n, dtype=np.int64)
    k = 0
    for i in range(n):
        if thin[i] * ceiling < rates[seat[i]]:
            keep[k] = i
            k += 1
    keep = keep[:k]
    u = np.empty((rows, k))
    for r in range(rows):
        u[r] = thin[keep] if r == 1 else pcg64.block_uniforms(state, n, r, keep)
    return keep, u


@njit(cache=True)
def _job_order_rows(state, seat, rates, ceiling, start, days, perm_share, perm_sigma, perm_scale, contract_scale,
                    life_mean, p_month):   # pragma: no cover - compiled
    keep, u = _kept(state, UNIFORMS, seat, rates, ceiling)
    t = np.empty(keep.size)
    items = np.empty((keep.size, 6))
    for j in range(keep.size):
        t[j] = start + u[0, j] * days
        perm = u[3, j] < perm_share
        sigma = perm_sigma if perm else CONTRACT_GP_SIGMA
        scale = perm_scale if perm else contract_scale
        items[j, 0] = t[j] + exponential(life_mean, u[2, j])
        items[j, 1] = t[j]
        items[j, 2] = 1.0 if perm else 0.0
        items[j, 3] = np.rint(scale * np.exp(sigma * standard_normal(u[4, j], u[5, j]) - 0.5 * sigma * sigma))
        items[j, 4] = 0.0 if perm else geometric(p_month, u[6, j])
        items[j, 5] = 0.0
    return t, seat[keep], items


@njit(cache=True)
def _candidate_rows(state, seat, rates, ceiling, start, days, life_mean):   # pragma: no cover - compiled
    keep, u = _kept(state, UNIFORMS, seat, rates, ceiling)
    t = np.empty(keep.size)
    items = np.empty((keep.size, 6))
    for j in range(keep.size):
        t[j] = start + u[0, j] * days
        items[j, 0] = t[j] + exponential(life_mean, u[2, j])
        for f in range(1, 5):
            items[j, f] = u[2 + f, j]
        items[j, 5] = t[j]
    return t, seat[keep], items


#: A side's surplus stream when demand can rise above plan: its generator and the side's peak factor.
Surplus = tuple[np.random.Generator, float]


def _thinned(draw, rng: np.random.Generator, ceiling: float, rates: np.ndarray, factor: float,
             surplus: Surplus | None) -> Block:
    """One month of a side's arrivals at ``rates x factor``, by thinning (see the module's docstring).

    The potential arrivals at the ``ceiling`` are the stationary market's, whatever the factor: the factor
    only enters the keep probability, so with it at 1 the draws and the kept arrivals are exactly the
    stationary ones. Where ``rates x factor`` can exceed the ceiling (a factor above 1), the part above it
    comes from a second Poisson stream at ``ceiling x (peak - 1)`` on its own generator (a superposition
    of Poisson streams is Poisson), so the stationary draws are never disturbed.
    """
    wanted = rates * factor
    block = draw(rng, ceiling, wanted)
    if surplus is None:
        return block
    extra = draw(surplus[0], ceiling * (surplus[1] - 1.0), np.maximum(wanted - ceiling, 0.0))
    return Block(np.concatenate((block.time, extra.time)), np.concatenate((block.seat, extra.seat)),
                 np.concatenate((block.items, extra.items)))


def draw_job_orders(rng: np.random.Generator, market: Market, ceiling: float, rates: np.ndarray,
                    start: float, days: int, factor: float = 1.0, surplus: Surplus | None = None) -> Block:
    """Job orders of one month. ``rates[s]`` is seat s's rate relative to standard (0 if vacant), ``factor``
    the month's demand index (:mod:`sim.model.demand`), ``surplus`` the stream above the ceiling if any.

    A perm job order's fee is ``perm_fee_rate`` of a lognormal salary (mean ``perm_salary_mean``, CV
    ``perm_salary_cv``); a contract's monthly GP is lognormal (mean ``contract_gp_monthly_mean``, log-sd
    0.3) over a geometric number of months (mean ``contract_months_mean``). One normal serves either
    value, a job order being one or the other.
    """
    def draw(gen: np.random.Generator, cap: float, wanted: np.ndarray) -> Block:
        seat, state = _potential(gen, market.job_order_rate * cap, wanted.size, UNIFORMS)
        # Every potential arrival has its uniforms in the stream (common random numbers); only the kept ones
        # are read and turned into attributes.
        return Block(*_job_order_rows(
            state, seat, wanted, float(cap), float(start), float(days), market.perm_share,
            float(np.sqrt(np.log1p(market.perm_salary_cv ** 2))),
            market.perm_salary_mean * market.perm_fee_rate * 100.0, market.contract_gp_monthly_mean * 100.0,
            float(market.job_order_life_days), 1.0 / market.contract_months_mean))

    return _thinned(draw, rng, ceiling, rates, factor, surplus)


def draw_candidates(rng: np.random.Generator, market: Market, ceiling: float, rates: np.ndarray,
                    start: float, days: int, factor: float = 1.0, surplus: Surplus | None = None) -> Block:
    """Placeable candidates of one month for each recruiter seat (``factor``: the month's candidate supply)."""
    def draw(gen: np.random.Generator, cap: float, wanted: np.ndarray) -> Block:
        seat, state = _potential(gen, market.candidate_rate * cap, wanted.size, UNIFORMS)
        return Block(*_candidate_rows(state, seat, wanted, float(cap), float(start), float(days),
                                      float(market.candidate_life_days)))

    return _thinned(draw, rng, ceiling, rates, factor, surplus)


def in_time_order(job_orders: Block, candidates: Block, n_rec: int, n_seats: int, start: float,
                  days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A month's arrivals of both sides as one stream in time order (ties: job orders first, each side in
    its own order): times, seats (job orders at account manager seats, ``n_rec`` and up), item rows, the
    index at which each day ends (day j ends at ``start + j + 1``), and the arrivals at each seat."""
    return _in_time_order(job_orders.time, job_orders.seat, job_orders.items, candidates.time, candidates.seat,
                          candidates.items, n_rec, n_seats, float(start), days)


@njit(cache=True)
def _in_time_order(jo_time, jo_seat, jo_items, c_time, c_seat, c_items, n_rec, n_seats, start,
                   days):   # pragma: no cover - compiled
    n_j = jo_time.size
    t_all = np.concatenate((jo_time, c_time))
    order = np.argsort(t_all)   # numba's quicksort: twice as fast as its mergesort, and ties are put
    n = order.size              # in arrival order below, so the order is the stable sort's
    k = 0
    while k < n:
        e = k + 1
        while e < n and t_all[order[e]] == t_all[order[k]]:
            e += 1
        if e - k > 1:
            order[k:e] = np.sort(order[k:e])
        k = e
    times, seats, items = np.empty(n), np.empty(n, dtype=np.int64), np.empty((n, jo_items.shape[1]))
    by_seat = np.zeros(n_seats, dtype=np.int64)
    for k in range(n):
        i = order[k]
        times[k] = t_all[i]
        if i < n_j:
            seats[k], items[k] = jo_seat[i] + n_rec, jo_items[i]
        else:
            seats[k], items[k] = c_seat[i - n_j], c_items[i - n_j]
        by_seat[seats[k]] += 1
    ends = np.searchsorted(times, start + np.arange(1, days + 1))
    return times, seats, items, ends, by_seat
