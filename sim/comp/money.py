"""Exact money arithmetic: integer cents, exact rates, round-half-even, largest-remainder splits.

Every amount of money in the payout engine is an ``int`` number of cents. Plan parameters arrive as YAML
floats; they are read as ``Decimal(str(x))`` (so ``0.1`` means one tenth, not the nearest binary
float) and, once per plan, turned into an exact integer ratio ``Rate(num, den)``. Applying a rate to an
amount is then one integer multiplication and one ``divmod``, rounded half to even to the cent: exact,
and an order of magnitude faster than ``Decimal`` arithmetic inside the monthly payout loop.

Splitting an amount (a pool among its producers, a commission among the placements that earned it) is
done by :func:`allocate`, the largest-remainder (Hamilton) rule: every share first gets the floor of its
exact quota, then the cents left over go one each to the shares with the largest fractional remainders,
ties broken by ascending key (a person_id for pools, a placement_id for commission lines). The shares
always sum exactly to the amount. A negative amount (a clawback) is split as its magnitude and negated,
so the rule is symmetric in sign.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from functools import lru_cache
from math import lcm
from typing import NamedTuple

CENTS_PER_DOLLAR = 100


class Rate(NamedTuple):
    """An exact non-negative rate ``num / den`` (``den > 0``), applied to cents with round-half-even."""

    num: int
    den: int

    def of(self, cents: int) -> int:
        """``round_half_even(cents * num / den)``: the rate applied to an amount, to the cent."""
        return div_half_even(cents * self.num, self.den)

    def __float__(self) -> float:
        return self.num / self.den


ZERO_RATE = Rate(0, 1)
UNIT_RATE = Rate(1, 1)


def to_decimal(value: float | int | str | Decimal) -> Decimal:
    """Read a number as a Decimal through its shortest repr, so the YAML float ``0.1`` is exactly 1/10."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def rate_of(value: float | int | str | Decimal | Fraction) -> Rate:
    """The exact ratio of a rate given as a YAML float, a string or a Decimal (``0.25`` -> ``Rate(1, 4)``)."""
    exact = value if isinstance(value, Fraction) else Fraction(to_decimal(value))
    return Rate(exact.numerator, exact.denominator)


@lru_cache(maxsize=4096)
def fraction_rate(fraction: float) -> Rate:
    """:func:`rate_of` for a clawback fraction, cached: a run has few distinct fractions."""
    return rate_of(fraction)


def dollars_to_cents(dollars: float | int | str | Decimal) -> int:
    """Whole cents in an amount of dollars, rounded half to even (``12.345`` -> ``1234``)."""
    cents = to_decimal(dollars) * CENTS_PER_DOLLAR
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
    fractions = [Fraction(to_decimal(w)) for w in weights]
    scale = lcm(*(f.denominator for f in fractions)) if fractions else 1
    return tuple(int(f * scale) for f in fractions)


def allocate(total: int, weights: Mapping[int, int]) -> dict[int, int]:
    """Split ``total`` cents among keys in proportion to non-negative integer ``weights``, exactly.

    Largest-remainder rule: key ``k`` gets ``floor(|total| * w_k / W)``; the ``|total| - sum`` cents
    left over go, one each, to the keys with the largest remainders ``|total| * w_k mod W``, ties
    broken by ascending key; the result is negated for a negative total. The shares sum to ``total``
    exactly and no share differs from its exact quota by a cent or more. Returns ``{key: cents}`` in
    the order of ``weights``.

    Raises ``ValueError`` when the weights sum to zero and ``total`` is not zero (nothing to split by).
    """
    weight_sum = sum(weights.values())
    if weight_sum <= 0:
        if total == 0:
            return dict.fromkeys(weights, 0)
        raise ValueError(f"cannot allocate {total} cents over weights {dict(weights)} that sum to zero")
    magnitude = -total if total < 0 else total
    shares: dict[int, int] = {}
    ranked: list[tuple[int, int]] = []  # (-remainder, key): sorts largest remainder first, then lowest key
    for key, weight in weights.items():
        share, remainder = divmod(magnitude * weight, weight_sum)
        shares[key] = share
        ranked.append((-remainder, key))
    leftover = magnitude - sum(shares.values())
    if leftover:
        ranked.sort()
        for _, key in ranked[:leftover]:
            shares[key] += 1
    if total < 0:
        return {key: -share for key, share in shares.items()}
    return shares


def allocate_one(total: int, weights: Mapping[int, int], key: int) -> int:
    """``allocate(total, weights)[key]``, without the other shares (``key`` must be in ``weights``).

    The same floors and the same ranking of remainders, ties to the lower key: the key gets its floor
    plus one cent if fewer of the other keys rank above it than there are cents left over. One pass,
    no sort, no dict built: about half the time of :func:`allocate` when one share is all that is asked.
    """
    weight_sum = sum(weights.values())
    if weight_sum <= 0:
        if total == 0:
            return 0
        raise ValueError(f"cannot allocate {total} cents over weights {dict(weights)} that sum to zero")
    magnitude = -total if total < 0 else total
    share, mark = divmod(magnitude * weights[key], weight_sum)
    floors = ahead = 0
    for other, weight in weights.items():
        floor, remainder = divmod(magnitude * weight, weight_sum)
        floors += floor
        if remainder > mark or (remainder == mark and other < key):
            ahead += 1  # ranks above ``key`` for a leftover cent
    if ahead < magnitude - floors:
        share += 1
    return -share if total < 0 else share


def allocate_equally(total: int, keys: Sequence[int]) -> dict[int, int]:
    """Split ``total`` into equal shares among distinct ``keys``; the leftover cents go to the lowest keys.

    The same result as :func:`allocate` with equal weights (all remainders tie), without the arithmetic.
    """
    magnitude = -total if total < 0 else total
    share, leftover = divmod(magnitude, len(keys))
    shares = dict.fromkeys(keys, share)
    if leftover:
        for key in sorted(keys)[:leftover]:
            shares[key] += 1
    if total < 0:
        return {key: -cents for key, cents in shares.items()}
    return shares
