"""The engine's orderings and splits give what their plain definitions give: ``lexsort_pair`` is
``np.lexsort``'s order, and the largest-remainder split is the same whichever way it hands out cents."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.comp._kernels import largest_remainder
from sim.comp.money import lexsort_pair

ints = st.integers(-(2**40), 2**40)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(-5, 5), ints), max_size=60))
def test_lexsort_pair_is_lexsorts_order(pairs):
    major = np.array([a for a, _ in pairs], dtype=np.int64)
    minor = np.array([b for _, b in pairs], dtype=np.int64)
    assert np.array_equal(lexsort_pair(major, minor), np.lexsort((minor, major)))


def test_lexsort_pair_keeps_ties_in_order_and_falls_back_beyond_int64():
    major = np.array([1, 0, 1, 0, 1], dtype=np.int64)
    minor = np.array([7, 7, 7, 3, 7], dtype=np.int64)
    assert lexsort_pair(major, minor).tolist() == [3, 1, 0, 2, 4]
    wide = np.array([-(2**62), 2**62, 0], dtype=np.int64)
    assert np.array_equal(lexsort_pair(wide, wide[::-1].copy()), np.lexsort((wide[::-1], wide)))


def _by_sort(group, key, weight, total, weight_sum):
    """The split with every leftover cent handed out by a stable sort on the remainders (the definition)."""
    shares = np.zeros(len(group), dtype=np.int64)
    for g in np.unique(group):
        rows = np.flatnonzero(group == g)
        firsts = [i for i in rows if i == rows[0] or key[i] != key[i - 1]]
        w = {i: int(weight[(group == g) & (key == key[i])].sum()) for i in firsts}
        t, w_sum = int(total[g]), int(weight_sum[g])
        if w_sum <= 0:
            continue
        quota = {i: divmod(t * w[i], w_sum) for i in firsts}
        for i in firsts:
            shares[i] = quota[i][0]
        left = t - sum(q for q, _ in quota.values())
        for i in sorted(firsts, key=lambda i: -quota[i][1])[:left]:
            shares[i] += 1
    return shares


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 90), st.integers(0, 50)), min_size=1, max_size=150),
       st.lists(st.integers(0, 10**6), min_size=4, max_size=4))
def test_largest_remainder_scan_and_sort_agree(rows, totals):
    rows.sort(key=lambda r: (r[0], r[1]))
    group, key, weight = (np.array(col, dtype=np.int64) for col in zip(*rows, strict=True))
    total = np.array(totals, dtype=np.int64)
    weight_sum = np.bincount(group, weights=weight, minlength=4).astype(np.int64)
    assert np.array_equal(largest_remainder(group, key, weight, total, weight_sum),
                          _by_sort(group, key, weight, total, weight_sum))
