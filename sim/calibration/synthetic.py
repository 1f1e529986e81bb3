"""Synthetic ATS exports drawn from known parameters: for round-trip tests and demonstrations.

Desks (recruiter and account-manager seats) are always filled: when someone leaves, a new hire takes
the seat the same day. Exits follow a piecewise-constant monthly hazard (``hazard_first_year`` for
tenure under 12 months, ``hazard_later`` after). Each recruiter desk places at ``rate`` per month
(Poisson), on a random account manager's job order; a placement is perm with probability
``perm_share``, perm fees and contract gross profits are lognormal with the given means and CVs, and
a perm placement falls off with probability ``falloff``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.calibration.estimate import DAYS_PER_MONTH
from sim.export.cells import write_rows


@dataclass(frozen=True, slots=True)
class Truth:
    recruiters: int = 40
    account_managers: int = 40
    months: int = 48
    rate: float = 2.0                  # placements per recruiter-month
    perm_share: float = 0.6
    perm_fee_mean: float = 14000.0
    perm_fee_cv: float = 0.3
    contract_gp_mean: float = 15000.0
    falloff: float = 0.05
    hazard_first_year: float = 0.04    # per month
    hazard_later: float = 0.02
    start: dt.date = dt.date(2021, 1, 1)


def _lognormal(rng: np.random.Generator, mean: float, cv: float, n: int) -> np.ndarray:
    s = math.sqrt(math.log1p(cv * cv))
    return mean * np.exp(rng.normal(-0.5 * s * s, s, n))


def _career(rng: np.random.Generator, truth: Truth, hired_at: float) -> float:
    """Months from ``hired_at`` (tenure 0 at hired_at... may be negative) to exit."""
    first = rng.exponential(1.0 / truth.hazard_first_year)
    if first < 12.0:
        return hired_at + first
    return hired_at + 12.0 + rng.exponential(1.0 / truth.hazard_later)


def generate(truth: Truth, seed: int = 0) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(placements rows, people rows) as CSV-ready dicts."""
    rng = np.random.default_rng(seed)
    day = lambda m: truth.start + dt.timedelta(days=int(m * DAYS_PER_MONTH))  # noqa: E731
    people: list[dict[str, str]] = []
    occupants: dict[tuple[str, int], list[tuple[str, float, float]]] = {}
    for role, seats in (("recruiter", truth.recruiters), ("account_manager", truth.account_managers)):
        for seat in range(seats):
            # People in post at the start were hired 0-60 months before, and survived until then.
            while True:
                hired = -rng.uniform(0.0, 60.0)
                leave = _career(rng, truth, hired)
                if leave > 0.0:
                    break
            spans = []
            while hired < truth.months:
                pid = f"{role[0]}{seat}-{len(spans)}"
                gone = leave if leave < truth.months else None
                people.append({"person_id": pid, "role": role, "hire_date": day(hired).isoformat(),
                               "exit_date": day(gone).isoformat() if gone is not None else ""})
                spans.append((pid, hired, leave))
                hired, leave = leave, _career(rng, truth, leave)
            occupants[(role, seat)] = spans
    placements: list[dict[str, str]] = []
    for seat in range(truth.recruiters):
        n = rng.poisson(truth.rate * truth.months)
        times = np.sort(rng.uniform(0.0, truth.months, n))
        perm = rng.random(n) < truth.perm_share
        fees = np.where(perm, _lognormal(rng, truth.perm_fee_mean, truth.perm_fee_cv, n),
                        _lognormal(rng, truth.contract_gp_mean, 0.5, n))
        fell = perm & (rng.random(n) < truth.falloff)
        am_seats = rng.integers(0, truth.account_managers, n)
        for t, p, fee, f, a in zip(times, perm, fees, fell, am_seats, strict=True):
            rec = next(pid for pid, h, e in occupants[("recruiter", seat)] if h <= t < e)
            am = next(pid for pid, h, e in occupants[("account_manager", int(a))] if h <= t < e)
            placements.append({"placement_date": day(t).isoformat(), "recruiter_id": rec, "account_manager_id": am,
                               "kind": "perm" if p else "contract", "fee": f"{fee:.2f}",
                               "start_date": day(t + 0.7).isoformat(), "fell_off": "true" if f else "false"})
    placements.sort(key=lambda r: r["placement_date"])
    return placements, people


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    write_rows(rows, path)   # spreadsheet-safe cells, as every CSV the project writes
