"""Estimators: what a firm's placements and people say about its market and its turnover.

Every estimate carries a 95% interval: exact Poisson intervals for rates (counts over exposure),
Wilson intervals for proportions, Student-t intervals for means. Exposure is measured in months of
365.25/12 days over the *observation window*, the span from the first to the last placement date.
Turnover is a piecewise-constant hazard by tenure (first 12 months, later), counting each person's
months in the window in the band their tenure was in, and each exit in the band it happened in;
people hired before the window contribute only their months inside it (left truncation).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from sim.calibration.readers import Person, Placement

DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True, slots=True)
class Estimate:
    name: str
    value: float
    low: float
    high: float
    unit: str
    basis: str           # what it rests on, e.g. "412 placements over 1,230 recruiter-months"


def poisson_rate(count: int, exposure: float) -> tuple[float, float, float]:
    """Rate with its exact (Garwood) 95% interval."""
    if exposure <= 0:
        return math.nan, math.nan, math.nan
    low = stats.chi2.ppf(0.025, 2 * count) / 2 if count > 0 else 0.0
    high = stats.chi2.ppf(0.975, 2 * count + 2) / 2
    return count / exposure, low / exposure, high / exposure


def wilson(k: int, n: int) -> tuple[float, float, float]:
    if n == 0:
        return math.nan, math.nan, math.nan
    z = 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return p, max(0.0, centre - half), min(1.0, centre + half)


def mean_t(values: Sequence[float]) -> tuple[float, float, float, float]:
    """(mean, sd, low, high)."""
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return (math.nan,) * 4
    if x.size == 1:
        return float(x[0]), 0.0, float(x[0]), float(x[0])
    m, sd = float(x.mean()), float(x.std(ddof=1))
    half = float(stats.t.ppf(0.975, x.size - 1)) * sd / math.sqrt(x.size)
    return m, sd, m - half, m + half


def months(a: dt.date, b: dt.date) -> float:
    return (b - a).days / DAYS_PER_MONTH


def _add_months(d: dt.date, n: int) -> dt.date:
    y, m = divmod(d.month - 1 + n, 12)
    year, month = d.year + y, m + 1
    day = min(d.day, [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31,
                      31, 30, 31, 30, 31][month - 1])
    return dt.date(year, month, day)


@dataclass(frozen=True, slots=True)
class Window:
    start: dt.date
    end: dt.date

    @property
    def months(self) -> float:
        return months(self.start, self.end)

    def overlap(self, a: dt.date, b: dt.date | None) -> float:
        lo, hi = max(a, self.start), min(b or self.end, self.end)
        return max(0.0, months(lo, hi))


def window_of(placements: Sequence[Placement]) -> Window:
    dates = [p.placement_date for p in placements]
    return Window(min(dates), max(dates) + dt.timedelta(days=1))


@dataclass(frozen=True, slots=True)
class Turnover:
    first_year: tuple[float, float, float]     # monthly hazard and interval, tenure < 12 months
    later: tuple[float, float, float]          # tenure >= 12 months
    exits: tuple[int, int]
    exposure: tuple[float, float]              # person-months


def turnover(people: Sequence[Person], w: Window) -> Turnover:
    exits = [0, 0]
    exposure = [0.0, 0.0]
    for p in people:
        year = _add_months(p.hire_date, 12)
        exposure[0] += w.overlap(p.hire_date, min(year, p.exit_date) if p.exit_date else year)
        if (p.exit_date or w.end) > year:
            exposure[1] += w.overlap(year, p.exit_date)
        if p.exit_date is not None and w.start <= p.exit_date < w.end:
            exits[0 if p.exit_date < year else 1] += 1
    return Turnover(poisson_rate(exits[0], exposure[0]), poisson_rate(exits[1], exposure[1]),
                    (exits[0], exits[1]), (exposure[0], exposure[1]))


def annual_from_monthly_rate(h: float) -> float:
    """Annual quit probability of a constant monthly hazard rate h."""
    return 1.0 - math.exp(-12.0 * h)


@dataclass(frozen=True, slots=True)
class Estimates:
    """Everything estimated from the files, keyed by name, plus the window and head counts."""

    window: Window
    recruiters: float          # mean head count over the window
    account_managers: float
    items: dict[str, Estimate]

    def __getitem__(self, name: str) -> Estimate:
        return self.items[name]

    def get(self, name: str) -> Estimate | None:
        return self.items.get(name)


def headcount(people: Sequence[Person] | None, placements: Sequence[Placement], w: Window) -> tuple[float, float]:
    """Mean recruiters and account managers over the window (distinct ids in placements without people)."""
    if people:
        rec = sum(w.overlap(p.hire_date, p.exit_date) for p in people if p.role == "recruiter")
        am = sum(w.overlap(p.hire_date, p.exit_date) for p in people if p.role == "account_manager")
        return rec / w.months, am / w.months
    return float(len({p.recruiter_id for p in placements})), float(len({p.account_manager_id for p in placements}))


def estimate(placements: Sequence[Placement], people: Sequence[Person] | None = None) -> Estimates:
    w = window_of(placements)
    rec, am = headcount(people, placements, w)
    items: dict[str, Estimate] = {}

    def put(name: str, triple: tuple[float, float, float], unit: str, basis: str) -> None:
        items[name] = Estimate(name, *triple, unit, basis)

    n = len(placements)
    put("placements_per_recruiter_month", poisson_rate(n, rec * w.months), "per month",
        f"{n} placements over {rec * w.months:,.0f} recruiter-months")
    put("placements_per_am_month", poisson_rate(n, am * w.months), "per month",
        f"{n} placements over {am * w.months:,.0f} account-manager-months")
    perm = [p for p in placements if p.perm]
    contract = [p for p in placements if not p.perm]
    put("perm_share", wilson(len(perm), n), "share", f"{len(perm)} perm of {n} placements")
    if perm:
        m, sd, lo, hi = mean_t([p.fee_cents / 100 for p in perm])
        put("perm_fee_mean", (m, lo, hi), "$", f"{len(perm)} perm fees")
        items["perm_fee_cv"] = Estimate("perm_fee_cv", sd / m if m else math.nan, math.nan, math.nan, "",
                                        "sample sd / mean of perm fees")
        put("falloff_rate", wilson(sum(p.fell_off for p in perm), len(perm)), "share",
            f"{sum(p.fell_off for p in perm)} fell off of {len(perm)} perm placements")
    if contract:
        m, _sd, lo, hi = mean_t([p.fee_cents / 100 for p in contract])
        put("contract_gp_mean", (m, lo, hi), "$", f"{len(contract)} contracts' total gross profit")
    if people:
        t = turnover(people, w)
        put("quit_hazard_first_year", t.first_year, "per month",
            f"{t.exits[0]} exits over {t.exposure[0]:,.0f} person-months at tenure < 12")
        put("quit_hazard_later", t.later, "per month",
            f"{t.exits[1]} exits over {t.exposure[1]:,.0f} person-months at tenure >= 12")
        h1, h2 = t.first_year[0], t.later[0]
        a = annual_from_monthly_rate
        put("annual_turnover_later", (a(h2), a(t.later[1]), a(t.later[2])), "share",
            "1 - exp(-12 x later hazard)")
        if t.exits[0] > 0 and t.exits[1] > 0:
            half = 1.959963984540054 * math.sqrt(1 / t.exits[0] + 1 / t.exits[1])
            ratio = h1 / h2
            put("first_year_multiplier", (ratio, ratio * math.exp(-half), ratio * math.exp(half)), "x",
                "first-year hazard / later hazard (log-normal interval)")
        total_exits = sum(t.exits)
        total_exposure = sum(t.exposure)
        rate = poisson_rate(total_exits, total_exposure)
        put("quits_per_head_year", (12 * rate[0], 12 * rate[1], 12 * rate[2]), "per year",
            f"{total_exits} exits over {total_exposure:,.0f} person-months")
    return Estimates(w, rec, am, items)
