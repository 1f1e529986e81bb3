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

from dataclasses import dataclass
from math import lcm

import numpy as np

from .money import dollars_to_cents, floor_div, rate_of
from .params import IndividualTerms


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

    @classmethod
    def from_terms(cls, terms: IndividualTerms) -> Schedule:
        """Exact cents and rates from validated terms (tiers, when given, replace the flat rate)."""
        if terms.tiers is None:
            starts, rates = (0,), (rate_of(terms.rate),)
        else:
            starts = tuple(dollars_to_cents(t.from_) for t in terms.tiers)
            rates = tuple(rate_of(t.rate) for t in terms.tiers)
        den = lcm(*(r.den for r in rates))
        return cls(
            threshold_cents=dollars_to_cents(terms.threshold),
            tier_starts=starts,
            tier_nums=tuple(r.num * (den // r.den) for r in rates),
            den=den,
            retroactive=terms.accelerator == "tiered",
            cap_cents=None if terms.cap is None else dollars_to_cents(terms.cap),
        )

    def commission(self, credited: np.ndarray, bound: int) -> np.ndarray:
        """Commission in cents on each credited GP (an int64 array, ``0 <= credited <= bound``)."""
        commissionable = np.maximum(credited - self.threshold_cents, 0)
        starts, nums, den = self.tier_starts, self.tier_nums, self.den
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
        amount = quotient + (2 * remainder + (quotient & 1) > den)
        return amount if self.cap_cents is None else np.minimum(amount, self.cap_cents)

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
        return moved, [(x + shift, size) for x, size in jumps]

