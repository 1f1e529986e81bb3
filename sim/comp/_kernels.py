"""The payout engine's hot loops, compiled with numba: the marginal returns (:mod:`sim.comp.marginal`) and
the largest-remainder split (:mod:`sim.comp.money`). Imported on first use, so that importing
:mod:`sim.comp` does not load numba."""

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



SCAN_MOST = 64
"""Up to this many cents left over, the split finds the shares that get them in one pass, keeping the
largest remainders seen so far in order; above it, by a stable sort. The same cents either way: the pass
is cheaper than the compiled sort's allocation for a person's few dozen credits (64 measured 3x faster
than 16 over a month's commission), and than scanning for the largest remainder once per cent (2x)."""


@njit(cache=True)
def largest_remainder(group, key, weight, total, weight_sum):   # pragma: no cover - compiled
    """:func:`sim.comp.money.largest_remainder`: entries sorted by group, then key; a run of entries of
    one key is one share (their weights summed), written to its first entry (the others get 0)."""
    n = group.size
    shares, remainders = np.zeros(n, dtype=np.int64), np.full(n, -1, dtype=np.int64)
    top = np.empty(min(n, SCAN_MOST), dtype=np.int64)   # a group's largest remainders so far, largest first
    start = 0
    while start < n:
        g, end, paid = group[start], start, 0
        while end < n and group[end] == g:
            end += 1
        t, w_sum = total[g], weight_sum[g]
        i = start
        while i < end:
            first, w = i, weight[i]
            i += 1
            while i < end and key[i] == key[first]:
                w += weight[i]
                i += 1
            if w_sum <= 0:
                continue
            # floor(t * w / w_sum), exactly: a float estimate, then the remainder in wrapping int64
            quotient = np.int64(np.floor(t * (w / w_sum)))
            remainder = t * w - quotient * w_sum
            if remainder < 0:
                quotient, remainder = quotient - 1, remainder + w_sum
            elif remainder >= w_sum:
                quotient, remainder = quotient + 1, remainder - w_sum
            shares[first], remainders[first] = quotient, remainder
            paid += quotient
        left = min(t - paid, end - start) if w_sum > 0 else 0  # (never more than the entries: memory safety)
        if left > SCAN_MOST:  # a stable sort: equal remainders keep the order of their keys
            ranked = np.argsort(-remainders[start:end], kind="mergesort")
            for j in range(left):
                shares[start + ranked[j]] += 1
        elif left > 0:  # the few largest remainders, the first (lowest key) of ties: each entry in turn joins ``top``
            kept = 0
            for i in range(start, end):
                r = remainders[i]
                if kept == left:
                    if r <= remainders[top[left - 1]]:   # not above the smallest kept (a tie goes to the earlier)
                        continue
                    k = left - 1
                else:
                    k = kept
                    kept += 1
                while k > 0 and remainders[top[k - 1]] < r:
                    top[k] = top[k - 1]
                    k -= 1
                top[k] = i
            for j in range(left):
                shares[top[j]] += 1
        start = end
    return shares
