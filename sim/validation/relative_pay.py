"""Check 6, relative pay (Card, Mas, Moretti & Saez 2012): dispersion raises quits below the median only.

People of one role are paid ``market pay x (1 + d u)`` with ``u`` uniform on [-1, 1]: mean and median
pay equal the market reference whatever the dispersion ``d``. Each person's monthly quit
probability comes from the model's rule :func:`sim.model.behaviour.quit_probability` (with the
scenario's turnover defaults, a neutral cooperation climate and tenure beyond the first year),
with the role's median pay as the peer reference, as :mod:`sim.model.monthly` computes it; a year of
monthly quit draws gives each person's quit. Widening ``d`` from 0.05 to 0.35 at the same mean must
raise the annual quit rate of those paid below the median and leave those above it unchanged
(within one percentage point). Replications are paired: the same uniforms and quit draws under
both dispersions.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from sim.experiment.stats import mean_ci
from sim.model import behaviour as bh
from sim.scenario.schema import Turnover
from sim.validation.result import CheckOutcome, CheckRow, Series, Size

SOURCE = "Card, Mas, Moretti & Saez 2012 (AER 102(6)); Dube, Giuliano & Leonard 2019"
NARROW, WIDE = 0.05, 0.35
ROLE = "recruiter"


def annual_quits(pay: np.ndarray, turnover: Turnover, quit_u: np.ndarray) -> np.ndarray:
    """Whether each person quits within 12 months (``quit_u``: 12 uniforms per person)."""
    market = turnover.market_pay[ROLE]
    median = statistics.median(pay.tolist())
    base = bh.monthly_from_annual(turnover.annual_base)
    h = np.array([bh.quit_probability(float(p), market, median, 0.5, 24, base_monthly=base,
                                      market_sensitivity=turnover.market_pay_sensitivity,
                                      peer_sensitivity=turnover.peer_pay_sensitivity,
                                      climate_sensitivity=turnover.climate_sensitivity,
                                      first_year_multiplier=turnover.first_year_multiplier) for p in pay])
    return (quit_u < h[:, None]).any(axis=1)


def quit_rates(d: float, u: np.ndarray, quit_u: np.ndarray, turnover: Turnover) -> tuple[float, float]:
    """(annual quit rate below the median, above it) at dispersion d."""
    pay = turnover.market_pay[ROLE] * (1.0 + d * u)
    quits = annual_quits(pay, turnover, quit_u)
    below = u < 0.0
    return float(quits[below].mean()), float(quits[~below].mean())


def check(size: Size, turnover: Turnover | None = None) -> CheckOutcome:
    t0 = time.perf_counter()
    turnover = turnover or Turnover()
    out = CheckOutcome("relative_pay", "Relative pay and quits (Card et al. 2012)")
    res = {NARROW: [], WIDE: []}
    for r in range(size.replications):
        rng = np.random.default_rng(np.random.SeedSequence([2012, r]))
        u = 2.0 * rng.random(size.relative_pay_people) - 1.0
        quit_u = rng.random((size.relative_pay_people, 12))
        for d in res:
            res[d].append(quit_rates(d, u, quit_u, turnover))
    narrow, wide = np.array(res[NARROW]), np.array(res[WIDE])
    for i, group in enumerate(("below the median", "above the median")):
        m, _sd, lo, hi = mean_ci(wide[:, i] - narrow[:, i])
        if i == 0:
            row = CheckRow("relative_pay", f"{group}: change in annual quit rate",
                           "wider dispersion at the same mean raises quits below the median", SOURCE, None,
                           0.01, 1.0, m, lo, hi, "annual quit rate")
        else:
            row = CheckRow("relative_pay", f"{group}: change in annual quit rate",
                           "wider dispersion leaves quits above the median unchanged", SOURCE, 0.0, -0.01, 0.01,
                           m, lo, hi, "annual quit rate")
        out.rows.append(row)
    title = "Annual quit rate by pay position, narrow vs wide dispersion (same mean pay)"
    groups = ["below the median", "above the median"]
    out.series += [Series(title, f"dispersion ±{d:.0%}", groups, arr.mean(axis=0).tolist())
                   for d, arr in ((NARROW, narrow), (WIDE, wide))]
    out.seconds = time.perf_counter() - t0
    return out
