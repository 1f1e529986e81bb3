"""Pay volatility: the coefficient of variation of each person's monthly pay, accumulated month by month.

A plan that pays mostly commission passes the market's swings on to people's pay; a salary passes
none. The accumulator keeps, per person, the count, sum and sum of squares of monthly pay (cents), so
no month's pay needs keeping; the run's figure is the mean of the people's CVs weighted by the months
each was paid (people paid fewer than two months have no CV and are left out).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


class PayVolatility:
    """Per-person running moments of monthly pay, indexed by person id."""

    def __init__(self) -> None:
        self.n = np.zeros(0, dtype=np.int64)
        self.total = np.zeros(0)
        self.squares = np.zeros(0)

    def add(self, person: np.ndarray, pay_cents: np.ndarray) -> None:
        """Record one month's pay of ``person`` (distinct ids) as ``pay_cents``."""
        if not person.size:
            return
        top = int(np.maximum.reduce(person)) + 1   # person.max(), without its Python wrapper
        if top > self.n.size:
            size = max(top, 2 * self.n.size)
            self.n, self.total, self.squares = (np.concatenate((a, np.zeros(size - a.size, dtype=a.dtype)))
                                                for a in (self.n, self.total, self.squares))
        _add(person, pay_cents, self.n, self.total, self.squares)

    def coefficient_of_variation(self) -> float:
        """Months-weighted mean CV (population sd / mean) of monthly pay; NaN if nobody was paid twice."""
        n = self.n.astype(float)
        mean = np.divide(self.total, n, out=np.zeros_like(n), where=n > 0)
        keep = (self.n >= 2) & (mean > 0)
        if not keep.any():
            return math.nan
        sd = np.sqrt(np.maximum(self.squares[keep] / n[keep] - mean[keep] ** 2, 0.0))
        return float(np.average(sd / mean[keep], weights=n[keep]))


@njit(cache=True)
def _add(person, pay_cents, n, total, squares):   # pragma: no cover - compiled
    """:meth:`PayVolatility.add`'s sums, one person at a time (pay as a float)."""
    for k in range(person.size):
        p, pay = person[k], float(pay_cents[k])
        n[p] += 1
        total[p] += pay
        squares[p] += pay * pay
