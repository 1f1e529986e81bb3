"""The payout engine's hot loops, compiled with numba: the marginal returns (:mod:`sim.comp.marginal`), the
order by group and key and the largest-remainder split (:mod:`sim.comp.money`), and the commission's split
over placements (:mod:`sim.comp.engine`). Imported on first use, so that importing :mod:`sim.comp` does not
load numba."""

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



INSERTION_MOST = 32
"""Groups of up to this many entries are put in key order by insertion (a person's credits in a month: a few
dozen); larger ones by the compiled merge sort. Both are stable."""


@njit(cache=True)
def grouped_order(group, groups, key):   # pragma: no cover - compiled
    """:func:`sim.comp.money.grouped_order`: a stable counting sort on ``group``, then each group's entries
    in stable ``key`` order."""
    n = group.size
    start = np.zeros(groups + 1, dtype=np.int64)
    for i in range(n):
        if group[i] < 0 or group[i] >= groups:   # (compiled indexing is unchecked: never write outside)
            raise ValueError("a group outside [0, groups)")
        start[group[i] + 1] += 1
    for g in range(groups):
        start[g + 1] += start[g]
    at = start[:groups].copy()
    order, keys = np.empty(n, dtype=np.int64), np.empty(n, dtype=key.dtype)   # keys: ``key[order]``
    for i in range(n):
        g = group[i]
        order[at[g]], keys[at[g]] = i, key[i]
        at[g] += 1
    for g in range(groups):
        lo, hi = start[g], start[g + 1]
        if hi - lo > INSERTION_MOST:
            ranked = np.argsort(keys[lo:hi], kind="mergesort")
            order[lo:hi] = order[lo:hi][ranked]
            continue
        for a in range(lo + 1, hi):
            row, k = order[a], keys[a]
            b = a - 1
            while b >= lo and keys[b] > k:
                order[b + 1], keys[b + 1] = order[b], keys[b]
                b -= 1
            order[b + 1], keys[b + 1] = row, k
    return order


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
        if g < 0 or g >= total.size or g >= weight_sum.size:   # (compiled indexing is unchecked)
            raise ValueError("a group outside the totals")
        while end < n and group[end] == g:
            end += 1
        t, w_sum = total[g], weight_sum[g]
        per_weight = t / w_sum if w_sum > 0 else 0.0
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
            quotient = np.int64(np.floor(w * per_weight))   # within 1 of the exact quotient
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


@njit(cache=True)
def commission_split(who, placement, shares, commission, credited):   # pragma: no cover - compiled
    """The split of :func:`sim.comp.engine._split_commission`. Of the credit sides (recruiters' then account
    managers': side ``i`` is of credit ``i mod len(placement)``), those whose member (``who``: an index into
    ``commission``, or past its end for none) is paid commission and whose share is positive, in member then
    placement order: each one's credit, member, placement and cents of the member's commission by largest
    remainder on the shares (``credited``: each member's sum of them)."""
    n, credits = commission.size, placement.size
    keep = np.empty(who.size, dtype=np.int64)
    k = 0
    for i in range(who.size):
        g = who[i]
        if g < n and commission[g] > 0 and shares[i] > 0:
            keep[k] = i
            k += 1
    keep = keep[:k]
    credit = np.empty(k, dtype=np.int64)
    for j in range(k):   # (side - credits, not side mod credits: an integer division costs as much as the rest)
        credit[j] = keep[j] - credits if keep[j] >= credits else keep[j]
    key = placement[credit]
    order = grouped_order(who[keep], n, key)
    keep, credit, key = keep[order], credit[order], key[order]
    group = who[keep]
    return credit, group, key, largest_remainder(group, key, shares[keep], commission, credited)
