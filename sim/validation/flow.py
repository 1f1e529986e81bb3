"""Check 5, flow: with behaviour off, placements and open job orders match the market's parameters.

Three parts, each a pure consequence of the market's definition:

* **Poisson thinning.** :func:`sim.model.market.draw_job_orders` draws a Poisson number of potential
  job orders at a ceiling rate and keeps each with probability ``rate / ceiling``; the kept count per
  seat-month must average ``job_order_rate * rate``.
* **Placements per recruiter** over T months, in a firm of independent recruiter/AM pairs (one of
  each per pod, no sharing across pods, constant conversion, no fall-offs), must equal the exact
  expectation of the two-sided queue in :mod:`sim.validation.queue` started empty.
* **Little's law for open job orders.** Each waiting job order expires at rate ``1/life``, so in the
  long run ``L = life * (arrival rate - placement rate)`` (L = lambda W with W the mean time a job
  order waits). The open job orders the model reports at each month end (``open_job_orders`` in the
  monthly table), averaged over the second half of the horizon, must match both that (with the
  arrivals and placements the model reports for the same months) and the queue's stationary mean.

Tolerances are relative: 3% for counts averaged over thousands of events, 5% for the month-end
samples of open job orders (a few per pair at each instant).
"""

from __future__ import annotations

import time

import numpy as np

from sim.experiment.stats import mean_ci
from sim.model import run
from sim.model.market import draw_job_orders
from sim.scenario.schema import Market
from sim.validation import build
from sim.validation.queue import PairQueue
from sim.validation.result import CheckOutcome, CheckRow, Series, Size

SOURCE_Q = "Poisson thinning (Lewis & Shedler 1979); two-sided queue with abandonment, exact"
SOURCE_L = "Little 1961 (L = lambda W)"
CONVERSION = 0.75
COUNT_TOLERANCE = 0.03
OPEN_TOLERANCE = 0.05
THINNING_RATES = (0.25, 0.5, 1.0, 1.5)


def _rel_row(case: str, claim: str, source: str, expected: float, values: list[float] | np.ndarray,
             tolerance: float, unit: str) -> CheckRow:
    m, _sd, lo, hi = mean_ci(values)
    band = abs(expected) * tolerance
    return CheckRow("flow", case, claim, source, expected, expected - band, expected + band, m, lo, hi, unit)


def thinning(size: Size, market: Market) -> list[CheckRow]:
    rows = []
    months = 12
    for rate in THINNING_RATES:
        per_rep = []
        for r in range(size.replications):
            rng = np.random.default_rng(np.random.SeedSequence([1979, r]))
            rates = np.full(50, rate)
            kept = sum(len(draw_job_orders(rng, market, 2.0, rates, m * 30.0, 30).time) for m in range(months))
            per_rep.append(kept / (rates.size * months))
        rows.append(_rel_row(f"thinning, relative rate {rate:g}", "kept job orders per seat-month = rate x relative",
                             SOURCE_Q, market.job_order_rate * rate, per_rep, COUNT_TOLERANCE, "per seat-month"))
    return rows


def pair_scenario(size: Size, market: dict | None = None):
    m = {"conversion_min": CONVERSION, "conversion_max": CONVERSION, "cross_pod_sharing": 0.0,
         "falloff_probability": 0.0, **(market or {})}
    return build.scenario("flow", horizon=size.flow_months, market=m, behavior={"enabled": False},
                          firm={"pods": size.flow_pods, "recruiters_per_pod": 1, "account_managers_per_pod": 1})


def check(size: Size) -> CheckOutcome:
    t0 = time.perf_counter()
    out = CheckOutcome("flow", "Market flow with behaviour off (thinning, queue, Little's law)")
    sc = pair_scenario(size)
    mk, dpm = sc.market, sc.firm.days_per_month
    out.rows += thinning(size, mk)
    queue = PairQueue(mk.job_order_rate / dpm, mk.candidate_rate / dpm, mk.job_order_life_days,
                      mk.candidate_life_days, CONVERSION)
    days = sc.horizon_months * dpm
    exact_placements, _ = queue.transient(days)
    _, exact_open = queue.stationary()
    placements, open_jos, little, monthly = [], [], [], []
    pods = sc.firm.pods
    for r in range(max(2, size.replications // 2)):
        res = run(sc, "individual", r)
        placements.append(res["run"]["placements"] / pods)
        steady = res["monthly"][len(res["monthly"]) // 2:]
        open_jos.append(float(np.mean([row["open_job_orders"] for row in steady])) / pods)
        per_day = len(steady) * dpm * pods
        arrived = sum(row["job_orders_arrived"] for row in steady) / per_day
        placed = sum(row["placements"] for row in steady) / per_day
        little.append(mk.job_order_life_days * (arrived - placed))
        monthly.append([row["placements"] / pods for row in res["monthly"]])
    out.rows.append(_rel_row(f"placements per recruiter, {sc.horizon_months} months",
                             "equals the exact two-sided queue expectation", SOURCE_Q, exact_placements, placements,
                             COUNT_TOLERANCE, "placements"))
    out.rows.append(_rel_row("open job orders per AM (month ends, second half)", "equals the queue's stationary mean",
                             SOURCE_Q, exact_open, open_jos, OPEN_TOLERANCE, "job orders"))
    m_little = float(np.mean(little))
    out.rows.append(_rel_row("open job orders vs Little's law", "L = life x (arrivals - placements) per day",
                             SOURCE_L, m_little, open_jos, OPEN_TOLERANCE, "job orders"))
    rate, _l = queue.stationary()
    sim_monthly = np.array(monthly)
    band = [mean_ci(sim_monthly[:, t]) for t in range(sim_monthly.shape[1])]
    months = list(range(1, sc.horizon_months + 1))
    title = "Placements per recruiter per month (independent pairs, behaviour off)"
    out.series += [
        Series(title, "SimPy firm", months, [b[0] for b in band], [b[2] for b in band], [b[3] for b in band]),
        Series(title, "queue, long-run rate", months, [rate * dpm] * len(months)),
    ]
    out.seconds = time.perf_counter() - t0
    return out
