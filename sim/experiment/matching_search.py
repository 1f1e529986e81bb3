"""The search for one cost-matched knob: which value to evaluate next, from the gaps seen so far.

Pure (no model, no executor): :mod:`sim.experiment.matching` evaluates what :meth:`Curve.ask` asks for
and :meth:`Curve.tell` s it the result. Variable pay is close to proportional to a rate or a scale, so
the value as written comes first, then the proportional guess (value x target / pay), then secant steps
through the last two values, kept inside the bracket once values below and above the target are known
(regula falsi of the bracket's ends when the secant leaves it, the Illinois way: after two steps on one
side of the target the far end's gap counts half; the bracket's midpoint when a value was evaluated already).
Every value is held to the plan's decimals, so a value evaluated is exactly the value a batch runs.
"""

from __future__ import annotations

MAX_EVALUATIONS = 6
"""Evaluations of one scheme's knob at most (the value as written included)."""


class Curve:
    """One scheme's search: knob values in ``[0, top]`` at ``places`` decimals, gaps (pay - target) seen."""

    def __init__(self, start: float, top: float, places: int, floor: float, negligible: float,
                 budget: int = MAX_EVALUATIONS):
        self.top, self.places, self.floor, self.negligible, self.budget = top, places, floor, negligible, budget
        self.start = self._held(start)
        self.gaps: dict[float, float] = {}
        self.pays: dict[float, float] = {}
        self.ses: dict[float, float | None] = {}
        self.order: list[float] = []

    def _held(self, x: float) -> float:
        return round(min(max(x, 0.0), self.top), self.places)

    def tell(self, x: float, pay: float, target: float, se: float | None) -> None:
        self.order.append(x)
        self.pays[x], self.gaps[x], self.ses[x] = pay, pay - target, se

    @property
    def best(self) -> float:
        """The value evaluated with the smallest gap (the first of equals)."""
        return min(self.order, key=lambda x: abs(self.gaps[x]))

    @property
    def se_at_best(self) -> float | None:
        return self.ses[self.best] if self.order else None

    @property
    def tolerance(self) -> float:
        """The bound the gap met: ``floor`` (a cent) if it did, else ``negligible`` standard errors (if larger)."""
        if self.order and abs(self.gaps[self.best]) <= self.floor:
            return self.floor
        return max(self.floor, self.negligible * (self.se_at_best or 0.0))

    def stalled(self) -> bool:
        """Whether the last step cut the smallest gap before it less than tenfold: the curve's jumps, not its
        slope, now set the gap (a secant step on a smooth curve cuts it by far more)."""
        if len(self.order) < 3:
            return False
        before = min(abs(self.gaps[x]) for x in self.order[:-1])
        return abs(self.gaps[self.order[-1]]) * 10 > before

    def bracket(self) -> tuple[float | None, float | None]:
        """The largest value below the target and the smallest at or above it, among those evaluated."""
        lo = max((x for x, g in self.gaps.items() if g < 0), default=None)
        hi = min((x for x, g in self.gaps.items() if g >= 0 and (lo is None or x > lo)), default=None)
        return lo, hi

    def crossing(self) -> tuple[float, float]:
        """The gaps at the bracket's ends (the best gap for a missing end)."""
        lo, hi = self.bracket()
        g = self.gaps[self.best]
        return (self.gaps[lo] if lo is not None else g), (self.gaps[hi] if hi is not None else g)

    def done(self) -> bool:
        """A cent reached; or a gap within ``negligible`` standard errors once steps stall; or the budget spent."""
        if not self.order:
            return False
        gap = abs(self.gaps[self.best])
        return gap <= self.floor or len(self.order) >= self.budget or (gap <= self.tolerance and self.stalled())

    def ask(self) -> float | None:
        """The next value to evaluate, or None when the search is over."""
        if not self.order:
            return self.start
        if self.done():
            return None
        lo, hi = self.bracket()
        x = self._secant()
        if lo is not None and hi is not None and (x is None or not lo < x < hi):
            glo, ghi = self.gaps[lo], self.gaps[hi]
            if len(self.order) > 1 and (self.gaps[self.order[-2]] < 0) == (self.gaps[self.order[-1]] < 0):
                # Illinois: two steps on one side, so the far end's gap counts half (else it would stall)
                glo, ghi = (glo / 2, ghi) if self.order[-1] == hi else (glo, ghi / 2)
            x = lo - glo * (hi - lo) / (ghi - glo) if ghi != glo else (lo + hi) / 2
        if x is None:   # no bracket and no usable slope: the proportional guess from the last value
            x = self._proportional(self.order[-1])
        x = self._held(x)
        if x in self.gaps and lo is not None and hi is not None:
            x = round((lo + hi) / 2, self.places)
        return None if x in self.gaps else x

    def _proportional(self, x: float) -> float:
        """The value at which pay would meet the target were pay proportional to the knob, from ``x``."""
        return x * (self.pays[x] - self.gaps[x]) / self.pays[x] if self.pays[x] > 0 else self.top

    def _secant(self) -> float | None:
        """The root of the line through the last two values (the proportional guess after the first)."""
        if len(self.order) == 1:
            return self._proportional(self.order[0])
        a, b = self.order[-2], self.order[-1]
        slope = (self.gaps[b] - self.gaps[a]) / (b - a)
        return b - self.gaps[b] / slope if slope > 0 else None
