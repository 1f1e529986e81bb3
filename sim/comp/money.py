"""Exact money arithmetic: integer cents, exact rates, round half to even, one largest-remainder rule.

Money is an int number of cents; a plan's rates are read as ``Decimal(str(x))`` (so ``0.1`` is one
tenth) and turned once into an exact ratio ``Rate(num, den)``. The engine applies rates to int64
arrays, exactly, under two declared bounds that keep every intermediate inside int64:

* every amount of a period is below :data:`MAX_CENTS` (2**50 cents, about $11 trillion; the engine
  raises ``ValueError`` beyond it, see :mod:`sim.comp.engine`);
* rates and weights have at most nine decimal places (:mod:`sim.comp.params` rounds to that), so every
  denominator, a hybrid's pool rate ``rate * (1 - w)`` included, is below 2**62.

``amount * num`` may still leave int64 for a rate of many digits: :func:`floor_div` then takes the
quotient from a float estimate (within one of the exact one below 2**50) and the remainder in wrapping
int64 arithmetic, which is exact because the true remainder lies in ``[-den, 2 den)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from functools import lru_cache
from math import lcm
from types import ModuleType
from typing import NamedTuple

import numpy as np

CENTS_PER_DOLLAR = 100
MAX_CENTS = 1 << 50
"""Bound on any amount of a period (GP, refunds, pay), in cents."""
I64 = np.int64
_INT64_PRODUCT = 1 << 63


class Rate(NamedTuple):
    """An exact rate ``num / den`` in [0, 1] (``den > 0``)."""

    num: int
    den: int

    def of(self, cents: int) -> int:
        """``round_half_even(cents * num / den)``, on Python ints."""
        return div_half_even(cents * self.num, self.den)


def rate_of(value: float | int | str | Decimal | Fraction) -> Rate:
    """The exact ratio of a rate given as a YAML float, a string, a Decimal or a Fraction (``0.25`` -> 1/4)."""
    exact = value if isinstance(value, Fraction) else Fraction(Decimal(str(value)) if isinstance(value, float)
                                                                else Decimal(value))
    return Rate(exact.numerator, exact.denominator)


@lru_cache(maxsize=4096)
def fraction_rate(fraction: float) -> Rate:
    """:func:`rate_of` for a clawback fraction, cached: a run has few distinct fractions."""
    return rate_of(fraction)


def dollars_to_cents(dollars: float | int | str | Decimal) -> int:
    """Whole cents in an amount of dollars, rounded half to even (``12.345`` -> ``1234``)."""
    cents = Decimal(str(dollars)) * CENTS_PER_DOLLAR
    return int(cents.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def div_half_even(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded to the nearest integer, ties to even (``denominator > 0``)."""
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient & 1):
        quotient += 1
    return quotient


def integer_weights(weights: Sequence[Decimal | float | int]) -> tuple[int, ...]:
    """Exact non-negative weights scaled to integers with the same ratios (``0.5, 1.25`` -> ``2, 5``)."""
    fractions = [Fraction(Decimal(str(w))) for w in weights]
    scale = lcm(*(f.denominator for f in fractions)) if fractions else 1
    return tuple(int(f * scale) for f in fractions)


def floor_div(values: np.ndarray, num: int | np.ndarray, den: int | np.ndarray,
              bound: int) -> tuple[np.ndarray, np.ndarray]:
    """``divmod(values * num, den)`` elementwise, exactly, as int64 arrays.

    ``|values| <= bound <= MAX_CENTS``; ``0 <= num <= den < 2**62`` (scalars or arrays like ``values``).
    """
    top = (int(np.maximum.reduce(num)) if num.size else 0) if isinstance(num, np.ndarray) else num
    if bound * top < _INT64_PRODUCT:
        return np.divmod(values * num, den)
    quotient = np.floor(values * (num / den)).astype(I64)
    remainder = values * num - quotient * den  # wraps in int64; the true value is in [-den, 2 den)
    under, over = remainder < 0, remainder >= den
    quotient += over
    quotient -= under
    remainder += (under.astype(I64) - over) * den
    return quotient, remainder


def half_even(values: np.ndarray, rate: Rate, bound: int) -> np.ndarray:
    """``round_half_even(values * rate)`` elementwise: a new int64 array (``|values| <= bound``)."""
    if rate.num == 0:
        return np.zeros(len(values), dtype=I64)
    if rate.num == rate.den:
        return values.astype(I64, copy=True)
    quotient, remainder = floor_div(values, rate.num, rate.den, bound)
    return quotient + (2 * remainder + (quotient & 1) > rate.den)


@lru_cache(maxsize=1)
def compiled() -> ModuleType:
    """The payout engine's compiled loops (:mod:`sim.comp._kernels`), imported on first use (so that importing
    :mod:`sim.comp` does not load numba) and then looked up once, not per call."""
    from . import _kernels

    return _kernels


def grouped_order(group: np.ndarray, groups: int, key: np.ndarray) -> np.ndarray:
    """``np.lexsort((key, group))`` for ``group`` in ``[0, groups)``: the entries by group, then key, ties in
    their given order. A counting sort on the group and a short sort per group, compiled: for a month's
    credit sides, a fraction of one sort of all of them."""
    return compiled().grouped_order(group, groups, key)


def largest_remainder(group: np.ndarray, key: np.ndarray, total: np.ndarray, weight: np.ndarray | None = None,
                      weight_sum: np.ndarray | None = None) -> np.ndarray:
    """Each entry's cents of its group's ``total`` (``>= 0``), by ``weight`` or (``None``) equally.

    The largest-remainder (Hamilton) rule: every share gets the floor of its exact quota, then the cents
    left over go one each to the largest remainders, ties to the lower ``key``, so a group's shares sum
    to its total exactly. Entries are sorted by ``group`` (an index into ``total``), then ``key``; entries
    of one key in one group are one share, paid to the first of them. ``weight_sum``: each group's sum
    of weights; a group whose weights sum to 0 pays nothing (its total is forfeited).
    """
    if weight is None:
        weight, weight_sum = np.ones(len(group), dtype=I64), np.bincount(group, minlength=len(total))
    return compiled().largest_remainder(group, key, weight, total, weight_sum)
