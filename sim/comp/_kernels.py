"""The marginal returns' hot loops, compiled with numba (see :mod:`sim.comp.marginal`, which imports this
module on first use, so that importing :mod:`sim.comp` does not load numba)."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def interpolate(x, log_low, step, count, table, at_zero):   # pragma: no cover - compiled
    """:meth:`ExpectedMarginal.__call__` over an array."""
    out = np.empty(x.size)
    for i in range(x.size):
        if x[i] <= 0:
            out[i] = at_zero
            continue
        position = min(max((np.log(x[i]) - log_low) / step, 0.0), count - 1)
        index = min(int(position), count - 2)
        low = table[index]
        out[i] = low + (table[index + 1] - low) * (position - index)
    return out


@njit(cache=True)
def pool_margins(is_recruiter, recruiters, account_managers, rate, w_recruiter,
                  w_account_manager):   # pragma: no cover - compiled
    """:meth:`PoolMargin.__call__` for each producer: arrays (own, teammate, teammates)."""
    n = is_recruiter.size
    own, teammate, teammates = np.empty(n), np.empty(n), np.empty(n, dtype=np.int64)
    for i in range(n):
        total = recruiters[i] * w_recruiter + account_managers[i] * w_account_manager
        mates = recruiters[i] + account_managers[i] - 1
        ok = total > 0 and mates >= 0
        mine = rate * (w_recruiter if is_recruiter[i] else w_account_manager) / total if ok else 0.0
        own[i] = mine
        teammate[i] = (rate - mine) / max(mates, 1) if ok and mates > 0 else 0.0
        teammates[i] = max(mates, 0)
    return own, teammate, teammates

