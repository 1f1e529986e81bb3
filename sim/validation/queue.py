"""The exact placement rate of one recruiter/account-manager pair: a two-sided queue with abandonment.

With behaviour off, one recruiter and one account manager per pod and no sharing across pods, each
pod is an independent continuous-time Markov chain on the signed queue length ``n``: ``n > 0`` job
orders are waiting (and no candidates), ``n < 0`` means ``-n`` candidates are waiting. Per day:

* a job order arrives at rate ``lj``. With ``k = -n > 0`` candidates waiting it tries them in turn;
  each converts with probability ``p`` and a failed one is lost, so it places after consuming ``j``
  candidates with probability ``(1-p)^(j-1) p`` (``n -> n + j``), or consumes all ``k`` and waits
  (``n -> 1``). With none waiting it waits (``n -> n + 1``);
* a candidate arrives at rate ``lc``. With job orders waiting it is offered to the oldest: it places
  with probability ``p`` (``n -> n - 1``), otherwise it is lost (``n`` unchanged). With none waiting
  it waits (``n -> n - 1``);
* each waiting job order expires at rate ``1/job_order_life``, each waiting candidate at
  ``1/candidate_life`` (exponential lives).

This mirrors the matching of :mod:`sim.model.desks`. The chain is
truncated at ``|n| <= K`` (``K`` far beyond any plausible queue). Expected placements over
``[0, T]`` from an empty start come from the matrix exponential of the generator augmented with the
placement-rate column; the stationary distribution gives the long-run rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import expm

K = 80


@dataclass(frozen=True, slots=True)
class PairQueue:
    job_order_rate: float        # per day
    candidate_rate: float        # per day
    job_order_life: float        # mean days
    candidate_life: float        # mean days
    conversion: float

    def generator(self) -> tuple[np.ndarray, np.ndarray]:
        """(Q, r): the generator on states -K..K and the placement rate in each state."""
        size = 2 * K + 1
        q = np.zeros((size, size))
        r = np.zeros(size)
        lj, lc, p = self.job_order_rate, self.candidate_rate, self.conversion
        for n in range(-K, K + 1):
            i = n + K
            if n >= 0:
                if n < K:
                    q[i, i + 1] += lj
            else:
                k = -n
                for j in range(1, k + 1):
                    q[i, i + j] += lj * (1 - p) ** (j - 1) * p
                q[i, 1 + K] += lj * (1 - p) ** k
                r[i] = lj * (1 - (1 - p) ** k)
            if n > 0:
                q[i, i - 1] += lc * p + n / self.job_order_life
                r[i] = lc * p
            elif n > -K:
                q[i, i - 1] += lc
            if n < 0:
                q[i, i + 1] += -n / self.candidate_life
            q[i, i] -= q[i].sum()
        return q, r

    def transient(self, days: float) -> tuple[float, float]:
        """(expected placements over [0, days], expected waiting job orders at ``days``), from empty."""
        q, r = self.generator()
        size = q.shape[0]
        a = np.zeros((size + 1, size + 1))
        a[:size, :size] = q
        a[:size, size] = r
        e = expm(a * days)[K]          # row of the empty state
        pi = e[:size]
        states = np.arange(-K, K + 1)
        return float(e[size]), float(pi @ np.maximum(states, 0))

    def stationary(self) -> tuple[float, float]:
        """(long-run placements per day, mean waiting job orders)."""
        q, r = self.generator()
        size = q.shape[0]
        a = np.vstack([q.T, np.ones(size)])
        b = np.zeros(size + 1)
        b[-1] = 1.0
        pi = np.linalg.lstsq(a, b, rcond=None)[0]
        states = np.arange(-K, K + 1)
        return float(pi @ r), float(pi @ np.maximum(states, 0))
