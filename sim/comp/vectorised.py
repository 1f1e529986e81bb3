"""Exact integer arithmetic on numpy int64 arrays: the building blocks of :mod:`sim.comp.totals`.

Every helper gives exactly what its Python counterpart in :mod:`sim.comp.money` gives, element by element,
and guards against int64 overflow: a product is taken in int64 only when a bound on it is below
:data:`LIMIT` (2**62); otherwise the step runs on Python ints. Sums use ``np.bincount`` with float64
weights only below :data:`FLOAT_EXACT` (2**53, where every partial sum is an exact float), else the exact
int64 ``np.add.at``.
"""

from __future__ import annotations

import numpy as np

from .money import allocate, div_half_even

LIMIT = 1 << 62
"""Products (and sums) taken in int64 stay below this."""
FLOAT_EXACT = 1 << 53
"""Integers up to here are exact in float64 (``np.bincount`` weights)."""

I64 = np.int64


def half_even(values: np.ndarray, num: int, den: int, bound: int) -> np.ndarray:
    """``round_half_even(values * num / den)`` elementwise, a new int64 array (``div_half_even``).

    ``|values| <= bound``; ``num >= 0``, ``den > 0``. ``np.divmod`` floors like Python's ``divmod``, so
    negative values round as in Python. Half to even: ``q + (2r + (q & 1) > den)``, which is ``2r > den``
    or a tie (``2r == den``) with ``q`` odd.
    """
    if num == 0:
        return np.zeros(len(values), dtype=I64)
    if num == den:
        return values.copy()
    if bound * num >= LIMIT or den >= LIMIT:
        return np.array([div_half_even(v * num, den) for v in values.tolist()], dtype=I64)
    quotient, remainder = np.divmod(values * num if num != 1 else values, den)
    remainder += remainder
    remainder += quotient & 1
    quotient += remainder > den
    return quotient


def group_sum(group: np.ndarray, values: np.ndarray, n_groups: int, bound: int) -> np.ndarray:
    """Exact int64 sums of ``values`` by ``group`` (``0 <= group < n_groups``; ``sum(|values|) <= bound``)."""
    if bound < FLOAT_EXACT:
        return np.bincount(group, weights=values, minlength=n_groups).astype(I64)
    out = np.zeros(n_groups, dtype=I64)
    np.add.at(out, group, values)
    return out


def largest_remainder(group: np.ndarray, key: np.ndarray, weight: np.ndarray | None, total: np.ndarray,
                      total_bound: int, weight_bound: int) -> np.ndarray:
    """Each entry's share of its group's ``total`` (``>= 0``) by ``weight`` (``None``: equal), exactly.

    The rule of :func:`~sim.comp.money.allocate` (and of ``allocate_equally`` for equal weights): floors of
    the exact quotas, then one cent each to the entries with the largest remainders, ties to the lower
    ``key`` (keys are distinct within a group). ``group`` indexes ``total``; a group whose weights sum to
    0 must have a total of 0. ``total_bound``/``weight_bound`` bound any total and any group's weight sum.
    """
    n, n_groups = len(group), len(total)
    counts = np.bincount(group, minlength=n_groups)
    if weight is None:  # all remainders of a group are equal: the leftover goes to the lowest keys
        per, leftover = np.divmod(total, np.maximum(counts, 1))
        shares = per[group]
        order = np.lexsort((key, group))
    else:
        if total_bound * weight_bound >= LIMIT:
            return _largest_remainder_python(group, key, weight, total)
        weight_sum = group_sum(group, weight, n_groups, weight_bound)
        shares, remainder = np.divmod(total[group] * weight, np.maximum(weight_sum, 1)[group])
        leftover = total - group_sum(group, shares, n_groups, total_bound)
        order = np.lexsort((key, -remainder, group))
    sorted_group = group[order]
    rank = np.arange(n) - (np.cumsum(counts) - counts)[sorted_group]
    shares[order[rank < leftover[sorted_group]]] += 1
    return shares


def _largest_remainder_python(group: np.ndarray, key: np.ndarray, weight: np.ndarray,
                              total: np.ndarray) -> np.ndarray:
    """:func:`largest_remainder` on Python ints, through :func:`allocate` (when products may overflow)."""
    by_group: dict[int, dict[int, int]] = {}
    position: dict[tuple[int, int], int] = {}
    for i, (g, k, w) in enumerate(zip(group.tolist(), key.tolist(), weight.tolist(), strict=True)):
        by_group.setdefault(g, {})[k] = w
        position[g, k] = i
    out = [0] * len(group)
    totals = total.tolist()
    for g, weights in by_group.items():
        for k, cents in allocate(totals[g], weights).items():
            out[position[g, k]] = cents
    return np.array(out, dtype=I64)


class Lookup:
    """Positions of distinct int64 keys: ``find(q)`` is each query's index in ``keys``, or ``len(keys)``."""

    __slots__ = ("n", "table", "top", "sorter", "sorted_keys")

    def __init__(self, keys: np.ndarray) -> None:
        self.n = n = len(keys)
        self.table: np.ndarray | None = None
        self.top = 0
        if n == 0:
            self.table = np.zeros(1, dtype=I64)
            return
        low, high = int(keys.min()), int(keys.max())
        if low >= 0 and high < 16 * n + 4096:  # small non-negative ids: a direct table
            self.table = np.full(high + 2, n, dtype=I64)
            self.table[keys] = np.arange(n)
            self.top = high + 1
        else:
            self.sorter = np.argsort(keys, kind="stable")
            self.sorted_keys = keys[self.sorter]

    def find(self, queries: np.ndarray) -> np.ndarray:
        if self.table is not None:  # a negative query wraps to a huge unsigned value: past the top, absent
            return self.table[np.minimum(queries.view(np.uint64), self.top)]
        pos = np.minimum(np.searchsorted(self.sorted_keys, queries), self.n - 1)
        return np.where(self.sorted_keys[pos] == queries, self.sorter[pos], self.n)


class Pods:
    """Dense codes of the members' pods: ``codes`` per member, ``n`` codes; ``find``/``code`` for any pod.

    A pod no member is in gets code ``n`` (a spare slot: nothing is paid on it). Small non-negative pods
    are their own codes.
    """

    __slots__ = ("n", "codes", "lookup", "known")

    def __init__(self, member_pods: np.ndarray) -> None:
        self.lookup: Lookup | None = None
        self.known: dict[int, int] = {}
        if len(member_pods) == 0:
            self.n, self.codes = 0, member_pods
            return
        low, high = int(member_pods.min()), int(member_pods.max())
        if low >= 0 and high < 4096:
            self.n, self.codes = high + 1, member_pods
        else:
            unique, self.codes = np.unique(member_pods, return_inverse=True)
            self.n = len(unique)
            self.lookup = Lookup(unique)
            self.known = {pod: i for i, pod in enumerate(unique.tolist())}

    def find(self, pods: np.ndarray) -> np.ndarray:
        if self.lookup is not None:
            return self.lookup.find(pods)
        return np.minimum(pods.view(np.uint64), self.n).astype(I64)

    def code(self, pod: int) -> int:
        if self.lookup is not None or self.n == 0:
            return self.known.get(pod, self.n)
        return pod if 0 <= pod < self.n else self.n
