"""Marginal returns: how much of one extra dollar of credited GP a person expects to be paid.

The simulation asks this every month for every person (effort and cooperation best responses), so it
must be cheap. The answer has two parts:

* **own, individual part.** A flat schedule pays ``rate`` on the margin. With a threshold, tiers or a
  cap the margin depends on where the month ends up, and the person does not know that in advance; so
  ``own`` is the *expected* marginal rate ``d/dδ E[f(X + δ)]`` at ``δ = 0``, where ``f`` is the
  commission schedule and the month's credited GP ``X`` is gamma distributed with mean
  ``expected_credit_cents`` and coefficient of variation ``OUTCOME_CV = 0.6``. A gamma is non-negative
  and right-skewed like one producer's monthly GP; CV 0.6 is a typical month-to-month spread for a
  single biller. Someone expected to fall short of a threshold still has an incentive (the chance of
  clearing it), and a retroactive tier's jump counts as ``jump * density`` at the tier start.

  The expectation is computed *exactly* (gamma CDF over the schedule's linear pieces plus density at
  its jumps) rather than from a handful of quantiles, because quantile averages move in steps as the
  expected credit changes, which makes best responses jumpy; it is tabulated once per plan on a log grid
  of expected credit (2 % steps, ``1e-3`` to ``1e3`` times the schedule's breakpoints) and linearly
  interpolated (compiled, :mod:`sim.comp._kernels`), within 1e-4 of the exact value.

* **pool part.** One extra credited dollar adds one dollar to the basis (pod or firm) GP, of which the
  pool holds ``rate``; the person's share is ``rate * w_own / W`` and each teammate's is
  ``rate * w_teammate / W``, where ``W`` sums the weights of the basis's producers. ``teammate`` is the
  mean over the ``teammates`` other producers (they differ only under role weights).

Both take arrays: the model asks for every producer at once, and one person is a length-1 call.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .commission import Schedule
from .money import compiled

OUTCOME_CV = 0.6
GAMMA_SHAPE = 1.0 / OUTCOME_CV**2
GRID_RATIO = 1.02
GRID_SPAN = 1e3


class MarginalReturn(NamedTuple):
    """Of one extra dollar of GP credited to a person: the fraction paid to them (``own``) and to each of
    ``teammates`` other producers (``teammate``, their mean pool share)."""

    own: float
    teammate: float
    teammates: int


def expected_marginal_rates(schedule: Schedule, expected_cents: np.ndarray) -> np.ndarray:
    """Exact ``d/dδ E[f(X + δ)]`` for gamma ``X`` (mean ``expected_cents > 0``, CV ``OUTCOME_CV``)."""
    # Imported here, once per plan built: scipy.special is a third of a worker process's start-up.
    from scipy.special import gammainc, gammaln

    segments, jumps = schedule.rate_pieces()
    theta = np.asarray(expected_cents, dtype=float) / GAMMA_SHAPE
    total = np.zeros_like(theta)
    for start, end, slope in segments:
        if slope:
            upper = 1.0 if math.isinf(end) else gammainc(GAMMA_SHAPE, end / theta)
            total += slope * (upper - gammainc(GAMMA_SHAPE, start / theta))
    for x, size in jumps:
        z = x / theta
        log_density = (GAMMA_SHAPE - 1.0) * np.log(z) - z - gammaln(GAMMA_SHAPE) - np.log(theta)
        total += size * np.exp(log_density)
    return total


def period_marginal_rates(segments: list[tuple[float, float, float]], jumps: list[tuple[float, float]],
                          to_date: np.ndarray, expected_monthly: np.ndarray, months_left: int) -> np.ndarray:
    """``d/dδ E[f(S + X + δ)]`` for a period's schedule ``f`` (its :meth:`~Schedule.rate_pieces`): ``S`` the
    credited GP to date, ``X`` the rest of the period's credit, the sum of ``months_left`` gamma months
    of mean ``expected_monthly`` and CV ``OUTCOME_CV`` (a gamma of ``months_left`` times the shape). A
    threshold within reach of ``S + E[X]`` makes the margin high; one out of reach, low."""
    from scipy.special import gammainc, gammaln

    shape = GAMMA_SHAPE * max(months_left, 1)
    theta = np.maximum(np.asarray(expected_monthly, dtype=float), 1.0) / GAMMA_SHAPE
    s = np.asarray(to_date, dtype=float)
    total = np.zeros_like(theta)

    def cdf(x: float) -> np.ndarray:
        return gammainc(shape, np.maximum(x - s, 0.0) / theta)

    for start, end, slope in segments:
        if slope:
            total += slope * ((1.0 if math.isinf(end) else cdf(end)) - cdf(start))
    for x, size in jumps:
        z = (x - s) / theta
        ahead = z > 0
        safe = np.where(ahead, z, 1.0)
        density = np.exp((shape - 1.0) * np.log(safe) - safe - gammaln(shape) - np.log(theta))
        total += np.where(ahead, size * density, 0.0)
    return total


class ExpectedMarginal:
    """``own`` of a schedule as a function of expected credited GP, tabulated and interpolated."""

    __slots__ = ("_at_zero", "_log_low", "_step", "_count", "_table")

    def __init__(self, schedule: Schedule) -> None:
        segments, jumps = schedule.rate_pieces()
        self._at_zero = segments[0][2] if segments[0][0] < segments[0][1] else segments[1][2]
        breakpoints = [x for seg in segments for x in seg[:2] if 0.0 < x < math.inf]
        breakpoints += [x for x, _ in jumps if x > 0.0]
        if not breakpoints:  # a straight line through 0: the same margin everywhere
            self._log_low, self._step, self._count, self._table = 0.0, 1.0, 1, np.array([self._at_zero])
            return
        low, high = min(breakpoints) / GRID_SPAN, max(breakpoints) * GRID_SPAN
        self._step = math.log(GRID_RATIO)
        self._count = int(math.ceil(math.log(high / low) / self._step)) + 1
        self._log_low = math.log(low)
        self._table = expected_marginal_rates(schedule, np.exp(self._log_low + self._step * np.arange(self._count)))

    def __call__(self, expected_cents: np.ndarray) -> np.ndarray:
        """The expected marginal rate at each expected credited GP (cents) of an array."""
        x = np.asarray(expected_cents, dtype=float).reshape(-1)
        if self._count == 1:
            return np.full(x.shape, self._at_zero)
        return compiled().interpolate(x, self._log_low, self._step, self._count, self._table, self._at_zero)


class PoolMargin:
    """The pool part of a marginal return: ``rate`` shared by weight among the basis's producers."""

    __slots__ = ("rate", "firm_basis", "weights")

    def __init__(self, rate: float, firm_basis: bool, weights: tuple[float, float]) -> None:
        self.rate, self.firm_basis, self.weights = rate, firm_basis, weights

    def __call__(self, is_recruiter: np.ndarray, recruiters: np.ndarray,
                 account_managers: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(own, teammate, teammates)`` of each producer, given the producers of each role in their basis
        (pod or firm, whichever the pool is on), the person included."""
        # Contiguous, so every caller meets the one compiled version that warm_up readied.
        return compiled().pool_margins(np.ascontiguousarray(is_recruiter, dtype=np.bool_),
                            np.ascontiguousarray(recruiters, dtype=np.int64),
                            np.ascontiguousarray(account_managers, dtype=np.int64), float(self.rate),
                            *map(float, self.weights))
