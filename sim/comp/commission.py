"""The individual commission schedule: credited GP for the month -> commission, exactly, in cents.

A schedule is built once per plan from :class:`~sim.comp.params.IndividualTerms`:

* *commissionable GP* ``c = max(0, credited - threshold)``;
* a flat ``rate`` is the one-tier schedule ``[(0, rate)]``; ``tiers`` give rates by slices of ``c``;
* ``marginal`` accelerator: each slice of ``c`` at its own tier's rate (continuous in ``c``);
  ``tiered``: all of ``c`` at the rate of the highest tier reached (``c >= from``), i.e. retroactive,
  which jumps at each tier start;
* the exact rational amount is rounded half to even to the cent once (never per slice), then capped.

The commission is computed on the period's total credited GP; the engine then splits it over the
placements credited, by largest remainder on each one's credited GP.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from math import lcm

import numpy as np

from .ledger import RECRUITER
from .money import div_half_even, dollars_to_cents, floor_div, rate_of
from .params import IndividualTerms
from .terms import Accelerator, line_rates, role_value


@dataclass(frozen=True, slots=True)
class Schedule:
    """Commission as a function of credited GP. Rates share one denominator ``den`` for exact sums."""

    threshold_cents: int
    tier_starts: tuple[int, ...]
    """Commissionable GP, in cents, at which each tier starts; ascending, the first is 0."""
    tier_nums: tuple[int, ...]
    """Tier rates as numerators over ``den``."""
    den: int
    retroactive: bool
    cap_cents: int | None
    gate_cents: int = 0
    """Credited GP below which nothing is paid (an attainment gate times the quota)."""

    @classmethod
    def from_terms(cls, terms: IndividualTerms, role: str = RECRUITER, line: int = 0) -> Schedule:
        """Exact cents and rates of one role's schedule (``line`` 0 perm, 1 contract) from validated terms:
        tiers, when given, replace the flat rate; accelerators multiply the rates above each attainment."""
        tiers = role_value(terms.tiers, role)
        if tiers is None:
            points = [(0, Fraction(line_rates(terms.rate, role)[line]))]
        else:
            points = [(dollars_to_cents(t.from_), Fraction(t.rate)) for t in tiers]
        threshold = dollars_to_cents(role_value(terms.threshold, role))
        quota = None if terms.quota is None else role_value(terms.quota, role)
        gate = 0
        if quota is not None:
            gate = dollars_to_cents(Decimal(terms.gate) * quota)
            points = _accelerated(points, terms.accelerators or (), dollars_to_cents(quota), threshold)
        rates = [rate_of(r) for _, r in points]
        den = lcm(*(r.den for r in rates))
        cap = role_value(terms.cap, role)
        return cls(
            threshold_cents=threshold,
            tier_starts=tuple(start for start, _ in points),
            tier_nums=tuple(r.num * (den // r.den) for r in rates),
            den=den,
            retroactive=terms.accelerator == "tiered",
            cap_cents=None if cap is None else dollars_to_cents(cap),
            gate_cents=gate,
        )

    def scaled(self, months: int) -> Schedule:
        """The schedule with every amount (threshold, tier starts, cap, gate) times ``months``: with credited
        GP times the period's length ``n`` and ``divisor=n``, the schedule pro-rated to ``months / n``."""
        if months == 1:
            return self
        return replace(self, threshold_cents=self.threshold_cents * months,
                       tier_starts=tuple(s * months for s in self.tier_starts),
                       cap_cents=None if self.cap_cents is None else self.cap_cents * months,
                       gate_cents=self.gate_cents * months)

    def commission(self, credited: np.ndarray, bound: int, divisor: int = 1) -> np.ndarray:
        """Commission in cents on each credited GP (an int64 array, ``0 <= credited <= bound``), divided by
        ``divisor`` before the one rounding (see :meth:`scaled`)."""
        quotient, remainder, den = self.exact(credited, bound, divisor)
        return self.rounded(quotient, remainder, den, credited, divisor)

    def rounded(self, quotient: np.ndarray, remainder: np.ndarray, den: int, credited: np.ndarray,
                divisor: int = 1) -> np.ndarray:
        """The exact amount ``quotient + remainder / den`` rounded half to even, gated and capped."""
        amount = quotient + (2 * remainder + (quotient & 1) > den)
        if self.gate_cents:
            amount = np.where(credited >= self.gate_cents, amount, 0)
        if self.cap_cents is None:
            return amount
        return np.minimum(amount, div_half_even(self.cap_cents, divisor))

    def exact(self, credited: np.ndarray, bound: int, divisor: int = 1) -> tuple[np.ndarray, np.ndarray, int]:
        """The schedule's uncapped, ungated amount as ``(quotient, remainder, den)`` arrays: exactly
        ``quotient + remainder / den`` cents, ``0 <= remainder < den``."""
        commissionable = np.maximum(credited - self.threshold_cents, 0)
        starts, nums, den = self.tier_starts, self.tier_nums, self.den * divisor
        if len(starts) == 1 or self.retroactive:  # all of c at one rate: the highest tier reached
            num = nums[0] if len(starts) == 1 else np.array(nums)[np.searchsorted(starts, commissionable, "right") - 1]
            quotient, remainder = floor_div(commissionable, num, den, bound)
        else:  # each slice of c at its own tier's rate, the exact sum rounded once
            slices = [np.maximum(commissionable - start, 0) if end is None else
                      np.minimum(np.maximum(commissionable - start, 0), end - start)
                      for start, end in zip(starts, (*starts[1:], None), strict=True)]
            if bound * max(nums) < 1 << 63:  # the exact sum fits in int64
                quotient, remainder = np.divmod(sum(piece * num for piece, num in zip(slices, nums, strict=True)), den)
            else:
                quotient = remainder = np.zeros(len(credited), dtype=np.int64)
                for piece, num in zip(slices, nums, strict=True):
                    more, rest = floor_div(piece, num, den, bound)
                    remainder = remainder + rest
                    carry = remainder >= den
                    quotient = quotient + more + carry
                    remainder -= carry * den
        return quotient, remainder, den

    def rate_pieces(self) -> tuple[list[tuple[float, float, float]], list[tuple[float, float]]]:
        """The schedule as a function of credited GP ``x`` (float cents), for expected marginal rates.

        Returns ``(segments, jumps)``: segments ``(start, end, slope)`` covering ``[0, inf)`` and jumps
        ``(x, size)`` where the commission steps up or down (tiered tier starts, net of the cap).
        """
        den = self.den
        rates = [n / den for n in self.tier_nums]
        starts = [float(s) for s in self.tier_starts]
        ends = starts[1:] + [float("inf")]
        cap = float("inf") if self.cap_cents is None else float(self.cap_cents)
        segments: list[tuple[float, float, float]] = []
        jumps: list[tuple[float, float]] = []
        previous = 0.0  # capped commission just left of the current tier start
        cumulative = 0.0  # uncapped marginal commission at the current tier start
        for start, end, rate in zip(starts, ends, rates, strict=True):
            value = rate * start if self.retroactive else cumulative
            capped = min(value, cap)
            if capped != previous:
                jumps.append((start, capped - previous))
            if value >= cap or rate == 0.0:
                segments.append((start, end, 0.0))
                previous = capped
            else:
                reach = start + (cap - value) / rate  # where the cap binds inside this tier
                if reach < end:
                    segments += [(start, reach, rate), (reach, end, 0.0)]
                    previous = cap
                else:
                    segments.append((start, end, rate))
                    previous = value + rate * (end - start)
            cumulative += rate * (end - start) if end != float("inf") else 0.0
        shift = float(self.threshold_cents)
        moved = [(a + shift, b + shift, s) for a, b, s in segments]
        if shift > 0:
            moved.insert(0, (0.0, shift, 0.0))
        moved_jumps = [(x + shift, size) for x, size in jumps]
        return _gated(moved, moved_jumps, float(self.gate_cents)) if self.gate_cents else (moved, moved_jumps)


def _gated(segments: list[tuple[float, float, float]], jumps: list[tuple[float, float]],
           gate: float) -> tuple[list[tuple[float, float, float]], list[tuple[float, float]]]:
    """Pieces of a schedule that pays nothing below ``gate``: flat below it, a jump there of what it pays."""
    value = sum(slope * (min(end, gate) - start) for start, end, slope in segments if start < gate and slope)
    value += sum(size for x, size in jumps if x <= gate)
    out = [(start, min(end, gate), 0.0) for start, end, _ in segments if start < gate]
    out += [(max(start, gate), end, slope) for start, end, slope in segments if end > gate]
    return out, [(gate, value), *((x, size) for x, size in jumps if x > gate)] if value else \
        [(x, size) for x, size in jumps if x > gate]


def _accelerated(points: list[tuple[int, Fraction]], accelerators: Sequence[Accelerator], quota_cents: int,
                 threshold_cents: int) -> list[tuple[int, Fraction]]:
    """Tiers (start in commissionable cents, rate) with each accelerator's multiplier on the rates of the
    GP credited above ``from x quota`` (a start rounded to the cent, half to even)."""
    marks = [(max(0, dollars_to_cents(Decimal(a.from_) * quota_cents / 100) - threshold_cents),
              Fraction(a.multiplier)) for a in accelerators]
    starts = sorted({start for start, _ in points} | {start for start, _ in marks})

    def at(start: int) -> Fraction:
        rate = next(r for s, r in reversed(points) if s <= start)
        factor = next((m for s, m in reversed(marks) if s <= start), Fraction(1))
        return rate * factor

    return [(start, at(start)) for start in starts]

