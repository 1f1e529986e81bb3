"""The engine's orderings and splits give what their plain definitions give: ``grouped_order`` is
``np.lexsort``'s order, and the largest-remainder split is the same whichever way it hands out cents."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.comp.money import grouped_order, largest_remainder

ints = st.integers(-(2**40), 2**40)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.one_of(ints, st.integers(0, 3))), max_size=200))
def test_grouped_order_is_lexsorts_order(pairs):
    """Small and large groups (over 32 entries take the merge sort), many ties, keys of any sign."""
    group = np.array([a for a, _ in pairs], dtype=np.int64)
    key = np.array([b for _, b in pairs], dtype=np.int64)
    assert np.array_equal(grouped_order(group, 6, key), np.lexsort((key, group)))


def test_grouped_order_keeps_ties_in_order_and_skips_empty_groups():
    group = np.array([3, 0, 3, 0, 3], dtype=np.int64)
    key = np.array([7, 7, 7, 3, 7], dtype=np.int64)
    assert grouped_order(group, 5, key).tolist() == [3, 1, 0, 2, 4]
    assert grouped_order(np.zeros(0, dtype=np.int64), 3, np.zeros(0, dtype=np.int64)).tolist() == []
    rng = np.random.default_rng(7)   # one group of 300 (the merge sort) beside small ones (insertion)
    group = np.concatenate((np.zeros(300, dtype=np.int64), rng.integers(1, 40, 300)))
    rng.shuffle(group)
    key = rng.integers(0, 50, group.size)
    assert np.array_equal(grouped_order(group, 40, key), np.lexsort((key, group)))
    for bad in (-1, 40):   # a group outside the range is refused, never written outside the counts
        with pytest.raises(ValueError, match="outside"):
            grouped_order(np.array([0, bad], dtype=np.int64), 40, np.array([1, 2], dtype=np.int64))
    with pytest.raises(ValueError, match="outside"):   # and so is a split of a total that is not there
        largest_remainder(np.array([3]), np.array([1]), np.array([5, 5]), np.array([1]), np.array([1, 1]))


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
    assert np.array_equal(largest_remainder(group, key, total, weight, weight_sum),
                          _by_sort(group, key, weight, total, weight_sum))
